// Package cli is s3wizard's command line: it parses flags, assembles a run
// through package app, hands the interactive case to the TUI and maps errors
// to exit codes (0 ok, 1 failure, 2 usage or missing answer, 130 cancelled).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/internal/strdist"
)

// Exit codes of the contract.
const (
	ExitOK        = 0
	ExitFailure   = 1
	ExitUsage     = 2
	ExitCancelled = 130
)

// ErrCancelled is returned when the user stops the run (ctrl+c).
var ErrCancelled = errors.New("cancelled")

// declinedError is a "no" to a confirmation: nothing was changed. It is a
// cancellation (exit 130) with its own message.
type declinedError struct{ msg string }

func (e *declinedError) Error() string        { return e.msg }
func (e *declinedError) Is(target error) bool { return target == ErrCancelled }

func declined(msg string) error { return &declinedError{msg} }

// ErrChecksFailed makes `check` exit 1 after printing its report.
var ErrChecksFailed = errors.New("some checks failed")

// IO are the streams of one invocation: data to Out, the rest to Err.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// flags are what the flag set parses into: every flag of every command.
// Each command declares what it accepts in the command table and copies
// only its own into its options struct.
type flags struct {
	app.Options
	json       bool
	output     string
	noColor    bool
	accessible bool
	mediaRoot  string
	help       bool
}

// Opener opens a run for answers a (app.Open; tests inject their own).
type Opener func(ctx context.Context, o app.Options, a *config.Answers, oo app.OpenOptions) (*app.Session, error)

// Deps are the collaborators Main is given; a nil one is the real one.
type Deps struct {
	// Interactive runs the TUI wizard; main wires it (the TUI package
	// imports app, not cli, so injecting it avoids a cycle). Nil: the
	// wizard is not available and the bare command says so.
	Interactive func(ctx context.Context, o app.Options, accessible, noColor bool, s IO) error
	// Prompter asks the user; nil: the terminal one over Main's stdin and
	// stderr.
	Prompter Prompter
	// Open opens a run; nil: app.Open.
	Open Opener
}

// factory holds one invocation's collaborators, from which each command
// builds its options (as gh's cmdutil.Factory): the streams, the prompter,
// the session opener and the answers loader.
type factory struct {
	io          IO
	prompter    Prompter
	open        Opener
	interactive func(ctx context.Context, o app.Options, accessible, noColor bool, s IO) error
}

func newFactory(s IO, d Deps) *factory {
	f := &factory{io: s, prompter: d.Prompter, open: d.Open, interactive: d.Interactive}
	if f.prompter == nil {
		f.prompter = newTerminalPrompter(s.In, s.Err)
	}
	if f.open == nil {
		f.open = app.Open
	}
	return f
}

// answers is the answers loader of the commands that read answers: a
// missing one is asked through the factory's prompter (loadAnswers).
func (x *factory) answers(o app.Options) (*config.Answers, error) {
	return loadAnswers(o, x.prompter)
}

// wizardOptions are the bare command's: the TUI and its flags.
type wizardOptions struct {
	IO          IO
	App         app.Options
	Accessible  bool
	NoColor     bool
	Interactive func(ctx context.Context, o app.Options, accessible, noColor bool, s IO) error
}

func newWizard(f *flags, x *factory) *wizardOptions {
	return &wizardOptions{IO: x.io, App: f.Options,
		Accessible: f.accessible, NoColor: f.noColor, Interactive: x.interactive}
}

func runWizard(ctx context.Context, o *wizardOptions) error {
	if o.Interactive == nil {
		return errors.New("the interactive wizard is not available in this build: use `s3wizard apply`")
	}
	return o.Interactive(ctx, o.App, o.Accessible, o.NoColor, o.IO)
}

// Main runs one command line with the collaborators d and returns the
// process exit code.
func Main(args []string, in io.Reader, out, errw io.Writer, d Deps) int {
	s := IO{In: in, Out: out, Err: errw}
	name := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	switch {
	case name == "help":
		if len(args) > 0 {
			if c := lookupCommand(args[0]); c != nil && args[0] != "" {
				c.help(out)
				return ExitOK
			}
			return report(context.Background(), app.UsageError(fmt.Errorf("unknown command %q%s: run `s3wizard --help`", args[0], didYouMean(args[0], commandNames(), ""))), errw)
		}
		globalUsage(out)
		return ExitOK
	case name == "" && len(args) == 1 && (args[0] == "--version" || args[0] == "-version"):
		fmt.Fprintln(out, version())
		return ExitOK
	}
	c := lookupCommand(name)
	if c == nil {
		return report(context.Background(), app.UsageError(fmt.Errorf("unknown command %q%s: run `s3wizard --help` for the list", name, didYouMean(name, commandNames(), ""))), errw)
	}
	f, err := parseFlags(c, args)
	if err != nil {
		return report(context.Background(), err, errw)
	}
	if f.help {
		if c.name == "" {
			globalUsage(out)
		} else {
			c.help(out)
		}
		return ExitOK
	}
	ctx, stop := stopOnSignal(errw)
	defer stop()
	return report(ctx, c.run(ctx, f, newFactory(s, d)), errw)
}

// StopGrace is how long a run may take to end after SIGINT or SIGTERM
// cancelled it (saving progress, answering the AWS calls in flight)
// before the process exits anyway: a run blocked where no context reaches
// (a read of a pipe or of stdin) would otherwise ignore every signal.
const StopGrace = 5 * time.Second

