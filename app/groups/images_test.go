package groups

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/apperror"
)

// picture is a w by h image, left half one colour and right half another, top row transparent when
// seeThrough is set.
func picture(w, h int, left, right color.RGBA, seeThrough bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := left
			if x >= w/2 {
				c = right
			}
			if seeThrough && y == 0 {
				c = color.RGBA{}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

var (
	red  = color.RGBA{R: 255, A: 255}
	blue = color.RGBA{B: 255, A: 255}
)

func encoded(t testing.TB, encode func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := encode(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngClaiming is a PNG whose header claims a w by h canvas, with valid checksums and no pixels.
func pngClaiming(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit truecolour
	chunk := append([]byte("IHDR"), ihdr...)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, chunk...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
}

// TestPrepareImage: each accepted format comes out re-encoded at the kind's size (photos as JPEG,
// drawn or see-through pictures as PNG); anything else is refused as invalid input.
func TestPrepareImage(t *testing.T) {
	t.Parallel()
	webpPhoto, err := os.ReadFile("testdata/lossy.webp") // from golang.org/x/image's test data
	if err != nil {
		t.Fatal(err)
	}
	transparentPNG := encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, picture(300, 200, red, blue, true)) })
	photo := encoded(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, picture(900, 600, red, blue, false), nil) })
	animation := encoded(t, func(b *bytes.Buffer) error {
		return gif.Encode(b, picture(50, 50, red, blue, false), nil)
	})
	accepted := []struct {
		name   string
		kind   ImageKind
		upload []byte
		ext    string
	}{
		{"PNG with transparency as avatar", Avatar, transparentPNG, ".png"},
		{"JPEG photo as header", Header, photo, ".jpg"},
		{"JPEG photo as avatar", Avatar, photo, ".jpg"},
		{"GIF, scaled up", Header, animation, ".png"},
		{"WebP photo", Avatar, webpPhoto, ".jpg"},
	}
	for _, c := range accepted {
		t.Run(c.name, func(t *testing.T) {
			got, err := prepareImage(c.kind, c.upload)
			if err != nil {
				t.Fatal(err)
			}
			if got.ext != c.ext {
				t.Errorf("stored as %s, want %s", got.ext, c.ext)
			}
			if bytes.Equal(got.data, c.upload) {
				t.Error("the upload was stored as it came")
			}
			config, format, err := image.DecodeConfig(bytes.NewReader(got.data))
			if err != nil {
				t.Fatal(err)
			}
			if want := imageSizes[c.kind]; config.Width != want.X || config.Height != want.Y || "."+format != map[string]string{".jpg": ".jpeg", ".png": ".png"}[c.ext] {
				t.Errorf("stored %s %dx%d, want %s %v", format, config.Width, config.Height, c.ext, want)
			}
		})
	}

	big := append(append([]byte{}, photo...), make([]byte, MaxImageBytes)...)
	refused := []struct {
		name   string
		kind   ImageKind
		upload []byte
	}{
		{"SVG", Avatar, []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		{"HTML", Avatar, []byte("<!doctype html><title>x</title>")},
		{"nothing", Avatar, nil},
		{"over 2 MiB", Avatar, big},
		{"a PNG claiming a vast canvas", Avatar, pngClaiming(100_000, 100_000)},
		{"a PNG cut short", Header, transparentPNG[:len(transparentPNG)/2]},
		{"a JPEG header only", Avatar, photo[:20]},
		{"an unknown kind", ImageKind("banner"), photo},
	}
	for _, c := range refused {
		t.Run("refuses "+c.name, func(t *testing.T) {
			_, err := prepareImage(c.kind, c.upload)
			var appErr *apperror.Error
			if !errors.As(err, &appErr) || appErr.Kind != apperror.KindInvalid {
				t.Errorf("got %v, want an invalid-input error", err)
			}
		})
	}
}

// withOrientation puts an EXIF segment with the given Orientation right after a JPEG's start marker,
// as cameras write it (big-endian TIFF, one directory entry).
func withOrientation(jpg []byte, o uint16) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01")
	tiff = append(tiff, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01)
	tiff = binary.BigEndian.AppendUint16(tiff, o)
	tiff = append(tiff, 0, 0, 0, 0, 0, 0)
	segment := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xFF, 0xE1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(segment)+2))
	out = append(out, segment...)
	return append(out, jpg[2:]...)
}

