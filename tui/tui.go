// Package tui is the interactive wizard: a Bubble Tea screen (or, with
// --accessible, line-by-line prompts) that walks the step list of package
// steps, asking each step's questions, showing its plan, applying it live
// and showing the verification.
package tui

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-isatty"
	"github.com/muesli/termenv"
	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/migrate"
	"github.com/s3wizard/s3wizard/nextsteps"
)

// ErrCancelled is returned (wrapped) when the user quits before the end.
// It wraps context.Canceled so the CLI's exit-code mapping (130) applies
// without the CLI importing this package. Progress is kept.
var ErrCancelled = fmt.Errorf("cancelled by the user: %w", context.Canceled)

// Options configure one interactive run.
type Options struct {
	App        app.Options
	Accessible bool
	NoColor    bool
	// In is the keyboard (default os.Stdin); Out is where the wizard draws
	// (default os.Stderr: stdout stays for data).
	In  io.Reader
	Out io.Writer
}

// CanPrompt reports whether both streams are terminals, the condition for
// the full-screen wizard. (The CLI's gate, its Prompter, is also injected
// and weighed with --yes; this one is for callers that hold bare streams.)
func CanPrompt(in io.Reader, out io.Writer) bool { return isTerminal(in) && isTerminal(out) }

func isTerminal(v any) bool {
	f, ok := v.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// Run runs the wizard until every step of the env is done or the user
// quits (an error wrapping ErrCancelled).
func Run(ctx context.Context, o Options) error {
	return run(ctx, o, NewEngine(o.App))
}

func run(ctx context.Context, o Options, eng Engine) error {
	if o.In == nil {
		o.In = os.Stdin
	}
	if o.Out == nil {
		o.Out = os.Stderr
	}
	setupColour(o)
	defer eng.Close()
	if o.Accessible {
		return runAccessible(ctx, o, eng)
	}
	m := newModel(ctx, eng, o.App.Dir, o.App.Env)
	p := tea.NewProgram(m, tea.WithInput(o.In), tea.WithOutput(o.Out), tea.WithAltScreen(), tea.WithContext(ctx))
	final, err := p.Run()
	if fm, ok := final.(*model); ok {
		m = fm
	}
	// The alternate screen is gone: leave a short record of the run.
	fmt.Fprint(o.Out, m.summary())
	if err != nil && m.Err() == nil {
		if ctx.Err() != nil {
			return fmt.Errorf("wizard: %w", ErrCancelled)
		}
		return fmt.Errorf("wizard: %w", err)
	}
	if err := m.Err(); err != nil {
		if err == ErrCancelled {
			return fmt.Errorf("wizard: %w", err)
		}
		return err
	}
	return nil
}

// setupColour draws with the output's own profile, or none with NO_COLOR.
func setupColour(o Options) {
	r := lipgloss.NewRenderer(o.Out)
	if o.NoColor || os.Getenv("NO_COLOR") != "" {
		r.SetColorProfile(termenv.Ascii)
		// No colour: the background does not matter, so never ask.
		r.SetHasDarkBackground(true)
	} else {
		// Adaptive colours need the terminal's background, which termenv
		// asks the terminal for. Ask now, before Bubble Tea reads the
		// keyboard: asked lazily during the first render, a slow reply
		// (a cursor-position report such as "ESC[3;1R") is read as typing
		// and lands in the first text field.
		r.HasDarkBackground()
	}
	lipgloss.SetDefaultRenderer(r)
	initStyles()
}

// summary is what stays on the terminal after the full-screen wizard: for
// each env finished, its "what now" (commands on lines of their own, to be
// copied whole), and which env, if any, was left unfinished.
func (m *model) summary() string {
	if len(m.finished) == 0 {
		// A cancelled run is reported once, by the CLI's exit path.
		return ""
	}
	var b strings.Builder
	for _, e := range m.finished {
		fmt.Fprintf(&b, "s3wizard: environment %s is set up.\n", e)
		if list := m.whatNow[e]; len(list) > 0 {
			fmt.Fprintf(&b, "What now for %s:\n%s", e, nextsteps.Format(list))
		}
		fmt.Fprintf(&b, "Next: `s3wizard check --env %s` audits the setup and runs the upload / delete test through your Django.\n", e)
		if line := migrate.Offer(m.project, e); line != "" {
			b.WriteString("Next: " + line + "\n")
		}
	}
	last := m.finished[len(m.finished)-1]
	if m.answers != nil && m.answers.Env == last && m.answers.UsesAccessKeys() {
		b.WriteString("The secret access key is in " + m.eng.EnvFilePath() + " (mode 0600); it was never shown.\n")
	}
	if m.answers != nil && m.answers.Env != last {
		fmt.Fprintf(&b, "s3wizard: environment %s is not finished (stopped at step %d of %d): run `s3wizard --env %s` to resume.\n",
			m.answers.Env, min(m.cur+1, len(m.list)), len(m.list), m.answers.Env)
	}
	return b.String()
}
