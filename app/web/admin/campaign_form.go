package admin

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/campaigns"
	"github.com/kring-social/kring/app/model"
)

// campaignForm is the campaign form as sent: dates as the browser's date inputs send them.
type campaignForm struct {
	Name, Hashtag, Description string
	StartsOn, EndsOn           string
}

// campaignFormPage is the form for a new campaign or to edit one.
type campaignFormPage struct {
	Outreach outreach
	Campaign *model.Campaign // nil for a new one
	Form     campaignForm
	Error    string
}

func (a *Admin) newCampaign(c *gin.Context) {
	o, ok := a.outreachOf(c)
	if !ok || !a.requireCampaignEditor(c, o) {
		return
	}
	a.renderCampaignForm(c, http.StatusOK, o, nil, campaignForm{}, "")
}

func (a *Admin) createCampaign(c *gin.Context) {
	o, ok := a.outreachOf(c)
	if !ok || !a.requireCampaignEditor(c, o) {
		return
	}
	form, in, err := readCampaignForm(c)
	var created model.Campaign
	if err == nil {
		created, err = a.cfg.Campaigns.Create(c.Request.Context(), o.Org.ID, staffID(c), in)
	}
	if status, problem, refused := formRefusal(err); refused {
		a.renderCampaignForm(c, status, o, nil, form, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, campaignURL(o.Org.Slug, created.ID), "Campaign "+created.Name+" created: choose it when writing a post or an event.")
}

func (a *Admin) editCampaign(c *gin.Context) {
	o, ok := a.outreachOf(c)
	if !ok || !a.requireCampaignEditor(c, o) {
		return
	}
	campaign, ok := a.campaignOf(c, o)
	if !ok {
		return
	}
	a.renderCampaignForm(c, http.StatusOK, o, &campaign, formOfCampaign(campaign), "")
}

func (a *Admin) saveCampaign(c *gin.Context) {
	o, ok := a.outreachOf(c)
	if !ok || !a.requireCampaignEditor(c, o) {
		return
	}
	campaign, ok := a.campaignOf(c, o)
	if !ok {
		return
	}
	form, in, err := readCampaignForm(c)
	if err == nil {
		_, err = a.cfg.Campaigns.Edit(c.Request.Context(), campaign.ID, staffID(c), in)
	}
	if status, problem, refused := formRefusal(err); refused {
		a.renderCampaignForm(c, status, o, &campaign, form, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, campaignURL(o.Org.Slug, campaign.ID), "Campaign saved. Posts already out keep the hashtag they went out with.")
}

func (a *Admin) renderCampaignForm(c *gin.Context, status int, o outreach, campaign *model.Campaign, form campaignForm, problem string) {
	title := "New campaign of " + o.Org.Name
	if campaign != nil {
		title = "Edit " + campaign.Name
	}
	a.renderStatus(c, status, "campaign_form.html", title, campaignFormPage{Outreach: o, Campaign: campaign, Form: form, Error: problem})
}

// readCampaignForm reads the form, each field given at most once, and its dates; the campaigns
// service checks the rest. The form comes back as sent, to be shown again when refused.
func readCampaignForm(c *gin.Context) (campaignForm, campaigns.Input, error) {
	var form campaignForm
	for field, into := range map[string]*string{"name": &form.Name, "hashtag": &form.Hashtag, "description": &form.Description,
		"starts_on": &form.StartsOn, "ends_on": &form.EndsOn} {
		value, err := oneValue(field, c.PostFormArray(field))
		if err != nil {
			return form, campaigns.Input{}, err
		}
		*into = value
	}
	in := campaigns.Input{Name: form.Name, Hashtag: form.Hashtag, Description: form.Description}
	var err error
	if in.StartsOn, err = formDate("starts_on", form.StartsOn); err != nil {
		return form, in, err
	}
	in.EndsOn, err = formDate("ends_on", form.EndsOn)
	return form, in, err
}

// formDate reads a date input's value: nil when empty.
func formDate(field, value string) (*time.Time, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, nil
	}
	date, err := time.Parse(time.DateOnly, value)
	if err != nil {
		return nil, apperror.Invalid(field, "must be a date written YYYY-MM-DD")
	}
	return &date, nil
}

// formOfCampaign fills the form with a campaign's fields.
func formOfCampaign(campaign model.Campaign) campaignForm {
	form := campaignForm{Name: campaign.Name, Hashtag: campaign.Hashtag, Description: campaign.Description}
	if campaign.StartsOn != nil {
		form.StartsOn = campaign.StartsOn.Format(time.DateOnly)
	}
	if campaign.EndsOn != nil {
		form.EndsOn = campaign.EndsOn.Format(time.DateOnly)
	}
	return form
}
