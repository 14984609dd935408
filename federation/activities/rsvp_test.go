package activities_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/federation/activities"
)

// The RSVP poll is a Question Mastodon shows as a poll: oneOf options with their counts in
// replies.totalItems, endTime the event's start, votersCount, in reply to the Event, public.
func TestRSVPPollShape(t *testing.T) {
	group := "https://kring.example/groups/lobby"
	start := time.Date(2027, 6, 1, 10, 0, 0, 0, time.UTC)
	poll := activities.RSVPPoll{ID: group + "/events/1/poll", Group: group,
		Audience: activities.Audience{Visibility: model.VisibilityPublic, Followers: group + "/followers", Group: group},
		EventIRI: group + "/events/1", EventTitle: "Picnic & games", StartsAt: start, TimeZone: "Europe/Amsterdam",
		Options: []activities.PollOption{{Name: "Going", Count: 3}, {Name: "Maybe", Count: 1}, {Name: "Can't come", Count: 0}},
		Voters:  4, Published: start.Add(-48 * time.Hour), Now: start.Add(-time.Hour)}
	create, err := activities.PollActivity("Create", "https://kring.example/activities/1", poll, poll.Now)
	if err != nil {
		t.Fatal(err)
	}
	body, err := activities.Marshal(create)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Type   string
		Actor  string
		To     any
		Object struct {
			Type         string
			ID           string
			AttributedTo string
			InReplyTo    string
			Content      string
			EndTime      string
			Closed       any
			VotersCount  int
			OneOf        []struct {
				Type    string
				Name    string
				Replies struct {
					Type       string
					TotalItems int
				}
			}
		}
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	q := doc.Object
	if doc.Type != "Create" || q.Type != "Question" || q.ID != poll.ID || q.AttributedTo != group || q.InReplyTo != poll.EventIRI ||
		q.EndTime != "2027-06-01T10:00:00Z" || q.Closed != nil || q.VotersCount != 4 || len(q.OneOf) != 3 {
		t.Fatalf("question: %s", body)
	}
	if q.OneOf[0].Name != "Going" || q.OneOf[0].Replies.TotalItems != 3 || q.OneOf[0].Type != "Note" || q.OneOf[1].Replies.TotalItems != 1 {
		t.Fatalf("options: %s", body)
	}
	// The date is the event's own, in its time zone; the title is escaped.
	if !strings.Contains(q.Content, "Picnic &amp; games") || !strings.Contains(q.Content, "Tuesday 1 June 2027, 12:00 CEST") {
		t.Fatalf("content: %s", q.Content)
	}
	poll.Now = start.Add(time.Minute)
	update, err := activities.PollActivity("Update", "https://kring.example/activities/2", poll, poll.Now)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = activities.Marshal(update)
	if !strings.Contains(string(body), `"closed":"2027-06-01T10:00:00Z"`) || !strings.Contains(string(body), `"type":"Update"`) {
		t.Fatalf("closed poll: %s", body)
	}
}

// A Join is answered with the Join embedded: its id, actor and event.
func TestAnswerJoinShape(t *testing.T) {
	join := activities.JoinRef{ID: "https://mobilizon.example/join/1", Actor: "https://mobilizon.example/@mo", Object: "https://kring.example/groups/lobby/events/1"}
	for _, accept := range []bool{true, false} {
		answer, err := activities.AnswerJoin("https://kring.example/activities/1", "https://kring.example/groups/lobby", join, accept)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := activities.Marshal(answer)
		want := map[bool]string{true: "Accept", false: "Reject"}[accept]
		var doc struct {
			Type   string
			To     any
			Object struct{ ID, Type, Actor, Object string }
		}
		if err := json.Unmarshal(body, &doc); err != nil || doc.Type != want || doc.Object.Type != "Join" || doc.Object.ID != join.ID ||
			doc.Object.Actor != join.Actor || doc.Object.Object != join.Object {
			t.Fatalf("%s: %s", want, body)
		}
	}
}
