package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/nextsteps"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// phase is the screen the wizard is on.
type phase int

const (
	phStart    phase = iota // project, saved progress, identity; resume / start over / switch env
	phEnv                   // typing another env name
	phAsk                   // the current step's questions
	phPlanning              // waiting for the plan
	phConfirm               // plan shown: apply?
	phApplying              // running: spinner with the current AWS call
	phResult                // verification result
	phFailed                // error: retry / back to the questions / skip / quit
	phPick                  // choosing an earlier step whose answers to change
	phDone                  // every step done: summary, offer prod
)

// Messages: every side effect reports back as one of these.
type (
	projectMsg struct {
		p   *djangoapp.Project
		err error
	}
	identityMsg struct {
		profile string
		id      Identity
		err     error
	}
	savedMsg struct {
		env  string
		prog *state.Progress
		err  error
	}
	openedMsg struct{ err error }
	planMsg   struct {
		step string
		plan *steps.Plan
		err  error
	}
	appliedMsg struct {
		step   string
		checks []steps.Check
		err    error
	}
	skippedMsg struct{ err error }
	herokuMsg  struct {
		out string
		err error
	}
	availTick struct {
		seq  int
		name string
	}
	availMsg struct {
		seq  int
		name string
		av   app.Availability
		err  error
	}
)

// defaultAvailDelay debounces the live bucket-name check while the user
// types (model.availDelay; tests shorten it on their model).
const defaultAvailDelay = 400 * time.Millisecond

// model is the wizard's view state; the run itself lives in the Engine.
type model struct {
	ctx    context.Context
	cancel context.CancelFunc
	eng    Engine
	dir    string

	width, height int
	// more unfolds "Why" and "Departs from the guide" and shows the keys.
	more      bool
	vp        viewport.Model
	quitting  bool
	cancelled bool
	exitErr   error

	// start screen
	env      string
	envFlag  bool
	project  *djangoapp.Project
	projErr  error
	identity *Identity
	idErr    error
	// idProfile is the aws_profile answer the identity shown is asked
	// with ("" the default credentials); idAsked: it was asked for this env.
	idProfile string
	idAsked   bool
	saved     *state.Progress
	menu      menu
	envInput  textinput.Model

	// the run
	answers *config.Answers
	list    []*steps.Step
	cur     int
	fresh   bool
	review  bool
	// resumed: the run carries answers saved by an earlier run; each step
	// not done yet shows them for review before its plan, as an unbroken
	// run would have asked them.
	resumed bool
	// hint is a one-line reminder under the plan (enter does not apply).
	hint string
	// interrupting: ctrl+c during an apply; quit once the step is back.
	interrupting bool
	// asked are the keys the current step's forms asked: a question an
	// answer made relevant (the KMS key once sse-kms is chosen) follows.
	asked map[string]bool
	// pick lists the earlier steps whose answers can be changed (phPick).
	pick     menu
	pickFrom phase
	opened   bool
	phase    phase
	form     *answerForm
	formErr  string
	avail    struct {
		seq        int
		name, text string
		checking   bool
		// blocks: the name checked cannot be used (Enter refuses it).
		blocks bool
	}
	// availDelay debounces the live bucket-name check while the user types.
	availDelay time.Duration
	plan       *steps.Plan
	calls      []string // AWS calls of the current step, latest last
	actions    []string
	seq        int // the engine call whose events are shown
	checks     []steps.Check
	stepErr    error
	spin       spinner.Model
	finished   []string // envs completed in this session
	// the "what now" of a finished env, and the Heroku command's outcome
	nextSteps []nextsteps.Step
	// whatNow keeps each finished env's "what now", printed on exit.
	whatNow   map[string][]nextsteps.Step
	herokuOut string
}

func newModel(ctx context.Context, eng Engine, dir, env string) *model {
	ctx, cancel := context.WithCancel(ctx)
	m := &model{ctx: ctx, cancel: cancel, eng: eng, dir: dir, env: env, envFlag: env != "",
		spin: newSpinner(), vp: newViewport(), width: 100, height: 30, availDelay: defaultAvailDelay}
	if m.env == "" {
		m.env = "staging"
		if envs := eng.Envs(); len(envs) == 1 {
			m.env = envs[0]
		}
	}
	m.list = eng.Steps()
	m.envInput = textinput.New()
	m.envInput.Placeholder = "prod"
	m.envInput.CharLimit = 32
	// Width 0 would show one character of the placeholder.
	m.envInput.Width = m.envInput.CharLimit
	m.startMenu()
	return m
}

