package app

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/steps"
)

// TestLiveBucketCheckBlocksAnotherProjectsBucket: the TUI's live check of
// a bucket name decides as preflight does. A bucket of this account that
// project blog's tags claim, or that blog adopted, blocks the name with
// blog named, instead of saying it would be adopted (preflight would then
// refuse it); this env's own tagged bucket and an untagged one stay usable.
func TestLiveBucketCheckBlocksAnotherProjectsBucket(t *testing.T) {
	s := motoserver.Shared(t)
	s.Use(t)
	ctx := context.Background()
	const region = "eu-west-3"
	c, err := aws.New(ctx, aws.Options{Region: region})
	if err != nil {
		t.Fatal(err)
	}
	cl := c.S3In(region)
	bucket := func(name string, tags map[string]string) {
		if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name,
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: region}}); err != nil {
			t.Fatal(err)
		}
		if len(tags) == 0 {
			return
		}
		var set []s3types.Tag
		for k, v := range tags {
			set = append(set, s3types.Tag{Key: sdk.String(k), Value: sdk.String(v)})
		}
		if _, err := cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: &name, Tagging: &s3types.Tagging{TagSet: set}}); err != nil {
			t.Fatal(err)
		}
	}
	bucket("blog-media-prod", map[string]string{steps.TagProject: "blog", steps.TagEnv: "prod"})
	bucket("blog-adopted-media", map[string]string{steps.TagAdoptedBy: "blog"})
	bucket("mon-app-media-staging", map[string]string{steps.TagProject: "mon-app", steps.TagEnv: "staging"})
	bucket("mon-app-untagged", nil)

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
