package admin

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/drafts"
	"github.com/kring-social/kring/app/model"
)

// What the compose form's buttons ask for.
const (
	actionPublish  = "publish"  // now, or submitted for review when the organisation requires it
	actionSchedule = "schedule" // at the chosen time
	actionDraft    = "draft"    // kept, going nowhere yet
)

// composeAction is the button the form was sent with; publishing when it names none.
func composeAction(c *gin.Context) string {
	switch action := c.PostForm("action"); action {
	case actionSchedule, actionDraft:
		return action
	}
	return actionPublish
}

// scheduleFields are the compose form's time fields: a local date and time and the IANA zone it is
// in, kept as typed so a refused form shows them back.
type scheduleFields struct {
	Local string // as a datetime-local input holds it: 2006-01-02T15:04
	Zone  string
}

// localLayout is the value format of a datetime-local input.
const localLayout = "2006-01-02T15:04"

func scheduleFieldsFrom(c *gin.Context) scheduleFields {
	return scheduleFields{Local: c.PostForm("publish_at"), Zone: c.PostForm("zone")}
}

// scheduleFieldsOf shows a kept draft's time in its zone; a new post's fields offer UTC.
func scheduleFieldsOf(draft *model.PostDraft) scheduleFields {
	if draft == nil {
		return scheduleFields{Zone: "UTC"}
	}
	fields := scheduleFields{Zone: draft.TimeZone}
	if loc, err := time.LoadLocation(draft.TimeZone); err == nil && draft.PublishAt != nil {
		fields.Local = draft.PublishAt.In(loc).Format(localLayout)
	}
	return fields
}

// ZoneChoices are the zones to offer, with the chosen one among them.
func (f scheduleFields) ZoneChoices() []string { return zoneChoices(f.Zone) }

// when reads the time fields for action: a time for scheduling, none for publishing now.
func (f scheduleFields) when(action string) (drafts.When, error) {
	loc, err := time.LoadLocation(f.Zone)
	if err != nil || f.Zone == "" {
		return drafts.When{}, apperror.Invalid("zone", "choose a time zone from the list")
	}
	out := drafts.When{Zone: f.Zone}
	if action != actionSchedule {
		return out, nil
	}
	at, err := time.ParseInLocation(localLayout, f.Local, loc)
	if err != nil {
		return drafts.When{}, apperror.Invalid("publish_at", "choose the date and time to publish it")
	}
	if !at.After(time.Now()) {
		return drafts.When{}, apperror.Invalid("publish_at", "choose a time ahead, or publish now")
	}
	return drafts.When{At: &at, Zone: f.Zone}, nil
}
