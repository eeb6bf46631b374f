package blobs

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkPut1GB puts 1 GiB into each store, from a generated stream (a
// random 1 MiB block over and over, so generating costs nothing), or from the
// file ENTENTE_BENCH_FILE names, to compare with sha256sum of that file. It
// reports the process's peak RSS, which must stay far below the file's size.
//
//	go test -run '^$' -bench Put1GB -benchtime 1x ./internal/blobs
func BenchmarkPut1GB(b *testing.B) {
	for _, name := range []string{"fs", "s3"} {
		b.Run(name, func(b *testing.B) {
			var s Store
			if name == "fs" {
				fs, err := NewFS(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				s = fs
			} else {
				s3, err := NewS3(context.Background(), versitygw(b))
				if err != nil {
					b.Fatal(err)
				}
				s = s3
			}
			file := os.Getenv("ENTENTE_BENCH_FILE")
			var size int64 = 1 << 30
			if file != "" {
				info, err := os.Stat(file)
				if err != nil {
					b.Fatal(err)
				}
				size = info.Size()
			}
			b.SetBytes(size)
			b.ResetTimer()
			for range b.N {
				var r io.Reader = io.LimitReader(repeat(random(1<<20)), size)
				if file != "" {
					f, err := os.Open(file)
					if err != nil {
						b.Fatal(err)
					}
					defer f.Close()
					r = f
				}
				if blob, err := s.Put(context.Background(), r, 0); err != nil || blob.Size != size {
					b.Fatalf("%+v %v", blob, err)
				}
			}
			b.StopTimer()
			if kb := peakRSS(); kb > 0 {
				b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
			}
		})
	}
}

// repeat reads block over and over.
type repeat []byte

func (r repeat) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], r)
	}
	return n, nil
}

// peakRSS returns the process's peak resident set (VmHWM) in KiB, 0 when
// /proc does not say.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}
