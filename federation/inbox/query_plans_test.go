package inbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/test/testenv"
)

// harnessLookups are the test harness's own queries for the queued tasks it runs as a worker would; a
// worker receives its tasks from Redis instead, so they are not counted.
var harnessLookups = map[string]bool{
	`SELECT * FROM "queued_tasks" WHERE task_type = $1 ORDER BY id`: true,
	strings.ReplaceAll(harnessPendingInbound, "?", "$1"):            true,
}

// harnessPendingInbound lists the inbound activities pending without an outbox row, whose tasks the
// broker alone holds.
const harnessPendingInbound = `SELECT id FROM inbound_activities WHERE state = ?
	AND NOT EXISTS (SELECT 1 FROM queued_tasks WHERE queued_tasks.id = inbound_activities.id) ORDER BY received_at, id`

// statementBudgets bound what one inbound activity costs PostgreSQL from its request to settled,
// deliveries included (measured on 2026-12-05 in brackets), so that a change adding round trips to
// the inbox path is seen. Each is one more since 2026-12-06: the member's activity upsert
// (member_activity), in the event's transaction; a welcome marks her welcomed in its own claim's
// statement. Since 2026-12-07 (issue 16) the daily rollups add one upsert to the event's transaction
// where the event counts (a post shared, a like, a join), and one to each statement that settles
// deliveries (a batch settled as delivered, or a single attempt recorded), in that statement's
// transaction: no commit is added. Since 2026-12-08 (issue 16, reach) each settle adds two more
// upserts in its transaction: the day's deliveries of the post the activity brings (none counted for
// an Accept or a welcome, but the statement cannot know that without a read) and, for a settled
// attempt, the day's deliveries per server. Community health (issue 16) adds one upsert where a
// conversation opens (and where a post is stored held, or a Flag files a report: two, group and
// organisation). Sent counts the statements that cost a round trip of their own: since 2026-12-07
// (issue 11) the inserts of a post, of its Announces, their deliveries and tasks, and of a support
// conversation, made in an inbox transaction holding locks, go with the statement after them
// (store's deferred writes).
var statementBudgets = map[string]struct{ statements, sent, commits int }{
	"public post to an open group, announced to 2 followers": {statements: 17, sent: 13, commits: 5}, // (31, 5) until the posting-rate locks and counts took one round trip each, a post's two Announces one insert, their ids went into the post's insert, the domain's blocks and the redelivery check were read with the author's standing, and the actor and the group with the activity; 22 until the settle's rollups went in one statement, and the day's count with the author's activity; 19 until the posting-rate counts were read with the standing; 18 until the standing went with BEGIN and the locks (issue 11)
	"direct message to the group, opening a conversation":    {statements: 8, sent: 7, commits: 3},   // (16, 3) until the redelivery check, the ban, the domain's blocks, the hourly count and her latest conversation were read in one statement, and the actor and the group with the activity; 10 until the day's count went with her activity, 9 until the standing went with BEGIN and the lock (issue 11)
	"direct message continuing her conversation":             {statements: 5, sent: 5, commits: 3},   // the message and the conversation's last message time written in one statement; the standing with BEGIN and the lock (issue 11)
	"like of a member's post":                                {statements: 12, sent: 11, commits: 3}, // (15, 3) until the ban and the domain's blocks were read in one statement, and the actor with the activity; 13 until her activity, the post's like count and the day's likes went in one statement. 12 statements since its transaction is a TransactionHolding with no lock: its BEGIN, sent alone before the post's lookup, is recorded (database/sql's was not), while its forwarded Like's insert goes with the next statement and its COMMIT with its counters: two round trips fewer (the other transactions' BEGIN and COMMIT are not counted, before or now)
	"follow of an open group":                                {statements: 28, sent: 22, commits: 7}, // (32, 8): Accept and welcome, each delivered + member activity + join of the day + 2 settles counted (+4 reach); 35, 7 measured on 2026-12-06, 32 with the ban and the domain's blocks read together, and the actor and the group with the activity; 28 with each transaction's increments in one statement. 22 sent since its transaction is a TransactionHolding with no lock: the Accept's and the welcome's rows (activities, deliveries, tasks) go with the statements after them, its BEGIN with its first statement and its COMMIT with its counters (neither counted before): eight round trips fewer
	"join of an event with a poll, by a follower":            {statements: 41, sent: 32, commits: 9}, // (39, 9) on 2026-12-06: the event locked and counted, the Accept, the Event's and the poll's Updates, each delivered; + 3 settles counted (+6 reach); - 2: the ban and the domain's blocks read together, the actor with the activity; - 6: each transaction's increments in one statement; 41, 32 since its transaction is a TransactionHolding with no lock: its BEGIN is recorded (sent alone before the event's locked read), its Accept's and Updates' rows go with the statements after them and its COMMIT with its counters: ten round trips fewer
	"public post held by a keyword filter":                   {statements: 7, sent: 6, commits: 3},   // (17, 3) until the posting-rate locks and counts took one round trip each, the domain's blocks and the redelivery check were read with the standing, and the actor and the group with the activity; 10 until the day's count went with her activity, 9 until the posting-rate counts were read with the standing, 8 until the standing went with BEGIN and the locks
	"edit of a member's post":                                {statements: 14, sent: 13, commits: 5}, // (13, 13, 5) on 2026-12-08 in a plain transaction; since in a TransactionHolding with no lock: its BEGIN recorded (sent alone before the post's lookup), its forwarded Update's rows with the statements after them, its COMMIT with its counters: two round trips fewer
	"deletion of a member's post":                            {statements: 24, sent: 21, commits: 7}, // (23, 23, 7) on 2026-12-08 in a plain transaction; since in a TransactionHolding with no lock, as the edit: three round trips fewer (its COMMIT goes alone)
	"flag of a member, filing a report":                      {statements: 11, sent: 11, commits: 3}, // (10, 3) on 2026-12-06 + the report received of the day, for the group and for the organisation; - 1: the actor read with the activity
	// Issue 16: a post that names the group from someone who is not its member is refused as a post
	// here (the group is followers-only) and kept as a mention: its bounds counted, the row, the count
	// of the day. A member's post costs nothing more: whether she is banned and whether she is a
	// member are read in one statement, with her domain's blocks and the redelivery check; the group
	// comes with the activity. (14, 4) measured: 5 of them are Kring's first contact with her (her
	// actor fetched and stored), 3 the mention's (its bounds, its row, its count of the day); its
	// bounds are now counted with her standing, in its first statement.
	"public post to a followers-only group by a non-member, kept as a mention": {statements: 11, sent: 11, commits: 4}, // 14 until the posting-rate counts were read with the standing, 13 until the standing went with BEGIN and the locks, 12 until her mentions of the group were counted with the standing
}

