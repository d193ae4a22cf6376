package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joho/godotenv"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/steps"
)

// fakeHeroku puts a `heroku` on PATH that records its argv (one per line)
// in the returned file and, like the real CLI, echoes the values it set.
func fakeHeroku(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	argv := filepath.Join(t.TempDir(), "argv")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> \"$FAKE_HEROKU_ARGV\"; done\n" +
		"echo 'Setting config vars and restarting app... done'\nfor a in \"$@\"; do echo \"$a\" | sed 's/=/: /'; done\n"
	if err := os.WriteFile(filepath.Join(bin, "heroku"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_HEROKU_ARGV", argv)
	return argv
}

func readEnv(t *testing.T, dir string) map[string]string {
	t.Helper()
	env, err := godotenv.Read(filepath.Join(dir, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestAppConfigFilesAndIdempotence(t *testing.T) {
	st := runStaging(t)
	dir, r := st.dir, st.run
	env := readEnv(t, dir)
	secret := env["AWS_SECRET_ACCESS_KEY"]
	if secret == "" {
		t.Fatal("no secret in .env")
	}

	// A second run changes nothing.
	p, err := steps.PlanStep(context.Background(), r, steps.Find(steps.All(), "app-config"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Empty() {
		for _, a := range p.Actions {
			t.Errorf("second plan still wants: %s", a.Summary)
		}
	}

	// Ignore files.
	gi, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pat := range []string{".env", "set_env.sh", ".s3wizard/*secret*", ".s3wizard/heroku-*.sh"} {
		if !bytes.Contains(gi, []byte("\n"+pat+"\n")) && !bytes.HasPrefix(gi, []byte(pat+"\n")) {
			t.Errorf(".gitignore lacks %s:\n%s", pat, gi)
		}
	}

	// Generated settings (Django 3.2 here: the old names) and the companion module.
	settings, err := os.ReadFile(filepath.Join(dir, appconfig.SettingsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(settings, []byte("DEFAULT_FILE_STORAGE")) {
		t.Errorf("settings for Django 3.2 should use DEFAULT_FILE_STORAGE:\n%s", settings)
	}
	if _, err := os.Stat(filepath.Join(dir, appconfig.StoragesFile)); err != nil {
		t.Errorf("companion module: %v", err)
	}

	// set_env.sh: 0600, not executable, sourced by the venv's activate once.
	setEnv := filepath.Join(dir, "set_env.sh")
	if fi, err := os.Stat(setEnv); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("set_env.sh: %v %v", fi, err)
	}
	activate, _ := os.ReadFile(filepath.Join(dir, "venv", "bin", "activate"))
	if n := strings.Count(string(activate), "set_env.sh"); n != 1 {
		t.Errorf("activate sources set_env.sh %d times:\n%s", n, activate)
	}
	// Sourcing the activate script really exports the env file's values.
	out, err := exec.Command("bash", "-c", `. "$1" && printf '%s\n%s\n%s' "$AWS_SECRET_ACCESS_KEY" "$AWS_STORAGE_BUCKET_NAME" "$USE_S3_STORAGE"`, "x", filepath.Join(dir, "venv", "bin", "activate")).Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != secret+"\nmon-app-media-staging\nTrue" {
		t.Error("sourcing activate did not export the env file's values")
	}

	// Heroku: the 0600 file holds one command; run by sh (with a fake
	// heroku) it passes exactly the arguments RunHeroku passes.
	hf := filepath.Join(dir, appconfig.HerokuFile("staging"))
	fi, err := os.Stat(hf)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v %v", hf, fi, err)
	}
	body, _ := os.ReadFile(hf)
	if n := strings.Count(string(body), "heroku config:set"); n != 1 {
		t.Errorf("heroku file has %d config:set commands", n)
	}
	argvFile := fakeHeroku(t)
	if out, err := exec.Command("sh", hf).CombinedOutput(); err != nil {
		t.Fatalf("sh %s: %v", hf, err)
	} else if bytes.Contains(out, []byte(secret)) {
		t.Log("(the fake CLI echoes the secret when run by hand, as heroku does)")
	}
	fromFile, _ := os.ReadFile(argvFile)
	os.Remove(argvFile)
	want := strings.Join([]string{"config:set",
		"AWS_ACCESS_KEY_ID=" + env["AWS_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_STORAGE_BUCKET_NAME=mon-app-media-staging", "AWS_S3_REGION_NAME=eu-west-3", "USE_S3_STORAGE=True",
		"USE_S3_STATIC=False", "S3_PUBLIC_PREFIXES=media/blog/", "S3_PUBLIC_SSE=AES256",
		"AWS_S3_ENDPOINT_URL=" + st.moto.URL(), "--app", "mon-app-staging"}, "\n") + "\n"
	if string(fromFile) != want {
		t.Errorf("sh heroku file: argv differs (%d vs %d bytes)", len(fromFile), len(want))
	}

	// RunHeroku sets the same values through the Heroku Platform API (a
	// local stand-in here): declined, it sends nothing.
	var bodies []map[string]string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var b map[string]string
		_ = json.NewDecoder(req.Body).Decode(&b)
		if req.Method == http.MethodPatch && req.URL.Path == "/apps/mon-app-staging/config-vars" && req.Header.Get("Authorization") == "Bearer tok" {
			bodies = append(bodies, b)
		}
		w.Write([]byte("{}"))
	}))
	defer api.Close()
	t.Setenv(appconfig.HerokuAPIEnv, api.URL)
	t.Setenv("HEROKU_API_KEY", "tok")
	var shown bytes.Buffer
	if err := steps.RunHeroku(context.Background(), r, func() bool { return false }, &shown); !errors.Is(err, steps.ErrHerokuDeclined) {
		t.Fatalf("declined RunHeroku: %v", err)
	}
	if len(bodies) != 0 {
		t.Fatal("declined RunHeroku set config vars")
	}
	shown.Reset()
	if err := steps.RunHeroku(context.Background(), r, func() bool { return true }, &shown); err != nil {
		t.Fatal(err)
	}
	fileVars := map[string]string{}
	for _, a := range strings.Split(strings.TrimSpace(want), "\n") {
		if k, v, ok := strings.Cut(a, "="); ok {
			fileVars[k] = v
		}
	}
	if len(bodies) != 1 || !maps.Equal(bodies[0], fileVars) {
		t.Errorf("RunHeroku set other values than the file's (%d calls)", len(bodies))
	}
	if strings.Contains(shown.String(), secret) || strings.Contains(shown.String(), env["AWS_ACCESS_KEY_ID"]) {
		t.Error("RunHeroku printed the secret or the full key ID")
	}
	if !strings.Contains(shown.String(), "$ heroku config:set AWS_ACCESS_KEY_ID="+text.Mask(env["AWS_ACCESS_KEY_ID"])+" AWS_SECRET_ACCESS_KEY=********") ||
		!strings.Contains(shown.String(), "--app mon-app-staging") {
		t.Errorf("masked command not shown:\n%s", shown.String())
	}
	if k := r.State.Key(env["AWS_ACCESS_KEY_ID"]); k == nil || !strings.Contains(strings.Join(k.Deployed, ","), "heroku") {
		t.Errorf("key not recorded as deployed to heroku: %+v", k)
	}

	// Nothing secret in the progress file or the progress events.
	prog, _ := os.ReadFile(filepath.Join(dir, ".s3wizard", "staging.json"))
	if bytes.Contains(prog, []byte(secret)) {
		t.Error("the secret is in the progress file")
	}
	if strings.Contains(st.events.String(), secret) {
		t.Error("the secret is in the progress events")
	}
}
