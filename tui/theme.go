package tui

import (
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
)

// palette is the wizard's one set of colours: the lipgloss styles and the
// huh theme of the questions are both built from it.
var palette = struct {
	accent, ok, bad, warn, note, cursor, muted, text lipgloss.TerminalColor
}{
	accent: lipgloss.Color("12"), // titles, focused field
	ok:     lipgloss.Color("10"),
	bad:    lipgloss.Color("9"),
	warn:   lipgloss.Color("11"),
	note:   lipgloss.Color("14"), // departures from the guide
	cursor: lipgloss.Color("13"), // the current choice, the current step
	muted:  lipgloss.Color("8"),
	text:   lipgloss.NoColor{},
}

// styles are built from the default renderer, which Run points at the
// TUI's output (stderr) and its colour profile (NO_COLOR → ASCII).
var styles struct {
	title, dim, ok, bad, warn, cursor, note, sidebar, header, plain lipgloss.Style
	form                                                            *huh.Theme
}

func init() { initStyles() }

func initStyles() {
	styles.title = lipgloss.NewStyle().Bold(true).Foreground(palette.accent)
	styles.dim = lipgloss.NewStyle().Faint(true)
	styles.ok = lipgloss.NewStyle().Foreground(palette.ok)
	styles.bad = lipgloss.NewStyle().Foreground(palette.bad).Bold(true)
	styles.warn = lipgloss.NewStyle().Foreground(palette.warn)
	styles.cursor = lipgloss.NewStyle().Foreground(palette.cursor).Bold(true)
	styles.note = lipgloss.NewStyle().Foreground(palette.note)
	styles.sidebar = lipgloss.NewStyle().Width(sidebarWidth).PaddingRight(1).
		Border(lipgloss.NormalBorder(), false, true, false, false).BorderForeground(palette.muted)
	styles.header = lipgloss.NewStyle().Bold(true)
	styles.plain = lipgloss.NewStyle()
	styles.form = formTheme()
}

// formTheme is huh's base theme in the wizard's palette.
func formTheme() *huh.Theme {
	t := huh.ThemeBase()
	f := &t.Focused
	f.Base = f.Base.BorderForeground(palette.accent)
	f.Card = f.Base
	f.Title = f.Title.Foreground(palette.accent).Bold(true)
	f.NoteTitle = f.NoteTitle.Foreground(palette.accent).Bold(true)
	f.Description = f.Description.Faint(true)
	f.ErrorIndicator = f.ErrorIndicator.Foreground(palette.bad)
	f.ErrorMessage = f.ErrorMessage.Foreground(palette.bad).Bold(true)
	f.SelectSelector = f.SelectSelector.Foreground(palette.cursor).Bold(true)
	f.NextIndicator = f.NextIndicator.Foreground(palette.cursor)
	f.PrevIndicator = f.PrevIndicator.Foreground(palette.cursor)
	f.Option = f.Option.Foreground(palette.text)
	f.SelectedOption = f.SelectedOption.Foreground(palette.ok)
	// The chosen button is marked in text too: without colour (--no-color,
	// NO_COLOR) the background alone would not show which one is chosen.
	f.FocusedButton = f.FocusedButton.Foreground(lipgloss.Color("0")).Background(palette.cursor).
		Transform(func(s string) string { return "[" + s + "]" })
	f.Next = f.FocusedButton
	f.BlurredButton = f.BlurredButton.Foreground(palette.text).Background(lipgloss.NoColor{}).
		Transform(func(s string) string { return " " + s + " " })
	f.TextInput.Cursor = f.TextInput.Cursor.Foreground(palette.cursor)
	f.TextInput.Placeholder = f.TextInput.Placeholder.Foreground(palette.muted)
	f.TextInput.Prompt = f.TextInput.Prompt.Foreground(palette.cursor)
	t.Blurred = t.Focused
	t.Blurred.Base = t.Focused.Base.BorderStyle(lipgloss.HiddenBorder())
	t.Blurred.Card = t.Blurred.Base
	t.Blurred.Title = t.Blurred.Title.Foreground(palette.muted).Bold(false)
	t.Blurred.NextIndicator = lipgloss.NewStyle()
	t.Blurred.PrevIndicator = lipgloss.NewStyle()
	return t
}

// newSpinner is a braille dot, not an ASCII line, in the palette.
func newSpinner() spinner.Model {
	return spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(lipgloss.NewStyle().Foreground(palette.cursor)))
}
