package model

// An organisation's campaigns, as staff create, change, archive, bring back and delete them. They are
// logged in the organisation's log, with no group: a campaign spans the organisation's groups.
const (
	ActionCampaignCreate    LogAction = "campaign.create"
	ActionCampaignEdit      LogAction = "campaign.edit"
	ActionCampaignArchive   LogAction = "campaign.archive"
	ActionCampaignUnarchive LogAction = "campaign.unarchive"
	ActionCampaignDelete    LogAction = "campaign.delete"
)

// TargetCampaign is the target kind of campaign log entries: their target id is the campaign's id.
const TargetCampaign = "campaign"
