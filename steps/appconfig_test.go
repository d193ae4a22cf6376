package steps

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/appconfig"
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
	if creds == config.CredProvided {
		a.Endpoint, a.Set["endpoint"] = "http://127.0.0.1:9000", true // the provider's
	}
	return offlineRun(t, dir, a)
}

// offlineRun completes and validates a and reads its progress in dir.
func offlineRun(t *testing.T, dir string, a *config.Answers) *Run {
	t.Helper()
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
	if env[appconfig.EnvSecret] != "" || env[appconfig.EnvBucket] != "mon-app-media-prod" || env[appconfig.EnvUseS3] != "True" || env["OTHER"] != "1" {
		t.Errorf("env file: %v", env)
	}
	if _, ok := env[appconfig.EnvEndpoint]; ok {
		t.Error("AWS_S3_ENDPOINT_URL kept although no custom endpoint is in use")
	}
	if fi, _ := os.Stat(envPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("env file mode %#o", fi.Mode().Perm())
	}
	heroku, err := os.ReadFile(filepath.Join(r.Dir, appconfig.HerokuFile("prod")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(heroku), "AWS_ACCESS_KEY_ID") || !strings.Contains(string(heroku), "AWS_STORAGE_BUCKET_NAME=mon-app-media-prod") {
		t.Errorf("instance-role heroku command:\n%s", heroku)
	}
	// No manage.py: the version is not guessed; the settings choose on import.
	gen, err := os.ReadFile(filepath.Join(r.Dir, appconfig.SettingsFile))
	if err != nil || !strings.Contains(string(gen), "_django.VERSION < (4, 2)") {
		t.Errorf("settings that choose the Django names on import: %v", err)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, appconfig.StoragesFile)); err != nil {
		t.Errorf("companion module (PublicStorage for media/blog/): %v", err)
	}
	if n := strings.Join(p.Notices, "\n"); !strings.Contains(n, "no Django project found") || !strings.Contains(n, "check the Django and django-storages versions when they are imported") {
		t.Errorf("no notice about the missing manage.py and the import-time choice: %q", p.Notices)
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

// TestOneSettingsFileForEveryEnv (issue 10.6): applying staging then prod
// leaves the generated files byte for byte as staging left them, and the
// one settings file gives each env its own bucket, region, public prefixes
// and static choice from that env's file, in the real Django 3.2 of Debian.
func TestOneSettingsFileForEveryEnv(t *testing.T) {
	dir := t.TempDir()
	mk := func(y string) *Run {
		a, err := config.Parse([]byte(y))
		if err != nil {
			t.Fatal(err)
		}
		return offlineRun(t, dir, a)
	}
	staging := mk("env: staging\napp: mon-app\nregion: eu-west-3\ncredentials: instance-role\npublic_prefixes: [media/blog/]\nenv_file: .env.staging\n")
	prod := mk("env: prod\napp: mon-app\nregion: us-east-1\ncredentials: instance-role\npublic_prefixes: [media/blog/, media/avatars/]\nstatic_on_s3: true\nenv_file: .env.prod\n")
	read := func(rel string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	applyPlan(t, staging)
	gen, mod := read(appconfig.SettingsFile), read(appconfig.StoragesFile)
	applyPlan(t, prod)
	if !bytes.Equal(read(appconfig.SettingsFile), gen) || !bytes.Equal(read(appconfig.StoragesFile), mod) {
		t.Fatalf("prod rewrote the generated settings differently from staging")
	}
	if p, err := planAppConfig(context.Background(), staging); err != nil || slices.ContainsFunc(p.Actions, func(a *Action) bool { return slices.Contains(a.Files, appconfig.SettingsFile) }) {
		t.Errorf("staging again wants to rewrite the settings after prod: %v", err)
	}

	// The files as a project uses them, in Debian's Django 3.2.
	pkg := filepath.Join(dir, "proj")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	for f, body := range map[string][]byte{
		"proj/__init__.py":          nil,
		"proj/s3wizard_settings.py": gen,
		"s3wizard_storages.py":      mod,
		"proj/settings.py": []byte("SECRET_KEY = 'x'\nINSTALLED_APPS = ['storages']\nUSE_TZ = True\n" +
			"from .s3wizard_settings import *  # noqa\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, f), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const script = `import django
django.setup()
from django.conf import settings
from s3wizard_storages import PublicStorage
print(settings.AWS_STORAGE_BUCKET_NAME, settings.AWS_S3_REGION_NAME, ",".join(settings.S3_PUBLIC_PREFIXES),
      getattr(settings, "STATICFILES_STORAGE", "-"), PublicStorage("media/blog/").location,
      PublicStorage("media/blog/").object_parameters.get("ServerSideEncryption"))
`
	for _, c := range []struct {
		r    *Run
		want string
	}{
		{staging, "mon-app-media-staging eu-west-3 media/blog/ django.contrib.staticfiles.storage.StaticFilesStorage media/blog AES256"},
		{prod, "mon-app-media-prod us-east-1 media/blog/,media/avatars/ s3wizard_storages.StaticStorage media/blog AES256"},
	} {
		env, err := envfile.Read(c.r.EnvFilePath())
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("/usr/bin/python3", "-c", script)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PYTHONPATH=" + dir, "DJANGO_SETTINGS_MODULE=proj.settings", "PYTHONDONTWRITEBYTECODE=1"}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: django (python3-django from Debian is needed: .ci/run installs it): %v\n%s", c.r.Answers.Env, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.r.Answers.Env, got, c.want)
		}
	}
}

// TestDeployVarsSkipEmptyValues: with no public prefix, S3_PUBLIC_PREFIXES
// is not deployed (Heroku, set_env.sh, Elastic Beanstalk properties, which
// cannot be empty); the settings read an unset variable the same way.
func TestDeployVarsSkipEmptyValues(t *testing.T) {
	r := appRun(t, config.CredInstanceRole)
	names := func() map[string]string {
		m := map[string]string{}
		for _, v := range r.deployVars(nil) {
			m[v.Name] = v.Value
		}
		return m
	}
	if got := names(); got[appconfig.EnvPublicPrefixes] != "media/blog/" || got[appconfig.EnvStatic] != "False" {
		t.Errorf("with media/blog/ public: %v", got)
	}
	r.Answers.PublicPrefixes = nil
	if v, ok := names()[appconfig.EnvPublicPrefixes]; ok {
		t.Errorf("S3_PUBLIC_PREFIXES deployed empty (%q)", v)
	}
}

// TestPublicSSEOnlyOnAWS: the generated public and static storages ask for
// SSE-S3 only where the env says so. On AWS (access keys, instance role)
// the env gets S3_PUBLIC_SSE=AES256, so a bucket defaulting to SSE-KMS still
// stores public files readable anonymously; with `credentials: provided`
// (MinIO without a KMS refuses the header with NotImplemented) it is not
// set, and removed if an earlier run left it. The public step's probe
// follows the same rule (publicSSE).
func TestPublicSSEOnlyOnAWS(t *testing.T) {
	for _, c := range []struct {
		creds string
		want  string
	}{{config.CredAccessKeys, "AES256"}, {config.CredInstanceRole, "AES256"}, {config.CredProvided, ""}} {
		r := appRun(t, c.creds)
		set, remove := r.WantedEnv()
		deployed := map[string]string{}
		for _, v := range r.deployVars(nil) {
			deployed[v.Name] = v.Value
		}
		if c.want != "" {
			if set[appconfig.EnvPublicSSE] != c.want || deployed[appconfig.EnvPublicSSE] != c.want || slices.Contains(remove, appconfig.EnvPublicSSE) {
				t.Errorf("%s: %s set %q, deployed %q, removed %v; want %s everywhere", c.creds, appconfig.EnvPublicSSE, set[appconfig.EnvPublicSSE], deployed[appconfig.EnvPublicSSE], remove, c.want)
			}
		} else {
			_, inSet := set[appconfig.EnvPublicSSE]
			_, inDeployed := deployed[appconfig.EnvPublicSSE]
			if inSet || inDeployed || !slices.Contains(remove, appconfig.EnvPublicSSE) {
				t.Errorf("%s: %s set %v, deployed %v, removed %v; want it unset and removed", c.creds, appconfig.EnvPublicSSE, inSet, inDeployed, remove)
			}
		}
		if got := string(publicSSE(r.Answers)); got != c.want {
			t.Errorf("%s: the public probe writes with %q, the storages with %q", c.creds, got, c.want)
		}
	}
}
