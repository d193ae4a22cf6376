package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/joho/godotenv"
	"github.com/s3wizard/s3wizard/cli"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testbin"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

const stagingAnswers = `env: staging
app: mon-app
region: eu-west-3
folders: [blog, products]
`

type result struct {
	code           int
	stdout, stderr string
}

// wizard is the built binary to run in dir with env (and no other AWS or
// S3WIZARD_ variable).
func wizard(t *testing.T, dir string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(testbin.Path(t), args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "S3WIZARD_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// run runs the built binary in dir with env (and no other AWS variable).
func run(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := wizard(t, dir, env, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return result{code, out.String(), errb.String()}
}

func project(t *testing.T, answers string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "answers.yaml"), []byte(answers), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func apply(t *testing.T, dir string, env []string) result {
	t.Helper()
	return run(t, dir, env, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
}

func mustOK(t *testing.T, r result) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

func readEnv(t *testing.T, dir string) map[string]string {
	t.Helper()
	m, err := godotenv.Read(filepath.Join(dir, ".env"))
	if err != nil {
		t.Fatalf("read .env: %v", err)
	}
	return m
}

func userKeys(t *testing.T, s *motoserver.Server, user string) []string {
	t.Helper()
	out, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: sdk.String(user)})
	if err != nil {
		t.Fatalf("list keys: %v", err)
	}
	var ids []string
	for _, k := range out.AccessKeyMetadata {
		ids = append(ids, *k.AccessKeyId)
	}
	return ids
}

func s3client(t *testing.T, s *motoserver.Server, id, secret string) *s3.Client {
	cfg := s.AWSConfig(t, "eu-west-3")
	if id != "" {
		cfg = s.AWSConfigWithCreds(t, "eu-west-3", id, secret)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

func TestApplyFromNothingThenNothingChanges(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))

	ctx := context.Background()
	if _, err := s3client(t, s, "", "").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdk.String("mon-app-media-staging")}); err != nil {
		t.Fatalf("bucket not created: %v", err)
	}
	for _, k := range []string{"media/blog/", "media/products/", "uploads/"} {
		if _, err := s3client(t, s, "", "").HeadObject(ctx, &s3.HeadObjectInput{Bucket: sdk.String("mon-app-media-staging"), Key: sdk.String(k)}); err != nil {
			t.Errorf("folder %s missing: %v", k, err)
		}
	}
	env := readEnv(t, dir)
	keys := userKeys(t, s, "mon-app-staging-s3-user")
	if len(keys) != 1 || keys[0] != env["AWS_ACCESS_KEY_ID"] {
		t.Fatalf("keys = %v, env file has %s", keys, env["AWS_ACCESS_KEY_ID"])
	}
	if fi, _ := os.Stat(filepath.Join(dir, ".env")); fi.Mode().Perm() != 0o600 {
		t.Errorf(".env mode = %v, want 0600", fi.Mode().Perm())
	}
	envBefore, _ := os.ReadFile(filepath.Join(dir, ".env"))

	second := apply(t, dir, s.Env())
	mustOK(t, second)
	if !strings.Contains(second.stderr, "nothing to change") {
		t.Errorf("second apply changed something:\n%s", second.stderr)
	}
	if keys2 := userKeys(t, s, "mon-app-staging-s3-user"); len(keys2) != 1 || keys2[0] != keys[0] {
		t.Errorf("second apply: keys = %v, want just %s", keys2, keys[0])
	}
	vs, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{
		PolicyArn: sdk.String("arn:aws:iam::123456789012:policy/mon-app-staging-s3-access")})
	if err != nil || len(vs.Versions) != 1 {
		t.Errorf("policy versions after two applies: %v, %v (want exactly 1)", vs, err)
	}
	envAfter, _ := os.ReadFile(filepath.Join(dir, ".env"))
	if !bytes.Equal(envBefore, envAfter) {
		t.Error("second apply rewrote the env file")
	}

	st := run(t, dir, nil, "status", "--env", "staging", "--json")
	mustOK(t, st)
	for _, id := range []string{"preflight", "bucket", "layout", "iam", "access-key", "public"} {
		if !strings.Contains(st.stdout, `"id": "`+id+`",`) {
			t.Errorf("status lacks step %s", id)
		}
	}
	if strings.Contains(st.stdout, `"failed"`) || strings.Contains(st.stdout, `"pending"`) {
		t.Errorf("status after apply has failed/pending steps:\n%s", st.stdout)
	}
}

