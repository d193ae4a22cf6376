package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/cli"
	"github.com/s3wizard/s3wizard/internal/minioserver"
	"github.com/s3wizard/s3wizard/steps"
)

// TestProvidedCredentialsOnMinIO is `credentials: provided` end to end on a
// real S3-compatible server (MinIO, built from the Go module proxy at a
// pinned version): apply sets up the bucket, layout, bucket policy, env file
// and settings with the keys the user already had, lists what it skips and
// why, and verifies anonymous 200 on the public prefix and 403 elsewhere;
// a second apply changes nothing.
//
// Protection goes as far as MinIO goes, detected from its answers: without
// a KMS it refuses default encryption (501 NotImplemented) and the rule
// aborting incomplete multipart uploads (400 InvalidArgument); both are
// skipped with one line saying so, on apply, on the second apply (which
// changes nothing) and in check, while versioning and the other lifecycle
// rules are applied and verified.
func TestProvidedCredentialsOnMinIO(t *testing.T) {
	srv := minioserver.Start(t)
	out := providedFlow(t, srv.URL, srv.Env(), minioserver.User, minioserver.Password, srv.Output)
	requireProtection(t, out, false, []string{"s3wizard-expire-uploads", "s3wizard-noncurrent-versions"})
	skipped := []string{
		"skipped: default encryption SSE-S3 (AES-256): the provider answered NotImplemented",
		"skipped: lifecycle rule s3wizard-abort-multipart (whole bucket: abort incomplete multipart uploads after 7 days): the provider answered InvalidArgument",
	}
	for name, text := range map[string]string{"apply": out.apply, "second apply": out.again, "check": out.check} {
		for _, line := range skipped {
			if !strings.Contains(text, line) {
				t.Errorf("%s does not say %q:\n%s", name, line, text)
			}
		}
	}
	destroyProvided(t, out)
	// The refusals go with the bucket: the next one is asked again.
	if b, err := os.ReadFile(filepath.Join(out.dir, ".s3wizard", "staging.json")); err != nil || strings.Contains(string(b), steps.ProviderRefusedPrefix) {
		t.Errorf("after destroy the progress file still records a refusal (%v):\n%s", err, b)
	}
}

// TestProvidedRegionOnMinIO: a provider's own region name (Scaleway's
// fr-par) with credentials: provided, end to end on a MinIO started in that
// region (MINIO_REGION; the process's AWS_REGION says us-east-1): apply
// creates the bucket there (its location reads fr-par), writes
// AWS_S3_REGION_NAME=fr-par to the env file; the second apply changes
// nothing and check passes, the bucket's region included. Not covered:
// MinIO accepts a signature for any region, so the signing region is
// checked by TestClientsSignForTheAnsweredRegion (package aws).
func TestProvidedRegionOnMinIO(t *testing.T) {
	srv := minioserver.StartIn(t, "fr-par")
	out := providedFlowIn(t, "fr-par", srv.URL, srv.Env(), minioserver.User, minioserver.Password, srv.Output)
	if !strings.Contains(out.check, "✓ [bucket] bucket region") || !strings.Contains(out.check, "fr-par") {
		t.Errorf("check does not pass the bucket's region fr-par:\n%s", out.check)
	}
	loc, err := out.s3.GetBucketLocation(context.Background(), &s3.GetBucketLocationInput{Bucket: sdk.String("mon-app-media-staging")})
	if err != nil || loc.LocationConstraint != "fr-par" {
		t.Errorf("bucket location: %v %v, want fr-par", loc, err)
	}
	destroyProvided(t, out)
}

