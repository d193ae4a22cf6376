package cli_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/joho/godotenv"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// Staging then prod with the default env file: prod must not write over
// staging's key (its secret would be lost while the key stays active).
func TestStagingThenProdKeepTheirOwnEnvFiles(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	staging := readEnv(t, dir)

	prodAnswers := strings.Replace(stagingAnswers, "env: staging", "env: prod", 1)
	os.WriteFile(filepath.Join(dir, "prod.yaml"), []byte(prodAnswers), 0o644)
	r := run(t, dir, s.Env(), "apply", "--env", "prod", "--answers", "prod.yaml", "--yes")
	mustOK(t, r)
	if after := readEnv(t, dir); after["AWS_ACCESS_KEY_ID"] != staging["AWS_ACCESS_KEY_ID"] || after["AWS_STORAGE_BUCKET_NAME"] != "mon-app-media-staging" {
		t.Fatalf("prod changed staging's .env: %v", after["AWS_STORAGE_BUCKET_NAME"])
	}
	prod, err := godotenv.Read(filepath.Join(dir, ".env.prod"))
	if err != nil || prod["AWS_STORAGE_BUCKET_NAME"] != "mon-app-media-prod" || prod["AWS_ACCESS_KEY_ID"] == "" {
		t.Fatalf(".env.prod: %v %v", prod["AWS_STORAGE_BUCKET_NAME"], err)
	}
	if k := userKeys(t, s, "mon-app-prod-s3-user"); len(k) != 1 || k[0] != prod["AWS_ACCESS_KEY_ID"] {
		t.Errorf("prod keys %v, .env.prod has %s", k, prod["AWS_ACCESS_KEY_ID"])
	}
	// Staging again: still one key, still in .env.
	mustOK(t, apply(t, dir, s.Env()))
	if k := userKeys(t, s, "mon-app-staging-s3-user"); len(k) != 1 || k[0] != staging["AWS_ACCESS_KEY_ID"] {
		t.Errorf("staging keys after prod: %v", k)
	}
	// Choosing staging's file for prod explicitly is refused before any change.
	os.WriteFile(filepath.Join(dir, "prod2.yaml"), []byte(prodAnswers+"env_file: .env\n"), 0o644)
	bad := run(t, dir, s.Env(), "apply", "--env", "prod", "--answers", "prod2.yaml", "--yes")
	if bad.code != 2 || !strings.Contains(bad.stderr, "mon-app-media-staging") {
		t.Fatalf("exit %d:\n%s", bad.code, bad.stderr)
	}
}

// herokuScript puts a `heroku` with that shell body on PATH.
func herokuScript(t *testing.T, body string) string {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "heroku"), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return "PATH=" + bin + ":" + os.Getenv("PATH")
}

func TestRotateDeploysToHerokuBeforeRetiringTheOldKey(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers+"heroku_app: mon-app-staging\n")
	mustOK(t, apply(t, dir, s.Env()))
	old := readEnv(t, dir)["AWS_ACCESS_KEY_ID"]

	henv, calls, argsFile := fakeHerokuAPI(t, http.StatusOK)
	r := run(t, dir, append(s.Env(), henv...), "rotate-keys", "--env", "staging", "--yes")
	mustOK(t, r)
	now := readEnv(t, dir)
	got := calls()
	if len(got) != 1 {
		t.Fatalf("Heroku API calls: %+v\n%s", got, r.stderr)
	}
	c := got[0]
	if c.Method != http.MethodPatch || c.Path != "/apps/mon-app-staging/config-vars" || c.Auth != "Bearer tok-123" || c.Accept != "application/vnd.heroku+json; version=3" {
		t.Errorf("Heroku API call: %s %s auth %q accept %q", c.Method, c.Path, c.Auth, c.Accept)
	}
	if c.Body["AWS_ACCESS_KEY_ID"] != now["AWS_ACCESS_KEY_ID"] || c.Body["AWS_SECRET_ACCESS_KEY"] != now["AWS_SECRET_ACCESS_KEY"] || c.Body["AWS_STORAGE_BUCKET_NAME"] != "mon-app-media-staging" {
		t.Errorf("Heroku got other values than the env file's (key %s)", c.Body["AWS_ACCESS_KEY_ID"])
	}
	// The heroku CLI was only asked for the token: no secret in any argv.
	if args, _ := os.ReadFile(argsFile); string(args) != "auth:token\n" {
		t.Errorf("heroku CLI arguments: %q", args)
	}
	if st := keyStatuses(t, s); len(st) != 1 || st[now["AWS_ACCESS_KEY_ID"]] != "Active" || now["AWS_ACCESS_KEY_ID"] == old {
		t.Errorf("keys after rotation: %v", st)
	}
	if strings.Contains(r.stderr, now["AWS_SECRET_ACCESS_KEY"]) {
		t.Error("the new secret was printed")
	}
}

