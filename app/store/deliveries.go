package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// deliveryBatch is how many rows one INSERT writes: large enough to make a 10,000-follower fan-out a
// few statements, small enough to stay under both engines' limits on bound parameters.
const deliveryBatch = 500

// InboxTarget is one inbox a fan-out delivers to, with its host for the circuit breaker.
type InboxTarget struct {
	URL  string
	Host string
	// Software is what the host's NodeInfo says it runs ('' when unknown): it decides the shape of a
	// group's Announces to it. Only FollowerInboxes fills it.
	Software string
}

// CreateOutboundActivity stores an activity to be sent, serialized once.
func (s *Store) CreateOutboundActivity(ctx context.Context, activity model.OutboundActivity) (model.OutboundActivity, error) {
	stored, err := s.CreateOutboundActivities(ctx, []model.OutboundActivity{activity})
	if err != nil {
		return model.OutboundActivity{}, err
	}
	return stored[0], nil
}

// CreateOutboundActivities stores activities to send in one statement, each with a new id.
func (s *Store) CreateOutboundActivities(ctx context.Context, activities []model.OutboundActivity) ([]model.OutboundActivity, error) {
	now := s.now()
	for i := range activities {
		activities[i].ID, activities[i].CreatedAt = model.NewID(), now
	}
	if err := s.conn(deferWrite(ctx)).Create(&activities).Error; err != nil {
		return nil, fmt.Errorf("store %d outbound activities, the first %s: %w", len(activities), activities[0].ActivityIRI, classify(err))
	}
	return activities, nil
}

// FollowerInboxes lists where a group's accepted followers receive activities: one entry per
// distinct shared inbox, or per inbox for followers whose server has none, so each server gets each
// activity once (as Mastodon plans deliveries). It reads no table a fan-out writes, so it goes ahead
// of the transaction's deferred writes (a post's insert) and leaves them for the next statement.
func (s *Store) FollowerInboxes(ctx context.Context, groupID string) ([]InboxTarget, error) {
	var targets []InboxTarget
	err := scan(s.conn(readBeforeDeferred(ctx)).Table("follows").
		Select(`DISTINCT COALESCE(NULLIF(remote_actors.shared_inbox_url, ''), remote_actors.inbox_url) AS url,
			remote_actors.host AS host, COALESCE(remote_hosts.software, '') AS software`).
		Joins("JOIN remote_actors ON remote_actors.id = follows.remote_actor_id").
		Joins("LEFT JOIN remote_hosts ON remote_hosts.host = remote_actors.host").
		Where("follows.group_id = ? AND follows.state = ? AND remote_actors.gone_at IS NULL", groupID, model.FollowAccepted).
		Order("url"), &targets)
	if err != nil {
		return nil, fmt.Errorf("list follower inboxes of group %s: %w", groupID, err)
	}
	return targets, nil
}

// PlannedDeliveries are the inboxes one stored outbound activity goes to.
type PlannedDeliveries struct {
	ActivityID string
	Targets    []InboxTarget
}

// CreateDeliveries writes one pending delivery of the activity per target, in batches.
func (s *Store) CreateDeliveries(ctx context.Context, activityID string, targets []InboxTarget) ([]model.Delivery, error) {
	perPlan, err := s.CreatePlannedDeliveries(ctx, []PlannedDeliveries{{ActivityID: activityID, Targets: targets}})
	if err != nil {
		return nil, err
	}
	return perPlan[0], nil
}

// CreatePlannedDeliveries writes one pending delivery per target of each plan, in batched inserts
// across the plans, and returns them per plan.
func (s *Store) CreatePlannedDeliveries(ctx context.Context, plans []PlannedDeliveries) ([][]model.Delivery, error) {
	now := s.now()
	var rows []model.Delivery
	for _, plan := range plans {
		for _, t := range plan.Targets {
			rows = append(rows, model.Delivery{ID: model.NewID(), OutboundActivityID: plan.ActivityID, InboxURL: t.URL, Host: t.Host,
				State: model.DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now})
		}
	}
	if len(rows) > 0 {
		if err := s.conn(deferWrite(ctx)).CreateInBatches(rows, deliveryBatch).Error; err != nil {
			return nil, fmt.Errorf("create %d deliveries of %d activities: %w", len(rows), len(plans), classify(err))
		}
	}
	perPlan := make([][]model.Delivery, len(plans))
	for i, plan := range plans {
		perPlan[i], rows = rows[:len(plan.Targets)], rows[len(plan.Targets):]
	}
	return perPlan, nil
}

