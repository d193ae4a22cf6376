package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testbin"
	"github.com/s3wizard/s3wizard/state"
)

// tmuxSession is one detached tmux server of its own (its own socket), so
// the test never touches the developer's sessions.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("/usr/bin/tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.run("capture-pane", "-p", "-t", "wiz") }

func (s *tmuxSession) send(keys ...string) {
	s.run(append([]string{"send-keys", "-t", "wiz"}, keys...)...)
}

// waitFor polls the screen until it contains one of texts; it returns the
// one found.
func (s *tmuxSession) waitFor(d time.Duration, texts ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	var scr string
	for time.Now().Before(deadline) {
		scr = s.screen()
		for _, x := range texts {
			if strings.Contains(scr, x) {
				return x
			}
		}
		time.Sleep(150 * time.Millisecond)
	}
	s.t.Fatalf("screen never showed %q:\n%s", texts, scr)
	return ""
}

// waitChange waits until the screen is no longer before: the key sent was
// taken (instead of sleeping and hoping it was).
func (s *tmuxSession) waitChange(d time.Duration, before string) {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if s.screen() != before {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("the screen did not change:\n%s", before)
}

// exitStatus waits for the wizard's exit status, written to file by the
// session's script.
func (s *tmuxSession) exitStatus(file string) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(file); err == nil {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("the wizard did not exit:\n%s", s.screen())
	return ""
}

// needTmux fails (never skips) without tmux: .ci/run installs it.
func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is required by the terminal end-to-end tests (apt-get install tmux; .ci/run installs it)")
	}
}

func buildBinary(t *testing.T) string {
	return testbin.Path(t)
}

// startWizard runs the wizard (wizardScript) in a 120x40 pane of a tmux
// server of its own, named socket plus the test process's id, and waits
// for its start screen showing moto's account. exit is the file that will
// hold the wizard's exit status.
func startWizard(t *testing.T, socket string, srv *motoserver.Server, bin, dir string) (tm *tmuxSession, exit string) {
	tm = &tmuxSession{t: t, socket: fmt.Sprintf("%s-%d", socket, os.Getpid())}
	exit = filepath.Join(t.TempDir(), "exit")
	tm.run("new-session", "-d", "-s", "wiz", "-x", "120", "-y", "40", wizardScript(srv, bin, dir, exit))
	t.Cleanup(func() { _ = exec.Command("/usr/bin/tmux", "-L", tm.socket, "kill-server").Run() })
	tm.waitFor(20*time.Second, "> Start")
	tm.waitFor(20*time.Second, "account    123456789012")
	return tm, exit
}

