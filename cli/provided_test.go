package cli_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/steps"
)

const providedAnswers = `env: staging
app: mon-app
region: us-east-1
folders: [blog, products]
public_prefixes: [media/blog/]
credentials: provided
`

// TestProvidedCredentialsOnMoto is `credentials: provided` end to end (see
// TestProvidedCredentialsOnMinIO) on moto, which is not AWS either: apply
// plans no AWS-only call, sets up the bucket, layout, bucket policy, env
// file and settings with the keys the user already had, lists what it skips
// and why, verifies anonymous 200 on the public prefix and 403 elsewhere; a
// second apply changes nothing.
func TestProvidedCredentialsOnMoto(t *testing.T) {
	s := motoserver.Shared(t)
	out := providedFlow(t, s.URL(), s.Env(), motoserver.AccessKeyID, motoserver.SecretAccessKey, s.Output)
	// moto supports every part of protection: nothing of it is skipped.
	requireProtection(t, out, true, []string{"s3wizard-abort-multipart", "s3wizard-expire-uploads", "s3wizard-noncurrent-versions"})
	if strings.Contains(out.apply+out.check, "so this provider does not support it") {
		t.Errorf("a part of protection is skipped on moto:\n%s\n%s", out.apply, out.check)
	}
	destroyProvided(t, out)
}

// requireProtection checks protection on a provider: versioning on, the
// default encryption set (or not, when the provider refused it), exactly
// these lifecycle rules of the wizard, and check's lines for each.
func requireProtection(t *testing.T, out providedRun, encrypted bool, rules []string) {
	t.Helper()
	ctx := context.Background()
	bucket := sdk.String("mon-app-media-staging")
	v, err := out.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bucket})
	if err != nil || v.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("versioning: %v %v", v, err)
	}
	_, err = out.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bucket})
	if (err == nil) != encrypted {
		t.Errorf("default encryption set: %v, want %v", err == nil, encrypted)
	}
	lc, err := out.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucket})
	if err != nil {
		t.Fatalf("lifecycle: %v", err)
	}
	var ids []string
	for _, r := range lc.Rules {
		ids = append(ids, sdk.ToString(r.ID))
	}
	sort.Strings(ids)
	if strings.Join(ids, " ") != strings.Join(rules, " ") {
		t.Errorf("lifecycle rules %v, want %v", ids, rules)
	}
	for _, want := range []string{"✓ [protection] versioning enabled", "✓ [protection] lifecycle rules"} {
		if !strings.Contains(out.check, want) {
			t.Errorf("check lacks %q:\n%s", want, out.check)
		}
	}
	if strings.Contains(out.check, "[protection] server access logging") {
		t.Errorf("check lists access logs on a provider:\n%s", out.check)
	}
}

// providedRun is what a provider test checks beyond providedFlow: the
// first and second apply's progress, check's report, and a client of the
// provider.
type providedRun struct {
	apply, again, check string
	s3                  *s3.Client
	dir                 string
	env                 []string
}

func providedFlow(t *testing.T, url string, procEnv []string, keyID, secret string, logs func() string) providedRun {
	return providedFlowIn(t, "us-east-1", url, procEnv, keyID, secret, logs)
}

