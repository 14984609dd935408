// Package notify tells staff by e-mail what needs them: a new report about a group they may
// moderate, a post held in a group's queue, a new support conversation. Each staff member chooses
// off, immediately (one e-mail per event) or a daily digest at 07:00 UTC; without a choice she is
// told immediately. Every e-mail is queued (app/mail) inside the transaction of the event that
// causes it, and links straight to the admin page of what happened, built from the public URL. It
// also writes the password reset e-mail the sessions service asks for.
//
// A nil *Notifier (e-mail off) does nothing and returns no error, so callers need not check.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/mail"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
)

// DigestHour is the hour (UTC) of the daily digest.
const DigestHour = 7

// maxExcerpt bounds the part of a report's reason an e-mail quotes, in characters.
const maxExcerpt = 300

// Notifier queues staff's notification e-mails.
type Notifier struct {
	store *store.Store
	base  string // scheme://host of the public URL, no trailing slash
	now   func() time.Time
}

// New returns a Notifier whose links start at publicURL (KRING_PUBLIC_URL).
func New(st *store.Store, publicURL *url.URL) *Notifier {
	base := strings.TrimSuffix((&url.URL{Scheme: publicURL.Scheme, Host: publicURL.Host, Path: publicURL.Path}).String(), "/")
	return &Notifier{store: st, base: base, now: time.Now}
}

// WithClock returns the notifier reading the time from now (tests).
func (n *Notifier) WithClock(now func() time.Time) *Notifier {
	c := *n
	c.now = now
	return &c
}

// Link is the absolute URL of an admin path such as /admin/reports/ID.
func (n *Notifier) Link(path string) string { return n.base + path }

// NextDigest is the time of the first digest after now: 07:00 UTC today if still to come, else
// tomorrow.
func NextDigest(now time.Time) time.Time {
	now = now.UTC()
	at := time.Date(now.Year(), now.Month(), now.Day(), DigestHour, 0, 0, 0, time.UTC)
	if !at.After(now) {
		at = at.AddDate(0, 0, 1)
	}
	return at
}

// ModeOf is the mode a staff member gets: her choice, else immediately when she has an e-mail
// address.
func ModeOf(setting model.StaffNotificationSetting, account model.StaffAccount) model.NotificationMode {
	if account.Email == "" {
		return model.NotifyOff
	}
	if setting.Mode == "" {
		return model.NotifyImmediately
	}
	return setting.Mode
}

// ParseMode reads a mode from a form.
func ParseMode(value string) (model.NotificationMode, error) {
	for _, mode := range model.NotificationModes() {
		if string(mode) == value {
			return mode, nil
		}
	}
	return "", apperror.Invalid("mode", "must be off, immediately or digest")
}

// event is one thing to tell the staff of a group.
type event struct {
	group   model.Group
	exclude string // the staff member who caused it, told nothing
	subject string
	text    string // the e-mail's opening paragraph
	summary string // its line in a digest
	link    string
}

// tell sends ev to every staff member who may moderate its group, each in her mode.
func (n *Notifier) tell(ctx context.Context, tx *store.Store, ev event) error {
	staff, err := tx.StaffWhoModerate(ctx, ev.group)
	if err != nil {
		return err
	}
	return n.tellStaff(ctx, tx, staff, ev)
}

// tellStaff sends ev to each of staff but the one who caused it, each in her mode.
func (n *Notifier) tellStaff(ctx context.Context, tx *store.Store, staff []model.StaffAccount, ev event) error {
	ids := make([]string, len(staff))
	for i, account := range staff {
		ids[i] = account.ID
	}
	settings, err := tx.NotificationSettings(ctx, ids)
	if err != nil {
		return err
	}
	now := n.now()
	for _, account := range staff {
		if account.ID == ev.exclude {
			continue
		}
		switch ModeOf(settings[account.ID], account) {
		case model.NotifyImmediately:
			body := ev.text + "\n\nOpen it: " + ev.link + "\n" + n.footer(ev.group)
			if err := mail.Queue(ctx, tx, mail.Message{To: account.Email, Subject: ev.subject, Text: body}); err != nil {
				return err
			}
		case model.NotifyDigest:
			if err := tx.AddDigestItem(ctx, account.ID, ev.summary, ev.link); err != nil {
				return err
			}
			due := NextDigest(now)
			schedule, err := tx.ScheduleDigest(ctx, account.ID, due, now)
			if err != nil {
				return err
			}
			if schedule {
				if _, err := tx.RecordTask(ctx, tasks.NewStaffDigestTask(account.ID, due)); err != nil {
					return fmt.Errorf("schedule digest of %s: %w", account.ID, err)
				}
			}
		}
	}
	return nil
}

func (n *Notifier) footer(group model.Group) string {
	return fmt.Sprintf("\n-- \nYou receive this because you may moderate %s. Choose how Kring e-mails you: %s\n",
		group.Name, n.Link("/admin/account/notifications"))
}

