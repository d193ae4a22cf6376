package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// styles are built lazily from the default renderer, which Run points at
// the TUI's output (stderr) and its colour profile (NO_COLOR → ASCII).
var styles struct {
	title, dim, ok, bad, warn, cursor, note, sidebar, header lipgloss.Style
}

func init() { initStyles() }

func initStyles() {
	styles.title = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12"))
	styles.dim = lipgloss.NewStyle().Faint(true)
	styles.ok = lipgloss.NewStyle().Foreground(lipgloss.Color("10"))
	styles.bad = lipgloss.NewStyle().Foreground(lipgloss.Color("9")).Bold(true)
	styles.warn = lipgloss.NewStyle().Foreground(lipgloss.Color("11"))
	styles.cursor = lipgloss.NewStyle().Foreground(lipgloss.Color("13")).Bold(true)
	styles.note = lipgloss.NewStyle().Foreground(lipgloss.Color("14"))
	styles.sidebar = lipgloss.NewStyle().Width(sidebarWidth).PaddingRight(1).
		Border(lipgloss.NormalBorder(), false, true, false, false)
	styles.header = lipgloss.NewStyle().Bold(true)
}

const sidebarWidth = 28

func (m *model) mainWidth() int { return max(30, m.width-sidebarWidth-4) }

func (m *model) View() string {
	if m.quitting {
		return ""
	}
	header := styles.header.Render("s3wizard") + styles.dim.Render(" · "+m.headerInfo())
	var main string
	if m.help {
		main = helpText
	} else {
		main = m.mainView()
	}
	main = lipgloss.NewStyle().Width(m.mainWidth()).Render(main)
	side := m.sidebar()
	// The sidebar's rule runs the full height of the page.
	side = styles.sidebar.Height(max(lipgloss.Height(side), lipgloss.Height(main))).Render(side)
	body := lipgloss.JoinHorizontal(lipgloss.Top, side, " ", main)
	footer := styles.dim.Render(m.footer())
	return header + "\n\n" + body + "\n\n" + footer
}

const helpText = `Keys
  ↑/↓, tab      move between choices and fields
  enter         choose / next field / submit
  shift+tab     previous field
  esc           back (to the questions, or the start screen)
  y             apply the plan shown
  r / s         retry / skip a failed step (skip only where it is safe)
  p             after staging: set up prod
  ?             this help
  ctrl+c        quit; progress is saved after every step (run s3wizard again to resume)`

func (m *model) headerInfo() string {
	parts := []string{"env " + m.env}
	if m.identity != nil {
		parts = append(parts, "account "+m.identity.Account)
	}
	if m.answers != nil && m.answers.Region != "" {
		parts = append(parts, m.answers.Region)
	}
	return strings.Join(parts, " · ")
}

func (m *model) footer() string {
	switch m.phase {
	case phAsk:
		return "enter next · shift+tab previous · esc back · ctrl+c quit (progress kept)"
	case phEnv:
		return "enter confirm · esc back · ctrl+c quit"
	case phResult:
		return "enter next step · q quit · ? help"
	case phFailed:
		if m.canSkip() {
			return "r retry · s skip · q quit · ? help"
		}
		return "r retry · q quit · ? help"
	}
	return "↑/↓ move · enter choose · esc back · ? help · ctrl+c quit (progress kept)"
}

// stepStatus is what the sidebar shows for step i.
func (m *model) stepStatus(i int) string {
	s := m.list[i]
	inRun := m.phase != phStart && m.phase != phEnv
	if inRun && i == m.cur && m.phase != phDone {
		if m.phase == phFailed {
			return state.Failed
		}
		return "current"
	}
	if m.answers != nil && !s.IsEnabled(m.answers) {
		return state.Skipped
	}
	switch {
	case m.opened && !(m.fresh && i >= m.cur):
		return m.eng.Status(s.ID)
	case !m.opened && m.review:
		return state.Pending
	case m.saved != nil && !m.fresh:
		if st, ok := m.saved.Steps[s.ID]; ok {
			return st.Status
		}
	}
	return state.Pending
}

var marks = map[string]string{
	state.Done: "✓", "current": ">", state.Pending: "·", state.Failed: "✗", state.Skipped: "–",
}