// TestProvidedKeysTypedInAccessibleMode: the line-by-line wizard
// (--accessible) in a terminal asks, once credentials is provided, the
// provider's endpoint, its region (typed) and then its keys — the secret with the echo off —
// and writes them to the env file only; the secret never reaches the
// terminal.
func TestProvidedKeysTypedInAccessibleMode(t *testing.T) {
	srv := minioserver.Start(t)
	dir := project(t, "")
	tm := inTerminal(t, dir, srv.Env(), "--accessible", "--env", "staging", "--no-color")
	tm.waitFor("App name")
	tm.send("mon-app\n")
	tm.waitFor("How will the app authenticate?")
	tm.send("3\n") // access-keys, instance-role, provided
	tm.waitFor("Provider's S3 endpoint URL")
	tm.send("\n") // keeps AWS_ENDPOINT_URL
	// The region is typed, not chosen among AWS's: a bad shape is refused,
	// and an empty line keeps the one offered (MinIO's default).
	tm.waitFor("Provider's region")
	tm.waitFor("[Enter keeps us-east-1]")
	tm.send("Fr_Par\n")
	tm.waitFor("1-32 lowercase letters")
	tm.send("\n")
	tm.waitFor("Your provider's access key ID")
	tm.send(minioserver.User + "\n")
	tm.waitFor("Its secret access key")
	tm.send(minioserver.Password + "\n")
	tm.waitFor("Apply?")
	wantTypedKeysInEnv(t, dir)
	if strings.Contains(tm.screen(), minioserver.Password) {
		t.Errorf("the secret reached the terminal:\n%s", tm.screen())
	}
	tm.send("n\n") // no to the plan: nothing changes, back to the step's questions
	tm.waitFor("[Enter keeps mon-app]")
	tm.send("\x03") // ctrl+c: the wizard ends
	if code := tm.exit(); code != 130 {
		t.Errorf("no to the plan: exit %d, want 130\n%s", code, tm.screen())
	}
	prog, err := os.ReadFile(filepath.Join(dir, ".s3wizard", "staging.json"))
	if err != nil || strings.Contains(string(prog), minioserver.Password) || !strings.Contains(string(prog), srv.URL) {
		t.Errorf("progress file: %v; it must hold the endpoint and never the secret", err)
	}
}

// A region the credentials do not allow is a usage error (exit 2) naming
// region, before anything changes: a bad shape with credentials: provided,
// a provider's name with AWS credentials.
func TestBadRegionAnswerExits2(t *testing.T) {
	for answers, want := range map[string]string{
		strings.Replace(providedAnswers, "region: us-east-1", "region: FR_PAR", 1):  "1-32 lowercase letters, digits and hyphens",
		strings.Replace(providedAnswers, "region: us-east-1", "region: fr-par-", 1): "not starting or ending with a hyphen",
		"env: staging\napp: mon-app\nregion: fr-par\ncredentials: access-keys\n":    `unknown region "fr-par"`,
	} {
		dir := project(t, answers)
		if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("AWS_ACCESS_KEY_ID="+minioserver.User+"\nAWS_SECRET_ACCESS_KEY="+minioserver.Password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		// In-process: refused before any session (AWS client) is opened.
		r := inDir(t, dir, cli.Deps{Open: noSession(t)}, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
		if r.code != 2 || !strings.Contains(r.stderr, "region") || !strings.Contains(r.stderr, want) {
			t.Errorf("apply with %q: exit %d, want 2 saying %q\n%s", answers, r.code, want, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, ".s3wizard")); err == nil {
			t.Errorf("apply with a bad region wrote .s3wizard/")
		}
	}
}

// wantTypedKeysInEnv: the MinIO keys typed at a prompt are in the
// project's .env.
func wantTypedKeysInEnv(t *testing.T, dir string) {
	t.Helper()
	env := readEnv(t, dir)
	if env["AWS_ACCESS_KEY_ID"] != minioserver.User || env["AWS_SECRET_ACCESS_KEY"] != minioserver.Password {
		t.Errorf(".env lacks the typed keys: %q", env["AWS_ACCESS_KEY_ID"])
	}
}

// TestCORSOnMinIO: cors_origins with credentials: provided on a real
// MinIO (issue 22 §2). MinIO sets CORS server-wide, not per bucket, and
// answers PutBucketCors with NotImplemented: the wizard sends the rule as on
// AWS, and the refusal is recorded and skipped in one line, like
// protection's; apply, a second apply (nothing to change) and check all
// succeed. (A MinIO that took the rule would have to pass the preflight
// checks instead.)
func TestCORSOnMinIO(t *testing.T) {
	srv := minioserver.Start(t)
	dir := project(t, providedAnswers+"cors_origins: [https://www.example.com]\n")
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("AWS_ACCESS_KEY_ID="+minioserver.User+"\nAWS_SECRET_ACCESS_KEY="+minioserver.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := apply(t, dir, srv.Env())
	mustOK(t, r)
	proved := strings.Contains(r.stderr, "browser preflight: GET from https://www.example.com allowed")
	refused := strings.Contains(r.stderr, "skipped: CORS rules: the provider answered")
	if proved == refused {
		t.Errorf("apply neither proved the CORS rule nor said MinIO refused it (or both):\n%s", r.stderr)
	}
	r = apply(t, dir, srv.Env())
	mustOK(t, r)
	if !strings.Contains(r.stderr, "nothing to change") || strings.Contains(r.stderr, "s3:PutBucketCors") {
		t.Errorf("second apply changed something:\n%s", r.stderr)
	}
	r = run(t, dir, srv.Env(), "check", "--env", "staging")
	if r.code != 0 {
		t.Errorf("check: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("MinIO and CORS: rule proved %v, refused %v", proved, refused)
}