// With moto's IAM enforcement on, only keys created inside moto work: the
// key the wizard wrote may touch media/ and nothing else.
func TestAppKeyIsLeastPrivilege(t *testing.T) {
	s := motoserver.Shared(t)
	admin := adminUser(t, s, false)
	other := s3client(t, s, admin[0], admin[1])
	s.SetAuth(t, true)
	t.Cleanup(func() { s.SetAuth(t, false) })

	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, adminEnv(s, admin)))
	ctx := context.Background()
	if _, err := other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: sdk.String("someone-elses-bucket"),
		CreateBucketConfiguration: &s3typesCBC}); err != nil {
		t.Fatal(err)
	}

	env := readEnv(t, dir)
	app := s3client(t, s, env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"])
	b := sdk.String("mon-app-media-staging")
	key := sdk.String("media/blog/hello.txt")
	if _, err := app.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: key, Body: strings.NewReader("hi")}); err != nil {
		t.Fatalf("app key cannot put under media/: %v", err)
	}
	if _, err := app.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key}); err != nil {
		t.Fatalf("app key cannot get under media/: %v", err)
	}
	if _, err := app.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: key}); err != nil {
		t.Fatalf("app key cannot delete under media/: %v", err)
	}
	if _, err := app.PutObject(ctx, &s3.PutObjectInput{Bucket: sdk.String("someone-elses-bucket"), Key: key, Body: strings.NewReader("x")}); err == nil {
		t.Error("app key could write to another bucket")
	}
	if _, err := app.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: sdk.String("secret/x"), Body: strings.NewReader("x")}); err == nil {
		t.Error("app key could write outside its prefixes")
	}
	iamc := iam.NewFromConfig(s.AWSConfigWithCreds(t, "us-east-1", env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]))
	if _, err := iamc.ListUsers(ctx, &iam.ListUsersInput{}); err == nil {
		t.Error("app key could call iam:ListUsers")
	}
}

// A crash right after CreateAccessKey (the secret never reached the env
// file) must not leave an active key whose secret is lost.
func TestCrashAfterCreateAccessKey(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	crash := apply(t, dir, append(s.Env(), "S3WIZARD_CRASH_AFTER=CreateAccessKey"))
	if crash.code == 0 {
		t.Fatalf("the simulated crash did not happen:\n%s", crash.stderr)
	}
	if keys := userKeys(t, s, "mon-app-staging-s3-user"); len(keys) != 1 {
		t.Fatalf("after the crash the user should have the one orphan key, has %v", keys)
	}
	if env, _ := godotenv.Read(filepath.Join(dir, ".env")); env["AWS_ACCESS_KEY_ID"] != "" {
		t.Fatal("the crash happened after the env file was written: the test proves nothing")
	}
	orphan := userKeys(t, s, "mon-app-staging-s3-user")[0]

	mustOK(t, apply(t, dir, s.Env()))
	keys := userKeys(t, s, "mon-app-staging-s3-user")
	env := readEnv(t, dir)
	if len(keys) != 1 || keys[0] != env["AWS_ACCESS_KEY_ID"] {
		t.Fatalf("after resuming: keys %v, env file key %s; want exactly the env file's key", keys, env["AWS_ACCESS_KEY_ID"])
	}
	if keys[0] == orphan {
		t.Fatal("the orphan key (secret lost) is still the user's key")
	}
}

