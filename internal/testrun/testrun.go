// Package testrun builds steps.Run values for tests against a real moto, the
// way `s3wizard apply` assembles them, so every test starts from the same
// wiring.
package testrun

import (
	"context"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Answers parses an answers file's text, fills the defaults and validates.
func Answers(tb testing.TB, yaml string) *config.Answers {
	tb.Helper()
	a, err := config.Parse([]byte(yaml))
	if err != nil {
		tb.Fatal(err)
	}
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		tb.Fatal(err)
	}
	return a
}

// New builds a Run for a in project dir, with the progress lock taken and
// released when the test ends. The SDK is configured from the environment
// (see motoserver.Server.Use). report may be nil.
func New(tb testing.TB, dir string, a *config.Answers, report func(steps.Event)) *steps.Run {
	tb.Helper()
	cl, err := aws.New(context.Background(), aws.Options{Region: a.Region})
	if err != nil {
		tb.Fatal(err)
	}
	st, err := state.Open(dir, a.Env)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	if report == nil {
		report = func(steps.Event) {}
	}
	return &steps.Run{Dir: dir, Answers: a, State: st, AWS: cl, Now: time.Now, Report: report}
}

// SaveAnswers records a as env a.Env's saved progress in dir, as an earlier
// apply would have: the day-2 commands (check, migrate-media…) start there.
func SaveAnswers(tb testing.TB, dir string, a *config.Answers) {
	tb.Helper()
	p, err := state.Open(dir, a.Env)
	if err != nil {
		tb.Fatal(err)
	}
	defer p.Close()
	if err := p.Update(func(p *state.Progress) { p.Answers = a }); err != nil {
		tb.Fatal(err)
	}
}
