package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/migrations"
)

// Failed queries are logged without their values, and expected unique violations not at all.
func TestQueryLogKeepsValuesOut(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	sqlDB, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Up(ctx, sqlDB, migrations.SQLite, nil); err != nil {
		t.Fatal(err)
	}

	const secret = "hunter2-secret-value"
	if err := st.DB().Exec("SELECT * FROM no_such_table WHERE x = ?", secret).Error; err == nil {
		t.Fatal("query on a missing table succeeded")
	}
	if !strings.Contains(logs.String(), "no_such_table") {
		t.Fatalf("a failed query must be logged; log:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), secret) {
		t.Fatalf("query values reached the log:\n%s", logs.String())
	}

	logs.Reset()
	org := model.Organisation{ID: model.NewID(), Slug: "acme", Name: secret}
	if err := st.DB().Create(&org).Error; err != nil {
		t.Fatal(err)
	}
	org.ID = model.NewID()
	if err := st.DB().Create(&org).Error; err == nil {
		t.Fatal("duplicate slug accepted")
	}
	if logs.Len() != 0 {
		t.Fatalf("an expected unique violation was logged:\n%s", logs.String())
	}
}
