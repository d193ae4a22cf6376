package cli_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

func keyStatuses(t *testing.T, s *motoserver.Server) map[string]string {
	t.Helper()
	out, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: sdk.String("mon-app-staging-s3-user")})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, k := range out.AccessKeyMetadata {
		m[*k.AccessKeyId] = string(k.Status)
	}
	return m
}

func TestRotateKeys(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	old := readEnv(t, dir)

	// Without --yes and without a terminal there is nobody to ask before the
	// old key is deactivated: exit 2, nothing changed.
	r := run(t, dir, s.Env(), "rotate-keys", "--env", "staging")
	if r.code != 2 || !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("rotate-keys without a terminal or --yes: exit %d\n%s", r.code, r.stderr)
	}
	if st := keyStatuses(t, s); len(st) != 1 || readEnv(t, dir)["AWS_ACCESS_KEY_ID"] != old["AWS_ACCESS_KEY_ID"] {
		t.Fatalf("rotate-keys refused but changed keys: %v", st)
	}

	// With a terminal (answers: deactivate yes, delete no), the old key is
	// only deactivated.
	screen := rotateDeactivateNotDelete(t, dir, s.Env())
	now := readEnv(t, dir)
	if now["AWS_ACCESS_KEY_ID"] == old["AWS_ACCESS_KEY_ID"] || now["AWS_SECRET_ACCESS_KEY"] == old["AWS_SECRET_ACCESS_KEY"] {
		t.Fatal("the env file still has the old key")
	}
	st := keyStatuses(t, s)
	if len(st) != 2 || st[old["AWS_ACCESS_KEY_ID"]] != "Inactive" || st[now["AWS_ACCESS_KEY_ID"]] != "Active" {
		t.Fatalf("after rotation without deletion: %v", st)
	}
	// The new key works for the app.
	app := s3client(t, s, now["AWS_ACCESS_KEY_ID"], now["AWS_SECRET_ACCESS_KEY"])
	if _, err := app.PutObject(context.Background(), &s3.PutObjectInput{Bucket: sdk.String("mon-app-media-staging"), Key: sdk.String("media/x"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("new key cannot write: %v", err)
	}
	if strings.Contains(screen, now["AWS_SECRET_ACCESS_KEY"]) || strings.Contains(screen, now["AWS_ACCESS_KEY_ID"]) {
		t.Error("rotate-keys printed the new key unmasked")
	}

	// A second rotation with --yes makes room (deletes the inactive key),
	// rotates, and deletes the replaced key: one key left, the env file's.
	mustOK(t, run(t, dir, s.Env(), "rotate-keys", "--env", "staging", "--yes"))
	last := readEnv(t, dir)
	st = keyStatuses(t, s)
	if len(st) != 1 || st[last["AWS_ACCESS_KEY_ID"]] != "Active" {
		t.Fatalf("after rotation with --yes: %v, env file key %s", st, last["AWS_ACCESS_KEY_ID"])
	}
}

func TestDoctorAndCheck(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers+"public_prefixes: [media/blog/]\n")
	mustOK(t, apply(t, dir, s.Env()))
	d := run(t, dir, s.Env(), "doctor", "--env", "staging")
	mustOK(t, d)
	for _, want := range []string{"app credentials accepted", "missing file answers 404", "anonymous read of media/blog/"} {
		if !strings.Contains(d.stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, d.stdout)
		}
	}
	mustOK(t, run(t, dir, s.Env(), "check", "--env", "staging"))

	// Someone deletes the bucket policy: check fails (exit 1) and says where.
	_, err := s3client(t, s, "", "").DeleteBucketPolicy(context.Background(), &s3.DeleteBucketPolicyInput{Bucket: sdk.String("mon-app-media-staging")})
	if err != nil {
		t.Fatal(err)
	}
	c := run(t, dir, s.Env(), "check", "--env", "staging", "--json")
	if c.code != 1 || !strings.Contains(c.stdout, `"ok": false`) || !strings.Contains(c.stdout, "media/blog/") {
		t.Fatalf("check after drift: exit %d\n%s", c.code, c.stdout)
	}

	// A typo in the env file's bucket name: doctor says it is a typo, not
	// the region.
	env, _ := os.ReadFile(filepath.Join(dir, ".env"))
	os.WriteFile(filepath.Join(dir, ".env"), []byte(strings.ReplaceAll(string(env), "AWS_STORAGE_BUCKET_NAME=mon-app-media-staging", "AWS_STORAGE_BUCKET_NAME=mon-app-media-stagin")), 0o600)
	d2 := run(t, dir, s.Env(), "doctor", "--env", "staging")
	if d2.code != 1 || !strings.Contains(d2.stdout, "typo") {
		t.Fatalf("doctor with a typo: exit %d\n%s", d2.code, d2.stdout)
	}
}

