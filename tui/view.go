package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/viewport"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// The screen is a fixed header (env, step n/N, account), a body and a fixed
// footer (the keys that work now). The body is the sidebar of steps (on
// terminals wide enough) and the main area: the step's heading (fixed), its
// content (scrolling in a viewport) and, at the bottom, what to choose.
const (
	sidebarWidth = 28
	// sidebarMin is the narrowest terminal that shows the sidebar; below it
	// the header's "step n/N" says where the run is.
	sidebarMin = 100
	// chrome is the header's and the footer's lines (text and rule each).
	chrome = 4
)

func (m *model) showSidebar() bool { return m.width >= sidebarMin }

// mainWidth is the main area's width: the sidebar takes sidebarWidth, its
// rule and one space.
func (m *model) mainWidth() int {
	if m.showSidebar() {
		return max(30, m.width-sidebarWidth-2)
	}
	return max(30, m.width)
}

func (m *model) bodyHeight() int { return max(6, m.height-chrome) }

func (m *model) View() string {
	if m.quitting {
		return ""
	}
	w, h := m.mainWidth(), m.bodyHeight()
	main := m.mainArea(w, h)
	body := main
	if m.showSidebar() {
		side := styles.sidebar.Height(h).MaxHeight(h).Render(m.sidebar())
		body = lipgloss.JoinHorizontal(lipgloss.Top, side, " ", main)
	}
	rule := styles.dim.Render(strings.Repeat("─", max(1, m.width)))
	return m.headerLine() + "\n" + rule + "\n" + body + "\n" + rule + "\n" + m.footerLine()
}

// headerLine: where am I (env, step, account, region), always visible.
func (m *model) headerLine() string {
	parts := []string{"env " + m.env}
	if m.inStep() {
		parts = append(parts, fmt.Sprintf("step %d/%d", m.cur+1, len(m.list)))
	}
	if m.identity != nil {
		parts = append(parts, "account "+m.identity.Account)
	}
	if m.answers != nil && m.answers.Region != "" {
		parts = append(parts, m.answers.Region)
	}
	line := styles.header.Render("s3wizard") + styles.dim.Render(" · ") + styles.title.Render(parts[0]) +
		styles.dim.Render(" · "+strings.Join(parts[1:], " · "))
	return ansi.Truncate(line, m.width, "…")
}

func (m *model) inStep() bool {
	switch m.phase {
	case phStart, phEnv, phDone:
		return false
	}
	return m.cur < len(m.list)
}

// mainArea is exactly h lines of width w: heading, scrolling content, bottom.
func (m *model) mainArea(w, h int) string {
	top, mid, bottom := m.parts(w)
	mh := h - height(top) - height(bottom)
	if m.phase == phAsk && m.form != nil {
		// The form sizes itself to the space left (sizeForm) and keeps
		// its focused field in view: it is not scrolled again here.
		mid = lipgloss.NewStyle().MaxHeight(max(1, mh)).Render(mid)
	} else {
		m.vp.Width, m.vp.Height = w, max(1, mh)
		m.vp.SetContent(mid)
		if m.phase == phApplying || m.phase == phPlanning {
			m.vp.GotoBottom() // follow the progress
		}
		mid = m.vp.View()
	}
	out := strings.Join(nonEmpty(top, mid, bottom), "\n")
	return lipgloss.NewStyle().Width(w).Height(h).MaxHeight(h).Render(out)
}