func TestRotateWithoutHerokuCLIWaitsForTheUser(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers+"heroku_app: mon-app-staging\n")
	mustOK(t, apply(t, dir, s.Env()))
	old := readEnv(t, dir)["AWS_ACCESS_KEY_ID"]

	noHeroku := "PATH=/usr/bin:/bin"
	r := run(t, dir, append(s.Env(), noHeroku), "rotate-keys", "--env", "staging", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "still uses the old key") || !strings.Contains(r.stderr, "heroku-staging.sh") {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	newID := readEnv(t, dir)["AWS_ACCESS_KEY_ID"]
	if st := keyStatuses(t, s); st[old] != "Active" || st[newID] != "Active" {
		t.Fatalf("the old key must stay active until Heroku has the new one: %v", st)
	}
	if st := run(t, dir, nil, "status", "--env", "staging"); !strings.Contains(st.stdout, "pending: key rotation") {
		t.Errorf("status does not show the pending rotation:\n%s", st.stdout)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".s3wizard", "heroku-staging.sh")); !strings.Contains(string(b), newID) {
		t.Error("the Heroku command file does not carry the new key")
	}
	// The user ran the file; the same command finishes the rotation.
	mustOK(t, run(t, dir, append(s.Env(), noHeroku), "rotate-keys", "--env", "staging", "--yes"))
	if st := keyStatuses(t, s); len(st) != 1 || st[newID] != "Active" {
		t.Fatalf("after finishing: %v", st)
	}
}

// A creation record left by a crash must not make a later run delete a key
// someone made by hand long after.
func TestStaleCreationRecordSparesLaterKeys(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))

	path := filepath.Join(dir, ".s3wizard", "staging.json")
	var prog map[string]any
	b, _ := os.ReadFile(path)
	json.Unmarshal(b, &prog)
	prog["key_creation"] = map[string]any{"user": "mon-app-staging-s3-user", "at": time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339), "existing_key_ids": []string{}}
	b, _ = json.Marshal(prog)
	os.WriteFile(path, b, 0o600)

	hand, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: sdk.String("mon-app-staging-s3-user")})
	if err != nil {
		t.Fatal(err)
	}
	r := apply(t, dir, s.Env())
	mustOK(t, r)
	if _, ok := keyStatuses(t, s)[*hand.AccessKey.AccessKeyId]; !ok {
		t.Fatalf("the hand-made key was deleted:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "also has key") {
		t.Errorf("the unknown key was not pointed out:\n%s", r.stderr)
	}
}

// fakeHerokuFailing puts a `heroku` on PATH that fails, as when the user is
// not logged in.
func fakeHerokuFailing(t *testing.T) string {
	return herokuScript(t, "echo 'not logged in' >&2\nexit 1\n")
}

// A failed Heroku deploy must never be taken for a done one: running
// rotate-keys again retries the deploy and keeps the old key active until
// it succeeds.
func TestRotateAfterFailedHerokuDeployKeepsOldKey(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers+"heroku_app: mon-app-staging\n")
	mustOK(t, apply(t, dir, s.Env()))
	old := readEnv(t, dir)["AWS_ACCESS_KEY_ID"]

	failing := fakeHerokuFailing(t)
	for i := 0; i < 2; i++ {
		r := run(t, dir, append(s.Env(), failing), "rotate-keys", "--env", "staging", "--yes")
		if r.code != 1 || !strings.Contains(r.stderr, "still active") {
			t.Fatalf("run %d: exit %d\n%s", i, r.code, r.stderr)
		}
		if st := keyStatuses(t, s); st[old] != "Active" || len(st) != 2 {
			t.Fatalf("run %d: the old key Heroku still uses was retired: %v", i, st)
		}
	}
	// The token is refused: still not deployed, the old key stays.
	refused, _, _ := fakeHerokuAPI(t, http.StatusUnauthorized)
	r := run(t, dir, append(s.Env(), refused...), "rotate-keys", "--env", "staging", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "heroku login") || keyStatuses(t, s)[old] != "Active" {
		t.Fatalf("refused token: exit %d, keys %v\n%s", r.code, keyStatuses(t, s), r.stderr)
	}
	henv, calls, _ := fakeHerokuAPI(t, http.StatusOK)
	mustOK(t, run(t, dir, append(s.Env(), henv...), "rotate-keys", "--env", "staging", "--yes"))
	newID := readEnv(t, dir)["AWS_ACCESS_KEY_ID"]
	if got := calls(); len(got) != 1 || got[0].Body["AWS_ACCESS_KEY_ID"] != newID {
		t.Fatalf("heroku did not get the new key: %+v", got)
	}
	if st := keyStatuses(t, s); len(st) != 1 || st[newID] != "Active" {
		t.Fatalf("after the deploy succeeded: %v", st)
	}
}