// DeliveryByID loads a delivery.
func (s *Store) DeliveryByID(ctx context.Context, id string) (model.Delivery, error) {
	var row model.Delivery
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return model.Delivery{}, fmt.Errorf("find delivery %s: %w", id, classify(err))
	}
	return row, nil
}

// OutboundActivityByID loads an activity to send.
func (s *Store) OutboundActivityByID(ctx context.Context, id string) (model.OutboundActivity, error) {
	var row model.OutboundActivity
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return model.OutboundActivity{}, fmt.Errorf("find outbound activity %s: %w", id, classify(err))
	}
	return row, nil
}

// DeliveryOutcome is the result of one attempt.
type DeliveryOutcome struct {
	State         model.DeliveryState // pending while retries remain
	Status        int
	Error         string
	NextAttemptAt time.Time // for pending
}

// RecordDeliveryAttempt counts an attempt and stores its outcome, and adds it to its group's
// deliveries of the day in the same transaction.
func (s *Store) RecordDeliveryAttempt(ctx context.Context, id string, outcome DeliveryOutcome) error {
	if !s.InTransaction() {
		return s.Transaction(ctx, func(tx *Store) error { return tx.RecordDeliveryAttempt(ctx, id, outcome) })
	}
	failed := outcome.State == model.DeliveryFailed || outcome.State == model.DeliveryAbandoned
	if err := s.countDeliveriesSettled(ctx, []string{id}, outcome.State == model.DeliveryDelivered, failed); err != nil {
		return err
	}
	now := s.now()
	updates := map[string]any{
		"state": outcome.State, "attempts": gorm.Expr("attempts + 1"), "last_status": outcome.Status,
		"last_error": truncate(outcome.Error, 2000), "updated_at": now,
	}
	if outcome.State == model.DeliveryDelivered {
		updates["delivered_at"] = now
	}
	if !outcome.NextAttemptAt.IsZero() {
		updates["next_attempt_at"] = dbTime(outcome.NextAttemptAt)
	}
	if err := s.conn(ctx).Model(&model.Delivery{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("record attempt of delivery %s: %w", id, err)
	}
	return nil
}

// DeliveryCounts tallies an activity's deliveries by state.
func (s *Store) DeliveryCounts(ctx context.Context, activityID string) (map[model.DeliveryState]int, error) {
	var rows []struct {
		State model.DeliveryState
		N     int
	}
	err := scan(s.conn(ctx).Model(&model.Delivery{}).Select("state, COUNT(*) AS n").
		Where("outbound_activity_id = ?", activityID).Group("state"), &rows)
	if err != nil {
		return nil, fmt.Errorf("count deliveries of %s: %w", activityID, err)
	}
	counts := map[model.DeliveryState]int{}
	for _, r := range rows {
		counts[r.State] = r.N
	}
	return counts, nil
}

// PendingDeliveries loads the deliveries among ids that are still pending.
func (s *Store) PendingDeliveries(ctx context.Context, ids []string) ([]model.Delivery, error) {
	var rows []model.Delivery
	err := s.conn(ctx).Where("id IN ? AND state = ?", ids, model.DeliveryPending).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load %d deliveries: %w", len(ids), err)
	}
	return rows, nil
}

// MarkDelivered settles many deliveries that the inboxes accepted with status, in one statement, and
// adds them to their groups' deliveries of the day with one more, in the same transaction.
func (s *Store) MarkDelivered(ctx context.Context, ids []string, status int) error {
	if !s.InTransaction() {
		return s.Transaction(ctx, func(tx *Store) error { return tx.MarkDelivered(ctx, ids, status) })
	}
	if err := s.countDeliveriesSettled(ctx, ids, true, false); err != nil {
		return err
	}
	now := s.now()
	err := s.conn(ctx).Model(&model.Delivery{}).Where("id IN ?", ids).Updates(map[string]any{
		"state": model.DeliveryDelivered, "attempts": gorm.Expr("attempts + 1"), "last_status": status,
		"last_error": "", "delivered_at": now, "updated_at": now,
	}).Error
	if err != nil {
		return fmt.Errorf("mark %d deliveries delivered: %w", len(ids), err)
	}
	return nil
}
