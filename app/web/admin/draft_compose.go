package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/drafts"
	"github.com/kring-social/kring/app/store"
)

// keepDraft keeps what the compose form says as a draft for the chosen groups and sends it on as
// action asks: kept only, scheduled, or (publishing in an organisation that requires review)
// submitted for review.
func (a *Admin) keepDraft(c *gin.Context, group store.GroupInOrganisation, ids []string, also map[string]bool, draft conversations.Draft, action string) {
	fields := scheduleFieldsFrom(c)
	when, err := fields.when(action)
	if status, problem, refused := formRefusal(err); refused {
		a.renderComposeChosen(c, status, group, draft, also, problem)
		return
	}
	content, err := conversations.EncodeDraft(draft)
	if err != nil {
		a.fail(c, err)
		return
	}
	kept, err := a.cfg.Drafts.Create(c.Request.Context(), staffID(c), drafts.Input{GroupIDs: ids, Content: content, CampaignID: campaignOf(draft)})
	if status, problem, refused := formRefusal(err); refused {
		a.renderComposeChosen(c, status, group, draft, also, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	if action == actionDraft {
		a.done(c, draftURL(kept.ID), "Kept as a draft: it goes nowhere until it is sent.")
		return
	}
	a.sendDraft(c, kept.ID, when)
}

// sendDraft sends a kept draft on its way and says what became of it on its page.
func (a *Admin) sendDraft(c *gin.Context, draftID string, when drafts.When) {
	outcome, err := a.cfg.Drafts.Send(c.Request.Context(), draftID, staffID(c), when)
	if _, problem, refused := formRefusal(err); refused {
		a.done(c, draftURL(draftID), "Kept as a draft, not sent: "+problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, draftURL(draftID), outcomeNotice(outcome))
}

func outcomeNotice(outcome drafts.Outcome) string {
	switch outcome {
	case drafts.OutcomeInReview:
		return "Submitted for review: it goes out once another staff member with publishing rights approves it."
	case drafts.OutcomeScheduled:
		return "Scheduled: it goes out at its time."
	}
	return "Published: the groups' followers' servers are sent the post."
}

func campaignOf(draft conversations.Draft) *string {
	if draft.CampaignID == "" {
		return nil
	}
	return &draft.CampaignID
}

func draftURL(id string) string { return "/admin/drafts/" + id }

// editDraft shows a kept draft in the compose form.
func (a *Admin) editDraft(c *gin.Context) {
	kept, ok := a.draftToWorkOn(c)
	if !ok {
		return
	}
	a.renderDraftForm(c, http.StatusOK, kept, kept.Draft, kept.Also, scheduleFieldsOf(&kept.PostDraft), "")
}

// saveDraft saves the compose form over a kept draft and sends it on as its button asks.
func (a *Admin) saveDraft(c *gin.Context) {
	kept, ok := a.draftToWorkOn(c)
	if !ok {
		return
	}
	var draft conversations.Draft
	ids, also, err := a.chosenGroups(c, kept.Home)
	if err == nil {
		err = readCampaignChoice(c, &draft)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	action, fields := composeAction(c), scheduleFieldsFrom(c)
	err = a.readDraftForm(c, &draft)
	if err == nil {
		// A kept answer to a mention stays one: the form carries the mention's id.
		if err = a.answerDraft(c, kept.Home, c.PostForm("answer"), &draft); err != nil {
			a.fail(c, err)
			return
		}
	}
	if err == nil && wantsPreview(c) {
		page := composePage{Group: kept.Home, Kept: &kept.PostDraft, Draft: draft, Also: also, When: fields}
		status := a.withPreview(c, &page)
		if page.Others, err = a.sisterGroups(c, kept.Home); err != nil {
			a.fail(c, err)
			return
		}
		a.renderComposePage(c, status, "Edit a draft", page)
		return
	}
	when, whenErr := fields.when(action)
	if err == nil {
		err = whenErr
	}
	if status, problem, refused := formRefusal(err); refused {
		a.renderDraftForm(c, status, kept, draft, also, fields, problem)
		return
	}
	content, err := conversations.EncodeDraft(draft)
	if err != nil {
		a.fail(c, err)
		return
	}
	_, err = a.cfg.Drafts.Edit(c.Request.Context(), kept.ID, staffID(c), drafts.Input{GroupIDs: ids, Content: content, CampaignID: campaignOf(draft)})
	if status, problem, refused := formRefusal(err); refused {
		a.renderDraftForm(c, status, kept, draft, also, fields, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	if action == actionDraft {
		a.done(c, draftURL(kept.ID), "Saved.")
		return
	}
	a.sendDraft(c, kept.ID, when)
}

func (a *Admin) renderDraftForm(c *gin.Context, status int, kept keptDraft, draft conversations.Draft, also map[string]bool, fields scheduleFields, problem string) {
	others, err := a.sisterGroups(c, kept.Home)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.renderComposePage(c, status, "Edit a draft", composePage{Group: kept.Home, Kept: &kept.PostDraft, Draft: draft, Others: others,
		Also: also, When: fields, Error: problem})
}