// Every statement an inbound activity causes on PostgreSQL, from its request to settled, is served
// by an index, so its cost does not grow with the tables' history; and the statements and commits
// it costs stay within a budget.
func TestInboxPathStatementsUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	peer := newRemotePeer(t)
	alice := k.join(t, peer, "alice", k.open)
	k.join(t, peer, "bob", k.open)
	carol := member{peer: peer, name: "carol", key: peer.addUser("carol")}

	if _, err := st.CreateKeywordFilter(ctx, model.KeywordFilter{GroupID: k.open.ID, Keyword: "raffle", Action: model.FilterHold}); err != nil {
		t.Fatal(err)
	}
	// Warm the caches (keys, groups, blocks) the way a running server has them.
	warm, _ := k.noteOf(alice, k.open, 1)
	if status := k.send(t, alice, k.open, warm); status != 202 {
		t.Fatalf("warm-up post: %d", status)
	}
	event := k.groupEvent(t, k.open, 10)
	recorder := testenv.RecordStatements(t, st)

	post, note := k.noteOf(alice, k.open, 2)
	held, heldNote := k.noteOf(alice, k.open, 4)
	heldNote["content"], heldNote["contentMap"] = "<p>Tickets for our raffle</p>", map[string]any{"en": "<p>Tickets for our raffle</p>"}
	stranger, _ := k.noteOf(carol, k.open, 4)
	direct, directNote := k.noteOf(alice, k.open, 3) // fresh maps: addressed only to the group
	again, againNote := k.noteOf(alice, k.open, 5)
	for _, m := range []map[string]any{direct, directNote, again, againNote} {
		m["to"], m["cc"] = []any{k.iris.GroupActor("lobby")}, []any{}
	}
	edited := copyMap(note)
	edited["content"] = "<p>Edited</p>"
	inbound := []struct {
		name     string
		from     member
		activity map[string]any
	}{
		{"public post to an open group, announced to 2 followers", alice, post},
		{"public post held by a keyword filter", alice, held},
		{"direct message to the group, opening a conversation", alice, direct},
		{"direct message continuing her conversation", alice, again},
		{"public post to a followers-only group by a non-member, kept as a mention", carol, stranger},
		{"like of a member's post", alice, activityOf(alice, "Like", "likes/1", note["id"])},
		{"follow of an open group", carol, map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
			"id": carol.actor() + "/follows/1", "type": "Follow", "actor": carol.actor(), "object": k.iris.GroupActor("lobby")}},
		{"join of an event with a poll, by a follower", alice, map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
			"id": alice.actor() + "/join/1", "type": "Join", "actor": alice.actor(), "object": event.ObjectIRI}},
		{"flag of a member, filing a report", carol, flagOf(carol, "1", "spam", alice.actor())},
		{"edit of a member's post", alice, activityOf(alice, "Update", "updates/1", edited)},
		{"deletion of a member's post", alice, activityOf(alice, "Delete", "deletes/1", note["id"])},
	}

	conn := testenv.Conn(t, st)
	// With sequential scans discouraged PostgreSQL takes any index that can serve a statement; a
	// table it still reads whole has none.
	if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	for _, a := range inbound {
		var statements []testenv.Statement
		for _, s := range recorder.During(func() {
			if status := k.send(t, a.from, k.open, a.activity); status != 202 {
				t.Fatalf("%s: status %d", a.name, status)
			}
		}) {
			if !harnessLookups[s.SQL] {
				statements = append(statements, s)
			}
		}
		budget, commits, sent := statementBudgets[a.name], testenv.Commits(statements), testenv.Sent(statements)
		t.Logf("%s: %d statements (%d sent on their own), %d commits", a.name, len(statements), sent, commits)
		if len(statements) > budget.statements || sent > budget.sent || commits > budget.commits {
			t.Errorf("%s: %d statements, %d sent on their own, %d commits, over its budget of %d, %d and %d:", a.name,
				len(statements), sent, commits, budget.statements, budget.sent, budget.commits)
			for _, s := range statements {
				t.Logf("  %s", s.SQL)
			}
		}
		for _, s := range statements {
			for _, table := range testenv.SeqScans(testenv.Explain(t, conn, s, false)) {
				t.Errorf("%s: no index serves this statement, it reads all of %s:\n%s", a.name, table, s.SQL)
			}
		}
		if strings.HasPrefix(a.name, "public post") {
			// A post's transaction runs on generic plans (conversations' submit): its reads are
			// served by an index whatever their values.
			for _, s := range statements {
				if !s.IsRead() || s.Tx == nil {
					continue
				}
				for _, table := range testenv.SeqScans(testenv.ExplainGeneric(t, conn, s)) {
					t.Errorf("%s: the generic plan of this statement reads all of %s:\n%s", a.name, table, s.SQL)
				}
			}
		}
	}
}
