package aws

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/provider"
)

// seen is what a test server received: per request, its checksum headers.
type seen struct {
	mu   sync.Mutex
	reqs []http.Header
	md5  []bool // Content-MD5 matches the body
}

func checksumServer(t *testing.T) (*httptest.Server, *seen) {
	s := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		sum := md5.Sum(b)
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Header.Clone())
		s.md5 = append(s.md5, r.Header.Get("Content-MD5") == base64.StdEncoding.EncodeToString(sum[:]))
		s.mu.Unlock()
		if r.Method == http.MethodPost {
			_, _ = w.Write([]byte(`<DeleteResult></DeleteResult>`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

// TestProviderRequestsCarryNoRefusedChecksum: with credentials: provided,
// PutObject carries no flexible checksum (WhenRequired); at a provider
// whose profile refuses x-amz-checksum-* (B2, R2) the operations that
// require a checksum (DeleteObjects, lifecycle) carry Content-MD5 of their
// body instead; elsewhere (generic) they keep the SDK's CRC32.
func TestProviderRequestsCarryNoRefusedChecksum(t *testing.T) {
	for _, p := range []*provider.Profile{provider.B2, provider.R2, provider.Generic} {
		srv, got := checksumServer(t)
		cfg := sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}
		providerRequests(&cfg, p)
		cl := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
		ctx, b := context.Background(), sdk.String("b")
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: sdk.String("k"), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
		if _, err := cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: sdk.String("k")}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &types.BucketLifecycleConfiguration{
			Rules: []types.LifecycleRule{{ID: sdk.String("r"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: sdk.String("uploads/")}, Expiration: &types.LifecycleExpiration{Days: sdk.Int32(7)}}}}}); err != nil {
			t.Fatal(err)
		}
		for i, h := range got.reqs {
			var checksums []string
			for name := range h {
				if strings.HasPrefix(strings.ToLower(name), "x-amz-checksum-") || strings.EqualFold(name, "x-amz-sdk-checksum-algorithm") {
					checksums = append(checksums, name)
				}
			}
			switch {
			case i == 0 && len(checksums) > 0:
				t.Errorf("%s: PutObject carries %v (checksums only when required)", p.ID, checksums)
			case i > 0 && !p.ChecksumHeaders() && (len(checksums) > 0 || !got.md5[i]):
				t.Errorf("%s: request %d carries %v, Content-MD5 right: %v", p.ID, i, checksums, got.md5[i])
			case i > 0 && p.ChecksumHeaders() && len(checksums) == 0 && h.Get("Content-MD5") == "":
				t.Errorf("%s: request %d carries no checksum at all", p.ID, i)
			}
		}
	}
}

// TestRefusedOperationIsNeverSent: an operation the provider's profile
// refuses (GetBucketPolicy at R2) is answered by the provider's refusal
// without a request (the host does not even resolve here).
func TestRefusedOperationIsNeverSent(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	c, err := New(context.Background(), Options{Region: "auto", Endpoint: "http://0123abcd.r2.cloudflarestorage.com.invalid.r2.cloudflarestorage.com", Static: &StaticCreds{ID: "k", Secret: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Provider != provider.R2 {
		t.Fatalf("profile %v, want R2", c.Provider)
	}
	_, err = c.S3.GetBucketPolicy(context.Background(), &s3.GetBucketPolicyInput{Bucket: sdk.String("b")})
	var pr *ProfileRefusal
	if !errors.As(err, &pr) || pr.ErrorCode() != "NotImplemented" || !strings.Contains(pr.ErrorMessage(), "https://developers.cloudflare.com/r2/api/s3/api/") {
		t.Errorf("GetBucketPolicy at R2: %v, want the profile's refusal citing R2's page", err)
	}
}
