package tui

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/state"
)

// ctrl+c while a step applies (against moto): the wizard waits for the
// call in flight, records the step as interrupted — not failed with the
// AWS call that was cut short — and exits cancelled. The progress file,
// `s3wizard status` and the next start screen's sidebar all say so.
func TestLiveCtrlCDuringApplyIsInterrupted(t *testing.T) {
	srv := useMoto(t)
	dir := newProject(t)
	p, _ := livePump(t, app.Options{Dir: dir, Env: "staging"})
	p.settle()
	p.key("enter") // Start
	p.answerDefaults()
	p.settleFor(func() bool { return p.m.phase == phConfirm })
	p.key("y")
	p.settleFor(func() bool { return p.m.phase == phResult })
	p.key("enter")
	p.answerDefaults() // the bucket
	p.settleFor(func() bool { return p.m.phase == phConfirm })
	p.handle(keyMsg("y"))
	p.handle(keyMsg("ctrl+c"))
	p.settleFor(func() bool { return p.quit })
	if err := p.m.Err(); err == nil {
		t.Fatal("ctrl+c during an apply did not end the wizard cancelled")
	}
	prog, err := state.Read(dir, "staging")
	must(t, err)
	if st := prog.Step("bucket"); st.Status != state.Interrupted || strings.Contains(st.Error, "s3:") {
		t.Fatalf("bucket step recorded %q (%s), want interrupted", st.Status, st.Error)
	}

	cmd := exec.Command(buildBinary(t), "status", "--dir", dir, "--env", "staging")
	cmd.Env = append(srv.Env(), "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "interrupted bucket") || strings.Contains(string(out), "failed") {
		t.Fatalf("status: %v\n%s", err, out)
	}

	again, _ := livePump(t, app.Options{Dir: dir, Env: "staging"})
	again.settle()
	again.requireView("‖ Create the S3 bucket", "‖ interrupted")
}
