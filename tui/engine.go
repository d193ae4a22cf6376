package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/nextsteps"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Identity is who the AWS credentials belong to.
type Identity = app.Identity

// Engine is everything the wizard does outside the screen. The live engine
// runs the step engine against AWS; model tests inject a fake so they can
// drive every screen without AWS.
type Engine interface {
	// Project finds the Django project (may run the project's Python).
	Project() (*djangoapp.Project, error)
	// Identity asks STS who the credentials of an env whose aws_profile
	// answer is profile are ("" the default credentials).
	Identity(ctx context.Context, profile string) (Identity, error)
	// Envs lists the envs with saved progress.
	Envs() []string
	// Saved reads an env's progress without locking it (empty when none).
	Saved(env string) (*state.Progress, error)
	// Answers assembles the answers of env: flags and answers file, plus
	// the saved ones unless starting over.
	Answers(env string, resume bool) (*config.Answers, error)
	// Open starts the run for a (taking the env's progress lock); fresh
	// forgets the saved step states and answers but keeps what was created.
	Open(ctx context.Context, a *config.Answers, fresh bool) error
	// Steps are the steps to walk.
	Steps() []*steps.Step
	// Status is a step's recorded state (state.Pending … state.Skipped).
	Status(id string) string
	// Plan plans a step (reads only); calls are reported as EvCall events.
	Plan(ctx context.Context, s *steps.Step, report func(steps.Event)) (*steps.Plan, error)
	// Apply plans, applies and verifies a step and records its outcome.
	Apply(ctx context.Context, s *steps.Step, report func(steps.Event)) ([]steps.Check, error)
	// Skip records that the user skipped a step.
	Skip(s *steps.Step) error
	// BucketAvailability is the live name check of a bucket for env of
	// project appName.
	BucketAvailability(ctx context.Context, env, appName, name, region string) (app.Availability, error)
	// ProvidedKeysMissing reports whether `credentials: provided` still
	// lacks the provider's keys in the env file.
	ProvidedKeysMissing(a *config.Answers) (bool, error)
	// SaveProvidedKeys writes the provider's keys, typed in the wizard, to
	// the env file only.
	SaveProvidedKeys(a *config.Answers, id, secret string) error
	// EnvFilePath is where the env file (and the secret) is written.
	EnvFilePath() string
	// NextSteps is what is left to the user once the env is set up.
	NextSteps() []nextsteps.Step
	// CanRunHeroku reports whether the wizard can run the Heroku command
	// for the user (an app named, access keys, the heroku CLI on PATH).
	CanRunHeroku() bool
	// RunHeroku runs `heroku config:set` (one restart) and returns its
	// masked output.
	RunHeroku(ctx context.Context) (string, error)
	// Close releases the progress lock.
	Close() error
}

// liveEngine is the Engine over app.Session and the real AWS.
type liveEngine struct {
	opts app.Options

	mu   sync.Mutex
	sess *app.Session
	// shown is each step's plan as last shown for confirmation: Apply
	// applies it, or refuses when the account moved since, through the
	// scheduler apply uses (engine.Scheduler.Apply).
	shown map[string]*steps.Result
	// probe makes the checks shown before a session exists (identity,
	// bucket availability).
	probe *app.Probe
}

// NewEngine returns the live engine for the global options.
func NewEngine(o app.Options) Engine { return &liveEngine{opts: o, probe: app.NewProbe(o)} }

func (e *liveEngine) Project() (*djangoapp.Project, error) {
	return djangoapp.Detect(e.opts.Dir, e.opts.Python)
}

func (e *liveEngine) Identity(ctx context.Context, profile string) (Identity, error) {
	return e.probe.Identity(ctx, profile)
}

func (e *liveEngine) Envs() []string { return state.Envs(e.opts.Dir) }

func (e *liveEngine) Saved(env string) (*state.Progress, error) { return state.Read(e.opts.Dir, env) }

func (e *liveEngine) Answers(env string, resume bool) (*config.Answers, error) {
	o := e.opts
	o.Env = env
	var saved *state.Progress
	if resume {
		p, err := state.Read(o.Dir, env)
		if err != nil {
			return nil, err
		}
		saved = p
	}
	return app.Answers(o, saved)
}

