package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/cli"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// TestStatusShowsThePendingAlarmConfirmation (issue 8.8): an alarm email
// subscription that the last apply or check saw waiting for its click is
// shown by status, which makes no AWS call.
func TestStatusShowsThePendingAlarmConfirmation(t *testing.T) {
	dir := t.TempDir()
	p, err := state.Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	p.SetResource(steps.AlarmEmailPendingResource, "ops@example.com")
	if err := p.Save(); err != nil {
		t.Fatal(err)
	}
	p.Close()
	st := inDir(t, dir, cli.Deps{Open: noSession(t)}, "status", "--env", "staging")
	if st.code != 0 || !strings.Contains(st.stdout, "waiting: alarm emails: ops@example.com has not confirmed the SNS subscription") {
		t.Errorf("status (exit %d) does not show the pending confirmation:\n%s%s", st.code, st.stdout, st.stderr)
	}
	js := inDir(t, dir, cli.Deps{Open: noSession(t)}, "status", "--env", "staging", "--json")
	var out struct{ Waiting []string }
	if err := json.Unmarshal([]byte(js.stdout), &out); err != nil || len(out.Waiting) != 1 {
		t.Errorf("status --json waiting = %v (%v):\n%s", out.Waiting, err, js.stdout)
	}
}
