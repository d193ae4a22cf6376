package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/joho/godotenv"
	"github.com/s3wizard/s3wizard/internal/minioserver"
	"github.com/s3wizard/s3wizard/internal/providerproxy"
	"github.com/s3wizard/s3wizard/internal/testbin"
	"github.com/s3wizard/s3wizard/internal/versitygwserver"
	"github.com/s3wizard/s3wizard/provider"
	"github.com/s3wizard/s3wizard/steps"
)

// conformance is one provider's endpoint host in the tests and, where its
// public files are served by a public domain, that domain's host.
type conformance struct {
	profile      *provider.Profile
	host, domain string
}

var conformanceCases = []conformance{
	{provider.R2, "0123abcd.r2.cloudflarestorage.com", "pub-0123abcd.r2.dev"},
	{provider.B2, "s3.us-west-004.backblazeb2.com", "b2-cdn.example.com"},
	{provider.Scaleway, "s3.fr-par.scw.cloud", "scw-edge.example.com"},
	{provider.Spaces, "nyc3.digitaloceanspaces.com", ""},
	{provider.Generic, "s3.storage.example.net", ""},
}

// djangoWant are the Django check's lines every provider must pass: the
// private storage (signed URLs) and the public prefix's.
var djangoWant = []string{
	"✓ [django] Django default_storage: save",
	"✓ [django] Django default_storage: read back",
	"✓ [django] Django default_storage: signed URL",
	"✓ [django] Django default_storage: unsigned URL refused",
	"✓ [django] Django default_storage: delete",
	"✓ [django] Django media/blog/: save",
	"✓ [django] Django media/blog/: plain URL",
	"✓ [django] Django media/blog/: delete",
}

// TestProviderConformance runs, for each provider profile (R2, B2,
// Scaleway, Spaces, generic), the whole cycle through a proxy in front of
// one real MinIO that answers as the provider's documentation says it does
// (the same table the wizard reads): apply, a second apply that changes
// nothing, check, the project's own Django upload check, doctor,
// migrate-media and destroy. It fails if the wizard sends an operation or a header the
// profile refuses. The wizard, boto3 and Django reach the provider's real
// host name through the proxy (HTTP_PROXY).
//
// Not covered: the providers' answers to what their documentation does not
// describe; MinIO's region (us-east-1, which R2 aliases to auto) stands for
// every provider's, and MinIO's own refusals (default encryption without a
// KMS, the abort-multipart rule) add to the profile's.
func TestProviderConformance(t *testing.T) {
	requireDjango(t)
	srv := minioserver.Start(t)
	px := providerproxy.Start(t, srv.URL, minioserver.User, minioserver.Password)
	root := serverClient(srv.URL, minioserver.User, minioserver.Password)
	for _, c := range conformanceCases {
		t.Run(c.profile.ID, func(t *testing.T) {
			conformanceCycle(t, px, root, minioserver.User, minioserver.Password, srv.Output, c)
		})
	}
}

