package cli_test

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/internal/testbin"
	"github.com/s3wizard/s3wizard/state"
)

var commandNames = []string{"apply", "plan", "status", "check", "doctor", "rotate-keys", "docs", "destroy", "migrate-media", "operator-policy"}

// Issue 10.10: `s3wizard CMD --help` is that command's help, on stdout.
func TestEachCommandHasItsOwnHelp(t *testing.T) {
	dir := t.TempDir()
	global := run(t, dir, nil, "--help")
	if global.code != 0 || !strings.Contains(global.stdout, "Usage:") || global.stderr != "" {
		t.Fatalf("s3wizard --help: exit %d\nstdout:\n%s\nstderr:\n%s", global.code, global.stdout, global.stderr)
	}
	for _, name := range commandNames {
		if !strings.Contains(global.stdout, "s3wizard "+name+" ") {
			t.Errorf("the global usage does not list %s", name)
		}
		for _, h := range []string{"--help", "-h"} {
			r := run(t, dir, nil, name, h)
			if r.code != 0 || r.stderr != "" {
				t.Errorf("%s %s: exit %d, stderr %q", name, h, r.code, r.stderr)
				continue
			}
			for _, want := range []string{"Usage:\n  s3wizard " + name, "Flags:", "Examples:\n  s3wizard " + name, "Exit codes:\n  0 "} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("%s %s lacks %q:\n%s", name, h, want, r.stdout)
				}
			}
		}
	}
	if r := run(t, dir, nil, "help", "destroy"); r.code != 0 || !strings.Contains(r.stdout, "Usage:\n  s3wizard destroy") {
		t.Errorf("s3wizard help destroy: exit %d\n%s", r.code, r.stdout)
	}
}

// Issue 10.10: every command refuses a flag it does not take, before
// anything else (doctor --json used to run).
func TestUnknownFlagsAreRefused(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"doctor", "--env", "staging", "--json"},
		{"plan", "--env", "staging", "--answers", "a.yaml", "--yes"},
		{"docs", "--env", "staging", "--dry-run"},
		{"status", "-o", "x"},
		{"--bogus"},
	} {
		r := run(t, dir, nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "does not take") || !strings.Contains(r.stderr, "--help") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming the flag", args, r.code, r.stderr)
		}
	}
	for _, name := range commandNames {
		r := run(t, dir, nil, name, "--env", "staging", "--bogus")
		if r.code != 2 || !strings.Contains(r.stderr, "-bogus") {
			t.Errorf("%s --bogus: exit %d, stderr %q", name, r.code, r.stderr)
		}
	}
}

// Issue 10.10: --version says the module version and VCS revision the binary
// was built from, as its build information records them.
func TestVersionIsTheBuildInfo(t *testing.T) {
	r := run(t, t.TempDir(), nil, "--version")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("--version: exit %d, stderr %q", r.code, r.stderr)
	}
	out, err := exec.Command("go", "version", "-m", testbin.Path(t)).Output()
	if err != nil {
		t.Fatal(err)
	}
	info := string(out)
	mod := regexp.MustCompile(`(?m)^\tmod\t\S+\t(\S+)`).FindStringSubmatch(info)
	if mod == nil || !strings.HasPrefix(r.stdout, "s3wizard "+mod[1]) {
		t.Errorf("--version %q does not start with the module version %v", r.stdout, mod)
	}
	if rev := regexp.MustCompile(`(?m)^\tbuild\tvcs.revision=(\w{12})`).FindStringSubmatch(info); rev != nil && !strings.Contains(r.stdout, rev[1]) {
		t.Errorf("--version %q lacks the revision %s", r.stdout, rev[1])
	}
}

// Issue 10.10: status --json gives RFC 3339 times.
func TestStatusJSONTimesAreRFC3339(t *testing.T) {
	dir := t.TempDir()
	p, err := state.Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetStep("bucket", "done", nil, nil); err != nil {
		t.Fatal(err)
	}
	p.Close()
	r := run(t, dir, nil, "status", "--env", "staging", "--json")
	if r.code != 0 {
		t.Fatalf("status: exit %d: %s", r.code, r.stderr)
	}
	var st struct {
		Steps []struct{ ID, At string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range st.Steps {
		if s.ID == "bucket" {
			found = true
			if _, err := time.Parse(time.RFC3339, s.At); err != nil {
				t.Errorf("step time %q is not RFC 3339: %v", s.At, err)
			}
		}
	}
	if !found {
		t.Fatalf("no bucket step in %s", r.stdout)
	}
}
