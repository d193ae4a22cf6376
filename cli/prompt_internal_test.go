package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/config"
)

// A missing answer asked on a line uses the key's own question and rule
// (the keys table's), like the TUI: a bad answer is refused with the key
// named, a good one is recorded as answered.
func TestPromptLineUsesTheKeysTable(t *testing.T) {
	ask := func(key, typed string) (*config.Answers, string, error) {
		var errw bytes.Buffer
		a := &config.Answers{Set: map[string]bool{}}
		in := strings.NewReader(typed)
		err := promptLine(newTerminalPrompter(in, &errw), a, key)
		return a, errw.String(), err
	}
	a, shown, err := ask("app", "mon-app\n")
	if err != nil || a.App != "mon-app" || !a.Set["app"] || shown != "App name (app): " {
		t.Errorf("app: %v %+v %q", err, a, shown)
	}
	_, _, err = ask("app", "Mon App\n")
	if !errors.Is(err, app.ErrUsage) || !strings.HasPrefix(err.Error(), "app: ") {
		t.Errorf("bad app: %v", err)
	}
	_, _, err = ask("budget.email", "ops@example.com;x\n")
	if !errors.Is(err, app.ErrUsage) || !strings.Contains(err.Error(), "budget.email") {
		t.Errorf("bad email: %v", err)
	}
	a, _, err = ask("budget.email", "ops@example.com\n")
	if err != nil || a.Budget.Email != "ops@example.com" || !a.Set["budget"] {
		t.Errorf("email: %v %+v", err, a)
	}
}
