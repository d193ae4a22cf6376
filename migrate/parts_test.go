package migrate_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/migrate"
)

// TestLargeFileGoesUpInPartsAndIsSkippedOnRerun: a file above the
// multipart threshold (5 GiB in use; 6 MiB here, with 5 MiB parts, S3's
// least) is uploaded in parts, arrives whole, and a rerun skips it from the
// listing's multipart ETag without a HEAD or an upload. Before the transfer
// manager, every file went up in one PutObject and one over 5 GiB failed.
func TestLargeFileGoesUpInPartsAndIsSkippedOnRerun(t *testing.T) {
	cl, bucket := client(t)
	big := make([]byte, 11<<20+123)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range big {
		big[i] = byte(r.Uint32())
	}
	root := tree(t, map[string]string{"videos/big.mp4": string(big), "small.txt": "small"})
	ctx := context.Background()
	o := migrate.Options{Root: root, Bucket: bucket, MultipartAbove: 6 << 20, PartSize: 5 << 20}
	res, err := migrate.Run(ctx, cl, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failed) != 0 || len(res.Uploaded) != 2 {
		t.Fatalf("uploaded %v, failed %v: want both uploaded", keys(res.Uploaded), res.Failed)
	}
	head, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: sdk.String("media/videos/big.mp4")})
	if err != nil {
		t.Fatal(err)
	}
	if etag := strings.Trim(sdk.ToString(head.ETag), `"`); !strings.HasSuffix(etag, "-3") {
		t.Errorf("big.mp4's ETag %q: want a 3-part upload's (…-3)", etag)
	}
	if got, ct := get(t, cl, bucket, "media/videos/big.mp4"); got != string(big) || ct != "video/mp4" {
		t.Errorf("big.mp4 in the bucket: %d bytes, content type %q; want the file's %d bytes, video/mp4", len(got), ct, len(big))
	}

	counted := &headCounter{Client: cl}
	res, err = migrate.Run(ctx, counted, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Uploaded) != 0 || len(res.Skipped) != 2 {
		t.Errorf("rerun uploaded %v, skipped %v: want both skipped", keys(res.Uploaded), keys(res.Skipped))
	}
	if n := counted.heads.Load(); n != 0 {
		t.Errorf("rerun made %d HEAD requests; want none (the listed ETags decide)", n)
	}
}

// TestPartedSkipDecisionOnAWSShapes: under SSE-KMS the listed ETag of an
// object uploaded in parts is opaque; the HEAD's composite SHA-256 (of the
// parts' SHA-256s, "-<parts>", which moto's HeadObject does not return)
// decides. "hello" in parts of 2 bytes: "he", "ll", "o".
func TestPartedSkipDecisionOnAWSShapes(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.jpg"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	var digests []byte
	for _, part := range []string{"he", "ll", "o"} {
		d := sha256.Sum256([]byte(part))
		digests = append(digests, d[:]...)
	}
	sum := sha256.Sum256(digests)
	composite := base64.StdEncoding.EncodeToString(sum[:]) + "-3"
	const kmsETag = `"0a1b2c3d4e5f60718293a4b5c6d7e8f9-3"`
	for _, c := range []struct {
		name     string
		checksum string
		skip     bool
	}{
		{"composite SHA-256 of the same parts", composite, true},
		{"the whole file's SHA-256", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", false},
		{"another cut (2 parts)", base64.StdEncoding.EncodeToString(sum[:]) + "-2", false},
	} {
		api := &headOnly{listed: sdk.String(kmsETag), head: &s3.HeadObjectOutput{
			ContentLength: sdk.Int64(5), ETag: sdk.String(kmsETag), ChecksumSHA256: sdk.String(c.checksum),
			ServerSideEncryption: s3types.ServerSideEncryptionAwsKms,
		}}
		res, err := migrate.Run(context.Background(), api, migrate.Options{Root: root, Bucket: "b", MultipartAbove: 1, PartSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		if skipped := len(res.Skipped) == 1; skipped != c.skip || api.heads != 1 {
			t.Errorf("%s: skipped=%v after %d HEAD; want %v after 1", c.name, skipped, api.heads, c.skip)
		}
	}
}