// stopOnSignal is a context that the first SIGINT or SIGTERM cancels; a
// second signal, or StopGrace without the run ending, exits the process
// (status 130) at once.
func stopOnSignal(errw io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		cancel()
		select {
		case <-sigs:
		case <-time.After(StopGrace):
		case <-done:
			return
		}
		fmt.Fprintln(errw, "s3wizard: stopped: the run did not end after the signal; progress saved so far is kept — run the same command to resume")
		os.Exit(ExitCancelled)
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

// didYouMean is " — did you mean PREFIXname?" for the nearest of names, or "".
func didYouMean(name string, names []string, prefix string) string {
	if c := strdist.Closest(name, names); c != "" {
		return fmt.Sprintf(" — did you mean %s%s?", prefix, c)
	}
	return ""
}

func commandNames() []string {
	var out []string
	for _, c := range commandTable {
		if c.name != "" {
			out = append(out, c.name)
		}
	}
	return out
}

// parseFlags accepts only the command's own flags and the global ones:
// anything else is a usage error (an *app.InputError, exit 2).
func parseFlags(c *command, args []string) (*flags, error) {
	f, err := parseFlagSet(c, args)
	return f, app.UsageError(err)
}

func parseFlagSet(c *command, args []string) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet(c.title(), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, n := range append(append([]string{"help"}, c.flags...), globalFlags...) {
		flagDefs[n].define(fs, f)
	}
	fs.BoolVar(&f.help, "h", false, "")
	help := fmt.Sprintf("run `%s --help`", c.title())
	if err := fs.Parse(args); err != nil {
		if bad := undefinedFlag(fs, args); bad != "" {
			names := append(append([]string{}, c.flags...), globalFlags...)
			return nil, fmt.Errorf("%s does not take -%s%s: %s", c.title(), bad, didYouMean(bad, names, "--"), help)
		}
		return nil, fmt.Errorf("%s: %w: %s", c.title(), err, help)
	}
	if f.help {
		return f, nil
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%s: unexpected argument %q: %s", c.title(), fs.Arg(0), help)
	}
	if err := checkFlagValues(c, f, help); err != nil {
		return nil, err
	}
	if os.Getenv("NO_COLOR") != "" {
		f.noColor = true
	}
	return f, nil
}

// checkFlagValues refuses a --python that is not an executable file
// (without one, S3WIZARD_PYTHON names the interpreter), an invalid --env,
// and a command run without what it needs (--env, plan's --answers). help
// says where to read more.
func checkFlagValues(c *command, f *flags, help string) error {
	if f.Python.Path != "" {
		f.Python.From = "--python"
		st, err := os.Stat(f.Python.Path)
		if err != nil || st.IsDir() || st.Mode().Perm()&0o111 == 0 {
			return fmt.Errorf("%s: --python %s is not an executable file: %s", c.title(), f.Python, help)
		}
	} else {
		// Not checked, as before: one that does not run is named among
		// the interpreters tried.
		if py := os.Getenv("S3WIZARD_PYTHON"); py != "" {
			f.Python = djangoapp.Python{Path: py, From: "S3WIZARD_PYTHON"}
		}
	}
	if f.Env != "" {
		if err := config.ValidEnv(f.Env); err != nil {
			return fmt.Errorf("--env %w", err)
		}
	}
	if c.needEnv && f.Env == "" {
		return fmt.Errorf("%s needs --env NAME: %s", c.title(), help)
	}
	if c.name == "plan" && f.AnswersFile == "" {
		return fmt.Errorf("plan needs --answers FILE: %s", help)
	}
	return nil
}

// undefinedFlag is the name of the first flag in args that fs does not
// define, read as the flag package reads args (it stops at "--" or the first
// argument that is not a flag; a flag that is not boolean and has no "="
// takes the next argument), or "". It tells an unknown flag from a bad value
// without matching the flag package's message text.
func undefinedFlag(fs *flag.FlagSet, args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' {
			return ""
		}
		name := strings.TrimPrefix(a[1:], "-")
		name, _, hasValue := strings.Cut(name, "=")
		if name == "" || name[0] == '-' {
			return "" // bad syntax, not an unknown flag
		}
		fl := fs.Lookup(name)
		if fl == nil {
			return name
		}
		if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); (!ok || !b.IsBoolFlag()) && !hasValue {
			i++
		}
	}
	return ""
}

func report(ctx context.Context, err error, errw io.Writer) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, new(*declinedError)):
		fmt.Fprintf(errw, "s3wizard: %v\n", err)
		return ExitCancelled
	case errors.Is(err, ErrCancelled) || errors.Is(err, context.Canceled) || ctx.Err() != nil:
		fmt.Fprintln(errw, "s3wizard: cancelled; progress so far is saved — run the same command to resume")
		return ExitCancelled
	case errors.Is(err, ErrChecksFailed):
		return ExitFailure
	case errors.As(err, new(*app.InputError)) || errors.Is(err, config.ErrMissing) || errors.Is(err, engine.ErrWrongAccount):
		fmt.Fprintf(errw, "s3wizard: %v\n", err)
		return ExitUsage
	}
	fmt.Fprintf(errw, "s3wizard: %v\n", err)
	return ExitFailure
}
