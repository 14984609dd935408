package admin

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/model"
)

func (a *Admin) mountEventParticipants(r gin.IRouter) {
	r.POST("/groups/:slug/events/:id/participants/approve", a.approveParticipant)
	r.POST("/groups/:slug/events/:id/participants/reject", a.rejectParticipant)
	r.POST("/groups/:slug/events/:id/participants/remove", a.removeParticipant)
	r.GET("/groups/:slug/events/:id/participants.csv", a.participantsCSV)
}

// participantDecision is one of a moderator's decisions about a participant, named by her actor id.
type participantDecision func(c *gin.Context, eventID, actorIRI string, staffID *string) (model.ParticipantState, error)

func (a *Admin) approveParticipant(c *gin.Context) {
	a.decideParticipant(c, "Approved", func(c *gin.Context, eventID, actorIRI string, staffID *string) (model.ParticipantState, error) {
		return a.cfg.Events.ApproveParticipant(c.Request.Context(), eventID, actorIRI, staffID)
	})
}

func (a *Admin) rejectParticipant(c *gin.Context) {
	a.decideParticipant(c, "Refused", func(c *gin.Context, eventID, actorIRI string, staffID *string) (model.ParticipantState, error) {
		return a.cfg.Events.RejectParticipant(c.Request.Context(), eventID, actorIRI, staffID)
	})
}

func (a *Admin) removeParticipant(c *gin.Context) {
	a.decideParticipant(c, "Removed", func(c *gin.Context, eventID, actorIRI string, staffID *string) (model.ParticipantState, error) {
		return a.cfg.Events.RemoveParticipant(c.Request.Context(), eventID, actorIRI, staffID)
	})
}

// decideParticipant applies decide to the participant the form names, for staff who moderate the
// event's group, and goes back to the event saying what became of her.
func (a *Admin) decideParticipant(c *gin.Context, done string, decide participantDecision) {
	group, event, ok := a.eventToModerate(c)
	if !ok {
		return
	}
	actor := c.PostForm("actor")
	state, err := decide(c, event.ID, actor, staffID(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/events/"+event.ID, done+": "+actor+" is now "+string(state)+".")
}

// participantsCSV exports the event's participants for a door list or a spreadsheet: one row each,
// with her account, server, answer, how she answered and since when.
func (a *Admin) participantsCSV(c *gin.Context) {
	_, event, ok := a.eventToModerate(c)
	if !ok {
		return
	}
	participants, err := a.cfg.Store.Participants(c.Request.Context(), event.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="participants-`+event.ID+`.csv"`)
	c.Status(http.StatusOK)
	out := csv.NewWriter(c.Writer)
	_ = out.Write([]string{"account", "name", "server", "answer", "how", "since", "message", "actor"})
	for _, p := range participants {
		_ = out.Write([]string{"@" + p.ActorUsername + "@" + p.ActorHost, spreadsheetSafe(p.ActorDisplayName), p.ActorHost, string(p.State),
			string(p.Via), p.UpdatedAt.UTC().Format(time.RFC3339), spreadsheetSafe(p.Message), p.ActorIRI})
	}
	out.Flush()
}

// spreadsheetSafe keeps a remote person's words from being read as a formula by a spreadsheet
// (CSV injection): a cell starting with = + - @ or a tab gets a leading apostrophe.
func spreadsheetSafe(text string) string {
	if text != "" && strings.ContainsRune("=+-@\t\r", rune(text[0])) {
		return "'" + text
	}
	return text
}
