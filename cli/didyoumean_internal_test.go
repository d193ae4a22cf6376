package cli

import (
	"bytes"
	"strings"
	"testing"
)

// An unknown command or flag gets a did-you-mean (exit 2, nothing run).
func TestUnknownCommandAndFlagSuggest(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"aply"}, `unknown command "aply" — did you mean apply?`},
		{[]string{"help", "doctr"}, `unknown command "doctr" — did you mean doctor?`},
		{[]string{"apply", "--dryrun"}, "does not take -dryrun — did you mean --dry-run?"},
		{[]string{"status", "--evn", "staging"}, "does not take -evn — did you mean --env?"},
		{[]string{"status", "--python", "/nonexistent/python"}, "--python /nonexistent/python is not an executable file"},
	} {
		var out, errw bytes.Buffer
		if code := Main(c.args, strings.NewReader(""), &out, &errw, Deps{}); code != ExitUsage || !strings.Contains(errw.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errw.String(), ExitUsage, c.want)
		}
	}
}
