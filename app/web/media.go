package web

import (
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/refusal"
)

// MountMedia serves the pictures Kring made of uploads (groups' avatars and headers) from dir at
// /media/<name>, publicly: other servers fetch them from the group's actor document. Only names
// Kring gives are looked up, so a URL never reaches outside dir. A picture never changes under its
// name (a new one gets a new name), so caches may keep it for a year.
func MountMedia(router gin.IRouter, dir string, logger *slog.Logger) {
	serve := func(c *gin.Context) { serveMedia(c, dir, logger) }
	router.GET(groups.MediaURLPath+":name", serve)
	router.HEAD(groups.MediaURLPath+":name", serve)
}

func serveMedia(c *gin.Context, dir string, logger *slog.Logger) {
	name := c.Param("name")
	mediaType := groups.MediaType(name)
	if mediaType == "" {
		refusal.Refuse(c, http.StatusNotFound, "no such picture")
		return
	}
	file, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		refusal.Refuse(c, http.StatusNotFound, "no such picture")
		return
	}
	if err != nil {
		logger.ErrorContext(c.Request.Context(), "open picture", "name", name, "error", err)
		refusal.Respond(c, http.StatusInternalServerError, "internal error")
		return
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		logger.ErrorContext(c.Request.Context(), "read picture", "name", name, "error", err)
		refusal.Respond(c, http.StatusInternalServerError, "internal error")
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", mediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	// Opened on its own, a picture runs nothing; the sandbox says so even to a browser that guesses.
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Access-Control-Allow-Origin", "*") // web clients of other servers show it
	http.ServeContent(c.Writer, c.Request, name, info.ModTime(), file)
}
