package groups

import (
	"bytes"
	"errors"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"testing"

	"github.com/kring-social/kring/app/apperror"
)

// FuzzImageUpload hands any bytes to prepareImage, the entry point of every picture upload, as an
// avatar or a header. Whatever the upload: no panic; a refusal is invalid input; a canvas that
// DecodeConfig says is over maxImagePixels, or whose decoding is estimated over maxDecodeBytes, is
// refused; and a picture accepted came from a canvas within both bounds and is stored at the
// kind's size in the format its name says. Canvases over fuzzDecodePixels are only checked
// against the limits, which prepareImage applies first, so the fuzzer spends its time on the rest.
func FuzzImageUpload(f *testing.F) {
	webpPhoto, err := os.ReadFile("testdata/lossy.webp")
	if err != nil {
		f.Fatal(err)
	}
	small := picture(30, 20, red, blue, true)
	for _, seed := range [][]byte{
		webpPhoto,
		encoded(f, func(b *bytes.Buffer) error { return png.Encode(b, small) }),
		encoded(f, func(b *bytes.Buffer) error { return jpeg.Encode(b, small, nil) }),
		encoded(f, func(b *bytes.Buffer) error { return gif.Encode(b, small, nil) }),
		withOrientation(encoded(f, func(b *bytes.Buffer) error { return jpeg.Encode(b, small, nil) }), 6),
		blankPNG(f, 40, 30, 16, true),
		rawJPEG(24, 16, 4, true),
		rawJPEG(24, 16, 3, false),
		losslessWebP(20, 10),
		pngHeader(100_000, 100_000, 8, false),
		gifBomb(60000, 60000),
		webpBomb(16000, 16000),
		[]byte("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, upload []byte, header bool) {
		kind := Avatar
		if header {
			kind = Header
		}
		format, sniffed := sniffImage(upload)
		var config image.Config
		var configErr error = errors.New("not sniffed")
		if sniffed {
			config, configErr = format.decodeConfig(bytes.NewReader(upload))
		}
		pixels := int64(config.Width) * int64(config.Height)
		if configErr == nil && pixels > fuzzDecodePixels {
			// Decoding a large canvas takes seconds (a few bytes can hold one of 25 million pixels
			// that decodes); what matters of it here is whether the limits let it through.
			err := checkCanvas(string(kind), format, upload, config)
			if err == nil && (pixels > maxImagePixels || format.decodeBytes(upload, config) > maxDecodeBytes) {
				t.Fatalf("the limits let a %s canvas of %dx%d through", format.name, config.Width, config.Height)
			}
			if err != nil && pixels <= maxImagePixels && format.decodeBytes(upload, config) <= maxDecodeBytes {
				t.Fatalf("the limits refused a %s canvas of %dx%d: %v", format.name, config.Width, config.Height, err)
			}
			return
		}
		got, err := prepareImage(kind, upload)
		if err != nil {
			var appErr *apperror.Error
			if !errors.As(err, &appErr) || appErr.Kind != apperror.KindInvalid {
				t.Fatalf("refused with %v, want an invalid-input error", err)
			}
			return
		}
		if configErr != nil {
			t.Fatalf("accepted a picture whose header does not read: %v", configErr)
		}
		if pixels <= 0 || pixels > maxImagePixels || format.decodeBytes(upload, config) > maxDecodeBytes {
			t.Fatalf("accepted a %s canvas of %dx%d (decoding estimated at %d bytes)", format.name, config.Width, config.Height, format.decodeBytes(upload, config))
		}
		stored, storedFormat, err := image.DecodeConfig(bytes.NewReader(got.data))
		if err != nil {
			t.Fatalf("stored picture does not read: %v", err)
		}
		if want := imageSizes[kind]; stored.Width != want.X || stored.Height != want.Y ||
			map[string]string{".jpg": "jpeg", ".png": "png"}[got.ext] != storedFormat {
			t.Fatalf("stored a %s of %dx%d as %s, want %v", storedFormat, stored.Width, stored.Height, got.ext, want)
		}
	})
}

// fuzzDecodePixels is the largest canvas FuzzImageUpload decodes: large enough that both kinds are
// shrunk before they are scaled (a header from 3 million pixels on).
const fuzzDecodePixels = 4_000_000
