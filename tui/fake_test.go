package tui

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/nextsteps"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// fakeEngine plans and applies the real step list without AWS: every step
// plans one action and succeeds, unless told to fail.
type fakeEngine struct {
	mu      sync.Mutex
	saved   map[string]*state.Progress
	status  map[string]string
	fail    map[string]int // step → failures left
	taken   map[string]bool
	answers *config.Answers
	applied []string
	opened  []string
	fresh   bool
	// stable replaces the steps' prose (why, departures), which changes
	// often, with fixed text: golden files hold the layout, not the prose.
	stable     bool
	herokuRuns int
	// region is the region the AWS configuration names (AWS_REGION).
	region string
	// accounts are the accounts of AWS profiles ("" the default
	// credentials, 123456789012 when not listed).
	accounts map[string]string
}

func newFake() *fakeEngine {
	return &fakeEngine{saved: map[string]*state.Progress{}, status: map[string]string{}, fail: map[string]int{}, taken: map[string]bool{}}
}

func (f *fakeEngine) Project() (*djangoapp.Project, error) {
	return &djangoapp.Project{Dir: "/srv/mon-app", ManagePy: "/srv/mon-app/manage.py", SettingsModule: "mysite.settings",
		DjangoVersion: "5.1.4", VersionSource: "requirements.txt"}, nil
}

func (f *fakeEngine) Identity(_ context.Context, profile string) (Identity, error) {
	acct := cmp.Or(f.accounts[profile], "123456789012")
	return Identity{Account: acct, ARN: "arn:aws:iam::" + acct + ":user/admin", Region: "us-east-1", ConfiguredRegion: f.region}, nil
}

func (f *fakeEngine) Envs() []string {
	var out []string
	for e := range f.saved {
		out = append(out, e)
	}
	return out
}

func (f *fakeEngine) Saved(env string) (*state.Progress, error) {
	if p, ok := f.saved[env]; ok {
		return p, nil
	}
	return state.New(env), nil
}

func (f *fakeEngine) Answers(env string, resume bool) (*config.Answers, error) {
	a := &config.Answers{Set: map[string]bool{}}
	if p, ok := f.saved[env]; ok && resume && p.Answers() != nil {
		a.Merge(p.Answers())
	}
	a.Env, a.Set["env"] = env, true
	return a, nil
}

func (f *fakeEngine) Open(_ context.Context, a *config.Answers, fresh bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		return err
	}
	f.answers, f.fresh = a, fresh
	f.opened = append(f.opened, a.Env)
	if p, ok := f.saved[a.Env]; ok && !fresh {
		for id, s := range p.Steps() {
			f.status[id] = s.Status
		}
	}
	if fresh || a.Env == "prod" {
		if a.Env == "prod" {
			f.status = map[string]string{}
		}
	}
	return nil
}

func (f *fakeEngine) Steps() []*steps.Step {
	list := steps.All()
	if !f.stable {
		return list
	}
	for i, s := range list {
		c := *s
		c.Why = "A stable stand-in for why " + s.ID + " matters, long enough to be folded to one line on a narrow terminal and unfolded with the ? key."
		if len(s.Departures) > 0 {
			c.Departures = []string{"A stable stand-in for where the wizard departs from the guide, and why, also long enough to be folded on narrow terminals."}
		}
		list[i] = &c
	}
	return list
}

func (f *fakeEngine) Status(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.status[id]; ok {
		return s
	}
	return state.Pending
}

func (f *fakeEngine) plan(s *steps.Step) *steps.Plan {
	p := &steps.Plan{}
	switch s.ID {
	case "bucket":
		p.Add(&steps.Action{Summary: fmt.Sprintf("create bucket %s in %s (ACLs disabled)", f.answers.Bucket, f.answers.Region), Calls: []string{"s3:CreateBucket"}})
	case "access-key":
		p.Add(&steps.Action{Summary: "create an access key for " + f.answers.IAMUser + " and write it to .env (mode 0600)", Calls: []string{"iam:CreateAccessKey"}, Files: []string{".env"}})
	default:
		p.Add(&steps.Action{Summary: "do " + s.ID, Calls: []string{"svc:" + s.ID}})
	}
	return p
}

