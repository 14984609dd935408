package e2e

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium, which scripts/test installs.
const chromiumPath = "/usr/bin/chromium"

// stepTimeout bounds one browser step: a page load or a form's round trip on loopback.
const stepTimeout = 30 * time.Second

// browser is one headless Chromium tab on Kring's base URL.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// startBrowser starts a fresh headless Chromium (its own profile, nothing from earlier runs), closed
// when the test ends, and returns a function that waits until it runs and gives a tab on Kring's base
// URL, so the test can prepare Kring meanwhile.
func startBrowser(t *testing.T) (ready func(base string) *browser) {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		t.Fatalf("headless Chromium is needed at %s: run ./scripts/test, or on Debian: apt-get install -y chromium (%v)", chromiumPath, err)
	}
	// The background-networking flags keep Chromium from calling home: this machine's network is
	// closed, and its connection attempts would only slow the start and clutter the log.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// The first run starts the browser and ties its life to the context it is given: that must be
	// the tab's own context, not a step's, whose end would close the browser.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	return func(base string) *browser {
		t.Helper()
		if err := <-started; err != nil {
			t.Fatalf("start Chromium (%s): %v", chromiumPath, err)
		}
		return &browser{t: t, ctx: ctx, base: base}
	}
}

// step runs fn with a context bounded by stepTimeout.
func (b *browser) step(fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	return fn(ctx)
}

// open loads an admin path and fails unless Kring answers 200.
func (b *browser) open(path string) {
	b.t.Helper()
	b.openExpecting(path, http.StatusOK)
}

// openExpecting is open for a page Kring answers with another status, such as a refused one.
func (b *browser) openExpecting(path string, status int) {
	b.t.Helper()
	b.load("open "+path, status, chromedp.Navigate(b.base+path))
}

// submit fills a form's fields (selector -> text; CSS or XPath), clicks the button and waits for the page the
// answer leads to (after Kring's redirect), failing unless it is a 200.
func (b *browser) submit(fields map[string]string, button string) {
	b.t.Helper()
	b.submitExpecting(http.StatusOK, fields, button)
}

// submitExpecting is submit for a form Kring answers with another status, such as a refused login.
func (b *browser) submitExpecting(status int, fields map[string]string, button string) {
	b.t.Helper()
	b.fill(fields)
	b.load("submit "+button, status, chromedp.Click(button))
}

// fill types into a form's fields (selector -> text; CSS or XPath) without sending it.
func (b *browser) fill(fields map[string]string) {
	b.t.Helper()
	for selector, text := range fields {
		if err := b.step(func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.SetValue(selector, text)) }); err != nil {
			b.t.Fatalf("fill %s on %s: %v", selector, b.location(), err)
		}
	}
}

// click clicks a link or a button that leads to another page, and waits for it like submit.
func (b *browser) click(selector string) {
	b.t.Helper()
	b.submit(nil, selector)
}

// tick clicks a checkbox of the page, which loads nothing.
func (b *browser) tick(selector string) {
	b.t.Helper()
	if err := b.step(func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Click(selector)) }); err != nil {
		b.t.Fatalf("tick %s on %s: %v", selector, b.location(), err)
	}
}

// upload chooses a file for a form's file field, as the file dialog would.
func (b *browser) upload(selector, path string) {
	b.t.Helper()
	err := b.step(func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.SetUploadFiles(selector, []string{path}, chromedp.NodeReady))
	})
	if err != nil {
		b.t.Fatalf("choose %s for %s on %s: %v", path, selector, b.location(), err)
	}
}

