package bench

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// latencyProxy is a reverse proxy in front of moto that holds every request
// for a fixed delay before forwarding it: on loopback every call is nearly
// free, on AWS each one pays a round trip. It counts requests and the most
// that were in flight at once, which shows how much of the run overlaps.
type latencyProxy struct {
	delay    time.Duration
	requests atomic.Int64
	inFlight atomic.Int64
	maxMu    sync.Mutex
	max      int64
	url      string
	srv      *http.Server
	trace    bool      // S3WIZARD_BENCH_TRACE=1: print each request as it arrives and once answered (the time moto took)
	t0       time.Time // start of the measured run, for the trace
}

func startLatencyProxy(tb testing.TB, target string, delay time.Duration) *latencyProxy {
	tb.Helper()
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &latencyProxy{delay: delay, trace: os.Getenv("S3WIZARD_BENCH_TRACE") == "1", t0: time.Now()}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		n := p.inFlight.Add(1)
		p.maxMu.Lock()
		p.max = max(p.max, n)
		p.maxMu.Unlock()
		defer p.inFlight.Add(-1)
		if p.trace {
			fmt.Printf("  +%5dms %s\n", time.Since(p.t0).Milliseconds(), describe(r))
		}
		time.Sleep(p.delay)
		sent := time.Now()
		rp.ServeHTTP(w, r)
		if p.trace {
			fmt.Printf("  +%5dms   answered %s (%d ms behind the proxy)\n", time.Since(p.t0).Milliseconds(), describe(r), time.Since(sent).Milliseconds())
		}
	}), ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p.url = "http://" + ln.Addr().String()
	go func() { _ = p.srv.Serve(ln) }()
	tb.Cleanup(func() { _ = p.srv.Close() })
	return p
}

// reset zeroes the counters between two measured runs.
func (p *latencyProxy) reset() {
	p.t0 = time.Now()
	p.requests.Store(0)
	p.maxMu.Lock()
	p.max = 0
	p.maxMu.Unlock()
}

// env points a child process at the proxy instead of moto.
func (p *latencyProxy) env(s *motoserver.Server) []string {
	var env []string
	for _, kv := range s.Env() {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			kv = "AWS_ENDPOINT_URL=" + p.url
		}
		env = append(env, kv)
	}
	return env
}

// latencyDelay is the delay added to every request: 100 ms unless
// S3WIZARD_BENCH_LATENCY_MS says otherwise.
func latencyDelay(tb testing.TB) time.Duration {
	ms := 100
	if v := os.Getenv("S3WIZARD_BENCH_LATENCY_MS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			tb.Fatalf("S3WIZARD_BENCH_LATENCY_MS=%q: want a positive whole number of milliseconds", v)
		}
		ms = n
	}
	return time.Duration(ms) * time.Millisecond
}

// BenchmarkApplyLatency runs the benchmark's staging setup through a proxy
// that adds a fixed delay to every AWS request, as a real network does, and
// reports for a fresh apply and for a second apply that changes nothing:
// the requests made, the wall time, and the wall time in round trips
// (wall ÷ delay): how many request-delays deep the run is once its
// concurrency is counted. Reported, never asserted.
func BenchmarkApplyLatency(b *testing.B) {
	s := motoserver.Start(b)
	bin := buildWizard(b)
	delay := latencyDelay(b)
	p := startLatencyProxy(b, s.URL(), delay)

	type run struct {
		name     string
		requests int64
		maxPar   int64
		wall     time.Duration
	}
	var runs []run
	measure := func(name, dir string) {
		p.reset()
		start := time.Now()
		cmd := runWizardEnv(bin, p.env(s), dir, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
		wall := time.Since(start)
		if cmd.err != nil {
			b.Fatalf("%s: s3wizard apply: %v\nstdout:\n%s\nstderr:\n%s", name, cmd.err, cmd.stdout, cmd.stderr)
		}
		p.maxMu.Lock()
		mx := p.max
		p.maxMu.Unlock()
		runs = append(runs, run{name, p.requests.Load(), mx, wall})
	}
	for i := 0; i < b.N; i++ {
		s.Reset(b)
		warm(b, bin, s)
		dir := newProject(b)
		measure("fresh apply", dir)
		measure("no-op apply", dir)
	}
	for i, r := range runs {
		if i >= 2 { // report the first iteration's pair
			break
		}
		rt := float64(r.wall) / float64(delay)
		fmt.Printf("%-12s at %v per request: %3d requests, at most %2d at once, wall %6.2f s = %5.1f round trips\n",
			r.name, delay, r.requests, r.maxPar, r.wall.Seconds(), rt)
		unit := strings.ReplaceAll(r.name, " ", "-")
		b.ReportMetric(float64(r.requests), unit+"-requests")
		b.ReportMetric(rt, unit+"-round-trips")
	}
}

// describe names a request for the trace: the query or JSON API's action,
// or the S3 method and path.
func describe(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t
	}
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if q, err := url.ParseQuery(string(body)); err == nil && q.Get("Action") != "" {
			return q.Get("Action")
		}
	}
	return r.Method + " " + r.URL.RequestURI()
}
