package analytics

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/inbox"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
)

// How the recording cost is measured: activities alternate one by one between recording and not,
// so the machine's drift (other work on its two cores) falls on both ways alike.
const (
	rounds        = 5
	likesPerRound = 200
	postsPerRound = 40
	recordLimit   = 0.10 // recording may add this much to processing an activity
)

// rollupTables are the tables that recording an event writes to: a statement that begins by
// inserting into one of them is a rollup upsert. A rollup added to Kring is added here. The
// group's counters of the day that events add one to go to daily_count_deltas first (migration 26).
var rollupTables = []string{"group_daily_stats", "post_daily_stats", "daily_count_deltas"}

// rollupSwitch stands in for gorm's statement executor on the benchmark's store: it runs every
// statement as gorm does, except that it times the rollup upserts, or skips them while off. So the
// same binary processes the same activities through the same code with and without recording,
// and production code has no switch for it: the upserts are found by their text, which is what
// app/store/daily_stats.go sends.
type rollupSwitch struct {
	off        atomic.Bool
	spent      atomic.Int64 // nanoseconds inside the upserts
	statements atomic.Int64 // upserts run or skipped
}

func (r *rollupSwitch) exec(db *gorm.DB) {
	if !isRollup(db.Statement.SQL.String()) {
		callbacks.RawExec(db)
		return
	}
	r.statements.Add(1)
	if r.off.Load() {
		db.RowsAffected = 1 // as if it counted: CountBoost's callers read it
		return
	}
	start := time.Now()
	callbacks.RawExec(db)
	r.spent.Add(int64(time.Since(start)))
}

func isRollup(sql string) bool {
	sql = strings.TrimSpace(sql)
	for _, table := range rollupTables {
		if strings.HasPrefix(sql, "INSERT INTO "+table+" ") {
			return true
		}
	}
	return false
}

// recording is the inbox and the worker's processor, wired as kring wires them, on the store whose
// rollup upserts the switch controls.
type recording struct {
	st        *store.Store
	processor *inbox.Processor
	inboxURL  string
	group     string // the big group's actor IRI
	switcher  *rollupSwitch
	signers   []signer
}

type signer struct {
	iri string
	key *rsa.PrivateKey
}

// prepareRecording mounts the inbox on the engine (before the engine serves the first request),
// installs the switch and gives keyedCount of the big group's followers signing keys. Call it
// after seeding.
func prepareRecording(b *testing.B, ctx context.Context, st *store.Store, served testenv.ServedEngine) *recording {
	public, err := url.Parse(served.Server.URL)
	if err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The posting rate limits would refuse the benchmark's 20 members' hundreds of posts.
	fed, err := wiring.Build(ctx, wiring.Config{PublicURL: public, Version: "bench", SigningKeys: testenv.SigningKeys(b),
		PostLimits: conversations.Limits{Window: time.Minute, PerActor: 1 << 30, PerHost: 1 << 30}}, st, quiet)
	if err != nil {
		b.Fatal(err)
	}
	inbox.NewReceiver(inbox.ReceiverConfig{Store: st, IRIs: served.IRIs, Logger: quiet,
		Verifier: &signing.Verifier{Resolver: fed.KeyResolver()}}).Mount(served.Engine)
	r := &recording{st: st, processor: fed.Processor(), inboxURL: served.Server.URL + "/groups/big/inbox",
		group: served.IRIs.GroupActor("big"), switcher: &rollupSwitch{}}
	if err := st.DB().Callback().Raw().Replace("gorm:raw", r.switcher.exec); err != nil {
		b.Fatal(err)
	}
	keys := testenv.SigningKeys(b)
	for n := 1; n <= keyedCount; n++ {
		publicPEM, privatePEM, err := keys()
		if err != nil {
			b.Fatal(err)
		}
		key, err := delivery.ParsePrivateKey(privatePEM)
		if err != nil {
			b.Fatal(err)
		}
		iri := fmt.Sprintf("https://s%d.example/users/u%d", n%hostCount, n)
		err = st.DB().Exec("UPDATE remote_actors SET public_key_id = ?, public_key_pem = ? WHERE id = ?",
			iri+"#main-key", publicPEM, fmt.Sprintf("actor-%d", n)).Error
		if err != nil {
			b.Fatal(err)
		}
		r.signers = append(r.signers, signer{iri: iri, key: key})
	}
	return r
}

// kindTotals are one kind of activity's processing times, summed over the rounds of each way.
type kindTotals struct {
	name                string
	with, without       time.Duration
	inUpserts           time.Duration // of with
	each                int           // activities each way
	upserts, upsertsOff int64         // statements run, and skipped
}

// inUpsertsExtra is the upserts' own time against the rest of the processing: what recording adds.
func (k kindTotals) inUpsertsExtra() float64 {
	return float64(k.inUpserts) / float64(k.with-k.inUpserts)
}

// withVsWithout is the same extra read from the difference between the activities processed with
// and without the upserts: noisier, two measurements on a shared machine, but it would show a cost
// the upserts cause outside their own statements (a longer commit, locks held longer).
func (k kindTotals) withVsWithout() float64 { return float64(k.with-k.without) / float64(k.without) }

