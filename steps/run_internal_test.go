package steps

import (
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// demoRun is a run with an open progress file and no AWS: the steps of
// these tests make no call.
func demoRun(t *testing.T) *Run {
	t.Helper()
	dir := t.TempDir()
	prog, err := state.Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close() })
	return &Run{Dir: dir, Answers: &config.Answers{Env: "staging"}, State: prog}
}
