package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/djangocheck"
	"github.com/s3wizard/s3wizard/docs"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// doctorOptions are doctor's: --env and the global flags, and its
// collaborators.
type doctorOptions struct{ savedEnvOptions }

func newDoctor(f *flags, x *factory) *doctorOptions {
	return &doctorOptions{savedEnvFrom(f, x)}
}

func cmdDoctor(ctx context.Context, f *doctorOptions) error {
	s := f.IO
	sess, err := f.session(ctx, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "s3wizard: diagnosing env %s with the app's own settings from %s\n", f.Env, sess.Run.Answers.EnvFile)
	sweepProbeLeftovers(ctx, sess.Run, s)
	checks := day2.Doctor(ctx, sess.Run)
	ok := true
	for _, c := range checks {
		mark := "✓"
		if !c.OK {
			mark, ok = "✗", false
		}
		fmt.Fprintf(s.Out, "  %s %s", mark, c.Name)
		if c.Detail != "" {
			fmt.Fprintf(s.Out, ": %s", c.Detail)
		}
		fmt.Fprintln(s.Out)
	}
	if !ok {
		return ErrChecksFailed
	}
	return nil
}

// rotateOptions are rotate-keys': its flags (--env, --yes, --no-color and
// the global ones) and its collaborators.
type rotateOptions struct {
	savedEnvOptions
	Yes      bool
	noColor  bool
	Prompter Prompter
}

func newRotate(f *flags, x *factory) *rotateOptions {
	return &rotateOptions{savedEnvOptions: savedEnvFrom(f, x), Yes: f.Yes, noColor: f.noColor, Prompter: x.prompter}
}

func cmdRotate(ctx context.Context, f *rotateOptions) error {
	s := f.IO
	if !f.Yes && !f.Prompter.CanPrompt() {
		return app.UsageError(errors.New("rotate-keys asks before it deactivates the old key, but there is no terminal to ask in: run it in a terminal, or pass --yes once every running process can be restarted with the new key"))
	}
	sess, err := f.session(ctx, true)
	if err != nil {
		return err
	}
	defer sess.Close()
	r := sess.Run
	if err := steps.CheckSecretFilesUntracked(r); err != nil {
		return app.UsageError(fmt.Errorf("%w; nothing was changed", err))
	}
	sweepProbeLeftovers(ctx, r, s)
	pr := newPrinter(s.Err, f.noColor)
	defer pr.flush()
	r.SetReport(pr.event)
	ask := func(question string) bool {
		if f.Yes {
			return true
		}
		return f.Prompter.Confirm(question)
	}
	refused := false
	o := day2.RotateOptions{
		ConfirmDeactivate: func(id string) bool {
			fmt.Fprintf(s.Err, "s3wizard: the new key is in %s. Every process started before that still uses the old key %s until it restarts: restart them now (web server, workers, cron jobs, your local runserver) and redeploy where the env file is copied.\n", r.Answers.EnvFile, text.Mask(id))
			ok := ask(fmt.Sprintf("deactivate the old key %s now (what still uses it will get AccessDenied)?", text.Mask(id)))
			refused = !ok
			return ok
		},
		ConfirmDelete: func(id string) bool {
			return ask(fmt.Sprintf("delete key %s now? Only if nothing uses it any more (an inactive key can still be re-activated)", text.Mask(id)))
		},
		Say: func(msg string) { fmt.Fprintln(s.Err, "s3wizard: "+msg) },
	}
	if appconfig.HerokuAvailable() {
		o.DeployHeroku = func(ctx context.Context) (bool, error) {
			err := steps.RunHeroku(ctx, r, func() bool { return ask("run it now (restarts the app once)?") }, s.Err)
			if errors.Is(err, steps.ErrHerokuDeclined) {
				return false, nil
			}
			return err == nil, err
		}
	}
	err = day2.RotateKeys(ctx, r, o)
	if refused && errors.Is(err, day2.ErrRotationPending) {
		return declined(strings.TrimPrefix(err.Error(), day2.ErrRotationPending.Error()+": "))
	}
	return err
}

// destroyOptions are destroy's: --env and the global flags, and its
// collaborators.
type destroyOptions struct {
	savedEnvOptions
	Prompter Prompter
}

func newDestroy(f *flags, x *factory) *destroyOptions {
	return &destroyOptions{savedEnvOptions: savedEnvFrom(f, x), Prompter: x.prompter}
}