func (m *model) sidebar() string {
	var b strings.Builder
	b.WriteString(styles.title.Render("Steps") + "\n")
	for i, s := range m.list {
		st := m.stepStatus(i)
		line := fmt.Sprintf("%s %s", marks[st], truncate(s.Title, sidebarWidth-2))
		switch st {
		case state.Done:
			line = styles.ok.Render(line)
		case "current":
			line = styles.cursor.Render(line)
		case state.Failed:
			line = styles.bad.Render(line)
		case state.Skipped, state.Pending:
			line = styles.dim.Render(line)
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n" + styles.dim.Render("✓ done > current · pending\n✗ failed – skipped"))
	return b.String()
}

func (m *model) mainView() string {
	switch m.phase {
	case phStart:
		return m.startView()
	case phEnv:
		v := styles.title.Render("Switch environment") + "\n\n" + "Environment name (lowercase letters, digits, dashes):\n" + m.envInput.View()
		if m.formErr != "" {
			v += "\n" + styles.bad.Render(m.formErr)
		}
		return v
	case phDone:
		return m.doneView()
	}
	return m.stepView()
}

func (m *model) startView() string {
	var b strings.Builder
	b.WriteString(styles.title.Render("Django project") + "\n")
	switch {
	case m.projErr != nil:
		b.WriteString(styles.bad.Render("  "+m.projErr.Error()) + "\n")
	case m.project == nil:
		b.WriteString("  " + m.spin.View() + " looking for manage.py…\n")
	default:
		p := m.project
		b.WriteString("  manage.py  " + p.ManagePy + "\n")
		if p.SettingsModule != "" {
			b.WriteString("  settings   " + p.SettingsModule + "\n")
		} else {
			b.WriteString("  settings   " + styles.warn.Render("DJANGO_SETTINGS_MODULE not found in manage.py") + "\n")
		}
		v := p.DjangoVersion
		if v == "" {
			v = "unknown"
		}
		b.WriteString("  Django     " + v + styles.dim.Render(" ("+p.VersionSource+")") + "\n")
		for _, n := range p.Notes {
			b.WriteString("  " + styles.warn.Render(n) + "\n")
		}
	}
	b.WriteString("\n" + styles.title.Render("AWS identity") + "\n")
	switch {
	case m.idErr != nil:
		b.WriteString(styles.bad.Render("  "+m.idErr.Error()) + "\n")
	case m.identity == nil:
		b.WriteString("  " + m.spin.View() + " sts:GetCallerIdentity…\n")
	default:
		b.WriteString("  account    " + m.identity.Account + "\n")
		b.WriteString("  as         " + m.identity.ARN + "\n")
		b.WriteString("  region     " + m.identity.Region + styles.dim.Render(" (default; you choose the bucket's)") + "\n")
		if strings.HasSuffix(m.identity.ARN, ":root") {
			b.WriteString("  " + styles.warn.Render("these are the account's root credentials: prefer an admin IAM user or SSO") + "\n")
		}
	}
	b.WriteString("\n" + styles.title.Render("Environment "+m.env) + "\n")
	if m.saved != nil && len(m.saved.Steps) > 0 {
		done := 0
		for _, s := range m.list {
			if st, ok := m.saved.Steps[s.ID]; ok && (st.Status == state.Done || st.Status == state.Skipped) {
				done++
			}
		}
		b.WriteString(fmt.Sprintf("  saved progress: %d of %d steps done\n", done, len(m.list)))
	} else {
		b.WriteString("  no saved progress\n")
	}
	var others []string
	for _, e := range m.eng.Envs() {
		if e != m.env {
			others = append(others, e)
		}
	}
	if len(others) > 0 {
		b.WriteString("  other envs with progress: " + strings.Join(others, ", ") + "\n")
	}
	b.WriteString("\n" + styles.dim.Render("Nothing changes in AWS until you confirm a step's plan.") + "\n\n")
	b.WriteString(m.menu.view())
	return b.String()
}

func (m *model) stepView() string {
	if m.cur >= len(m.list) {
		return ""
	}
	s := m.list[m.cur]
	var b strings.Builder
	b.WriteString(styles.title.Render(fmt.Sprintf("Step %d/%d · %s", m.cur+1, len(m.list), s.Title)))
	if s.Guide != "" {
		b.WriteString(styles.dim.Render("  (guide: " + s.Guide + ")"))
	}
	b.WriteString("\n")
	if s.Why != "" {
		b.WriteString("Why: " + s.Why + "\n")
	}
	for _, d := range s.Departures {
		b.WriteString(styles.note.Render("Departs from the guide: "+d) + "\n")
	}
	b.WriteString("\n")
	switch m.phase {
	case phAsk:
		if m.form != nil {
			b.WriteString(m.form.form.View())
		}
		if m.avail.name != "" && m.form != nil {
			if m.avail.checking {
				b.WriteString("\n" + m.spin.View() + " checking " + m.avail.name + " (s3:HeadBucket)…")
			} else if m.avail.text != "" {
				st := styles.ok
				if !strings.HasPrefix(m.avail.text, "✓") {
					st = styles.warn
				}
				b.WriteString("\n" + st.Render(m.avail.text))
			}
		}
		if m.formErr != "" {
			b.WriteString("\n" + styles.bad.Render(m.formErr))
		}
	case phPlanning:
		b.WriteString(m.spin.View() + " Planning: reading the live state…")
		if n := len(m.calls); n > 0 {
			b.WriteString(" " + m.calls[n-1])
		}
	case phConfirm:
		b.WriteString(m.planView())
		b.WriteString("\n" + m.menu.view())
	case phApplying:
		for _, a := range m.actions {
			b.WriteString("  • " + a + "\n")
		}
		b.WriteString(m.spin.View() + " Applying")
		if n := len(m.calls); n > 0 {
			b.WriteString(": " + m.calls[n-1])
		}
		b.WriteString("\n")
	case phResult:
		b.WriteString(m.resultView())
	case phFailed:
		b.WriteString(m.checksView())
		b.WriteString(styles.bad.Render("✗ This step failed") + "\n")
		if m.stepErr != nil {
			b.WriteString(m.stepErr.Error() + "\n")
		}
		b.WriteString("\n" + styles.dim.Render("Fix what the message says (here or in AWS), then retry. Progress up to here is saved.") + "\n\n")
		b.WriteString(m.menu.view())
	}
	return b.String()
}

func (m *model) planView() string {
	var b strings.Builder
	p := m.plan
	if p.Empty() {
		b.WriteString("Nothing to change: applying verifies the live state and records the step as done.\n")
	} else {
		b.WriteString(styles.title.Render("Plan") + "\n")
		for i, a := range p.Actions {
			b.WriteString(fmt.Sprintf("  %d. %s\n", i+1, a.Summary))
			if len(a.Calls) > 0 {
				b.WriteString(styles.dim.Render("     AWS: "+strings.Join(a.Calls, ", ")) + "\n")
			}
			if len(a.Files) > 0 {
				b.WriteString(styles.dim.Render("     files: "+strings.Join(a.Files, ", ")) + "\n")
			}
		}
	}
	if p != nil {
		for _, n := range p.Notices {
			b.WriteString("  i " + n + "\n")
		}
		for _, w := range p.Warnings {
			b.WriteString(styles.warn.Render("  ! "+w) + "\n")
		}
	}
	b.WriteString("\nApply this step? (y)\n")
	return b.String()
}

func (m *model) checksView() string {
	if len(m.checks) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(styles.title.Render("Live verification") + "\n")
	for _, c := range m.checks {
		b.WriteString("  " + checkLine(c) + "\n")
	}
	return b.String() + "\n"
}

func checkLine(c steps.Check) string {
	line := c.Name
	if c.Detail != "" {
		line += ": " + c.Detail
	}
	switch {
	case c.Skipped:
		return styles.dim.Render("– " + line + " (not checked)")
	case c.OK:
		return styles.ok.Render("✓ " + line)
	}
	return styles.bad.Render("✗ " + line)
}

func (m *model) resultView() string {
	s := m.list[m.cur]
	var b strings.Builder
	b.WriteString(styles.ok.Render("✓ "+s.Title+": done") + "\n\n")
	b.WriteString(m.checksView())
	if s.ID == "access-key" {
		b.WriteString(m.secretNote() + "\n")
	}
	b.WriteString("\nPress enter for the next step.")
	return b.String()
}

// secretNote says where the secret went; the secret itself is never shown.
func (m *model) secretNote() string {
	return "The secret access key was written to\n  " + m.eng.EnvFilePath() + "\n(mode 0600). It is never shown on screen."
}

func (m *model) doneView() string {
	var b strings.Builder
	b.WriteString(styles.ok.Render("✓ Environment "+m.answers.Env+" is set up") + "\n\n")
	for i, s := range m.list {
		b.WriteString(fmt.Sprintf("  %s %s\n", marks[m.stepStatus(i)], s.Title))
	}
	b.WriteString("\n  bucket     " + m.answers.Bucket + " (" + m.answers.Region + ")\n")
	if m.answers.Credentials == "access-keys" {
		b.WriteString("  IAM user   " + m.answers.IAMUser + "\n")
		b.WriteString("\n" + m.secretNote() + "\n")
	} else {
		b.WriteString("  role       " + m.answers.RoleName + "\n")
	}
	if m.offerProd() {
		b.WriteString("\nNext: prod, with the same answers and the names switched to prod (you review each).\n")
	}
	b.WriteString("\n" + m.menu.view())
	return b.String()
}

// truncate keeps a sidebar entry on one line.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexAny(cut, " :,("); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " :,(") + "…"
}