func (m *model) Init() tea.Cmd {
	return tea.Batch(m.detectCmd(), m.identityCmd(""), m.savedCmd(m.env), m.spin.Tick)
}

// ---- commands -------------------------------------------------------------

func (m *model) detectCmd() tea.Cmd {
	eng := m.eng
	return func() tea.Msg {
		p, err := eng.Project()
		return projectMsg{p, err}
	}
}

func (m *model) identityCmd(profile string) tea.Cmd {
	m.idProfile, m.idAsked = profile, true
	eng, ctx := m.eng, m.ctx
	return func() tea.Msg {
		id, err := eng.Identity(ctx, profile)
		return identityMsg{profile, id, err}
	}
}

// reprobe asks the identity again when the env's aws_profile answer is
// not the one the identity shown was asked with: the account shown (and
// its configured region offered) is the one the env's run will use.
func (m *model) reprobe(profile string) tea.Cmd {
	if profile == m.idProfile && m.idAsked {
		return nil
	}
	m.identity, m.idErr = nil, nil
	return m.identityCmd(profile)
}

func (m *model) savedCmd(env string) tea.Cmd {
	eng := m.eng
	return func() tea.Msg {
		p, err := eng.Saved(env)
		return savedMsg{env, p, err}
	}
}

func (m *model) openCmd() tea.Cmd {
	eng, ctx, a, fresh := m.eng, m.ctx, m.answers, m.fresh
	return func() tea.Msg { return openedMsg{eng.Open(ctx, a, fresh)} }
}

// eventMsg is one progress event of an engine call. seq names the call
// (one per plan or apply) so that events still queued from an earlier call
// are dropped, never shown under the next step.
type eventMsg struct {
	seq int
	ev  steps.Event
	ch  <-chan steps.Event
}

// listen waits for the next event of call seq; nil once its stream closed.
func listen(seq int, ch <-chan steps.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return nil
		}
		return eventMsg{seq, ev, ch}
	}
}

// eventStream carries one engine call's events to the model. It is closed
// when the call returns, which ends its listener; a report after that, or
// after the wizard quit, is dropped rather than blocking the engine.
type eventStream struct {
	mu     sync.Mutex
	ch     chan steps.Event
	closed bool
	done   <-chan struct{}
}

func (s *eventStream) report(e steps.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	select {
	case s.ch <- e:
	case <-s.done:
	}
}

func (s *eventStream) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
}

// engineCall runs call with a fresh event stream; the result message comes
// back after the stream is closed.
func (m *model) engineCall(call func(report func(steps.Event)) tea.Msg) tea.Cmd {
	m.seq++
	st := &eventStream{ch: make(chan steps.Event, 256), done: m.ctx.Done()}
	return tea.Batch(listen(m.seq, st.ch), func() tea.Msg {
		defer st.close()
		return call(st.report)
	})
}

func (m *model) planCmd() tea.Cmd {
	s := m.list[m.cur]
	eng, ctx := m.eng, m.ctx
	return m.engineCall(func(report func(steps.Event)) tea.Msg {
		p, err := eng.Plan(ctx, s, report)
		return planMsg{s.ID, p, err}
	})
}

func (m *model) applyCmd() tea.Cmd {
	s := m.list[m.cur]
	eng, ctx := m.eng, m.ctx
	return m.engineCall(func(report func(steps.Event)) tea.Msg {
		checks, err := eng.Apply(ctx, s, report)
		return appliedMsg{s.ID, checks, err}
	})
}

func (m *model) availCmd(seq int, name, region string) tea.Cmd {
	eng, ctx, env, appName := m.eng, m.ctx, m.env, m.app()
	return func() tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		av, err := eng.BucketAvailability(cctx, env, appName, name, region)
		return availMsg{seq, name, av, err}
	}
}

// ---- flow -----------------------------------------------------------------

func (m *model) startMenu() {
	if m.complete() {
		m.menu = newMenu("review", "Review the answers and verify every step again (changes only what differs)", "switch", "Switch environment", "quit", "Quit")
		return
	}
	if m.saved != nil && len(m.saved.Steps()) > 0 {
		m.menu = newMenu("resume", "Resume where you left off", "start over", "Start over (keeps what was created)", "switch", "Switch environment", "quit", "Quit")
	} else {
		m.menu = newMenu("start", "Start", "switch", "Switch environment", "quit", "Quit")
	}
}

