package tui

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	"github.com/s3wizard/s3wizard/internal/motoserver"
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

func TestGoldenStart(t *testing.T) {
	p := newPump(t, newFake())
	golden.RequireEqual(t, []byte(p.view()))
}

func TestGoldenBucketQuestion(t *testing.T) {
	p := newPump(t, newFake())
	p.key("enter")
	p.throughStep()
	golden.RequireEqual(t, []byte(p.view()))
}

func TestGoldenPlan(t *testing.T) {
	p := newPump(t, newFake())
	p.key("enter")
	p.throughStep()
	p.answerDefaults()
	golden.RequireEqual(t, []byte(p.view()))
}

func TestGoldenFailed(t *testing.T) {
	f := newFake()
	f.fail["bucket"] = 1
	p := newPump(t, f)
	p.key("enter")
	p.throughStep()
	p.answerDefaults()
	p.key("y")
	golden.RequireEqual(t, []byte(p.view()))
}

func TestGoldenDone(t *testing.T) {
	p := newPump(t, newFake())
	p.key("enter")
	for i := 0; i < 12 && p.m.phase != phDone; i++ {
		p.throughStep()
	}
	golden.RequireEqual(t, []byte(p.view()))
}

// TestTeatestProgram runs the model in a real Bubble Tea program (teatest)
// and quits with ctrl+c: the run ends cancelled and progress is kept.
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
