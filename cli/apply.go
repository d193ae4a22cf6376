package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/migrate"
	"github.com/s3wizard/s3wizard/nextsteps"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// loadAnswers assembles and validates the answers of a command. Missing
// required answers are asked when the prompter can (and --yes was not
// given), else they are a usage error naming the key.
func loadAnswers(o app.Options, p Prompter) (*config.Answers, error) {
	saved, err := state.Read(o.Dir, o.Env)
	if err != nil {
		return nil, err
	}
	a, err := app.Answers(o, saved)
	if err != nil {
		return nil, err
	}
	for k := a.Missing(); k != ""; k = a.Missing() {
		if o.Yes || !p.CanPrompt() {
			return nil, &config.MissingError{Key: k}
		}
		if err := promptLine(p, a, k); err != nil {
			return nil, err
		}
	}
	if err := app.Finish(a, o.Dir); err != nil {
		return nil, err
	}
	return a, nil
}

// promptLine asks one missing answer on a line, with the question's own
// title, parser and rule (the keys table's).
func promptLine(p Prompter, a *config.Answers, key string) error {
	q, ok := config.Lookup(key)
	if !ok || q.Title == "" {
		return fmt.Errorf("cannot ask %s on a line: put it in the answers file", key)
	}
	q = q.For(a) // the provider's region with credentials: provided
	line, err := p.Input(fmt.Sprintf("%s (%s): ", q.Title, key))
	if err != nil {
		return fmt.Errorf("read answer %s: %w", key, ErrCancelled)
	}
	if err := a.SetString(key, strings.TrimSpace(line)); err != nil {
		return app.UsageError(err)
	}
	return nil
}

// promptProvidedKeys asks, in a terminal, the provider's keys that
// `credentials: provided` lacks in the env file: the key ID on a line, the
// secret with the echo off. They go to the env file only.
func promptProvidedKeys(s IO, p Prompter, a *config.Answers, dir string) error {
	missing, err := app.ProvidedKeysMissing(a, dir)
	if err != nil || !missing {
		return err
	}
	fmt.Fprintf(s.Err, "credentials: provided: %s lacks your provider's keys (made in its console); they are written there only (mode 0600, ignored by git).\n", a.EnvFile)
	var id string
	for {
		line, err := p.Input("Access key ID: ")
		if err != nil {
			return fmt.Errorf("read the access key ID: %w", ErrCancelled)
		}
		id = strings.TrimSpace(line)
		err = config.ValidProviderKeyID(id)
		if err == nil {
			break
		}
		fmt.Fprintln(s.Err, err)
	}
	secret, err := p.Password("Secret access key (hidden):", func(v string) error { return config.ValidProviderSecret(v, id) })
	if err != nil {
		return fmt.Errorf("read the secret access key: %w", err)
	}
	if err := app.SaveProvidedKeys(a, dir, id, secret); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "✓ keys written to %s\n", a.EnvFile)
	return nil
}

// applyOptions are apply's: its flags (app.Options: --dir, --env,
// --answers, --profile, --region, --yes, --dry-run; and --no-color) and its
// collaborators.
type applyOptions struct {
	IO IO
	app.Options
	noColor  bool
	Answers  func(app.Options) (*config.Answers, error)
	Open     Opener
	Prompter Prompter
}

func newApply(f *flags, x *factory) *applyOptions {
	return &applyOptions{IO: x.io, Options: f.Options, noColor: f.noColor, Answers: x.answers, Open: x.open, Prompter: x.prompter}
}

