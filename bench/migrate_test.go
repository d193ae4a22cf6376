package bench

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/minioserver"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
)

// BenchmarkMigrateMediaVsSync times `s3wizard migrate-media` against `aws s3
// sync` of the same MEDIA_ROOT (2,000 files of 1–4 kB and 20 files of
// 5 MB) to the same bucket and prefix, on two servers:
//
//   - moto: the emulator the other tests use. It serves only so many PUTs
//     per second whatever the client's concurrency (its ceiling is measured
//     and printed), so both clients mostly wait for it;
//   - minio: a real MinIO (internal/minioserver, pinned, built from the Go
//     module proxy), fast enough that the clients' own speed shows.
//
// Each round times, for each side, a fresh upload into an emptied bucket,
// then a rerun with everything already there; rounds runs of each. Times,
// ratios and the requests each side sent are reported, never asserted: it
// fails only when a side fails or leaves objects missing, or when MinIO or
// the AWS CLI is missing.
func BenchmarkMigrateMediaVsSync(b *testing.B) {
	b.Run("moto", func(b *testing.B) {
		s := motoserver.Start(b)
		a := testrun.Answers(b, answersYAML)
		cl := s3.NewFromConfig(s.AWSConfig(b, a.Region), func(o *s3.Options) { o.UsePathStyle = true })
		t := &target{name: "moto", url: s.URL(), env: s.Env(), answers: a, cl: cl,
			fresh: func(b *testing.B) { s.Reset(b); createBucket(b, cl, a.Bucket, a.Region) }}
		fmt.Printf("moto's ceiling: %s\n", putCeiling(b, t))
		benchMigrate(b, t)
	})
	b.Run("minio", func(b *testing.B) {
		srv := minioserver.Start(b)
		// MinIO answers in its own region (us-east-1) only.
		a := testrun.Answers(b, strings.Replace(answersYAML, "region: eu-west-3", "region: us-east-1", 1))
		cl := s3.NewFromConfig(sdk.Config{Region: a.Region, BaseEndpoint: sdk.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider(minioserver.User, minioserver.Password, "")},
			func(o *s3.Options) { o.UsePathStyle = true })
		createBucket(b, cl, a.Bucket, a.Region)
		t := &target{name: "minio", url: srv.URL, env: srv.Env(), answers: a, cl: cl,
			fresh: func(b *testing.B) { emptyBucket(b, cl, a.Bucket) }}
		benchMigrate(b, t)
	})
}

// rounds is how many times each side runs, fresh and rerun, per iteration.
const rounds = 2

// target is one server the two clients upload to. env points the wizard
// and the AWS CLI at it (keys in the environment, never in argv).
type target struct {
	name    string
	url     string
	env     []string
	answers *config.Answers
	cl      *s3.Client
	// fresh leaves the bucket empty and the server warm, untimed.
	fresh func(b *testing.B)
}

