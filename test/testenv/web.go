package testenv

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/federation"
)

// ServedEngine is Kring's web engine served over real HTTP on loopback, with the IRIs of its
// address: tests and benchmarks mount the routes under test on Engine and talk to Server.
type ServedEngine struct {
	Engine *gin.Engine
	Server *httptest.Server
	IRIs   federation.IRIs
}

// ServeEngine builds the engine from opts (a logger that discards everything when opts has none),
// with gin in test mode, and serves it until the test ends.
func ServeEngine(t testing.TB, opts web.Options) ServedEngine {
	t.Helper()
	gin.SetMode(gin.TestMode)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	engine, err := web.NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(engine)
	t.Cleanup(server.Close)
	public, err := url.Parse(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	return ServedEngine{Engine: engine, Server: server, IRIs: federation.NewIRIs(public)}
}
