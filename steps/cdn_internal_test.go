package steps

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// fakeCloudFront answers what AWS answers while a distribution deploys
// (moto answers Deployed at the first read after any change, so neither
// the wait nor a resumed wait can be seen there). statuses are the
// successive GetDistribution answers (the last repeats); each answer has
// its own ETag, as a changing distribution does. Any other call panics.
// Not covered: AWS's real timings, and its refusal of DeleteDistribution
// for an enabled or still-deploying distribution (the order is asserted).
type fakeCloudFront struct {
	aws.CloudFrontAPI
	statuses []string
	enabled  bool
	gets     int
	etags    []string // the ETag of each GetDistribution answer
	calls    []string
	deleted  string                      // the IfMatch DeleteDistribution got
	updated  *cftypes.DistributionConfig // what UpdateDistribution got
}

func (f *fakeCloudFront) GetDistribution(_ context.Context, in *cloudfront.GetDistributionInput, _ ...func(*cloudfront.Options)) (*cloudfront.GetDistributionOutput, error) {
	st := f.statuses[min(f.gets, len(f.statuses)-1)]
	f.gets++
	etag := "E" + strings.Repeat("X", f.gets)
	f.etags = append(f.etags, etag)
	f.calls = append(f.calls, "GetDistribution:"+st)
	a := &config.Answers{Bucket: "b", Region: "eu-west-3"}
	cfg := wantedDistributionConfig(a, "OAC1")
	cfg.Enabled = sdk.Bool(f.enabled)
	return &cloudfront.GetDistributionOutput{ETag: sdk.String(etag), Distribution: &cftypes.Distribution{
		Id: in.Id, ARN: sdk.String("arn:aws:cloudfront::123456789012:distribution/" + *in.Id), Status: sdk.String(st),
		DomainName: sdk.String("d111.cloudfront.net"), DistributionConfig: cfg}}, nil
}

func (f *fakeCloudFront) GetDistributionConfig(_ context.Context, in *cloudfront.GetDistributionConfigInput, _ ...func(*cloudfront.Options)) (*cloudfront.GetDistributionConfigOutput, error) {
	f.calls = append(f.calls, "GetDistributionConfig")
	cfg := wantedDistributionConfig(&config.Answers{Bucket: "b", Region: "eu-west-3"}, "OAC1")
	cfg.Enabled = sdk.Bool(f.enabled)
	return &cloudfront.GetDistributionConfigOutput{ETag: sdk.String("CFG"), DistributionConfig: cfg}, nil
}

func (f *fakeCloudFront) UpdateDistribution(_ context.Context, in *cloudfront.UpdateDistributionInput, _ ...func(*cloudfront.Options)) (*cloudfront.UpdateDistributionOutput, error) {
	f.calls = append(f.calls, "UpdateDistribution")
	if sdk.ToString(in.IfMatch) != "CFG" {
		return nil, errors.New("PreconditionFailed")
	}
	f.enabled = sdk.ToBool(in.DistributionConfig.Enabled)
	f.updated = in.DistributionConfig
	return &cloudfront.UpdateDistributionOutput{}, nil
}

func (f *fakeCloudFront) DeleteDistribution(_ context.Context, in *cloudfront.DeleteDistributionInput, _ ...func(*cloudfront.Options)) (*cloudfront.DeleteDistributionOutput, error) {
	f.calls = append(f.calls, "DeleteDistribution")
	f.deleted = sdk.ToString(in.IfMatch)
	return &cloudfront.DeleteDistributionOutput{}, nil
}

func (f *fakeCloudFront) ListTagsForResource(context.Context, *cloudfront.ListTagsForResourceInput, ...func(*cloudfront.Options)) (*cloudfront.ListTagsForResourceOutput, error) {
	return &cloudfront.ListTagsForResourceOutput{Tags: cloudFrontTags(&config.Answers{App: "mon-app", Env: "staging"})}, nil
}

func (f *fakeCloudFront) GetOriginAccessControl(_ context.Context, in *cloudfront.GetOriginAccessControlInput, _ ...func(*cloudfront.Options)) (*cloudfront.GetOriginAccessControlOutput, error) {
	return &cloudfront.GetOriginAccessControlOutput{ETag: sdk.String("OACETAG"), OriginAccessControl: &cftypes.OriginAccessControl{Id: in.Id,
		OriginAccessControlConfig: wantedOAC(&config.Answers{Bucket: "b"})}}, nil
}

