package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/mattn/go-isatty"
)

// Prompter asks the person running a command: the y/N confirmations, the
// line questions and the hidden secret. Main builds the terminal one over
// its stdin and stderr; tests inject their own (Deps.Prompter).
type Prompter interface {
	// CanPrompt: a person can answer (stdin and stderr are terminals).
	// --yes is the command's to weigh, not the prompter's.
	CanPrompt() bool
	// Confirm asks a yes/no question; only "y" or "yes" is a yes, and the
	// end of the input is a no.
	Confirm(question string) bool
	// Input shows prompt and reads one line, without its line end; at the
	// end of the input with nothing read it returns io.EOF. It works
	// without a terminal too (destroy's typed name can be piped).
	Input(prompt string) (string, error)
	// Password asks a secret with the echo off until validate accepts it.
	Password(title string, validate func(string) error) (string, error)
}

// terminalPrompter asks on stderr and reads stdin, through one reader for
// every line-by-line question of the invocation (two readers would each
// buffer what the other needs).
type terminalPrompter struct {
	in    io.Reader
	errw  io.Writer
	lines *bufio.Reader
}

func newTerminalPrompter(in io.Reader, errw io.Writer) *terminalPrompter {
	return &terminalPrompter{in: in, errw: errw, lines: bufio.NewReader(in)}
}

func (p *terminalPrompter) CanPrompt() bool { return isTerminal(p.in) && isTerminal(p.errw) }

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

func (p *terminalPrompter) Confirm(question string) bool {
	line, err := p.Input(question + " [y/N]: ")
	if err != nil {
		fmt.Fprintln(p.errw)
		return false
	}
	v := strings.ToLower(strings.TrimSpace(line))
	return v == "y" || v == "yes"
}

func (p *terminalPrompter) Input(prompt string) (string, error) {
	fmt.Fprint(p.errw, prompt)
	line, err := p.lines.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (p *terminalPrompter) Password(title string, validate func(string) error) (string, error) {
	var secret string
	in := huh.NewInput().Title(title).EchoMode(huh.EchoModePassword).Value(&secret).Validate(validate)
	if err := in.RunAccessible(p.errw, p.in); err != nil {
		return "", err
	}
	return secret, nil
}
