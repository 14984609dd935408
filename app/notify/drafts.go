package notify

import (
	"context"
	"fmt"
	"net/url"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// DraftSubmitted tells the staff who may approve a draft (those who may moderate every one of its
// groups, its author aside) that it waits for their review, inside the transaction that submits it
// (the drafts service's ReviewNotifier).
func (n *Notifier) DraftSubmitted(ctx context.Context, tx *store.Store, draft model.PostDraft, groupIDs []string) error {
	if n == nil || len(groupIDs) == 0 {
		return nil
	}
	var first model.Group
	counts := map[string]int{}
	accounts := map[string]model.StaffAccount{}
	for i, id := range groupIDs {
		group, err := tx.GroupByID(ctx, id)
		if err != nil {
			return err
		}
		if i == 0 {
			first = group
		}
		staff, err := tx.StaffWhoModerate(ctx, group)
		if err != nil {
			return err
		}
		for _, account := range staff {
			counts[account.ID]++
			accounts[account.ID] = account
		}
	}
	var reviewers []model.StaffAccount
	for id, n := range counts {
		if n == len(groupIDs) {
			reviewers = append(reviewers, accounts[id])
		}
	}
	exclude := ""
	if draft.AuthorStaffID != nil {
		exclude = *draft.AuthorStaffID
	}
	where := first.Name
	if len(groupIDs) > 1 {
		where = fmt.Sprintf("%s and %d other groups", first.Name, len(groupIDs)-1)
	}
	return n.tellStaff(ctx, tx, reviewers, event{group: first, exclude: exclude,
		subject: fmt.Sprintf("[Kring] A post for %s waits for your review", where),
		text:    fmt.Sprintf("A post written for %s waits for a second staff member's approval before it goes out.", where),
		summary: fmt.Sprintf("Post for %s waiting for review", where),
		link:    n.Link("/admin/drafts/" + url.PathEscape(draft.ID))})
}
