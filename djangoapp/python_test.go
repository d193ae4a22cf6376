package djangoapp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// venvWithDjango makes dir/bin/python, a link to the system's Python that
// has Django, as a virtualenv's interpreter is.
func venvWithDjango(t *testing.T, dir string) string {
	t.Helper()
	sys := systemDjango(t)
	py := filepath.Join(dir, "bin", "python")
	if err := os.MkdirAll(filepath.Dir(py), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sys, py); err != nil {
		t.Fatal(err)
	}
	return py
}

func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"manage.py": managePy, "mysite/settings.py": ""})
	writeFiles(t, dir, files)
	return dir
}

// Django detection finds the user's Python: --python first, then the
// active virtualenv (VIRTUAL_ENV), then Poetry's environment; when none can
// import Django it says which interpreters were tried and how to point the
// wizard at the right one. (python3 on PATH here has no Django, as on a
// machine where Django lives only in the app's virtualenv.)
func TestDetectFindsTheUsersPython(t *testing.T) {
	systemDjango(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	bin := t.TempDir()
	t.Setenv("PATH", bin)
	t.Setenv("VIRTUAL_ENV", "")

	t.Run("VIRTUAL_ENV", func(t *testing.T) {
		venv := t.TempDir()
		py := venvWithDjango(t, venv)
		t.Setenv("VIRTUAL_ENV", venv)
		p, err := Detect(project(t, nil), Python{})
		if err != nil || p.Python != py || p.VersionSource != "installed" || !strings.HasPrefix(p.DjangoVersion, "3.") {
			t.Fatalf("python %q django %q (%s), %v", p.Python, p.DjangoVersion, p.VersionSource, err)
		}
	})
	t.Run("--python", func(t *testing.T) {
		py := venvWithDjango(t, t.TempDir())
		p, err := Detect(project(t, map[string]string{".venv/bin/python": "#!/bin/sh\nexit 1\n"}), Python{Path: py})
		if err != nil || p.Python != py || p.VersionSource != "installed" {
			t.Fatalf("python %q (%s), %v", p.Python, p.VersionSource, err)
		}
	})
	t.Run("Poetry", func(t *testing.T) {
		env := t.TempDir()
		py := venvWithDjango(t, env)
		writeFiles(t, bin, map[string]string{"x/bin/poetry": "#!/bin/sh\n[ \"$1 $2 $3\" = 'env info --path' ] && echo " + env + "\n"})
		t.Setenv("PATH", filepath.Join(bin, "x", "bin"))
		p, err := Detect(project(t, map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"mon-app\"\n"}), Python{})
		if err != nil || p.Python != py || p.VersionSource != "installed" {
			t.Fatalf("python %q (%s), %v", p.Python, p.VersionSource, err)
		}
	})
	t.Run("none", func(t *testing.T) {
		t.Setenv("PATH", bin)
		dir := project(t, map[string]string{".venv/bin/python": "#!/bin/sh\nexit 1\n", "requirements.txt": "Django==5.1.4\n"})
		p, err := Detect(dir, Python{})
		if err != nil {
			t.Fatal(err)
		}
		note := strings.Join(p.Notes, "\n")
		for _, want := range []string{"no Python here can import Django", filepath.Join(dir, ".venv", "bin", "python") + " (the project's .venv/): does not run", "--python PATH"} {
			if !strings.Contains(note, want) {
				t.Fatalf("notes lack %q:\n%s", want, note)
			}
		}
	})
}

// The interpreter named by --python is a value of each detection, not a
// setting of the process (issue 21.2): in one process, one project detected
// with Debian's python3 (Django 3.2), then with another interpreter (a
// script answering the probe with Django 5.1.4), then with none named, gets
// three answers — and a prefetch with one interpreter is not taken by a
// detection with another. The disk cache, shared by the three, is keyed on
// the interpreter too.
func TestDetectAsksTheInterpreterItIsGiven(t *testing.T) {
	system := Python{Path: systemDjango(t)}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("PATH", t.TempDir()) // no python3 on PATH: only the named one can answer
	t.Setenv("VIRTUAL_ENV", "")
	dir := project(t, map[string]string{"requirements.txt": "Django==4.2.7\n"})
	envs := t.TempDir()
	writeFiles(t, envs, map[string]string{"other/bin/python": "#!/bin/sh\n[ \"$1\" = -c ] || exit 3\necho '{\"django\": \"5.1.4\", \"storages\": \"1.14.6\"}'\n"})
	other := Python{Path: filepath.Join(envs, "other", "bin", "python")}

	detect := func(py Python) *Project {
		t.Helper()
		p, err := Detect(dir, py)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for range 2 { // the second round answers from the disk cache
		if p := detect(system); p.Python != system.Path || !strings.HasPrefix(p.DjangoVersion, "3.") || p.VersionSource != "installed" {
			t.Fatalf("with %s: python %q, Django %q (%s); want Debian's 3.2, installed", system, p.Python, p.DjangoVersion, p.VersionSource)
		}
		if p := detect(other); p.Python != other.Path || p.DjangoVersion != "5.1.4" || p.VersionSource != "installed" {
			t.Fatalf("with %s: python %q, Django %q (%s); want 5.1.4, installed", other, p.Python, p.DjangoVersion, p.VersionSource)
		}
		if p := detect(Python{}); p.Python != "" || p.DjangoVersion != "4.2.7" || p.VersionSource != "requirements.txt" {
			t.Fatalf("with none named: python %q, Django %q (%s); want the pin 4.2.7 from requirements.txt", p.Python, p.DjangoVersion, p.VersionSource)
		}
	}

	Prefetch(dir, other)
	if p := detect(system); !strings.HasPrefix(p.DjangoVersion, "3.") {
		t.Fatalf("a detection with %s took the prefetch with %s: Django %q", system, other, p.DjangoVersion)
	}
	if p := detect(other); p.DjangoVersion != "5.1.4" {
		t.Fatalf("the prefetch with %s answered Django %q", other, p.DjangoVersion)
	}
}
