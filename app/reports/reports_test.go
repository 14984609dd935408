package reports_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// forwarded is one Flag the fake forwarder was asked to send.
type forwarded struct {
	target  string
	posts   []string
	comment string
}

type fakeForwarder struct{ sent []forwarded }

func (f *fakeForwarder) ForwardFlag(_ context.Context, _ *store.Store, target model.RemoteActor, posts []string, comment string) error {
	f.sent = append(f.sent, forwarded{target.IRI, posts, comment})
	return nil
}

// fixture is an organisation with groups lobby and desk, alice (of remote.test) following both and
// posting in lobby, a Mastodon instance actor that reports, and a staff member.
type fixture struct {
	st          *store.Store
	svc         *reports.Service
	forwarder   *fakeForwarder
	lobby, desk model.Group
	alice       model.RemoteActor
	mastodon    model.RemoteActor
	post        model.Post
	staffID     string
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	orgs := organisations.NewServiceWith(st, organisations.Options{PasswordParams: organisations.TestPasswordParams()})
	if _, err := orgs.CreateOrganisation(ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, forwarder: &fakeForwarder{}}
	f.svc = reports.NewService(st, f.forwarder)
	for _, g := range []struct {
		slug string
		into *model.Group
	}{{"lobby", &f.lobby}, {"desk", &f.desk}} {
		group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: g.slug, Name: g.slug})
		if err != nil {
			t.Fatal(err)
		}
		*g.into = group
	}
	for _, a := range []struct {
		iri, host string
		into      *model.RemoteActor
	}{{"https://remote.test/users/alice", "remote.test", &f.alice}, {"https://mastodon.test/actor", "mastodon.test", &f.mastodon}} {
		actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: a.iri, Host: a.host, ActorType: "Person",
			InboxURL: a.iri + "/inbox", FetchedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		*a.into = actor
	}
	for _, g := range []model.Group{f.lobby, f.desk} {
		if _, err := st.SaveFollow(ctx, model.Follow{GroupID: g.ID, RemoteActorID: f.alice.ID,
			FollowActivityIRI: f.alice.IRI + "/follows/" + g.Slug, State: model.FollowAccepted}); err != nil {
			t.Fatal(err)
		}
	}
	post, err := st.CreatePost(ctx, model.Post{GroupID: f.lobby.ID, ObjectIRI: "https://remote.test/notes/1", AuthorKind: model.AuthorRemote,
		AuthorActorID: &f.alice.ID, ObjectType: "Note", ContentHTML: "<p>buy now</p>", Visibility: model.VisibilityPublic,
		State: model.PostVisible, PublishedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	f.post = post
	staff, _, err := orgs.CreateStaff(ctx, organisations.NewStaff{Email: "mod@acme.test", Password: "correct horse battery staple",
		OrganisationSlug: "acme", Role: model.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	f.staffID = staff.ID
	return f
}

func postsOf(t *testing.T, r model.Report) []string {
	t.Helper()
	iris, err := reports.PostIRIs(r)
	if err != nil {
		t.Fatal(err)
	}
	return iris
}

// TestReceiveFlagOncePerGroup files a Flag once for each group of the account it names, each report
// listing only its own group's posts; the same Flag again (a retried task) files nothing.
func TestReceiveFlagOncePerGroup(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		unknown := "https://remote.test/notes/404"
		flag := reports.Flag{ActivityIRI: "https://mastodon.test/flags/1", Reporter: f.mastodon,
			Objects: []string{f.alice.IRI, f.post.ObjectIRI, unknown}, Content: "<p>spam</p><p>again &amp; again</p>\x07"}
		filed, err := f.svc.ReceiveFlag(ctx, flag)
		if err != nil {
			t.Fatal(err)
		}
		if len(filed) != 2 {
			t.Fatalf("%d reports, want one for lobby and one for desk", len(filed))
		}
		want := map[string][]string{f.lobby.ID: {f.post.ObjectIRI, unknown}, f.desk.ID: {unknown}}
		for _, r := range filed {
			if !slices.Equal(postsOf(t, r), want[*r.GroupID]) || *r.TargetActorID != f.alice.ID ||
				r.Content != "spam\n\nagain & again" || *r.ReporterActorID != f.mastodon.ID {
				t.Errorf("report %+v", r)
			}
		}
		again, err := f.svc.ReceiveFlag(ctx, flag)
		if err != nil || len(again) != 0 {
			t.Errorf("the same Flag again: %d reports, %v", len(again), err)
		}
	})
}

// TestStaffFileReports checks what a staff report must name, and that the account is the first
// post's author when not given.
func TestStaffFileReports(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		cases := []struct {
			name string
			in   reports.StaffReport
			kind apperror.Kind
		}{
			{"nothing named", reports.StaffReport{Note: "?"}, apperror.KindInvalid},
			{"an account Kring does not know", reports.StaffReport{AccountIRI: "https://remote.test/users/zed"}, apperror.KindInvalid},
			{"a post of another group", reports.StaffReport{Group: f.desk, PostIRIs: []string{f.post.ObjectIRI}}, apperror.KindInvalid},
		}
		for _, tc := range cases {
			tc.in.StaffID = f.staffID
			if tc.in.Group.ID == "" {
				tc.in.Group = f.lobby
			}
			if _, err := f.svc.File(ctx, tc.in); apperror.KindOf(err) != tc.kind {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.kind)
			}
		}
		report, err := f.svc.File(ctx, reports.StaffReport{Group: f.lobby, StaffID: f.staffID,
			PostIRIs: []string{" " + f.post.ObjectIRI + " ", ""}, Note: "selling things"})
		if err != nil {
			t.Fatal(err)
		}
		if report.Source != model.ReportFromStaff || *report.ReporterStaffID != f.staffID || *report.TargetActorID != f.alice.ID ||
			!slices.Equal(postsOf(t, report), []string{f.post.ObjectIRI}) || report.Status != model.ReportOpen {
			t.Errorf("report %+v", report)
		}
		details, err := f.svc.Details(ctx, report.ID)
		if err != nil {
			t.Fatal(err)
		}
		if details.Target == nil || details.Target.IRI != f.alice.IRI || len(details.Posts) != 1 || details.Posts[0].Post == nil ||
			details.Posts[0].Post.ContentHTML != "<p>buy now</p>" || details.ReporterStaff == nil || details.Group.ID != f.lobby.ID {
			t.Errorf("details %+v", details)
		}
	})
}

