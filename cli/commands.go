package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/djangoapp"
)

// command is one row of the command table, which drives parsing, the global
// usage and each command's --help.
type command struct {
	name string
	// args is the usage line after "s3wizard NAME".
	args  string
	short string
	long  string
	// flags are the command's own flags (the global ones apply to all).
	flags    []string
	needEnv  bool
	examples []string
	// exits lists the exit codes and what they mean for this command.
	exits []string
	// run builds the command's options from the parsed flags and the
	// invocation's collaborators, and runs it (runs).
	run func(ctx context.Context, f *flags, x *factory) error
}

// runs is a command's run: build makes its options (its own flags only,
// and its collaborators), run runs it.
func runs[O any](build func(*flags, *factory) O, run func(context.Context, O) error) func(context.Context, *flags, *factory) error {
	return func(ctx context.Context, f *flags, x *factory) error { return run(ctx, build(f, x)) }
}

// envOptions are the flags of a command on one env: the global ones that
// reach AWS, and --env.
type envOptions struct {
	Dir, Env, Profile, Region string
	Python                    djangoapp.Python
}

func envFrom(f *flags) envOptions {
	return envOptions{Dir: f.Dir, Env: f.Env, Profile: f.Profile, Region: f.Region, Python: f.Python}
}

// app is the env as app's options.
func (e envOptions) app() app.Options {
	return app.Options{Dir: e.Dir, Env: e.Env, Profile: e.Profile, Region: e.Region, Python: e.Python}
}

// savedEnvOptions are what every command on an env with saved progress
// has (check, doctor, docs, destroy, rotate-keys, migrate-media): the
// streams, the env's flags and the session opener.
type savedEnvOptions struct {
	IO IO
	envOptions
	Open Opener
}

func savedEnvFrom(f *flags, x *factory) savedEnvOptions {
	return savedEnvOptions{IO: x.io, envOptions: envFrom(f), Open: x.open}
}

// session opens the env (savedSession), with the progress lock when lock
// is set.
func (o savedEnvOptions) session(ctx context.Context, lock bool) (*app.Session, error) {
	return savedSession(ctx, o.envOptions, o.Open, lock)
}

// Exit-code lines shared by most commands.
const (
	exitOK     = "0  success"
	exitFail   = "1  failure (an AWS call or a file write failed; the message says what to do)"
	exitUsage  = "2  usage: unknown flag, bad or missing answer (nothing was changed)"
	exitCancel = "130  cancelled (ctrl+c); progress so far is saved"
)

