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
	defer func(p string) { Python = p }(Python)

	t.Run("VIRTUAL_ENV", func(t *testing.T) {
		venv := t.TempDir()
		py := venvWithDjango(t, venv)
		t.Setenv("VIRTUAL_ENV", venv)
		p, err := Detect(project(t, nil))
		if err != nil || p.Python != py || p.VersionSource != "installed" || !strings.HasPrefix(p.DjangoVersion, "3.") {
			t.Fatalf("python %q django %q (%s), %v", p.Python, p.DjangoVersion, p.VersionSource, err)
		}
	})
	t.Run("--python", func(t *testing.T) {
		py := venvWithDjango(t, t.TempDir())
		Python = py
		defer func() { Python = "" }()
		p, err := Detect(project(t, map[string]string{".venv/bin/python": "#!/bin/sh\nexit 1\n"}))
		if err != nil || p.Python != py || p.VersionSource != "installed" {
			t.Fatalf("python %q (%s), %v", p.Python, p.VersionSource, err)
		}
	})
	t.Run("Poetry", func(t *testing.T) {
		env := t.TempDir()
		py := venvWithDjango(t, env)
		writeFiles(t, bin, map[string]string{"x/bin/poetry": "#!/bin/sh\n[ \"$1 $2 $3\" = 'env info --path' ] && echo " + env + "\n"})
		t.Setenv("PATH", filepath.Join(bin, "x", "bin"))
		p, err := Detect(project(t, map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"mon-app\"\n"}))
		if err != nil || p.Python != py || p.VersionSource != "installed" {
			t.Fatalf("python %q (%s), %v", p.Python, p.VersionSource, err)
		}
	})
	t.Run("none", func(t *testing.T) {
		t.Setenv("PATH", bin)
		dir := project(t, map[string]string{".venv/bin/python": "#!/bin/sh\nexit 1\n", "requirements.txt": "Django==5.1.4\n"})
		p, err := Detect(dir)
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
