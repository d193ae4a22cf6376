// Package app assembles one run of the wizard: answers from saved progress,
// the answers file and flags; the progress file and its lock; the AWS
// clients. The CLI commands and the TUI both start here.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Options are the global flags and the command's inputs.
type Options struct {
	Dir         string
	Env         string
	Profile     string
	Region      string
	AnswersFile string
	DryRun      bool
	Yes         bool
}

// ErrUsage marks errors that are the caller's input (exit code 2).
var ErrUsage = errors.New("usage")

// UsageError wraps err as a usage error.
func UsageError(err error) error { return fmt.Errorf("%w: %w", ErrUsage, err) }

// Answers combines, by increasing priority, saved progress, the answers
// file and flags. Defaults are not applied yet: Missing can still tell what
// nobody answered.
func Answers(o Options, saved *state.Progress) (*config.Answers, error) {
	a := &config.Answers{Set: map[string]bool{}}
	if o.Region != "" {
		a.Region, a.Set["region"] = o.Region, true
	}
	if o.AnswersFile != "" {
		f, err := config.Load(o.AnswersFile)
		if err != nil {
			return nil, UsageError(err)
		}
		if f.Set["env"] && o.Env != "" && f.Env != o.Env {
			return nil, UsageError(fmt.Errorf("answers file %s is for env %q but --env is %q", o.AnswersFile, f.Env, o.Env))
		}
		a.Merge(f)
	}
	if saved != nil && saved.Answers != nil {
		a.Merge(saved.Answers)
	}
	if o.Env != "" {
		a.Env, a.Set["env"] = o.Env, true
	}
	return a, nil
}

// Finish applies defaults and validates; every problem is a usage error and
// is found before any AWS call or file write.
func Finish(a *config.Answers, dir string) error {
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		return UsageError(err)
	}
	path := a.EnvFile
	if !isAbs(path) {
		path = dir + string(os.PathSeparator) + path
	}
	if err := envfile.Check(path); err != nil {
		return UsageError(fmt.Errorf("env file: %w: fix or remove that line; nothing was changed", err))
	}
	return nil
}

func isAbs(p string) bool { return len(p) > 0 && p[0] == os.PathSeparator }

// Session is one opened run.
type Session struct {
	Run   *steps.Run
	Steps []*steps.Step
}

// Close releases the progress lock.
func (s *Session) Close() error {
	if s.Run.State != nil {
		return s.Run.State.Close()
	}
	return nil
}

// Open builds the AWS clients and the run for answers a. With lock, the
// progress file's lock is taken (apply, rotate, destroy); without, progress
// is read only. With dryRun, credentials are optional: without them the run
// is offline and plans everything as new.
func Open(ctx context.Context, o Options, a *config.Answers, lock, dryRun bool) (*Session, error) {
	var (
		prog *state.Progress
		err  error
	)
	if lock && !dryRun {
		prog, err = state.Open(o.Dir, a.Env)
	} else {
		prog, err = state.Read(o.Dir, a.Env)
	}
	if err != nil {
		return nil, err
	}
	clients, err := aws.New(ctx, aws.Options{Profile: o.Profile, Region: a.Region, DryRun: dryRun})
	if err != nil {
		prog.Close()
		return nil, err
	}
	r := &steps.Run{Dir: o.Dir, Answers: a, State: prog, AWS: clients, DryRun: dryRun, Now: time.Now}
	if dryRun {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, cerr := clients.Cfg.Credentials.Retrieve(cctx)
		cancel()
		r.Offline = cerr != nil
		clients.Offline = r.Offline
	}
	return &Session{Run: r, Steps: steps.All()}, nil
}

// SaveAnswers records the answers in the progress file (never a secret:
// answers hold none).
func (s *Session) SaveAnswers() error {
	return s.Run.State.Update(func(p *state.Progress) { p.Answers = s.Run.Answers })
}