// A failure midway keeps earlier steps; once the permission is granted the
// next apply resumes from the failed step.
func TestDeniedCreateAccessKeyThenResume(t *testing.T) {
	s := motoserver.Shared(t)
	admin := adminUser(t, s, true)
	s.SetAuth(t, true)
	t.Cleanup(func() { s.SetAuth(t, false) })
	dir := project(t, stagingAnswers)

	r := apply(t, dir, adminEnv(s, admin))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "iam:CreateAccessKey") || !strings.Contains(r.stderr, "AccessDenied") {
		t.Errorf("the error does not name the denied action:\n%s", r.stderr)
	}
	st := run(t, dir, nil, "status", "--env", "staging")
	for _, want := range []string{`done\s+bucket`, `done\s+iam`, `failed\s+access-key`} {
		if !regexp.MustCompile(want).MatchString(st.stdout) {
			t.Errorf("status lacks %q:\n%s", want, st.stdout)
		}
	}

	// The admin removes the deny; the same command resumes.
	s.SetAuth(t, false)
	_, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).DeleteUserPolicy(context.Background(), &iam.DeleteUserPolicyInput{
		UserName: sdk.String("admin"), PolicyName: sdk.String("deny-create-key")})
	if err != nil {
		t.Fatal(err)
	}
	s.SetAuth(t, true)
	r2 := apply(t, dir, adminEnv(s, admin))
	mustOK(t, r2)
	if strings.Contains(r2.stderr, "create bucket") || strings.Contains(r2.stderr, "create IAM user") {
		t.Errorf("resume redid earlier steps:\n%s", r2.stderr)
	}
	if !strings.Contains(r2.stderr, "create an access key") {
		t.Errorf("resume did not create the key:\n%s", r2.stderr)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	cases := []struct {
		name, answers, dotenv, want string
		args                        []string
		code                        int
	}{
		{name: "uppercase bucket", answers: stagingAnswers + "bucket: Mon-App\n", want: "lowercase", code: 2},
		{name: "short bucket", answers: stagingAnswers + "bucket: ab\n", want: "3 to 63", code: 2},
		{name: "ip bucket", answers: stagingAnswers + "bucket: 192.168.1.1\n", want: "IP address", code: 2},
		{name: "reserved suffix", answers: stagingAnswers + "bucket: mon-app-s3alias\n", want: "reserved", code: 2},
		{name: "unknown region", answers: "env: staging\napp: mon-app\nregion: eu-paris-1\n", want: "unknown region", code: 2},
		{name: "malformed yaml", answers: "env: staging\napp: [unclosed\n", want: "answers file", code: 2},
		{name: "unknown key", answers: stagingAnswers + "bukcet: x\n", want: "bukcet", code: 2},
		{name: "missing app with --yes", answers: "env: staging\nregion: eu-west-3\n", want: `missing answer "app"`, code: 2},
		{name: "typo with a suggestion", answers: "env: staging\napp: mon-app\nbuckett: x\nregion: eu-west-3\n", want: `unknown key "buckett" (line 3) — did you mean "bucket"?`, code: 2},
		{name: "wrong type in plain words", answers: stagingAnswers + "versioning: maybe\n", want: `versioning (line 5): wrong type: expected true or false, got "maybe"`, code: 2},
		{name: "log bucket too long", answers: stagingAnswers + "bucket: " + strings.Repeat("b", 63) + "\n", want: "access-log bucket", code: 2},
		{name: "heroku app injection", answers: stagingAnswers + "heroku_app: 'x; touch /tmp/PWNED'\n", want: "heroku_app", code: 2},
		{name: "env file is .gitignore", answers: stagingAnswers + "env_file: .gitignore\n", want: "env_file", code: 2},
		{name: "wildcard public prefix", answers: stagingAnswers + "public_prefixes: ['media/????????/']\n", want: "public_prefixes", code: 2},
		{name: "30 MB answers file", answers: stagingAnswers + "folders: [" + strings.Repeat("a, ", 10<<20) + "a]\n", want: "larger than 64 KB", code: 2},
		{name: "odd line in .env", answers: stagingAnswers, dotenv: "# mine\nDEBUG=1\nthis is not valid\n", want: "line 3", code: 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, c.answers)
			if c.dotenv != "" {
				os.WriteFile(filepath.Join(dir, ".env"), []byte(c.dotenv), 0o644)
			}
			// In-process: refused before any session (AWS client, lock)
			// is opened.
			r := inDir(t, dir, cli.Deps{Open: noSession(t)}, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
			if r.code != c.code || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", r.code, r.stderr, c.code, c.want)
			}
			if _, err := os.Stat(filepath.Join(dir, ".s3wizard")); err == nil {
				t.Error("a progress folder was written")
			}
			if c.dotenv != "" {
				if b, _ := os.ReadFile(filepath.Join(dir, ".env")); string(b) != c.dotenv {
					t.Error(".env was changed")
				}
			}
		})
	}
}

