package migrate_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/migrate"
)

var (
	srv     *motoserver.Server
	buckets int
)

// client creates a fresh bucket in the package's one moto (a reset would
// make the next upload pay moto's warm-up again) and returns its name.
func client(t *testing.T) (*s3.Client, string) {
	t.Helper()
	if srv == nil {
		srv = motoserver.Shared(t)
	}
	s := srv
	buckets++
	bucket := fmt.Sprintf("media-bucket-%d", buckets)
	cl := s3.NewFromConfig(s.AWSConfig(t, "us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := cl.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	return cl, bucket
}

// tree writes files under a fresh MEDIA_ROOT: path → content.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, body := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func keys(fs []migrate.File) []string {
	var k []string
	for _, f := range fs {
		k = append(k, f.Key)
	}
	sort.Strings(k)
	return k
}

func get(t *testing.T, cl *s3.Client, bucket, key string) (string, string) {
	t.Helper()
	out, err := cl.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b), sdk.ToString(out.ContentType)
}

func TestUploadsUnderMediaWithSameKeysThenSkipsEverything(t *testing.T) {
	cl, bucket := client(t)
	files := map[string]string{
		"blog/2024/photo.jpg":    "jpeg bytes",
		"products/sheet.pdf":     "pdf bytes",
		"profile/été avatar.png": "png bytes",
		"notes.txt":              "",
	}
	root := tree(t, files)
	ctx := context.Background()

	var progress bytes.Buffer
	res, err := migrate.Run(ctx, cl, migrate.Options{Root: root, Bucket: bucket, Progress: &progress, Every: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Uploaded) != 4 || len(res.Skipped) != 0 || len(res.Failed) != 0 {
		t.Fatalf("first run: uploaded %v skipped %v failed %v", keys(res.Uploaded), keys(res.Skipped), res.Failed)
	}
	for rel, body := range files {
		got, _ := get(t, cl, bucket, "media/"+rel)
		if got != body {
			t.Errorf("media/%s holds %q, want %q", rel, got, body)
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			t.Errorf("local file %s: %v (must never be deleted)", rel, err)
		}
	}
	if _, ct := get(t, cl, bucket, "media/blog/2024/photo.jpg"); ct != "image/jpeg" {
		t.Errorf("photo.jpg content type %q, want image/jpeg (browsers must display it)", ct)
	}
	// Plain progress: a line every 2 files with files, bytes and rate.
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "4/4 files · 28 B/28 B · ") || !strings.HasSuffix(lines[1], "/s") {
		t.Errorf("progress lines:\n%s", progress.String())
	}

	// The rerun decides from the one listing (size, and the ETag that is
	// the MD5 of a single-part upload): no request per file.
	counted := &headCounter{Client: cl}
	res, err = migrate.Run(ctx, counted, migrate.Options{Root: root, Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Uploaded) != 0 || len(res.Skipped) != 4 {
		t.Errorf("second run uploaded %v, skipped %v: want everything skipped", keys(res.Uploaded), keys(res.Skipped))
	}
	if counted.heads.Load() != 0 {
		t.Errorf("second run made %d HEAD requests, want none (the listing decides)", counted.heads.Load())
	}
}

// headCounter is the real client, counting its HEAD requests.
type headCounter struct {
	*s3.Client
	heads atomic.Int32
}

func (h *headCounter) HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	h.heads.Add(1)
	return h.Client.HeadObject(ctx, in, opts...)
}

// A same-sized object with other content (a different file under the same
// name) is uploaded again: the size alone does not decide.
func TestSameSizeOtherContentIsUploadedAgain(t *testing.T) {
	cl, bucket := client(t)
	root := tree(t, map[string]string{"blog/a.txt": "new content", "blog/b.txt": "same content"})
	ctx := context.Background()
	put := func(key, body string) {
		// As another tool would: no SHA-256 of ours (the SDK adds its own
		// CRC), so the ETag (MD5) is what is compared.
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	put("media/blog/a.txt", "old content")
	put("media/blog/b.txt", "same content")
	res, err := migrate.Run(ctx, cl, migrate.Options{Root: root, Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(res.Uploaded); len(got) != 1 || got[0] != "media/blog/a.txt" {
		t.Errorf("uploaded %v, want only media/blog/a.txt (b.txt is identical)", got)
	}
	if body, _ := get(t, cl, bucket, "media/blog/a.txt"); body != "new content" {
		t.Errorf("a.txt holds %q after the run", body)
	}
	// Now a.txt carries our SHA-256: overwrite it with same-sized other
	// bytes carrying their own SHA-256, and it is replaced again.
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: sdk.String("media/blog/a.txt"),
		Body: strings.NewReader("NEW CONTENT"), ChecksumAlgorithm: "SHA256"}); err != nil {
		t.Fatal(err)
	}
	res, err = migrate.Run(ctx, cl, migrate.Options{Root: root, Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(res.Uploaded); len(got) != 1 || got[0] != "media/blog/a.txt" {
		t.Errorf("after a same-size overwrite: uploaded %v, want media/blog/a.txt", got)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	cl, bucket := client(t)
	root := tree(t, map[string]string{"a.txt": "a", "b/c.txt": "c"})
	ctx := context.Background()
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: sdk.String("media/a.txt"), Body: strings.NewReader("a")}); err != nil {
		t.Fatal(err)
	}
	res, err := migrate.Run(ctx, cl, migrate.Options{Root: root, Bucket: bucket, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(res.Uploaded); len(got) != 1 || got[0] != "media/b/c.txt" || len(res.Skipped) != 1 {
		t.Errorf("dry run would upload %v, skip %v; want media/b/c.txt and a.txt skipped", got, keys(res.Skipped))
	}
	if _, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: sdk.String("media/b/c.txt")}); err == nil {
		t.Error("dry run uploaded media/b/c.txt")
	}
}

// Files S3 cannot take are reported one by one; the others are uploaded.
func TestUnuploadableFilesAreListedAndTheRestGoes(t *testing.T) {
	cl, bucket := client(t)
	long := strings.Repeat("d", 250)
	deep := fmt.Sprintf("%s/%s/%s/%s/%s.txt", long, long, long, long, long)
	root := tree(t, map[string]string{"ok.txt": "fine", deep: "too long a key"})
	res, err := migrate.Run(context.Background(), cl, migrate.Options{Root: root, Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failed) != 1 || res.Failed[0].File.Rel != deep || !strings.Contains(res.Failed[0].Err.Error(), "1024") {
		t.Errorf("failed %v, want the over-long key", res.Failed)
	}
	if got := keys(res.Uploaded); len(got) != 1 || got[0] != "media/ok.txt" {
		t.Errorf("uploaded %v", got)
	}
}
