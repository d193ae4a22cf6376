package tui

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/minioserver"
	"github.com/s3wizard/s3wizard/state"
)

// TestProvidedKeysTypedInTheWizard drives the wizard on the live engine
// against a real MinIO with `credentials: provided` and an env file that
// does not hold the provider's keys: the wizard asks the provider's endpoint
// (a follow-up of credentials: provided), then the access key ID and the
// secret (masked while typed), writes both to the env file only — never the
// progress file, any other file or the screen — and every step then runs on
// MinIO. The region is not in the answers file: asked after the endpoint,
// it is typed (a provider's own name, fr-par, the region the MinIO runs
// in) and reaches the env file.
func TestProvidedKeysTypedInTheWizard(t *testing.T) {
	srv := minioserver.StartIn(t, "fr-par")
	srv.Use(t)
	dir := newProject(t)
	answers := filepath.Join(t.TempDir(), "answers.yaml")
	must(t, os.WriteFile(answers, []byte("env: staging\napp: mon-app\ncredentials: provided\npublic_prefixes: [media/blog/]\n"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("# mine\nDEBUG=1\n"), 0o600))
	keyID, secret := minioserver.User, minioserver.Password

	p, eng := livePump(t, app.Options{Dir: dir, Env: "staging", AnswersFile: answers})
	p.settleFor(func() bool { return p.m.project != nil || p.m.projErr != nil })
	p.key("enter")

	// The endpoint: a follow-up question of credentials: provided.
	p.requireView("Provider's S3 endpoint URL")
	p.key("ctrl+u")
	p.typeText(srv.URL)
	p.key("enter")

	// The region, typed at 80x24: offered from the endpoint (MinIO's
	// default for a host that names none); a bad shape shows the rule.
	p.handle(tea.WindowSizeMsg{Width: 80, Height: 24})
	p.requireView("Provider's region", "us-east-1")
	requireFrame(t, p, 80, 24)
	p.key("ctrl+u")
	p.typeText("Fr_Par")
	p.key("enter")
	p.requireView("1-32 lowercase letters")
	p.key("ctrl+u")
	p.typeText("fr-par")
	p.key("enter")

	// The keys: the ID shown as typed, the secret masked.
	p.requireView("Your provider's access key ID", "Written to .env only")
	p.typeText("bad key")
	p.key("enter")
	p.requireView("3-128 letters") // the shape rule, before anything is written
	p.key("ctrl+u")
	p.typeText(keyID)
	p.key("enter")
	p.requireView("Its secret access key")
	p.typeText(secret)
	if v := p.view(); strings.Contains(v, secret) || !strings.Contains(v, "*****") {
		t.Fatalf("the secret is not masked while typed:\n%s", v)
	}
	p.key("enter")

	env, err := envfile.Read(filepath.Join(dir, ".env"))
	must(t, err)
	if env["AWS_ACCESS_KEY_ID"] != keyID || env["AWS_SECRET_ACCESS_KEY"] != secret || env["DEBUG"] != "1" {
		t.Fatalf(".env after the keys: %v", keys(env))
	}
	if fi, err := os.Stat(filepath.Join(dir, ".env")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf(".env mode: %v %v", fi.Mode(), err)
	}

	p.walkSteps(secret)
	p.requireView("Environment staging is set up", "endpoint   "+srv.URL, "Your provider's keys are in")
	if strings.Contains(p.view(), "role  ") {
		t.Error("the end screen names a role: there is none with credentials: provided")
	}
	if strings.Contains(p.view(), secret) {
		t.Fatal("the secret is on screen at the end")
	}
	must(t, eng.Close())

	env, err = envfile.Read(filepath.Join(dir, ".env"))
	must(t, err)
	if env["AWS_ACCESS_KEY_ID"] != keyID || env["AWS_SECRET_ACCESS_KEY"] != secret || env["AWS_S3_ENDPOINT_URL"] != srv.URL || env["AWS_S3_REGION_NAME"] != "fr-par" {
		t.Errorf(".env at the end: %v (endpoint %q, region %q)", keys(env), env["AWS_S3_ENDPOINT_URL"], env["AWS_S3_REGION_NAME"])
	}
	prog, err := state.Read(dir, "staging")
	must(t, err)
	if prog.Answers() == nil || prog.Answers().Endpoint != srv.URL {
		t.Errorf("the endpoint answer is not saved: %+v", prog.Answers())
	}
	for id, st := range prog.Steps() {
		if st.Status != state.Done && st.Status != state.Skipped {
			t.Errorf("step %s: %s", id, st.Status)
		}
	}
	// The secret is in .env and in no other file of the project.
	must(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == filepath.Join(dir, ".env") {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(b), secret) {
			t.Errorf("%s holds the secret", path)
		}
		return err
	}))
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
