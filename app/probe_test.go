package app

import (
	"context"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/steps"
)

// TestLiveBucketCheckBlocksAnotherProjectsBucket: the TUI's live check of
// a bucket name decides as preflight does. A bucket of this account that
// project blog's tags claim, or that blog adopted, blocks the name with
// blog named, instead of saying it would be adopted (preflight would then
// refuse it); this env's own tagged bucket and an untagged one stay usable.
func TestLiveBucketCheckBlocksAnotherProjectsBucket(t *testing.T) {
	const region = "eu-west-3"
	r := testrun.OnMoto(t, motoserver.Shared(t), testrun.Answers(t, "env: staging\napp: mon-app\nregion: "+region+"\n"))
	bucket := func(name string, tags map[string]string) { testrun.Bucket(t, r, name, tags) }
	bucket("blog-media-prod", map[string]string{steps.TagProject: "blog", steps.TagEnv: "prod"})
	bucket("blog-adopted-media", map[string]string{steps.TagAdoptedBy: "blog"})
	bucket("mon-app-media-staging", map[string]string{steps.TagProject: "mon-app", steps.TagEnv: "staging"})
	bucket("mon-app-untagged", nil)

	ctx := context.Background()
	probe := NewProbe(Options{Dir: t.TempDir()})
	for _, c := range []struct {
		name   string
		blocks bool
		want   string
	}{
		{"blog-media-prod", true, `project "blog"`},
		{"blog-adopted-media", true, `project "blog", which adopted it`},
		{"mon-app-media-staging", false, "tagged for this project's env staging"},
		{"mon-app-untagged", false, "would be adopted"},
	} {
		av, err := probe.BucketAvailability(ctx, "staging", "mon-app", c.name, region)
		if err != nil || av.Blocks != c.blocks || !strings.Contains(av.Text, c.want) {
			t.Errorf("live check of %s = %+v, %v; want blocks=%v saying %q", c.name, av, err, c.blocks, c.want)
		}
	}
}
