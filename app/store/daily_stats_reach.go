package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/kring-social/kring/app/model"
)

// PostReach is how the deliveries of one of a group's posts went over a period: attempts (retries
// included), deliveries that succeeded and deliveries that failed for good.
type PostReach struct {
	PostID      string
	ObjectIRI   string
	ContentHTML string
	Attempted   int64
	Succeeded   int64
	Failed      int64
}

// StatsScope is whose figures a read is of: one group's, or every group's of an organisation. Its
// condition is over the group_id of the rows read, aliased d, with one placeholder; the reach
// reads take it rather than a group id so that the group's and the organisation's pages share them.
type StatsScope struct {
	condition string
	arg       string
}

// OfGroup is one group's figures.
func OfGroup(groupID string) StatsScope { return StatsScope{"d.group_id = ?", groupID} }

// OfOrganisation is the figures of every group of the organisation, archived ones too (a
// semi-join over groups_organisation, then each group's index range).
func OfOrganisation(organisationID string) StatsScope {
	return StatsScope{organisationGroups, organisationID}
}

// String names the scope in errors.
func (s StatsScope) String() string {
	if s.condition == organisationGroups {
		return "organisation " + s.arg
	}
	return "group " + s.arg
}

// PostsReach returns the posts of scope delivered over the days from through through, at most limit,
// the most deliveries succeeded first (ties: the newer post id first), the waiting deltas folded
// first. One range read of the rollup's (group_id, day) index per group, joined to the posts by key.
func (s *Store) PostsReach(ctx context.Context, scope StatsScope, from, through string, limit int) ([]PostReach, error) {
	if err := s.foldDailyCounts(ctx, postDeliveryRollup); err != nil {
		return nil, err
	}
	var rows []PostReach
	err := scan(s.conn(ctx).Table("post_delivery_daily_stats AS d").
		Select(`d.post_id, posts.object_iri, posts.content_html, SUM(d.deliveries_attempted) AS attempted,
			SUM(d.deliveries_succeeded) AS succeeded, SUM(d.deliveries_failed) AS failed`).
		Joins("JOIN posts ON posts.id = d.post_id").
		Where(scope.condition+" AND d.day >= ? AND d.day <= ?", scope.arg, from, through).
		Group("d.post_id, posts.object_iri, posts.content_html").
		Order("succeeded DESC, d.post_id DESC").Limit(limit), &rows)
	if err != nil {
		return nil, fmt.Errorf("read deliveries per post of %s from %s to %s: %w", scope, from, through, err)
	}
	return rows, nil
}

// ServerReach is what a group's deliveries to the servers it sent to came to over a period that ends
// today.
type ServerReach struct {
	// Reached is how many servers took at least one of the group's deliveries in the period.
	Reached int64
	// Unreachable lists servers the deliveries failed to for good in the period with not one success
	// in it, the most failures since their last success first, at most the limit asked for;
	// UnreachableTotal counts them all.
	Unreachable      []UnreachableServer
	UnreachableTotal int64
}

// UnreachableServer is a server none of a group's deliveries reached over a period.
type UnreachableServer struct {
	Host string
	// FailedSinceSuccess is how many deliveries failed for good to the server since it last took
	// one (ever, not only in the period: a run of failures is what tells a server that went away).
	FailedSinceSuccess int64
	// MarkedNow is whether the circuit breaker holds the host unreachable at the time of reading
	// (retried rarely), as opposed to failures that have since stopped.
	MarkedNow bool
}

// serverReachOfScope is server_reach as one row per server of scope: over a group its own rows,
// over an organisation each server once, reached on the last day any of its groups was, failed on
// the last day any failed, with the failures since each group's last success added up. Its one
// placeholder is scope's.
func serverReachOfScope(scope StatsScope) string {
	return `SELECT d.host, MAX(d.last_succeeded_day) AS last_succeeded_day, MAX(d.last_failed_day) AS last_failed_day,
		SUM(d.failures_since_success) AS failures_since_success
		FROM server_reach AS d WHERE ` + scope.condition + ` GROUP BY d.host`
}