// ReportFiled tells the staff who may moderate the report's group about a new report, inside the
// transaction that files it; the staff member who filed it is not told. Reports about no group are
// left to the organisation's report queue.
func (n *Notifier) ReportFiled(ctx context.Context, tx *store.Store, report model.Report) error {
	if n == nil || report.GroupID == nil {
		return nil
	}
	group, err := tx.GroupByID(ctx, *report.GroupID)
	if err != nil {
		return err
	}
	exclude := ""
	if report.ReporterStaffID != nil {
		exclude = *report.ReporterStaffID
	}
	text := fmt.Sprintf("A new report about %s waits for a moderator.", group.Name)
	if reason := excerpt(report.Content); reason != "" {
		text += "\n\nReason given:\n" + reason
	}
	return n.tell(ctx, tx, event{group: group, exclude: exclude,
		subject: fmt.Sprintf("[Kring] New report in %s", group.Name), text: text,
		summary: fmt.Sprintf("New report in %s", group.Name), link: n.Link("/admin/reports/" + report.ID)})
}

// PostHeld tells the staff who may moderate a group that a post waits in its queue, inside the
// transaction that holds it.
func (n *Notifier) PostHeld(ctx context.Context, tx *store.Store, group model.Group, post model.Post) error {
	if n == nil {
		return nil
	}
	return n.tell(ctx, tx, event{group: group,
		subject: fmt.Sprintf("[Kring] A post waits for approval in %s", group.Name),
		text:    fmt.Sprintf("A post in %s waits in the group's queue for a moderator to approve or decline it.", group.Name),
		summary: fmt.Sprintf("Post waiting for approval in %s", group.Name),
		link:    n.Link("/admin/groups/" + url.PathEscape(group.Slug) + "/queue")})
}

// SupportConversationOpened tells the staff who may moderate a group that a member opened a support
// conversation, inside the transaction that opens it (community's StaffNotifier).
func (n *Notifier) SupportConversationOpened(ctx context.Context, tx *store.Store, groupID, conversationID string) error {
	if n == nil {
		return nil
	}
	group, err := tx.GroupByID(ctx, groupID)
	if err != nil {
		return err
	}
	return n.tell(ctx, tx, event{group: group,
		subject: fmt.Sprintf("[Kring] New support conversation in %s", group.Name),
		text:    fmt.Sprintf("A member wrote to %s: a new support conversation waits for an answer.", group.Name),
		summary: fmt.Sprintf("New support conversation in %s", group.Name),
		link:    n.Link("/admin/groups/" + url.PathEscape(group.Slug) + "/support/" + url.PathEscape(conversationID))})
}

// PasswordResetRequested queues the e-mail with a password reset link for account, inside tx
// (sessions' ResetMailer). The token is in the message only, which is deleted once sent.
func (n *Notifier) PasswordResetRequested(ctx context.Context, tx *store.Store, account model.StaffAccount, token string, valid time.Duration) error {
	if n == nil {
		return errors.New("e-mail is not set up")
	}
	text := fmt.Sprintf("Someone (we hope you) asked to reset the password of your Kring account %s.\n\n"+
		"Choose a new password here within %s; the link works once:\n%s\n\n"+
		"If you did not ask for this, ignore this e-mail: your password stays as it is.\n",
		account.Email, valid, n.Link("/admin/password-reset/new?token="+url.QueryEscape(token)))
	return mail.Queue(ctx, tx, mail.Message{To: account.Email, Subject: "[Kring] Reset your password", Text: text})
}

// SendDigest sends a staff member the events gathered for her digest, in one e-mail, and forgets
// them: the worker's handler of the digest task. Nothing waiting, nothing sent.
func (n *Notifier) SendDigest(ctx context.Context, accountID string) error {
	if n == nil {
		return nil
	}
	now := n.now()
	return n.store.Transaction(ctx, func(tx *store.Store) error {
		if err := tx.ClearDigestDue(ctx, accountID, now); err != nil {
			return err
		}
		items, err := tx.TakeDigestItems(ctx, accountID)
		if err != nil || len(items) == 0 {
			return err
		}
		account, err := tx.StaffAccountByID(ctx, accountID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if account.DisabledAt != nil || account.Email == "" {
			return nil // the items go unsent
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Here is what needed you since your last Kring digest (%d):\n\n", len(items))
		for _, item := range items {
			fmt.Fprintf(&b, "- %s (%s)\n  %s\n\n", item.Summary, item.CreatedAt.UTC().Format("2 Jan 15:04 UTC"), item.Link)
		}
		fmt.Fprintf(&b, "-- \nYou receive one digest a day because you chose it. Choose how Kring e-mails you: %s\n",
			n.Link("/admin/account/notifications"))
		subject := fmt.Sprintf("[Kring] Daily digest: %d new", len(items))
		return mail.Queue(ctx, tx, mail.Message{To: account.Email, Subject: subject, Text: b.String()})
	})
}

// excerpt is the start of a text, for an e-mail.
func excerpt(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= maxExcerpt {
		return s
	}
	r := []rune(s)
	return string(r[:maxExcerpt]) + "…"
}