// commandTable lists every command in the order of the global usage. The
// first row is the interactive wizard (no command name).
var commandTable = []*command{
	{
		name:  "",
		args:  "[--env NAME]",
		short: "interactive wizard; resumes saved progress",
		long: "Shows your Django project, your AWS identity and any saved progress before anything changes,\n" +
			"then walks the steps: why, where it departs from the guides, the questions, the plan, a\n" +
			"confirmation, progress and the live verification. ctrl+c keeps progress.",
		flags:    []string{"env", "answers"},
		examples: []string{"s3wizard --dir ~/src/blog", "s3wizard --env prod --profile work", "s3wizard --accessible"},
		exits:    []string{exitOK, exitFail, exitUsage, exitCancel},
		run:      runs(newWizard, runWizard),
	},
	{
		name:  "apply",
		args:  "--env NAME --answers FILE [--yes] [--dry-run]",
		short: "the whole flow without the TUI (plan, confirm, apply)",
		long: "Applies every step from an answers file. In a terminal it shows the plan and asks once;\n" +
			"--yes skips the question (and is required when there is no terminal). Idempotent: run it\n" +
			"again to resume or to check that nothing changed.",
		flags:   []string{"env", "answers", "yes", "dry-run"},
		needEnv: true,
		examples: []string{
			"s3wizard apply --env staging --answers s3wizard.yaml",
			"s3wizard apply --env staging --answers s3wizard.yaml --yes     # CI, scripts",
			"s3wizard apply --env staging --answers s3wizard.yaml --dry-run # what would change",
		},
		exits: []string{exitOK, exitFail + "; finished steps are saved", exitUsage + "; also: no terminal and no --yes", "130  cancelled (ctrl+c, or \"no\" at the confirmation: nothing changed)"},
		run:   runs(newApply, cmdApply),
	},
	{
		name:     "plan",
		args:     "--env NAME --answers FILE",
		short:    "what apply would change (no credentials needed)",
		long:     "Prints, on stdout, each step's actions with their AWS calls and files. Changes nothing.\nWithout AWS credentials it plans as if nothing existed yet.",
		flags:    []string{"env", "answers"},
		needEnv:  true,
		examples: []string{"s3wizard plan --env staging --answers s3wizard.yaml"},
		exits:    []string{"0  the plan was printed", "1  planning failed for a step (printed with ✗)", exitUsage},
		run:      runs(newPlan, cmdPlan),
	},
	{
		name:     "status",
		args:     "[--env NAME] [--json]",
		short:    "progress of each step",
		long:     "Reads only the progress files (.s3wizard/<env>.json); no AWS call. Times are RFC 3339 (UTC).",
		flags:    []string{"env", "json"},
		examples: []string{"s3wizard status", "s3wizard status --env staging --json"},
		exits:    []string{exitOK, exitFail, "2  usage, or no saved progress in --dir"},
		run:      runs(newStatus, cmdStatus),
	},
	{
		name:     "check",
		args:     "--env NAME [--json]",
		short:    "live audit of the final checklist (exit 1 if any fails)",
		long:     "Re-runs every step's live verification with your credentials, and proves the app's access\nby writing, reading and deleting a small probe object.",
		flags:    []string{"env", "json"},
		needEnv:  true,
		examples: []string{"s3wizard check --env staging", "s3wizard check --env prod --json | jq '.checks[] | select(.ok|not)'"},
		exits:    []string{"0  every check passed", "1  at least one check failed (each is printed)", exitUsage},
		run:      runs(newCheck, cmdCheck),
	},
	{
		name:     "doctor",
		args:     "--env NAME",
		short:    "diagnose the app's access with the app's own keys",
		long:     "Uses the settings in the env file, as the app would, and says what is wrong and how to fix it.",
		flags:    []string{"env"},
		needEnv:  true,
		examples: []string{"s3wizard doctor --env staging"},
		exits:    []string{"0  the app's access works", "1  a problem was found (each is printed)", exitUsage},
		run:      runs(newDoctor, cmdDoctor),
	},
	{
		name:  "rotate-keys",
		args:  "--env NAME [--yes]",
		short: "zero-downtime access-key rotation",
		long: "Creates a second key, checks it works, writes it to the env file, deploys it (Heroku when\n" +
			"its CLI is there), then asks before deactivating the old key: restart every running process\n" +
			"that still uses the old key first. --yes answers yes to every question.",
		flags:    []string{"env", "yes"},
		needEnv:  true,
		examples: []string{"s3wizard rotate-keys --env staging", "s3wizard rotate-keys --env prod --yes"},
		exits:    []string{exitOK, exitFail + "; run it again to finish the same rotation", exitUsage, "130  cancelled, or the old key kept active at your answer (run it again to finish)"},
		run:      runs(newRotate, cmdRotate),
	},
	{
		name:     "docs",
		args:     "--env NAME [-o FILE]",
		short:    "hand-off document (Markdown)",
		long:     "Writes S3-HANDOFF-<env>.md (no secrets) in --dir, or FILE; -o - prints it on stdout.",
		flags:    []string{"env", "o"},
		needEnv:  true,
		examples: []string{"s3wizard docs --env staging", "s3wizard docs --env prod -o - | less"},
		exits:    []string{exitOK, exitFail, exitUsage},
		run:      runs(newDocs, cmdDocs),
	},
	{
		name:  "destroy",
		args:  "--env NAME",
		short: "delete what the wizard created (lists it, then typed confirmation)",
		long: "Lists what it will delete for this env, then asks you to type the bucket name (read from\n" +
			"stdin, so it can be piped). Anything that existed before the wizard is kept.",
		flags:    []string{"env"},
		needEnv:  true,
		examples: []string{"s3wizard destroy --env staging", "echo mon-app-media-staging | s3wizard destroy --env staging"},
		exits:    []string{exitOK, exitFail + "; run it again to finish", exitUsage, "130  the typed name did not match: nothing deleted"},
		run:      runs(newDestroy, cmdDestroy),
	},
	{
		name:  "adopt",
		args:  "--env NAME --answers FILE",
		short: "rebuild a teammate's env progress from the account (changes nothing in AWS)",
		long: "For a second machine, where the env was set up by someone else (progress files are not\n" +
			"committed): reads the resources the answers name and their s3wizard:project / s3wizard:env tags,\n" +
			"and records which are the wizard's (tagged for this project and env), which existed without\n" +
			"them (kept by destroy), and refuses another project's. check, doctor, docs, rotate-keys and\n" +
			"destroy then work here. Writes only .s3wizard/<env>.json; no secret.",
		flags:    []string{"env", "answers"},
		needEnv:  true,
		examples: []string{"s3wizard adopt --env prod --answers s3wizard.yaml"},
		exits:    []string{exitOK, exitFail + "; nothing was recorded", exitUsage + "; also: the env already has progress here"},
		run:      runs(newAdopt, cmdAdopt),
	},
	{
		name:  "migrate-media",
		args:  "--env NAME [--dry-run] [--media-root DIR]",
		short: "upload existing MEDIA_ROOT files under media/ (resumable)",
		long: "Uploads the project's existing media files into the env's bucket under media/, with your\n" +
			"credentials. Files already there (same size and checksum) are skipped, so it can be re-run;\n" +
			"local files are only read.",
		flags:    []string{"env", "dry-run", "media-root"},
		needEnv:  true,
		examples: []string{"s3wizard migrate-media --env staging --dry-run", "s3wizard migrate-media --env prod --media-root ./media"},
		exits:    []string{exitOK, "1  some files failed (listed); run it again to retry them", exitUsage, exitCancel},
		run:      runs(newMigrateMedia, cmdMigrateMedia),
	},
	{
		name:  "operator-policy",
		args:  "[--answers FILE] [--env NAME]",
		short: "the least IAM policy the person running the wizard needs",
		long: "Prints, on stdout, the IAM policy (JSON) that lets an operator run apply, check, doctor, docs,\n" +
			"rotate-keys, migrate-media and destroy for these answers, and nothing more. Without an answers\n" +
			"file, the saved answers of --env are used. No AWS call: the account ID is the env's (from\n" +
			"its progress file) when known, else a wildcard (a policy only acts in its own account).",
		flags:    []string{"answers", "env"},
		examples: []string{"s3wizard operator-policy --answers s3wizard.yaml > operator-policy.json", "aws iam create-policy --policy-name s3wizard-operator --policy-document file://operator-policy.json"},
		exits:    []string{exitOK, exitFail, exitUsage},
		run:      runs(newOperatorPolicy, cmdOperatorPolicy),
	},
}

