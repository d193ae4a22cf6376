package steps_test

import (
	"context"
	"fmt"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/steps"
)

// TestProbeLeavesNoTrace: the layout's put/get/delete probe passes and
// leaves nothing under uploads/ — no object, no version, no delete marker —
// whether the bucket keeps versions or not.
func TestProbeLeavesNoTrace(t *testing.T) {
	s := motoserver.Shared(t)
	for _, versioned := range []bool{false, true} {
		t.Run(fmt.Sprintf("versioned=%v", versioned), func(t *testing.T) {
			bucket := fmt.Sprintf("probe-trace-%v", versioned)
			a := protAnswers(t, "env: staging\napp: probetrace\nregion: eu-west-3\nbucket: "+bucket+"\n")
			r := protRun(t, s, a)
			ctx := context.Background()
			protApply(t, r, "preflight", "bucket")
			cl := r.AWS.S3In(a.Region)
			if versioned {
				if _, err := cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
					VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range steps.Find(steps.All(), "layout").Verify(ctx, r) {
				if !c.OK {
					t.Errorf("check %s failed: %s", c.Name, c.Detail)
				}
			}
			out, err := cl.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: sdk.String("uploads/")})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range out.Versions {
				t.Errorf("probe left %s (version %s)", sdk.ToString(v.Key), sdk.ToString(v.VersionId))
			}
			for _, m := range out.DeleteMarkers {
				t.Errorf("probe left a delete marker on %s", sdk.ToString(m.Key))
			}
		})
	}
}
