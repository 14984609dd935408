package model

// LogAction names what a moderation log entry records, as "subject.verb". The values are stored in
// moderation_actions.action and shown, and filtered on, in the admin's log page: a value never
// changes once entries carry it, and a new action gets a new value.
type LogAction string

// Every action the moderation log records.
const (
	// Organisations, created by the instance admin or Kring's command line.
	ActionOrganisationCreate LogAction = "organisation.create"
	// An organisation admin required, or stopped requiring, review of drafted posts.
	ActionOrganisationReview LogAction = "organisation.review"

	// Staff accounts, in the log of the organisation the change was made in.
	ActionStaffCreate        LogAction = "staff.create"
	ActionStaffRole          LogAction = "staff.role"
	ActionStaffDisable       LogAction = "staff.disable"
	ActionStaffEnable        LogAction = "staff.enable"
	ActionStaffPasswordReset LogAction = "staff.password_reset"

	// Groups: created, edited in the web admin (pictures included), archived and brought back, and
	// moderators assigned to them.
	ActionGroupCreate            LogAction = "group.create"
	ActionGroupEdit              LogAction = "group.edit"
	ActionGroupArchive           LogAction = "group.archive"
	ActionGroupUnarchive         LogAction = "group.unarchive"
	ActionGroupModeratorAssign   LogAction = "group.moderator.assign"
	ActionGroupModeratorUnassign LogAction = "group.moderator.unassign"

	// Members of a group: answers to follow requests, bans, unbans, removals and the welcome.
	ActionFollowApprove LogAction = "follow.approve"
	ActionFollowReject  LogAction = "follow.reject"
	ActionMemberBan     LogAction = "member.ban"
	ActionMemberUnban   LogAction = "member.unban"
	ActionMemberRemove  LogAction = "member.remove"
	ActionMemberWelcome LogAction = "member.welcome"

	// Members' posts: the pre-moderation queue's decisions, removals and restorations, and the
	// holding again Kring does itself when an author's edit matches a holding keyword filter.
	ActionPostApprove LogAction = "post.approve"
	ActionPostDecline LogAction = "post.decline"
	ActionPostRemove  LogAction = "post.remove"
	ActionPostRestore LogAction = "post.restore"
	ActionPostHold    LogAction = "post.hold"

	// The group's own posts, written by its moderators.
	ActionPostPublish LogAction = "post.publish"
	ActionPostEdit    LogAction = "post.edit"
	ActionPostDelete  LogAction = "post.delete"
	ActionPostPin     LogAction = "post.pin"
	ActionPostUnpin   LogAction = "post.unpin"
	// ActionPostHighlight: a member's reply announced to every member (an introduction).
	ActionPostHighlight LogAction = "post.highlight"

	// A group's events, as staff manage them.
	ActionEventCreate LogAction = "event.create"
	ActionEventEdit   LogAction = "event.edit"
	ActionEventCancel LogAction = "event.cancel"
	ActionEventDelete LogAction = "event.delete"

	// A group's keyword filters.
	ActionFilterAdd    LogAction = "filter.add"
	ActionFilterRemove LogAction = "filter.remove"

	// Reports: filed by staff, noted, resolved, dismissed, reopened and forwarded to the reported
	// account's server.
	ActionReportFile    LogAction = "report.file"
	ActionReportNote    LogAction = "report.note"
	ActionReportResolve LogAction = "report.resolve"
	ActionReportDismiss LogAction = "report.dismiss"
	ActionReportReopen  LogAction = "report.reopen"
	ActionReportForward LogAction = "report.forward"

	// Support conversations: staff answered a member as the group (the text is in the conversation,
	// not the log), or turned the conversation into a report.
	ActionSupportReply  LogAction = "support.reply"
	ActionSupportReport LogAction = "support.report"

	// Domain blocks, of an organisation or the whole instance: one domain.block per block made (an
	// import's too), and one domain.import summing an import up.
	ActionDomainBlock   LogAction = "domain.block"
	ActionDomainUnblock LogAction = "domain.unblock"
	ActionDomainImport  LogAction = "domain.import"
)

// Participants of a group's events: a moderator approved or rejected a request to join an event
// that needs approval, or removed a participant.
const (
	ActionEventApprove LogAction = "event.approve"
	ActionEventReject  LogAction = "event.reject"
	ActionEventRemove  LogAction = "event.remove"
)

// Federation health, in the instance's log: an instance admin lifted a host's unreachable mark so
// its deliveries go out now, forgot a host's failure record, or retried or discarded a task that ran
// out of retries.
const (
	ActionHostRetry   LogAction = "host.retry"
	ActionHostForget  LogAction = "host.forget"
	ActionTaskRetry   LogAction = "task.retry"
	ActionTaskDiscard LogAction = "task.discard"
)
