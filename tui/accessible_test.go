package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/app"
)

// --accessible through a pipe: no trailing spaces, each question's title
// before its help, an error on its own line, and the regions offered are
// the commercial ones with the default marked.
func TestAccessibleLayout(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(accessibleStagingInput(), "\n"), "\n")
	// The bucket question (after preflight's 4 lines): a bad name first.
	in := append(append(append([]string{}, lines[:4]...), "Bad_Name"), lines[4:]...)
	var out bytes.Buffer
	err := run(context.Background(), Options{App: app.Options{Dir: "/srv/mon-app", Env: "staging"}, Accessible: true, NoColor: true,
		In: strings.NewReader(strings.Join(in, "\n") + "\n"), Out: &out}, newFake())
	if err != nil {
		t.Fatalf("accessible run: %v\n%s", err, out.String())
	}
	text := out.String()
	for i, l := range strings.Split(text, "\n") {
		if strings.TrimRight(l, " \t") != l {
			t.Errorf("line %d has trailing spaces: %q", i+1, l)
		}
	}
	for _, want := range []string{
		"Bucket name\n3-63 lowercase letters, digits, dots or hyphens; unique across all of AWS.\n[Enter keeps mon-app-media-staging]:",
		"[Enter keeps mon-app-media-staging]:\n\"Bad_Name\": only lowercase letters, digits, dots and hyphens are allowed\nBucket name",
		"eu-west-3 (default)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	for _, other := range []string{"us-gov-", "cn-north-1", "iso"} {
		if strings.Contains(text, other) {
			t.Errorf("region list offers %q (not a commercial region)", other)
		}
	}
}

// --accessible: "n" at Apply? goes back to that step's questions (the
// other answers kept) instead of ending the run.
func TestAccessibleNoAtApplyReturnsToTheQuestions(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(accessibleStagingInput(), "\n"), "\n")
	// The bucket step: keep the offered name, refuse the plan, type another.
	in := append(append(append([]string{}, lines[:4]...), "", "n", "shop-second-name"), lines[5:]...)
	f := newFake()
	var out bytes.Buffer
	err := run(context.Background(), Options{App: app.Options{Dir: "/srv/mon-app", Env: "staging"}, Accessible: true, NoColor: true,
		In: strings.NewReader(strings.Join(in, "\n") + "\n"), Out: &out}, f)
	if err != nil {
		t.Fatalf("accessible run: %v\n%s", err, out.String())
	}
	text := out.String()
	if !strings.Contains(text, "Apply? (no: back to this step's questions") || !strings.Contains(text, "create bucket shop-second-name") {
		t.Fatalf("no at Apply? did not return to the bucket question:\n%s", text)
	}
	if f.answers.Bucket != "shop-second-name" || f.answers.App != "mon-app" || !strings.Contains(text, "Environment staging is set up") {
		t.Fatalf("answers after going back: bucket %q app %q\n%s", f.answers.Bucket, f.answers.App, text)
	}
}

// --accessible: a list question takes the name typed (the region) or its
// number; no "AWS call:" line is read out one by one; on a terminal the
// typing follows the prompt after one space, not after huh's padding.
func TestAccessibleRegionByNameAndQuietCalls(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(accessibleStagingInput(), "\n"), "\n")
	lines[2] = "eu-central-1" // preflight: app, credentials, region
	f := newFake()
	var out bytes.Buffer
	err := run(context.Background(), Options{App: app.Options{Dir: "/srv/mon-app", Env: "staging"}, Accessible: true, NoColor: true,
		In: strings.NewReader(strings.Join(lines, "\n") + "\n"), Out: &out}, f)
	if err != nil {
		t.Fatalf("accessible run: %v\n%s", err, out.String())
	}
	if f.answers.Region != "eu-central-1" {
		t.Fatalf("region %q, want the name typed\n%s", f.answers.Region, out.String())
	}
	if strings.Contains(out.String(), "AWS call:") {
		t.Fatalf("AWS calls read out one by one:\n%s", out.String())
	}
	lines[2] = "2"
	f = newFake()
	out.Reset()
	if err := run(context.Background(), Options{App: app.Options{Dir: "/srv/mon-app", Env: "staging"}, Accessible: true, NoColor: true,
		In: strings.NewReader(strings.Join(lines, "\n") + "\n"), Out: &out}, f); err != nil || f.answers.Region != "us-east-2" {
		t.Fatalf("region by number: %q, %v", f.answers.Region, err)
	}

	var term bytes.Buffer
	w := &lineWriter{w: &term, echoed: true}
	_, _ = w.Write([]byte("Bucket name\n[Enter keeps x]:" + strings.Repeat(" ", 40)))
	if got := term.String(); got != "Bucket name\n[Enter keeps x]: " {
		t.Fatalf("echoed prompt %q: the typing would start far to the right", got)
	}
}
