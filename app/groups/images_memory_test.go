package groups

import (
	"bytes"
	"context"
	"errors"
	"image"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memoryUse is what processing one upload cost: the peak of the heap in use above where it stood
// before, sampled every millisecond, all it allocated, and the growth of the process's peak
// resident size (Linux only, 0 elsewhere).
type memoryUse struct {
	peakHeap, allocated, peakRSS uint64
}

func (m memoryUse) String() string {
	return "peak heap +" + mib(m.peakHeap) + ", allocated " + mib(m.allocated) + ", peak RSS +" + mib(m.peakRSS)
}

func mib(n uint64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB" }

// measure runs fn alone (the collector run and the freed memory given back first) and reports what
// it cost.
func measure(fn func()) memoryUse {
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	rssBefore := peakRSS()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	peak.Store(before.HeapInuse)
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		var now runtime.MemStats
		for {
			runtime.ReadMemStats(&now)
			if now.HeapInuse > peak.Load() {
				peak.Store(now.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	fn()
	close(stop)
	sampler.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.HeapInuse > peak.Load() {
		peak.Store(after.HeapInuse)
	}
	use := memoryUse{peakHeap: peak.Load() - before.HeapInuse, allocated: after.TotalAlloc - before.TotalAlloc}
	if rss := peakRSS(); rss > rssBefore {
		use.peakRSS = rss - rssBefore
	}
	return use
}

// resetPeakRSS makes the kernel forget the process's peak resident size (Linux 4.0 and later).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident size in bytes, 0 where /proc does not say.
func peakRSS() uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// worstUploads are, per format, the layouts whose decoding takes the most memory a pixel.
var worstUploads = []struct {
	name   string
	upload func(t testing.TB, w, h int) []byte
}{
	{"PNG, 8-bit RGBA", func(t testing.TB, w, h int) []byte { return blankPNG(t, w, h, 8, false) }},
	{"PNG, 16-bit RGBA", func(t testing.TB, w, h int) []byte { return blankPNG(t, w, h, 16, false) }},
	{"PNG, 16-bit RGBA, interlaced", func(t testing.TB, w, h int) []byte { return blankPNG(t, w, h, 16, true) }},
	{"JPEG, baseline 4:2:0", baselineJPEG},
	{"JPEG, baseline RGB", func(_ testing.TB, w, h int) []byte { return rawJPEG(w, h, 3, false) }},
	{"JPEG, progressive 4:4:4", func(_ testing.TB, w, h int) []byte { return rawJPEG(w, h, 3, true) }},
	{"JPEG, progressive CMYK", func(_ testing.TB, w, h int) []byte { return rawJPEG(w, h, 4, true) }},
	{"GIF", blankGIF},
	{"WebP, lossless with a palette", func(_ testing.TB, w, h int) []byte { return losslessWebP(w, h) }},
}

// largestAccepted is the largest header-shaped canvas of a layout that checkCanvas lets through:
// the cost a pixel is read from a small sample, then the canvas it allows is checked.
func largestAccepted(t testing.TB, upload func(t testing.TB, w, h int) []byte) (w, h int, data []byte) {
	t.Helper()
	format, config := configOf(t, upload(t, 3000, 1000))
	perPixel := float64(format.decodeBytes(upload(t, 3000, 1000), config)) / 3e6
	pixels := min(maxImagePixels, int(maxDecodeBytes/perPixel))
	for range 20 {
		w, h = shapeOf(Header, pixels)
		data = upload(t, w, h)
		format, config = configOf(t, data)
		if checkCanvas("header", format, data, config) == nil {
			return w, h, data
		}
		pixels -= pixels / 100
	}
	t.Fatalf("no canvas near %d pixels is accepted", pixels)
	return 0, 0, nil
}

func configOf(t testing.TB, upload []byte) (imageFormat, image.Config) {
	t.Helper()
	format, ok := sniffImage(upload)
	if !ok {
		t.Fatal("not a picture Kring accepts")
	}
	config, err := format.decodeConfig(bytes.NewReader(upload))
	if err != nil {
		t.Fatal(err)
	}
	return format, config
}

// maxUploadMemory is what processing one upload may take, the limits' aim (image_limits.go).
const maxUploadMemory = 150 << 20

// TestImageUploadPeakMemory: the costliest picture of each format the limits accept is processed
// within maxUploadMemory of heap (sampled every millisecond, garbage not yet collected included).
// Before the limits were set by memory, a 40-megapixel 16-bit PNG took 477 MiB and a progressive
// CMYK JPEG 1088 MiB.
// Not parallel: it measures the heap and peak RSS of the whole process, which other tests would inflate.
func TestImageUploadPeakMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes pictures of up to 25 million pixels")
	}
	for _, c := range worstUploads {
		t.Run(c.name, func(t *testing.T) {
			w, h, upload := largestAccepted(t, c.upload)
			var err error
			use := measure(func() { _, err = prepareImage(Header, upload) })
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%dx%d (%.1f Mpx, %d KiB): %v", w, h, float64(w*h)/1e6, len(upload)>>10, use)
			if use.peakHeap > maxUploadMemory {
				t.Errorf("peak heap +%s, over %s", mib(use.peakHeap), mib(maxUploadMemory))
			}
		})
	}
}

// TestSetImageWaitsForADecodeSlot: with every slot of the service taken, an upload waits rather
// than decode beside the others, and gives up when its request does; a freed slot lets it through.
func TestSetImageWaitsForADecodeSlot(t *testing.T) {
	t.Parallel()
	s := NewService(nil).WithConcurrentImageDecodes(1)
	release, err := s.imageDecodes.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	photo := baselineJPEG(t, 900, 600)
	if _, err := s.SetImage(ctx, MediaFiles{}, "group", Avatar, photo, "staff"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with the only slot taken: %v, want the request's deadline", err)
	}
	release()
	// The slot free, the upload is decoded and only then fails, for want of a media directory.
	if _, err := s.SetImage(context.Background(), MediaFiles{}, "group", Avatar, photo, "staff"); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with the slot free: %v, want the media directory's error", err)
	}
	if got := len(NewService(nil).imageDecodes); got != 0 || cap(NewService(nil).imageDecodes) != DefaultConcurrentImageDecodes {
		t.Errorf("a new service has %d of %d slots taken, want 0 of %d", got, cap(NewService(nil).imageDecodes), DefaultConcurrentImageDecodes)
	}
}
