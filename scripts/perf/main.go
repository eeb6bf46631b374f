// Command perf measures a built entente binary the way docs/performance.md
// reports it: time from start to /readyz, idle memory, latency of the login
// and home pages under a fixed request rate from this separate process, and
// the compressed size of each page. Run it with `make perf`.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/entente", "entente binary to measure")
	rate := flag.Int("rate", 200, "requests per second for the load runs")
	dur := flag.Duration("duration", 20*time.Second, "length of each load run")
	starts := flag.Int("starts", 5, "cold starts to time")
	flag.Parse()
	if err := measure(*bin, *rate, *dur, *starts); err != nil {
		fmt.Fprintln(os.Stderr, "perf:", err)
		os.Exit(1)
	}
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type proc struct {
	cmd    *exec.Cmd
	base   string
	stdout *strings.Builder
}

// start runs the binary on a fresh data directory and returns once /readyz
// answers 200, with the time that took.
func start(bin, data string, demo bool) (*proc, time.Duration, error) {
	addr := freeAddr()
	args := []string{"serve", "--addr", addr, "--data", data, "--log-level", "warn"}
	if demo {
		args = append(args, "--demo")
	}
	cmd := exec.Command(bin, args...)
	out := &strings.Builder{}
	var mu sync.Mutex
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	go func() {
		s := bufio.NewScanner(pr)
		for s.Scan() {
			mu.Lock()
			out.WriteString(s.Text() + "\n")
			mu.Unlock()
		}
	}()
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	base := "http://" + addr
	for time.Since(t0) < 30*time.Second {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				d := time.Since(t0)
				time.Sleep(100 * time.Millisecond) // let stdout drain
				return &proc{cmd: cmd, base: base, stdout: out}, d, nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Kill()
	return nil, 0, fmt.Errorf("no /readyz within 30 s")
}

func (p *proc) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	p.cmd.Wait()
}

func rssMB(pid int) float64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:")), "%f", &kb)
			return kb / 1024
		}
	}
	return -1
}

func measure(bin string, rate int, dur time.Duration, starts int) error {
	tmp, err := os.MkdirTemp("", "entente-perf")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	var cold []time.Duration
	for i := 0; i < starts; i++ {
		p, d, err := start(bin, filepath.Join(tmp, fmt.Sprintf("cold%d", i)), false)
		if err != nil {
			return err
		}
		cold = append(cold, d)
		if i == 0 {
			time.Sleep(2 * time.Second)
			fmt.Printf("idle RSS of a new node (no demo data): %.1f MB\n", rssMB(p.cmd.Process.Pid))
		}
		p.stop()
	}
	sort.Slice(cold, func(i, j int) bool { return cold[i] < cold[j] })
	fmt.Printf("start to /readyz, first start (new data dir, keys, migrations), %d runs: median %v, max %v\n", starts, cold[len(cold)/2].Round(time.Millisecond), cold[len(cold)-1].Round(time.Millisecond))

	// Restart on existing data: the everyday case.
	var warm []time.Duration
	for i := 0; i < starts; i++ {
		p, d, err := start(bin, filepath.Join(tmp, "cold0"), false)
		if err != nil {
			return err
		}
		warm = append(warm, d)
		p.stop()
	}
	sort.Slice(warm, func(i, j int) bool { return warm[i] < warm[j] })
	fmt.Printf("start to /readyz, restart on existing data, %d runs: median %v, max %v\n", starts, warm[len(warm)/2].Round(time.Millisecond), warm[len(warm)-1].Round(time.Millisecond))

	p, d, err := start(bin, filepath.Join(tmp, "demo"), true)
	if err != nil {
		return err
	}
	defer p.stop()
	fmt.Printf("start to /readyz with --demo (loads the demo world): %v\n", d.Round(time.Millisecond))
	m := regexp.MustCompile(`\n  (demo-[a-z0-9]+)\n`).FindStringSubmatch(p.stdout.String())
	if m == nil {
		return fmt.Errorf("no demo password in output:\n%s", p.stdout)
	}
	time.Sleep(2 * time.Second)
	fmt.Printf("idle RSS after start with demo data: %.1f MB\n", rssMB(p.cmd.Process.Pid))

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(p.base+"/login", url.Values{"email": {"sari@kemlu.demo"}, "password": {m[1]}})
	if err != nil || res.StatusCode != 303 {
		return fmt.Errorf("login: %v %v", err, res)
	}
	res.Body.Close()
	u, _ := url.Parse(p.base)
	var cookie string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "entente_session" {
			cookie = ck.Name + "=" + ck.Value
		}
	}

	fmt.Println("\ncompressed size of the first HTML of each page (gzip, as sari@kemlu.demo / anonymous):")
	for _, path := range []string{"/login", "/", "/orgs", "/orgs/kemlu", "/people", "/people/new", "/account", "/account/two-factor", "/no-such-page"} {
		ck := cookie
		if path == "/login" {
			ck = ""
		}
		n, status := gzSize(p.base+path, ck)
		fmt.Printf("  %-22s %5d bytes (status %d)\n", path, n, status)
	}

	fmt.Printf("\nlatency at %d requests/s for %v, from a separate process over loopback:\n", rate, dur)
	for _, tc := range []struct{ name, path, cookie string }{
		{"login page (GET /login)", "/login", ""},
		{"home page (GET /, signed in)", "/", cookie},
	} {
		lat, errs := load(p.base+tc.path, tc.cookie, rate, dur)
		fmt.Printf("  %-30s n=%d errors=%d p50=%v p90=%v p99=%v max=%v\n", tc.name, len(lat), errs, pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 100))
	}
	fmt.Printf("RSS after load: %.1f MB\n", rssMB(p.cmd.Process.Pid))
	return nil
}

func gzSize(u, cookie string) (int, int) {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return -1, 0
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return len(b), res.StatusCode
}

// load sends requests at a fixed rate (open loop: a slow answer does not slow
// the sender, so queueing shows in the latencies) and returns each latency.
func load(u, cookie string, rate int, dur time.Duration) ([]time.Duration, int) {
	tr := &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: false}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	var wg sync.WaitGroup
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return lat, errs
		case <-tick.C:
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", u, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			if cookie != "" {
				req.Header.Set("Cookie", cookie)
			}
			t0 := time.Now()
			res, err := client.Do(req)
			if err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || res.StatusCode != 200 {
				errs++
				return
			}
			lat = append(lat, d)
		}()
	}
}

func pct(lat []time.Duration, p int) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := len(s) * p / 100
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i].Round(10 * time.Microsecond)
}