func TestNoSecretOutsideEnvFile(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers+"public_prefixes: [media/blog/]\n")
	r := apply(t, dir, s.Env())
	mustOK(t, r)
	st := run(t, dir, nil, "status", "--env", "staging", "--json")
	ck := run(t, dir, s.Env(), "check", "--env", "staging")
	secret := readEnv(t, dir)["AWS_SECRET_ACCESS_KEY"]
	if len(secret) < 20 {
		t.Fatalf("no secret in .env: %q", secret)
	}
	for name, text := range map[string]string{"apply stdout": r.stdout, "apply stderr": r.stderr, "status": st.stdout, "check": ck.stdout + ck.stderr} {
		if strings.Contains(text, secret) {
			t.Errorf("the secret appears in %s", name)
		}
	}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(path) == ".env" {
			return err
		}
		if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(secret)) {
			t.Errorf("the secret appears in %s", path)
		}
		return nil
	})
}

// plan needs no AWS account: it lists every call it would make and
// changes nothing.
func TestPlanWithoutCredentials(t *testing.T) {
	dir := project(t, stagingAnswers+"public_prefixes: [media/blog/]\n")
	r := run(t, dir, []string{"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"},
		"plan", "--env", "staging", "--answers", "answers.yaml")
	mustOK(t, r)
	for _, call := range []string{"s3:CreateBucket", "s3:PutBucketOwnershipControls", "iam:CreatePolicy", "iam:CreateGroup",
		"iam:AttachGroupPolicy", "iam:CreateUser", "iam:AddUserToGroup", "iam:CreateAccessKey", "s3:PutPublicAccessBlock", "s3:PutBucketPolicy"} {
		if !strings.Contains(r.stdout, call) {
			t.Errorf("plan does not list %s:\n%s", call, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "no AWS credentials") {
		t.Errorf("plan did not say it ran without credentials:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".s3wizard")); err == nil {
		t.Error("plan wrote progress")
	}
	if _, err := os.Stat(filepath.Join(dir, ".env")); err == nil {
		t.Error("plan wrote .env")
	}
}

func TestDryRunAgainstAWSChangesNothing(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	r := run(t, dir, s.Env(), "apply", "--env", "staging", "--answers", "answers.yaml", "--yes", "--dry-run")
	mustOK(t, r)
	if !strings.Contains(r.stdout, "s3:CreateBucket") {
		t.Errorf("dry run does not show the calls:\n%s", r.stdout)
	}
	out, _ := s3client(t, s, "", "").ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if len(out.Buckets) != 0 {
		t.Error("dry run created a bucket")
	}
	if _, err := os.Stat(filepath.Join(dir, ".env")); err == nil {
		t.Error("dry run wrote .env")
	}
}

// plan after a finished apply must find nothing to do: every step compares
// with the live state (steps plan concurrently, so this also proves they
// all know the account before building ARNs).
func TestPlanAfterApplyIsEmpty(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers+"public_prefixes: [media/blog/]\nbudget: {monthly_usd: 20, email: ops@example.com}\n")
	mustOK(t, apply(t, dir, s.Env()))
	for i := 0; i < 3; i++ {
		r := run(t, dir, s.Env(), "plan", "--env", "staging", "--answers", "answers.yaml")
		mustOK(t, r)
		if !strings.Contains(r.stdout, "0 change(s) planned") {
			t.Fatalf("plan after apply wants changes:\n%s", r.stdout)
		}
	}
}
