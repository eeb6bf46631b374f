package humanitarian

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

// exifJPEG is a small JPEG carrying an APP1 Exif segment with a
// recognisable marker where a phone writes its GPS fix and owner.
func exifJPEG(t testing.TB, marker string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	payload := append([]byte("Exif\x00\x00"), marker...)
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	return append(append(append([]byte{}, raw[:2]...), seg...), raw[2:]...)
}

// TestPhotosLoseWhatTheCameraWrote: a photo's metadata (GPS, owner) is
// gone from what the node keeps and serves; something that is not a photo
// refuses a web report and is left out of an SMS or e-mail.
func TestPhotosLoseWhatTheCameraWrote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		em := mustEmergency(t, w)
		const marker = "GPS -0.8917 119.8707 Owner Siti Rahma"
		data := exifJPEG(t, marker)
		if !bytes.Contains(data, []byte(marker)) {
			t.Fatal("the test photo lacks its metadata")
		}
		r, err := w.svc.Submit(anonymous("203.0.113.4"), ReportInput{EmergencyID: em.ID, Channel: ChannelWeb, Text: "Rumah roboh", Category: "damage", Place: "Palu",
			Photos: []Photo{{Name: "IMG_0001.jpg", MediaType: "image/jpeg", Data: data}}})
		if err != nil || r.Photos != 1 {
			t.Fatalf("submit: %+v %v %v", r, err, fields(err))
		}
		if _, err := w.svc.Decide(as("bnpb", core.RoleAdmin), r.ID, ReportVerified, ""); err != nil {
			t.Fatal(err)
		}
		p, err := w.svc.Photo(anonymous("198.51.100.3"), r.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(p.Data, []byte(marker)) || bytes.Contains(p.Data, []byte("Exif")) || p.MediaType != "image/jpeg" {
			t.Fatalf("the served photo (%s, %d bytes) keeps its metadata", p.MediaType, len(p.Data))
		}
		if _, _, err := image.Decode(bytes.NewReader(p.Data)); err != nil {
			t.Fatalf("the served photo is not an image: %v", err)
		}
		bad := []Photo{{Name: "x.svg", MediaType: "image/svg+xml", Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)}}
		if _, err := w.svc.Submit(anonymous("203.0.113.4"), ReportInput{EmergencyID: em.ID, Channel: ChannelWeb, Text: "x", Category: "damage", Place: "Palu", Photos: bad}); fields(err)["photos"] == "" {
			t.Errorf("a web report with an SVG as its photo: %v", err)
		}
		sms, err := w.svc.Submit(anonymous("203.0.113.4"), ReportInput{EmergencyID: em.ID, Channel: ChannelEmail, Text: "x", Photos: bad})
		if err != nil || sms.Photos != 0 {
			t.Errorf("an e-mail with an SVG: %+v %v; want the report without it", sms, err)
		}
	})
}