func height(s string) int {
	if s == "" {
		return 0
	}
	return lipgloss.Height(s)
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parts splits the current screen into its fixed heading, its scrolling
// content and its fixed bottom.
func (m *model) parts(w int) (top, mid, bottom string) {
	switch m.phase {
	case phStart:
		return "", m.startView(w), strings.TrimRight(m.menu.view(), "\n")
	case phEnv:
		return "", m.envSwitchView(w), ""
	case phDone:
		return "", m.doneView(w), strings.TrimRight(m.menu.view(), "\n")
	}
	if m.cur >= len(m.list) {
		return "", "", ""
	}
	top = m.stepHeading(w)
	switch m.phase {
	case phAsk:
		if m.form != nil {
			mid = m.form.view(w)
		}
		bottom = m.askNotes(w)
	case phPlanning:
		mid = m.spin.View() + " Planning: reading the live state…"
		if n := len(m.calls); n > 0 {
			mid += " " + m.calls[n-1]
		}
	case phConfirm:
		mid = m.planView(w)
		bottom = "Apply this step? Press y to apply."
		if m.hint != "" {
			bottom += "\n" + styles.warn.Render(m.hint)
		}
	case phPick:
		mid = hang("", "Back to which step's questions? The other answers are kept; an applied step, and the steps after it, are planned again with the new answers.", w, styles.plain)
		bottom = m.pick.view()
	case phApplying:
		mid = m.applyingView(w)
	case phResult:
		mid = m.resultView(w)
		bottom = "Press enter for the next step."
	case phFailed:
		mid = m.failedView(w)
		bottom = m.menu.view()
	}
	return top, mid, strings.TrimRight(bottom, "\n")
}

// envSwitchView: typing the name of another env.
func (m *model) envSwitchView(w int) string {
	v := styles.title.Render("Switch environment") + "\n\n" +
		hang("", "Environment name (lowercase letters, digits, dashes):", w, styles.plain) + "\n" + m.envInput.View()
	if m.formErr != "" {
		v += "\n" + hang("", m.formErr, w, styles.bad)
	}
	return v
}

// applyingView: the step's actions so far, and the call in flight.
func (m *model) applyingView(w int) string {
	var b strings.Builder
	for _, a := range m.actions {
		b.WriteString(hang("  • ", a, w, styles.plain) + "\n")
	}
	if m.interrupting {
		b.WriteString(hang("", "Interrupting: waiting for the AWS call in flight to end, to record the step as interrupted (ctrl+c again: quit now)…", w, styles.warn))
		return b.String()
	}
	b.WriteString(m.spin.View() + " Applying")
	if n := len(m.calls); n > 0 {
		b.WriteString(": " + m.calls[n-1])
	}
	return b.String()
}

// failedView: a failed step's checks and error.
func (m *model) failedView(w int) string {
	var b strings.Builder
	b.WriteString(m.checksView(w))
	b.WriteString(styles.bad.Render("✗ This step failed") + "\n")
	if m.stepErr != nil {
		b.WriteString(hang("", m.stepErr.Error(), w, styles.plain) + "\n")
	}
	b.WriteString("\n" + hang("", "Fix what the message says (in AWS, then retry; or change the answer: back to the questions). Progress up to here is saved.", w, styles.dim))
	return b.String()
}

// stepHeading is the step's title, its guide reference, and "Why" and
// "Departs from the guide" folded to one line each (? unfolds them).
func (m *model) stepHeading(w int) string {
	s := m.list[m.cur]
	var b strings.Builder
	title := styles.title.Render(fmt.Sprintf("Step %d/%d · %s", m.cur+1, len(m.list), s.Title))
	if s.Guide != "" {
		title += styles.dim.Render(" · " + s.Guide)
	}
	b.WriteString(ansi.Truncate(title, w, "…") + "\n")
	if s.Why != "" {
		b.WriteString(m.fold("Why: ", s.Why, w, styles.plain) + "\n")
	}
	switch n := len(s.Departures); {
	case n == 1 || (n > 1 && !m.more):
		label := "Departs from the guide: "
		if n > 1 {
			label = fmt.Sprintf("Departs from the guide (%d): ", n)
		}
		b.WriteString(m.fold(label, strings.Join(s.Departures, " · "), w, styles.note) + "\n")
	case n > 1:
		b.WriteString(styles.note.Render("Departs from the guide:") + "\n")
		for _, d := range s.Departures {
			b.WriteString(hang("  • ", d, w, styles.note) + "\n")
		}
	}
	return b.String()
}

// foldable reports whether the current step has text cut to one line.
func (m *model) foldable() bool {
	if !m.inStep() {
		return false
	}
	s, w := m.list[m.cur], m.mainWidth()
	return ansi.StringWidth("Why: "+s.Why) > w || len(s.Departures) > 1 ||
		len(s.Departures) == 1 && ansi.StringWidth("Departs from the guide: "+s.Departures[0]) > w
}

// fold is label+text on one line (cut with …), or in full with a hanging
// indent once unfolded.
func (m *model) fold(label, text string, w int, st lipgloss.Style) string {
	if m.more {
		return hang(label, text, w, st)
	}
	return st.Render(ansi.Truncate(label+text, w, "…"))
}

// hang wraps text to width w after prefix; continuation lines are indented
// by the prefix's width so they hang under the text, not under the prefix.
func hang(prefix, text string, w int, st lipgloss.Style) string {
	pw := ansi.StringWidth(prefix)
	lines := wrapWords(text, max(10, w-pw))
	for i, l := range lines {
		p := prefix
		if i > 0 {
			p = strings.Repeat(" ", pw)
		}
		lines[i] = st.Render(p + strings.TrimRight(l, " "))
	}
	return strings.Join(lines, "\n")
}

// wrapWords wraps plain text at spaces only, so that a command such as
// "rotate-keys --env staging" is never cut at its hyphens; a word longer
// than the width is cut.
func wrapWords(text string, w int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			for ansi.StringWidth(word) > w {
				if line != "" {
					out, line = append(out, line), ""
				}
				cut := ansi.Truncate(word, w, "")
				out, word = append(out, cut), word[len(cut):]
			}
			switch {
			case line == "":
				line = word
			case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
				line += " " + word
			default:
				out, line = append(out, line), word
			}
		}
		out = append(out, line)
	}
	return out
}