// complete reports whether the env's saved progress has every step done
// (or skipped as not used).
func (m *model) complete() bool {
	if m.saved == nil || len(m.saved.Steps()) == 0 {
		return false
	}
	for _, s := range m.list {
		if st := m.saved.Step(s.ID).Status; st != state.Done && st != state.Skipped {
			return false
		}
	}
	return true
}

// begin leaves the start screen for the first step.
func (m *model) begin(resume bool) tea.Cmd {
	a, err := m.eng.Answers(m.env, resume)
	if err != nil {
		m.projErr = err
		return nil
	}
	m.answers, m.fresh, m.cur, m.opened = a, !resume, 0, false
	m.resumed = resume && m.saved != nil && len(m.saved.Steps()) > 0
	return m.enterStep()
}

// enterStep shows the current step: skipped when done (resuming) or not
// used with these answers, else its questions or straight its plan.
func (m *model) enterStep() tea.Cmd {
	m.plan, m.calls, m.actions, m.checks, m.stepErr, m.formErr, m.hint = nil, nil, nil, nil, nil, "", ""
	m.asked = nil
	for m.cur < len(m.list) {
		s := m.list[m.cur]
		if !m.fresh && !m.review && m.isDone(s.ID) {
			m.cur++
			continue
		}
		break
	}
	if m.cur >= len(m.list) {
		m.phase = phDone
		m.finished = append(m.finished, m.answers.Env)
		m.nextSteps, m.herokuOut = m.eng.NextSteps(), ""
		m.keepWhatNow()
		m.menu = m.doneMenu()
		return nil
	}
	if !m.list[m.cur].IsEnabled(m.answers) && m.opened {
		// Recorded as skipped by the engine; nothing to ask or confirm.
		m.phase = phApplying
		return m.applyCmd()
	}
	qs := questionsFor(m.list, m.cur, m.answers, m.review || m.resumed)
	if !m.list[m.cur].IsEnabled(m.answers) {
		qs = nil
	}
	if len(qs) == 0 {
		return m.startPlan()
	}
	m.form = m.questionsForm(qs)
	m.phase = phAsk
	m.avail.name, m.avail.text, m.avail.checking = "", "", false
	return tea.Batch(m.form.form.Init(), m.maybeCheckBucket())
}

// keepWhatNow records the finished env's "what now" for the exit summary.
func (m *model) keepWhatNow() {
	if m.whatNow == nil {
		m.whatNow = map[string][]nextsteps.Step{}
	}
	m.whatNow[m.answers.Env] = m.nextSteps
}

// isDone tells whether a step is recorded done: in the open run, or in
// the saved progress before the run is opened.
func (m *model) isDone(id string) bool {
	if m.opened {
		return m.eng.Status(id) == state.Done
	}
	return m.saved != nil && m.saved.Step(id).Status == state.Done
}

func (m *model) projectDir() string {
	if m.project != nil {
		return m.project.Dir
	}
	return m.dir
}

func (m *model) startPlan() tea.Cmd {
	if qs := followUps(m.answers); len(qs) > 0 {
		m.form = m.questionsForm(qs)
		m.phase = phAsk
		return m.form.form.Init()
	}
	// credentials: provided without the provider's keys in the env file:
	// they are asked (the secret masked) before anything is planned.
	missing, err := m.eng.ProvidedKeysMissing(m.answers)
	if err != nil {
		m.fail(err)
		return nil
	}
	if missing {
		m.form = newKeysForm(m.answers.EnvFile, false)
		m.phase = phAsk
		return m.form.form.Init()
	}
	m.phase = phPlanning
	if !m.opened {
		return m.openCmd()
	}
	return m.planCmd()
}

func (m *model) next() tea.Cmd {
	m.cur++
	m.fresh = false // a fresh start only resets the statuses once
	return m.enterStep()
}

// ---- update ---------------------------------------------------------------

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	before, step := m.phase, m.cur
	_, cmd := m.update(msg)
	if m.phase != before || m.cur != step {
		m.vp.GotoTop() // a new screen starts at its top
	}
	m.sizeForm()
	return m, cmd
}

func (m *model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tea.KeyMsg:
		return m.onKey(msg)
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case openedMsg, eventMsg, planMsg, appliedMsg, skippedMsg, herokuMsg:
		return m, m.onStepMsg(msg)
	case projectMsg, identityMsg, savedMsg, availTick, availMsg:
		return m, m.onProbeMsg(msg)
	}
	if m.phase == phAsk && m.form != nil {
		return m.updateForm(msg)
	}
	return m, nil
}