// TestPhotoOrientation: a portrait phone photo stored turned (top half red, bottom half blue as
// stored) shows upright: with Orientation 6 the stored top is on the right, with 8 on the left.
func TestPhotoOrientation(t *testing.T) {
	t.Parallel()
	tall := image.NewRGBA(image.Rect(0, 0, 100, 300))
	for y := range 300 {
		for x := range 100 {
			tall.SetRGBA(x, y, map[bool]color.RGBA{true: red, false: blue}[y < 150])
		}
	}
	stored := encoded(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, tall, &jpeg.Options{Quality: 95}) })
	for _, c := range []struct {
		orientation     uint16
		leftIs, rightIs color.RGBA
	}{{6, blue, red}, {8, red, blue}} {
		upload := withOrientation(stored, c.orientation)
		if got := jpegOrientation(upload); got != orientation(c.orientation) {
			t.Fatalf("read orientation %d, want %d", got, c.orientation)
		}
		got, err := prepareImage(Header, upload)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(got.data))
		if err != nil {
			t.Fatal(err)
		}
		for x, want := range map[int]color.RGBA{300: c.leftIs, 1200: c.rightIs} {
			r, _, b, _ := img.At(x, 250).RGBA()
			if (r > b) != (want == red) {
				t.Errorf("orientation %d: at x=%d red %d blue %d, want %v", c.orientation, x, r>>8, b>>8, want)
			}
		}
	}
	if got := jpegOrientation(stored); got != orientNormal {
		t.Errorf("no EXIF: orientation %d", got)
	}
}

// TestOrientationsUndo: each turn is undone by its inverse (mirrors and half turns by themselves,
// a quarter turn one way by one the other way), on a picture whose pixels all differ.
func TestOrientationsUndo(t *testing.T) {
	t.Parallel()
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		src.SetRGBA(i%3, i/3, color.RGBA{R: uint8(i * 40), A: 255})
	}
	for o, inverse := range map[orientation]orientation{2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6} {
		turned := o.apply(src)
		if bytes.Equal(turned.Pix, src.Pix) {
			t.Errorf("orientation %d changed nothing", o)
		}
		if back := inverse.apply(turned); !bytes.Equal(back.Pix, src.Pix) || back.Bounds() != src.Bounds() {
			t.Errorf("orientation %d then %d: %v, want %v", o, inverse, back.Pix, src.Pix)
		}
	}
}

// pngHeader is a PNG's signature, header and the start of its pixel data, which is all DecodeConfig
// reads: a canvas of w by h, depth bits a channel of RGBA, interlaced or not.
func pngHeader(w, h uint32, depth byte, interlaced bool) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, 6, 0, 0, map[bool]byte{true: 1}[interlaced])
	out := pngChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	return pngChunk(out, "IDAT", []byte{0x78, 0x9c})
}

// gifBomb is a GIF whose canvas is 1 by 1 and whose one frame claims w by h.
func gifBomb(w, h uint16) []byte {
	out := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff") // canvas, 2-colour palette
	out = append(out, 0x2C, 0, 0, 0, 0)
	out = binary.LittleEndian.AppendUint16(out, w)
	out = binary.LittleEndian.AppendUint16(out, h)
	return append(out, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B) // LZW data, end, trailer
}