// TestReportDecisions runs a report through notes, assignment, its statuses and a forward, each
// decision logged with who made it, and refuses the moves that make no sense.
func TestReportDecisions(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		filed, err := f.svc.ReceiveFlag(ctx, reports.Flag{ActivityIRI: "https://mastodon.test/flags/1", Reporter: f.mastodon,
			Groups: []model.Group{f.lobby}, Objects: []string{f.alice.IRI, f.post.ObjectIRI, "https://elsewhere.test/notes/9"}, Content: "spam"})
		if err != nil || len(filed) != 2 {
			t.Fatalf("%d reports, %v", len(filed), err)
		}
		id := filed[0].ID
		if *filed[0].GroupID != f.lobby.ID {
			t.Fatalf("first report is for group %s", *filed[0].GroupID)
		}
		steps := []struct {
			name string
			do   func() error
			kind apperror.Kind // KindInternal: no error
		}{
			{"empty note", func() error { return f.svc.AddNote(ctx, id, f.staffID, "  ") }, apperror.KindInvalid},
			{"note", func() error { return f.svc.AddNote(ctx, id, f.staffID, "looking") }, apperror.KindInternal},
			{"assign", func() error { return f.svc.Assign(ctx, id, &f.staffID) }, apperror.KindInternal},
			{"reopen an open report", func() error { return f.svc.SetStatus(ctx, id, f.staffID, model.ReportOpen, "") }, apperror.KindConflict},
			{"resolve", func() error { return f.svc.SetStatus(ctx, id, f.staffID, model.ReportResolved, "post removed") }, apperror.KindInternal},
			{"dismiss a resolved report", func() error { return f.svc.SetStatus(ctx, id, f.staffID, model.ReportDismissed, "") }, apperror.KindConflict},
			{"reopen", func() error { return f.svc.SetStatus(ctx, id, f.staffID, model.ReportOpen, "") }, apperror.KindInternal},
			{"dismiss", func() error { return f.svc.SetStatus(ctx, id, f.staffID, model.ReportDismissed, "") }, apperror.KindInternal},
			{"unknown status", func() error { return f.svc.SetStatus(ctx, id, f.staffID, "closed", "") }, apperror.KindInvalid},
			{"forward", func() error { return f.svc.Forward(ctx, id, f.staffID, "from our group") }, apperror.KindInternal},
			{"forward again", func() error { return f.svc.Forward(ctx, id, f.staffID, "again") }, apperror.KindConflict},
			{"unassign", func() error { return f.svc.Assign(ctx, id, nil) }, apperror.KindInternal},
			{"unknown report", func() error { return f.svc.AddNote(ctx, "nope", f.staffID, "x") }, apperror.KindNotFound},
		}
		for _, s := range steps {
			err := s.do()
			if (s.kind == apperror.KindInternal && err != nil) || (s.kind != apperror.KindInternal && apperror.KindOf(err) != s.kind) {
				t.Errorf("%s: %v, want %s", s.name, err, s.kind)
			}
		}
		report, err := st.ReportByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if report.Status != model.ReportDismissed || report.ResolvedAt == nil || report.ForwardedAt == nil || report.AssigneeStaffID != nil {
			t.Errorf("report after the steps: %+v", report)
		}
		want := []forwarded{{f.alice.IRI, []string{f.post.ObjectIRI}, "from our group"}}
		if len(f.forwarder.sent) != 1 || f.forwarder.sent[0].target != want[0].target ||
			!slices.Equal(f.forwarder.sent[0].posts, want[0].posts) || f.forwarder.sent[0].comment != want[0].comment {
			t.Errorf("forwarded %+v, want %+v (posts on the author's server only)", f.forwarder.sent, want)
		}
		log, err := st.ModerationLog(ctx, store.ModerationLogFilter{GroupID: f.lobby.ID})
		if err != nil {
			t.Fatal(err)
		}
		var actions []model.LogAction
		for _, entry := range slices.Backward(log) {
			if entry.TargetKind != reports.TargetReport {
				continue
			}
			if entry.TargetID != id || *entry.StaffAccountID != f.staffID {
				t.Errorf("log entry %+v", entry)
			}
			actions = append(actions, entry.Action)
		}
		if wantActions := []model.LogAction{model.ActionReportNote, model.ActionReportResolve, model.ActionReportReopen, model.ActionReportDismiss,
			model.ActionReportForward}; !slices.Equal(actions, wantActions) {
			t.Errorf("logged %v, want %v", actions, wantActions)
		}
		var meta map[string]string
		if err := json.Unmarshal([]byte(log[0].Metadata), &meta); err != nil || meta["to"] != "remote.test" {
			t.Errorf("forward logged with %s", log[0].Metadata)
		}
	})
}
