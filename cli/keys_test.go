package cli_test

import (
	"context"
	"encoding/json"
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
	s := motoserver.Start(t)
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
	if k := userKeys(t, s, "django-s3-user-prod"); len(k) != 1 || k[0] != prod["AWS_ACCESS_KEY_ID"] {
		t.Errorf("prod keys %v, .env.prod has %s", k, prod["AWS_ACCESS_KEY_ID"])
	}
	// Staging again: still one key, still in .env.
	mustOK(t, apply(t, dir, s.Env()))
	if k := userKeys(t, s, "django-s3-user-staging"); len(k) != 1 || k[0] != staging["AWS_ACCESS_KEY_ID"] {
		t.Errorf("staging keys after prod: %v", k)
	}
	// Choosing staging's file for prod explicitly is refused before any change.
	os.WriteFile(filepath.Join(dir, "prod2.yaml"), []byte(prodAnswers+"env_file: .env\n"), 0o644)
	bad := run(t, dir, s.Env(), "apply", "--env", "prod", "--answers", "prod2.yaml", "--yes")
	if bad.code != 2 || !strings.Contains(bad.stderr, "mon-app-media-staging") {
		t.Fatalf("exit %d:\n%s", bad.code, bad.stderr)
	}
}

// fakeHeroku puts a `heroku` on PATH that records its arguments.
func fakeHeroku(t *testing.T) (pathEnv, argsFile string) {
	bin := t.TempDir()
	argsFile = filepath.Join(bin, "args")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + argsFile + "\n"
	if err := os.WriteFile(filepath.Join(bin, "heroku"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return "PATH=" + bin + ":" + os.Getenv("PATH"), argsFile
}

func TestRotateDeploysToHerokuBeforeRetiringTheOldKey(t *testing.T) {
	s := motoserver.Start(t)
	dir := project(t, stagingAnswers+"heroku_app: mon-app-staging\n")
	mustOK(t, apply(t, dir, s.Env()))
	old := readEnv(t, dir)["AWS_ACCESS_KEY_ID"]

	path, argsFile := fakeHeroku(t)
	r := run(t, dir, append(s.Env(), path), "rotate-keys", "--env", "staging", "--yes")
	mustOK(t, r)
	now := readEnv(t, dir)
	args, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatalf("heroku was not run: %v\n%s", err, r.stderr)
	}
	if !strings.Contains(string(args), "AWS_ACCESS_KEY_ID="+now["AWS_ACCESS_KEY_ID"]) || !strings.Contains(string(args), "--app\nmon-app-staging") {
		t.Errorf("heroku got %q", args)
	}
	if st := keyStatuses(t, s); len(st) != 1 || st[now["AWS_ACCESS_KEY_ID"]] != "Active" || now["AWS_ACCESS_KEY_ID"] == old {
		t.Errorf("keys after rotation: %v", st)
	}
	if strings.Contains(r.stderr, now["AWS_SECRET_ACCESS_KEY"]) {
		t.Error("the new secret was printed")
	}
}

func TestRotateWithoutHerokuCLIWaitsForTheUser(t *testing.T) {
	s := motoserver.Start(t)
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
	s := motoserver.Start(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))

	path := filepath.Join(dir, ".s3wizard", "staging.json")
	var prog map[string]any
	b, _ := os.ReadFile(path)
	json.Unmarshal(b, &prog)
	prog["key_creation"] = map[string]any{"user": "django-s3-user-staging", "at": time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339), "existing_key_ids": []string{}}
	b, _ = json.Marshal(prog)
	os.WriteFile(path, b, 0o600)

	hand, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: sdk.String("django-s3-user-staging")})
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
