package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/cli"
)

// fakePython writes an interpreter that answers the wizard's version probe
// with Django 5.1.4 (Debian's python3 has 3.2), and returns its path.
func fakePython(t *testing.T) string {
	t.Helper()
	py := filepath.Join(t.TempDir(), "bin", "python")
	if err := os.MkdirAll(filepath.Dir(py), 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\n[ \"$1\" = -c ] || exit 3\necho '{\"django\": \"5.1.4\", \"storages\": \"1.14.6\"}'\n"
	if err := os.WriteFile(py, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return py
}

// djangoProject is a Django project with the staging answers file.
func djangoProject(t *testing.T) string {
	t.Helper()
	dir := project(t, stagingAnswers)
	manage := "#!/usr/bin/env python\nimport os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
	if err := os.WriteFile(filepath.Join(dir, "manage.py"), []byte(manage), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// --python (or S3WIZARD_PYTHON) is a value of the invocation, not a setting
// of the process (issue 21.2: no package-level state set by flag parsing):
// in one process, plan with --python reports that interpreter's Django, and
// the next plan without it does not (before, the flag stayed set in
// package djangoapp for every later run); S3WIZARD_PYTHON, read with the
// flags, names one too, and --python wins over it.
func TestPythonFlagReachesDetectionInProcess(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("VIRTUAL_ENV", "")
	t.Setenv("S3WIZARD_PYTHON", "")
	t.Setenv("PATH", "/usr/bin:/bin") // python3 on PATH: Debian's, with Django 3.2
	fake := fakePython(t)
	dir := djangoProject(t)
	plan := func(extra ...string) string {
		t.Helper()
		args := append([]string{"plan", "--env", "staging", "--answers", "answers.yaml"}, extra...)
		r := inDir(t, dir, cli.Deps{Open: offline(t)}, args...)
		if r.code != cli.ExitOK {
			t.Fatalf("%q: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
		return r.stdout + r.stderr
	}
	const named = "Django 5.1.4 (installed), django-storages 1.14.6 (installed)"

	if out := plan("--python", fake); !strings.Contains(out, named) {
		t.Fatalf("plan --python %s does not report its Django (%q):\n%s", fake, named, out)
	}
	if out := plan(); strings.Contains(out, "Django 5.1.4") || !strings.Contains(out, "Django 3.2") {
		t.Fatalf("plan without --python, after one with it, still asks %s (or not python3 on PATH, Debian's Django 3.2):\n%s", fake, out)
	}
	t.Setenv("S3WIZARD_PYTHON", fake)
	if out := plan(); !strings.Contains(out, named) {
		t.Fatalf("plan with S3WIZARD_PYTHON=%s does not report its Django:\n%s", fake, out)
	}
	if out := plan("--python", "/usr/bin/python3"); strings.Contains(out, "Django 5.1.4") || !strings.Contains(out, "Django 3.2") {
		t.Fatalf("--python /usr/bin/python3 lost to S3WIZARD_PYTHON:\n%s", out)
	}
}

// The bare command hands --python (or S3WIZARD_PYTHON) to the wizard with
// the other global options, so the TUI detects with it too.
func TestPythonFlagReachesTheWizardInProcess(t *testing.T) {
	fake := fakePython(t)
	var got []app.Options
	d := cli.Deps{Interactive: func(_ context.Context, o app.Options, _, _ bool, _ cli.IO) error {
		got = append(got, o)
		return nil
	}}
	main := func(args ...string) {
		t.Helper()
		var out, errw bytes.Buffer
		if code := cli.Main(args, strings.NewReader(""), &out, &errw, d); code != cli.ExitOK {
			t.Fatalf("%q: exit %d: %s", args, code, errw.String())
		}
	}
	t.Setenv("S3WIZARD_PYTHON", "")
	main("--dir", t.TempDir(), "--python", fake)
	main("--dir", t.TempDir())
	t.Setenv("S3WIZARD_PYTHON", "/from/the/environment/python")
	main("--dir", t.TempDir())
	want := []string{fake, "", "/from/the/environment/python"}
	if len(got) != len(want) {
		t.Fatalf("the wizard ran %d times, want %d", len(got), len(want))
	}
	for i, o := range got {
		if o.Python.Path != want[i] {
			t.Errorf("run %d: the wizard got Python %q, want %q", i+1, o.Python, want[i])
		}
	}
}

// The interpreters-tried note labels S3WIZARD_PYTHON's interpreter by where
// it came from: before, it read "(--python)" though no --python was passed.
func TestPythonFromEnvironmentLabelledSoInTriedNote(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("VIRTUAL_ENV", "")
	t.Setenv("PATH", t.TempDir()) // no python3 on PATH: only the named one is tried
	missing := filepath.Join(t.TempDir(), "nowhere", "python")
	t.Setenv("S3WIZARD_PYTHON", missing)
	dir := djangoProject(t)
	r := inDir(t, dir, cli.Deps{Open: offline(t)}, "plan", "--env", "staging", "--answers", "answers.yaml")
	out := r.stdout + r.stderr
	if r.code != cli.ExitOK {
		t.Fatalf("plan: exit %d\n%s", r.code, out)
	}
	if want := missing + " (S3WIZARD_PYTHON): does not run"; !strings.Contains(out, want) {
		t.Fatalf("plan's note lacks %q:\n%s", want, out)
	}
}
