package tui

import (
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// An env with every step done says so on the start screen: no "Resume
// where you left off" at 10/10.
func TestCompleteEnvSaysSo(t *testing.T) {
	f := newFake()
	almostDone(f)
	f.saved["staging"].PutStep("app-config", state.StepState{Status: state.Done})
	p := newPump(t, f)
	p.requireView("✓ complete: every step done (10 of 10)", "> Review the answers and verify every step again")
	if strings.Contains(p.view(), "Resume where you left off") {
		t.Fatalf("a complete env offers to resume:\n%s", p.view())
	}
	p.key("enter")
	if p.m.phase != phAsk || p.m.cur != 0 {
		t.Fatalf("review of a complete env: phase %d step %d:\n%s", p.m.phase, p.m.cur, p.view())
	}
}

// Staging finished while prod already has progress: prod is not offered
// to be set up again.
func TestNoProdOfferWhenProdExists(t *testing.T) {
	f := newFake()
	almostDone(f)
	f.saved["prod"] = savedProgress("prod", f.saved["staging"].Answers(), "preflight")
	p := newPump(t, f)
	p.key("enter") // resume staging
	p.answerDefaults()
	p.key("y", "enter")
	if p.m.phase != phDone {
		t.Fatalf("not done:\n%s", p.view())
	}
	p.requireView("prod has progress of its own")
	if strings.Contains(p.view(), "Set up prod now") {
		t.Fatalf("prod offered again:\n%s", p.view())
	}
}

// What stays in the terminal after the full screen: each finished env's
// "what now", every command on a line of its own (copied whole, never
// wrapped), and the env left unfinished named as such.
func TestExitSummaryKeepsWhatNowAndNamesTheEnvs(t *testing.T) {
	f := newFake()
	p := newPump(t, f)
	p.key("enter")
	for i := 0; i < 12 && p.m.phase != phDone; i++ {
		p.throughStep()
	}
	p.key("p") // prod, then quit at its first question
	p.requireView("env prod")
	p.key("ctrl+c")
	out := p.m.summary()
	for _, want := range []string{
		"s3wizard: environment staging is set up.\nWhat now for staging:\n",
		"\n       cp .s3wizard/django_settings.py mysite/s3wizard_settings.py\n",
		"\n       s3wizard rotate-keys --env staging\n",
		"Next: `s3wizard check --env staging`",
		"environment prod is not finished (stopped at step 1 of 10): run `s3wizard --env prod` to resume",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("exit summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "check --env prod") {
		t.Fatalf("the summary sends prod, unfinished, to check:\n%s", out)
	}
}

// The KMS key is asked only once sse-kms is chosen, right after it: never
// after SSE-S3.
func TestKMSKeyAskedOnlyAfterSSEKMS(t *testing.T) {
	toProtection := func(p *pump) {
		p.key("enter")
		p.walkTo("┃ Default encryption")
	}
	p := newPump(t, newFake())
	toProtection(p)
	if strings.Contains(p.view(), "KMS key ID") {
		t.Fatalf("the KMS key is asked with SSE-S3 chosen:\n%s", p.view())
	}
	p.answerDefaults()
	p.requireView("Plan")

	f := newFake()
	p = newPump(t, f)
	toProtection(p)
	p.key("down") // SSE-KMS
	for i := 0; i < 10 && p.m.phase == phAsk && !strings.Contains(p.view(), "┃ KMS key ID"); i++ {
		p.key("enter")
	}
	p.requireView("┃ KMS key ID")
	p.answerDefaults()
	p.requireView("Plan")
	if f.answers.Encryption != config.EncSSEKMS {
		t.Fatalf("encryption %q", f.answers.Encryption)
	}
}