// askNotes are the live bucket-name check and the last answer error, under
// the form.
func (m *model) askNotes(w int) string {
	var out []string
	if m.avail.name != "" && m.form != nil {
		if m.avail.checking {
			out = append(out, m.spin.View()+" checking "+m.avail.name+" (s3:HeadBucket)…")
		} else if m.avail.text != "" {
			st := styles.ok
			if !strings.HasPrefix(m.avail.text, "✓") {
				st = styles.warn
			}
			out = append(out, hang("", m.avail.text, w, st))
		}
	}
	if m.formErr != "" {
		out = append(out, hang("", m.formErr, w, styles.bad))
	}
	return strings.Join(out, "\n")
}

// sizeForm gives the form the main area's width and the height left under
// the step's heading and above the notes, so a question whose help wraps
// still shows its input (huh sizes a group for 80 columns otherwise).
func (m *model) sizeForm() {
	if m.form == nil || m.phase != phAsk || m.cur >= len(m.list) {
		return
	}
	w := m.mainWidth()
	avail := m.bodyHeight() - height(m.stepHeading(w)) - height(m.askNotes(w))
	m.form.size(w, max(3, avail))
}

func (m *model) footerLine() string {
	keys := m.keys()
	switch {
	case m.foldable() && m.more:
		keys = append(keys, m.helpKey()+" less")
	case m.foldable():
		keys = append(keys, m.helpKey()+" more")
	case m.phase == phStart:
		keys = append(keys, "? help")
	}
	if m.phase != phAsk && m.vp.TotalLineCount() > m.vp.Height {
		keys = append(keys, "pgup/pgdn scroll")
	}
	if !slices.Contains(keys, "q quit") {
		keys = append(keys, "ctrl+c quit")
	}
	return styles.dim.Render(ansi.Truncate(strings.Join(keys, " · "), m.width, "…"))
}

// helpKey is ? except while typing in a text field, where ? is text.
func (m *model) helpKey() string {
	if m.phase == phAsk && m.form != nil && m.form.typing() {
		return "f1"
	}
	return "?"
}

// keys are the keys that do something in the current state, and only those.
func (m *model) keys() []string {
	switch m.phase {
	case phStart:
		return []string{"↑/↓ move", "enter choose"}
	case phEnv:
		return []string{"enter confirm", "esc back"}
	case phAsk:
		return m.askKeys()
	case phConfirm:
		k := []string{"y apply"}
		if m.hasQuestions(m.cur) {
			k = append(k, "esc questions")
		}
		if m.canPick() {
			k = append(k, "e earlier step")
		}
		return append(k, "q quit")
	case phPick:
		return []string{"↑/↓ move", "enter choose", "esc back"}
	case phResult:
		return []string{"enter next step", "q quit"}
	case phFailed:
		return m.failedKeys()
	case phDone:
		k := []string{"↑/↓ move", "enter choose"}
		if m.offerProd() {
			k = append(k, "p prod")
		}
		return append(k, "q quit")
	}
	return nil
}

