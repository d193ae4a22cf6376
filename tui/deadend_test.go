package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// A step refused (here the bucket step failing on the name typed) is not a
// dead end: b goes back to that step's questions with the refused answer
// offered for change and every other answer kept.
func TestFailedStepBackToItsQuestionsKeepsOtherAnswers(t *testing.T) {
	f := newFake()
	f.fail["bucket"] = 1
	p := newPump(t, f)
	p.key("enter")
	p.requireView("App name")
	p.key("ctrl+u")
	p.typeText("shop")
	p.answerDefaults()
	p.key("y", "enter")
	p.requireView("Bucket name")
	p.key("ctrl+u")
	p.typeText("shop-refused")
	p.answerDefaults()
	p.key("y")
	p.requireView("✗ This step failed", "Back to this step's questions")
	p.key("b")
	if p.m.phase != phAsk {
		t.Fatalf("b on a failed step: phase %d, want its questions:\n%s", p.m.phase, p.view())
	}
	p.requireView("Bucket name", "shop-refused")
	p.key("ctrl+u")
	p.typeText("shop-accepted")
	p.answerDefaults()
	p.requireView("create bucket shop-accepted")
	p.key("y")
	p.requireView("✓ Create the S3 bucket: done")
	if f.answers.App != "shop" || f.answers.Bucket != "shop-accepted" {
		t.Fatalf("answers after going back: app %q bucket %q", f.answers.App, f.answers.Bucket)
	}
}

// From a failed step, e lists the earlier steps (applied ones included,
// highlighted in the sidebar); choosing one reopens its questions with the
// answers kept, and the steps after it are planned again.
func TestFailedStepBackToAnEarlierAppliedStep(t *testing.T) {
	f := newFake()
	f.fail["layout"] = 1
	p := newPump(t, f)
	p.key("enter")
	p.throughStep() // preflight
	p.requireView("Bucket name")
	p.key("ctrl+u")
	p.typeText("shop-one")
	p.answerDefaults()
	p.key("y", "enter")
	p.answerDefaults() // layout
	p.key("y")
	p.requireView("✗ This step failed", "Change an earlier step's answers")
	p.key("e")
	if p.m.phase != phPick {
		t.Fatalf("e on a failed step: phase %d:\n%s", p.m.phase, p.view())
	}
	p.requireView("Back to which step's questions?", "Step 2 · Create the S3 bucket (applied", "▸ Create the S3 bucket")
	p.key("up")
	p.requireView("▸ Check your AWS identity")
	p.key("down", "enter")
	p.requireView("Step 2/10", "Bucket name", "shop-one")
	p.key("ctrl+u")
	p.typeText("shop-two")
	p.answerDefaults()
	p.requireView("create bucket shop-two")
	p.key("y", "enter")
	p.requireView("Step 3/10") // layout again, not skipped
	if f.answers.Bucket != "shop-two" || f.answers.App != "mon-app" {
		t.Fatalf("answers: %+v", f.answers)
	}
}

// Enter, pressed to get through the questions, never applies the plan: only
// y does.
func TestEnterOnThePlanNeverApplies(t *testing.T) {
	f := newFake()
	p := newPump(t, f)
	p.key("enter")
	p.answerDefaults()
	p.requireView("Plan", "Press y to apply")
	p.key("enter")
	if p.m.phase != phConfirm || len(f.applied) > 0 {
		t.Fatalf("enter on the plan applied it (phase %d, applied %v)", p.m.phase, f.applied)
	}
	p.requireView("Enter does not apply: press y")
	p.key("y")
	p.requireView("✓ Check your AWS identity: done")
}

// A resumed run shows the carried-over answers of each step not done yet
// before its plan, as an unbroken run asks them: a public prefix saved by
// the first run is never made public unseen.
func TestResumeReviewsCarriedOverAnswers(t *testing.T) {
	f := newFake()
	saved := &config.Answers{Env: "staging", App: "shop", Region: "eu-west-1", Credentials: config.CredAccessKeys,
		Bucket: "shop-media-staging", PublicPrefixes: []string{"media/avatars/"},
		Set: map[string]bool{"env": true, "app": true, "region": true, "credentials": true, "bucket": true, "public_prefixes": true}}
	f.saved["staging"] = savedProgress("staging", saved, "preflight", "bucket", "layout", "iam", "role", "access-key")
	p := newPump(t, f)
	p.key("enter") // Resume
	p.requireView("Step 7/10")
	if p.m.phase != phAsk {
		t.Fatalf("resumed step 7 went to phase %d without showing its answers:\n%s", p.m.phase, p.view())
	}
	p.requireView("media/avatars/")
	p.answerDefaults()
	p.requireView("Plan")
	if !slices.Equal(f.answers.PublicPrefixes, []string{"media/avatars/"}) || f.status["bucket"] != state.Done {
		t.Fatalf("resume lost answers or steps: %v %v", f.answers.PublicPrefixes, f.status)
	}
	if strings.Contains(strings.Join(f.applied, ","), "public") {
		t.Fatal("public applied before review")
	}
}

