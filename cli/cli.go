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

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/config"
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

// ErrChecksFailed makes `check` exit 1 after printing its report.
var ErrChecksFailed = errors.New("some checks failed")

// IO are the streams of one invocation: data to Out, the rest to Err.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// flags are every flag of every command; each command reads what it needs.
type flags struct {
	app.Options
	json       bool
	output     string
	noColor    bool
	accessible bool
	mediaRoot  string
}

const usage = `s3wizard — set up AWS S3 for a Django project, live, step by step.

Usage:
  s3wizard [--env NAME]                      interactive wizard; resumes saved progress
  s3wizard apply --env NAME --answers FILE [--yes] [--dry-run]
  s3wizard plan  --env NAME --answers FILE   what apply would change (no credentials needed)
  s3wizard status [--env NAME] [--json]      progress of each step
  s3wizard check  --env NAME [--json]        live audit of the final checklist (exit 1 if any fails)
  s3wizard doctor --env NAME                 diagnose the app's access with the app's own keys
  s3wizard rotate-keys --env NAME [--yes]    zero-downtime access-key rotation
  s3wizard docs --env NAME [-o FILE]         hand-off document (Markdown)
  s3wizard destroy --env NAME                delete what the wizard created (typed confirmation)
  s3wizard migrate-media --env NAME [--dry-run] [--media-root DIR]
                                             upload existing MEDIA_ROOT files under media/ (resumable)

Global flags: --dir DIR (Django project root, default .), --profile NAME, --region REGION,
              --no-color (or NO_COLOR), --accessible (line-by-line prompts)
`

var commands = map[string]func(ctx context.Context, f *flags, io IO) error{
	"apply":         cmdApply,
	"plan":          cmdPlan,
	"status":        cmdStatus,
	"check":         cmdCheck,
	"doctor":        cmdDoctor,
	"rotate-keys":   cmdRotate,
	"docs":          cmdDocs,
	"destroy":       cmdDestroy,
	"migrate-media": cmdMigrateMedia,
}

// Interactive runs the TUI; main wires it (the TUI package imports app, not
// cli, so this indirection avoids a cycle).
var Interactive func(ctx context.Context, o app.Options, accessible, noColor bool, s IO) error

// Main runs one command line and returns the process exit code.
func Main(args []string, in io.Reader, out, errw io.Writer) int {
	s := IO{In: in, Out: out, Err: errw}
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" {
		fmt.Fprint(out, usage)
		return ExitOK
	}
	run, ok := commands[cmd]
	if cmd != "" && !ok {
		fmt.Fprintf(errw, "s3wizard: unknown command %q\n\n%s", cmd, usage)
		return ExitUsage
	}
	f, err := parseFlags(cmd, args, errw)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(errw, "s3wizard: %v\n", err)
		return ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cmd == "" {
		if Interactive == nil {
			err = errors.New("the interactive wizard is not available in this build: use `s3wizard apply`")
		} else {
			err = Interactive(ctx, f.Options, f.accessible, f.noColor, s)
		}
	} else {
		err = run(ctx, f, s)
	}
	return report(ctx, err, errw)
}

func parseFlags(cmd string, args []string, errw io.Writer) (*flags, error) {
	f := &flags{}
	name := "s3wizard"
	if cmd != "" {
		name += " " + cmd
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(errw)
	fs.Usage = func() { fmt.Fprint(errw, usage) }
	fs.StringVar(&f.Env, "env", "", "environment name (staging, prod)")
	fs.StringVar(&f.AnswersFile, "answers", "", "answers file (YAML or JSON)")
	fs.BoolVar(&f.Yes, "yes", false, "never prompt: a missing answer is an error")
	fs.BoolVar(&f.DryRun, "dry-run", false, "show what would change, change nothing")
	fs.BoolVar(&f.json, "json", false, "machine-readable output")
	fs.StringVar(&f.output, "o", "", "output file")
	fs.StringVar(&f.Dir, "dir", ".", "Django project root")
	fs.StringVar(&f.Profile, "profile", "", "AWS profile")
	fs.StringVar(&f.Region, "region", "", "AWS region")
	fs.BoolVar(&f.noColor, "no-color", false, "no colours")
	fs.BoolVar(&f.accessible, "accessible", false, "line-by-line prompts (screen readers, pipes)")
	fs.StringVar(&f.mediaRoot, "media-root", "", "migrate-media: local media directory (default: MEDIA_ROOT from settings)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if os.Getenv("NO_COLOR") != "" {
		f.noColor = true
	}
	if f.Env != "" {
		if err := config.ValidEnv(f.Env); err != nil {
			return nil, fmt.Errorf("--env %w", err)
		}
	}
	switch cmd {
	case "apply", "plan":
		if f.Env == "" {
			return nil, fmt.Errorf("%s needs --env NAME", cmd)
		}
	case "check", "doctor", "rotate-keys", "docs", "destroy", "migrate-media":
		if f.Env == "" {
			return nil, fmt.Errorf("%s needs --env NAME", cmd)
		}
	}
	if cmd == "plan" && f.AnswersFile == "" {
		return nil, fmt.Errorf("plan needs --answers FILE")
	}
	return f, nil
}

func report(ctx context.Context, err error, errw io.Writer) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrCancelled) || errors.Is(err, context.Canceled) || ctx.Err() != nil:
		fmt.Fprintln(errw, "s3wizard: cancelled; progress so far is saved — run the same command to resume")
		return ExitCancelled
	case errors.Is(err, ErrChecksFailed):
		return ExitFailure
	case errors.Is(err, app.ErrUsage) || errors.Is(err, config.ErrMissing):
		fmt.Fprintf(errw, "s3wizard: %s\n", strings.TrimPrefix(err.Error(), "usage: "))
		return ExitUsage
	}
	fmt.Fprintf(errw, "s3wizard: %v\n", err)
	return ExitFailure
}
