package groups

import (
	"encoding/binary"
	"image"
	"image/color"
)

// What one upload may cost to process. A 311 KB PNG can claim 40 million pixels of 16 bits a
// channel, which Go's decoder holds as 320 MB before a single pixel is scaled; a progressive CMYK
// JPEG of that canvas took over 1 GB. So a picture is refused, from its header alone (DecodeConfig
// and the few bytes around it), when its canvas is over maxImagePixels or when the memory its
// decoder would hold, estimated from how it is encoded, is over maxDecodeBytes. Scaling the decoded
// picture adds at most about 50 MB (see cropAndScale), so one upload peaks at about 150 MB, and
// decodeSlots bounds how many run at once.
const (
	// maxImagePixels is the largest canvas: a 25-megapixel camera photo, far more than a 1500x500
	// header or a 400x400 avatar needs.
	maxImagePixels = 25_000_000
	// maxDecodeBytes bounds the decoder's memory: a 25-megapixel baseline JPEG needs 38 MB; a 16-bit
	// PNG or a lossless WebP 8 bytes a pixel, so it may have 12 million; a progressive JPEG keeps
	// every coefficient, 4 bytes a sample, until its last scan.
	maxDecodeBytes = 96 << 20
)

// pngDecodeBytes is what Go's PNG decoder holds for a picture: the pixels in the type its colour
// model says, and, for an interlaced one, the largest of its passes beside them (half the canvas).
func pngDecodeBytes(upload []byte, config image.Config) int64 {
	var perPixel int64
	switch config.ColorModel {
	case color.GrayModel:
		perPixel = 1
	case color.Gray16Model:
		perPixel = 2
	case color.RGBAModel, color.NRGBAModel:
		perPixel = 4
	default: // 16-bit RGBA, or a palette, which the pixels index one byte each
		perPixel = 8
		if _, paletted := config.ColorModel.(color.Palette); paletted {
			perPixel = 1
		}
	}
	pixels := int64(config.Width) * int64(config.Height)
	cost := perPixel * pixels
	if len(upload) > 28 && upload[28] != 0 { // IHDR's interlace method: Adam7
		cost += cost / 2
	}
	return cost
}

// gifDecodeBytes is what Go's GIF decoder holds: the first frame, within the canvas, a byte a pixel.
func gifDecodeBytes(_ []byte, config image.Config) int64 {
	return int64(config.Width) * int64(config.Height)
}

// webpDecodeBytes is what x/image's WebP decoder holds, by the chunks the file has (its config
// names the colour model of the canvas, not how the pixels are encoded): a lossy frame 1.5 bytes a
// pixel in macroblocks of 16, a lossless one 4 bytes a pixel for the decoded pixels and 4 more for a
// palette's expansion, an alpha channel 1 byte a pixel, plus a lossless image when it is compressed.
func webpDecodeBytes(upload []byte, config image.Config) int64 {
	w, h := int64(config.Width), int64(config.Height)
	var cost int64
	for i := 12; i+8 <= len(upload); {
		size := int(binary.LittleEndian.Uint32(upload[i+4:]))
		switch string(upload[i : i+4]) {
		case "VP8 ":
			cost += (w + 15) / 16 * 16 * ((h + 15) / 16 * 16) * 3 / 2
		case "VP8L":
			cost += 8 * w * h
		case "ALPH":
			cost += w * h
			if i+8 < len(upload) && upload[i+8]&0x03 == 1 {
				cost += 8 * w * h
			}
		}
		if size < 0 || size > len(upload) {
			break // a chunk longer than the file: the decoder stops there too
		}
		i += 8 + size + size&1
	}
	if cost == 0 { // no frame the walk could see: assume the costliest
		cost = 8 * w * h
	}
	return cost
}

// jpegDecodeBytes is what Go's JPEG decoder holds, by the frame header and markers it reads: each
// component's plane (whole blocks, at its sampling), for a progressive JPEG every coefficient of
// each (4 bytes a sample) until the last scan, and the RGBA or CMYK picture made at the end of an
// RGB or four-component one (4 bytes a pixel). The markers are walked as the decoder walks them,
// entropy-coded data skipped, so a marker placed anywhere counts.
func jpegDecodeBytes(upload []byte, config image.Config) int64 {
	var (
		progressive, jfif, adobeRGB bool
		ids                         []byte
		sampling                    [][2]int64
	)
	for i := 2; i+1 < len(upload); {
		if upload[i] != 0xFF {
			i++ // entropy-coded data, or bytes the decoder skips
			continue
		}
		marker := upload[i+1]
		switch {
		case marker == 0xFF || marker == 0x00 || marker >= 0xD0 && marker <= 0xD8:
			i++ // fill, a stuffed byte, a restart marker or the start: no length follows
			continue
		case marker == 0xD9:
			i = len(upload)
			continue
		}
		if i+4 > len(upload) {
			break
		}
		length := int(binary.BigEndian.Uint16(upload[i+2:]))
		end := min(i+2+length, len(upload))
		segment := upload[min(i+4, end):end]
		switch marker {
		case 0xC0, 0xC1, 0xC2:
			progressive = marker == 0xC2
			if len(segment) >= 6 && ids == nil {
				n := int(segment[5])
				for c := 0; c < n && 6+3*c+2 < len(segment); c++ {
					ids = append(ids, segment[6+3*c])
					hv := segment[6+3*c+1]
					sampling = append(sampling, [2]int64{max(1, int64(hv>>4)), max(1, int64(hv&0x0F))})
				}
			}
		case 0xE0:
			jfif = jfif || len(segment) >= 5 && string(segment[:5]) == "JFIF\x00"
		case 0xEE:
			if len(segment) >= 12 && string(segment[:5]) == "Adobe" {
				adobeRGB = segment[11] == 0
			}
		}
		i = max(end, i+2)
	}
	w, h := int64(config.Width), int64(config.Height)
	if len(sampling) == 0 {
		return 4 * w * h
	}
	var hmax, vmax int64 = 1, 1
	for _, s := range sampling {
		hmax, vmax = max(hmax, s[0]), max(vmax, s[1])
	}
	mcuWide, mcuHigh := (w+8*hmax-1)/(8*hmax), (h+8*vmax-1)/(8*vmax)
	var planes int64
	for _, s := range sampling {
		planes += 8 * s[0] * mcuWide * 8 * s[1] * mcuHigh
	}
	cost := planes
	if progressive {
		cost += 4 * planes
	}
	rgb := len(ids) == 3 && !jfif && (adobeRGB || string(ids) == "RGB")
	if len(ids) == 4 || rgb {
		cost += 4 * mcuWide * 8 * hmax * mcuHigh * 8 * vmax
	}
	return cost
}