func (k kindTotals) summary() string {
	return fmt.Sprintf("%-11s %4d each way: %6.2f ms per activity recording, of which upserts %.3f ms (%.1f %% extra, %.2f of the 10 %% limit); %6.2f ms not recording (%+.1f %% with; %d upserts run, %d skipped)",
		k.name, k.each, ms(k.with)/float64(k.each), ms(k.inUpserts)/float64(k.each), 100*k.inUpsertsExtra(), k.inUpsertsExtra()/recordLimit,
		ms(k.without)/float64(k.each), 100*k.withVsWithout(), k.upserts, k.upsertsOff)
}

// measureRecording processes the rounds' Likes of the big group's newest posts and members' public
// posts to it, and reports what the upserts add to processing them.
func measureRecording(b *testing.B, ctx context.Context, rec *recording, f fixture) []kindTotals {
	likes, posts := kindTotals{name: "Like"}, kindTotals{name: "public post"}
	b.ResetTimer()
	for n := range b.N {
		for round := range rounds {
			tag := fmt.Sprintf("%d-%d", n, round)
			likeIDs := rec.accept(b, ctx, "Like", likesPerRound, func(i int) (signer, map[string]any) {
				j := (n*rounds+round)*likesPerRound + i // each (actor, post) once: a repeated Like counts nothing
				s := rec.signers[j%len(rec.signers)]
				return s, map[string]any{"id": fmt.Sprintf("%s/likes/%s-%d", s.iri, tag, i), "type": "Like",
					"actor": s.iri, "to": []string{rec.group}, "object": f.posts[j/len(rec.signers)]}
			})
			postIDs := rec.accept(b, ctx, "Create", postsPerRound, func(i int) (signer, map[string]any) {
				s := rec.signers[i%len(rec.signers)]
				to, cc := []string{activities.PublicCollection}, []string{rec.group, s.iri + "/followers"}
				return s, map[string]any{"id": fmt.Sprintf("%s/activities/%s-%d", s.iri, tag, i), "type": "Create",
					"actor": s.iri, "to": to, "cc": cc, "object": map[string]any{
						"id": fmt.Sprintf("%s/notes/%s-%d", s.iri, tag, i), "type": "Note", "attributedTo": s.iri, "to": to, "cc": cc,
						"content": "<p>A member's post to the group.</p>", "published": time.Now().UTC().Format(time.RFC3339)}}
			})
			rec.process(b, ctx, &likes, likeIDs)
			rec.process(b, ctx, &posts, postIDs)
		}
	}
	b.StopTimer()
	rec.switcher.off.Store(false)
	for _, k := range []kindTotals{likes, posts} {
		metric := strings.ReplaceAll(k.name, " ", "-")
		b.ReportMetric(k.inUpsertsExtra()/recordLimit, metric+"-extra-ratio-to-10pct")
		b.ReportMetric(k.withVsWithout()/recordLimit, metric+"-with-vs-without-ratio-to-10pct")
		b.Log(k.summary())
	}
	return []kindTotals{likes, posts}
}

// accept signs count activities built by activity and POSTs them to the big group's inbox as a
// remote server would, outside the clock, and returns the stored rows' ids in the order received.
func (rec *recording) accept(b *testing.B, ctx context.Context, kind string, count int, activity func(i int) (signer, map[string]any)) []string {
	b.StopTimer()
	defer b.StartTimer()
	ids := make([]string, 0, count)
	for i := range count {
		s, doc := activity(i)
		doc["@context"] = "https://www.w3.org/ns/activitystreams"
		body, err := json.Marshal(doc)
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, rec.inboxURL, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/activity+json")
		if err := (signing.Signer{KeyID: s.iri + "#main-key", Key: s.key}).Sign(req, body); err != nil {
			b.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			b.Fatalf("%s %d: %d %s", kind, i, resp.StatusCode, answer)
		}
		var id string
		if err := rec.st.DB().Raw("SELECT id FROM inbound_activities WHERE activity_iri = ?", doc["id"]).Scan(&id).Error; err != nil || id == "" {
			b.Fatalf("%s %d was answered 202 but is not stored (%v)", kind, i, err)
		}
		ids = append(ids, id)
	}
	return ids
}

// process applies the stored activities one after another, as one worker task each, recording
// every other one, and adds their times to the kind's totals; every one must have been applied.
func (rec *recording) process(b *testing.B, ctx context.Context, k *kindTotals, ids []string) {
	for i, id := range ids {
		recordingOn := i%2 == 0
		rec.switcher.off.Store(!recordingOn)
		spentBefore, statementsBefore := rec.switcher.spent.Load(), rec.switcher.statements.Load()
		start := time.Now()
		if err := rec.processor.Process(ctx, id); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		statements := rec.switcher.statements.Load() - statementsBefore
		if recordingOn {
			k.with += took
			k.inUpserts += time.Duration(rec.switcher.spent.Load() - spentBefore)
			k.upserts += statements
			k.each++
		} else {
			k.without += took
			k.upsertsOff += statements
		}
	}
	b.StopTimer()
	defer b.StartTimer()
	var notApplied []model.InboundActivity
	if err := rec.st.DB().Where("id IN ? AND state <> ?", ids, model.InboundProcessed).Find(&notApplied).Error; err != nil {
		b.Fatal(err)
	}
	if len(notApplied) > 0 {
		b.Fatalf("%d of %d %ss not applied, the first %s: %s", len(notApplied), len(ids), k.name, notApplied[0].State, notApplied[0].Error)
	}
}
