package humanitarian

import (
	"bytes"
	"errors"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
)

// maxPixels bounds a photo's size once decoded, so a small file cannot
// unfold into gigabytes.
const maxPixels = 40_000_000

var errPhoto = errors.New("humanitarian: not a photo this node keeps")

// cleanPhoto decodes a photo and encodes it again, so that nothing but its
// pixels is kept: a phone's JPEG carries where the reporter stood (GPS),
// when, the device and sometimes its owner's name, all of which would be
// public once the report is verified. JPEG, PNG and GIF are kept (a GIF
// as its first frame); anything else is refused.
func cleanPhoto(p Photo) (Photo, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(p.Data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return Photo{}, errPhoto
	}
	img, _, err := image.Decode(bytes.NewReader(p.Data))
	if err != nil {
		return Photo{}, errPhoto
	}
	var out bytes.Buffer
	switch format {
	case "jpeg":
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 85})
	case "png":
		err = png.Encode(&out, img)
	case "gif":
		err = gif.Encode(&out, img, nil)
	default:
		return Photo{}, errPhoto
	}
	if err != nil {
		return Photo{}, errPhoto
	}
	return Photo{Name: p.Name, MediaType: http.DetectContentType(out.Bytes()), Data: out.Bytes()}, nil
}
