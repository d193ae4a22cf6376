package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/steps"
)

// apply's progress: steps that run concurrently no longer interleave their
// lines (each step's lines come together, when it ends), and on a colour
// terminal the marks are coloured; --no-color leaves plain text.
func TestApplyProgressGroupedByStepAndColoured(t *testing.T) {
	var out bytes.Buffer
	p := newPrinter(&out, true)
	for _, e := range []steps.Event{
		{Kind: engine.EvStepStart, Step: "public", Text: "Public vs private access"},
		{Kind: engine.EvStepStart, Step: "protection", Text: "Protection and cost"},
		{Kind: engine.EvAction, Step: "public", Text: "put the bucket policy"},
		{Kind: engine.EvAction, Step: "protection", Text: "turn on versioning"},
		{Kind: engine.EvCheck, Step: "public", Check: &steps.Check{Name: "policy", OK: true}},
		{Kind: engine.EvStepDone, Step: "public"},
		{Kind: engine.EvCheck, Step: "protection", Check: &steps.Check{Name: "versioning", OK: true}},
		{Kind: engine.EvStepDone, Step: "protection"},
	} {
		p.event(e)
	}
	got := out.String()
	want := "  [public] + put the bucket policy\n  [public] ✓ policy\n✔ [public] done\n  [protection] + turn on versioning\n  [protection] ✓ versioning\n✔ [protection] done\n"
	if !strings.HasSuffix(got, want) || strings.Contains(got, "\x1b[") {
		t.Fatalf("progress:\n%s\nwant it to end with:\n%s", got, want)
	}
	var tty bytes.Buffer
	r := lipgloss.NewRenderer(&tty)
	r.SetColorProfile(termenv.ANSI256) // as on a colour terminal
	c := newPrinterFor(&tty, r)
	c.event(steps.Event{Kind: engine.EvStepStart, Step: "bucket", Text: "Create the S3 bucket"})
	c.event(steps.Event{Kind: engine.EvStepDone, Step: "bucket"})
	if !strings.Contains(tty.String(), "\x1b[") {
		t.Fatalf("no colour on a colour terminal: %q", tty.String())
	}
}