// onKey handles the keys that work on every screen (quit, help, paging)
// and hands the others to the screen's own keys.
func (m *model) onKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.String() == "ctrl+c" {
		m.cancel()
		if m.phase == phApplying && !m.interrupting {
			// The step's calls end with the context; the step comes
			// back recorded as interrupted (not failed), then the
			// wizard quits. A second ctrl+c does not wait.
			m.interrupting = true
			return m, nil
		}
		// Progress is saved after every step: quitting loses nothing.
		m.cancelled, m.quitting = true, true
		return m, tea.Quit
	}
	switch k := msg.String(); {
	case k == "f1" || k == "?" && m.phase != phEnv && !(m.phase == phAsk && m.form != nil && m.form.typing()):
		m.more = !m.more
		return m, nil
	case k == "pgdown" && m.phase != phAsk:
		m.vp.PageDown()
		return m, nil
	case k == "pgup" && m.phase != phAsk:
		m.vp.PageUp()
		return m, nil
	}
	return m.key(msg)
}

// onStepMsg handles what the run of the current step reports back: the
// run opened, its calls, its plan, its result, a skip, the Heroku
// hand-off.
func (m *model) onStepMsg(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openedMsg:
		return m.onOpened(msg)
	case eventMsg:
		if msg.seq == m.seq && m.cur < len(m.list) && msg.ev.Step == m.list[m.cur].ID {
			m.event(msg.ev)
		}
		return listen(msg.seq, msg.ch)
	case planMsg:
		return m.onPlan(msg)
	case appliedMsg:
		return m.onApplied(msg)
	case skippedMsg:
		if msg.err != nil {
			m.stepErr = msg.err
			return nil
		}
		return m.next()
	case herokuMsg:
		m.onHeroku(msg)
	}
	return nil
}

// onProbeMsg handles the answers of the probes run beside the questions:
// the Django project, the AWS identity, the env's saved progress, the live
// bucket-name check.
func (m *model) onProbeMsg(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case projectMsg:
		m.project, m.projErr = msg.p, msg.err
	case identityMsg:
		if msg.profile != m.idProfile {
			return nil // asked with a profile no longer the env's
		}
		if msg.err != nil {
			m.idErr = msg.err
		} else {
			m.identity = &msg.id
		}
	case savedMsg:
		return m.onSaved(msg)
	case availTick:
		if msg.seq != m.avail.seq || m.phase != phAsk {
			return nil
		}
		m.avail.checking = true
		return m.availCmd(msg.seq, msg.name, m.region())
	case availMsg:
		m.onAvail(msg)
	}
	return nil
}

// fail shows the current step's error and what can be done about it.
func (m *model) fail(err error) {
	m.stepErr = err
	m.phase = phFailed
	m.menu = m.failMenu()
}

func (m *model) onSaved(msg savedMsg) tea.Cmd {
	if msg.env != m.env {
		return nil
	}
	m.saved = msg.prog
	if msg.err != nil {
		m.projErr = msg.err
	}
	m.startMenu()
	profile := ""
	if msg.prog != nil && msg.prog.Answers() != nil {
		profile = msg.prog.Answers().AWSProfile
	}
	return m.reprobe(profile)
}

func (m *model) onOpened(msg openedMsg) tea.Cmd {
	if msg.err != nil {
		m.fail(msg.err)
		return nil
	}
	m.opened = true
	if !m.list[m.cur].IsEnabled(m.answers) {
		m.phase = phApplying
		return m.applyCmd()
	}
	return m.planCmd()
}

func (m *model) onPlan(msg planMsg) tea.Cmd {
	if m.phase != phPlanning || msg.step != m.list[m.cur].ID {
		return nil
	}
	if msg.err != nil {
		m.fail(msg.err)
		return nil
	}
	m.plan, m.phase, m.hint = msg.plan, phConfirm, ""
	return nil
}

func (m *model) onApplied(msg appliedMsg) tea.Cmd {
	if msg.step != m.list[m.cur].ID {
		return nil
	}
	if m.interrupting {
		m.cancelled, m.quitting = true, true
		return tea.Quit
	}
	m.checks = msg.checks
	if msg.err != nil {
		m.fail(msg.err)
		return nil
	}
	if !m.list[m.cur].IsEnabled(m.answers) {
		return m.next()
	}
	m.phase = phResult
	return nil
}

