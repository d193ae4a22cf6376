package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/s3wizard/s3wizard/state"
)

// requireFrame checks what every screen keeps: exactly the terminal's
// height, no line wider than it, the header first and the footer last.
func requireFrame(t *testing.T, p *pump, w, h int) {
	t.Helper()
	v := p.view()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines on a %d-line terminal:\n%s", len(lines), h, v)
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			t.Fatalf("line %d is %d wide on a %d-column terminal:\n%s", i+1, lipgloss.Width(l), w, v)
		}
	}
	if !strings.HasPrefix(lines[0], "s3wizard · env "+p.m.env) {
		t.Fatalf("header not on the first line:\n%s", v)
	}
	if !strings.Contains(lines[h-1], "quit") {
		t.Fatalf("footer not on the last line:\n%s", v)
	}
}

// Every question of a whole run, at 80x24 and 120x40: the focused
// question's title and its input, with the value offered (carried over or
// derived), are on screen, whatever its help's length; the header never
// scrolls away.
func TestEveryInputVisible(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		f := newFake()
		p := newPump(t, f)
		p.handle(tea.WindowSizeMsg{Width: w, Height: h})
		p.settle()
		requireFrame(t, p, w, h)
		p.key("enter")
		asked := 0
		for i := 0; i < 200 && p.m.phase != phDone; i++ {
			requireFrame(t, p, w, h)
			switch p.m.phase {
			case phAsk:
				fl := p.m.form.form.GetFocusedField()
				title := p.m.form.qs[p.m.form.index()].Title
				v := p.view()
				if !strings.Contains(v, title) {
					t.Fatalf("%dx%d: question %q not on screen:\n%s", w, h, title, v)
				}
				if in, ok := fl.(*huh.Input); ok {
					val := in.GetValue().(string)
					if !strings.Contains(v, "> "+val) {
						t.Fatalf("%dx%d: the input of %q (value %q) is not on screen:\n%s", w, h, title, val, v)
					}
				}
				asked++
				p.key("enter")
			case phConfirm:
				p.key("y")
			case phResult:
				p.key("enter")
			default:
				t.Fatalf("phase %d:\n%s", p.m.phase, p.view())
			}
		}
		if p.m.phase != phDone || asked < 15 {
			t.Fatalf("%dx%d: run not finished (%d questions):\n%s", w, h, asked, p.view())
		}
		requireFrame(t, p, w, h)
	}
}

// The prefix carried over from staging is shown in prod's question (the
// user typed it again when it was hidden, and got media/blog/media/blog/*).
func TestCarriedOverPrefixVisible(t *testing.T) {
	f := newFake()
	p := newPump(t, f)
	p.handle(tea.WindowSizeMsg{Width: 120, Height: 40})
	p.key("enter")
	for i := 0; i < 200 && p.m.phase != phDone; i++ {
		switch p.m.phase {
		case phAsk:
			if _, ok := p.m.form.texts["public_prefixes"]; ok && p.m.form.qs[p.m.form.index()].Key == "public_prefixes" {
				p.key("ctrl+u")
				p.typeText("media/blog/")
			}
			p.key("enter")
		case phConfirm:
			p.key("y")
		case phResult:
			p.key("enter")
		}
	}
	p.key("p") // prod, answers carried over and reviewed
	for i := 0; i < 200; i++ {
		if p.m.phase == phAsk && p.m.form.qs[p.m.form.index()].Key == "public_prefixes" {
			p.requireView("> media/blog/")
			return
		}
		switch p.m.phase {
		case phAsk, phResult:
			p.key("enter")
		case phConfirm:
			p.key("y")
		default:
			t.Fatalf("phase %d:\n%s", p.m.phase, p.view())
		}
	}
	t.Fatal("prod never asked public_prefixes")
}

// esc goes back one question; the footer offers only keys that work.
func TestEscAndFooterKeys(t *testing.T) {
	p := newPump(t, newFake())
	p.handle(tea.WindowSizeMsg{Width: 120, Height: 40})
	p.key("esc") // the first screen: esc does nothing (it used to quit)
	if p.quit || p.m.phase != phStart {
		t.Fatal("esc on the start screen quit or moved")
	}
	if strings.Contains(p.m.footerLine(), "esc") {
		t.Fatalf("footer offers esc on the start screen: %s", p.m.footerLine())
	}
	p.key("enter")
	if !strings.Contains(p.m.footerLine(), "esc back to the start") {
		t.Fatalf("first question: %s", p.m.footerLine())
	}
	p.key("enter") // app → region
	if p.m.form.index() != 1 || !strings.Contains(p.m.footerLine(), "esc previous question") {
		t.Fatalf("second question: index %d, footer %s", p.m.form.index(), p.m.footerLine())
	}
	p.key("esc")
	if p.m.phase != phAsk || p.m.form.index() != 0 {
		t.Fatalf("esc on the second question: phase %d index %d", p.m.phase, p.m.form.index())
	}
	p.answerDefaults()
	if f := p.m.footerLine(); !strings.Contains(f, "y apply") || strings.Contains(f, "esc back") {
		t.Fatalf("plan footer: %s", f)
	}
	p.key("y", "enter")
	// Step 2's first question: step 1 is applied, so esc has nowhere to go.
	if f := p.m.footerLine(); strings.Contains(f, "esc") {
		t.Fatalf("footer offers esc after an applied step: %s", f)
	}
	p.key("esc")
	if p.m.phase != phAsk || p.m.cur != 1 {
		t.Fatalf("esc moved: phase %d step %d", p.m.phase, p.m.cur)
	}
}

