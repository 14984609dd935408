package groups

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"testing"
)

// The pictures here are the costliest to decode that fit in an upload: a few hundred kilobytes of
// one colour that claim a large canvas, each in the layout its decoder needs the most memory for.

// pngChunk appends one PNG chunk with its length and checksum.
func pngChunk(out []byte, kind string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	body := append([]byte(kind), data...)
	out = append(out, body...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(body))
}

// adam7 are the passes of an interlaced PNG: offset and step in x and y.
var adam7 = [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}

// blankPNG is a w by h PNG of transparent black with alpha, 8 or 16 bits a channel (4 or 8 bytes a
// pixel once decoded), interlaced when asked (the decoder then also holds a pass beside the picture).
func blankPNG(t testing.TB, w, h, depth int, interlaced bool) []byte {
	t.Helper()
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, byte(depth), 6, 0, 0, 0) // RGBA, deflate, adaptive filters, no interlace
	passes := [][4]int{{0, 0, 1, 1}}
	if interlaced {
		ihdr[12] = 1
		passes = adam7[:]
	}
	var idat bytes.Buffer
	z, err := zlib.NewWriterLevel(&idat, zlib.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range passes {
		pw, ph := (w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3]
		if pw <= 0 || ph <= 0 {
			continue
		}
		row := make([]byte, 1+depth/2*pw) // filter type 0, then the pixels
		for range ph {
			if _, err := z.Write(row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	out := pngChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	out = pngChunk(out, "IDAT", idat.Bytes())
	return pngChunk(out, "IEND", nil)
}

// baselineJPEG is a w by h photo as cameras write it: baseline, YCbCr, colour subsampled 4:2:0.
func baselineJPEG(_ testing.TB, w, h int) []byte { return rawJPEG(w, h, 0, false) }

// rawJPEG is a w by h JPEG of one colour, of full-resolution components (3 named R, G and B, which
// the decoder turns into RGBA; 4 is CMYK, turned into CMYK), or with 0 components a camera's
// YCbCr 4:2:0. When progressive, the decoder keeps every coefficient of every component until the
// last scan, 4 bytes a sample, beside the picture; its one scan holds only the DC terms.
func rawJPEG(w, h, components int, progressive bool) []byte {
	segment := func(out []byte, marker byte, data []byte) []byte {
		out = append(out, 0xFF, marker)
		out = binary.BigEndian.AppendUint16(out, uint16(len(data)+2))
		return append(out, data...)
	}
	out := []byte{0xFF, 0xD8}
	if components == 4 { // Adobe's marker says the four are CMYK, as a 4-component JPEG must
		out = segment(out, 0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00"))
	}
	out = segment(out, 0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...)) // quantisation table 0
	ids, sampling, blocks := "RGBK"[:components], byte(0x11), ((w+7)/8)*((h+7)/8)*components
	if components == 0 {
		ids, sampling, blocks = "\x01\x02\x03", 0x22, ((w+15)/16)*((h+15)/16)*6
	}
	sof := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(ids))}
	sos := []byte{byte(len(ids))}
	for i := range len(ids) {
		sof = append(sof, ids[i], sampling, 0)
		sos = append(sos, ids[i], 0x00)
		sampling = 0x11 // only the first (Y) is sampled more finely
	}
	frame := byte(0xC0)
	if progressive {
		frame = 0xC2
	}
	out = segment(out, frame, sof)
	// Huffman tables 0, DC and AC, each one code of one bit: "no difference", "end of block".
	out = segment(out, 0xC4, append(append([]byte{0x00, 1}, make([]byte, 15)...), 0))
	out = segment(out, 0xC4, append(append([]byte{0x10, 1}, make([]byte, 15)...), 0))
	bitsPerBlock, lastCoefficient := 2, byte(63)
	if progressive {
		bitsPerBlock, lastCoefficient = 1, 0 // a first scan of the DC terms only
	}
	out = segment(out, 0xDA, append(sos, 0, lastCoefficient, 0))
	out = append(out, make([]byte, (blocks*bitsPerBlock+7)/8)...)
	return append(out, 0xFF, 0xD9)
}

// blankGIF is a w by h GIF of one colour.
func blankGIF(t testing.TB, w, h int) []byte {
	t.Helper()
	var out bytes.Buffer
	frame := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White})
	if err := gif.Encode(&out, frame, nil); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// bitWriter writes the least significant bit first, as VP8L reads.
type bitWriter struct {
	out   []byte
	acc   uint64
	nbits uint
}

func (b *bitWriter) write(value uint64, n uint) {
	b.acc |= value << b.nbits
	b.nbits += n
	for b.nbits >= 8 {
		b.out = append(b.out, byte(b.acc))
		b.acc >>= 8
		b.nbits -= 8
	}
}

func (b *bitWriter) bytes() []byte {
	if b.nbits > 0 {
		return append(b.out, byte(b.acc))
	}
	return b.out
}

// oneSymbol writes the five prefix codes of a VP8L picture, each with a single symbol (which then
// costs no bits a pixel): green, red, blue and alpha as given, distance 0.
func oneSymbol(b *bitWriter, green, red, blue, alpha byte) {
	for _, symbol := range []byte{green, red, blue, alpha, 0} {
		b.write(1, 1) // simple code
		b.write(0, 1) // one symbol
		b.write(1, 1) // of eight bits
		b.write(uint64(symbol), 8)
	}
}

// losslessWebP is a w by h lossless WebP whose pixels index a palette of 17 colours: too many to
// pack several pixels in one, so the decoder holds the indices and the colours, 8 bytes a pixel.
func losslessWebP(w, h int) []byte {
	var b bitWriter
	b.write(0x2f, 8)
	b.write(uint64(w-1), 14)
	b.write(uint64(h-1), 14)
	b.write(1, 1) // alpha used
	b.write(0, 3) // version
	b.write(1, 1) // a transform:
	b.write(3, 2) // colour indexing,
	b.write(16, 8)
	b.write(0, 1)                         // palette (17 by 1): no colour cache
	oneSymbol(&b, 0x80, 0x80, 0x80, 0xff) // every entry grey
	b.write(0, 1)                         // no more transforms
	b.write(0, 1)                         // no colour cache
	b.write(0, 1)                         // no meta prefix codes
	oneSymbol(&b, 0, 0, 0, 0)             // every index 0
	return webpFile("VP8L", b.bytes())
}

// webpFile wraps one chunk in a WebP's RIFF container.
func webpFile(fourcc string, data []byte) []byte {
	chunk := append([]byte(fourcc), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	chunk = append(chunk, data...)
	if len(data)%2 == 1 {
		chunk = append(chunk, 0)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(chunk)))...)
	return append(append(out, "WEBP"...), chunk...)
}

// shapeOf is the w by h canvas of about pixels pixels with the kind's shape, the one whose
// scaling needs the largest buffer.
func shapeOf(kind ImageKind, pixels int) (w, h int) {
	size := imageSizes[kind]
	h = isqrt(pixels * size.Y / size.X)
	return pixels / h, h
}

func isqrt(n int) int {
	r := 0
	for (r+1)*(r+1) <= n {
		r++
	}
	return r
}
