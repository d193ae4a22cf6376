package cli_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/creack/pty"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// terminal runs the built binary in a pseudo-terminal (stdin, stdout and
// stderr), as a person at a keyboard would.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func inTerminal(t *testing.T, dir string, env []string, args ...string) *terminal {
	t.Helper()
	cmd := wizard(t, dir, env, args...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	tm := &terminal{t: t, cmd: cmd, tty: tty, done: make(chan struct{})}
	go func() {
		defer close(tm.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		tty.Close()
	})
	return tm
}

func (tm *terminal) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return strings.ReplaceAll(tm.out.String(), "\r\n", "\n")
}

// waitFor waits until the output shows s, and returns the output so far.
func (tm *terminal) waitFor(s string) string {
	tm.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if out := tm.screen(); strings.Contains(out, s) {
			return out
		}
		select {
		case <-tm.done:
			tm.t.Fatalf("the program ended without showing %q:\n%s", s, tm.screen())
		case <-time.After(50 * time.Millisecond):
		}
	}
	tm.t.Fatalf("%q never shown:\n%s", s, tm.screen())
	return ""
}

func (tm *terminal) send(s string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.tty, s); err != nil {
		tm.t.Fatal(err)
	}
}

// exit waits for the program and returns its exit code.
func (tm *terminal) exit() int {
	tm.t.Helper()
	err := tm.cmd.Wait()
	<-tm.done
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		tm.t.Fatal(err)
	}
	return 0
}

// rotateDeactivateNotDelete runs rotate-keys in a terminal and answers yes
// to deactivating the old key, no to deleting it; it returns the screen.
func rotateDeactivateNotDelete(t *testing.T, dir string, env []string) string {
	t.Helper()
	tm := inTerminal(t, dir, env, "rotate-keys", "--env", "staging")
	tm.waitFor("deactivate the old key")
	tm.waitFor("[y/N]: ")
	tm.send("y\n")
	tm.waitFor("delete key")
	tm.send("n\n")
	if code := tm.exit(); code != 0 {
		t.Fatalf("rotate-keys: exit %d\n%s", code, tm.screen())
	}
	return tm.screen()
}

func bucketExists(t *testing.T, s *motoserver.Server, bucket string) bool {
	t.Helper()
	_, err := s3client(t, s, "", "").HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: sdk.String(bucket)})
	return err == nil
}

func userExists(t *testing.T, s *motoserver.Server, user string) bool {
	t.Helper()
	_, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).GetUser(context.Background(), &iam.GetUserInput{UserName: sdk.String(user)})
	return err == nil
}

// Issue 10.4: apply in a terminal (a real one, through the binary) shows
// the plan and waits for one answer; "yes" applies; with nothing left to
// change it asks nothing. The "no" is TestApplyDeclinedChangesNothingInProcess.
func TestApplyInTerminalShowsThePlanAndAsks(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)

	tm := inTerminal(t, dir, s.Env(), "apply", "--env", "staging", "--answers", "answers.yaml")
	shown := tm.waitFor("[y/N]: ")
	for _, want := range []string{"Plan for env staging", "create bucket mon-app-media-staging", "aws s3:CreateBucket", "change(s) to env staging in account 123456789012?"} {
		if !strings.Contains(shown, want) {
			t.Errorf("before the question, the screen lacks %q:\n%s", want, shown)
		}
	}
	// It waits: nothing is created while the question is open.
	time.Sleep(time.Second)
	if bucketExists(t, s, "mon-app-media-staging") {
		t.Fatal("the bucket was created before the answer")
	}
	tm.send("y\n")
	if code := tm.exit(); code != 0 {
		t.Fatalf("apply answered yes: exit %d\n%s", code, tm.screen())
	}
	if !bucketExists(t, s, "mon-app-media-staging") || readEnv(t, dir)["AWS_ACCESS_KEY_ID"] == "" {
		t.Fatal("apply answered yes did not apply")
	}

	// Nothing left to change: no question.
	tm = inTerminal(t, dir, s.Env(), "apply", "--env", "staging", "--answers", "answers.yaml")
	if code := tm.exit(); code != 0 || strings.Contains(tm.screen(), "[y/N]") {
		t.Fatalf("apply with nothing to change: exit %d\n%s", code, tm.screen())
	}
}

// Issue 18 defect 7: apply applied a second plan, not the one it asked
// about. A teammate makes the bucket while the question is open: the apply
// stops naming the difference, and nothing of the wizard's is made.
func TestApplyStopsWhenTheAccountMovedAfterConfirmation(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	tm := inTerminal(t, dir, s.Env(), "apply", "--env", "staging", "--answers", "answers.yaml")
	tm.waitFor("[y/N]: ")
	if _, err := s3client(t, s, "", "").CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: sdk.String("mon-app-media-staging"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-3"}}); err != nil {
		t.Fatal(err)
	}
	tm.send("y\n")
	code := tm.exit()
	screen := tm.screen()
	if code == 0 || !strings.Contains(screen, "changed since it was confirmed") || !strings.Contains(screen, "[bucket] - create bucket mon-app-media-staging") {
		t.Fatalf("apply after the account moved: exit %d, want a refusal naming the bucket no longer created:\n%s", code, screen)
	}
	if userExists(t, s, "django-s3-user-staging") {
		t.Error("the IAM user was created from a plan nobody confirmed")
	}
	if _, err := os.Stat(filepath.Join(dir, ".env")); err == nil {
		t.Error("apply wrote .env from a plan nobody confirmed")
	}
}

// Issue 10.4: rotate-keys asks before it deactivates the old key, and says to
// restart what runs with it; a no leaves the old key active and the rotation
// to finish.
func TestRotateAsksBeforeDeactivating(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	old := readEnv(t, dir)["AWS_ACCESS_KEY_ID"]

	tm := inTerminal(t, dir, s.Env(), "rotate-keys", "--env", "staging")
	shown := tm.waitFor("[y/N]: ")
	if !strings.Contains(shown, "deactivate the old key") || !strings.Contains(shown, "restart") {
		t.Fatalf("the first question is not the deactivation, with the restart advice:\n%s", shown)
	}
	tm.send("n\n")
	if code := tm.exit(); code != 130 {
		t.Fatalf("rotate-keys answered no: exit %d\n%s", code, tm.screen())
	}
	now := readEnv(t, dir)["AWS_ACCESS_KEY_ID"]
	if st := keyStatuses(t, s); now == old || st[old] != "Active" || st[now] != "Active" {
		t.Fatalf("after no: env file key %s, keys %v; want the new key in the env file and both active", now, st)
	}

	rotateDeactivateNotDelete(t, dir, s.Env())
	if st := keyStatuses(t, s); st[old] != "Inactive" || st[now] != "Active" {
		t.Fatalf("after yes to deactivate, no to delete: %v", st)
	}
}

// ctrl+c at a line-by-line question (--accessible in a terminal) ends the
// wizard at once with exit 130, as in the full-screen wizard: huh's line
// mode alone would wait for Enter.
func TestAccessibleCtrlCEndsTheWizard(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, "")
	tm := inTerminal(t, dir, s.Env(), "--accessible", "--env", "staging", "--no-color")
	tm.waitFor("App name")
	tm.send("\x03")
	done := make(chan int, 1)
	go func() { done <- tm.exit() }()
	select {
	case code := <-done:
		if code != 130 {
			t.Errorf("ctrl+c: exit %d, want 130\n%s", code, tm.screen())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("ctrl+c did not end the wizard within 20 s:\n%s", tm.screen())
	}
}