// flagDef declares one flag on a flag set.
type flagDef struct {
	arg    string // "NAME" for a value flag, "" for a boolean
	define func(fs *flag.FlagSet, f *flags)
}

var flagDefs = map[string]flagDef{
	"env": {"NAME", func(fs *flag.FlagSet, f *flags) {
		fs.StringVar(&f.Env, "env", "", "environment name (lowercase letters, digits, dashes: staging, prod)")
	}},
	"answers": {"FILE", func(fs *flag.FlagSet, f *flags) {
		fs.StringVar(&f.AnswersFile, "answers", "", "answers file (YAML; JSON is valid YAML)")
	}},
	"yes": {"", func(fs *flag.FlagSet, f *flags) {
		fs.BoolVar(&f.Yes, "yes", false, "never prompt: answer yes to confirmations; a missing answer is an error")
	}},
	"dry-run": {"", func(fs *flag.FlagSet, f *flags) {
		fs.BoolVar(&f.DryRun, "dry-run", false, "show what would change, change nothing")
	}},
	"json": {"", func(fs *flag.FlagSet, f *flags) {
		fs.BoolVar(&f.json, "json", false, "machine-readable output on stdout")
	}},
	"o": {"FILE", func(fs *flag.FlagSet, f *flags) {
		fs.StringVar(&f.output, "o", "", "output file (- for stdout)")
	}},
	"media-root": {"DIR", func(fs *flag.FlagSet, f *flags) {
		fs.StringVar(&f.mediaRoot, "media-root", "", "local media directory (default: MEDIA_ROOT from settings)")
	}},
	"dir": {"DIR", func(fs *flag.FlagSet, f *flags) { fs.StringVar(&f.Dir, "dir", ".", "Django project root") }},
	"profile": {"NAME", func(fs *flag.FlagSet, f *flags) {
		fs.StringVar(&f.Profile, "profile", "", "AWS profile (~/.aws/config), as `aws --profile`")
	}},
	"region": {"REGION", func(fs *flag.FlagSet, f *flags) {
		fs.StringVar(&f.Region, "region", "", "region of the bucket (AWS's, or the provider's with credentials: provided)")
	}},
	"no-color": {"", func(fs *flag.FlagSet, f *flags) {
		fs.BoolVar(&f.noColor, "no-color", false, "no colours (NO_COLOR does the same)")
	}},
	"accessible": {"", func(fs *flag.FlagSet, f *flags) {
		fs.BoolVar(&f.accessible, "accessible", false, "line-by-line prompts (screen readers, pipes)")
	}},
	"python": {"PATH", func(fs *flag.FlagSet, f *flags) {
		fs.StringVar(&f.Python.Path, "python", "", "the app's Python (its virtualenv's bin/python), asked first for Django (default: VIRTUAL_ENV, the project's .venv/venv, Poetry's, pipenv's, python3)")
	}},
	"help": {"", func(fs *flag.FlagSet, f *flags) { fs.BoolVar(&f.help, "help", false, "this help") }},
}

