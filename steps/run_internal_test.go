package steps

import (
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/statetest"
)

// demoRun is a run with an open progress file and no AWS: the steps of
// these tests make no call.
func demoRun(t *testing.T) *Run {
	t.Helper()
	dir := t.TempDir()
	return &Run{Dir: dir, Answers: &config.Answers{Env: "staging"}, State: statetest.Open(t, dir, "staging")}
}
