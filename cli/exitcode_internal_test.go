package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/config"
)

// Issue 21.2: the exit code follows the error's type, never its text, and a
// usage error's message is shown as it is (no "usage: " to strip).
func TestExitCodeByTypeNotText(t *testing.T) {
	for _, c := range []struct {
		err  error
		code int
		want string
	}{
		{fmt.Errorf("apply: %w", app.UsageError(errors.New("bad answer"))), ExitUsage, "s3wizard: apply: bad answer\n"},
		{app.UsageError(fmt.Errorf("answers: %w", config.ErrMissing)), ExitUsage, "s3wizard: answers: " + config.ErrMissing.Error() + "\n"},
		{fmt.Errorf("load: %w", config.ErrMissing), ExitUsage, "s3wizard: load: " + config.ErrMissing.Error() + "\n"},
		// Text that looks like a usage error is not one.
		{errors.New("usage: flag provided but not defined: -x"), ExitFailure, "s3wizard: usage: flag provided but not defined: -x\n"},
		{errors.New("AccessDenied"), ExitFailure, "s3wizard: AccessDenied\n"},
	} {
		var errw bytes.Buffer
		if code := report(context.Background(), c.err, &errw); code != c.code || errw.String() != c.want {
			t.Errorf("%v: exit %d, stderr %q; want exit %d, %q", c.err, code, errw.String(), c.code, c.want)
		}
	}
	if !errors.Is(app.UsageError(errors.New("x")), app.ErrUsage) || app.UsageError(nil) != nil {
		t.Error("app.UsageError: errors.Is(_, app.ErrUsage) must hold, and a nil error stays nil")
	}
}
