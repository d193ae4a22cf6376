package cli_test

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/cli"
	"github.com/s3wizard/s3wizard/internal/testbin"
	"github.com/s3wizard/s3wizard/state"
)

// commandNames are the commands of the global usage.
var commandNames = []string{"apply", "plan", "status", "check", "doctor", "rotate-keys", "docs", "destroy", "migrate-media", "operator-policy"}

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
	r := inDir(t, dir, cli.Deps{Open: noSession(t)}, "status", "--env", "staging", "--json")
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
