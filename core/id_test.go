package core

import (
	"testing"
	"time"
)

func TestNewIDSortsInCreationOrder(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	prev := NewID(now.Add(-time.Millisecond))
	for i := 0; i < 10000; i++ {
		at := now
		if i%1000 == 999 {
			now = now.Add(time.Millisecond)
		}
		id := NewID(at)
		if !ValidID(id) {
			t.Fatalf("NewID = %q is not valid", id)
		}
		if id <= prev {
			t.Fatalf("id %d: %s does not sort after %s", i, id, prev)
		}
		prev = id
	}
	for _, bad := range []string{"", "short", "IIIIIIIIIIIIIIIIIIIIIIIIII", "8ZZZZZZZZZZZZZZZZZZZZZZZZZ"} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}

func TestIDTime(t *testing.T) {
	at := time.Date(2026, 12, 7, 22, 30, 15, 123e6, time.UTC)
	got, err := IDTime(NewID(at))
	if err != nil || !got.Equal(at) {
		t.Fatalf("IDTime = %v, %v; want %v", got, err, at)
	}
	if _, err := IDTime("not an id"); err == nil {
		t.Fatal("IDTime of a non-id")
	}
}