// globalFlags apply to every command.
var globalFlags = []string{"dir", "profile", "region", "python", "no-color", "accessible"}

func lookupCommand(name string) *command {
	for _, c := range commandTable {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (c *command) title() string {
	if c.name == "" {
		return "s3wizard"
	}
	return "s3wizard " + c.name
}

func (c *command) usageLine() string { return strings.TrimSpace(c.title() + " " + c.args) }

// globalUsage is `s3wizard --help`.
func globalUsage(w io.Writer) {
	fmt.Fprint(w, "s3wizard — set up AWS S3 for a Django project, live, step by step.\n\nUsage:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commandTable {
		fmt.Fprintf(tw, "  %s\t%s\n", c.usageLine(), c.short)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nGlobal flags:")
	printFlags(w, globalFlags)
	fmt.Fprint(w, "\nExit codes: 0 success · 1 failure · 2 usage or missing answer · 130 cancelled.\n"+
		"Run `s3wizard CMD --help` for a command's flags and examples; `s3wizard --version`.\n")
}

// help is `s3wizard CMD --help`.
func (c *command) help(w io.Writer) {
	fmt.Fprintf(w, "%s — %s\n\nUsage:\n  %s\n\n%s\n", c.title(), c.short, c.usageLine(), c.long)
	if len(c.flags) > 0 {
		fmt.Fprintln(w, "\nFlags:")
		printFlags(w, c.flags)
	}
	fmt.Fprintln(w, "\nGlobal flags:")
	printFlags(w, globalFlags)
	fmt.Fprintln(w, "\nExamples:")
	for _, e := range c.examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
	fmt.Fprintln(w, "\nExit codes:")
	for _, e := range c.exits {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

func printFlags(w io.Writer, names []string) {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	f := &flags{}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, n := range names {
		d := flagDefs[n]
		d.define(fs, f)
		name := "--" + n
		if len(n) == 1 {
			name = "-" + n
		}
		if d.arg != "" {
			name += " " + d.arg
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, fs.Lookup(n).Usage)
	}
	tw.Flush()
}

// version is `s3wizard --version`: the module version and the VCS revision
// the binary was built from.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "s3wizard (no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	out := "s3wizard " + v
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		out += " (revision " + rev
		if modified {
			out += ", modified"
		}
		if at != "" {
			out += ", " + at
		}
		out += ")"
	}
	return out + " " + bi.GoVersion
}