func (e *liveEngine) Open(ctx context.Context, a *config.Answers, fresh bool) error {
	if err := app.Finish(a, e.opts.Dir); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess != nil {
		if e.sess.Run.Answers == a {
			return nil
		}
		_ = e.sess.Close()
		e.sess = nil
	}
	o := e.opts
	o.Env = a.Env
	s, err := app.Open(ctx, o, a, app.OpenOptions{Lock: true})
	if err != nil {
		return err
	}
	// Another account's credentials: refused before the answers (and the
	// profile) are saved over the env's.
	if err := s.RefuseWrongAccount(ctx); err != nil {
		_ = s.Close()
		return err
	}
	if fresh {
		// Starting over forgets what was answered and done, not what was
		// created: resources and key IDs stay so nothing is orphaned.
		if err := s.Run.State.Update(func(p *state.Progress) { p.ClearSteps() }); err != nil {
			_ = s.Close()
			return err
		}
	}
	if err := s.SaveAnswers(); err != nil {
		_ = s.Close()
		return err
	}
	e.sess = s
	return nil
}

func (e *liveEngine) session() (*app.Session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, fmt.Errorf("no run open")
	}
	return e.sess, nil
}

func (e *liveEngine) Steps() []*steps.Step { return steps.All() }

func (e *liveEngine) Status(id string) string {
	s, err := e.session()
	if err != nil {
		return state.Pending
	}
	return s.Run.State.Step(id).Status
}

// prepare re-checks the answers (they may have changed since Open) and
// saves them, so a resumed run asks nothing twice.
func (e *liveEngine) prepare(report func(steps.Event)) (*app.Session, error) {
	s, err := e.session()
	if err != nil {
		return nil, err
	}
	if err := app.Finish(s.Run.Answers, e.opts.Dir); err != nil {
		return nil, err
	}
	if err := s.SaveAnswers(); err != nil {
		return nil, err
	}
	if report == nil {
		report = func(steps.Event) {}
	}
	s.Run.SetReport(report)
	return s, nil
}

func (e *liveEngine) Plan(ctx context.Context, st *steps.Step, report func(steps.Event)) (*steps.Plan, error) {
	s, err := e.prepare(report)
	if err != nil {
		return nil, err
	}
	if !st.IsEnabled(s.Run.Answers) {
		return &steps.Plan{}, nil
	}
	res := engine.NewScheduler(s.Run, s.Steps).Plan(ctx, st)[0]
	e.mu.Lock()
	if e.shown == nil {
		e.shown = map[string]*steps.Result{}
	}
	e.shown[st.ID] = &res
	e.mu.Unlock()
	return res.Plan, res.Err
}

func (e *liveEngine) Apply(ctx context.Context, st *steps.Step, report func(steps.Event)) ([]steps.Check, error) {
	s, err := e.prepare(report)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	shown := e.shown[st.ID]
	delete(e.shown, st.ID)
	e.mu.Unlock()
	// One step at a time: a batch of one, whose needs were done by the
	// earlier calls.
	b := engine.Batch[*steps.Run]{Steps: []*steps.Step{st}}
	if shown != nil {
		b.Confirmed = []steps.Result{*shown}
	}
	results, err := engine.NewScheduler(s.Run, s.Steps).Apply(ctx, b)
	if len(results) == 0 {
		return nil, err
	}
	return results[0].Checks, err
}

func (e *liveEngine) Skip(st *steps.Step) error {
	s, err := e.session()
	if err != nil {
		return err
	}
	return s.Run.State.SetStep(st.ID, state.Skipped, nil, []string{"skipped by the user in the wizard"})
}

func (e *liveEngine) BucketAvailability(ctx context.Context, env, appName, name, region string) (app.Availability, error) {
	return e.probe.BucketAvailability(ctx, env, appName, name, region)
}

func (e *liveEngine) ProvidedKeysMissing(a *config.Answers) (bool, error) {
	return app.ProvidedKeysMissing(a, e.opts.Dir)
}

func (e *liveEngine) SaveProvidedKeys(a *config.Answers, id, secret string) error {
	return app.SaveProvidedKeys(a, e.opts.Dir, id, secret)
}

func (e *liveEngine) EnvFilePath() string {
	s, err := e.session()
	if err != nil {
		return ""
	}
	return s.Run.EnvFilePath()
}

func (e *liveEngine) NextSteps() []nextsteps.Step {
	s, err := e.session()
	if err != nil {
		return nil
	}
	return nextsteps.List(s.Run.Dir, s.Run.Python, s.Run.Answers, s.Run.State)
}

func (e *liveEngine) CanRunHeroku() bool {
	s, err := e.session()
	if err != nil {
		return false
	}
	a := s.Run.Answers
	return a.HerokuApp != "" && a.UsesAccessKeys() && appconfig.HerokuAvailable()
}

func (e *liveEngine) RunHeroku(ctx context.Context) (string, error) {
	s, err := e.session()
	if err != nil {
		return "", err
	}
	var out strings.Builder
	err = steps.RunHeroku(ctx, s.Run, nil, &out)
	return out.String(), err
}

func (e *liveEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil
	}
	err := e.sess.Close()
	e.sess = nil
	return err
}
