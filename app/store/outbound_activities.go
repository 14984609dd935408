package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/kring-social/kring/app/model"
)

// OutboundActivityByIRI loads an activity Kring sent by its id, so the id resolves when a server
// dereferences it (Mastodon does for an Announce it did not get, and to verify one it did).
func (s *Store) OutboundActivityByIRI(ctx context.Context, iri string) (model.OutboundActivity, error) {
	var row model.OutboundActivity
	if err := s.conn(ctx).Where("activity_iri = ?", iri).Take(&row).Error; err != nil {
		return model.OutboundActivity{}, fmt.Errorf("find outbound activity %s: %w", iri, classify(err))
	}
	return row, nil
}

// OutboundActivitiesByIRI loads the activities among iris in one query, keyed by id; ids Kring never
// stored are simply absent. A group's outbox embeds a page of them at once.
func (s *Store) OutboundActivitiesByIRI(ctx context.Context, iris []string) (map[string]model.OutboundActivity, error) {
	found := make(map[string]model.OutboundActivity, len(iris))
	if len(iris) == 0 {
		return found, nil
	}
	var rows []model.OutboundActivity
	if err := s.conn(ctx).Where("activity_iri IN ?", iris).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load %d outbound activities: %w", len(iris), err)
	}
	for _, row := range rows {
		found[row.ActivityIRI] = row
	}
	return found, nil
}

// ActivityUndone reports whether the group has sent an Undo of the activity iri (a moderator's
// removal undoes the group's Announce). Undos are few per group, so reading their bodies for the id
// is cheap; it spares every activity a column only Announces would use.
func (s *Store) ActivityUndone(ctx context.Context, groupID, iri string) (bool, error) {
	quoted := `%"` + likeEscaper.Replace(iri) + `"%`
	var n int64
	err := s.conn(ctx).Model(&model.OutboundActivity{}).
		Where(`group_id = ? AND activity_type = 'Undo' AND body LIKE ? ESCAPE '\'`, groupID, quoted).Limit(1).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("look for an Undo of %s: %w", iri, err)
	}
	return n > 0, nil
}

// likeEscaper makes a string match itself in a LIKE pattern with ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