func (m *model) onHeroku(msg herokuMsg) {
	m.herokuOut = strings.TrimSpace(msg.out)
	if msg.err != nil {
		m.herokuOut += "\n" + msg.err.Error()
	} else {
		m.herokuOut += "\n✓ Heroku config vars set."
	}
	m.nextSteps = m.eng.NextSteps()
	m.keepWhatNow()
	m.menu = m.doneMenu()
}

func (m *model) onAvail(msg availMsg) {
	if msg.seq != m.avail.seq {
		return // a newer name is being typed
	}
	m.avail.checking, m.avail.blocks = false, msg.av.Blocks
	switch {
	case msg.err != nil:
		m.avail.text = "could not check availability: " + msg.err.Error()
	case msg.av.Text != "":
		m.avail.text = msg.av.Text
	default:
		m.avail.text = "✓ " + msg.name + " is available"
	}
}

// app is the app answer as typed (the project whose tags the live bucket
// check reads).
func (m *model) app() string {
	if m.form != nil {
		if a := m.form.value("app"); a != "" {
			return a
		}
	}
	if m.answers != nil {
		return m.answers.App
	}
	return ""
}

func (m *model) region() string {
	if m.form != nil {
		if r := m.form.value("region"); r != "" {
			return r
		}
	}
	if m.answers != nil && m.answers.Region != "" {
		return m.answers.Region
	}
	return "us-east-1"
}

func (m *model) event(e steps.Event) {
	switch e.Kind {
	case engine.EvCall:
		m.calls = append(m.calls, e.Text)
	case engine.EvAction:
		m.actions = append(m.actions, e.Text)
	}
}

// key handles a key on the current screen.
func (m *model) key(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch m.phase {
	case phStart:
		return m.startKey(msg)
	case phEnv:
		return m.envKey(msg)
	case phAsk:
		return m.askKey(msg)
	case phConfirm:
		return m.confirmKey(msg)
	case phResult:
		return m.resultKey(msg)
	case phPick:
		return m.pickKey(msg)
	case phFailed:
		return m.failedKey(msg)
	case phDone:
		return m.doneKey(msg)
	}
	return m, nil
}

// startKey: the start menu (resume, review, start over, switch env).
func (m *model) startKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.String() == "q" {
		return m.quit()
	}
	if choice, ok := m.menu.update(msg); ok {
		switch choice {
		case "resume":
			return m, m.begin(true)
		case "review":
			m.review = true // every step shown again, none skipped as done
			return m, m.begin(true)
		case "start", "start over":
			return m, m.begin(false)
		case "switch":
			m.phase = phEnv
			m.envInput.SetValue("")
			return m, m.envInput.Focus()
		case "quit":
			return m.quit()
		}
	}
	return m, nil
}

// envKey: typing the name of another env.
func (m *model) envKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "esc":
		m.phase = phStart
		return m, nil
	case "enter":
		v := strings.TrimSpace(m.envInput.Value())
		if err := config.QuestionsFor([]string{"env"})[0].Validate(v); err != nil {
			m.formErr = err.Error()
			return m, nil
		}
		m.env, m.saved, m.formErr, m.phase = v, nil, "", phStart
		m.startMenu()
		return m, m.savedCmd(v)
	}
	var cmd tea.Cmd
	m.envInput, cmd = m.envInput.Update(msg)
	return m, cmd
}

// askKey: the step's questions (the form has the keys but esc).
func (m *model) askKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := msg.String()
	if k == "esc" && m.form != nil && m.form.filtering() {
		// huh's esc first ends typing the filter, then clears it:
		// one esc clears it here, and never leaves the question.
		mm, cmd := m.updateForm(msg)
		if m.form != nil && m.form.filtering() {
			return m.updateForm(msg)
		}
		return mm, cmd
	}
	if k == "esc" {
		return m.escQuestion()
	}
	return m.updateForm(msg)
}

// confirmKey: the step's plan, waiting to be applied.
func (m *model) confirmKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	// Applying takes an explicit y: enter (pressed to get through the
	// questions) never applies a step by accident.
	switch msg.String() {
	case "y":
		return m.choose("apply")
	case "esc", "b":
		return m, m.backToQuestions()
	case "e":
		if m.canPick() {
			return m.choose("earlier")
		}
	case "q":
		return m.quit()
	case "enter", " ":
		m.hint = "Enter does not apply: press y to apply this step."
	}
	return m, nil
}

