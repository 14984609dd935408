package activities

import (
	"fmt"
	"html"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/textinput"
)

// eventContext declares the terms Mobilizon adds to an Event, so they expand for servers that read
// JSON-LD and read as Mobilizon writes them for those that do not.
var eventContext = map[string]any{
	"mz":                            "https://joinmobilizon.org/ns#",
	"sc":                            "http://schema.org#",
	"ical":                          "http://www.w3.org/2002/12/cal/ical#",
	"joinMode":                      map[string]any{"@id": "mz:joinMode", "@type": "mz:joinModeType"},
	"maximumAttendeeCapacity":       "sc:maximumAttendeeCapacity",
	"remainingAttendeeCapacity":     "sc:remainingAttendeeCapacity",
	"participantCount":              map[string]any{"@id": "mz:participantCount", "@type": "sc:Integer"},
	"timezone":                      map[string]any{"@id": "mz:timezone", "@type": "sc:Text"},
	"isOnline":                      map[string]any{"@id": "mz:isOnline", "@type": "sc:Boolean"},
	"PostalAddress":                 "sc:PostalAddress",
	"address":                       map[string]any{"@id": "sc:address", "@type": "sc:PostalAddress"},
	"streetAddress":                 "sc:streetAddress",
	"anonymousParticipationEnabled": map[string]any{"@id": "mz:anonymousParticipationEnabled", "@type": "sc:Boolean"},
}

// EventDocument is an event as the group federates it.
type EventDocument struct {
	Event     model.Event
	Group     string // the group actor
	Followers string // the group's followers collection
	// When and Where are the event's time (in its zone) and place as people read them; the content
	// leads with them, because Mastodon shows an Event as a status with its name, link and content.
	When, Where string
	Going       int // participants holding a place
	// ImageURL is where the event's image is served, with its media type; empty when none.
	ImageURL, ImageMediaType string
}

// EventObject is the Event the way Mobilizon writes one: startTime and endTime, location as a Place
// with a PostalAddress, joinMode (free or restricted), maximumAttendeeCapacity, participantCount,
// ical:status, timezone, url; public, attributed to the group, its audience the group.
func EventObject(d EventDocument) (map[string]any, error) {
	e := d.Event
	id, err := parseIRI(e.ObjectIRI)
	if err != nil {
		return nil, err
	}
	group, err := parseIRI(d.Group)
	if err != nil {
		return nil, err
	}
	event := streams.NewActivityStreamsEvent()
	event.SetJSONLDId(IDProperty(id))
	attributedTo := streams.NewActivityStreamsAttributedToProperty()
	attributedTo.AppendIRI(group)
	event.SetActivityStreamsAttributedTo(attributedTo)
	name := streams.NewActivityStreamsNameProperty()
	name.AppendXMLSchemaString(e.Title)
	event.SetActivityStreamsName(name)
	content := streams.NewActivityStreamsContentProperty()
	content.AppendXMLSchemaString(eventContent(d))
	event.SetActivityStreamsContent(content)
	mediaType := streams.NewActivityStreamsMediaTypeProperty()
	mediaType.Set("text/html")
	event.SetActivityStreamsMediaType(mediaType)
	start := streams.NewActivityStreamsStartTimeProperty()
	start.Set(e.StartsAt.UTC().Truncate(time.Second))
	event.SetActivityStreamsStartTime(start)
	if e.EndsAt != nil {
		end := streams.NewActivityStreamsEndTimeProperty()
		end.Set(e.EndsAt.UTC().Truncate(time.Second))
		event.SetActivityStreamsEndTime(end)
	}
	event.SetActivityStreamsPublished(publishedProperty(e.PublishedAt))
	updated := streams.NewActivityStreamsUpdatedProperty()
	updated.Set(e.UpdatedAt.UTC().Truncate(time.Second))
	event.SetActivityStreamsUpdated(updated)
	page := streams.NewActivityStreamsUrlProperty()
	page.AppendIRI(id)
	event.SetActivityStreamsUrl(page)
	err = Audience{Visibility: model.VisibilityPublic, Followers: d.Followers, Group: d.Group}.apply(event)
	if err != nil {
		return nil, err
	}
	doc, err := streams.Serialize(event)
	if err != nil {
		return nil, fmt.Errorf("serialize event %s: %w", e.ID, err)
	}
	addMobilizonTerms(doc, d)
	return doc, nil
}