// load runs steps that navigate and checks the status of the document they lead to.
func (b *browser) load(what string, status int, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	err := b.step(func(ctx context.Context) error {
		resp, err := chromedp.RunResponse(ctx, steps...)
		if err == nil && resp.Status != int64(status) {
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			b.t.Fatalf("%s: Kring answered %d %s at %s, want %d:\n%s", what, resp.Status, resp.StatusText, resp.URL, status, body)
		}
		return err
	})
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// text is the visible text of the first element a selector finds (CSS, XPath or plain text).
func (b *browser) text(selector string) string {
	b.t.Helper()
	var text string
	err := b.step(func(ctx context.Context) (err error) {
		text, err = chromedp.Run(ctx, chromedp.Text(selector))
		return err
	})
	if err != nil {
		b.t.Fatalf("read %s on %s: %v", selector, b.location(), err)
	}
	return text
}

// expectValue fails unless the form field's value contains want: a textarea's text is its value,
// not its inner text.
func (b *browser) expectValue(selector, want string) {
	b.t.Helper()
	var value string
	err := b.step(func(ctx context.Context) (err error) {
		value, err = chromedp.Run(ctx, chromedp.Value(selector))
		return err
	})
	if err != nil {
		b.t.Fatalf("read the value of %s on %s: %v", selector, b.location(), err)
	}
	if !strings.Contains(value, want) {
		b.t.Fatalf("%s on %s holds %q, want it to contain %q", selector, b.location(), value, want)
	}
}

// attribute is the value of an element's attribute, such as a link's href.
func (b *browser) attribute(selector, name string) string {
	b.t.Helper()
	var got chromedp.AttributeResult
	err := b.step(func(ctx context.Context) (err error) {
		got, err = chromedp.Run(ctx, chromedp.AttributeValue(selector, name))
		return err
	})
	if err != nil || !got.Exists {
		b.t.Fatalf("%s on %s has no %s: %v", selector, b.location(), name, err)
	}
	return got.Value
}

// expect fails unless the element's text contains every one of wants.
func (b *browser) expect(selector string, wants ...string) {
	b.t.Helper()
	got := b.text(selector)
	for _, want := range wants {
		if !strings.Contains(got, want) {
			b.t.Fatalf("%s on %s shows %q, want it to contain %q", selector, b.location(), got, want)
		}
	}
}

// awaitText reloads an admin path until the element shows want: what arrives from another server
// is processed by the worker a moment after it is accepted.
func (b *browser) awaitText(path, selector, want string) {
	b.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		b.open(path)
		got := b.text(selector)
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s did not show %q within 30 s; it shows:\n%s", path, want, got)
		}
	}
}

// expectFact fails unless the value next to a label (a <dt> and its <dd>) is want.
func (b *browser) expectFact(label, want string) {
	b.t.Helper()
	if got := strings.TrimSpace(b.text(fact(label))); got != want {
		b.t.Fatalf("%s on %s is %q, want %q", label, b.location(), got, want)
	}
}

// fact selects the value next to a label: a <dt> and its <dd>.
func fact(label string) string {
	return `//dt[normalize-space()="` + label + `"]/following-sibling::dd[1]`
}

// location is the address the tab shows.
func (b *browser) location() string {
	var url string
	_ = b.step(func(ctx context.Context) (err error) {
		url, err = chromedp.Run(ctx, chromedp.Location())
		return err
	})
	return url
}

// path is the path (and query) of the page the browser shows, for open and awaitText.
func (b *browser) path() string {
	b.t.Helper()
	at, err := url.Parse(b.location())
	if err != nil {
		b.t.Fatal(err)
	}
	return at.RequestURI()
}

// screenshotAsPhone reloads the page in a phone's width (390 CSS pixels, where the admin's tables
// turn into stacked rows), saves it like screenshot, and goes back to the desktop width.
func (b *browser) screenshotAsPhone(name string) {
	b.t.Helper()
	if err := b.step(func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload())
	}); err != nil {
		b.t.Fatalf("phone width: %v", err)
	}
	b.screenshot(name)
	// chromedp's ResetViewport leaves the phone's width in place; clearing the override does not.
	if err := b.step(func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		return err
	}); err != nil {
		b.t.Fatalf("desktop width: %v", err)
	}
}

// screenshot saves the whole page as screenshots/<name>.png and logs its path.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	var png []byte
	err := b.step(func(ctx context.Context) (err error) {
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 = PNG
		return err
	})
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir, err := filepath.Abs("screenshots")
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}
