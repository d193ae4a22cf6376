package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/djangocheck"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// savedSession opens, through open, an env that has saved answers, with
// the progress lock when lock is set.
func savedSession(ctx context.Context, f envOptions, open Opener, lock bool) (*app.Session, error) {
	p, err := state.Read(f.Dir, f.Env)
	if err != nil {
		return nil, err
	}
	if p.Answers() == nil {
		return nil, app.UsageError(fmt.Errorf("no saved progress for env %q in %s: run `s3wizard apply --env %s` first", f.Env, f.Dir, f.Env))
	}
	a := p.Answers()
	if f.Region != "" && f.Region != a.Region {
		return nil, app.UsageError(fmt.Errorf("--region %s differs from env %s's region %s", f.Region, f.Env, a.Region))
	}
	// rotate-keys writes a secret: it checks the secret files itself.
	if err := app.FinishAudit(a, f.Dir); err != nil {
		return nil, err
	}
	sess, err := open(ctx, f.app(), a, app.OpenOptions{Lock: lock})
	if err != nil {
		return nil, err
	}
	if err := sess.RefuseWrongAccount(ctx); err != nil {
		sess.Close()
		return nil, err
	}
	return sess, nil
}

type checkReport struct {
	Env    string       `json:"env"`
	OK     bool         `json:"ok"`
	Checks []checkEntry `json:"checks"`
}

type checkEntry struct {
	Step string `json:"step"`
	steps.Check
}

// checkOptions are check's: its flags (--env, --json and the global ones)
// and its collaborators.
type checkOptions struct {
	savedEnvOptions
	json bool
}

func newCheck(f *flags, x *factory) *checkOptions {
	return &checkOptions{savedEnvOptions: savedEnvFrom(f, x), json: f.json}
}

func cmdCheck(ctx context.Context, f *checkOptions) error {
	s := f.IO
	sess, err := f.session(ctx, false)
	if err != nil {
		return err
	}
	sweepProbeLeftovers(ctx, sess.Run, s)
	results := engine.VerifyAll(ctx, sess.Run, sess.Steps)
	rep := checkReport{Env: f.Env, OK: true}
	for _, r := range results {
		for _, c := range r.Checks {
			rep.Checks = append(rep.Checks, checkEntry{Step: r.Step.ID, Check: c})
			rep.OK = rep.OK && c.OK
		}
	}
	// The checklist's upload / delete test, by the project's own Django.
	dj, djOK := djangoChecks(ctx, sess.Run)
	rep.Checks = append(rep.Checks, dj...)
	rep.OK = rep.OK && djOK
	if f.json {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(s.Out, "Live check of env %s\n", f.Env)
		printChecks(s.Out, rep.Checks)
	}
	if !rep.OK {
		return ErrChecksFailed
	}
	return nil
}

// djangoChecks runs the guide's upload / delete test through the
// project's own Django (djangocheck.Run), as check entries of the step
// "django", and whether every one passed.
func djangoChecks(ctx context.Context, r *steps.Run) ([]checkEntry, bool) {
	var out []checkEntry
	ok := true
	for _, c := range djangocheck.Run(ctx, r) {
		out = append(out, checkEntry{Step: "django", Check: c})
		ok = ok && c.OK
	}
	return out, ok
}

func printChecks(w io.Writer, checks []checkEntry) {
	for _, c := range checks {
		mark := "✓"
		switch {
		case !c.OK:
			mark = "✗"
		case c.Skipped:
			mark = "-"
		}
		fmt.Fprintf(w, "  %s [%s] %s", mark, c.Step, c.Name)
		if c.Detail != "" {
			fmt.Fprintf(w, ": %s", text.FirstLine(c.Detail))
		}
		fmt.Fprintln(w)
	}
}
