package steps_test

import (
	"context"
	"slices"
	"testing"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/awsfake"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/steps"
)

// The layout step writes a folder marker only where none is: the markers
// already in the bucket (a re-run, or an adopted bucket's own) are neither
// rewritten nor duplicated, and once all are there it plans nothing. (The
// probe of its verification is tested against moto: TestProbeLeavesNoTrace.)
func TestLayoutCreatesOnlyTheMissingFolderMarkers(t *testing.T) {
	a := testrun.Answers(t, "env: staging\napp: lay-app\nregion: eu-west-3\nfolders: [blog, profile]\nstatic_on_s3: true\n")
	s3 := awsfake.NewS3(nil, map[string]*awsfake.Bucket{a.Bucket: {Region: "eu-west-3", Objects: map[string][]byte{"media/": nil, "media/blog/": nil, "media/blog/post.jpg": []byte("jpeg")}}})
	r := fakeRun(t, a, &aws.Clients{S3: s3})
	wantActions(t, testrun.Plan(t, r, "layout"), []string{"create folder media/profile/", "create folder uploads/", "create folder static/"})
	if _, _, err := steps.ApplyStep(context.Background(), r, testrun.WithoutVerify("layout")); err != nil {
		t.Fatal(err)
	}
	got := s3.Log.All()
	slices.Sort(got)
	want := []string{"s3:PutObject " + a.Bucket + "/media/profile/", "s3:PutObject " + a.Bucket + "/static/", "s3:PutObject " + a.Bucket + "/uploads/"}
	if !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
	again := testrun.Plan(t, r, "layout")
	if !again.Empty() || !slices.Contains(again.Notices, "every folder already exists") {
		t.Errorf("second plan: %d action(s), notices %q; want none and the notice", len(again.Actions), again.Notices)
	}
}
