package cli_test

// Flag, usage, help and exit-code tests that call cli.Main in-process (issue
// 21.2): milliseconds each, no built binary, no AWS. help_test.go keeps the
// --version covered end to end through the binary (TestVersionIsTheBuildInfo).

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/cli"
)

type mainResult struct {
	code           int
	stdout, stderr string
}

// runMain runs one command line in-process with empty stdin.
func runMain(args ...string) mainResult {
	var out, errw bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &errw, cli.Deps{})
	return mainResult{code, out.String(), errw.String()}
}

// wantUsage asserts exit 2, nothing on stdout, and one "s3wizard: " line on
// stderr holding want (the message itself: no "usage: " left in it).
func wantUsage(t *testing.T, r mainResult, args []string, want string) {
	t.Helper()
	if r.code != cli.ExitUsage || r.stdout != "" || !strings.HasPrefix(r.stderr, "s3wizard: ") ||
		strings.Contains(r.stderr, "usage: ") || !strings.Contains(r.stderr, want) {
		t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d and %q", args, r.code, r.stdout, r.stderr, cli.ExitUsage, want)
	}
}

// every command of the table, adopt included.
var allCommands = append(append([]string{}, commandNames...), "adopt")

func TestUsageUnknownCommandSuggestsInProcess(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"aply"}, `s3wizard: unknown command "aply" — did you mean apply?`},
		{[]string{"rotate-key", "--env", "staging"}, `unknown command "rotate-key" — did you mean rotate-keys?`},
		{[]string{"help", "doctr"}, `s3wizard: unknown command "doctr" — did you mean doctor?`},
		{[]string{"zzzzzzzz"}, `unknown command "zzzzzzzz": run ` + "`s3wizard --help`"},
	} {
		wantUsage(t, runMain(c.args...), c.args, c.want)
	}
}

func TestUsageUnknownFlagInProcess(t *testing.T) {
	for _, name := range allCommands {
		args := []string{name, "--env", "staging", "--bogus"}
		wantUsage(t, runMain(args...), args, name+" does not take -bogus")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"apply", "--env", "staging", "--dryrun"}, "does not take -dryrun — did you mean --dry-run?"},
		{[]string{"status", "--evn=staging"}, "does not take -evn — did you mean --env?"},
		{[]string{"doctor", "--env", "staging", "--json"}, "doctor does not take -json"},
		// Issue 10.10: each command refuses another's flag (doctor --json
		// used to run).
		{[]string{"plan", "--env", "staging", "--answers", "a.yaml", "--yes"}, "plan does not take -yes"},
		{[]string{"docs", "--env", "staging", "--dry-run"}, "docs does not take -dry-run"},
		{[]string{"status", "-o", "x"}, "status does not take -o"},
		{[]string{"--bogus"}, "does not take -bogus"},
		// An unknown flag after a flag's value is still found: --env
		// takes "staging", so --jsn is the next flag, not a value.
		{[]string{"status", "--env", "staging", "--jsn"}, "does not take -jsn — did you mean --json?"},
		// A bad value or syntax for a flag is a usage error too, but not
		// an unknown flag.
		{[]string{"apply", "--env", "staging", "--yes=maybe"}, "invalid boolean value"},
		{[]string{"status", "---json"}, "bad flag syntax"},
		{[]string{"status", "--env"}, "flag needs an argument"},
		{[]string{"status", "extra"}, `unexpected argument "extra"`},
		{[]string{"status", "--env", "Not An Env"}, "--env "},
	} {
		r := runMain(c.args...)
		wantUsage(t, r, c.args, c.want)
		if !strings.Contains(c.want, "does not take") && strings.Contains(r.stderr, "does not take") {
			t.Errorf("%q: %q calls a known flag unknown", c.args, r.stderr)
		}
		if strings.Contains(c.want, "does not take") && !strings.Contains(r.stderr, "--help`") {
			t.Errorf("%q: %q does not point to the command's --help", c.args, r.stderr)
		}
	}
}

