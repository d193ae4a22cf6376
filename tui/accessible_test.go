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
	// The bucket question (after preflight's 5 lines): a bad name first.
	in := append(append(append([]string{}, lines[:5]...), "Bad_Name"), lines[5:]...)
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
