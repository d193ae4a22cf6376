package djangoapp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeVenvProject makes a Django project whose virtualenv's python is a
// script that answers the version probe like a real interpreter would, and
// counts how often it is run. sitePackages is the directory it reports on
// sys.path.
func fakeVenvProject(t *testing.T) (dir, counter, sitePackages string) {
	t.Helper()
	dir = t.TempDir()
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // the cache lives under os.UserCacheDir
	if err := os.WriteFile(filepath.Join(dir, "manage.py"), []byte("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sitePackages = filepath.Join(dir, "venv", "lib", "python3.11", "site-packages")
	if err := os.MkdirAll(filepath.Join(dir, "venv", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(sitePackages, 0o755); err != nil {
		t.Fatal(err)
	}
	counter = filepath.Join(t.TempDir(), "runs")
	script := fmt.Sprintf("#!/bin/sh\necho run >> %q\necho '{\"django\": \"4.2.7\", \"storages\": \"1.14.2\", \"paths\": [\"%s\"]}'\n", counter, sitePackages)
	if err := os.WriteFile(filepath.Join(dir, "venv", "bin", "python"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, counter, sitePackages
}

func probeRuns(t *testing.T, counter string) int {
	t.Helper()
	b, err := os.ReadFile(counter)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "run")
}

func mustDetect(t *testing.T, dir string) *Project {
	t.Helper()
	p, err := Detect(dir, Python{})
	if err != nil {
		t.Fatal(err)
	}
	if p.DjangoVersion != "4.2.7" || p.VersionSource != "installed" || p.StoragesVersion != "1.14.2" {
		t.Fatalf("detected Django %q (%s), django-storages %q: want 4.2.7 (installed), 1.14.2", p.DjangoVersion, p.VersionSource, p.StoragesVersion)
	}
	return p
}

func TestDetectCachesTheInterpreterAnswerUntilSomethingChanges(t *testing.T) {
	dir, counter, site := fakeVenvProject(t)

	mustDetect(t, dir)
	if n := probeRuns(t, counter); n != 1 {
		t.Fatalf("first detection ran the project's python %d times, want 1", n)
	}
	mustDetect(t, dir)
	if n := probeRuns(t, counter); n != 1 {
		t.Fatalf("second detection with nothing changed ran python again (%d runs): the cache was not used", n)
	}

	// A new requirements file: asked again.
	if err := os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("Django==4.2.7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustDetect(t, dir)
	if n := probeRuns(t, counter); n != 2 {
		t.Fatalf("after requirements.txt appeared: %d runs, want 2", n)
	}

	// A package installed into the virtualenv changes its site-packages
	// directory: asked again.
	if err := os.Mkdir(filepath.Join(site, "whitenoise"), 0o755); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(2 * time.Second) // mtime resolution on some filesystems
	if err := os.Chtimes(site, later, later); err != nil {
		t.Fatal(err)
	}
	mustDetect(t, dir)
	if n := probeRuns(t, counter); n != 3 {
		t.Fatalf("after an install into site-packages: %d runs, want 3", n)
	}
}

func TestPrefetchedDetectionIsUsedOnce(t *testing.T) {
	dir, counter, _ := fakeVenvProject(t)
	Prefetch(dir, Python{})
	Prefetch(dir, Python{}) // a second start while one runs is a no-op
	mustDetect(t, dir)
	if n := probeRuns(t, counter); n != 1 {
		t.Fatalf("prefetch then detect ran python %d times, want 1", n)
	}
	// The prefetched result is taken once; the next detection is a fresh
	// one, served by the disk cache.
	if _, ok := prefetched.Load(mustAbs(t, dir)); ok {
		t.Fatal("the prefetched detection is still held after Detect took it")
	}
	mustDetect(t, dir)
	if n := probeRuns(t, counter); n != 1 {
		t.Fatalf("detect after the prefetch ran python again (%d runs)", n)
	}
}

func mustAbs(t *testing.T, dir string) string {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