// providedFlowIn is providedFlow with region answered: the env file, the
// settings and every client of the wizard use it.
func providedFlowIn(t *testing.T, region, url string, procEnv []string, keyID, secret string, logs func() string) providedRun {
	dir := project(t, strings.Replace(providedAnswers, "region: us-east-1\n", "region: "+region+"\n", 1))
	// Without the provider's keys in the env file: exit 2, nothing made.
	r := apply(t, dir, procEnv)
	if r.code != 2 || !strings.Contains(r.stderr, "put AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in .env") {
		t.Errorf("apply without provided keys: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".s3wizard")); err == nil {
		t.Error("apply without provided keys wrote .s3wizard/")
	}
	// The keys made in the provider's console, already in the env file.
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("# mine\nAWS_ACCESS_KEY_ID="+keyID+"\nAWS_SECRET_ACCESS_KEY="+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// The plan names no AWS-only call.
	r = run(t, dir, procEnv, "plan", "--env", "staging", "--answers", "answers.yaml")
	mustOK(t, r)
	for _, call := range []string{"aws sts:", "aws iam:", "aws s3:PutPublicAccessBlock", "aws s3:PutBucketOwnershipControls", "aws cloudwatch:", "aws budgets:", "aws s3:PutBucketLogging"} {
		if strings.Contains(r.stdout, call) {
			t.Errorf("the plan has %s:\n%s", call, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "aws s3:CreateBucket") || !strings.Contains(r.stdout, "aws s3:PutBucketPolicy") {
		t.Errorf("the plan lacks the bucket or its policy:\n%s", r.stdout)
	}

	r = apply(t, dir, procEnv)
	if r.code != 0 {
		t.Fatalf("apply: exit %d\nstdout:\n%s\nstderr:\n%s\nserver:\n%s", r.code, r.stdout, r.stderr, tailString(logs(), 3000))
	}
	out := providedRun{apply: r.stderr}
	for _, skip := range steps.ProviderSkips {
		if !strings.Contains(r.stderr, "skipped: "+skip) {
			t.Errorf("apply does not say it skipped %q:\n%s", skip, r.stderr)
		}
	}

	env := readEnv(t, dir)
	if env["AWS_S3_ENDPOINT_URL"] != url || env["AWS_STORAGE_BUCKET_NAME"] != "mon-app-media-staging" || env["USE_S3_STORAGE"] != "True" || env["AWS_S3_REGION_NAME"] != region {
		t.Errorf(".env: endpoint %q bucket %q use %q region %q (want %s)", env["AWS_S3_ENDPOINT_URL"], env["AWS_STORAGE_BUCKET_NAME"], env["USE_S3_STORAGE"], env["AWS_S3_REGION_NAME"], region)
	}
	// No SSE header asked for public uploads: MinIO without a KMS refuses it.
	if v, ok := env["S3_PUBLIC_SSE"]; ok {
		t.Errorf(".env sets S3_PUBLIC_SSE=%q on an S3-compatible provider", v)
	}
	if env["AWS_ACCESS_KEY_ID"] != keyID || env["AWS_SECRET_ACCESS_KEY"] != secret {
		t.Error("apply changed the provided keys in .env")
	}
	if raw, _ := os.ReadFile(filepath.Join(dir, ".env")); !strings.HasPrefix(string(raw), "# mine\n") {
		t.Errorf(".env lost its own lines")
	}
	if b, err := os.ReadFile(filepath.Join(dir, appconfig.SettingsFile)); err != nil || !strings.Contains(string(b), "AWS_S3_ENDPOINT_URL") {
		t.Errorf("generated settings do not read AWS_S3_ENDPOINT_URL (%v)", err)
	}

	// MinIO enforces the bucket policy: anonymous 200 on media/blog/, 403 elsewhere.
	cl := s3.NewFromConfig(sdk.Config{Region: region, BaseEndpoint: sdk.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")},
		func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	for key, want := range map[string]int{"media/blog/hello.txt": 200, "media/products/secret.txt": 403} {
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: sdk.String("mon-app-media-staging"), Key: sdk.String(key), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(url + "/mon-app-media-staging/" + key)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("anonymous GET %s: %d, want %d", key, resp.StatusCode, want)
		}
	}

	r = apply(t, dir, procEnv)
	mustOK(t, r)
	if !strings.Contains(r.stderr, "nothing to change") {
		t.Errorf("second apply changed something:\n%s", r.stderr)
	}
	out.again = r.stderr

	r = run(t, dir, procEnv, "check", "--env", "staging")
	if r.code != 0 {
		t.Errorf("check on MinIO: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// doctor works with the env file's keys (no STS on a provider).
	r = run(t, dir, procEnv, "doctor", "--env", "staging")
	if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "no STS") {
		t.Errorf("doctor: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, procEnv, "check", "--env", "staging")
	for _, want := range []string{"✓ [public] private file refused anonymously (403)", "✓ [public] public file under media/blog/ readable anonymously (200)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check lacks %q:\n%s", want, r.stdout)
		}
	}
	out.check, out.s3, out.dir, out.env = r.stdout, cl, dir, procEnv
	return out
}

// destroyProvided: destroy on a provider removes the bucket, every version
// of every object included (versioning is on where the provider supports
// it), and touches nothing of IAM, CloudWatch or Budgets.
func destroyProvided(t *testing.T, out providedRun) {
	t.Helper()
	r := runWithInput(t, out.dir, out.env, "mon-app-media-staging\n", "destroy", "--env", "staging")
	if r.code != 0 || strings.Contains(r.stdout+r.stderr, "role") || strings.Contains(r.stdout+r.stderr, "CloudWatch") {
		t.Errorf("destroy: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if _, err := out.s3.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: sdk.String("mon-app-media-staging")}); err == nil {
		t.Error("destroy left the bucket")
	}
}

func tailString(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
