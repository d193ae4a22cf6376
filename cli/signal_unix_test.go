//go:build unix

package cli_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSIGTERMStopsRunBlockedOnRead (issue 17.13): a run blocked where no
// context reaches (here destroy waiting on a stdin pipe nobody writes; a
// FIFO env file did the same) ignored SIGTERM forever. It exits 130 now,
// within the grace, and changes nothing.
func TestSIGTERMStopsRunBlockedOnRead(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	cmd := wizard(t, dir, s.Env(), "destroy", "--env", "staging")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "Type the bucket name") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("destroy never asked for the name:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	must(t, cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 {
			t.Errorf("after SIGTERM: %v, want exit 130\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("SIGTERM did not stop the blocked run:\n%s", stderr.String())
	}
	if !bucketExists(t, s, "mon-app-media-staging") {
		t.Error("the stopped destroy deleted the bucket")
	}
}

// TestFIFOEnvOrProgressFileRefused (issue 17.13): a named pipe as the env
// file or the progress file hung every command; each is refused at once.
func TestFIFOEnvOrProgressFileRefused(t *testing.T) {
	s := motoserver.Shared(t)
	for _, rel := range []string{".env", ".s3wizard/staging.json"} {
		dir := project(t, stagingAnswers)
		p := dir + "/" + rel
		must(t, os.MkdirAll(filepath.Dir(p), 0o700))
		must(t, syscall.Mkfifo(p, 0o600))
		cmds := [][]string{{"apply", "--env", "staging", "--answers", "answers.yaml", "--yes"}}
		if rel != ".env" { // status does not read the env file
			cmds = append(cmds, []string{"status", "--env", "staging"})
		}
		for _, args := range cmds {
			cmd := wizard(t, dir, s.Env(), args...)
			var stderr syncBuffer
			cmd.Stderr = &stderr
			must(t, cmd.Start())
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(stderr.String(), "named pipe") {
					t.Errorf("%s as a FIFO, %s: %v\n%s", rel, args[0], err, stderr.String())
				}
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Errorf("%s as a FIFO: %s hung", rel, args[0])
			}
		}
	}
	if b := bucketsOf(t, s); len(b) != 0 {
		t.Errorf("buckets created: %v", b)
	}
}
