package steps

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/state"
)

// appRun is a run of the app-config step alone: it makes no AWS call.
func appRun(t *testing.T, creds string) *Run {
	t.Helper()
	dir := t.TempDir()
	a := &config.Answers{Env: "prod", App: "mon-app", Region: "eu-west-3", Credentials: creds,
		HerokuApp: "mon-app-prod", PublicPrefixes: []string{"media/blog/"}, Set: map[string]bool{"env": true, "app": true, "region": true, "credentials": true, "heroku_app": true, "public_prefixes": true}}
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	prog, err := state.Read(dir, a.Env)
	if err != nil {
		t.Fatal(err)
	}
	return &Run{Dir: dir, Answers: a, State: prog}
}

func applyPlan(t *testing.T, r *Run) *Plan {
	t.Helper()
	p, err := planAppConfig(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Actions {
		if err := a.Do(context.Background()); err != nil {
			t.Fatalf("%s: %v", a.Summary, err)
		}
	}
	return p
}

func TestAppConfigInstanceRoleWritesNoKeys(t *testing.T) {
	r := appRun(t, config.CredInstanceRole)
	envPath := filepath.Join(r.Dir, ".env")
	// A leftover key from an earlier setup, and an endpoint from a test run.
	old := "# mine\nAWS_ACCESS_KEY_ID=AKIAOLDOLDOLDOLD1234\nAWS_S3_ENDPOINT_URL=http://127.0.0.1:5000\nOTHER=1\n"
	if err := os.WriteFile(envPath, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	p := applyPlan(t, r)
	warned := false
	for _, w := range p.Warnings {
		warned = warned || strings.Contains(w, "AKIA…234") && strings.Contains(w, "instance role")
		if strings.Contains(w, "AKIAOLDOLDOLDOLD1234") {
			t.Errorf("warning shows the full key ID: %s", w)
		}
	}
	if !warned {
		t.Errorf("no warning about the leftover key: %q", p.Warnings)
	}
	env, err := envfile.Read(envPath)
	if err != nil {
		t.Fatal(err)
	}
	if env[EnvSecret] != "" || env[EnvBucket] != "mon-app-media-prod" || env[EnvUseS3] != "True" || env["OTHER"] != "1" {
		t.Errorf("env file: %v", env)
	}
	if _, ok := env[EnvEndpoint]; ok {
		t.Error("AWS_S3_ENDPOINT_URL kept although no custom endpoint is in use")
	}
	if fi, _ := os.Stat(envPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("env file mode %#o", fi.Mode().Perm())
	}
	heroku, err := os.ReadFile(filepath.Join(r.Dir, HerokuFile("prod")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(heroku), "AWS_ACCESS_KEY_ID") || !strings.Contains(string(heroku), "AWS_STORAGE_BUCKET_NAME=mon-app-media-prod") {
		t.Errorf("instance-role heroku command:\n%s", heroku)
	}
	// No manage.py: latest Django, said so; STORAGES dict.
	gen, err := os.ReadFile(filepath.Join(r.Dir, SettingsFile))
	if err != nil || !strings.Contains(string(gen), "STORAGES = {") {
		t.Errorf("settings for the latest Django: %v", err)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, StoragesFile)); err == nil {
		t.Error("companion module written for Django 4.2+")
	}
	if !strings.Contains(strings.Join(p.Notices, "\n"), "no Django project found") {
		t.Errorf("no notice about the missing manage.py: %q", p.Notices)
	}
	// Idempotent.
	if p2, err := planAppConfig(context.Background(), r); err != nil || !p2.Empty() {
		t.Errorf("second plan: %v %+v", err, p2)
	}
	for _, c := range verifyAppConfig(context.Background(), r) {
		if !c.OK {
			t.Errorf("verify: %s: %s", c.Name, c.Detail)
		}
	}
}

func TestAppConfigWarnsWhenEnvFileIsTracked(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed for this test")
	}
	r := appRun(t, config.CredAccessKeys)
	if err := os.WriteFile(filepath.Join(r.Dir, ".env"), []byte("DEBUG=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", ".env"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = r.Dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	p, err := planAppConfig(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(p.Warnings, "\n"); !strings.Contains(w, "git rm --cached .env") || !strings.Contains(w, "rotate") {
		t.Errorf("no tracked-by-git warning with the fix: %q", p.Warnings)
	}
}

func TestShellQuoteRoundTrips(t *testing.T) {
	for _, v := range []string{"plain", "a b", "it's", `$HOME`, "`x`", `back\slash`, "wJal/K7+MDENG=", "", "'"} {
		out, err := exec.Command("sh", "-c", "printf %s "+ShellQuote(v)).Output()
		if err != nil || string(out) != v {
			t.Errorf("ShellQuote(%q) = %s → %q %v", v, ShellQuote(v), out, err)
		}
	}
}
