// Package e2e runs the wizard's real steps against a real emulator (moto)
// and checks the result from the app's side: a real Django process, the
// hand-off document, the Heroku hand-off.
package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// flowSteps are the steps a staging run with access keys goes through up
// to the app's configuration (protection and monitoring are other tests').
var flowSteps = []string{"preflight", "bucket", "layout", "iam", "access-key", "public", "app-config"}

// staging is a finished staging run against moto.
type staging struct {
	moto *motoserver.Server
	dir  string
	run  *steps.Run
	// events are every progress event's text (secrets must not be there).
	events *strings.Builder
}

// djangoProject writes a throwaway Django project into dir: manage.py, a
// settings module that loads the generated .s3wizard/django_settings.py, and
// a venv/ whose python is the system one (so djangoapp.Detect finds the
// installed Django and django-storages, as it would in a real virtualenv).
func djangoProject(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"manage.py": `#!/usr/bin/env python3
import os, sys
if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
`,
		"proj/__init__.py": "",
		"proj/settings.py": `import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "e2e-test-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["localhost"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.staticfiles", "storages"]
DATABASES = {}
USE_TZ = True
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"
STATIC_URL = "/static/"

# The block s3wizard generated, loaded from where the wizard wrote it (its header suggests
# copying it next to this file; loading it in place tests exactly what was generated).
_generated = BASE_DIR / ".s3wizard" / "django_settings.py"
exec(compile(_generated.read_text(), str(_generated), "exec"))
`,
		"venv/bin/activate": "# virtualenv activate script (test stand-in)\nexport VIRTUAL_ENV=/nowhere\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(systemPython, filepath.Join(dir, "venv", "bin", "python")); err != nil {
		t.Fatal(err)
	}
}

const systemPython = "/usr/bin/python3"

// answers are a staging run's answers, as an answers file would give them.
func answers(t *testing.T) *config.Answers {
	t.Helper()
	return testrun.Answers(t, `
env: staging
app: mon-app
region: eu-west-3
folders: [blog, products]
public_prefixes: [media/blog/]
credentials: access-keys
env_file: .env
set_env_sh: true
heroku_app: mon-app-staging
budget: {monthly_usd: 20, email: ops@example.com}
`)
}

// runStaging starts moto and applies the flow to a Django project, the way
// `s3wizard apply` does (aws.New reads the SDK's own environment variables).
// extra steps (e.g. protection, monitoring) run before app-config.
func runStaging(t *testing.T, extra ...string) *staging {
	t.Helper()
	m := motoserver.Shared(t)
	m.Use(t)

	dir := t.TempDir()
	djangoProject(t, dir)
	// An existing env file of the project: its other lines must survive.
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("# local settings\nDEBUG=True\nDATABASE_URL=sqlite:///db.sqlite3\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	a := answers(t)
	events := &strings.Builder{}
	r := testrun.New(t, dir, a, func(e steps.Event) {
		events.WriteString(e.Kind + " " + e.Step + " " + e.Text)
		if e.Err != nil {
			events.WriteString(" " + e.Err.Error())
		}
		if e.Check != nil {
			events.WriteString(" " + e.Check.Name + " " + e.Check.Detail)
		}
		events.WriteString("\n")
	})
	r.KeyPropagation = 5 * time.Second
	prog := r.State
	if err := prog.Update(func(p *state.Progress) { p.SetAnswers(a) }); err != nil {
		t.Fatal(err)
	}
	all := steps.All()
	ids := append(append(append([]string{}, flowSteps[:len(flowSteps)-1]...), extra...), flowSteps[len(flowSteps)-1])
	for _, id := range ids {
		s := steps.Find(all, id)
		if s == nil {
			t.Fatalf("step %s is not in steps.All()", id)
		}
		p, checks, err := steps.ApplyStep(ctx, r, s)
		if err != nil {
			t.Fatalf("apply %s: %v\nchecks: %+v\nevents:\n%s\nmoto:\n%s", id, err, checks, events, tail(m.Output(), 3000))
		}
		if id == "app-config" {
			for _, w := range p.Warnings {
				t.Logf("app-config warning: %s", w)
			}
		}
	}
	return &staging{moto: m, dir: dir, run: r, events: events}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
