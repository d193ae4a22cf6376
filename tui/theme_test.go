package tui

import (
	"strings"
	"testing"
)

// One look: the questions (huh) use the same colours as the rest of the
// screen, and the spinner is not an ASCII line.
func TestOnePalette(t *testing.T) {
	th := styles.form
	pairs := []struct {
		name      string
		huh, ours any
	}{
		{"focused title", th.Focused.Title.GetForeground(), styles.title.GetForeground()},
		{"error", th.Focused.ErrorMessage.GetForeground(), styles.bad.GetForeground()},
		{"selector", th.Focused.SelectSelector.GetForeground(), styles.cursor.GetForeground()},
		{"selected option", th.Focused.SelectedOption.GetForeground(), styles.ok.GetForeground()},
		{"focused border", th.Focused.Base.GetBorderLeftForeground(), styles.title.GetForeground()},
	}
	for _, p := range pairs {
		if p.huh != p.ours {
			t.Errorf("%s: the form uses %v, the screen %v", p.name, p.huh, p.ours)
		}
	}
	m := newModel(t.Context(), newFake(), "/srv/mon-app", "staging")
	for _, fr := range m.spin.Spinner.Frames {
		if strings.ContainsAny(fr, `|/-\`) {
			t.Errorf("spinner frame %q is an ASCII line", fr)
		}
	}
}

// Without colour (the tests' ASCII profile, as with --no-color) the
// chosen Yes/No button is still visible: it is marked.
func TestNoColorConfirmShowsTheChoice(t *testing.T) {
	p := newPump(t, newFake())
	p.key("enter")
	p.walkTo("┃ Turn on versioning?")
	p.requireView("[Yes]", " No ")
	p.key("right")
	p.requireView("[No]", " Yes ")
}