func TestHelpPerCommandInProcess(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := runMain(args...)
		if r.code != cli.ExitOK || r.stderr != "" || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("%q: exit %d, stderr %q, stdout %q", args, r.code, r.stderr, r.stdout)
		}
		for _, name := range commandNames {
			if !strings.Contains(r.stdout, "s3wizard "+name+" ") {
				t.Errorf("%q: the global usage does not list %s", args, name)
			}
		}
	}
	for _, name := range allCommands {
		// --help wins over everything else on the line, even a missing
		// --env: help is never a usage error.
		for _, args := range [][]string{{name, "--help"}, {name, "-h"}, {"help", name}, {name, "--env", "staging", "--help"}} {
			r := runMain(args...)
			if r.code != cli.ExitOK || r.stderr != "" {
				t.Errorf("%q: exit %d, stderr %q; want exit 0 and help on stdout", args, r.code, r.stderr)
				continue
			}
			for _, want := range []string{"Usage:\n  s3wizard " + name, "Flags:", "Examples:\n  s3wizard " + name, "Exit codes:\n  0 "} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("%q lacks %q:\n%s", args, want, r.stdout)
				}
			}
		}
	}
}

func TestUsageMissingEnvInProcess(t *testing.T) {
	for _, name := range []string{"apply", "plan", "check", "doctor", "rotate-keys", "docs", "destroy", "adopt", "migrate-media"} {
		args := []string{name, "--dir", t.TempDir()}
		wantUsage(t, runMain(args...), args, name+" needs --env NAME: run `s3wizard "+name+" --help`")
	}
	args := []string{"plan", "--env", "staging"}
	wantUsage(t, runMain(args...), args, "plan needs --answers FILE")
}

// A bad answers file is refused before anything is written: no session
// opened, no progress folder, no env file, the answers file untouched.
func TestUsageBadAnswersFileWritesNothingInProcess(t *testing.T) {
	for _, c := range []struct {
		name, body, want string
	}{
		{"unknown key", "env: staging\nbukcet: mon-app-media\n", "bukcet"},
		{"not yaml", "env: [staging\n", "answers.yaml"},
		{"unknown region", "env: staging\napp: mon-app\nregion: eu-paris-1\n", "unknown region"},
		{"wrong type", stagingAnswers + "versioning: maybe\n", "versioning (line 5): wrong type"},
		{"ip bucket", stagingAnswers + "bucket: 192.168.1.1\n", "IP address"},
		{"other env", "env: prod\nregion: eu-west-3\n", `answers file`},
		{"missing file", "", "read answers file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "answers.yaml")
			if c.body != "" {
				if err := os.WriteFile(file, []byte(c.body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			for _, cmd := range [][]string{
				{"apply", "--env", "staging", "--answers", file, "--yes", "--dir", dir},
				{"plan", "--env", "staging", "--answers", file, "--dir", dir},
			} {
				var out, errw bytes.Buffer
				code := cli.Main(cmd, strings.NewReader(""), &out, &errw, cli.Deps{Open: noSession(t)})
				wantUsage(t, mainResult{code, out.String(), errw.String()}, cmd, c.want)
				entries, err := os.ReadDir(dir)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range entries {
					if e.Name() != "answers.yaml" {
						t.Errorf("%q wrote %s", cmd, e.Name())
					}
				}
				if c.body != "" {
					if got, _ := os.ReadFile(file); string(got) != c.body {
						t.Errorf("%q changed the answers file: %q", cmd, got)
					}
				}
			}
		})
	}
}

func TestVersionInProcess(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-version"}} {
		r := runMain(args...)
		if r.code != cli.ExitOK || r.stderr != "" || !strings.HasPrefix(r.stdout, "s3wizard ") || strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 0 and one version line", args, r.code, r.stdout, r.stderr)
		}
	}
	args := []string{"apply", "--version"}
	wantUsage(t, runMain(args...), args, "apply does not take -version")
}
