package web

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMemo(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	m := NewMemo[int](time.Minute, 2, func() time.Time { return now })
	var calls atomic.Int32
	compute := func() (int, error) { calls.Add(1); time.Sleep(10 * time.Millisecond); return 42, nil }
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := m.Get("a", compute); v != 42 || err != nil {
				t.Errorf("got %d, %v", v, err)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("8 concurrent asks computed %d times", calls.Load())
	}
	now = now.Add(2 * time.Minute)
	m.Get("a", compute)
	if calls.Load() != 2 {
		t.Errorf("an expired value was not computed again")
	}
	if _, err := m.Get("b", func() (int, error) { return 0, errors.New("down") }); err == nil {
		t.Fatal("no error")
	}
	m.Get("b", compute)
	if calls.Load() != 3 {
		t.Errorf("an error was kept")
	}
	m.Get("c", compute)
	m.Get("d", compute)
	if len(m.m) > 2 {
		t.Errorf("%d keys kept, at most 2", len(m.m))
	}
}