// ServersReached reads which servers scope's deliveries reached in the period that began on day since
// and ends today, and which they did not (at most limit of them): a server is reached when its last
// success is on or after since, not reached when it failed on or after since and was not reached.
// Periods end today, so one row per (group, server), kept as deliveries settle, answers this whatever
// the period's length.
//
// One read of scope's rows of server_reach gives both the counts and the list: each server is
// told reached or not, the counts are sums over all of them (window sums, taken before the LIMIT),
// and the servers not reached sort first, so the rows kept are the list; at least one row is kept so
// that the counts come back when every server was reached. Only the kept rows are joined to the
// circuit breaker's record by host.
func (s *Store) ServersReached(ctx context.Context, scope StatsScope, since string, limit int) (ServerReach, error) {
	var rows []struct {
		UnreachableServer
		Unreached, ReachedTotal, UnreachedTotal int64
	}
	err := scan(s.conn(ctx).Raw(`SELECT ranked.host, ranked.failures_since_success AS failed_since_success, ranked.unreached,
			ranked.reached_total, ranked.unreached_total,
			CASE WHEN remote_hosts.unreachable_since IS NOT NULL THEN 1 ELSE 0 END AS marked_now
		FROM (SELECT outcome.*, SUM(outcome.reached) OVER () AS reached_total, SUM(outcome.unreached) OVER () AS unreached_total
			FROM (SELECT per_host.host, per_host.failures_since_success,
					CASE WHEN per_host.last_succeeded_day >= ? THEN 1 ELSE 0 END AS reached,
					CASE WHEN per_host.last_succeeded_day >= ? THEN 0 WHEN per_host.last_failed_day >= ? THEN 1 ELSE 0 END AS unreached
				FROM (`+serverReachOfScope(scope)+`) AS per_host) AS outcome
			ORDER BY outcome.unreached DESC, outcome.failures_since_success DESC, outcome.host LIMIT ?) AS ranked
		LEFT JOIN remote_hosts ON remote_hosts.host = ranked.host
		ORDER BY ranked.unreached DESC, ranked.failures_since_success DESC, ranked.host`,
		since, since, since, scope.arg, max(limit, 1)), &rows)
	if err != nil {
		return ServerReach{}, fmt.Errorf("read the servers %s reached since %s: %w", scope, since, err)
	}
	var reach ServerReach
	for _, row := range rows {
		reach.Reached, reach.UnreachableTotal = row.ReachedTotal, row.UnreachedTotal
		if row.Unreached == 1 && len(reach.Unreachable) < limit {
			reach.Unreachable = append(reach.Unreachable, row.UnreachableServer)
		}
	}
	return reach, nil
}

// MemberCount is how many of a group's members share one server, or one server software.
type MemberCount struct {
	Name    string
	Members int64
}

// MemberShares is a group's members now split by server or by software: the largest shares, and
// what the rest add up to.
type MemberShares struct {
	Top          []MemberCount
	OtherMembers int64
	OtherKinds   int64 // how many servers (or programs) the other members are on
}

// MembersByServerAndSoftware splits the members (accepted follows) of scope's groups by their server
// and by what their server runs, as its NodeInfo said (a server never asked, or that did not say, is
// named ”): the limit largest shares of each first (ties: by name, bytewise). Over an organisation,
// a member of two of its groups counts twice: once per membership.
//
// One statement reads the members, a range of follows_group_state per group each joined to her actor
// and her server by key, and counts them per server (and its software): both splits and what the
// rest add up to are sums of those rows, at most one per server, so the page reads the follows once
// rather than once per split and once more per total. The counts are read when the page is, not kept
// as members come and go, because a follow also goes when its actor or group is deleted (a cascade
// no counting statement would see) and a kept count would drift from the follows it counts.
func (s *Store) MembersByServerAndSoftware(ctx context.Context, scope StatsScope, limit int) (byServer, bySoftware MemberShares, err error) {
	var perServer []struct {
		Host, Software string
		Members        int64
	}
	err = scan(s.conn(ctx).Table("follows AS d").
		Select("remote_actors.host, COALESCE(remote_hosts.software, '') AS software, COUNT(*) AS members").
		Joins("JOIN remote_actors ON remote_actors.id = d.remote_actor_id").
		Joins("LEFT JOIN remote_hosts ON remote_hosts.host = remote_actors.host").
		Where(scope.condition+" AND d.state = ?", scope.arg, model.FollowAccepted).
		Group("remote_actors.host, remote_hosts.software"), &perServer)
	if err != nil {
		return MemberShares{}, MemberShares{}, fmt.Errorf("count members of %s by server: %w", scope, err)
	}
	servers, software := map[string]int64{}, map[string]int64{}
	for _, row := range perServer {
		servers[row.Host] += row.Members
		software[row.Software] += row.Members
	}
	return largestShares(servers, limit), largestShares(software, limit), nil
}

// largestShares is the limit largest of members (by name), the most members first, then by name;
// the others are told as a sum and how many names they are.
func largestShares(members map[string]int64, limit int) MemberShares {
	all := make([]MemberCount, 0, len(members))
	for name, n := range members {
		all = append(all, MemberCount{Name: name, Members: n})
	}
	slices.SortFunc(all, func(a, b MemberCount) int {
		return cmp.Or(cmp.Compare(b.Members, a.Members), cmp.Compare(a.Name, b.Name))
	})
	shares := MemberShares{Top: all[:min(limit, len(all))]}
	for _, rest := range all[len(shares.Top):] {
		shares.OtherMembers += rest.Members
		shares.OtherKinds++
	}
	return shares
}
