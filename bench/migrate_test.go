package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
)

// BenchmarkMigrateMediaVsSync times, against one moto_server, (a)
// `s3wizard migrate-media` and (b) `aws s3 sync` of the same MEDIA_ROOT
// (2,000 files of 1–4 kB and 20 files of 5 MB) to the same bucket and
// prefix, each into an emptied moto. Times and ratio are reported, never
// asserted; it fails only when a side fails or leaves objects missing.
func BenchmarkMigrateMediaVsSync(b *testing.B) {
	s := motoserver.Start(b)
	bin := buildWizard(b)
	cli := awsCLI(b)
	dir, files := mediaTree(b)
	a := testrun.Answers(b, answersYAML)
	testrun.SaveAnswers(b, dir, a)
	cl := s3.NewFromConfig(s.AWSConfig(b, a.Region), func(o *s3.Options) { o.UsePathStyle = true })

	// A rerun with everything already there: what a resumed migration
	// pays before it reaches what is missing.
	var wizTotal, syncTotal, wizRerun, syncRerun time.Duration
	for i := 0; i < b.N; i++ {
		freshBucket(b, s, cl, a.Bucket, a.Region)
		start := time.Now()
		if r := runWizard(bin, s, dir, "migrate-media", "--env", "staging"); r.err != nil {
			b.Fatalf("s3wizard migrate-media: %v\nstdout:\n%s\nstderr:\n%s", r.err, r.stdout, tail(r.stderr))
		}
		wizTotal += time.Since(start)
		checkCount(b, cl, a.Bucket, files, "s3wizard migrate-media")
		start = time.Now()
		if r := runWizard(bin, s, dir, "migrate-media", "--env", "staging"); r.err != nil || !strings.Contains(r.stdout, fmt.Sprintf("uploaded 0 files (0 B), %d already in the bucket", files)) {
			b.Fatalf("s3wizard migrate-media, rerun: %v\nstdout:\n%s\nstderr:\n%s", r.err, r.stdout, tail(r.stderr))
		}
		wizRerun += time.Since(start)

		freshBucket(b, s, cl, a.Bucket, a.Region)
		start = time.Now()
		if out, err := syncCmd(cli, s, dir, a.Bucket, a.Region).CombinedOutput(); err != nil {
			b.Fatalf("aws s3 sync: %v\n%s", err, tail(string(out)))
		}
		syncTotal += time.Since(start)
		checkCount(b, cl, a.Bucket, files, "aws s3 sync")
		start = time.Now()
		if out, err := syncCmd(cli, s, dir, a.Bucket, a.Region).CombinedOutput(); err != nil {
			b.Fatalf("aws s3 sync, rerun: %v\n%s", err, tail(string(out)))
		}
		syncRerun += time.Since(start)
	}
	wiz := float64(wizTotal.Milliseconds()) / float64(b.N)
	sync := float64(syncTotal.Milliseconds()) / float64(b.N)
	b.ReportMetric(wiz, "migrate-ms")
	b.ReportMetric(sync, "sync-ms")
	b.ReportMetric(sync/wiz, "ratio")
	wizR := float64(wizRerun.Milliseconds()) / float64(b.N)
	syncR := float64(syncRerun.Milliseconds()) / float64(b.N)
	b.ReportMetric(wizR, "migrate-rerun-ms")
	b.ReportMetric(syncR, "sync-rerun-ms")
	fmt.Printf("migrate-media vs aws s3 sync, %d files: s3wizard %.0f ms, aws s3 sync %.0f ms: %.2f× (target ≥ 3×); rerun with everything there: s3wizard %.0f ms, aws s3 sync %.0f ms\n",
		files, wiz, sync, sync/wiz, wizR, syncR)
}

// syncCmd is `aws s3 sync` of the project's media/ to the bucket's media/.
func syncCmd(cli string, s *motoserver.Server, dir, bucket, region string) *exec.Cmd {
	cmd := exec.Command(cli, "s3", "sync", filepath.Join(dir, "media"), "s3://"+bucket+"/media/",
		"--endpoint-url", s.URL(), "--region", region, "--only-show-errors", "--no-progress")
	cmd.Env = cleanEnv(s.Env()...)
	return cmd
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

// freshBucket empties moto and recreates the bucket, then warms S3 (moto
// imports its S3 model on the first upload after a reset, ~3 s), untimed.
func freshBucket(b *testing.B, s *motoserver.Server, cl *s3.Client, bucket, region string) {
	b.Helper()
	s.Reset(b)
	ctx := context.Background()
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}}); err != nil {
		b.Fatal(err)
	}
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: sdk.String("warm"), Body: strings.NewReader("x")}); err != nil {
		b.Fatal(err)
	}
	if _, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: sdk.String("warm")}); err != nil {
		b.Fatal(err)
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
