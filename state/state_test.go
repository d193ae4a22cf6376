package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveReadRoundTripAndMode(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetStep("bucket", Done, nil, []string{"adopted"}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	fi, err := os.Stat(Path(dir, "staging"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("progress file: %v, mode %v", err, fi.Mode().Perm())
	}
	q, err := Read(dir, "staging")
	if err != nil || q.Step("bucket").Status != Done || q.Step("iam").Status != Pending {
		t.Fatalf("read back: %v %+v", err, q.Steps)
	}
}

func TestLockKeepsTwoRunsApart(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, "staging"); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if q, err := Open(dir, "prod"); err != nil {
		t.Fatalf("another env must not be locked: %v", err)
	} else {
		q.Close()
	}
	p.Close()
	if q, err := Open(dir, "staging"); err != nil {
		t.Fatalf("after Close: %v", err)
	} else {
		q.Close()
	}
}

func TestCorruptOrNewerFileIsNeverOverwritten(t *testing.T) {
	for name, content := range map[string]string{
		"corrupt": `{"schema": 1, "steps": {`,
		"newer":   `{"schema": 99, "steps": {}}`,
		"foreign": `{"hello": "world"}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := Path(dir, "staging")
			os.MkdirAll(filepath.Dir(path), 0o700)
			os.WriteFile(path, []byte(content), 0o600)
			_, err := Open(dir, "staging")
			if err == nil || !strings.Contains(err.Error(), "left untouched") && !strings.Contains(err.Error(), "move it aside") {
				t.Fatalf("Open = %v, want an error saying what to do", err)
			}
			if b, _ := os.ReadFile(path); string(b) != content {
				t.Error("the file was changed")
			}
		})
	}
}
