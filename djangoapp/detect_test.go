package djangoapp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const managePy = `#!/usr/bin/env python
import os
import sys

def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
`

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for f, c := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.Contains(f, "/bin/") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(c), mode); err != nil {
			t.Fatal(err)
		}
	}
}

// noPython hides python3 on PATH so that only the pinned versions count.
func noPython(t *testing.T) { t.Setenv("PATH", t.TempDir()) }

func TestDetectNoManagePy(t *testing.T) {
	dir := t.TempDir()
	_, err := Detect(dir, Python{})
	if err == nil || !strings.Contains(err.Error(), "no manage.py in "+dir+": run s3wizard from your Django project root or pass --dir") {
		t.Fatalf("got %v", err)
	}
}

func TestDetectPins(t *testing.T) {
	noPython(t)
	cases := []struct {
		name        string
		files       map[string]string
		dj, djSrc   string
		st, stSrc   string
		settingsRel string
	}{
		{"requirements exact", map[string]string{
			"requirements.txt":   "# deps\nDjango==4.2.7\ndjango-storages[s3]==1.14.4 ; python_version >= '3.8'\nboto3\n",
			"mysite/settings.py": "DEBUG = True\n",
		}, "4.2.7", "requirements.txt", "1.14.4", "requirements.txt", "mysite/settings.py"},
		{"requirements range", map[string]string{
			"requirements-prod.txt": "django>=5.0,<5.1\n",
			"requirements-dev.txt":  "django==4.1\n",
		}, "5.0", "requirements-prod.txt", "", "unknown", ""},
		{"requirements dir", map[string]string{
			"requirements/base.txt":       "django-storages~=1.13.2\nDjango ~= 3.2.20\n",
			"mysite/settings/__init__.py": "from .base import *  # noqa\n",
			"mysite/settings/base.py":     "DEBUG = False\n",
		}, "3.2.20", "requirements/base.txt", "1.13.2", "requirements/base.txt", "mysite/settings/base.py"},
		{"poetry", map[string]string{
			"pyproject.toml":              "[tool.poetry.dependencies]\npython = \"^3.11\"\ndjango = \"^4.2\"\ndjango-storages = {version = \"^1.14\", extras = [\"s3\"]}\n",
			"mysite/settings/__init__.py": "DEBUG = True\n",
			"mysite/settings/base.py":     "DEBUG = False\n",
		}, "4.2", "pyproject.toml", "1.14", "pyproject.toml", "mysite/settings/__init__.py"},
		{"pep621 one line", map[string]string{
			"pyproject.toml": "[project]\ndependencies = [\"django-storages[s3]>=1.14\", \"Django>=5.2,<6\"]\n",
		}, "5.2", "pyproject.toml", "1.14", "pyproject.toml", ""},
		{"pipfile", map[string]string{
			"Pipfile": "[packages]\nDjango = \"==4.2.11\"\ndjango-storages = \"*\"\n",
		}, "4.2.11", "Pipfile", "", "unknown", ""},
		{"nothing", map[string]string{"requirements.txt": "django-environ==0.11\ndjangorestframework==3.15\n"}, "", "unknown", "", "unknown", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.files["manage.py"] = managePy
			writeFiles(t, dir, c.files)
			p, err := Detect(dir, Python{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Dir != dir || p.ManagePy != filepath.Join(dir, "manage.py") || p.SettingsModule != "mysite.settings" {
				t.Errorf("dir/manage/settings module: %+v", p)
			}
			want := ""
			if c.settingsRel != "" {
				want = filepath.Join(dir, c.settingsRel)
			}
			if p.SettingsFile != want {
				t.Errorf("settings file %q, want %q", p.SettingsFile, want)
			}
			if p.DjangoVersion != c.dj || p.VersionSource != c.djSrc {
				t.Errorf("django %q from %q, want %q from %q", p.DjangoVersion, p.VersionSource, c.dj, c.djSrc)
			}
			if p.StoragesVersion != c.st || p.StoragesSource != c.stSrc {
				t.Errorf("storages %q from %q, want %q from %q", p.StoragesVersion, p.StoragesSource, c.st, c.stSrc)
			}
			if p.Venv != "" || p.Python != "" {
				t.Errorf("venv %q python %q, want none", p.Venv, p.Python)
			}
		})
	}
}

// TestDetectVenv uses a fake interpreter in .venv: it is preferred and its
// answer wins over the pins.
func TestDetectVenv(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh for the fake interpreter")
	}
	noPython(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"manage.py":          managePy,
		"requirements.txt":   "Django==4.2.7\n",
		".venv/bin/python":   "#!/bin/sh\n[ \"$1\" = -c ] || exit 3\necho '{\"django\": \"5.1.4\", \"storages\": \"1.14.6\"}'\n",
		"mysite/settings.py": "",
	})
	p, err := Detect(dir, Python{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Venv != filepath.Join(dir, ".venv") || p.Python != filepath.Join(dir, ".venv", "bin", "python") {
		t.Errorf("venv %q python %q", p.Venv, p.Python)
	}
	if p.DjangoVersion != "5.1.4" || p.VersionSource != "installed" || p.StoragesVersion != "1.14.6" || p.StoragesSource != "installed" {
		t.Errorf("versions: %+v", p)
	}
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "4.2.7") {
		t.Errorf("notes %q: want the pin mismatch", p.Notes)
	}
}

func TestDetectSettingsModuleVariants(t *testing.T) {
	noPython(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"manage.py":                     "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.production')\n",
		"config/settings/production.py": "from .base import *\n",
	})
	p, err := Detect(dir, Python{})
	if err != nil {
		t.Fatal(err)
	}
	if p.SettingsModule != "config.settings.production" || p.SettingsFile != filepath.Join(dir, "config/settings/production.py") {
		t.Errorf("%q %q", p.SettingsModule, p.SettingsFile)
	}
}

func TestAtLeast(t *testing.T) {
	for _, c := range []struct {
		v      string
		ma, mi int
		want   bool
	}{
		{"3.2.25", 4, 2, false}, {"4.2", 4, 2, true}, {"4.2.7", 4, 2, true}, {"4.1", 4, 2, false},
		{"5.0a1", 5, 1, false}, {"5.1", 4, 2, true}, {"5", 5, 0, true}, {"10.0", 5, 1, true},
		{"1.13.2", 1, 14, false}, {"1.14", 1, 14, true}, {"1.14.6", 1, 14, true},
		// Unknown is never assumed to be the newest (issue 8.6).
		{"", 5, 1, false}, {"", 1, 14, false}, {"dev", 4, 2, false},
	} {
		if got := AtLeast(c.v, c.ma, c.mi); got != c.want {
			t.Errorf("AtLeast(%q, %d, %d) = %v", c.v, c.ma, c.mi, got)
		}
	}
}

func TestSpecVersion(t *testing.T) {
	for spec, want := range map[string]string{
		"==4.2.7": "4.2.7", ">=5.0,<5.1": "5.0", "^4.2": "4.2", "~=3.2.20": "3.2.20", "<5": "", "*": "",
		"<6, >=5.2": "5.2", "==4.2.*": "4.2", "!=4.0,>=3.2": "3.2",
	} {
		if got := specVersion(spec); got != want {
			t.Errorf("specVersion(%q) = %q, want %q", spec, got, want)
		}
	}
}