// webpBomb is a WebP whose extended header says 1 by 1 and whose lossless frame is w by h.
func webpBomb(w, h int) []byte {
	var b bitWriter
	b.write(0x2f, 8)
	b.write(uint64(w-1), 14)
	b.write(uint64(h-1), 14)
	b.write(0, 4)
	vp8x := append([]byte("VP8X\x0a\x00\x00\x00"), make([]byte, 10)...)
	whole := webpFile("VP8L", b.bytes())
	body := append(append([]byte("WEBP"), vp8x...), whole[12:]...)
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// TestPrepareImageRefusesBombsBeforeDecoding: a picture whose canvas, or whose decoding by its
// encoding, is over the limits is refused from its header (the limit's message, nothing near its
// size allocated), and a frame larger than the canvas its header declares is refused by the decoder
// before it allocates the frame.
// Not parallel: it measures what the whole process allocates while refusing each picture, which other tests would add to.
func TestPrepareImageRefusesBombsBeforeDecoding(t *testing.T) {
	jpegClaiming := func(w, h int) []byte { // an 8 by 8 JPEG whose frame header is changed
		out := rawJPEG(8, 8, 3, false)
		sof := bytes.Index(out, []byte{0xFF, 0xC0})
		binary.BigEndian.PutUint16(out[sof+5:], uint16(h))
		binary.BigEndian.PutUint16(out[sof+7:], uint16(w))
		return out
	}
	for _, c := range []struct {
		name   string
		upload []byte
		limit  bool // refused by the limits (else by the decoder)
	}{
		{"a PNG of 10 billion pixels", pngHeader(100_000, 100_000, 8, false), true},
		{"a PNG of 30 million pixels", pngHeader(9487, 3162, 8, false), true},
		{"a 16-bit PNG of 20 million pixels", pngHeader(7746, 2582, 16, false), true},
		{"an interlaced 16-bit PNG of 10 million pixels", pngHeader(5477, 1826, 16, true), true},
		{"a JPEG of 65535 by 65535", jpegClaiming(65535, 65535), true},
		{"a progressive CMYK JPEG of 9 million pixels", rawJPEG(3000, 3000, 4, true), true},
		{"a progressive JPEG of 9 million pixels", rawJPEG(3000, 3000, 3, true), true},
		{"a lossless WebP of 16383 by 16383", losslessWebP(16383, 16383), true},
		{"a WebP whose frame is larger than its canvas", webpBomb(16000, 16000), false},
		{"a GIF whose frame is larger than its canvas", gifBomb(60000, 60000), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			use := measure(func() { _, err = prepareImage(Header, c.upload) })
			var appErr *apperror.Error
			if !errors.As(err, &appErr) || appErr.Kind != apperror.KindInvalid {
				t.Fatalf("got %v, want an invalid-input error", err)
			}
			if byLimit := strings.Contains(appErr.Message, "million pixels"); byLimit != c.limit {
				t.Errorf("refused as %q: by the limits %v, want %v", appErr.Message, byLimit, c.limit)
			}
			if use.allocated > 8<<20 {
				t.Errorf("allocated %s before refusing it", mib(use.allocated))
			}
		})
	}
}

// TestShrinkByAverages: each square of the middle of the crop becomes its average, in premultiplied
// colour, whatever the source's type; the edges left over are split evenly.
func TestShrinkByAverages(t *testing.T) {
	t.Parallel()
	src := image.NewNRGBA(image.Rect(10, 10, 17, 15)) // 7 by 5: one column and one row left over
	for y := 10; y < 15; y++ {
		for x := 10; x < 17; x++ {
			c := color.NRGBA{R: 200, A: 255}
			if x >= 14 {
				c = color.NRGBA{B: 100, A: 255}
			}
			if y == 12 && x < 14 {
				c = color.NRGBA{R: 255, G: 255, A: 0} // see-through: adds no colour
			}
			src.SetNRGBA(x, y, c)
		}
	}
	got := shrinkBy(src, src.Bounds(), 2)
	if got.Bounds() != image.Rect(0, 0, 3, 2) {
		t.Fatalf("bounds %v, want 3 by 2", got.Bounds())
	}
	// Squares start at (10, 10) (the leftover column, 7-6=1, halved rounds to 0 on the left).
	want := map[image.Point]color.RGBA{
		{0, 0}: {R: 200, A: 255},
		{1, 0}: {R: 200, A: 255},
		{2, 0}: {B: 100, A: 255},
		{0, 1}: {R: 100, A: 128}, // two see-through pixels of four
		{2, 1}: {B: 100, A: 255},
	}
	for p, c := range want {
		if g := got.RGBAAt(p.X, p.Y); g != c {
			t.Errorf("at %v: %v, want %v", p, g, c)
		}
	}
}

// TestLargePictureKeepsItsHalves: a picture many times the avatar's size, shrunk before it is
// scaled, still shows its left half red and its right half blue, and its see-through top row
// makes it a PNG.
func TestLargePictureKeepsItsHalves(t *testing.T) {
	t.Parallel()
	upload := encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, picture(4000, 3000, red, blue, true)) })
	got, err := prepareImage(Avatar, upload)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(got.data))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, 400, 400) || got.ext != ".png" {
		t.Fatalf("stored %s %v, want a 400 by 400 PNG", got.ext, img.Bounds())
	}
	for x, want := range map[int]color.RGBA{20: red, 380: blue} {
		if c := color.RGBAModel.Convert(img.At(x, 200)).(color.RGBA); c != want {
			t.Errorf("at x=%d: %v, want %v", x, c, want)
		}
	}
}
