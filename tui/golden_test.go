package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Golden files are rendered with the plain profile so they hold no escape
// sequences and do not depend on the terminal running the tests. Update
// them with `go test ./tui -run Golden -update`.
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	initStyles()
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

// program runs the model in a real Bubble Tea program (teatest) at w×h.
type program struct {
	t  *testing.T
	tm *teatest.TestModel
}

func newProgram(t *testing.T, f *fakeEngine, w, h int) *program {
	t.Helper()
	m := newModel(context.Background(), f, "/srv/mon-app", "")
	m.availDelay = 5 * time.Millisecond
	return &program{t: t, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))}
}

// waitFor waits until the program has drawn every one of texts.
func (p *program) waitFor(texts ...string) {
	p.t.Helper()
	var seen []byte
	teatest.WaitFor(p.t, p.tm.Output(), func(b []byte) bool {
		seen = append(seen, b...)
		for _, x := range texts {
			if !bytes.Contains(seen, []byte(x)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func (p *program) press(keys ...string) {
	for _, k := range keys {
		p.tm.Send(keyMsg(k))
	}
}

// screen stops the program and returns its last frame.
func (p *program) screen() string {
	p.t.Helper()
	if err := p.tm.Quit(); err != nil {
		p.t.Fatal(err)
	}
	return p.tm.FinalModel(p.t, teatest.WithFinalTimeout(5*time.Second)).(*model).View()
}

// The main screens at 80x24 and 120x40: the header (env, step n/N,
// account) is on the first line of each, the footer on the last, and a
// question's input is on screen.
func TestGolden(t *testing.T) {
	screens := []struct {
		name string
		fail string
		walk func(p *program)
		want []string
	}{
		{"start", "", func(p *program) {}, []string{"> Start"}},
		{"bucket-question", "", toBucketQuestion, []string{"> mon-app-media-staging", "step 2/10"}},
		{"bucket-plan", "", func(p *program) {
			toBucketQuestion(p)
			p.press("enter")
			p.waitFor("create bucket mon-app-media-staging")
		}, []string{"Apply this step?", "Press y to apply"}},
		{"bucket-result", "", func(p *program) {
			toBucketQuestion(p)
			p.press("enter")
			p.waitFor("create bucket mon-app-media-staging")
			p.press("y")
			p.waitFor("Create the S3 bucket: done")
		}, []string{"✓ Create the S3 bucket: done"}},
		{"bucket-failed", "bucket", func(p *program) {
			toBucketQuestion(p)
			p.press("enter")
			p.waitFor("create bucket mon-app-media-staging")
			p.press("y")
			p.waitFor("This step failed")
		}, []string{"AccessDenied on s3:CreateBucket", "> Retry"}},
		{"what-now", "done", toDone, []string{"What now", "s3wizard docs --env staging", "Set up prod now"}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				f := newFake()
				f.stable = true
				switch sc.fail {
				case "":
				case "done":
					almostDone(f)
				default:
					f.fail[sc.fail] = 1
				}
				p := newProgram(t, f, size[0], size[1])
				p.waitFor("123456789012", "> ")
				sc.walk(p)
				v := p.screen()
				lines := strings.Split(v, "\n")
				if len(lines) != size[1] {
					t.Errorf("%d lines, want %d", len(lines), size[1])
				}
				for i, l := range lines {
					if w := lipgloss.Width(l); w > size[0] {
						t.Errorf("line %d is %d wide (> %d): %q", i+1, w, size[0], l)
					}
				}
				if !strings.HasPrefix(lines[0], "s3wizard · env staging") || !strings.Contains(lines[0], "account 123456789012") {
					t.Errorf("header not on the first line: %q", lines[0])
				}
				if !strings.Contains(lines[len(lines)-1], "quit") {
					t.Errorf("footer not on the last line: %q", lines[len(lines)-1])
				}
				for _, w := range sc.want {
					if !strings.Contains(v, w) {
						t.Errorf("screen lacks %q", w)
					}
				}
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

func toBucketQuestion(p *program) {
	p.press("enter")
	p.waitFor("App name")
	p.press("enter", "enter", "enter")
	p.waitFor("do preflight")
	p.press("y")
	p.waitFor("Check your AWS identity: done")
	p.press("enter")
	p.waitFor("Bucket name", "is available")
}

// toDone resumes a run whose every step but the last is done and whose
// every answer is saved: the last step's answers are shown for review
// (enter keeps each; an enter too many on the plan does not apply it).
func toDone(p *program) {
	p.press("enter")
	p.waitFor("Step 10/10")
	p.press("enter", "enter", "enter", "enter")
	p.waitFor("do app-config")
	p.press("y")
	p.waitFor("Configure the Django app: done")
	p.press("enter")
	p.waitFor("What now")
}

// almostDone saves progress with every step done but app-config.
func almostDone(f *fakeEngine) {
	a := &config.Answers{Env: "staging", App: "mon-app", Region: "eu-west-3", Credentials: config.CredAccessKeys, Set: map[string]bool{}}
	prog := state.New("staging")
	prog.SetAnswers(a)
	for _, s := range steps.All() {
		for _, k := range append(s.Keys, gateKeys...) {
			a.Set[k] = true
		}
		if s.ID != "app-config" {
			prog.PutStep(s.ID, state.StepState{Status: state.Done})
		}
	}
	prog.PutStep("role", state.StepState{Status: state.Skipped})
	f.saved["staging"] = prog
}

// TestTeatestProgram quits a real Bubble Tea program with ctrl+c: the run
// ends cancelled and progress is kept.
func TestTeatestProgram(t *testing.T) {
	f := newFake()
	m := newModel(context.Background(), f, "/srv/mon-app", "")
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(110, 40))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("Start")) && bytes.Contains(b, []byte("123456789012"))
	}, teatest.WithDuration(5*time.Second))
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("App name")) },
		teatest.WithDuration(5*time.Second))
	tm.Send(tea.WindowSizeMsg{Width: 90, Height: 30})
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*model)
	if !errors.Is(fm.Err(), ErrCancelled) {
		t.Fatalf("Err() = %v", fm.Err())
	}
	if fm.width != 90 {
		t.Fatalf("resize not applied: width %d", fm.width)
	}
}
