package groups

import (
	"bytes"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/kring-social/kring/app/apperror"
)

// ImageKind names one of a group's two pictures.
type ImageKind string

const (
	// Avatar is the square picture beside the group's name: its actor's icon.
	Avatar ImageKind = "avatar"
	// Header is the wide banner of the group's profile: its actor's image.
	Header ImageKind = "header"
	// EventImage is an event's picture, the size link previews (OpenGraph) show.
	EventImage ImageKind = "event"
	// PostImage is a picture of a group's post: kept whole, in its own shape, scaled down to at
	// most MaxPostImageSide on its longer side.
	PostImage ImageKind = "post"
)

// MaxPostImageSide is the longer side of the largest picture Kring keeps of a post's: what Mastodon
// shows full screen on most displays.
const MaxPostImageSide = 1920

// MaxPostImageBytes bounds an uploaded picture of a post: a phone's photo fits.
const MaxPostImageBytes = 8 << 20

// MaxImageBytes bounds an uploaded picture, as Mastodon's limit for avatars does.
const MaxImageBytes = 2 << 20

// imageSizes are the sizes Kring makes of each kind, the ones Mastodon shows; a post's picture
// keeps its shape within a square of this size (fitWithin).
var imageSizes = map[ImageKind]image.Point{Avatar: {400, 400}, Header: {1500, 500}, EventImage: {1200, 630},
	PostImage: {MaxPostImageSide, MaxPostImageSide}}

// maxUploadBytes is the largest upload of a kind.
func maxUploadBytes(kind ImageKind) int {
	if kind == PostImage {
		return MaxPostImageBytes
	}
	return MaxImageBytes
}

// ImageSize is the size Kring makes pictures of a kind.
func ImageSize(kind ImageKind) image.Point { return imageSizes[kind] }

// imageFormat is a format Kring accepts, told apart by its first bytes, never by the name or type
// the browser gave: SVG (which can carry scripts) and everything else is refused.
type imageFormat struct {
	name         string
	magic        func([]byte) bool
	decodeConfig func(io.Reader) (image.Config, error)
	decode       func(io.Reader) (image.Image, error)
	// decodeBytes estimates the memory decode holds for the upload, from its header (image_limits.go).
	decodeBytes func(upload []byte, config image.Config) int64
	photo       bool // kept as JPEG when opaque; drawn pictures (PNG, GIF) stay PNG
}

var imageFormats = []imageFormat{
	{"PNG", prefix("\x89PNG\r\n\x1a\n"), png.DecodeConfig, png.Decode, pngDecodeBytes, false},
	{"JPEG", prefix("\xff\xd8\xff"), jpeg.DecodeConfig, jpeg.Decode, jpegDecodeBytes, true},
	{"GIF", func(b []byte) bool { return prefix("GIF87a")(b) || prefix("GIF89a")(b) }, gif.DecodeConfig, gif.Decode, gifDecodeBytes, false},
	{"WebP", func(b []byte) bool { return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" },
		webp.DecodeConfig, webp.Decode, webpDecodeBytes, true},
}

func prefix(p string) func([]byte) bool {
	return func(b []byte) bool { return bytes.HasPrefix(b, []byte(p)) }
}

// preparedImage is a picture as Kring stores it: its own encoding, never the upload's bytes.
type preparedImage struct {
	data          []byte
	ext           string // ".png" or ".jpg"
	width, height int
}

// prepareImage checks an upload and makes the picture Kring keeps of it: decoded (the first frame of
// an animation), cropped around its centre to the kind's shape, scaled to its size and encoded
// afresh, which also drops whatever metadata the upload carried (such as a photo's location).
func prepareImage(kind ImageKind, upload []byte) (preparedImage, error) {
	size, ok := imageSizes[kind]
	if !ok {
		return preparedImage{}, apperror.Invalid("image", "must be an avatar or a header (got %q)", string(kind))
	}
	field := string(kind)
	if len(upload) == 0 {
		return preparedImage{}, apperror.Invalid(field, "choose a picture to upload")
	}
	if limit := maxUploadBytes(kind); len(upload) > limit {
		return preparedImage{}, apperror.Invalid(field, "must be at most %d MiB (got %.1f MiB)", limit>>20, float64(len(upload))/(1<<20))
	}
	format, ok := sniffImage(upload)
	if !ok {
		return preparedImage{}, apperror.Invalid(field, "must be a PNG, JPEG, GIF or WebP picture")
	}
	config, err := format.decodeConfig(bytes.NewReader(upload))
	if err != nil {
		return preparedImage{}, &apperror.Error{Kind: apperror.KindInvalid, Field: field, Message: "could not be read as a " + format.name + " picture", Cause: err}
	}
	if err := checkCanvas(field, format, upload, config); err != nil {
		return preparedImage{}, err
	}
	decoded, err := format.decode(bytes.NewReader(upload))
	if err != nil {
		return preparedImage{}, &apperror.Error{Kind: apperror.KindInvalid, Field: field, Message: "could not be read as a " + format.name + " picture", Cause: err}
	}
	orientation := orientNormal
	if format.name == "JPEG" {
		orientation = jpegOrientation(upload)
	}
	// Crop and scale the picture as stored, then turn the small result the way the camera said.
	stored := orientation.storedShape(size)
	if kind == PostImage {
		stored = fitWithin(image.Point{X: config.Width, Y: config.Height}, MaxPostImageSide)
	}
	picture := orientation.apply(cropAndScale(decoded, stored))
	var out bytes.Buffer
	prepared := preparedImage{ext: ".png", width: picture.Bounds().Dx(), height: picture.Bounds().Dy()}
	if format.photo && picture.Opaque() {
		prepared.ext = ".jpg"
		err = jpeg.Encode(&out, picture, &jpeg.Options{Quality: 85})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, picture)
	}
	prepared.data = out.Bytes()
	return prepared, err
}