// askKeys: the keys of a question, which depend on the field and on
// where esc leads.
func (m *model) askKeys() []string {
	k := []string{"enter next"}
	switch {
	case m.form != nil && m.form.filtering():
		return append(k, "esc clear filter")
	case m.form != nil && m.form.choosing():
		k = append(k, "/ filter")
	}
	if m.form != nil && m.form.index() > 0 {
		k = append(k, "esc previous question")
	} else if m.canLeaveStep() {
		k = append(k, "esc "+m.backLabel())
	}
	return k
}

// failedKeys: what a failed step offers.
func (m *model) failedKeys() []string {
	k := []string{"r retry"}
	if m.hasQuestions(m.cur) {
		k = append(k, "b questions")
	}
	if m.canPick() {
		k = append(k, "e earlier step")
	}
	if m.canSkip() {
		k = append(k, "s skip")
	}
	return append(k, "↑/↓ enter choose", "q quit")
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
	if m.answers != nil && !s.IsEnabled(m.answers) && m.decided() {
		return state.Skipped
	}
	return m.recordedStatus(i)
}

// recordedStatus is step i's status as recorded: by this run once it is
// open (a fresh start's steps from the current one on still pending), by
// the saved progress before.
func (m *model) recordedStatus(i int) string {
	s := m.list[i]
	switch {
	case m.opened && !(m.fresh && i >= m.cur):
		if st := m.eng.Status(s.ID); st != state.Skipped || m.decided() {
			return st
		}
		return state.Pending
	case !m.opened && m.review:
		return state.Pending
	case m.saved != nil && !m.fresh:
		return m.saved.Step(s.ID).Status
	}
	return state.Pending
}

// decided reports whether the answers that enable or skip steps are given:
// before that, the sidebar marks no step as skipped.
func (m *model) decided() bool {
	if m.answers == nil {
		return false
	}
	if m.review && !m.opened {
		return false // the carried-over answers are being reviewed
	}
	for _, k := range gateKeys {
		if !m.answers.Set[k] {
			return false
		}
	}
	return true
}

var marks = map[string]string{
	state.Done: "✓", "current": ">", state.Pending: "·", state.Failed: "✗", state.Skipped: "–", state.Interrupted: "‖",
}

