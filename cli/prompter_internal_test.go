//go:build !windows

package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The terminal prompter on a real pseudo-terminal, in-process: it knows a
// terminal, reads a y/N answer and a line through one reader, and asks the
// secret with the echo off (the secret typed never comes back on the
// screen). The commands' questions run with a scripted person elsewhere
// (prompts_inprocess_test.go).
func TestTerminalPasswordIsNotEchoed(t *testing.T) {
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptm.Close()
	defer tty.Close()
	var mu sync.Mutex
	var screen bytes.Buffer
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := ptm.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	shown := func() string {
		mu.Lock()
		defer mu.Unlock()
		return screen.String()
	}
	waitFor := func(s string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if strings.Contains(shown(), s) {
				return
			}
		}
		t.Fatalf("%q never shown:\n%s", s, shown())
	}
	type answer struct {
		ok   bool
		line string
		err  error
	}
	p := newTerminalPrompter(tty, tty)
	if !p.CanPrompt() {
		t.Fatal("a pseudo-terminal is not taken for a terminal")
	}
	if (&terminalPrompter{in: strings.NewReader(""), errw: tty}).CanPrompt() {
		t.Fatal("a pipe on stdin is taken for a terminal")
	}

	got := make(chan answer, 1)
	go func() { got <- answer{ok: p.Confirm("go on?")} }()
	waitFor("go on? [y/N]: ")
	ptm.WriteString("yes\n")
	if a := <-got; !a.ok {
		t.Fatal(`"yes" at the confirmation was not a yes`)
	}
	go func() { l, err := p.Input("Access key ID: "); got <- answer{line: l, err: err} }()
	waitFor("Access key ID: ")
	ptm.WriteString("GK123\n")
	if a := <-got; a.err != nil || a.line != "GK123" {
		t.Fatalf("line %q, %v; want GK123", a.line, a.err)
	}

	const secret = "s3cr3t-never-on-screen"
	go func() {
		l, err := p.Password("Secret access key (hidden):", func(string) error { return nil })
		got <- answer{line: l, err: err}
	}()
	waitFor("Secret access key (hidden):")
	time.Sleep(100 * time.Millisecond) // the echo is switched off after the title
	ptm.WriteString(secret + "\n")
	a := <-got
	if a.err != nil || a.line != secret {
		t.Fatalf("secret %q, %v; want it read", a.line, a.err)
	}
	time.Sleep(50 * time.Millisecond)
	if strings.Contains(shown(), secret) {
		t.Fatalf("the secret was echoed:\n%s", shown())
	}
}
