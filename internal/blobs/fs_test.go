package blobs

import (
	"io/fs"
	"path/filepath"
	"testing"
)

func TestFS(t *testing.T) {
	testContract(t, func(t *testing.T) contract {
		dir := t.TempDir()
		s, err := NewFS(dir)
		if err != nil {
			t.Fatal(err)
		}
		return contract{store: s, list: func(t *testing.T) []string {
			var out []string
			err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					out = append(out, p)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}}
	})
}

func TestFSLayout(t *testing.T) {
	dir := t.TempDir()
	s, err := NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := mustPut(t, s, []byte("abc"), 0)
	want := filepath.Join(dir, "ba", "78", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
	if b.SHA256 != filepath.Base(want) {
		t.Fatalf("sha256(abc) = %s", b.SHA256)
	}
	if _, err := filepath.Glob(want); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(want); len(m) != 1 {
		t.Fatalf("no file at %s", want)
	}
}