func (m *model) sidebar() string {
	var b strings.Builder
	b.WriteString(styles.title.Render("Steps") + "\n")
	for i, s := range m.list {
		st := m.stepStatus(i)
		line := fmt.Sprintf("%s %s", marks[st], truncate(s.Title, sidebarWidth-3))
		if m.phase == phPick && len(m.pick.ids) > 0 && m.pick.ids[m.pick.cursor] == strconv.Itoa(i) {
			// The step whose questions enter goes back to.
			b.WriteString(styles.cursor.Render("▸"+line[len(marks[st]):]) + "\n")
			continue
		}
		switch st {
		case state.Done:
			line = styles.ok.Render(line)
		case "current":
			line = styles.cursor.Render(line)
		case state.Failed:
			line = styles.bad.Render(line)
		case state.Interrupted:
			line = styles.warn.Render(line)
		case state.Skipped, state.Pending:
			line = styles.dim.Render(line)
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n" + styles.dim.Render("✓ done > current · pending\n✗ failed – skipped\n‖ interrupted"))
	return b.String()
}

func (m *model) startView(w int) string {
	var b strings.Builder
	if m.more {
		b.WriteString(helpText + "\n\n")
	}
	b.WriteString(styles.title.Render("Django project") + "\n")
	b.WriteString(m.projectLines(w))
	b.WriteString("\n" + styles.title.Render("AWS identity") + "\n")
	b.WriteString(m.identityLines(w))
	b.WriteString("\n" + styles.title.Render("Environment "+m.env) + "\n")
	b.WriteString(m.envLines(w))
	b.WriteString("\n" + hang("", "Nothing changes in AWS until you confirm a step's plan.", w, styles.dim))
	return b.String()
}

// startRow is a labelled line of the start screen.
func startRow(label, value string, w int) string {
	return hang(fmt.Sprintf("  %-10s ", label), value, w, styles.plain) + "\n"
}

// projectLines: the Django project found (or why not).
func (m *model) projectLines(w int) string {
	switch {
	case m.projErr != nil:
		return hang("  ", m.projErr.Error(), w, styles.bad) + "\n"
	case m.project == nil:
		return "  " + m.spin.View() + " looking for manage.py…\n"
	}
	var b strings.Builder
	p := m.project
	b.WriteString(startRow("manage.py", p.ManagePy, w))
	if p.SettingsModule != "" {
		b.WriteString(startRow("settings", p.SettingsModule, w))
	} else {
		b.WriteString(hang("  settings   ", "DJANGO_SETTINGS_MODULE not found in manage.py", w, styles.warn) + "\n")
	}
	v := p.DjangoVersion
	if v == "" {
		v = "unknown"
	}
	b.WriteString(startRow("Django", v+" ("+p.VersionSource+")", w))
	for _, n := range p.Notes {
		b.WriteString(hang("  ", n, w, styles.warn) + "\n")
	}
	return b.String()
}

// identityLines: the AWS identity of the credentials (or why not).
func (m *model) identityLines(w int) string {
	switch {
	case m.idErr != nil:
		return hang("  ", m.idErr.Error(), w, styles.bad) + "\n"
	case m.identity == nil:
		return "  " + m.spin.View() + " sts:GetCallerIdentity…\n"
	}
	lines := startRow("account", m.identity.Account, w) +
		startRow("as", m.identity.ARN, w) +
		startRow("region", m.identity.Region+" (default; you choose the bucket's)", w)
	if strings.HasSuffix(m.identity.ARN, ":root") {
		lines += hang("  ", "these are the account's root credentials: prefer an admin IAM user or SSO", w, styles.warn) + "\n"
	}
	return lines
}

// envLines: the env's saved progress, and the other envs that have some.
func (m *model) envLines(w int) string {
	var b strings.Builder
	var saved map[string]state.StepState
	if m.saved != nil {
		saved = m.saved.Steps() // a copy, taken once
	}
	if len(saved) > 0 {
		done := 0
		for _, s := range m.list {
			if st, ok := saved[s.ID]; ok && (st.Status == state.Done || st.Status == state.Skipped) {
				done++
			}
		}
		if m.complete() {
			b.WriteString(styles.ok.Render(fmt.Sprintf("  ✓ complete: every step done (%d of %d)", done, len(m.list))) + "\n")
		} else {
			b.WriteString(fmt.Sprintf("  saved progress: %d of %d steps done\n", done, len(m.list)))
		}
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
		b.WriteString(hang("  ", "other envs with progress: "+strings.Join(others, ", "), w, styles.plain) + "\n")
	}
	return b.String()
}

const helpText = `Keys
  ↑/↓, tab      move between choices and fields
  enter         choose / next field / submit
  esc           previous question; from the first, back to the start
  y             apply the plan shown (enter never applies)
  b / e         back to this step's questions / to an earlier step's (answers kept)
  r / s         retry / skip a failed step (skip only where it is safe)
  p             after staging: set up prod
  ? (f1)        unfold "Why" and "Departs from the guide"; this help
  pgup/pgdn     scroll a long plan or result
  ctrl+c        quit; progress is saved after every step (run s3wizard again to resume)`

func (m *model) planView(w int) string {
	var b strings.Builder
	p := m.plan
	if p.Empty() {
		b.WriteString(hang("", "Nothing to change: applying verifies the live state and records the step as done.", w, styles.plain) + "\n")
	} else {
		b.WriteString(styles.title.Render("Plan") + "\n")
		for i, a := range p.Actions {
			b.WriteString(hang(fmt.Sprintf("  %d. ", i+1), a.Summary, w, styles.plain) + "\n")
			if len(a.Calls) > 0 {
				b.WriteString(hang("     AWS: ", strings.Join(a.Calls, ", "), w, styles.dim) + "\n")
			}
			if len(a.Files) > 0 {
				b.WriteString(hang("     files: ", strings.Join(a.Files, ", "), w, styles.dim) + "\n")
			}
		}
	}
	if p != nil {
		for _, n := range p.Notices {
			b.WriteString(hang("  i ", n, w, styles.plain) + "\n")
		}
		for _, x := range p.Warnings {
			b.WriteString(hang("  ! ", x, w, styles.warn) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func (m *model) checksView(w int) string {
	if len(m.checks) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(styles.title.Render("Live verification") + "\n")
	for _, c := range m.checks {
		b.WriteString(checkLine(c, w) + "\n")
	}
	return b.String() + "\n"
}

func checkLine(c steps.Check, w int) string {
	line := c.Name
	if c.Detail != "" {
		line += ": " + c.Detail
	}
	switch {
	case c.Skipped:
		return hang("  – ", line+" (not checked)", w, styles.dim)
	case c.OK:
		return hang("  ✓ ", line, w, styles.ok)
	}
	return hang("  ✗ ", line, w, styles.bad)
}

func (m *model) resultView(w int) string {
	s := m.list[m.cur]
	var b strings.Builder
	b.WriteString(styles.ok.Render("✓ "+s.Title+": done") + "\n\n")
	b.WriteString(m.checksView(w))
	if s.ID == "access-key" {
		b.WriteString(m.secretNote() + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// secretNote says where the secret went; the secret itself is never shown.
func (m *model) secretNote() string {
	return "The secret access key was written to\n  " + m.eng.EnvFilePath() + "\n(mode 0600). It is never shown on screen."
}

func (m *model) doneView(w int) string {
	var b strings.Builder
	b.WriteString(styles.ok.Render("✓ Environment "+m.answers.Env+" is set up") + "\n")
	b.WriteString("  bucket     " + m.answers.Bucket + " (" + m.answers.Region + ")\n")
	switch m.answers.Credentials {
	case config.CredAccessKeys:
		b.WriteString("  IAM user   " + m.answers.IAMUser + "\n")
		b.WriteString(hang("  ", "The secret access key is in "+m.eng.EnvFilePath()+" (mode 0600); it is never shown.", w, styles.plain) + "\n")
	case config.CredInstanceRole:
		b.WriteString("  role       " + m.answers.RoleName + "\n")
	case config.CredProvided:
		endpoint := m.answers.Endpoint
		if endpoint == "" {
			endpoint = config.EnvEndpoint()
		}
		b.WriteString("  endpoint   " + endpoint + "\n")
		b.WriteString(hang("  ", "Your provider's keys are in "+m.eng.EnvFilePath()+"; they are never shown.", w, styles.plain) + "\n")
	}
	if len(m.nextSteps) > 0 {
		b.WriteString("\n" + styles.title.Render("What now") + "\n")
		for i, n := range m.nextSteps {
			st, text := styles.plain, n.Text
			if n.Done {
				st, text = styles.ok, "✓ done: "+text
			}
			b.WriteString(hang(fmt.Sprintf("  %d. ", i+1), text, w, st) + "\n")
			for _, l := range n.Lines {
				// A command on a line of its own: cut, never wrapped
				// (the whole list is printed again on exit, unwrapped).
				b.WriteString(ansi.Truncate("       "+l, w, "…") + "\n")
			}
		}
	}
	if m.herokuOut != "" {
		b.WriteString("\n" + hang("", m.herokuOut, w, styles.plain) + "\n")
	}
	if m.offerProd() {
		b.WriteString("\n" + hang("", "Next: prod, with the same answers and the names switched to prod (you review each).", w, styles.plain) + "\n")
	} else if m.answers.Env == "staging" {
		b.WriteString("\n" + hang("", "prod has progress of its own: run s3wizard --env prod to see or resume it.", w, styles.plain) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
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

// newViewport is the main area's scrolling region (sized at each render).
func newViewport() viewport.Model {
	vp := viewport.New(80, 10)
	vp.KeyMap = viewport.KeyMap{} // scrolling keys are the model's (pgup/pgdn)
	return vp
}
