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

func encoded(t *testing.T, encode func(*bytes.Buffer) error) []byte {
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