// A rotation killed right after CreateAccessKey leaves an orphan (its
// secret lost); the next rotate-keys deletes it and rotates.
func TestRotateCrashAfterCreateAccessKey(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	old := readEnv(t, dir)["AWS_ACCESS_KEY_ID"]
	crash := run(t, dir, append(s.Env(), "S3WIZARD_CRASH_AFTER=CreateAccessKey"), "rotate-keys", "--env", "staging", "--yes")
	if crash.code == 0 || len(keyStatuses(t, s)) != 2 {
		t.Fatalf("the crash did not leave an orphan: exit %d, keys %v", crash.code, keyStatuses(t, s))
	}
	if readEnv(t, dir)["AWS_ACCESS_KEY_ID"] != old {
		t.Fatal("the env file changed before the new key was verified")
	}
	r := run(t, dir, s.Env(), "rotate-keys", "--env", "staging", "--yes")
	mustOK(t, r)
	now := readEnv(t, dir)["AWS_ACCESS_KEY_ID"]
	if st := keyStatuses(t, s); len(st) != 1 || st[now] != "Active" || now == old {
		t.Fatalf("after resuming: %v (env file %s, old %s)\n%s", st, now, old, r.stderr)
	}
}

// A rotation whose new key reached the env file but was never recorded (the
// process died in between) is finished by the next rotate-keys, not blocked
// by "2 active keys".
func TestRotateFinishesAfterCrashBetweenEnvWriteAndRecord(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	old := readEnv(t, dir)["AWS_ACCESS_KEY_ID"]

	// The state such a crash leaves: the new key in .env, the creation
	// record still open, no rotation record.
	k, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: sdk.String("mon-app-staging-s3-user")})
	if err != nil {
		t.Fatal(err)
	}
	envPath := filepath.Join(dir, ".env")
	env, _ := os.ReadFile(envPath)
	text := strings.Replace(string(env), "AWS_ACCESS_KEY_ID="+old, "AWS_ACCESS_KEY_ID="+*k.AccessKey.AccessKeyId, 1)
	oldSecret := readEnv(t, dir)["AWS_SECRET_ACCESS_KEY"]
	text = strings.Replace(text, "AWS_SECRET_ACCESS_KEY="+oldSecret, "AWS_SECRET_ACCESS_KEY="+*k.AccessKey.SecretAccessKey, 1)
	os.WriteFile(envPath, []byte(text), 0o600)
	progPath := filepath.Join(dir, ".s3wizard", "staging.json")
	var prog map[string]any
	b, _ := os.ReadFile(progPath)
	json.Unmarshal(b, &prog)
	prog["key_creation"] = map[string]any{"user": "mon-app-staging-s3-user", "at": time.Now().UTC().Format(time.RFC3339), "existing_key_ids": []string{old}, "replaces": old}
	b, _ = json.Marshal(prog)
	os.WriteFile(progPath, b, 0o600)

	r := run(t, dir, s.Env(), "rotate-keys", "--env", "staging", "--yes")
	mustOK(t, r)
	if st := keyStatuses(t, s); len(st) != 1 || st[*k.AccessKey.AccessKeyId] != "Active" {
		t.Fatalf("rotation not finished: %v\n%s", st, r.stderr)
	}
}

// A project whose own .env already names another bucket gets .env.<env>,
// says so, and keeps using it even after .env changes (no second key).
func TestEnvFileRedirectIsRemembered(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	os.WriteFile(filepath.Join(dir, ".env"), []byte("AWS_STORAGE_BUCKET_NAME=legacy-bucket\n"), 0o600)
	r := apply(t, dir, s.Env())
	mustOK(t, r)
	if !strings.Contains(r.stderr, "env file .env.staging") {
		t.Errorf("the redirect was not said:\n%s", r.stderr)
	}
	// The user cleans up their old .env: the env keeps its file.
	os.WriteFile(filepath.Join(dir, ".env"), []byte("DEBUG=1\n"), 0o600)
	mustOK(t, apply(t, dir, s.Env()))
	mustOK(t, run(t, dir, s.Env(), "check", "--env", "staging"))
	if k := userKeys(t, s, "mon-app-staging-s3-user"); len(k) != 1 {
		t.Fatalf("a second key was made: %v", k)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".env")); string(b) != "DEBUG=1\n" {
		t.Errorf(".env was written: %q", b)
	}
}