func cmdApply(ctx context.Context, f *applyOptions) error {
	s := f.IO
	if f.DryRun {
		return cmdPlan(ctx, &planOptions{IO: s, Options: f.Options, Answers: f.Answers, Open: f.Open})
	}
	confirm := !f.Yes && f.Prompter.CanPrompt()
	if !confirm && !f.Yes {
		return app.UsageError(errors.New("apply changes AWS and asks first, but there is no terminal to ask in: run it in a terminal, or pass --yes to apply without asking (`s3wizard plan` shows what would change)"))
	}
	a, err := f.Answers(f.Options)
	if err != nil {
		return err
	}
	if confirm {
		if err := promptProvidedKeys(s, f.Prompter, a, f.Dir); err != nil {
			return err
		}
	}
	if err := app.CheckProvidedKeys(a, f.Dir); err != nil {
		return err
	}
	sess, err := f.Open(ctx, f.Options, a, app.OpenOptions{Lock: true})
	if err != nil {
		return err
	}
	defer sess.Close()
	sched := engine.NewScheduler(sess.Run, sess.Steps)
	var confirmed []steps.Result
	if confirm {
		if confirmed, err = confirmPlan(ctx, f, a, sched, sess.Run); err != nil {
			return err
		}
	}
	if err := sess.RefuseWrongAccount(ctx); err != nil {
		return err
	}
	pr := newPrinter(s.Err, f.noColor)
	fmt.Fprintf(s.Err, "s3wizard: applying env %s (bucket %s, %s) in %s; env file %s\n", a.Env, a.Bucket, a.Region, f.Dir, a.EnvFile)
	// The progress file is written only once the plan is known to be the
	// confirmed one.
	results, err := sched.Apply(ctx, engine.Batch[*steps.Run]{Confirmed: confirmed, Start: func() error {
		sess.Run.SetReport(pr.event)
		return sess.SaveAnswers()
	}})
	pr.flush()
	if results == nil { // refused before any step ran (ErrPlanStale)
		return err
	}
	summary(s.Err, results)
	if err != nil {
		return fmt.Errorf("apply stopped; finished steps are saved — fix the cause and run the same command again:\n%w", err)
	}
	return afterApply(ctx, f, a, sess.Run)
}

// confirmPlan shows the plan and asks once, like `terraform apply`; what
// is applied is that plan (engine.Scheduler.Apply).
func confirmPlan(ctx context.Context, f *applyOptions, a *config.Answers, sched *engine.Scheduler[*steps.Run], r *steps.Run) ([]steps.Result, error) {
	confirmed := sched.Plan(ctx)
	total, err := printPlan(f.IO.Err, r, confirmed)
	if err != nil {
		return nil, fmt.Errorf("%w; nothing was changed", err)
	}
	if total > 0 && !f.Prompter.Confirm(fmt.Sprintf("\nApply these %d change(s) to env %s in account %s?", total, a.Env, r.AccountID())) {
		return nil, declined("apply not confirmed: nothing was changed")
	}
	return confirmed, nil
}

// afterApply ends a successful apply: the upload / delete test from
// Django, what now, the media migration's offer and Heroku's config:set.
func afterApply(ctx context.Context, f *applyOptions, a *config.Answers, r *steps.Run) error {
	s := f.IO
	// The guide's last checklist item, by the project's own Django.
	fmt.Fprintln(s.Err, "s3wizard: upload / delete test from Django:")
	dj, djOK := djangoChecks(ctx, r)
	printChecks(s.Err, dj)
	if !djOK {
		return errors.New("the upload test from Django failed (above): the bucket is set up; fix the settings or the env file, then run `s3wizard check --env " + a.Env + "`")
	}
	if list := nextsteps.List(r.Dir, r.Python, r.Answers, r.State); len(list) > 0 {
		fmt.Fprintf(s.Err, "s3wizard: what now for env %s:\n%s", a.Env, nextsteps.Format(list))
	}
	if p, err := djangoapp.Detect(f.Dir, f.Python); err == nil {
		if line := migrate.Offer(p, a.Env); line != "" {
			fmt.Fprintf(s.Err, "s3wizard: next: %s\n", line)
		}
	}
	return offerHeroku(ctx, r, f)
}