func benchMigrate(b *testing.B, t *target) {
	bin := buildWizard(b)
	cli := awsCLI(b)
	dir, files := mediaTree(b)
	testrun.SaveAnswers(b, dir, t.answers)
	bucket := t.answers.Bucket

	// Each side returns its process's CPU time (user + system): against a
	// server that is not the bottleneck, what the client itself costs.
	wizard := func() time.Duration {
		r := runWizardEnv(bin, t.env, dir, "migrate-media", "--env", "staging")
		if r.err != nil {
			b.Fatalf("s3wizard migrate-media: %v\nstdout:\n%s\nstderr:\n%s", r.err, r.stdout, tail(r.stderr))
		}
		return r.cpu
	}
	wizardRerun := func() time.Duration {
		r := runWizardEnv(bin, t.env, dir, "migrate-media", "--env", "staging")
		if r.err != nil || !strings.Contains(r.stdout, fmt.Sprintf("uploaded 0 files (0 B), %d already in the bucket", files)) {
			b.Fatalf("s3wizard migrate-media, rerun: %v\nstdout:\n%s\nstderr:\n%s", r.err, r.stdout, tail(r.stderr))
		}
		return r.cpu
	}
	sync := func() time.Duration {
		cmd := syncCmd(cli, t, dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("aws s3 sync: %v\n%s", err, tail(string(out)))
		}
		return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}

	var wizF, syncF, wizR, syncR, wizCPU, syncCPU []time.Duration
	timed := func(f func() time.Duration, cpu *[]time.Duration) time.Duration {
		start := time.Now()
		c := f()
		d := time.Since(start)
		if cpu != nil {
			*cpu = append(*cpu, c)
		}
		return d
	}
	for i := 0; i < b.N; i++ {
		for range rounds {
			t.fresh(b)
			wizF = append(wizF, timed(wizard, &wizCPU))
			checkCount(b, t.cl, bucket, files, "s3wizard migrate-media")
			wizR = append(wizR, timed(wizardRerun, nil))

			t.fresh(b)
			syncF = append(syncF, timed(sync, &syncCPU))
			checkCount(b, t.cl, bucket, files, "aws s3 sync")
			syncR = append(syncR, timed(sync, nil))
		}
	}

	// The requests each side sends, counted untimed through a proxy: one
	// more fresh upload and rerun each.
	var wizReq, syncReq [2]requests
	func() {
		p := countingProxy(b, t.url)
		defer p.Close()
		pt := *t
		pt.url, pt.env = p.URL, withEndpoint(t.env, p.URL)
		t.fresh(b)
		p.reset()
		if r := runWizardEnv(bin, pt.env, dir, "migrate-media", "--env", "staging"); r.err != nil {
			b.Fatalf("s3wizard migrate-media through the proxy: %v\n%s", r.err, tail(r.stderr))
		}
		wizReq[0] = p.reset()
		if r := runWizardEnv(bin, pt.env, dir, "migrate-media", "--env", "staging"); r.err != nil {
			b.Fatalf("s3wizard migrate-media through the proxy: %v\n%s", r.err, tail(r.stderr))
		}
		wizReq[1] = p.reset()
		t.fresh(b)
		p.reset()
		for j := range 2 {
			if out, err := syncCmd(cli, &pt, dir).CombinedOutput(); err != nil {
				b.Fatalf("aws s3 sync through the proxy: %v\n%s", err, tail(string(out)))
			}
			syncReq[j] = p.reset()
		}
	}()

	ms := func(ds []time.Duration) float64 {
		var sum time.Duration
		for _, d := range ds {
			sum += d
		}
		return float64(sum.Milliseconds()) / float64(len(ds))
	}
	b.ReportMetric(ms(wizF), "migrate-ms")
	b.ReportMetric(ms(syncF), "sync-ms")
	b.ReportMetric(ms(syncF)/ms(wizF), "ratio")
	b.ReportMetric(ms(wizR), "migrate-rerun-ms")
	b.ReportMetric(ms(syncR), "sync-rerun-ms")
	b.ReportMetric(ms(syncR)/ms(wizR), "rerun-ratio")
	fmt.Printf("%s, migrate-media vs aws s3 sync, %d files, %d runs each:\n", t.name, files, len(wizF))
	fmt.Printf("  fresh upload: s3wizard %s, aws s3 sync %s: %s (target ≥ 3×); client CPU: s3wizard %s, aws s3 sync %s; requests: s3wizard %s; aws s3 sync %s\n",
		spread(wizF), spread(syncF), ratios(syncF, wizF), spread(wizCPU), spread(syncCPU), wizReq[0], syncReq[0])
	fmt.Printf("  rerun, everything there: s3wizard %s, aws s3 sync %s: %s; requests: s3wizard %s; aws s3 sync %s\n",
		spread(wizR), spread(syncR), ratios(syncR, wizR), wizReq[1], syncReq[1])
}

// spread is "1.2 s" or "1.2–1.5 s": the range of ds.
func spread(ds []time.Duration) string {
	lo, hi := slices.Min(ds), slices.Max(ds)
	if fmt.Sprintf("%.1f", lo.Seconds()) == fmt.Sprintf("%.1f", hi.Seconds()) {
		return fmt.Sprintf("%.1f s", lo.Seconds())
	}
	return fmt.Sprintf("%.1f–%.1f s", lo.Seconds(), hi.Seconds())
}

// ratios is the range of slow[i]/fast[i] over the rounds.
func ratios(slow, fast []time.Duration) string {
	var rs []float64
	for i := range slow {
		rs = append(rs, slow[i].Seconds()/fast[i].Seconds())
	}
	lo, hi := slices.Min(rs), slices.Max(rs)
	if fmt.Sprintf("%.2f", lo) == fmt.Sprintf("%.2f", hi) {
		return fmt.Sprintf("%.2f×", lo)
	}
	return fmt.Sprintf("%.2f–%.2f×", lo, hi)
}

// syncCmd is `aws s3 sync` of the project's media/ to the bucket's media/;
// the keys come from t.env, never argv.
func syncCmd(cli string, t *target, dir string) *exec.Cmd {
	cmd := exec.Command(cli, "s3", "sync", filepath.Join(dir, "media"), "s3://"+t.answers.Bucket+"/media/",
		"--endpoint-url", t.url, "--region", t.answers.Region, "--only-show-errors", "--no-progress")
	cmd.Env = cleanEnv(t.env...)
	return cmd
}

// withEndpoint is env with AWS_ENDPOINT_URL set to url.
func withEndpoint(env []string, url string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			out = append(out, kv)
		}
	}
	return append(out, "AWS_ENDPOINT_URL="+url)
}

// requests counts what a client sent, by S3 operation as far as the method
// and query tell.
type requests map[string]int

func (r requests) String() string {
	total := 0
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(r)) {
		total += r[k]
		parts = append(parts, fmt.Sprintf("%d %s", r[k], k))
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}

// proxy forwards to a server and counts the requests.
type proxy struct {
	*httptest.Server
	mu sync.Mutex
	n  requests
}

