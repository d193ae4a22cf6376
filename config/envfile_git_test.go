package config

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestEnvFileNameGitDoesNotHonour (issue 17.4): env file names whose
// .gitignore line git reads otherwise (a backslash escapes, trailing spaces
// are dropped, EnsureIgnored trims a leading one) are refused up front. Real
// git first shows that each line, as the wizard would write it, leaves the
// file unignored: the refusal is needed.
func TestEnvFileNameGitDoesNotHonour(t *testing.T) {
	for _, name := range []string{`a\b.env`, ".env ", " .env"} {
		dir := t.TempDir()
		if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
			t.Fatalf("git init: %v %s", err, out)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte("AWS_SECRET_ACCESS_KEY=x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		// The line EnsureIgnored writes: the name, trimmed.
		line := name
		for len(line) > 0 && line[0] == ' ' {
			line = line[1:]
		}
		if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("git", "check-ignore", "-q", "--no-index", "--", name)
		cmd.Dir = dir
		if err := cmd.Run(); err == nil {
			t.Errorf("git ignores %q with the line %q: this name needs no refusal", name, line)
		}
		a, _ := Parse([]byte(base))
		a.ApplyDefaults()
		a.EnvFile, a.Set["env_file"] = name, true
		var ke *KeyError
		if err := a.Validate(); err == nil || !errors.As(err, &ke) || ke.Key != "env_file" {
			t.Errorf("env_file %q accepted (%v): git would not ignore it", name, err)
		}
	}
}

// TestBudgetThresholdZeroIsNotEighty (issue 17.17): `threshold_pct: 0` with
// a budget silently became 80; it is refused now, naming the key, and a
// threshold left out is still 80.
func TestBudgetThresholdZeroIsNotEighty(t *testing.T) {
	a, err := Parse([]byte(base + "budget:\n  monthly_usd: 10\n  email: ops@example.com\n  threshold_pct: 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	a.ApplyDefaults()
	var ke *KeyError
	if err := a.Validate(); !errors.As(err, &ke) || ke.Key != "budget.threshold_pct" {
		t.Errorf("threshold_pct 0 with a budget: %v (threshold now %v)", err, a.Budget.ThresholdPct)
	}
	a, _ = Parse([]byte(base + "budget:\n  monthly_usd: 10\n  email: ops@example.com\n"))
	a.ApplyDefaults()
	if err := a.Validate(); err != nil || a.Budget.ThresholdPct != 80 {
		t.Errorf("threshold left out: %v, %v; want 80", err, a.Budget.ThresholdPct)
	}
}
