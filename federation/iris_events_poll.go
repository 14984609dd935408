package federation

// GroupEventPoll is the id of the RSVP poll (a Question) of one of a group's events.
func (i IRIs) GroupEventPoll(slug, eventID string) string {
	return i.GroupActor(slug) + "/events/" + eventID + "/poll"
}
