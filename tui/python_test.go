package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/djangoapp"
)

// The wizard's start screen detects the project with the interpreter of
// its options (--python, handed over by the CLI), not with a setting of the
// process (issue 21.2): two engines in one process, one given an
// interpreter answering Django 5.1.4 and one given none (Debian's python3
// on PATH, Django 3.2), each see their own.
func TestLiveEngineDetectsWithItsPython(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("VIRTUAL_ENV", "")
	t.Setenv("PATH", "/usr/bin:/bin")
	dir := t.TempDir()
	py := filepath.Join(t.TempDir(), "python")
	files := map[string]string{
		filepath.Join(dir, "manage.py"): "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
		py:                              "#!/bin/sh\n[ \"$1\" = -c ] || exit 3\necho '{\"django\": \"5.1.4\", \"storages\": \"1.14.6\"}'\n",
	}
	for f, c := range files {
		if err := os.WriteFile(f, []byte(c), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		python djangoapp.Python
		want   string
	}{{djangoapp.Python{Path: py}, "5.1.4"}, {djangoapp.Python{}, "3.2"}} {
		p, err := NewEngine(app.Options{Dir: dir, Python: c.python}).Project()
		if err != nil || !strings.HasPrefix(p.DjangoVersion, c.want) || p.VersionSource != "installed" {
			t.Errorf("engine with Python %q: %+v, %v; want Django %s, installed", c.python, p, err, c.want)
		}
	}
}
