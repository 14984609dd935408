package groups

import (
	"bytes"
	"encoding/binary"
	"image"
)

// orientation is a photo's EXIF Orientation (1 to 8): how the camera's stored pixels must be turned
// or mirrored to show upright. Phones store most portrait photos turned (6), so a re-encoded avatar
// that ignored it, as re-encoding drops the EXIF that said so, would lie on its side.
type orientation int

const orientNormal orientation = 1

// storedShape is the shape to cut from the stored pixels so that, once turned, they have shape.
func (o orientation) storedShape(shape image.Point) image.Point {
	if o >= 5 {
		return image.Point{X: shape.Y, Y: shape.X}
	}
	return shape
}

// apply turns or mirrors src as o says.
func (o orientation) apply(src *image.RGBA) *image.RGBA {
	if o <= orientNormal || o > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	out := o.storedShape(image.Point{X: w, Y: h}) // the turned shape; the swap is symmetric
	dst := image.NewRGBA(image.Rectangle{Max: out})
	for y := 0; y < out.Y; y++ {
		for x := 0; x < out.X; x++ {
			sx, sy := o.source(x, y, w, h)
			dst.SetRGBA(x, y, src.RGBAAt(sx, sy))
		}
	}
	return dst
}

// source is the stored pixel shown at (x, y) of the upright picture; the stored one is w by h.
func (o orientation) source(x, y, w, h int) (int, int) {
	switch o {
	case 2: // mirrored
		return w - 1 - x, y
	case 3: // upside down
		return w - 1 - x, h - 1 - y
	case 4: // mirrored upside down
		return x, h - 1 - y
	case 5: // mirrored along the main diagonal
		return y, x
	case 6: // stored turned a quarter anticlockwise: shown turned clockwise
		return y, h - 1 - x
	case 7: // mirrored along the other diagonal
		return w - 1 - y, h - 1 - x
	case 8: // stored turned a quarter clockwise
		return w - 1 - y, x
	}
	return x, y
}

// jpegOrientation reads the Orientation tag from a JPEG's EXIF segment; normal when there is none or
// it cannot be read (a picture shown as stored is the worst that can happen).
func jpegOrientation(data []byte) orientation {
	for i := 2; i+4 <= len(data); { // segments follow the start-of-image marker FF D8
		if data[i] != 0xFF {
			return orientNormal
		}
		marker := data[i+1]
		if marker == 0xDA || marker == 0xD9 { // the image data or its end: no metadata follows
			return orientNormal
		}
		length := int(binary.BigEndian.Uint16(data[i+2:]))
		if length < 2 || i+2+length > len(data) {
			return orientNormal
		}
		segment := data[i+4 : i+2+length]
		if marker == 0xE1 && bytes.HasPrefix(segment, []byte("Exif\x00\x00")) {
			return tiffOrientation(segment[6:])
		}
		i += 2 + length
	}
	return orientNormal
}

// tiffOrientation finds tag 0x0112 in the first directory of an EXIF TIFF structure.
func tiffOrientation(t []byte) orientation {
	if len(t) < 8 {
		return orientNormal
	}
	var order binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return orientNormal
	}
	dir := int(order.Uint32(t[4:]))
	if dir < 8 || dir+2 > len(t) {
		return orientNormal
	}
	for k := range int(order.Uint16(t[dir:])) {
		entry := dir + 2 + 12*k
		if entry+12 > len(t) {
			return orientNormal
		}
		if order.Uint16(t[entry:]) == 0x0112 {
			if o := orientation(order.Uint16(t[entry+8:])); o >= 1 && o <= 8 {
				return o
			}
			return orientNormal
		}
	}
	return orientNormal
}
