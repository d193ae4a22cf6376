package tui

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// --accessible through a pipe that ends right after a bad answer, at each
// kind of question the line mode asks (a choice after a failure or on
// resume, a yes/no, a typed answer, a list question): the run ends as
// cancelled ("input ended"), nothing applied or skipped on the bad answer,
// and no panic (huh's line-mode select indexed its options with the bad
// answer once input ended).
func TestAccessibleInputEndingAfterABadAnswer(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(accessibleStagingInput(), "\n"), "\n")
	// lines[:30]: every answer up to monitoring's "y" (its plan applied).
	upToMonitoring := strings.Join(lines[:30], "\n") + "\n"
	before := []string{"preflight", "bucket", "layout", "iam", "access-key", "public", "protection"}
	for _, c := range []struct {
		name, in string
		fail     string   // the step that fails
		resume   bool     // staging has saved progress
		applied  []string // the steps applied before input ended
	}{
		{name: "what now: a word", in: upToMonitoring + "n\n", fail: "monitoring", applied: before},
		{name: "what now: a number past the list", in: upToMonitoring + "9\n", fail: "monitoring", applied: before},
		{name: "what now: no final newline", in: upToMonitoring + "n", fail: "monitoring", applied: before},
		{name: "resume or start over", in: "n\n", resume: true},
		{name: "apply", in: strings.Join(lines[:4], "\n") + "\nmaybe\n"},
		{name: "bucket name", in: strings.Join(lines[:5], "\n") + "\nBad_Name\n", applied: []string{"preflight"}},
		{name: "region", in: strings.Join(lines[:2], "\n") + "\nmars\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake()
			if c.fail != "" {
				f.fail[c.fail] = 1
			}
			if c.resume {
				saved := &config.Answers{Env: "staging", App: "shop", Region: "eu-west-1", Set: map[string]bool{"env": true, "app": true, "region": true}}
				f.saved["staging"] = savedProgress("staging", saved, "preflight")
			}
			var out bytes.Buffer
			err := run(context.Background(), Options{App: app.Options{Dir: "/srv/mon-app", Env: "staging"}, Accessible: true, NoColor: true,
				In: strings.NewReader(c.in), Out: &out}, f)
			if !errors.Is(err, ErrCancelled) || !strings.Contains(err.Error(), "input ended") {
				t.Fatalf("run ended with %v, want input ended (cancelled)\n%s", err, out.String())
			}
			if !slices.Equal(f.applied, c.applied) {
				t.Errorf("applied %v, want %v", f.applied, c.applied)
			}
			if c.fail != "" && f.status[c.fail] != state.Failed {
				t.Errorf("%s recorded %q, want it left failed (no answer chose skip)", c.fail, f.status[c.fail])
			}
		})
	}
}

// --accessible: "What now?" after a failure takes a name or its number, a
// bad answer asked again.
func TestAccessibleWhatNowByNameOrNumber(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(accessibleStagingInput(), "\n"), "\n")
	for _, answer := range []string{"skip", "3"} {
		f := newFake()
		f.fail["monitoring"] = 1
		in := append(append(append([]string{}, lines[:30]...), "n", answer), lines[30:]...)
		var out bytes.Buffer
		err := run(context.Background(), Options{App: app.Options{Dir: "/srv/mon-app", Env: "staging"}, Accessible: true, NoColor: true,
			In: strings.NewReader(strings.Join(in, "\n") + "\n"), Out: &out}, f)
		if err != nil || f.status["monitoring"] != state.Skipped {
			t.Fatalf("%q at What now?: %v, monitoring %q\n%s", answer, err, f.status["monitoring"], out.String())
		}
		if !strings.Contains(out.String(), "What now?\n1. retry (default)\n2. questions\n3. skip\n4. quit\n") {
			t.Fatalf("What now? does not list its choices:\n%s", out.String())
		}
	}
}
