package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/charmbracelet/huh"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/nextsteps"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// lineReader hands out at most one line per Read. huh's accessible prompts
// wrap the input in a fresh bufio.Scanner per question; on a pipe, the
// first scanner would swallow every later answer into its buffer.
type lineReader struct {
	r   io.Reader
	eof bool
}

func (l *lineReader) Read(p []byte) (int, error) {
	if l.eof {
		return 0, io.EOF
	}
	n := 0
	var b [1]byte
	for n < len(p) {
		k, err := l.r.Read(b[:])
		if k == 1 {
			p[n] = b[0]
			n++
			if b[0] == '\n' {
				return n, nil
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				l.eof = true
				if n > 0 {
					return n, nil
				}
			}
			return n, err
		}
	}
	return n, nil
}

// lineWriter keeps line-mode output plain for screen readers and logs: no
// trailing spaces (huh pads its prompts and multi-line titles), and, when
// the typed answer is not echoed (a pipe), whatever follows a prompt (an
// error, the next question) starts on its own line.
type lineWriter struct {
	w       io.Writer
	echoed  bool
	midLine bool
	spaces  string // held until we know they are not trailing
}

func (l *lineWriter) Write(p []byte) (int, error) {
	var b strings.Builder
	s := string(p)
	if l.midLine && !l.echoed && s != "" && s[0] != '\n' {
		l.spaces, l.midLine = "", false
		b.WriteString("\n")
	}
	for _, line := range strings.SplitAfter(s, "\n") {
		if line == "" {
			continue
		}
		if strings.HasSuffix(line, "\n") {
			if text := strings.TrimRight(strings.TrimSuffix(line, "\n"), " "); text != "" {
				b.WriteString(l.spaces + text)
			}
			b.WriteString("\n")
			l.spaces, l.midLine = "", false
			continue
		}
		if l.echoed {
			// A terminal shows the typing right after the prompt: one
			// space, not the padding huh gives a multi-line title (which
			// put the echo far to the right); the rest is held, written
			// only if more text follows on the line.
			trimmed := strings.TrimRight(line, " ")
			if trimmed == "" {
				l.spaces += line
				continue
			}
			b.WriteString(l.spaces + trimmed)
			l.spaces, l.midLine = "", true
			if pad := line[len(trimmed):]; pad != "" {
				b.WriteString(" ")
				l.spaces = pad[1:]
			}
			continue
		}
		trimmed := strings.TrimRight(line, " ")
		if trimmed != "" {
			b.WriteString(l.spaces + trimmed)
			l.spaces = ""
		}
		l.spaces += line[len(trimmed):]
		l.midLine = true
	}
	if _, err := io.WriteString(l.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// accessible is the line-by-line wizard: the same steps, questions, plans
// and checks as the full screen, printed one line after another.
type accessible struct {
	ctx context.Context
	eng Engine
	in  *lineReader
	out io.Writer
	dir string
	// tty is the input when it is a terminal (a hidden answer needs one).
	tty io.Reader
	// back: the current step has questions to go back to.
	back bool
	// region is the region the AWS configuration names ("" when none).
	region string
}

// errBack sends the walk back to the current step's questions.
var errBack = errors.New("back to the step's questions")

func (x *accessible) printf(format string, args ...any) { fmt.Fprintf(x.out, format, args...) }

// ask runs a form line by line; input ending early is a cancel, since the
// defaults silently taken from then on were never chosen.
func (x *accessible) ask(f *huh.Form) error {
	if err := x.prompt(f, x.in); err != nil {
		return err
	}
	if x.in.eof {
		return fmt.Errorf("input ended before the wizard did: %w", ErrCancelled)
	}
	return nil
}

// prompt runs a form line by line from in. huh's line mode does not watch
// the context while it waits for a line, so ctrl+c (which cancels it) would
// go unnoticed until Enter: the wait ends with the context, and the wizard
// with it (exit 130, progress kept).
func (x *accessible) prompt(f *huh.Form, in io.Reader) error {
	done := make(chan error, 1)
	go func() { done <- f.WithInput(in).WithOutput(x.out).RunWithContext(x.ctx) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("prompt: %w", err)
		}
		return nil
	case <-x.ctx.Done():
		return fmt.Errorf("prompt: %w", ErrCancelled)
	}
}

func (x *accessible) confirm(title string) (bool, error) {
	var ok bool
	err := x.ask(huh.NewForm(huh.NewGroup(huh.NewConfirm().Title(title).Value(&ok))).WithAccessible(true))
	return ok, err
}

// choose asks for one of opts (the first offered) as the line mode asks
// every list question (choiceInput): by name or number. Not huh's Select:
// input ending right after a bad answer, its line mode indexes the options
// with that answer and panics; a typed answer is checked here, and ask
// ends the run.
func (x *accessible) choose(title string, opts ...string) (string, error) {
	const key = "choice"
	af := &answerForm{texts: map[string]*string{}}
	field := af.choiceInput(config.Question{Key: key, Title: title, Options: opts}, opts[0])
	if err := x.ask(newForm([]huh.Field{field}, true)); err != nil {
		return "", err
	}
	return af.value(key), nil
}

func runAccessible(ctx context.Context, o Options, eng Engine) error {
	x := &accessible{ctx: ctx, eng: eng, in: &lineReader{r: o.In}, out: &lineWriter{w: o.Out, echoed: isTerminal(o.In)}, dir: o.App.Dir}
	if isTerminal(o.In) {
		x.tty = o.In
	}
	x.printf("s3wizard — sets up AWS S3 for your Django project, step by step. Nothing changes in AWS until you answer yes to a step's plan.\n\n")

	x.introduce()
	env := o.App.Env
	if env == "" {
		var err error
		if env, err = x.askEnv(); err != nil {
			return err
		}
	}
	resume := false
	if saved, err := eng.Saved(env); err != nil {
		return err
	} else if len(saved.Steps()) > 0 {
		x.printf("Environment %s has saved progress.\n", env)
		c, err := x.choose("Resume or start over?", "resume", "start over")
		if err != nil {
			return err
		}
		resume = c == "resume"
	}
	a, err := eng.Answers(env, resume)
	if err != nil {
		return err
	}
	review := false
	for {
		if err := x.walk(a, !resume, review); err != nil {
			return err
		}
		if a.Env != "staging" {
			return nil
		}
		ok, err := x.confirm("Set up prod now, with these answers and the names switched to prod?")
		if err != nil {
			if errors.Is(err, ErrCancelled) {
				return nil // staging is done; no answer means no prod
			}
			return err
		}
		if !ok {
			return nil
		}
		a, resume, review = toProd(a), true, true
	}
}

// introduce says which Django project and AWS identity the run is for.
func (x *accessible) introduce() {
	proj, err := x.eng.Project()
	if err != nil {
		x.printf("Django project: %v\n", err)
	} else {
		v := proj.DjangoVersion
		if v == "" {
			v = "unknown"
		}
		x.printf("Django project: %s (settings %s, Django %s from %s)\n", proj.Dir, orNone(proj.SettingsModule), v, proj.VersionSource)
	}
	if id, err := x.eng.Identity(x.ctx, ""); err != nil {
		x.printf("AWS identity: %v\n", err)
	} else {
		x.printf("AWS identity: account %s as %s (default region %s)\n", id.Account, id.ARN, id.Region)
		x.region = id.ConfiguredRegion
	}
}

// askEnv asks which env to set up (the only env with progress, or
// staging, offered).
func (x *accessible) askEnv() (string, error) {
	env := "staging"
	if envs := x.eng.Envs(); len(envs) == 1 {
		env = envs[0]
	}
	q := config.QuestionsFor([]string{"env"})[0]
	f := &config.Answers{Env: env}
	af := newAnswerForm([]config.Question{q}, f, offers{}, true)
	if err := x.ask(af.form); err != nil {
		return "", err
	}
	env = af.value("env")
	if err := q.Validate(env); err != nil {
		return "", fmt.Errorf("env: %w", err)
	}
	return env, nil
}

func orNone(s string) string {
	if s == "" {
		return "not found"
	}
	return s
}

// walk runs every step of one env.
func (x *accessible) walk(a *config.Answers, fresh, review bool) error {
	list := x.eng.Steps()
	w := &walkState{fresh: fresh, review: review, appDefault: x.offers()}
	for i := 0; i < len(list); i++ {
		x.printf("\nStep %d of %d: %s\n", i+1, len(list), list[i].Title)
		repeat, err := x.walkStep(list, i, a, w)
		if err != nil {
			return err
		}
		if repeat {
			i-- // ask this step again
		}
	}
	x.setUp(a)
	return nil
}

// walkState is what walk carries from one step to the next.
type walkState struct {
	fresh, review bool
	appDefault    offers
	opened        bool // the run is open (Engine.Open)
	again         bool // back to this step's questions (no at Apply?, or after a failure)
}

// walkStep runs step list[i]: passes it over, or asks its questions, opens
// the run at the first step that runs and does the step; repeat is true
// when the step's questions are to be asked again (an answer refused, or
// back from the step, the answers kept).
func (x *accessible) walkStep(list []*steps.Step, i int, a *config.Answers, w *walkState) (repeat bool, err error) {
	s := list[i]
	if passed, err := x.passOver(s, a, w); passed || err != nil {
		return false, err
	}
	x.stepIntro(s)
	// A resumed run shows the carried-over answers of each step not
	// done yet, as an unbroken run asked them.
	rev := w.review || !w.fresh || w.again
	w.again = false
	if ok, err := x.askStep(list, i, a, w.appDefault, rev); err != nil {
		return false, err
	} else if !ok {
		return true, nil // an answer was refused
	}
	if err := x.beforePlan(a, w.appDefault); err != nil {
		return false, err
	}
	if done, err := x.openRun(s, a, w); done || err != nil {
		return false, err
	}
	x.back = len(questionsFor(list, i, a, true)) > 0
	err = x.step(list, s, a)
	if errors.Is(err, errBack) {
		w.again = true
		return true, nil // ask this step again, the answers kept
	}
	return false, err
}

// passOver says whether walk passes step s by: done already (saved
// progress) once the run is open, or not used with these answers.
func (x *accessible) passOver(s *steps.Step, a *config.Answers, w *walkState) (bool, error) {
	if w.opened && x.alreadyDone(s, w.fresh, w.review) {
		return true, nil
	}
	if !s.IsEnabled(a) {
		return true, x.skipUnused(s, a, w.opened)
	}
	return false, nil
}

// openRun opens the run at the first step that runs; done is true when
// the saved progress has that step done already.
func (x *accessible) openRun(s *steps.Step, a *config.Answers, w *walkState) (done bool, err error) {
	if w.opened {
		return false, nil
	}
	if err := x.eng.Open(x.ctx, a, w.fresh); err != nil {
		return false, err
	}
	w.opened = true
	return x.alreadyDone(s, w.fresh, w.review), nil
}

// offers are the answers offered before any is given: the app named for
// the project's directory, the configured region.
func (x *accessible) offers() offers {
	o := offers{app: appFromDir(x.dir), region: x.region}
	if p, err := x.eng.Project(); err == nil {
		o.app = appFromDir(p.Dir)
	}
	return o
}

// setUp tells that the env is set up, where the secret went, and what now.
func (x *accessible) setUp(a *config.Answers) {
	x.printf("\nEnvironment %s is set up.\n", a.Env)
	if a.UsesAccessKeys() {
		x.printf("The secret access key was written to %s (mode 0600); it is never shown.\n", x.eng.EnvFilePath())
	}
	if list := x.eng.NextSteps(); len(list) > 0 {
		x.printf("What now:\n%s", nextsteps.Format(list))
	}
}

// alreadyDone says so of a step the saved progress records as done,
// unless this run does it again (a fresh start, a review).
func (x *accessible) alreadyDone(s *steps.Step, fresh, review bool) bool {
	if fresh || review || x.eng.Status(s.ID) != state.Done {
		return false
	}
	x.printf("Already done (saved progress).\n")
	return true
}

// skipUnused skips a step the answers do not use (recorded as skipped once
// the run is open).
func (x *accessible) skipUnused(s *steps.Step, a *config.Answers, opened bool) error {
	if opened {
		if err := x.try(s, a); err != nil {
			return err
		}
	}
	x.printf("Not used with these answers: skipped.\n")
	return nil
}

// stepIntro says why the step is there and where it departs from the
// guide.
func (x *accessible) stepIntro(s *steps.Step) {
	if s.Why != "" {
		x.printf("Why: %s\n", s.Why)
	}
	for _, d := range s.Departures {
		x.printf("Departs from the guide: %s\n", d)
	}
}

// askStep asks the questions of list[i] (rev: the answers already given
// too), then the ones the answers made relevant (the KMS key once sse-kms
// is chosen), until none is left; ok is false when an answer was refused
// and the step is to be asked again.
func (x *accessible) askStep(list []*steps.Step, i int, a *config.Answers, appDefault offers, rev bool) (ok bool, err error) {
	qs := questionsFor(list, i, a, rev)
	asked := map[string]bool{}
	for len(qs) > 0 {
		af := newAnswerForm(qs, a, appDefault, true)
		if err := x.ask(af.form); err != nil {
			return false, err
		}
		if err := af.apply(a); err != nil {
			x.printf("%v\n", err)
			return false, nil
		}
		for _, q := range qs {
			asked[q.Key] = true
		}
		qs = slices.DeleteFunc(questionsFor(list, i, a, rev), func(q config.Question) bool {
			return asked[q.Key] || slices.Contains(followUpKeys, q.Key)
		})
	}
	return true, nil
}

// beforePlan asks the follow-up questions and, with credentials: provided,
// the provider's keys missing from the env file (the secret hidden: that
// needs a terminal).
func (x *accessible) beforePlan(a *config.Answers, appDefault offers) error {
	for qs := followUps(a); len(qs) > 0; qs = followUps(a) {
		af := newAnswerForm(qs, a, appDefault, true)
		if err := x.ask(af.form); err != nil {
			return err
		}
		if err := af.apply(a); err != nil {
			x.printf("%v\n", err)
		}
	}
	for {
		missing, err := x.eng.ProvidedKeysMissing(a)
		if err != nil || !missing {
			return err
		}
		if x.tty == nil {
			return fmt.Errorf("credentials: provided: the secret is typed hidden, which needs a terminal: run in one, or put AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in %s (mode 0600): %w", a.EnvFile, ErrCancelled)
		}
		kf := newKeysForm(a.EnvFile, true)
		if err := x.prompt(kf.form, x.tty); err != nil {
			return err
		}
		id, secret := kf.take()
		if err := x.eng.SaveProvidedKeys(a, id, secret); err != nil {
			x.printf("%v\n", err)
		}
	}
}

// step plans, confirms, applies and verifies one step, with retry / skip /
// quit on failure.
func (x *accessible) step(list []*steps.Step, s *steps.Step, a *config.Answers) error {
	for {
		err := x.try(s, a)
		if err == nil || errors.Is(err, ErrCancelled) || errors.Is(err, errBack) {
			return err
		}
		x.printf("Failed: %v\n", err)
		opts := []string{"retry"}
		if x.back {
			opts = append(opts, "questions")
		}
		if skippable(list, s) {
			opts = append(opts, "skip")
		}
		opts = append(opts, "quit")
		c, cerr := x.choose("What now?", opts...)
		if cerr != nil {
			return errors.Join(err, cerr)
		}
		switch c {
		case "questions":
			return errBack
		case "skip":
			return x.eng.Skip(s)
		case "quit":
			return err
		}
	}
}

func (x *accessible) try(s *steps.Step, ans *config.Answers) error {
	report := x.reporter()
	if !s.IsEnabled(ans) {
		_, err := x.eng.Apply(x.ctx, s, report)
		return err
	}
	p, err := x.eng.Plan(x.ctx, s, nil)
	if err != nil {
		return err
	}
	x.printPlan(p)
	title := "Apply?"
	if x.back {
		title = "Apply? (no: back to this step's questions, the answers kept)"
	}
	ok, err := x.confirm(title)
	if err != nil {
		return err
	}
	if !ok && x.back {
		return errBack
	}
	if !ok {
		return fmt.Errorf("not applied: %w", ErrCancelled)
	}
	if _, err := x.eng.Apply(x.ctx, s, report); err != nil {
		return err
	}
	x.printf("Done: %s\n", s.Title)
	if s.ID == "access-key" {
		x.printf("The secret access key was written to %s (mode 0600); it is never shown.\n", x.eng.EnvFilePath())
	}
	return nil
}

// reporter prints what applying a step does and checks, one line each.
func (x *accessible) reporter() func(steps.Event) {
	var mu sync.Mutex
	return func(e steps.Event) {
		mu.Lock()
		defer mu.Unlock()
		// The AWS calls are in the plan ("AWS: …"): read aloud one by one
		// as they go, they drowned what is done and checked.
		switch e.Kind {
		case engine.EvAction:
			x.printf("  doing: %s\n", e.Text)
		case engine.EvCheck:
			x.printf("  check: %s\n", checkText(*e.Check))
		case engine.EvStepSkip:
			x.printf("  skipped: %s\n", e.Text)
		}
	}
}

// printPlan prints a step's plan: its actions (with their AWS calls and
// files), notices and warnings.
func (x *accessible) printPlan(p *steps.Plan) {
	if p.Empty() {
		x.printf("Plan: nothing to change; applying verifies the live state.\n")
	} else {
		x.printf("Plan:\n")
		for i, a := range p.Actions {
			x.printf("  %d. %s", i+1, a.Summary)
			if len(a.Calls) > 0 {
				x.printf(" (AWS: %s)", strings.Join(a.Calls, ", "))
			}
			if len(a.Files) > 0 {
				x.printf(" (files: %s)", strings.Join(a.Files, ", "))
			}
			x.printf("\n")
		}
	}
	for _, n := range p.Notices {
		x.printf("Note: %s\n", n)
	}
	for _, w := range p.Warnings {
		x.printf("Warning: %s\n", w)
	}
}

func checkText(c steps.Check) string {
	t := c.Name
	if c.Detail != "" {
		t += ": " + c.Detail
	}
	switch {
	case c.Skipped:
		return "not checked here — " + t
	case c.OK:
		return "ok — " + t
	}
	return "FAILED — " + t
}
