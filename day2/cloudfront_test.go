package day2_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

const cloudFrontAnswers = "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\naccess_logs: false\n" +
	"static_on_s3: true\npublic_prefixes: [media/blog/]\ncloudfront: true\n"

// fastCloudFront shortens CloudFront's polling for moto, which answers
// Deployed at the first read after a change.
func fastCloudFront(t *testing.T) {
	every, budget := steps.CloudFrontPollEvery, steps.CloudFrontWaitBudget
	steps.CloudFrontPollEvery, steps.CloudFrontWaitBudget = 10*time.Millisecond, 5*time.Second
	t.Cleanup(func() { steps.CloudFrontPollEvery, steps.CloudFrontWaitBudget = every, budget })
}

// The CloudFront cycle on moto: apply makes an origin access control and a
// tagged distribution, the bucket keeps Block Public Access fully on and
// its policy grants the public prefixes and static/ to CloudFront's service
// principal for this distribution only; a second apply changes nothing;
// check passes; the env names the distribution's domain; destroy disables
// and deletes the distribution, then the OAC.
func TestCloudFrontCycle(t *testing.T) {
	fastCloudFront(t)
	s := motoserver.Shared(t)
	ctx := context.Background()
	// With cors_origins: the distribution passes the browsers' CORS
	// requests to the bucket (read back below; a second apply keeps it).
	a := testrun.Answers(t, cloudFrontAnswers+"cors_origins: [https://www.example.com]\n")
	r := testrun.OnMoto(t, s, a)
	testrun.Apply(t, r, "preflight", "bucket", "public")

	id, arn, domain, oac := r.State.Resource(steps.ResCloudFrontID), r.State.Resource(steps.ResCloudFrontARN), r.State.Resource(steps.ResCloudFrontDomain), r.State.Resource(steps.ResCloudFrontOAC)
	if id == "" || oac == "" || domain == "" {
		t.Fatalf("progress lacks the distribution or OAC: id %q oac %q domain %q", id, oac, domain)
	}
	if want := "arn:aws:cloudfront::" + motoserver.AccountID + ":distribution/" + id; arn != want {
		t.Errorf("recorded ARN %q, want %q", arn, want)
	}
	for _, o := range []struct{ kind, name string }{{state.KindDistribution, steps.CloudFrontCallerReference(a)}, {state.KindOriginAccessControl, steps.OACName(a)}} {
		rec, ok := r.State.Ownership(o.kind, o.name)
		if !ok || rec.Evidence != state.EvidenceCreated {
			t.Errorf("ownership of %s %s = %+v, %v; want created", o.kind, o.name, rec, ok)
		}
	}

	// The distribution as CloudFront has it: the bucket as its origin,
	// enabled, tagged. moto keeps neither the origin's
	// OriginAccessControlId nor its S3OriginConfig: the request's origin
	// (OAC ID, empty OAI) is unit-tested (TestDistributionRequestUsesOACNotOAI).
	cf := r.AWS.CloudFront
	d, err := cf.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: &id})
	if err != nil {
		t.Fatal(err)
	}
	origins := d.Distribution.DistributionConfig.Origins.Items
	if len(origins) != 1 || sdk.ToString(origins[0].DomainName) != a.Bucket+".s3.eu-west-3.amazonaws.com" {
		t.Errorf("origins = %+v", origins)
	}
	if !sdk.ToBool(d.Distribution.DistributionConfig.Enabled) {
		t.Error("the distribution is disabled")
	}
	if b := d.Distribution.DistributionConfig.DefaultCacheBehavior; sdk.ToString(b.OriginRequestPolicyId) != steps.CORSS3OriginPolicy ||
		!slices.Contains(b.AllowedMethods.Items, "OPTIONS") || !slices.Contains(b.AllowedMethods.CachedMethods.Items, "OPTIONS") {
		t.Errorf("the distribution does not pass CORS requests: origin request policy %q, methods %v cached %v",
			sdk.ToString(b.OriginRequestPolicyId), b.AllowedMethods.Items, b.AllowedMethods.CachedMethods.Items)
	}
	tags, err := cf.ListTagsForResource(ctx, &cloudfront.ListTagsForResourceInput{Resource: d.Distribution.ARN})
	if err != nil {
		t.Fatal(err)
	}
	gotTags := map[string]string{}
	for _, tg := range tags.Tags.Items {
		gotTags[sdk.ToString(tg.Key)] = sdk.ToString(tg.Value)
	}
	if gotTags[steps.TagProject] != "mon-app" || gotTags[steps.TagEnv] != "staging" || gotTags[steps.TagManagedBy] != steps.TagManager {
		t.Errorf("distribution tags = %v", gotTags)
	}
	o, err := cf.GetOriginAccessControl(ctx, &cloudfront.GetOriginAccessControlInput{Id: &oac})
	if err != nil {
		t.Fatal(err)
	}
	if c := o.OriginAccessControl.OriginAccessControlConfig; c.SigningBehavior != "always" || c.SigningProtocol != "sigv4" || c.OriginAccessControlOriginType != "s3" {
		t.Errorf("OAC = %+v", c)
	}

	// Block Public Access fully on, and the policy as read back.
	s3c := r.AWS.S3In(a.Region)
	pab, err := s3c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &a.Bucket})
	if err != nil {
		t.Fatal(err)
	}
	if c := pab.PublicAccessBlockConfiguration; !sdk.ToBool(c.BlockPublicAcls) || !sdk.ToBool(c.IgnorePublicAcls) || !sdk.ToBool(c.BlockPublicPolicy) || !sdk.ToBool(c.RestrictPublicBuckets) {
		t.Errorf("Block Public Access not fully on: %+v", c)
	}
	pol, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &a.Bucket})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Sid       string
			Effect    string
			Principal any
			Resource  any
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(sdk.ToString(pol.Policy)), &doc); err != nil {
		t.Fatal(err)
	}
	var grant bool
	for _, st := range doc.Statement {
		if st.Effect == "Allow" && st.Principal == "*" {
			t.Errorf("the bucket policy still lets anyone read: %+v", st)
		}
		if st.Sid == policy.SidCloudFrontRead {
			grant = true
			p, _ := st.Principal.(map[string]any)
			if p["Service"] != "cloudfront.amazonaws.com" || st.Condition["StringEquals"]["AWS:SourceArn"] != arn {
				t.Errorf("CloudFront statement = %+v", st)
			}
			res, _ := json.Marshal(st.Resource)
			for _, want := range []string{"arn:aws:s3:::" + a.Bucket + "/media/blog/*", "arn:aws:s3:::" + a.Bucket + "/static/*"} {
				if !strings.Contains(string(res), want) {
					t.Errorf("CloudFront statement resources %s lack %s", res, want)
				}
			}
		}
	}
	if !grant {
		t.Errorf("no %s statement in %s", policy.SidCloudFrontRead, sdk.ToString(pol.Policy))
	}
	if why := steps.CloudFrontGrantDiffers(sdk.ToString(pol.Policy), a.Bucket, a.PublicReadPrefixes(), arn); why != "" {
		t.Error(why)
	}

	// A second apply changes nothing.
	p, err := steps.PlanStep(ctx, r, steps.Find(steps.All(), "public"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Empty() {
		for _, act := range p.Actions {
			t.Errorf("second apply plans %q", act.Summary)
		}
	}

	// check: the public step's verification, the CloudFront checks in it.
	var seen []steps.CheckID
	for _, res := range engine.VerifyAll(ctx, r, []*steps.Step{steps.Find(steps.All(), "public")}) {
		for _, c := range res.Checks {
			if !c.OK {
				t.Errorf("check %s failed: %s", c.Name, c.Detail)
			}
			seen = append(seen, c.ID)
		}
	}
	for _, id := range []steps.CheckID{steps.CheckCloudFront, steps.CheckCloudFrontOAC, steps.CheckCloudFrontPolicyGrant, steps.CheckPublicNotDirect} {
		if !slices.Contains(seen, id) {
			t.Errorf("check made no %s check (made %v)", id, seen)
		}
	}

	// The generated settings' public URLs use the distribution's domain.
	set, _ := r.WantedEnv()
	if got := set[appconfig.EnvPublicDomain]; got != "https://"+domain {
		t.Errorf("%s = %q, want https://%s", appconfig.EnvPublicDomain, got, domain)
	}

	said := destroy(t, r)
	if !strings.Contains(said, "disabled CloudFront distribution "+id) || !strings.Contains(said, "deleted CloudFront distribution "+id) {
		t.Errorf("destroy did not disable then delete the distribution:\n%s", said)
	}
	if _, err := cf.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: &id}); err == nil {
		t.Error("the distribution survived destroy")
	}
	if _, err := cf.GetOriginAccessControl(ctx, &cloudfront.GetOriginAccessControlInput{Id: &oac}); err == nil {
		t.Error("the origin access control survived destroy")
	}
	if r.State.Resource(steps.ResCloudFrontID) != "" {
		t.Error("destroy left the distribution in the progress file")
	}
}