// conformanceCycle is the whole cycle for one profile through px, whose
// upstream root is root (keys keyID/secret): see TestProviderConformance.
func conformanceCycle(t *testing.T, px *providerproxy.Proxy, root *s3.Client, keyID, secret string, logs func() string, c conformance) {
	bucket := "conf-" + c.profile.ID + "-media-staging"
	domains := map[string]providerproxy.Domain{}
	if c.domain != "" {
		// Restricted to the public prefix, as the plan's manual step says.
		domains[c.domain] = providerproxy.Domain{Bucket: bucket, Prefixes: []string{"media/blog/"}}
	}
	px.Use(c.profile, domains)
	answers := "env: staging\napp: conf-" + c.profile.ID + "\nregion: us-east-1\nfolders: [blog]\npublic_prefixes: [media/blog/]\ncredentials: provided\nendpoint: http://" + c.host + "\n"
	if c.domain != "" {
		answers += "public_domain: http://" + c.domain + "\n"
	}
	dir := providerProject(t, answers, keyID, secret)
	run := func(input string, args ...string) (int, string) {
		return runBinary(t, dir, px, keyID, secret, input, args...)
	}

	code, out := run("", "plan", "--env", "staging", "--answers", "answers.yaml")
	if code != 0 || !strings.Contains(out, "provider profile: "+c.profile.Name) {
		t.Fatalf("plan: exit %d, want the profile %s named:\n%s", code, c.profile.Name, out)
	}
	code, out = run("", "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s\nviolations: %v\nminio:\n%s", code, out, px.Violations(), tail(logs(), 2000))
	}
	for _, w := range djangoWant {
		if !strings.Contains(out, w) {
			t.Errorf("apply's Django check lacks %q:\n%s", w, out)
		}
	}
	// What the provider refused (its profile, or its own answers), for -v.
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "skipped: ") && !strings.Contains(line, "[preflight]") {
			t.Log(strings.TrimSpace(line))
		}
	}
	env, err := godotenv.Read(filepath.Join(dir, ".env"))
	if err != nil || env["AWS_REQUEST_CHECKSUM_CALCULATION"] != "when_required" || env["AWS_RESPONSE_CHECKSUM_VALIDATION"] != "when_required" {
		t.Errorf(".env lacks the checksum variables (%v): %v", err, env)
	}
	_, perr := root.GetBucketPolicy(context.Background(), &s3.GetBucketPolicyInput{Bucket: &bucket})
	if wrote := perr == nil; wrote != c.profile.WritesPolicy() {
		t.Errorf("bucket policy written: %v, want %v (%v)", wrote, c.profile.WritesPolicy(), perr)
	}
	if c.profile.WritesPolicy() && !strings.Contains(out, "[public] ✓ the app's key still puts, gets, deletes and lists") {
		t.Errorf("apply does not prove the app's key after the policy:\n%s", out)
	}
	if c.domain != "" && !strings.Contains(out, "[public] ✓ private file not served through http://"+c.domain) {
		t.Errorf("apply does not prove the public domain keeps private files:\n%s", out)
	}

	code, out = run("", "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	if code != 0 || !strings.Contains(out, "nothing to change") {
		t.Errorf("second apply: exit %d, want nothing to change:\n%s", code, out)
	}
	code, out = run("", "check", "--env", "staging")
	if code != 0 {
		t.Errorf("check: exit %d\n%s", code, out)
	}
	for _, w := range djangoWant {
		if !strings.Contains(out, w) {
			t.Errorf("check's Django check lacks %q:\n%s", w, out)
		}
	}

	// The hand-off document names the provider's profile.
	if code, out = run("", "docs", "--env", "staging"); code != 0 {
		t.Errorf("docs: exit %d\n%s", code, out)
	} else if b, err := os.ReadFile(filepath.Join(dir, "S3-HANDOFF-staging.md")); err != nil || !strings.Contains(string(b), "provider profile: "+c.profile.Name) || strings.Contains(string(b), "ACLs disabled (Object Ownership = BucketOwnerEnforced)") {
		t.Errorf("hand-off document (%v) does not name %s, or claims Object Ownership:\n%s", err, c.profile.Name, b)
	}

	code, out = run("", "doctor", "--env", "staging")
	if code != 0 {
		t.Errorf("doctor: exit %d\n%s", code, out)
	}

	code, out = run("", "migrate-media", "--env", "staging", "--media-root", "media")
	if code != 0 {
		t.Errorf("migrate-media: exit %d\n%s", code, out)
	}
	for _, key := range []string{"media/old.txt", "media/blog/post.txt"} {
		if _, err := root.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: sdk.String(key)}); err != nil {
			t.Errorf("after migrate-media %s: %v", key, err)
		}
	}

	code, out = run(bucket+"\n", "destroy", "--env", "staging")
	if code != 0 {
		t.Errorf("destroy: exit %d\n%s", code, out)
	}
	if _, err := root.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: &bucket}); err == nil {
		t.Error("destroy left the bucket")
	}
	if v := px.Violations(); len(v) > 0 {
		t.Errorf("the wizard sent what %s refuses:\n%s", c.profile.Name, strings.Join(v, "\n"))
	}
	if px.Requests() == 0 {
		t.Error("no request went through the provider's proxy")
	}
}