func cmdDestroy(ctx context.Context, f *destroyOptions) error {
	s := f.IO
	sess, err := f.session(ctx, true)
	if err != nil {
		return err
	}
	defer sess.Close()
	a := sess.Run.Answers
	_ = sess.Run.Identify(ctx) // the account, shown in the list
	deleted, kept := day2.DestroyList(sess.Run)
	fmt.Fprintf(s.Err, "s3wizard destroy: env %s, account %s. This deletes, for good:\n", a.Env, sess.Run.AccountID())
	for _, d := range deleted {
		fmt.Fprintf(s.Err, "  - %s\n", d)
	}
	for _, k := range kept {
		fmt.Fprintf(s.Err, "  kept: %s\n", k)
	}
	line, _ := f.Prompter.Input(fmt.Sprintf("Type the bucket name (%s) to delete all of this: ", a.Bucket))
	if typed := strings.TrimSpace(line); typed != a.Bucket {
		if typed == "" {
			fmt.Fprintln(s.Err)
		}
		return declined(fmt.Sprintf("%q is not the bucket name %q: nothing deleted", typed, a.Bucket))
	}
	say := func(msg string) { fmt.Fprintln(s.Err, "  - "+msg) }
	if err := day2.Destroy(ctx, sess.Run, say); err != nil {
		return fmt.Errorf("destroy stopped (run it again to finish): %w", err)
	}
	fmt.Fprintf(s.Err, "s3wizard: env %s destroyed; its progress file is kept (steps reset)\n", a.Env)
	return nil
}

// docsLiveTimeout bounds the live checks the hand-off document shows.
const docsLiveTimeout = 2 * time.Minute

// docsOptions are docs': its flags (--env, -o and the global ones) and its
// collaborators.
type docsOptions struct {
	savedEnvOptions
	output string
}

func newDocs(f *flags, x *factory) *docsOptions {
	return &docsOptions{savedEnvOptions: savedEnvFrom(f, x), output: f.output}
}

func cmdDocs(ctx context.Context, f *docsOptions) error {
	s := f.IO
	sess, err := f.session(ctx, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "s3wizard: writing the hand-off document of env %s (live checks included)\n", f.Env)
	results, notLive := engine.VerifyLive(ctx, sess.Run, sess.Steps, docsLiveTimeout)
	if results != nil {
		// The checklist's upload / delete test, through the project's own
		// Django as check runs it: the document then says what passed.
		results = append(results, steps.Result{Step: &steps.Step{ID: "django", Title: "Django"}, Checks: djangocheck.Run(ctx, sess.Run)})
	}
	doc, err := docs.Generate(sess.Run, sess.Steps, results, notLive)
	if err != nil {
		return fmt.Errorf("hand-off document: %w", err)
	}
	if f.output == "-" {
		_, err = s.Out.Write(doc)
		return err
	}
	path := f.output
	if path == "" {
		path = filepath.Join(f.Dir, docs.FileName(f.Env))
	}
	if err := envfile.WriteFileAtomic(path, doc, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(s.Out, path)
	return nil
}

// sweepProbeLeftovers deletes, before a command writes probes of its own,
// the probe objects an interrupted check, doctor, rotate-keys or Django
// test left (steps.SweepProbeLeftovers), and says so; a failure is a
// warning, not a reason to stop.
func sweepProbeLeftovers(ctx context.Context, r *steps.Run, s IO) {
	n, err := steps.SweepProbeLeftovers(ctx, r)
	switch {
	case err != nil:
		fmt.Fprintf(s.Err, "s3wizard: could not look for probe objects an interrupted run left in %s: %s\n", r.Answers.Bucket, text.FirstLine(aws.Explain(err).Error()))
	case n > 0:
		fmt.Fprintf(s.Err, "s3wizard: deleted %d leftover(s) of probe objects an interrupted run left in %s\n", n, r.Answers.Bucket)
	}
}

// adoptOptions are adopt's: its flags (--env, --answers and the global
// ones) and its collaborators.
type adoptOptions struct {
	IO IO
	app.Options
	Open Opener
}

func newAdopt(f *flags, x *factory) *adoptOptions {
	return &adoptOptions{IO: x.io, Options: f.Options, Open: x.open}
}

func cmdAdopt(ctx context.Context, f *adoptOptions) error {
	s := f.IO
	saved, err := state.Read(f.Dir, f.Env)
	if err != nil {
		return err
	}
	if saved.Answers() != nil {
		return app.UsageError(fmt.Errorf("env %q already has saved progress in %s: adopt only rebuilds a missing one", f.Env, f.Dir))
	}
	a, err := app.Answers(f.Options, saved)
	if err != nil {
		return err
	}
	if k := a.Missing(); k != "" {
		return &config.MissingError{Key: k}
	}
	if err := app.FinishAudit(a, f.Dir); err != nil {
		return err
	}
	sess, err := f.Open(ctx, f.Options, a, app.OpenOptions{Lock: true})
	if err != nil {
		return err
	}
	defer sess.Close()
	fmt.Fprintf(s.Err, "s3wizard: reading env %s's resources and their tags (nothing is changed)\n", f.Env)
	if err := day2.Adopt(ctx, sess.Run, func(msg string) { fmt.Fprintln(s.Out, "  "+msg) }); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "s3wizard: recorded in %s: check, doctor, docs, rotate-keys and destroy now work for env %s here\n", state.Path(f.Dir, f.Env), f.Env)
	return nil
}
