package tui

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/s3wizard/s3wizard/app"
)

// Against moto, prod typing the bucket staging's progress records: the
// live check says it belongs to env staging (not "available") and Enter
// refuses it on that field.
func TestLiveAnotherEnvsBucketIsNotAvailable(t *testing.T) {
	useMoto(t)
	dir := newProject(t)
	ctx := context.Background()
	eng := NewEngine(app.Options{Dir: dir, Env: "staging"})
	a, err := eng.Answers("staging", false)
	must(t, err)
	resumeAnswers(a)
	must(t, eng.Open(ctx, a, true)) // saves staging's answers: bucket mon-app-media-staging
	must(t, eng.Close())

	prod := NewEngine(app.Options{Dir: dir, Env: "prod"})
	t.Cleanup(func() { _ = prod.Close() })
	p := &pump{t: t, msgs: make(chan tea.Msg, 1024)}
	p.m = newModel(ctx, prod, dir, "prod")
	p.m.availDelay = 0
	p.m.width, p.m.height = 120, 40
	p.exec(p.m.Init())
	p.settle()
	p.key("enter") // Start
	p.answerDefaults()
	p.settleFor(func() bool { return p.m.phase != phPlanning })
	p.key("y")
	p.settleFor(func() bool { return p.m.phase != phApplying })
	p.key("enter")
	p.requireView("Bucket name")
	p.key("ctrl+u")
	p.typeText("mon-app-media-staging")
	p.settleFor(func() bool { return p.m.avail.text != "" })
	p.requireView("belongs to env staging of this project")
	p.key("enter")
	if p.m.phase != phAsk || p.m.form.index() != 0 {
		t.Fatalf("prod took staging's bucket (phase %d):\n%s", p.m.phase, p.view())
	}
	p.requireView("┃ ✗ mon-app-media-staging belongs to env staging")
}