// resultKey: the step's verification.
func (m *model) resultKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "enter", " ", "n":
		return m, m.next()
	case "q":
		return m.quit()
	}
	return m, nil
}

// pickKey: choosing an earlier step to go back to.
func (m *model) pickKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.String() == "esc" {
		m.phase = m.pickFrom
		return m, nil
	}
	if choice, ok := m.pick.update(msg); ok {
		return m, m.toStep(choice)
	}
	return m, nil
}

// failedKey: a failed step (retry, back to its questions, an earlier step,
// skip, quit).
func (m *model) failedKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "r":
		return m.choose("retry")
	case "b", "esc":
		if m.hasQuestions(m.cur) {
			return m.choose("back")
		}
	case "e":
		if m.canPick() {
			return m.choose("earlier")
		}
	case "s":
		if m.canSkip() {
			return m.choose("skip")
		}
	case "q":
		return m.choose("quit")
	}
	if choice, ok := m.menu.update(msg); ok {
		return m.choose(choice)
	}
	return m, nil
}

// doneKey: every step done (what now, prod).
func (m *model) doneKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := msg.String()
	if k == "p" && m.offerProd() {
		return m.choose("prod")
	}
	if k == "q" {
		return m.quit()
	}
	if choice, ok := m.menu.update(msg); ok {
		return m.choose(choice)
	}
	return m, nil
}

func (m *model) choose(c string) (tea.Model, tea.Cmd) {
	switch c {
	case "apply":
		m.phase, m.calls, m.actions = phApplying, nil, nil
		return m, m.applyCmd()
	case "back":
		m.stepErr = nil
		return m, m.backToQuestions()
	case "earlier":
		m.pickFrom, m.phase = m.phase, phPick
		m.pick = m.pickMenu()
		return m, nil
	case "retry":
		m.stepErr = nil
		m.fresh = false
		return m, m.enterStep()
	case "skip":
		eng, s := m.eng, m.list[m.cur]
		return m, func() tea.Msg { return skippedMsg{eng.Skip(s)} }
	case "prod":
		m.answers = toProd(m.answers)
		// prod's profile may be another account's: asked again, its
		// identity is shown once answered (reprobe).
		m.identity, m.idErr, m.idAsked = nil, nil, false
		m.env, m.review, m.fresh, m.opened, m.cur = "prod", true, false, false, 0
		return m, m.enterStep()
	case "quit":
		if m.phase == phFailed && m.stepErr != nil {
			m.exitErr = m.stepErr
			m.quitting = true
			m.cancel()
			return m, tea.Quit
		}
		return m.quit()
	case "heroku":
		eng, ctx := m.eng, m.ctx
		m.herokuOut = "running heroku config:set…"
		return m, func() tea.Msg {
			out, err := eng.RunHeroku(ctx)
			return herokuMsg{out, err}
		}
	case "done":
		return m.quit()
	}
	return m, nil
}

// quit ends the wizard: before every step is done that is the user
// cancelling (exit 130, progress kept); after, a normal exit.
func (m *model) quit() (tea.Model, tea.Cmd) {
	m.quitting = true
	if m.phase != phDone {
		m.cancelled = true
	}
	m.cancel()
	return m, tea.Quit
}

// escQuestion goes back one question; from the first question of a step,
// back to the previous step if it is not applied yet, or to the start
// screen before anything is opened. Otherwise esc does nothing.
func (m *model) escQuestion() (tea.Model, tea.Cmd) {
	if m.form != nil && m.form.index() > 0 {
		return m, m.form.form.PrevField()
	}
	if !m.opened {
		// Before the run is opened, only the first step leads back (to
		// the start screen), as canLeaveStep says.
		if m.cur == 0 {
			m.phase, m.form = phStart, nil
		}
		return m, nil
	}
	prev := m.prevUnapplied()
	if prev < 0 {
		return m, nil
	}
	m.cur = prev
	return m, m.backToQuestions()
}

// canLeaveStep reports whether esc on a step's first question goes
// somewhere: the start screen before the run is opened, or an earlier step
// whose questions can still change (not applied yet).
func (m *model) canLeaveStep() bool {
	if !m.opened {
		return m.cur == 0
	}
	return m.prevUnapplied() >= 0
}

func (m *model) backLabel() string {
	if !m.opened {
		return "back to the start"
	}
	return "previous step"
}

