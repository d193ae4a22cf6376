package aws

import (
	"context"
	"net/url"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// With credentials: provided the wizard's clients sign for the region
// answered (a provider's own name: fr-par at Scaleway, auto at Cloudflare
// R2), not the process's AWS_REGION, and address the provider's endpoint
// path-style. Checked on presigned URLs (no network): MinIO, the tests'
// provider, accepts a signature for any region, so it cannot show this.
func TestClientsSignForTheAnsweredRegion(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	for region, endpoint := range map[string]string{
		"fr-par":      "https://s3.fr-par.scw.cloud",
		"auto":        "https://0123456789abcdef.r2.cloudflarestorage.com",
		"us-west-004": "https://s3.us-west-004.backblazeb2.com",
	} {
		c, err := New(context.Background(), Options{Region: region, Endpoint: endpoint, Static: &StaticCreds{ID: "PROVIDERKEY", Secret: "providersecret"}})
		if err != nil {
			t.Fatal(err)
		}
		for name, api := range map[string]S3API{"S3": c.S3, "S3In(" + region + ")": c.S3In(region)} {
			cl, ok := api.(*s3.Client)
			if !ok {
				t.Fatalf("%s: %T is not an SDK client", name, api)
			}
			req, err := s3.NewPresignClient(cl).PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: sdk.String("mon-app-media-staging"), Key: sdk.String("media/a.txt")})
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(req.URL)
			if err != nil {
				t.Fatal(err)
			}
			scope := "/" + region + "/s3/aws4_request"
			if cred := u.Query().Get("X-Amz-Credential"); !strings.HasSuffix(cred, scope) {
				t.Errorf("%s with region %s signs for %q, want the scope %s", name, region, cred, scope)
			}
			if !strings.HasPrefix(req.URL, endpoint+"/mon-app-media-staging/") {
				t.Errorf("%s: presigned URL %s is not path-style at %s", name, req.URL, endpoint)
			}
		}
	}
}
