package cli_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/cli"
)

// The bare command hands its flags and streams to the injected wizard, and
// the wizard's error decides the exit code (issue 21.2: no package-level
// Interactive).
func TestBareCommandRunsInjectedWizardInProcess(t *testing.T) {
	dir := t.TempDir()
	var got struct {
		o                   app.Options
		accessible, noColor bool
		calls               int
	}
	in := strings.NewReader("")
	var out, errw bytes.Buffer
	d := cli.Deps{Interactive: func(_ context.Context, o app.Options, accessible, noColor bool, s cli.IO) error {
		got.o, got.accessible, got.noColor = o, accessible, noColor
		got.calls++
		if s.In != in || s.Err != &errw {
			t.Errorf("the wizard got other streams than Main's")
		}
		return cli.ErrCancelled
	}}
	code := cli.Main([]string{"--dir", dir, "--env", "prod", "--accessible", "--no-color"}, in, &out, &errw, d)
	if got.calls != 1 || got.o.Dir != dir || got.o.Env != "prod" || !got.accessible || !got.noColor {
		t.Fatalf("wizard called %d time(s) with %+v accessible=%v noColor=%v; want once with --dir %s --env prod --accessible --no-color",
			got.calls, got.o, got.accessible, got.noColor, dir)
	}
	if code != cli.ExitCancelled {
		t.Errorf("exit %d after the wizard was cancelled, want %d; stderr %q", code, cli.ExitCancelled, errw.String())
	}

	d.Interactive = func(context.Context, app.Options, bool, bool, cli.IO) error { return errors.New("boom") }
	errw.Reset()
	if code := cli.Main([]string{"--dir", dir}, in, &out, &errw, d); code != cli.ExitFailure || !strings.Contains(errw.String(), "boom") {
		t.Errorf("exit %d, stderr %q; want %d and the wizard's error", code, errw.String(), cli.ExitFailure)
	}
}

// Without a wizard (a build or a test that injects none) the bare command
// fails with a pointer to apply instead of panicking.
func TestBareCommandWithoutWizardInProcess(t *testing.T) {
	r := runMain("--dir", t.TempDir())
	if r.code != cli.ExitFailure || !strings.Contains(r.stderr, "the interactive wizard is not available in this build: use `s3wizard apply`") {
		t.Errorf("exit %d, stderr %q; want %d and the pointer to apply", r.code, r.stderr, cli.ExitFailure)
	}
}