// prevUnapplied is the nearest earlier step with questions that is not
// applied (done or skipped) in this run, or -1.
func (m *model) prevUnapplied() int {
	for i := m.cur - 1; i >= 0; i-- {
		switch m.eng.Status(m.list[i].ID) {
		case state.Done, state.Skipped:
			return -1
		}
		if len(questionsFor(m.list, i, m.answers, true)) > 0 {
			return i
		}
	}
	return -1
}

// unasked are the current step's questions that its answers just made
// relevant (asked after them, in a form of their own).
func (m *model) unasked() []config.Question {
	if m.cur >= len(m.list) || !m.list[m.cur].IsEnabled(m.answers) {
		return nil
	}
	var out []config.Question
	for _, q := range questionsFor(m.list, m.cur, m.answers, m.review || m.resumed) {
		if !m.asked[q.Key] && !slices.Contains(followUpKeys, q.Key) {
			out = append(out, q)
		}
	}
	return out
}

func (m *model) backToQuestions() tea.Cmd {
	m.asked = nil
	qs := questionsFor(m.list, m.cur, m.answers, true)
	if len(qs) == 0 {
		return nil
	}
	m.form = m.questionsForm(qs)
	m.phase, m.plan, m.hint = phAsk, nil, ""
	m.avail.name, m.avail.text, m.avail.checking = "", "", false
	return tea.Batch(m.form.form.Init(), m.maybeCheckBucket())
}

// hasQuestions reports whether step i has questions to go back to.
func (m *model) hasQuestions(i int) bool {
	return m.answers != nil && i < len(m.list) && len(questionsFor(m.list, i, m.answers, true)) > 0
}

// canPick reports whether an earlier step has answers that can change.
func (m *model) canPick() bool { return len(m.pickMenu().ids) > 0 }

// pickMenu lists the earlier steps with questions, applied or not: going
// back to one changes its answers, the others kept.
func (m *model) pickMenu() menu {
	var items []string
	for i := 0; i < m.cur && i < len(m.list); i++ {
		if !m.hasQuestions(i) {
			continue
		}
		l := fmt.Sprintf("Step %d · %s", i+1, m.list[i].Title)
		if m.opened && m.eng.Status(m.list[i].ID) == state.Done {
			l += " (applied)"
		}
		items = append(items, strconv.Itoa(i), l)
	}
	mn := newMenu(items...)
	mn.cursor = max(0, len(mn.ids)-1) // the nearest step first
	return mn
}

// toStep goes back to the questions of earlier step id (its index). The
// steps after it are walked again (done ones re-planned, not skipped), as
// their plans may depend on the answers changed.
func (m *model) toStep(id string) tea.Cmd {
	i, err := strconv.Atoi(id)
	if err != nil || i < 0 || i >= len(m.list) {
		return nil
	}
	if m.opened && m.eng.Status(m.list[i].ID) == state.Done {
		m.review = true
	}
	m.cur, m.stepErr, m.checks = i, nil, nil
	return m.backToQuestions()
}

func (m *model) canSkip() bool {
	return m.cur < len(m.list) && skippable(m.list, m.list[m.cur])
}

// failMenu: a failed step is never a dead end: its questions (the other
// answers kept) and an earlier step's are offered besides retry.
func (m *model) failMenu() menu {
	items := []string{"retry", "Retry"}
	if m.hasQuestions(m.cur) {
		items = append(items, "back", "Back to this step's questions (other answers kept)")
	}
	if m.canPick() {
		items = append(items, "earlier", "Change an earlier step's answers")
	}
	if m.canSkip() {
		items = append(items, "skip", "Skip this step")
	}
	return newMenu(append(items, "quit", "Quit (progress is kept)")...)
}

// offerProd: after staging, prod is offered unless it has progress of
// its own (then it is resumed with --env prod, not set up again).
func (m *model) offerProd() bool {
	return m.answers != nil && m.answers.Env == "staging" && !slices.Contains(m.eng.Envs(), "prod")
}

func (m *model) doneMenu() menu {
	var items []string
	if m.herokuOut == "" && m.eng.CanRunHeroku() {
		items = append(items, "heroku", "Set the Heroku config vars now (one restart; through the Heroku Platform API, the secret on no command line)")
	}
	if m.offerProd() {
		items = append(items, "prod", "Set up prod now (answers carried over)")
	}
	return newMenu(append(items, "done", "Quit")...)
}