func countingProxy(b *testing.B, target string) *proxy {
	b.Helper()
	u, err := url.Parse(target)
	if err != nil {
		b.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &proxy{n: requests{}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := r.Method
		q := r.URL.Query()
		switch {
		case r.Method == http.MethodGet && q.Has("list-type"):
			op = "ListObjectsV2"
		case r.Method == http.MethodPut && q.Has("partNumber"):
			op = "UploadPart"
		case r.Method == http.MethodPost && q.Has("uploads"):
			op = "CreateMultipartUpload"
		case r.Method == http.MethodPost && q.Has("uploadId"):
			op = "CompleteMultipartUpload"
		case r.Method == http.MethodPut:
			op = "PutObject"
		case r.Method == http.MethodHead:
			op = "HeadObject"
		}
		p.mu.Lock()
		p.n[op]++
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	return p
}

// reset returns the counts so far and starts again.
func (p *proxy) reset() requests {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.n
	p.n = requests{}
	return n
}

// putCeiling measures how many small PUTs per second the server accepts
// from this process's SDK at 4, 16 and 32 uploads in flight (400 each),
// untimed as far as the benchmark goes.
func putCeiling(b *testing.B, t *target) string {
	b.Helper()
	t.fresh(b)
	body := bytes.Repeat([]byte("x"), 2500)
	var parts []string
	for _, workers := range []int{4, 16, 32} {
		const n = 400
		var wg sync.WaitGroup
		var next atomic.Int64
		var firstErr atomic.Value
		start := time.Now()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1)
					if i > n {
						return
					}
					_, err := t.cl.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &t.answers.Bucket,
						Key: sdk.String(fmt.Sprintf("ceiling/%d-%d", workers, i)), Body: bytes.NewReader(body)})
					if err != nil {
						firstErr.CompareAndSwap(nil, err)
					}
				}
			}()
		}
		wg.Wait()
		if err, _ := firstErr.Load().(error); err != nil {
			b.Fatalf("measuring the PUT ceiling: %v", err)
		}
		parts = append(parts, fmt.Sprintf("%.0f/s at %d in flight", n/time.Since(start).Seconds(), workers))
	}
	return "small PUTs (2.5 kB) " + strings.Join(parts, ", ")
}

// mediaTree writes the benchmark's MEDIA_ROOT (the project's media/):
// 2,000 small files in 40 folders and 20 files of 5 MB, random bytes.
func mediaTree(b *testing.B) (dir string, files int) {
	b.Helper()
	dir = b.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	write := func(rel string, size int) {
		p := filepath.Join(dir, "media", rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, size)
		for i := range buf {
			buf[i] = byte(rng.UintN(256))
		}
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
		files++
	}
	for i := range 2000 {
		write(fmt.Sprintf("blog/%02d/img-%04d.jpg", i%40, i), 1000+rng.IntN(3000))
	}
	for i := range 20 {
		write(fmt.Sprintf("videos/clip-%02d.mp4", i), 5<<20)
	}
	if err := os.WriteFile(filepath.Join(dir, "manage.py"), []byte("# MEDIA_ROOT defaults to ./media\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir, files
}

// createBucket makes the bucket, then warms S3 (moto imports its S3 model
// on the first upload after a reset, ~3 s), untimed.
func createBucket(b *testing.B, cl *s3.Client, bucket, region string) {
	b.Helper()
	ctx := context.Background()
	in := &s3.CreateBucketInput{Bucket: &bucket}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	if _, err := cl.CreateBucket(ctx, in); err != nil {
		b.Fatal(err)
	}
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: sdk.String("warm"), Body: strings.NewReader("x")}); err != nil {
		b.Fatal(err)
	}
	if _, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: sdk.String("warm")}); err != nil {
		b.Fatal(err)
	}
}

// emptyBucket deletes every object in the bucket, untimed.
func emptyBucket(b *testing.B, cl *s3.Client, bucket string) {
	b.Helper()
	ctx := context.Background()
	pg := s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: &bucket})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(page.Contents) == 0 {
			continue
		}
		var ids []s3types.ObjectIdentifier
		for _, o := range page.Contents {
			ids = append(ids, s3types.ObjectIdentifier{Key: o.Key})
		}
		out, err := cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &s3types.Delete{Objects: ids, Quiet: sdk.Bool(true)}})
		if err != nil {
			b.Fatal(err)
		}
		if len(out.Errors) > 0 {
			b.Fatalf("empty bucket: %s: %s", sdk.ToString(out.Errors[0].Key), sdk.ToString(out.Errors[0].Message))
		}
	}
}

func checkCount(b *testing.B, cl *s3.Client, bucket string, want int, who string) {
	b.Helper()
	n := 0
	pg := s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: sdk.String("media/")})
	for pg.HasMorePages() {
		page, err := pg.NextPage(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		n += len(page.Contents)
	}
	if n != want {
		b.Fatalf("%s left %d objects under media/, want %d", who, n, want)
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return "…" + s[len(s)-3000:]
	}
	return s
}