// A bucket whose public prefixes were public moves behind CloudFront: the
// anyone-may-read statement goes, Block Public Access is put fully back on;
// turning cloudfront off again warns that the distribution stays.
func TestPublicBucketMovesBehindCloudFront(t *testing.T) {
	fastCloudFront(t)
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, strings.Replace(cloudFrontAnswers, "cloudfront: true\n", "", 1))
	r := testrun.OnMoto(t, s, a)
	testrun.Apply(t, r, "preflight", "bucket", "public")
	s3c := r.AWS.S3In(a.Region)
	pol, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &a.Bucket})
	if err != nil || !strings.Contains(sdk.ToString(pol.Policy), policy.SidPublicRead) {
		t.Fatalf("public bucket policy: %v %s", err, sdk.ToString(pol.Policy))
	}

	a.CloudFront = true
	a.Set["cloudfront"] = true
	testrun.Apply(t, r, "public")
	pol, err = s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &a.Bucket})
	if err != nil {
		t.Fatal(err)
	}
	if p := sdk.ToString(pol.Policy); strings.Contains(p, policy.SidPublicRead) || !strings.Contains(p, policy.SidCloudFrontRead) {
		t.Errorf("policy behind CloudFront: %s", p)
	}
	pab, err := s3c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &a.Bucket})
	if err != nil {
		t.Fatal(err)
	}
	if c := pab.PublicAccessBlockConfiguration; !sdk.ToBool(c.BlockPublicPolicy) || !sdk.ToBool(c.RestrictPublicBuckets) {
		t.Errorf("Block Public Access not fully on behind CloudFront: %+v", c)
	}

	a.CloudFront = false
	p, err := steps.PlanStep(ctx, r, steps.Find(steps.All(), "public"))
	if err != nil {
		t.Fatal(err)
	}
	id := r.State.Resource(steps.ResCloudFrontID)
	if !slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, id) && strings.Contains(w, "destroy") }) {
		t.Errorf("turning cloudfront off does not say distribution %s stays: %q", id, p.Warnings)
	}
}