// addMobilizonTerms adds to a serialized Event what go-fed does not model.
func addMobilizonTerms(doc map[string]any, d EventDocument) {
	e := d.Event
	contexts := NewContextSet(doc["@context"])
	contexts.Add(eventContext)
	doc["@context"] = contexts.Value()
	doc["timezone"] = e.TimeZone
	doc["joinMode"] = "free"
	if e.JoinMode == model.JoinApproval {
		doc["joinMode"] = "restricted"
	}
	doc["participantCount"] = d.Going
	if e.Capacity > 0 {
		doc["maximumAttendeeCapacity"] = e.Capacity
		doc["remainingAttendeeCapacity"] = max(e.Capacity-d.Going, 0)
	}
	doc["ical:status"] = "CONFIRMED"
	if e.Status == model.EventCancelled {
		doc["ical:status"] = "CANCELLED"
	}
	doc["anonymousParticipationEnabled"] = false
	doc["isOnline"] = e.OnlineURL != "" && e.PlaceName == "" && e.PlaceAddress == ""
	if e.PlaceName != "" || e.PlaceAddress != "" {
		place := map[string]any{"type": "Place", "name": e.PlaceName}
		if e.PlaceName == "" {
			place["name"] = e.PlaceAddress
		}
		if e.PlaceAddress != "" {
			place["address"] = map[string]any{"type": "PostalAddress", "streetAddress": e.PlaceAddress}
		}
		doc["location"] = place
	}
	var attachments []any
	if d.ImageURL != "" {
		// Mastodon shows a Document attachment as media, its name as the alt text.
		attachments = append(attachments, map[string]any{"type": "Document", "mediaType": d.ImageMediaType, "url": d.ImageURL, "name": e.ImageAlt})
		doc["image"] = map[string]any{"type": "Image", "mediaType": d.ImageMediaType, "url": d.ImageURL, "name": e.ImageAlt}
	}
	if e.OnlineURL != "" {
		attachments = append(attachments, map[string]any{"type": "Link", "mediaType": "text/html", "name": "Website", "href": e.OnlineURL})
	}
	if len(attachments) > 0 {
		doc["attachment"] = attachments
	}
}

// eventContent leads with when and where (what a Mastodon reader needs to see first), then the
// description; a cancelled event says so before anything else.
func eventContent(d EventDocument) string {
	var lead string
	if d.Event.Status == model.EventCancelled {
		lead = "<p><strong>Cancelled.</strong></p>"
	}
	lead += "<p>📅 " + html.EscapeString(d.When)
	if d.Where != "" {
		lead += "<br>📍 " + html.EscapeString(d.Where)
	}
	lead += "</p>"
	return lead + textinput.TextToHTML(d.Event.Description)
}

// EventActivity is the group's Create or Update of an event (the Event embedded) or its Delete (the
// Event's id), addressed to the public with the group's followers in cc.
func EventActivity(kind, id string, d EventDocument, at time.Time) ([]byte, vocab.Type, error) {
	audience := Audience{Visibility: model.VisibilityPublic, Followers: d.Followers, Group: d.Group}
	objectIRI, err := parseIRI(d.Event.ObjectIRI)
	if err != nil {
		return nil, nil, err
	}
	var activity wrapper
	switch kind {
	case "Create":
		activity = streams.NewActivityStreamsCreate()
	case "Update":
		activity = streams.NewActivityStreamsUpdate()
	case "Delete":
		activity = streams.NewActivityStreamsDelete()
	default:
		return nil, nil, fmt.Errorf("no %s of an event", kind)
	}
	built, err := wrapProperty(activity, id, d.Group, audience, objectIRIProperty(objectIRI), at)
	if err != nil {
		return nil, nil, err
	}
	if kind == "Delete" {
		body, err := Marshal(built)
		return body, built, err
	}
	object, err := EventObject(d)
	if err != nil {
		return nil, nil, err
	}
	body, err := marshalEmbedding(built, object)
	return body, built, err
}
