package admin

import "slices"

// commonZones are the time zones the admin's forms offer first; any IANA zone is accepted where a
// zone is typed, and a zone already chosen is offered too (zoneChoices).
var commonZones = []string{"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Amsterdam", "Europe/Berlin",
	"Europe/Brussels", "Europe/Paris", "Europe/Madrid", "Europe/Rome", "Europe/Vienna", "Europe/Zurich", "Europe/Copenhagen",
	"Europe/Stockholm", "Europe/Oslo", "Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Athens", "Europe/Istanbul",
	"Europe/Kyiv", "Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg", "America/New_York", "America/Chicago",
	"America/Denver", "America/Los_Angeles", "America/Toronto", "America/Mexico_City", "America/Sao_Paulo",
	"America/Buenos_Aires", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul",
	"Australia/Sydney", "Pacific/Auckland"}

// zoneChoices are the common zones, with chosen first when it is not among them.
func zoneChoices(chosen string) []string {
	if chosen == "" || slices.Contains(commonZones, chosen) {
		return commonZones
	}
	return append([]string{chosen}, commonZones...)
}
