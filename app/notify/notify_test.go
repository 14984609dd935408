package notify_test

import (
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/notify"
)

func TestNextDigest(t *testing.T) {
	t.Parallel()
	day := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, time.UTC) }
	paris := time.FixedZone("CET", 3600)
	for _, c := range []struct{ now, want time.Time }{
		{day(6, 0, 0), day(6, 7, 0)},
		{day(6, 6, 59), day(6, 7, 0)},
		{day(6, 7, 0), day(7, 7, 0)},
		{day(6, 23, 59), day(7, 7, 0)},
		{time.Date(2026, 12, 31, 8, 0, 0, 0, paris), time.Date(2027, 1, 1, 7, 0, 0, 0, time.UTC)},
	} {
		if got := notify.NextDigest(c.now); !got.Equal(c.want) {
			t.Errorf("NextDigest(%s) = %s, want %s", c.now, got, c.want)
		}
	}
}

func TestModeOf(t *testing.T) {
	t.Parallel()
	withEmail := model.StaffAccount{Email: "mod@acme.test"}
	for _, c := range []struct {
		setting model.NotificationMode
		account model.StaffAccount
		want    model.NotificationMode
	}{
		{"", withEmail, model.NotifyImmediately},
		{model.NotifyDigest, withEmail, model.NotifyDigest},
		{model.NotifyOff, withEmail, model.NotifyOff},
		{"", model.StaffAccount{}, model.NotifyOff},
		{model.NotifyImmediately, model.StaffAccount{}, model.NotifyOff},
	} {
		if got := notify.ModeOf(model.StaffNotificationSetting{Mode: c.setting}, c.account); got != c.want {
			t.Errorf("ModeOf(%q, %q) = %q, want %q", c.setting, c.account.Email, got, c.want)
		}
	}
}

// A nil notifier (e-mail off) tells nobody and fails nothing.
func TestNilNotifierDoesNothing(t *testing.T) {
	t.Parallel()
	var n *notify.Notifier
	if err := n.SupportConversationOpened(t.Context(), nil, "g", "c"); err != nil {
		t.Error(err)
	}
	if err := n.ReportFiled(t.Context(), nil, model.Report{}); err != nil {
		t.Error(err)
	}
	if err := n.PostHeld(t.Context(), nil, model.Group{}, model.Post{}); err != nil {
		t.Error(err)
	}
	if err := n.SendDigest(t.Context(), "s"); err != nil {
		t.Error(err)
	}
}
