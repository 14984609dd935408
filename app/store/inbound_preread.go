package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"gorm.io/gorm/schema"

	"github.com/kring-social/kring/app/model"
)

// InboundToProcess is a stored inbound activity with the rows its processing reads first: its
// actor's cached document and the group whose inbox took it. Read with the activity, they cost the
// worker one round trip instead of three; a round trip is what an inbound activity's processing is
// mostly made of.
type InboundToProcess struct {
	model.InboundActivity
	Actor *model.RemoteActor   // nil when Kring has no copy of the actor
	Group *GroupInOrganisation // nil for an activity to the shared inbox, or when the group is gone
}

// inboundWithRows is the row InboundToProcessByID reads; the joined rows' columns are prefixed so
// that none shadows another (the activity's actor_iri, the actor's iri).
type inboundWithRows struct {
	model.InboundActivity
	Actor            model.RemoteActor `gorm:"embedded;embeddedPrefix:actor__"`
	Group            model.Group       `gorm:"embedded;embeddedPrefix:group__"`
	OrganisationSlug string
	OrganisationName string
}

var (
	actorColumns = sync.OnceValue(func() string { return columnsAs(&model.RemoteActor{}, "remote_actors", "actor__") })
	groupColumns = sync.OnceValue(func() string { return columnsAs(&model.Group{}, "groups", "group__") })
)

// columnsAs lists the columns of value's table as "table.column AS prefixcolumn": the names gorm
// reads into a field of value's type embedded with embeddedPrefix:prefix. A column the model never
// reads (gorm's permission ->:false, an actor's document as received) is left out.
func columnsAs(value any, table, prefix string) string {
	parsed, err := schema.Parse(value, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		panic(fmt.Sprintf("the model of %s does not parse: %v", table, err)) // a programming error, seen by every test
	}
	columns := make([]string, 0, len(parsed.DBNames))
	for _, name := range parsed.DBNames {
		if parsed.FieldsByDBName[name].Readable {
			columns = append(columns, table+"."+name+" AS "+prefix+name)
		}
	}
	return strings.Join(columns, ", ")
}

// InboundToProcessByID loads an inbound activity with its actor's cached document and its group.
// On PostgreSQL, outside a transaction, the workers' concurrent reads share one statement.
func (s *Store) InboundToProcessByID(ctx context.Context, id string) (InboundToProcess, error) {
	read := func() (*InboundToProcess, error) {
		found, err := s.prereadBatch(ctx, []string{id})
		if err != nil {
			return nil, err
		}
		return found[0], nil
	}
	if s.batches != nil && !s.InTransaction() {
		read = func() (*InboundToProcess, error) { return s.batches.preread.do(ctx, id) }
	}
	in, err := read()
	if err != nil {
		return InboundToProcess{}, fmt.Errorf("find inbound activity %s: %w", id, classify(err))
	}
	if in == nil {
		return InboundToProcess{}, fmt.Errorf("find inbound activity %s: %w", id, ErrNotFound)
	}
	return *in, nil
}

// inboundToProcess reads the inbound activities with ids, each with its actor and group.
func (s *Store) inboundToProcess(ctx context.Context, ids []string) ([]InboundToProcess, error) {
	var rows []inboundWithRows
	err := scan(s.conn(ctx).Raw(`SELECT inbound_activities.*, `+actorColumns()+`, `+groupColumns()+`,
			organisations.slug AS organisation_slug, organisations.name AS organisation_name
		FROM inbound_activities
		LEFT JOIN remote_actors ON remote_actors.iri = inbound_activities.actor_iri
		LEFT JOIN groups ON groups.id = inbound_activities.group_id
		LEFT JOIN organisations ON organisations.id = groups.organisation_id
		WHERE inbound_activities.id IN ?`, ids), &rows)
	if err != nil {
		return nil, err
	}
	read := make([]InboundToProcess, 0, len(rows))
	for _, row := range rows {
		in := InboundToProcess{InboundActivity: row.InboundActivity}
		if row.Actor.ID != "" {
			in.Actor = &row.Actor
		}
		if row.Group.ID != "" && row.OrganisationSlug != "" {
			in.Group = &GroupInOrganisation{Group: row.Group, OrganisationSlug: row.OrganisationSlug, OrganisationName: row.OrganisationName}
		}
		read = append(read, in)
	}
	return read, nil
}

type prereadKey struct{}

// preread holds rows read ahead of their first use; each is taken once.
type preread struct {
	actor atomic.Pointer[model.RemoteActor]
	group atomic.Pointer[GroupInOrganisation]
}

// WithPreread returns ctx carrying in's actor and group, for the processing's first look at each:
// TakePrereadActor and TakePrereadGroup. Each copy serves once: it was read a moment before, as that
// first read would have been; any later read, which may follow a change, goes to the database.
func WithPreread(ctx context.Context, in InboundToProcess) context.Context {
	rows := &preread{}
	rows.actor.Store(in.Actor)
	rows.group.Store(in.Group)
	return context.WithValue(ctx, prereadKey{}, rows)
}

// TakePrereadActor takes the actor read ahead in ctx, when it is the one with id iri.
func TakePrereadActor(ctx context.Context, iri string) (model.RemoteActor, bool) {
	return takePreread(ctx, func(rows *preread) *atomic.Pointer[model.RemoteActor] { return &rows.actor },
		func(actor model.RemoteActor) bool { return actor.IRI == iri })
}

// TakePrereadGroup takes the group read ahead in ctx, when it is the one with slug.
func TakePrereadGroup(ctx context.Context, slug string) (GroupInOrganisation, bool) {
	return takePreread(ctx, func(rows *preread) *atomic.Pointer[GroupInOrganisation] { return &rows.group },
		func(group GroupInOrganisation) bool { return group.Slug == slug })
}

func takePreread[T any](ctx context.Context, slot func(*preread) *atomic.Pointer[T], wanted func(T) bool) (T, bool) {
	var none T
	rows, ok := ctx.Value(prereadKey{}).(*preread)
	if !ok {
		return none, false
	}
	held := slot(rows)
	if row := held.Load(); row != nil && wanted(*row) && held.CompareAndSwap(row, nil) {
		return *row, true
	}
	return none, false
}