func cdnRun(t *testing.T, f *fakeCloudFront) *Run {
	t.Helper()
	a := &config.Answers{Env: "staging", App: "mon-app", Bucket: "b", Region: "eu-west-3", PublicPrefixes: []string{"media/blog/"}, CloudFront: true, Credentials: config.CredAccessKeys}
	st, err := state.Open(t.TempDir(), a.Env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Update(func(p *state.Progress) {
		p.SetResource(ResCloudFrontID, "EDIST")
		p.SetResource(ResCloudFrontOAC, "OAC1")
		p.PutOwnership(state.Ownership{Kind: state.KindDistribution, Name: CloudFrontCallerReference(a), Evidence: state.EvidenceCreated})
		p.PutOwnership(state.Ownership{Kind: state.KindOriginAccessControl, Name: OACName(a), Evidence: state.EvidenceCreated})
	}); err != nil {
		t.Fatal(err)
	}
	return &Run{Answers: a, State: st, AWS: &aws.Clients{CloudFront: f}, Account: "123456789012", Now: time.Now, Report: func(Event) {}}
}

func fastWait(t *testing.T) {
	every, budget := CloudFrontPollEvery, CloudFrontWaitBudget
	CloudFrontPollEvery, CloudFrontWaitBudget = time.Millisecond, time.Second
	t.Cleanup(func() { CloudFrontPollEvery, CloudFrontWaitBudget = every, budget })
}

// A run stopped while the distribution deploys (it was recorded at
// creation) plans the wait again, and the wait reports InProgress then
// Deployed.
func TestResumedRunPicksUpTheDeployWait(t *testing.T) {
	fastWait(t)
	f := &fakeCloudFront{statuses: []string{"InProgress", "InProgress", "InProgress", "Deployed"}, enabled: true}
	r := cdnRun(t, f)
	p := &Plan{}
	arn, wait, err := planCloudFront(context.Background(), r, p)
	if err != nil {
		t.Fatal(err)
	}
	if !wait || !p.Empty() || arn != cloudFrontARN("123456789012", "EDIST") {
		t.Fatalf("plan of a deploying distribution: wait %v, actions %d, arn %q; want the wait alone", wait, len(p.Actions), arn)
	}
	var said []string
	r.Report = func(e Event) { said = append(said, e.Text) }
	if err := r.waitAction().Do(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(said) != 2 || !strings.Contains(said[0], "InProgress") || !strings.Contains(said[1], "Deployed") {
		t.Errorf("progress shown: %q; want InProgress then Deployed", said)
	}
}

// A deploy longer than the budget stops with errStillDeploying (the next
// run waits again), never as done.
func TestDeployWaitStopsAtItsBudget(t *testing.T) {
	f := &fakeCloudFront{statuses: []string{"InProgress"}, enabled: true}
	err := waitDeployed(context.Background(), f, "EDIST", time.Millisecond, 20*time.Millisecond, func(string) {})
	if !errors.Is(err, errStillDeploying) {
		t.Fatalf("err = %v, want ErrStillDeploying", err)
	}
}

// destroy disables the distribution, waits until that is Deployed, and
// deletes it with the ETag of the disabled, deployed distribution (AWS
// refuses an older one); a destroy resumed on a disabled distribution
// still deploying waits, then deletes, without disabling again.
func TestDestroyDisablesWaitsThenDeletesWithCurrentETag(t *testing.T) {
	fastWait(t)
	f := &fakeCloudFront{statuses: []string{"InProgress", "InProgress", "Deployed"}, enabled: true}
	r := cdnRun(t, f)
	if err := DeleteDistribution(context.Background(), r, func(string) {}); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(f.calls, " ")
	want := "GetDistribution:InProgress GetDistributionConfig UpdateDistribution GetDistribution:InProgress GetDistribution:Deployed GetDistribution:Deployed DeleteDistribution"
	if got != want {
		t.Errorf("calls:\n %s\nwant\n %s", got, want)
	}
	if f.deleted != f.etags[len(f.etags)-1] {
		t.Errorf("DeleteDistribution IfMatch %q, want the last ETag %q", f.deleted, f.etags[len(f.etags)-1])
	}

	resumed := &fakeCloudFront{statuses: []string{"InProgress", "Deployed"}, enabled: false}
	r = cdnRun(t, resumed)
	if err := DeleteDistribution(context.Background(), r, func(string) {}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(resumed.calls, " "), "UpdateDistribution") || resumed.deleted == "" {
		t.Errorf("resumed destroy calls: %v", resumed.calls)
	}
}

// The distribution's request uses origin access control, not the legacy
// origin access identity (moto keeps neither field, so the cycle test
// cannot read them back).
func TestDistributionRequestUsesOACNotOAI(t *testing.T) {
	a := &config.Answers{Bucket: "mon-app-media-staging", Region: "eu-west-3"}
	c := wantedDistributionConfig(a, "OAC1")
	o := c.Origins.Items[0]
	if sdk.ToString(o.OriginAccessControlId) != "OAC1" || o.S3OriginConfig == nil || sdk.ToString(o.S3OriginConfig.OriginAccessIdentity) != "" {
		t.Errorf("origin = %+v", o)
	}
	if sdk.ToString(o.DomainName) != "mon-app-media-staging.s3.eu-west-3.amazonaws.com" {
		t.Errorf("origin domain %q: want the bucket's regional domain", sdk.ToString(o.DomainName))
	}
	if c.DefaultCacheBehavior.ViewerProtocolPolicy != cftypes.ViewerProtocolPolicyRedirectToHttps || len(c.DefaultCacheBehavior.AllowedMethods.Items) != 2 {
		t.Errorf("cache behavior = %+v", c.DefaultCacheBehavior)
	}
	if why := distributionDiffers(a, c, "OAC1"); why != "" {
		t.Errorf("the wanted distribution differs from itself: %s", why)
	}
	if why := distributionDiffers(a, c, "OTHER"); why == "" {
		t.Error("a distribution through another OAC is taken as the wizard's")
	}
}

// CloudFront strips the browser's Origin unless an origin request policy
// forwards it, and refuses OPTIONS unless the behavior allows it: with
// cors_origins, the distribution made uses the managed CORS-S3Origin policy
// and allows and caches GET, HEAD and OPTIONS; one made before (GET/HEAD,
// no policy) is drift, fixed by UpdateDistribution, after which the plan is
// idempotent. Not covered: a real preflight through the distribution's
// domain (moto has no CloudFront edge; the public check's preflights go to
// the bucket's own URL).
func TestDistributionForwardsCORSPreflights(t *testing.T) {
	fastWait(t)
	plain := &config.Answers{Bucket: "b", Region: "eu-west-3", PublicPrefixes: []string{"media/blog/"}, CloudFront: true}
	withCORS := *plain
	withCORS.CORSOrigins = []string{"https://www.example.com"}
	cors := []cftypes.Method{cftypes.MethodGet, cftypes.MethodHead, cftypes.MethodOptions}

	b := wantedDistributionConfig(&withCORS, "OAC1").DefaultCacheBehavior
	if sdk.ToString(b.OriginRequestPolicyId) != CORSS3OriginPolicy || !slices.Equal(b.AllowedMethods.Items, cors) ||
		sdk.ToInt32(b.AllowedMethods.Quantity) != 3 || !slices.Equal(b.AllowedMethods.CachedMethods.Items, cors) || sdk.ToInt32(b.AllowedMethods.CachedMethods.Quantity) != 3 {
		t.Errorf("with cors_origins the cache behavior is %+v (methods %v, cached %v): want CORS-S3Origin and GET, HEAD, OPTIONS allowed and cached",
			b, b.AllowedMethods.Items, b.AllowedMethods.CachedMethods.Items)
	}
	if b := wantedDistributionConfig(plain, "OAC1").DefaultCacheBehavior; b.OriginRequestPolicyId != nil || len(b.AllowedMethods.Items) != 2 {
		t.Errorf("without cors_origins the cache behavior is %+v: want GET and HEAD, no origin request policy", b)
	}

	// The fake answers a distribution made without CORS (GET/HEAD, no policy).
	f := &fakeCloudFront{statuses: []string{"Deployed"}, enabled: true}
	r := cdnRun(t, f)
	r.Answers.CORSOrigins = withCORS.CORSOrigins
	p := &Plan{}
	if _, _, err := planCloudFront(context.Background(), r, p); err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 1 || !strings.Contains(p.Actions[0].Summary, "CORS-S3Origin") {
		t.Fatalf("plan for a distribution that strips Origin: %d actions %v; want one UpdateDistribution naming CORS-S3Origin", len(p.Actions), p.Actions)
	}
	if err := p.Actions[0].Do(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.updated == nil {
		t.Fatal("no UpdateDistribution")
	}
	if why := distributionDiffers(r.Answers, f.updated, "OAC1"); why != "" {
		t.Errorf("the fixed distribution still differs: %s", why)
	}
	if why := distributionDiffers(plain, f.updated, "OAC1"); why != "" {
		t.Errorf("the fixed distribution differs for answers without CORS: %s", why)
	}
}