// A bucket name the live check flagged cannot be submitted: Enter keeps the
// question, the reason under the field.
func TestLiveCheckBlocksEnterOnAFlaggedName(t *testing.T) {
	f := newFake()
	f.taken["mon-app-taken"] = true
	p := newPump(t, f)
	p.key("enter")
	p.throughStep()
	p.key("ctrl+u")
	p.typeText("mon-app-taken")
	p.requireView("taken by another AWS account")
	p.key("enter")
	if p.m.phase != phAsk || p.m.form.index() != 0 {
		t.Fatalf("enter on a flagged name went on (phase %d):\n%s", p.m.phase, p.view())
	}
	p.requireView("┃ ✗ mon-app-taken is taken by another AWS account")
}

// A name derived from the answer being typed (the bucket from the app
// name) is checked at once: an app name that makes it too long is refused
// on its own question.
func TestDerivedNameCheckedWhenItsSourceIsTyped(t *testing.T) {
	p := newPump(t, newFake())
	p.key("enter")
	p.requireView("App name")
	p.key("ctrl+u")
	p.typeText(strings.Repeat("a", 50))
	p.key("enter")
	if p.m.phase != phAsk || p.m.form.index() != 0 {
		t.Fatalf("a too long derived bucket name went on (phase %d):\n%s", p.m.phase, p.view())
	}
	p.requireView("the bucket derived from it")
}

// A validation error stands under its field, on screen at 80x24, even in
// the protection step's tall form.
func TestValidationErrorUnderItsFieldAt80x24(t *testing.T) {
	p := newPump(t, newFake())
	p.m.width, p.m.height = 80, 24
	p.key("enter")
	p.walkTo("┃ Expire uploads/")
	p.key("ctrl+u")
	p.typeText("-1")
	p.key("enter")
	lines := strings.Split(p.view(), "\n")
	if len(lines) != 24 {
		t.Fatalf("%d lines at 80x24", len(lines))
	}
	for i, l := range lines {
		if strings.Contains(l, "┃ > -1") {
			if i+1 < len(lines) && strings.Contains(lines[i+1], "must be between 0 and 36500 days") {
				return
			}
		}
	}
	t.Fatalf("the error is not under its field at 80x24 (%d lines):\n%s", len(lines), p.view())
}

// In the region list, / filters, the footer says so, and esc clears the
// filter without leaving the question (huh's convention).
func TestEscInAListFilterClearsIt(t *testing.T) {
	p := newPump(t, newFake())
	p.key("enter")
	for i := 0; i < 5 && !strings.Contains(p.view(), "┃ AWS region"); i++ {
		p.key("enter")
	}
	p.requireView("┃ AWS region", "/ filter")
	p.key("/")
	p.typeText("sa-")
	p.requireView("sa-east-1", "esc clear filter")
	if strings.Contains(p.view(), "eu-west-1") {
		t.Fatalf("filter not applied:\n%s", p.view())
	}
	p.key("esc")
	if p.m.phase != phAsk || !strings.Contains(p.view(), "┃ AWS region") {
		t.Fatalf("esc in the filter left the question (phase %d):\n%s", p.m.phase, p.view())
	}
	if p.m.form.filtering() || !strings.Contains(p.view(), "af-south-1") {
		t.Fatalf("esc did not clear the filter:\n%s", p.view())
	}
	p.requireView("/ filter")
}

// The region offered follows the AWS configuration (AWS_REGION, the
// profile's region), not a fixed eu-west-3.
func TestRegionDefaultFollowsTheAWSConfiguration(t *testing.T) {
	f := newFake()
	f.region = "eu-central-1"
	p := newPump(t, f)
	p.key("enter")
	p.answerDefaults()
	if f.answers.Region != "eu-central-1" {
		t.Fatalf("region %q, want the configured eu-central-1", f.answers.Region)
	}
}