func (m *model) updateForm(msg tea.Msg) (tea.Model, tea.Cmd) {
	before := m.form.value("bucket")
	fm, cmd := m.form.form.Update(msg)
	if f, ok := fm.(*huh.Form); ok {
		m.form.form = f
	}
	cmds := []tea.Cmd{cmd}
	if m.form.value("bucket") != before {
		cmds = append(cmds, m.maybeCheckBucket())
	}
	switch m.form.form.State {
	case huh.StateCompleted:
		if m.form.providerKeys {
			id, secret := m.form.take()
			m.form = nil
			if err := m.eng.SaveProvidedKeys(m.answers, id, secret); err != nil {
				m.formErr = err.Error()
			} else {
				m.formErr = ""
			}
			return m, m.startPlan()
		}
		if err := m.form.apply(m.answers); err != nil {
			m.formErr = err.Error()
			return m, m.backToQuestions()
		}
		m.form = nil
		// The env's profile just answered (prod's, asked again) is the
		// identity shown.
		probe := m.reprobe(m.answers.AWSProfile)
		if more := m.unasked(); len(more) > 0 {
			m.form = m.questionsForm(more)
			return m, tea.Batch(probe, m.form.form.Init())
		}
		return m, tea.Batch(probe, m.startPlan())
	case huh.StateAborted:
		return m.quit()
	}
	return m, tea.Batch(cmds...)
}

// offers are the values offered from outside the answers.
func (m *model) offers() offers {
	o := offers{app: appFromDir(m.projectDir())}
	if m.identity != nil {
		o.region = m.identity.ConfiguredRegion
	}
	return o
}

// questionsForm is the form of qs, its bucket name refused on Enter once
// the live check flagged it (with the check's reason).
func (m *model) questionsForm(qs []config.Question) *answerForm {
	f := newAnswerForm(qs, m.answers, m.offers(), false)
	if m.asked == nil {
		m.asked = map[string]bool{}
	}
	for _, q := range qs {
		m.asked[q.Key] = true
	}
	f.live["bucket"] = func(name string) error {
		if m.avail.blocks && m.avail.name == name && !m.avail.checking {
			return errors.New(m.avail.text)
		}
		return nil
	}
	return f
}

// maybeCheckBucket schedules the live availability check of the bucket
// name being typed; a newer keystroke supersedes it.
func (m *model) maybeCheckBucket() tea.Cmd {
	if m.form == nil {
		return nil
	}
	if _, ok := m.form.texts["bucket"]; !ok {
		return nil
	}
	if m.answers != nil && m.answers.IsProvided() {
		return nil // the probe asks AWS, not the provider
	}
	name := m.form.value("bucket")
	m.avail.seq++
	m.avail.name, m.avail.text, m.avail.checking, m.avail.blocks = name, "", false, false
	if config.ValidateBucketName(name) != nil {
		return nil // the rule is shown by the field itself
	}
	seq, delay, done := m.avail.seq, m.availDelay, m.ctx.Done()
	return func() tea.Msg {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-done:
		}
		return availTick{seq, name}
	}
}

// ---- results ----------------------------------------------------------------

// Err is the outcome of the wizard once the program ended.
func (m *model) Err() error {
	if m.cancelled {
		return ErrCancelled
	}
	return m.exitErr
}

// ---- menu -------------------------------------------------------------------

// menu is a short vertical choice list (arrows / tab / enter).
type menu struct {
	ids, labels []string
	cursor      int
}

func newMenu(pairs ...string) menu {
	var mn menu
	for i := 0; i+1 < len(pairs); i += 2 {
		mn.ids = append(mn.ids, pairs[i])
		mn.labels = append(mn.labels, pairs[i+1])
	}
	return mn
}

func (mn *menu) update(msg tea.KeyMsg) (string, bool) {
	switch msg.String() {
	case "up", "k", "shift+tab":
		mn.cursor = (mn.cursor + len(mn.ids) - 1) % max(1, len(mn.ids))
	case "down", "j", "tab":
		mn.cursor = (mn.cursor + 1) % max(1, len(mn.ids))
	case "enter":
		if len(mn.ids) > 0 {
			return mn.ids[mn.cursor], true
		}
	}
	return "", false
}

func (mn menu) view() string {
	var b strings.Builder
	for i, l := range mn.labels {
		if i == mn.cursor {
			b.WriteString(styles.cursor.Render("> " + l))
		} else {
			b.WriteString("  " + l)
		}
		b.WriteString("\n")
	}
	return b.String()
}