// providerProject is a Django project with answers, the provider's keys in
// its .env and two files under media/.
func providerProject(t *testing.T, answers, keyID, secret string) string {
	t.Helper()
	dir := t.TempDir()
	djangoProject(t, dir)
	for name, body := range map[string]string{
		"answers.yaml":        answers,
		".env":                "DEBUG=True\nAWS_ACCESS_KEY_ID=" + keyID + "\nAWS_SECRET_ACCESS_KEY=" + secret + "\n",
		"media/old.txt":       "an old upload",
		"media/blog/post.txt": "a public one",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runBinary runs the built wizard in dir through the proxy (HTTP_PROXY),
// with no AWS variable of the test's own environment, input on stdin;
// stdout and stderr together.
func runBinary(t *testing.T, dir string, px *providerproxy.Proxy, keyID, secret, input string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(testbin.Path(t), args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "AWS_") && !strings.HasPrefix(k, "S3WIZARD_") && !strings.EqualFold(k, "http_proxy") && !strings.EqualFold(k, "no_proxy") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, px.Env()...)
	cmd.Env = append(cmd.Env, "AWS_EC2_METADATA_DISABLED=true", "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID="+keyID, "AWS_SECRET_ACCESS_KEY="+secret)
	cmd.Stdin = strings.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return 0, out.String()
}

// TestPolicyRefusedByAnUnknownProvider: a provider the wizard has no
// profile for (generic) answers 501 NotImplemented to ?policy, as R2 does
// (issue 20: apply used to stop at the public step, with no env file). The
// wizard asks once, records the refusal, serves the public prefix through
// public_domain, writes the env file and settings, and the project's Django
// check passes; the second apply asks no more and changes nothing.
func TestPolicyRefusedByAnUnknownProvider(t *testing.T) {
	requireDjango(t)
	srv := minioserver.Start(t)
	px := providerproxy.Start(t, srv.URL, minioserver.User, minioserver.Password)
	refusing := *provider.Generic
	refusing.Refused = []provider.Refusal{
		{Op: "GetBucketPolicy", Status: 501, Code: "NotImplemented", Message: "GetBucketPolicy not implemented"},
		{Op: "PutBucketPolicy", Status: 501, Code: "NotImplemented", Message: "PutBucketPolicy not implemented"},
		{Op: "DeleteBucketPolicy", Status: 501, Code: "NotImplemented", Message: "DeleteBucketPolicy not implemented"},
	}
	bucket := "mon-app-media-staging"
	px.Use(&refusing, map[string]providerproxy.Domain{"media.example.org": {Bucket: bucket, Prefixes: []string{"media/blog/"}}})
	dir := providerProject(t, "env: staging\napp: mon-app\nregion: us-east-1\nfolders: [blog]\npublic_prefixes: [media/blog/]\ncredentials: provided\nendpoint: http://s3.objects.example.org\npublic_domain: http://media.example.org\n", minioserver.User, minioserver.Password)
	code, out := runBinary(t, dir, px, minioserver.User, minioserver.Password, "", "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	if v := px.Violations(); len(v) != 1 || !strings.Contains(v[0], "GetBucketPolicy") {
		t.Errorf("apply asked the policy %d times, want one GetBucketPolicy: %v", len(v), v)
	}
	if !strings.Contains(out, "skipped: bucket policy: the provider answered NotImplemented") {
		t.Errorf("apply does not say the policy is skipped:\n%s", out)
	}
	env, err := godotenv.Read(filepath.Join(dir, ".env"))
	if err != nil || env["AWS_STORAGE_BUCKET_NAME"] != bucket || env["S3_PUBLIC_DOMAIN"] != "http://media.example.org" {
		t.Errorf("env file not written (%v): %v", err, env)
	}
	for _, w := range append(djangoWant, "[public] ✓ public file under media/blog/ readable anonymously through http://media.example.org (200)") {
		if !strings.Contains(out, w) {
			t.Errorf("apply lacks %q:\n%s", w, out)
		}
	}
	px.Use(&refusing, map[string]providerproxy.Domain{"media.example.org": {Bucket: bucket, Prefixes: []string{"media/blog/"}}})
	code, out = runBinary(t, dir, px, minioserver.User, minioserver.Password, "", "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	if code != 0 || !strings.Contains(out, "nothing to change") || len(px.Violations()) != 0 {
		t.Errorf("second apply: exit %d, violations %v, want nothing to change and no policy call:\n%s", code, px.Violations(), out)
	}
}

// TestProviderCycleOnVersitygw: the generic profile's whole cycle (see
// TestProviderConformance) on a second real S3-compatible server, versitygw
// with its posix backend, behind the same proxy.
func TestProviderCycleOnVersitygw(t *testing.T) {
	requireDjango(t)
	srv := versitygwserver.Start(t)
	px := providerproxy.Start(t, srv.URL, versitygwserver.User, versitygwserver.Password)
	root := serverClient(srv.URL, versitygwserver.User, versitygwserver.Password)
	conformanceCycle(t, px, root, versitygwserver.User, versitygwserver.Password, srv.Output, conformance{provider.Generic, "s3.storage.example.net", ""})
}

// TestEveryReadRefusedByAnUnknownProvider: the generic profile's "ask, then
// skip what is refused" holds for reads too. A provider with no profile
// that answers 501 to every bucket-configuration read the wizard makes
// (location, policy, versioning, encryption, lifecycle) gets a complete
// apply — each part skipped in one line, the env file written, the Django
// check passing — a second apply that changes nothing, and a passing check.
func TestEveryReadRefusedByAnUnknownProvider(t *testing.T) {
	requireDjango(t)
	srv := minioserver.Start(t)
	px := providerproxy.Start(t, srv.URL, minioserver.User, minioserver.Password)
	refusing := *provider.Generic
	for _, op := range []string{"GetBucketLocation", "GetBucketPolicy", "GetBucketVersioning", "GetBucketEncryption", "GetBucketLifecycleConfiguration"} {
		refusing.Refused = append(refusing.Refused, provider.Refusal{Op: op, Status: 501, Code: "NotImplemented", Message: op + " not implemented"})
	}
	bucket := "mon-app-media-staging"
	px.Use(&refusing, map[string]providerproxy.Domain{"media.example.org": {Bucket: bucket, Prefixes: []string{"media/blog/"}}})
	dir := providerProject(t, "env: staging\napp: mon-app\nregion: us-east-1\nfolders: [blog]\npublic_prefixes: [media/blog/]\ncredentials: provided\nendpoint: http://s3.objects.example.org\npublic_domain: http://media.example.org\n", minioserver.User, minioserver.Password)
	run := func(args ...string) (int, string) {
		return runBinary(t, dir, px, minioserver.User, minioserver.Password, "", args...)
	}
	code, out := run("apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	for _, w := range append(djangoWant, "skipped: bucket policy: the provider answered NotImplemented", "skipped: versioning: the provider answered NotImplemented",
		"skipped: lifecycle rules: the provider answered NotImplemented", "the provider answered NotImplemented (GetBucketEncryption not implemented)") {
		if !strings.Contains(out, w) {
			t.Errorf("apply lacks %q:\n%s", w, out)
		}
	}
	if env, err := godotenv.Read(filepath.Join(dir, ".env")); err != nil || env["AWS_STORAGE_BUCKET_NAME"] != bucket {
		t.Errorf("env file not written (%v): %v", err, env)
	}
	if code, out = run("apply", "--env", "staging", "--answers", "answers.yaml", "--yes"); code != 0 || !strings.Contains(out, "nothing to change") {
		t.Errorf("second apply: exit %d, want nothing to change:\n%s", code, out)
	}
	if code, out = run("check", "--env", "staging"); code != 0 {
		t.Errorf("check: exit %d\n%s", code, out)
	}
}

// serverClient is an S3 client of the server at url with its root keys
// (the tests' own view, not through the proxy).
func serverClient(url, keyID, secret string) *s3.Client {
	return s3.NewFromConfig(sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")},
		func(o *s3.Options) { o.UsePathStyle = true })
}

// TestPublicDomainServingTheWholeBucketFailsCheck: R2's r2.dev domain (or a
// CDN with no path rule) serves every object of the bucket. The wizard
// proves a private file is not readable through public_domain: there it
// is, so apply's verification fails (exit 1) saying to restrict the domain
// to the public prefixes — everything else is in place.
func TestPublicDomainServingTheWholeBucketFailsCheck(t *testing.T) {
	requireDjango(t)
	srv := minioserver.Start(t)
	px := providerproxy.Start(t, srv.URL, minioserver.User, minioserver.Password)
	bucket := "mon-app-media-staging"
	px.Use(provider.R2, map[string]providerproxy.Domain{"pub-0123.r2.dev": {Bucket: bucket}})
	dir := providerProject(t, "env: staging\napp: mon-app\nregion: us-east-1\nfolders: [blog]\npublic_prefixes: [media/blog/]\ncredentials: provided\nendpoint: http://0123.r2.cloudflarestorage.com\npublic_domain: http://pub-0123.r2.dev\n", minioserver.User, minioserver.Password)
	code, out := runBinary(t, dir, px, minioserver.User, minioserver.Password, "", "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	if code != 1 || !strings.Contains(out, "✗ private file not served through http://pub-0123.r2.dev") || !strings.Contains(out, "restrict it to the public prefixes") {
		t.Errorf("apply with a domain serving the whole bucket: exit %d, want 1 and the failed check:\n%s", code, out)
	}
	if v := px.Violations(); len(v) > 0 {
		t.Errorf("violations: %v", v)
	}
}

// TestCORSWrittenWhereNoPolicyIs: at R2 the wizard writes no bucket policy,
// and the public step used to return before it planned the CORS rule —
// never written, so every check failed "missing … run apply" and apply
// never fixed it; destroy returned before removing it too. On a bucket the
// project already had (with its owner's own CORS rule), through the R2
// proxy in front of versitygw (MinIO answers NotImplemented to bucket
// CORS): apply writes the wizard's rule next to the
// owner's, a real preflight from the site's origin is allowed, a second
// apply changes nothing, check passes, and destroy (the bucket is kept)
// removes the wizard's rule and keeps the owner's.
func TestCORSWrittenWhereNoPolicyIs(t *testing.T) {
	requireDjango(t)
	ctx := context.Background()
	srv := versitygwserver.Start(t)
	px := providerproxy.Start(t, srv.URL, versitygwserver.User, versitygwserver.Password)
	root := serverClient(srv.URL, versitygwserver.User, versitygwserver.Password)
	bucket := "mon-app-media-staging"
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	owners := s3types.CORSRule{ID: sdk.String("OwnersRule"), AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://owner.example.org"}}
	if _, err := root.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: &bucket, CORSConfiguration: &s3types.CORSConfiguration{CORSRules: []s3types.CORSRule{owners}}}); err != nil {
		t.Fatalf("put the owner's CORS rule: %v", err)
	}
	rules := func() []string {
		out, err := root.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: &bucket})
		if err != nil {
			return []string{err.Error()}
		}
		var ids []string
		for _, r := range out.CORSRules {
			ids = append(ids, sdk.ToString(r.ID))
		}
		return ids
	}
	domain := "pub-0123.r2.dev"
	px.Use(provider.R2, map[string]providerproxy.Domain{domain: {Bucket: bucket, Prefixes: []string{"media/blog/"}}})
	dir := providerProject(t, "env: staging\napp: mon-app\nregion: us-east-1\nfolders: [blog]\npublic_prefixes: [media/blog/]\ncredentials: provided\nendpoint: http://0123.r2.cloudflarestorage.com\npublic_domain: http://"+domain+"\ncors_origins: [https://www.example.com]\n", versitygwserver.User, versitygwserver.Password)
	run := func(input string, args ...string) (int, string) {
		return runBinary(t, dir, px, versitygwserver.User, versitygwserver.Password, input, args...)
	}
	code, out := run("", "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	if got := rules(); !slices.Equal(got, []string{"OwnersRule", steps.CORSRuleID}) {
		t.Errorf("after apply the bucket's CORS rules are %v, want the owner's and %s", got, steps.CORSRuleID)
	}
	if !strings.Contains(out, "✓ browser preflight: GET from https://www.example.com allowed") {
		t.Errorf("apply does not prove the preflight:\n%s", out)
	}
	if code, out = run("", "apply", "--env", "staging", "--answers", "answers.yaml", "--yes"); code != 0 || !strings.Contains(out, "nothing to change") {
		t.Errorf("second apply: exit %d, want nothing to change:\n%s", code, out)
	}
	if code, out = run("", "check", "--env", "staging"); code != 0 {
		t.Errorf("check: exit %d\n%s", code, out)
	}
	if code, out = run(bucket+"\n", "destroy", "--env", "staging"); code != 0 {
		t.Errorf("destroy: exit %d\n%s", code, out)
	}
	if got := rules(); !slices.Equal(got, []string{"OwnersRule"}) {
		t.Errorf("after destroy the bucket's CORS rules are %v, want the owner's alone", got)
	}
	if v := px.Violations(); len(v) > 0 {
		t.Errorf("the wizard sent what R2 refuses:\n%s", strings.Join(v, "\n"))
	}
}
