package main

import (
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLoginBurstHTTP is issue 13's repro through the whole program: parallel
// wrong passwords on one account get no more guesses evaluated than the
// limit, the right password is refused after it, and the heap stays flat
// (unbounded, 60 parallel argon2id hashes hold over 1 GB).
func TestLoginBurstHTTP(t *testing.T) {
	_, base, pw := demoNode(t)
	const n = 60
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	baseHeap, peak := ms.HeapAlloc, ms.HeapAlloc
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
	}()
	post := func(password string) (int, error) {
		form := url.Values{"email": {"lukas@univ.demo"}, "password": {password}}
		req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		return res.StatusCode, nil
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		codes = map[int]int{}
		start = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			code, err := post("wrong guess " + strconv.Itoa(i))
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	close(stop)
	<-sampled
	if codes[401] != 5 || codes[429] != n-5 {
		t.Errorf("answers %v; want 5 wrong passwords (401) and %d throttled (429)", codes, n-5)
	}
	if grew := (peak - baseHeap) >> 20; grew > 250 {
		t.Errorf("the heap grew by %d MiB during the burst", grew)
	}
	t.Logf("answers %v, heap +%d MiB", codes, (peak-baseHeap)>>20)
	if code, err := post(pw); err != nil || code != 429 {
		t.Errorf("the right password after the burst: %d %v; want 429", code, err)
	}
}