// wizardScript is the shell line a tmux pane runs: the wizard for env
// staging in dir against srv (no shared AWS config), its exit status
// written to exit, then a pause that keeps the last screen readable.
func wizardScript(srv *motoserver.Server, bin, dir, exit string) string {
	env := append(srv.Env(), "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "TERM=xterm-256color")
	return fmt.Sprintf("env %s %s --dir %s --env staging; echo $? > %s; sleep 600", strings.Join(env, " "), bin, dir, exit)
}

// TestTmuxWholeStagingRun types a whole staging run into the real binary in
// a real terminal (tmux), against moto, and requires the same end state as
// `s3wizard apply --env staging --answers FILE --yes`.
func TestTmuxWholeStagingRun(t *testing.T) {
	needTmux(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	bin := buildBinary(t)
	srv := useMoto(t)
	sameAsApply(t, srv, func(dir string) {
		tm, exit := startWizard(t, "s3wizard-test", srv, bin, dir)
		tm.send("Enter")
		// Step 1: type the app name over the suggested one, as a user would.
		tm.waitFor(10*time.Second, "App name")
		tm.send("C-u")
		tm.send("-l", "mon-app")
		tm.send("Enter")
		for i := 0; i < 200; i++ {
			got := tm.waitFor(60*time.Second, "Apply this step?", "Press enter for the next step.",
				"enter next", "Set up prod now", "This step failed")
			scr := tm.screen()
			switch got {
			case "Apply this step?":
				tm.send("y")
			case "This step failed":
				t.Fatalf("a step failed:\n%s", tm.screen())
			case "Set up prod now":
				scr := tm.screen()
				if !strings.Contains(scr, "never shown") || strings.Contains(scr, "wJalr") {
					t.Fatalf("done screen:\n%s", scr)
				}
				tm.send("q")
				if st := tm.exitStatus(exit); st != "0" {
					t.Fatalf("exit status %s:\n%s", st, tm.screen())
				}
				return
			default:
				tm.send("Enter")
			}
			tm.waitChange(20*time.Second, scr)
		}
		t.Fatalf("too many screens:\n%s", tm.screen())
	})
}

// TestTmuxCtrlCExits130 quits the real binary with ctrl+c: exit status 130
// and the progress file kept.
func TestTmuxCtrlCExits130(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	srv := useMoto(t)
	dir := newProject(t)
	tm, exit := startWizard(t, "s3wizard-test-c", srv, bin, dir)
	tm.send("Enter")
	tm.waitFor(20*time.Second, "App name")
	for _, field := range []string{"How will the app authenticate?", "AWS region", "AWS profile for this env", "Apply this step?"} {
		tm.send("Enter")
		tm.waitFor(20*time.Second, field)
	}
	tm.send("y")
	tm.waitFor(30*time.Second, "Press enter for the next step.")
	tm.send("C-c")
	if st := tm.exitStatus(exit); st != "130" {
		t.Fatalf("exit status %s, want 130:\n%s", st, tm.screen())
	}
	if _, err := os.Stat(filepath.Join(dir, ".s3wizard", "staging.json")); err != nil {
		t.Fatalf("progress not kept: %v", err)
	}
}

// TestTmuxResumeUsesTheRealAccount runs the real binary at 80x24 against
// moto: a first run types its own bucket name (visible on screen while
// typed) and is stopped with ctrl+c before the IAM step; a second run
// resumes and finishes. Every ARN, policy and the budget read back from
// moto name the real account, never ACCOUNT_ID, and the header stays on
// the first line of every screen.
func TestTmuxResumeUsesTheRealAccount(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	srv := useMoto(t)
	dir := newProject(t)
	tm := &tmuxSession{t: t, socket: fmt.Sprintf("s3wizard-test-r-%d", os.Getpid())}
	t.Cleanup(func() { _ = exec.Command("/usr/bin/tmux", "-L", tm.socket, "kill-server").Run() })
	const bucket = "mon-app-files-staging"
	runs := 0
	start := func() string {
		exit := filepath.Join(t.TempDir(), "exit")
		script := wizardScript(srv, bin, dir, exit)
		if runs++; runs == 1 {
			tm.run("new-session", "-d", "-s", "wiz", "-x", "80", "-y", "24", script)
		} else {
			// The same 80x24 pane, a new process (the first one has exited).
			tm.run("respawn-pane", "-k", "-t", "wiz", script)
		}
		return exit
	}
	exited := func(exit, want string) {
		t.Helper()
		if st := tm.exitStatus(exit); st != want {
			t.Fatalf("exit status %s, want %s:\n%s", st, want, tm.screen())
		}
	}
	// walk answers every screen (defaults, except the bucket name and a
	// budget) until the IAM step (stop) or the end.
	walk := func(stop bool) {
		t.Helper()
		for i := 0; i < 300; i++ {
			got := tm.waitFor(60*time.Second, "Press enter for the next step.", "Apply this step?", "enter next",
				"This step failed", "What now")
			scr := tm.screen()
			if first := strings.SplitN(scr, "\n", 2)[0]; !strings.HasPrefix(first, "s3wizard · env staging") {
				t.Fatalf("header not on the first line at 80x24:\n%s", scr)
			}
			switch got {
			case "This step failed":
				t.Fatalf("a step failed:\n%s", scr)
			case "What now":
				return
			case "Apply this step?":
				tm.send("y")
			case "Press enter for the next step.":
				tm.send("Enter")
			case "enter next":
				switch {
				case stop && strings.Contains(scr, "step 4/10"):
					tm.send("C-c")
					return
				case strings.Contains(scr, "┃ Bucket name"):
					tm.send("C-u")
					tm.send("-l", bucket)
					tm.waitFor(10*time.Second, "> "+bucket) // typed, and visible
				case strings.Contains(scr, "┃ Monthly budget in USD"):
					tm.send("C-u")
					tm.send("-l", "10")
					tm.waitFor(10*time.Second, "> 10")
				case strings.Contains(scr, "┃ Budget alert email"):
					tm.send("C-u")
					tm.send("-l", "ops@example.com")
					tm.waitFor(10*time.Second, "> ops@example.com")
				}
				scr = tm.screen()
				tm.send("Enter")
			}
			tm.waitChange(20*time.Second, scr)
		}
		t.Fatalf("too many screens:\n%s", tm.screen())
	}

	exit := start()
	tm.waitFor(20*time.Second, "account    123456789012")
	tm.send("Enter") // Start
	walk(true)
	exited(exit, "130")
	prog, err := state.Read(dir, "staging")
	must(t, err)
	if st := prog.Steps(); st["bucket"].Status != state.Done || st["iam"].Status == state.Done {
		t.Fatalf("first run did not stop between the bucket and IAM: %+v", prog.Steps())
	}

	exit = start()
	tm.waitFor(20*time.Second, "> Resume where you left off")
	tm.send("Enter")
	walk(false)
	tm.send("q")
	exited(exit, "0")
	prog, err = state.Read(dir, "staging")
	must(t, err)
	if prog.Answers().Bucket != bucket || prog.Answers().Budget.MonthlyUSD != 10 {
		t.Fatalf("answers: bucket %q budget %v", prog.Answers().Bucket, prog.Answers().Budget.MonthlyUSD)
	}
	requireRealAccount(t, srv, prog.Answers())
}