func (f *fakeEngine) Plan(_ context.Context, s *steps.Step, report func(steps.Event)) (*steps.Plan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if report != nil {
		report(steps.Event{Kind: engine.EvCall, Step: s.ID, Text: "s3:HeadBucket"})
	}
	return f.plan(s), nil
}

func (f *fakeEngine) Apply(_ context.Context, s *steps.Step, report func(steps.Event)) ([]steps.Check, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !s.IsEnabled(f.answers) {
		f.status[s.ID] = state.Skipped
		return nil, nil
	}
	for _, a := range f.plan(s).Actions {
		report(steps.Event{Kind: engine.EvAction, Step: s.ID, Text: a.Summary})
		for _, c := range a.Calls {
			report(steps.Event{Kind: engine.EvCall, Step: s.ID, Text: c})
		}
	}
	if f.fail[s.ID] > 0 {
		f.fail[s.ID]--
		f.status[s.ID] = state.Failed
		return nil, fmt.Errorf("step %s: AccessDenied on s3:CreateBucket: your IAM identity lacks s3:CreateBucket; ask an admin to grant it, then retry", s.ID)
	}
	f.applied = append(f.applied, s.ID)
	f.status[s.ID] = state.Done
	return []steps.Check{steps.Pass(steps.CheckID(s.ID), s.Title, "live")}, nil
}

func (f *fakeEngine) Skip(s *steps.Step) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status[s.ID] = state.Skipped
	return nil
}

func (f *fakeEngine) BucketAvailability(_ context.Context, _, _, name, _ string) (app.Availability, error) {
	if f.taken[name] {
		return app.Availability{Text: name + " is taken by another AWS account (bucket names are global): try " + name + "-2", Blocks: true}, nil
	}
	return app.Availability{}, nil
}

// The fake has no env file: the provider's keys are never missing (the
// live engine's are tested against MinIO, provided_test.go).
func (f *fakeEngine) ProvidedKeysMissing(*config.Answers) (bool, error) { return false, nil }

func (f *fakeEngine) SaveProvidedKeys(*config.Answers, string, string) error { return nil }

func (f *fakeEngine) EnvFilePath() string { return "/srv/mon-app/.env" }

func (f *fakeEngine) NextSteps() []nextsteps.Step {
	return []nextsteps.Step{
		{Text: "Copy the generated settings next to mysite/settings.py:", Lines: []string{"cp .s3wizard/django_settings.py mysite/s3wizard_settings.py"}},
		{Text: "Import them at the end of mysite/settings.py:", Lines: []string{"from .s3wizard_settings import *  # noqa: E402,F401,F403"}},
		{Text: `Add "storages" to INSTALLED_APPS.`, Done: true},
		{Text: "Pin the packages in requirements.txt:", Lines: []string{"django-storages[s3]>=1.13", "boto3"}},
		{Text: "Write the hand-off document for whoever runs the app:", Lines: []string{"s3wizard docs --env " + f.answers.Env}},
		{Text: "Rotate the access key AKIA…XYZ by 2027-03-01 (every 90 days):", Lines: []string{"s3wizard rotate-keys --env " + f.answers.Env}},
	}
}

func (f *fakeEngine) CanRunHeroku() bool { return f.answers.HerokuApp != "" }

func (f *fakeEngine) RunHeroku(context.Context) (string, error) {
	f.herokuRuns++
	return "$ heroku config:set … --app " + f.answers.HerokuApp + "\nSetting config vars and restarting " + f.answers.HerokuApp + "... done", nil
}
func (f *fakeEngine) Close() error { return nil }

// pump drives a model the way tea.Program does, without a terminal: each
// message goes through Update, the commands it returns run concurrently
// and their messages are fed back. settle waits for every command to
// report (no timing guess); timers that only animate (spinner, cursor
// blink) are never started, so it ends.
type pump struct {
	t       *testing.T
	m       *model
	msgs    chan tea.Msg
	pending int
	quit    bool
}