// offerHeroku runs `heroku config:set` for the user when the Heroku CLI is
// installed and they agree; otherwise the command stays in its 0600 file.
func offerHeroku(ctx context.Context, r *steps.Run, f *applyOptions) error {
	s := f.IO
	if r.Answers.HerokuApp == "" || !appconfig.HerokuAvailable() || f.Yes || !f.Prompter.CanPrompt() {
		return nil
	}
	confirm := func() bool {
		return f.Prompter.Confirm(fmt.Sprintf("run `heroku config:set … --app %s` now (restarts the app once)?", r.Answers.HerokuApp))
	}
	err := steps.RunHeroku(ctx, r, confirm, s.Err)
	if errors.Is(err, steps.ErrHerokuDeclined) {
		fmt.Fprintf(s.Err, "s3wizard: not run; the command is in %s (mode 0600)\n", appconfig.HerokuFile(r.Answers.Env))
		return nil
	}
	return err
}

// summary ends an apply. "Nothing to change" is said only when every step
// finished: a step that failed (even while planning, with no action yet) or
// never ran leaves the setup incomplete.
func summary(w io.Writer, results []steps.Result) {
	changed, failed := 0, 0
	for _, r := range results {
		if r.Plan != nil {
			changed += len(r.Plan.Actions)
		}
		if r.Err != nil {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(w, "s3wizard: %d step(s) failed or could not run: the setup is NOT complete\n", failed)
	} else if changed == 0 {
		fmt.Fprintln(w, "s3wizard: nothing to change: everything is as wanted")
	} else {
		fmt.Fprintf(w, "s3wizard: %d change(s) made\n", changed)
	}
}

// planOptions are plan's: its flags (--dir, --env, --answers, --profile,
// --region) and its collaborators. Plan never prompts.
type planOptions struct {
	IO IO
	app.Options
	Answers func(app.Options) (*config.Answers, error)
	Open    Opener
}

func newPlan(f *flags, x *factory) *planOptions {
	return &planOptions{IO: x.io, Options: f.Options, Answers: x.answers, Open: x.open}
}

func cmdPlan(ctx context.Context, f *planOptions) error {
	s := f.IO
	// Plan never prompts: a missing answer is named.
	f.Yes = true
	a, err := f.Answers(f.Options)
	if err != nil {
		return err
	}
	sess, err := f.Open(ctx, f.Options, a, app.OpenOptions{DryRun: true})
	if err != nil {
		return err
	}
	if sess.Run.Offline {
		fmt.Fprintln(s.Err, "s3wizard: no AWS credentials found: planning as if nothing exists yet")
	}
	if err := sess.RefuseWrongAccount(ctx); err != nil {
		return err
	}
	total, err := printPlan(s.Out, sess.Run, engine.PlanAll(ctx, sess.Run, sess.Steps))
	fmt.Fprintf(s.Out, "\n%d change(s) planned; nothing was changed.\n", total)
	return err
}

// printPlan writes each step's plan and returns the number of changes.
func printPlan(w io.Writer, r *steps.Run, results []steps.Result) (int, error) {
	a := r.Answers
	fmt.Fprintf(w, "Plan for env %s: bucket %s in %s (account %s)\n", a.Env, a.Bucket, a.Region, r.AccountID())
	total := 0
	var errs []string
	for _, res := range results {
		s := res.Step
		if !s.IsEnabled(a) {
			fmt.Fprintf(w, "\n— %s: skipped (not used with credentials: %s)\n", s.Title, a.Credentials)
			continue
		}
		fmt.Fprintf(w, "\n▸ %s [%s]\n", s.Title, s.ID)
		if res.Err != nil {
			fmt.Fprintf(w, "  ✗ %v\n", res.Err)
			errs = append(errs, s.ID)
			continue
		}
		for _, d := range s.Departures {
			fmt.Fprintf(w, "  ≠ guide: %s\n", d)
		}
		for _, n := range res.Plan.Notices {
			fmt.Fprintf(w, "  i %s\n", n)
		}
		for _, n := range res.Plan.Warnings {
			fmt.Fprintf(w, "  ! %s\n", n)
		}
		if res.Plan.Empty() {
			fmt.Fprintln(w, "  = no change")
		}
		for _, act := range res.Plan.Actions {
			total++
			fmt.Fprintf(w, "  + %s\n", act.Summary)
			for _, c := range act.Calls {
				fmt.Fprintf(w, "      aws %s\n", c)
			}
			for _, file := range act.Files {
				fmt.Fprintf(w, "      file %s\n", file)
			}
		}
	}
	if len(errs) > 0 {
		return total, fmt.Errorf("planning failed for step(s) %s", strings.Join(errs, ", "))
	}
	return total, nil
}

// printer writes run events to stderr: the steps that run concurrently
// would interleave their lines, so each step's lines are held and written
// together when it ends (its start line at once). Marks are coloured on a
// terminal unless --no-color or NO_COLOR.
type printer struct {
	mu            sync.Mutex
	w             io.Writer
	held          map[string][]string
	ok, bad, warn lipgloss.Style
}

func newPrinter(w io.Writer, noColor bool) *printer {
	r := lipgloss.NewRenderer(w)
	if noColor || os.Getenv("NO_COLOR") != "" {
		r.SetColorProfile(termenv.Ascii)
	}
	return newPrinterFor(w, r)
}

// newPrinterFor is newPrinter with the renderer (its colour profile) given.
func newPrinterFor(w io.Writer, r *lipgloss.Renderer) *printer {
	return &printer{w: w, held: map[string][]string{},
		ok: r.NewStyle().Foreground(lipgloss.Color("10")), bad: r.NewStyle().Foreground(lipgloss.Color("9")).Bold(true),
		warn: r.NewStyle().Foreground(lipgloss.Color("11"))}
}

// flush writes the lines of steps that never ended (a dry run lists its
// actions and stops there).
func (p *printer) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := slices.Sorted(maps.Keys(p.held))
	for _, id := range ids {
		for _, l := range p.held[id] {
			fmt.Fprintln(p.w, l)
		}
	}
	clear(p.held)
}

