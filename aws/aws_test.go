package aws

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// An endpoint_url in the AWS profile is a custom endpoint like
// AWS_ENDPOINT_URL: path-style addressing and no TLS-only statement on http.
func TestEndpointURLFromProfile(t *testing.T) {
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	body := "[profile minio]\nregion = eu-west-3\nendpoint_url = http://127.0.0.1:1\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"
	if err := os.WriteFile(cfgFile, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))

	c, err := New(context.Background(), Options{Profile: "minio"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint != "http://127.0.0.1:1" || c.TLS() {
		t.Fatalf("Endpoint = %q, TLS() = %v; want http://127.0.0.1:1, false", c.Endpoint, c.TLS())
	}
	app, err := c.WithCredentials(context.Background(), "AKIAAPP", "appsecret")
	if err != nil {
		t.Fatal(err)
	}
	if app.Endpoint != c.Endpoint {
		t.Errorf("the app's clients lost the profile's endpoint: %q", app.Endpoint)
	}

	// The environment variable still wins over the profile.
	t.Setenv("AWS_ENDPOINT_URL", "https://minio.example.com")
	if c, err = New(context.Background(), Options{Profile: "minio"}); err != nil {
		t.Fatal(err)
	}
	if c.Endpoint != "https://minio.example.com" || !c.TLS() {
		t.Errorf("Endpoint = %q, TLS() = %v; want the env var's", c.Endpoint, c.TLS())
	}
}

func TestBucketRegionFromError(t *testing.T) {
	resp := &http.Response{StatusCode: http.StatusMovedPermanently, Header: http.Header{}}
	resp.Header.Set("X-Amz-Bucket-Region", "eu-west-3")
	err := &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: resp}, Err: errors.New("301 Moved Permanently")}}
	if got := BucketRegionFromError(err); got != "eu-west-3" {
		t.Errorf("BucketRegionFromError = %q, want eu-west-3", got)
	}
	if got := BucketRegionFromError(errors.New("plain")); got != "" {
		t.Errorf("BucketRegionFromError(plain) = %q", got)
	}
}

// With no credentials anywhere, a call fails with a CredentialsError (by
// type: the SDK's wording is not relied on) and Explain says what to do.
func TestNoCredentialsIsKnownByType(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	// A local endpoint that is never reached: signing fails first.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	c, err := New(context.Background(), Options{Region: "eu-west-3"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.STS.GetCallerIdentity(context.Background(), nil)
	var ce *CredentialsError
	if !errors.As(err, &ce) {
		t.Fatalf("GetCallerIdentity without credentials: %v, want a CredentialsError", err)
	}
	var adv *Advice
	if !errors.As(Explain(err), &adv) || adv.Code != "NoCredentials" {
		t.Fatalf("Explain: %v, want the NoCredentials advice", Explain(err))
	}
}

// TestSNSClientIsWiredLikeTheOthers: the SNS clients (the run's region and
// another) come from the same configuration as every client, so the dry-run
// guard and the call observer apply to them: CreateTopic in a dry run is
// refused before anything is sent, and reported as sns:CreateTopic.
func TestSNSClientIsWiredLikeTheOthers(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	c, err := New(context.Background(), Options{Region: "us-east-1", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range []SNSAPI{c.SNS, c.SNSIn("eu-west-3")} {
		var seen []string
		ctx := WithObserver(context.Background(), func(call string) { seen = append(seen, call) })
		_, err := cl.CreateTopic(ctx, &sns.CreateTopicInput{Name: sdkString("t")})
		if !errors.Is(err, ErrDryRun) || len(seen) != 1 || seen[0] != "sns:CreateTopic" {
			t.Errorf("dry-run CreateTopic: err %v, observed %v; want ErrDryRun and [sns:CreateTopic]", err, seen)
		}
	}
}

func sdkString(s string) *string { return &s }