// fitWithin is the size of a picture of size scaled down, in its own shape, to at most side on
// its longer side; a smaller one keeps its size.
func fitWithin(size image.Point, side int) image.Point {
	longer := max(size.X, size.Y)
	if longer <= side {
		return size
	}
	return image.Point{X: max(1, size.X*side/longer), Y: max(1, size.Y*side/longer)}
}

// checkCanvas refuses, before anything is decoded, a canvas over maxImagePixels or one whose
// decoding would hold more than maxDecodeBytes (say how many pixels a picture encoded as this one is
// may have, so the person can make it smaller).
func checkCanvas(field string, format imageFormat, upload []byte, config image.Config) error {
	pixels := int64(config.Width) * int64(config.Height)
	if config.Width <= 0 || config.Height <= 0 || pixels > maxImagePixels {
		return apperror.Invalid(field, "must be at most %d million pixels (got %dx%d)", maxImagePixels/1_000_000, config.Width, config.Height)
	}
	if cost := format.decodeBytes(upload, config); cost > maxDecodeBytes {
		allowed := float64(maxDecodeBytes) / float64(cost) * float64(pixels)
		return apperror.Invalid(field, "is too large to process: a %s encoded as this one is may have at most %.1f million pixels (got %dx%d)",
			format.name, allowed/1_000_000, config.Width, config.Height)
	}
	return nil
}

func sniffImage(upload []byte) (imageFormat, bool) {
	for _, f := range imageFormats {
		if f.magic(upload) {
			return f, true
		}
	}
	return imageFormat{}, false
}

// cropAndScale cuts the largest centred rectangle of size's shape out of src and scales it to size
// (up too: every stored picture of a kind has the same size, as servers expect). A crop at least
// twice the size is first averaged down by a whole factor (shrinkBy) to less than 1.5 times it:
// the Catmull-Rom scaler keeps a buffer of 32 bytes for each source row of each destination column,
// 175 MB for a 40-megapixel header; with it the buffer stays under 50 MB.
func cropAndScale(src image.Image, size image.Point) *image.RGBA {
	b := src.Bounds()
	crop := b
	if b.Dx()*size.Y > b.Dy()*size.X { // wider than the shape: trim the sides
		w := max(1, b.Dy()*size.X/size.Y)
		crop.Min.X = b.Min.X + (b.Dx()-w)/2
		crop.Max.X = crop.Min.X + w
	} else { // taller: trim top and bottom
		h := max(1, b.Dx()*size.Y/size.X)
		crop.Min.Y = b.Min.Y + (b.Dy()-h)/2
		crop.Max.Y = crop.Min.Y + h
	}
	if factor := min(crop.Dx()/size.X, crop.Dy()/size.Y); factor >= 2 {
		src = shrinkBy(src, crop, factor)
		crop = src.Bounds()
	}
	dst := image.NewRGBA(image.Rectangle{Max: size})
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Src, nil)
	return dst
}

// shrinkBy averages each factor by factor square of crop in src into one pixel (in premultiplied
// RGBA, so see-through pixels do not darken their neighbours), keeping the middle of crop when it is
// not a whole number of squares. It reads src a band of factor rows at a time, converted to RGBA by
// the standard library's drawers, so it needs no copy of the picture.
func shrinkBy(src image.Image, crop image.Rectangle, factor int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, crop.Dx()/factor, crop.Dy()/factor))
	w := out.Rect.Dx() * factor
	origin := crop.Min.Add(image.Pt((crop.Dx()-w)/2, (crop.Dy()-out.Rect.Dy()*factor)/2))
	band := image.NewRGBA(image.Rect(0, 0, w, factor))
	sums := make([]uint32, 4*out.Rect.Dx())
	area := uint32(factor * factor)
	for y := range out.Rect.Dy() {
		draw.Draw(band, band.Rect, src, origin.Add(image.Pt(0, y*factor)), draw.Src)
		clear(sums)
		for row := range factor {
			pix := band.Pix[row*band.Stride : row*band.Stride+4*w]
			for x := 0; x < w; x++ {
				s := sums[4*(x/factor):]
				p := pix[4*x:]
				s[0] += uint32(p[0])
				s[1] += uint32(p[1])
				s[2] += uint32(p[2])
				s[3] += uint32(p[3])
			}
		}
		line := out.Pix[y*out.Stride:]
		for i, sum := range sums {
			line[i] = uint8((sum + area/2) / area)
		}
	}
	return out
}
