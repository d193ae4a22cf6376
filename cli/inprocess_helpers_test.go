package cli_test

// Helpers of the in-process tests (issue 21.2): cli.Main called with fakes
// for its collaborators (cli.Deps), no built binary, no AWS.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/cli"
	"github.com/s3wizard/s3wizard/config"
)

// person is a scripted person at a terminal (a cli.Prompter): each
// question takes the next of answers, and is written, with its answer, to
// transcript as a terminal would show it. With no answer left a question
// gets the end of the input.
type person struct {
	terminal   bool
	answers    []string
	transcript io.Writer

	mu    sync.Mutex
	asked []string
}

func (p *person) CanPrompt() bool { return p.terminal }

func (p *person) next(prompt string) (string, error) { return p.answer(prompt, true) }

// answer takes the next answer; echo says whether the terminal shows it.
func (p *person) answer(prompt string, echo bool) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, prompt)
	if p.transcript != nil {
		fmt.Fprint(p.transcript, prompt)
	}
	if len(p.answers) == 0 {
		if p.transcript != nil {
			fmt.Fprintln(p.transcript)
		}
		return "", io.EOF
	}
	a := p.answers[0]
	p.answers = p.answers[1:]
	if p.transcript != nil && echo {
		fmt.Fprintln(p.transcript, a)
	} else if p.transcript != nil {
		fmt.Fprintln(p.transcript)
	}
	return a, nil
}

func (p *person) Confirm(question string) bool {
	a, err := p.next(question + " [y/N]: ")
	return err == nil && (a == "y" || a == "yes")
}

func (p *person) Input(prompt string) (string, error) { return p.next(prompt) }

func (p *person) Password(title string, validate func(string) error) (string, error) {
	for {
		a, err := p.answer(title+" ", false)
		if err != nil {
			return "", err
		}
		if err := validate(a); err == nil {
			return a, nil
		}
	}
}

// questions are the prompts the person was shown.
func (p *person) questions() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

// errNoSession is what noSession's opener answers.
var errNoSession = errors.New("test: no session may be opened here")

// noSession is an opener that fails the test if the command opens a run
// at all: what it checks must be refused before any AWS client or lock.
func noSession(t *testing.T) cli.Opener {
	return func(context.Context, app.Options, *config.Answers, app.OpenOptions) (*app.Session, error) {
		t.Helper()
		t.Error("the command opened a session (AWS clients, progress lock) before refusing")
		return nil, errNoSession
	}
}

// offline is app.Open with every AWS call refused before it is signed
// (aws.ErrOffline, as a plan without credentials): the command runs its
// own logic, on its real progress files, and no request leaves the
// process, whatever credentials the test's environment holds.
func offline(t *testing.T) cli.Opener {
	return func(ctx context.Context, o app.Options, a *config.Answers, oo app.OpenOptions) (*app.Session, error) {
		sess, err := app.Open(ctx, o, a, oo)
		if err != nil {
			return nil, err
		}
		sess.Run.Offline, sess.Run.AWS.Offline = true, true
		return sess, nil
	}
}

// inDir runs one command line in-process on the project dir (--dir dir is
// added; an --answers FILE that is relative is taken in dir, as the binary
// run there would), with deps and empty stdin.
func inDir(t *testing.T, dir string, d cli.Deps, args ...string) result {
	t.Helper()
	args = append([]string(nil), args...)
	for i := range args {
		if args[i] == "--answers" && i+1 < len(args) && !filepath.IsAbs(args[i+1]) {
			args[i+1] = filepath.Join(dir, args[i+1])
		}
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args = append([]string{args[0], "--dir", dir}, args[1:]...)
	} else {
		args = append([]string{"--dir", dir}, args...)
	}
	var out, errw bytes.Buffer
	if p, ok := d.Prompter.(*person); ok && p.transcript == nil {
		p.transcript = &errw
	}
	code := cli.Main(args, strings.NewReader(""), &out, &errw, d)
	return result{code, out.String(), errw.String()}
}

// noFile fails the test when path (in dir) exists.
func noFile(t *testing.T, dir, path, why string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, path)); err == nil {
		t.Errorf("%s was written %s", path, why)
	}
}