func (p *printer) event(e steps.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	hold := func(format string, args ...any) {
		p.held[e.Step] = append(p.held[e.Step], fmt.Sprintf(format, args...))
	}
	end := func(line string) {
		for _, l := range p.held[e.Step] {
			fmt.Fprintln(p.w, l)
		}
		delete(p.held, e.Step)
		fmt.Fprintln(p.w, line)
	}
	switch e.Kind {
	case engine.EvStepStart:
		fmt.Fprintf(p.w, "▸ [%s] %s\n", e.Step, e.Text)
		p.held[e.Step] = []string{}
	case engine.EvAction:
		hold("  [%s] + %s", e.Step, e.Text)
	case engine.EvNotice:
		hold("  [%s] i %s", e.Step, e.Text)
	case engine.EvWarn:
		hold("  [%s] %s %s", e.Step, p.warn.Render("!"), e.Text)
	case engine.EvCheck:
		mark := p.ok.Render("✓")
		if !e.Check.OK {
			mark = p.bad.Render("✗")
		} else if e.Check.Skipped {
			mark = "-"
		}
		line := fmt.Sprintf("  [%s] %s %s", e.Step, mark, e.Check.Name)
		if e.Check.Detail != "" {
			line += ": " + e.Check.Detail
		}
		hold("%s", line)
	case engine.EvStepDone:
		end(p.ok.Render("✔") + fmt.Sprintf(" [%s] done", e.Step))
	case engine.EvStepFail:
		if errors.Is(e.Err, context.Canceled) {
			end(p.warn.Render("‖") + fmt.Sprintf(" [%s] interrupted: run again to finish it", e.Step))
			break
		}
		end(p.bad.Render("✗") + fmt.Sprintf(" [%s] failed: %v", e.Step, e.Err))
	case engine.EvStepSkip:
		end(fmt.Sprintf("- [%s] skipped: %s", e.Step, e.Text))
	}
}
