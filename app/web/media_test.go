package web

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestServeMedia: a stored picture is served with its type, nosniff and a year's cache; names Kring
// does not give, and pictures that are gone, are 404 without touching the disk outside the folder.
func TestServeMedia(t *testing.T) {
	var logs bytes.Buffer
	engine := newTestEngine(t, &logs)
	root := t.TempDir()
	dir := filepath.Join(root, "media")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	const name = "0123456789abcdef0123456789abcdef.png"
	if err := os.WriteFile(filepath.Join(dir, name), []byte("\x89PNG\r\n\x1a\nnot really"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "secret.png"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	MountMedia(engine, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))

	rec := serve(engine, httptest.NewRequest(http.MethodGet, "/media/"+name, nil))
	h := rec.Header()
	if rec.Code != http.StatusOK || h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Cache-Control") != "public, max-age=31536000, immutable" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("\x89PNG")) {
		t.Errorf("GET: %d %v", rec.Code, h)
	}
	if rec := serve(engine, httptest.NewRequest(http.MethodHead, "/media/"+name, nil)); rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
		t.Errorf("HEAD: %d %v", rec.Code, rec.Header())
	}
	for _, path := range []string{
		"/media/fedcba9876543210fedcba9876543210.jpg", // a name Kring could give, no such file
		"/media/..%2Fsecret.png",
		"/media/secret.png",
		"/media/0123456789ABCDEF0123456789ABCDEF.png",
		"/media/0123456789abcdef0123456789abcdef.svg",
	} {
		if rec := serve(engine, httptest.NewRequest(http.MethodGet, path, nil)); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
	}
}