// The role step is not marked skipped before the credentials question is
// answered.
func TestSidebarSkipsOnlyAfterTheDecidingAnswer(t *testing.T) {
	p := newPump(t, newFake())
	p.handle(tea.WindowSizeMsg{Width: 120, Height: 40})
	p.key("enter")
	role := 0
	for i, s := range p.m.list {
		if s.ID == "role" {
			role = i
		}
	}
	if st := p.m.stepStatus(role); st != state.Pending {
		t.Fatalf("before the credentials answer the role step is %q", st)
	}
	p.answerDefaults()
	if st := p.m.stepStatus(role); st != state.Skipped {
		t.Fatalf("after choosing access keys the role step is %q", st)
	}
}

// The switch-environment input shows what is typed, not one character.
func TestSwitchEnvInputWidth(t *testing.T) {
	p := newPump(t, newFake())
	p.handle(tea.WindowSizeMsg{Width: 80, Height: 24})
	p.key("down", "enter")
	p.requireView("> prod") // the whole placeholder
	p.typeText("preprod-eu")
	p.requireView("> preprod-eu")
}

// ? unfolds "Why" and "Departs from the guide" in full, wrapped with a
// hanging indent; folded, each is one line.
func TestFoldAndHangingIndent(t *testing.T) {
	f := newFake()
	f.stable = true
	p := newPump(t, f)
	p.handle(tea.WindowSizeMsg{Width: 80, Height: 24})
	p.key("enter")
	p.throughStep()
	p.answerDefaults() // bucket: the plan (no text field focused)
	why := p.m.list[p.m.cur].Why
	if strings.Contains(p.view(), why[len(why)-20:]) {
		t.Fatal("the folded Why shows its end")
	}
	p.key("?")
	v := p.view()
	var whyLines []string
	for _, l := range strings.Split(v, "\n") {
		if strings.HasPrefix(l, "Why: ") || len(whyLines) > 0 && strings.HasPrefix(l, "     ") && len(whyLines) < 3 {
			whyLines = append(whyLines, strings.TrimRight(l, " "))
		}
	}
	if len(whyLines) < 2 || !strings.Contains(strings.Join(whyLines, " "), "unfolded with the ? key.") {
		t.Fatalf("Why not unfolded with a hanging indent:\n%s", v)
	}
	p.key("?")
	if strings.Contains(p.view(), "unfolded with the ? key.") {
		t.Fatal("? did not fold again")
	}
}

// The end of an env: numbered next steps, and the Heroku command offered
// (and run once) when an app is named.
func TestWhatNowOffersHeroku(t *testing.T) {
	f := newFake()
	almostDone(f)
	a := f.saved["staging"].Answers() // a copy: set it back
	a.HerokuApp = "mon-app-staging"
	f.saved["staging"].SetAnswers(a)
	p := newPump(t, f)
	p.handle(tea.WindowSizeMsg{Width: 120, Height: 40})
	p.key("enter") // resume
	p.answerDefaults()
	p.key("y", "enter")
	if p.m.phase != phDone {
		t.Fatalf("not done:\n%s", p.view())
	}
	p.requireView("What now", "  1. Copy the generated settings", "       cp .s3wizard/django_settings.py mysite/s3wizard_settings.py", `  3. ✓ done: Add "storages" to INSTALLED_APPS.`,
		"s3wizard docs --env staging", "Rotate the access key", "> Set the Heroku config vars now")
	p.key("enter")
	if f.herokuRuns != 1 {
		t.Fatalf("heroku ran %d times", f.herokuRuns)
	}
	p.requireView("Setting config vars and restarting mon-app-staging... done", "✓ Heroku config vars set.")
	if strings.Contains(p.view(), "Set the Heroku config vars now") {
		t.Fatal("the Heroku command is offered again after it ran")
	}
}