func newPump(t *testing.T, eng Engine) *pump {
	t.Helper()
	p := &pump{t: t, msgs: make(chan tea.Msg, 1024)}
	p.m = newModel(context.Background(), eng, "/srv/mon-app", "")
	p.m.availDelay = 5 * time.Millisecond
	p.m.width, p.m.height = 110, 40
	p.exec(p.m.Init())
	p.settle()
	return p
}

var cmdType = reflect.TypeOf((tea.Cmd)(nil))

// animation tells the commands that only redraw (spinner frames, cursor
// blinks): they would keep a settled model busy forever.
func animation(cmd tea.Cmd) bool {
	n := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
	return strings.Contains(n, "bubbles/spinner") || strings.Contains(n, "bubbles/cursor") ||
		strings.Contains(n, "bubbletea.Tick") || strings.Contains(n, "bubbletea.Every")
}

func (p *pump) exec(cmd tea.Cmd) {
	if cmd == nil || animation(cmd) {
		return
	}
	p.pending++
	go func() { p.msgs <- cmd() }()
}

func (p *pump) handle(msg tea.Msg) {
	if msg == nil {
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		for i := 0; i < v.Len(); i++ {
			p.exec(v.Index(i).Interface().(tea.Cmd))
		}
		return
	}
	switch msg.(type) {
	case spinner.TickMsg:
		return
	case tea.QuitMsg:
		p.quit = true
		return
	}
	if strings.Contains(reflect.TypeOf(msg).String(), "Blink") {
		return
	}
	_, cmd := p.m.Update(msg)
	p.exec(cmd)
}

// next handles one message from a running command.
func (p *pump) next(deadline <-chan time.Time) {
	p.t.Helper()
	select {
	case msg := <-p.msgs:
		p.pending--
		p.handle(msg)
	case <-deadline:
		p.t.Fatalf("timed out with %d command(s) still running:\n%s", p.pending, p.view())
	}
}

// settle runs commands until none is left.
func (p *pump) settle() {
	p.t.Helper()
	deadline := time.After(60 * time.Second)
	for p.pending > 0 {
		p.next(deadline)
	}
}

// settleFor processes messages until cond holds (live AWS calls take a
// while), then until the model is quiet.
func (p *pump) settleFor(cond func() bool) {
	p.t.Helper()
	deadline := time.After(60 * time.Second)
	for !cond() {
		p.next(deadline)
	}
	p.settle()
}

// walkTo answers with defaults and applies every plan until the screen
// shows text (a question further on).
func (p *pump) walkTo(text string) {
	p.t.Helper()
	for i := 0; i < 100 && !strings.Contains(p.view(), text); i++ {
		if p.m.phase == phConfirm {
			p.key("y")
		} else {
			p.key("enter")
		}
	}
	p.requireView(text)
}

// key sends keys: names like "enter", "tab", "esc", "ctrl+c", "up",
// "down"; anything else is typed as runes.
func (p *pump) key(keys ...string) {
	p.t.Helper()
	for _, k := range keys {
		p.handle(keyMsg(k))
		p.settle()
	}
}

// typeText types s one rune at a time, as a user would.
func (p *pump) typeText(s string) {
	for _, r := range s {
		p.handle(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	p.settle()
}

func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "esc": tea.KeyEsc,
		"ctrl+c": tea.KeyCtrlC, "up": tea.KeyUp, "down": tea.KeyDown, "backspace": tea.KeyBackspace,
		"ctrl+u": tea.KeyCtrlU, "left": tea.KeyLeft, "right": tea.KeyRight,
	}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func (p *pump) view() string { return p.m.View() }

func (p *pump) requireView(want ...string) {
	p.t.Helper()
	v := p.view()
	for _, w := range want {
		if !strings.Contains(v, w) {
			p.t.Fatalf("view lacks %q:\n%s", w, v)
		}
	}
}

// savedProgress is env's progress as an earlier run left it: answers a, and
// the steps done.
func savedProgress(env string, a *config.Answers, done ...string) *state.Progress {
	p := state.New(env)
	p.SetAnswers(a)
	for _, id := range done {
		p.PutStep(id, state.StepState{Status: state.Done})
	}
	return p
}
