package cli_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testbin"
	"github.com/s3wizard/s3wizard/internal/testrun"
)

// mediaProject is a Django project whose settings put MEDIA_ROOT at
// BASE_DIR / "uploads", with files uploaded there, and an env whose bucket
// exists: what migrate-media finds after the wizard ran.
func mediaProject(t *testing.T, s *motoserver.Server, files int) string {
	t.Helper()
	dir := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n")
	write("proj/__init__.py", "")
	write("proj/settings.py", "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nMEDIA_URL = '/media/'\nMEDIA_ROOT = BASE_DIR / \"uploads\"  # user files\n")
	for i := range files {
		write(fmt.Sprintf("uploads/blog/%03d/photo-%d.jpg", i%50, i), strings.Repeat(fmt.Sprint(i), 200))
	}
	a := testrun.Answers(t, stagingAnswers)
	testrun.SaveAnswers(t, dir, a)
	if _, err := s3client(t, s, "", "").CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &a.Bucket, CreateBucketConfiguration: &s3typesCBC}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func countObjects(t *testing.T, cl *s3.Client) int {
	t.Helper()
	n := 0
	p := s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: sdk.String("mon-app-media-staging"), Prefix: sdk.String("media/")})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Contents)
	}
	return n
}

// TestMigrateMediaKilledMidwayResumes kills the process (SIGKILL, no
// cleanup) during the uploads: the rerun uploads exactly what is missing
// and skips what is there.
func TestMigrateMediaKilledMidwayResumes(t *testing.T) {
	s := motoserver.Shared(t)
	const total = 1200
	dir := mediaProject(t, s, total)
	cl := s3client(t, s, "", "")

	cmd := exec.Command(testbin.Path(t), "migrate-media", "--env", "staging")
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, s.Env()...)
	// Without a terminal the process writes a progress line every 100
	// files it has uploaded ("100/1200 files · …"): the kill waits for the
	// first, not for a guessed time.
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	hundred := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() { // drained to the end: the process never blocks on it
			if !signalled && strings.Contains(sc.Text(), fmt.Sprintf("/%d files · ", total)) {
				signalled = true
				close(hundred)
			}
		}
	}()
	select {
	case <-hundred:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no progress line (100 files uploaded) within 60s")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// What is in the bucket now was uploaded before the kill; moto may
	// still finish a request it had received, so this is a lower bound of
	// what the rerun finds there.
	before := countObjects(t, cl)
	if before < 100 || before >= total {
		t.Fatalf("%d of %d files up at the kill: want from 100 (the progress line) to fewer than all, or the test proves nothing", before, total)
	}
	t.Logf("killed with %d of %d files uploaded", before, total)

	r := run(t, dir, s.Env(), "migrate-media", "--env", "staging")
	mustOK(t, r)
	// Exactly what was missing is uploaded: every file once, uploaded or
	// skipped, and at least what was up at the kill skipped.
	m := regexp.MustCompile(`uploaded (\d+) files \([^)]*\), (\d+) already in the bucket, 0 failed`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("rerun: no \"uploaded N files (…), M already in the bucket, 0 failed\" in:\n%s", r.stdout)
	}
	uploaded, _ := strconv.Atoi(m[1])
	skipped, _ := strconv.Atoi(m[2])
	if uploaded+skipped != total || skipped < before || uploaded == 0 {
		t.Errorf("rerun uploaded %d and skipped %d of %d; want every file once, at least the %d up at the kill skipped", uploaded, skipped, total, before)
	}
	if !strings.Contains(r.stderr, filepath.Join(dir, "uploads")+" (MEDIA_ROOT, proj/settings.py)") {
		t.Errorf("MEDIA_ROOT from settings not shown:\n%s", r.stderr)
	}
	// No terminal: plain progress lines with files, bytes and rate.
	if !strings.Contains(r.stderr, fmt.Sprintf("%d/%d files · ", total, total)) || !strings.Contains(r.stderr, "/s\n") {
		t.Errorf("no plain progress line:\n%s", r.stderr)
	}
	if n := countObjects(t, cl); n != total {
		t.Errorf("%d objects under media/, want %d", n, total)
	}
	out, err := cl.GetObject(context.Background(), &s3.GetObjectInput{Bucket: sdk.String("mon-app-media-staging"), Key: sdk.String("media/blog/007/photo-1157.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if *out.ContentLength != 800 {
		t.Errorf("photo-1157.jpg is %d bytes in the bucket, want 800", *out.ContentLength)
	}
	// Local files are never deleted.
	if _, err := os.Stat(filepath.Join(dir, "uploads/blog/007/photo-1157.jpg")); err != nil {
		t.Errorf("local file gone: %v", err)
	}

	r = run(t, dir, s.Env(), "migrate-media", "--env", "staging")
	mustOK(t, r)
	if !strings.Contains(r.stdout, fmt.Sprintf("uploaded 0 files (0 B), %d already in the bucket", total)) {
		t.Errorf("third run should upload nothing:\n%s", r.stdout)
	}
}

func TestMigrateMediaDryRunAndFailures(t *testing.T) {
	s := motoserver.Shared(t)
	dir := mediaProject(t, s, 3)
	cl := s3client(t, s, "", "")

	r := run(t, dir, s.Env(), "migrate-media", "--env", "staging", "--dry-run")
	mustOK(t, r)
	if !strings.Contains(r.stdout, "would upload media/blog/001/photo-1.jpg (200 B)") || !strings.Contains(r.stdout, "dry run: 3 to upload") {
		t.Errorf("dry run output:\n%s", r.stdout)
	}
	if n := countObjects(t, cl); n != 0 {
		t.Errorf("dry run uploaded %d objects", n)
	}

	// A file S3 cannot take (key over 1024 bytes): listed, exit 1, the
	// others uploaded.
	long := strings.Repeat("x", 250)
	bad := filepath.Join(dir, "uploads", long, long, long, long, long+".txt")
	if err := os.MkdirAll(filepath.Dir(bad), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, dir, s.Env(), "migrate-media", "--env", "staging")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "uploaded 3 files") || !strings.Contains(r.stdout, "failed "+long+"/") || !strings.Contains(r.stdout, "S3 allows 1024") {
		t.Errorf("failure not listed:\n%s", r.stdout)
	}

	// A wrong --media-root is a usage error before anything happens.
	r = run(t, dir, s.Env(), "migrate-media", "--env", "staging", "--media-root", "nope")
	if r.code != 2 || !strings.Contains(r.stderr, "is not a directory") {
		t.Errorf("bad --media-root: exit %d\n%s", r.code, r.stderr)
	}
}