func TestDestroyNeedsTheTypedName(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	ctx := context.Background()

	// The list before the question and a wrong name (nothing deleted):
	// TestDestroyWrongNameDeletesNothingInProcess. Here the name typed on
	// the binary's stdin deletes.
	mustOK(t, runWithInput(t, dir, s.Env(), "mon-app-media-staging\n", "destroy", "--env", "staging"))
	if _, err := s3client(t, s, "", "").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdk.String("mon-app-media-staging")}); err == nil {
		t.Error("bucket still exists")
	}
	if _, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).GetUser(ctx, &iam.GetUserInput{UserName: sdk.String("mon-app-staging-s3-user")}); err == nil {
		t.Error("IAM user still exists")
	}
	// The env file held only the wizard's lines: destroy removes it (its
	// copy stays in .s3wizard/*.secret-backup); no secret is left in it.
	if b, err := os.ReadFile(filepath.Join(dir, ".env")); err == nil && strings.Contains(string(b), "AWS_SECRET_ACCESS_KEY") {
		t.Errorf("the deleted key's secret is still in .env:\n%s", b)
	} else if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	// Re-running apply rebuilds everything.
	mustOK(t, apply(t, dir, s.Env()))
}

func runWithInput(t *testing.T, dir string, env []string, input string, args ...string) result {
	t.Helper()
	cmd := wizard(t, dir, env, args...)
	cmd.Stdin = strings.NewReader(input)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return result{code, out.String(), errb.String()}
}

// Guide 10.4, live: doctor says whether costs can pile up.
func TestDoctorCosts(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	d := run(t, dir, s.Env(), "doctor", "--env", "staging")
	mustOK(t, d)
	for _, want := range []string{"✓ costs: lifecycle rules: 3 rule(s)", "✓ costs: incomplete multipart uploads: none",
		"✓ costs: old versions: 0 old version(s) (0.0 MB) and 0 delete marker(s)"} {
		if !strings.Contains(d.stdout, want) {
			t.Errorf("doctor lacks %q:\n%s", want, d.stdout)
		}
	}
	// Someone removes the lifecycle rules; an upload is left incomplete and
	// a file is overwritten (versioning keeps the old one).
	cl := s3client(t, s, "", "")
	ctx := context.Background()
	b := sdk.String("mon-app-media-staging")
	if _, err := cl.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: sdk.String("media/big.bin")}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"v1", "v2"} {
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: sdk.String("media/a.txt"), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	d2 := run(t, dir, s.Env(), "doctor", "--env", "staging")
	if d2.code != 1 {
		t.Fatalf("doctor after drift: exit %d\n%s", d2.code, d2.stdout)
	}
	for _, want := range []string{"✗ costs: lifecycle rules: none", "✗ costs: incomplete multipart uploads: 1 incomplete upload(s)", "✗ costs: old versions: 1 old version(s)"} {
		if !strings.Contains(d2.stdout, want) {
			t.Errorf("doctor after drift lacks %q:\n%s", want, d2.stdout)
		}
	}
}
