package steps_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/steps"
)

const corsYAML = `
env: staging
app: mon-app
region: eu-west-3
public_prefixes: [media/blog/]
cors_origins: [https://www.example.com]
cors_uploads: true
`

// checksByID are a step's checks by ID (several per ID are all kept).
func checksByID(cs []steps.Check) map[steps.CheckID][]steps.Check {
	m := map[steps.CheckID][]steps.Check{}
	for _, c := range cs {
		m[c.ID] = append(m[c.ID], c)
	}
	return m
}

// Browsers on the site's origin may fetch the public files and upload
// straight to the bucket; a page of another origin may not (issue 22 §2).
// Proved with the preflight a browser sends (OPTIONS with Origin and
// Access-Control-Request-Method), against moto's CORS preflight, from the
// allowed origin and from another one. A second apply changes nothing; the
// bucket owner's own rule is kept; uploads turned off take PUT and POST
// out; removing the wizard's rule keeps the owner's.
func TestCORSPreflightAllowsTheSiteAndRefusesOtherOrigins(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, corsYAML)
	r := testrun.OnMoto(t, s, a)
	testrun.Apply(t, r, "preflight", "bucket")
	cl := r.AWS.S3In(a.Region)
	// The bucket's owner has a rule of their own. (moto answers a preflight
	// with every rule in turn and refuses it when any rule does not list the
	// origin, unlike S3, which takes the first matching rule: the owner's
	// rule lists the site's origin so moto's answer is S3's.)
	owners := types.CORSRule{ID: sdk.String("owner-fonts"), AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://www.example.com", "https://admin.example.com"}}
	if _, err := cl.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: &a.Bucket, CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{owners}}}); err != nil {
		t.Fatal(err)
	}

	p, checks, err := steps.ApplyStep(ctx, r, steps.Find(steps.All(), "public"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(p.Actions, func(x *steps.Action) bool { return slices.Contains(x.Calls, "s3:PutBucketCors") }) {
		t.Fatalf("the first apply puts no CORS rule: %+v", p.Actions)
	}
	for _, c := range checks {
		t.Logf("%s %v: %s", c.Name, c.OK, c.Detail)
	}
	by := checksByID(checks)
	for _, id := range []steps.CheckID{steps.CheckCORSRules, steps.CheckCORSPreflight, steps.CheckCORSRefused} {
		if len(by[id]) == 0 {
			t.Errorf("no %s check", id)
		}
		for _, c := range by[id] {
			if !c.OK {
				t.Errorf("%s: %s: %s", id, c.Name, c.Detail)
			}
		}
	}
	if n := len(by[steps.CheckCORSPreflight]); n != 2 {
		t.Errorf("%d allowed preflights checked, want 2 (GET for the public files, PUT for uploads)", n)
	}

	url := r.ObjectURL("media/blog/photo.jpg")
	hc := &http.Client{}
	for _, c := range []struct {
		origin, method string
		want           bool
	}{
		{"https://www.example.com", "GET", true},
		{"https://www.example.com", "PUT", true},
		{"https://evil.example.net", "GET", false},
		{"https://evil.example.net", "PUT", false},
	} {
		if got, detail := steps.CORSPreflight(ctx, hc, url, c.origin, c.method); got != c.want {
			t.Errorf("preflight %s from %s: allowed %v, want %v (%s)", c.method, c.origin, got, c.want, detail)
		}
	}

	live, err := cl.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: &a.Bucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(live.CORSRules) != 2 || sdk.ToString(live.CORSRules[0].ID) != "owner-fonts" || sdk.ToString(live.CORSRules[1].ID) != steps.CORSRuleID {
		t.Fatalf("CORS rules after apply: %+v, want the owner's then the wizard's", live.CORSRules)
	}
	again, _, err := steps.ApplyStep(ctx, r, steps.Find(steps.All(), "public"))
	if err != nil || !again.Empty() {
		t.Fatalf("second apply: err %v, actions %+v", err, again.Actions)
	}

	// No direct uploads any more: PUT is refused, GET still allowed.
	a.CORSUploads = false
	testrun.Apply(t, r, "public")
	if got, detail := steps.CORSPreflight(ctx, hc, url, "https://www.example.com", "PUT"); got {
		t.Errorf("PUT still allowed without direct uploads: %s", detail)
	}
	if got, detail := steps.CORSPreflight(ctx, hc, url, "https://www.example.com", "GET"); !got {
		t.Errorf("GET refused: %s", detail)
	}

	// destroy on a kept bucket: the wizard's rule goes, the owner's stays.
	if removed, err := r.RemoveWizardCORS(ctx); err != nil || !removed {
		t.Fatalf("RemoveWizardCORS: %v, %v", removed, err)
	}
	live, err = cl.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: &a.Bucket})
	if err != nil || len(live.CORSRules) != 1 || sdk.ToString(live.CORSRules[0].ID) != "owner-fonts" {
		t.Fatalf("after removing the wizard's rule: %+v, %v", live, err)
	}
}
