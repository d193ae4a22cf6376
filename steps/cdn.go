package steps

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/state"
)

// CloudFront in front of the public files (the cloudfront answer of the
// public step): an origin access control (OAC, not the legacy origin access
// identity) and a distribution whose origin is the bucket; the bucket keeps
// Block Public Access fully on, and its policy lets CloudFront's service
// principal read the public prefixes on behalf of this distribution only
// (AWS, "Restrict access to an Amazon S3 origin":
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html).

// Progress-file resources of the distribution (recorded as soon as
// CloudFront answers, so a resumed run finds it).
const (
	ResCloudFrontID     = "cloudfront_distribution_id"
	ResCloudFrontARN    = "cloudfront_distribution_arn"
	ResCloudFrontDomain = "cloudfront_domain"
	ResCloudFrontOAC    = "cloudfront_oac_id"
)

// cachingOptimizedPolicy is the ID of CloudFront's managed cache policy
// Managed-CachingOptimized (the same in every account).
const cachingOptimizedPolicy = "658327ea-f89d-4fab-a63d-7e88639e58f6"

// CORSS3OriginPolicy is the ID of CloudFront's managed origin request
// policy Managed-CORS-S3Origin (the same in every account): it forwards the
// viewer's Origin, Access-Control-Request-Method and
// Access-Control-Request-Headers to an S3 origin, so that S3 answers with
// its CORS rules. Without it CloudFront strips Origin and browsers get no
// Access-Control-Allow-Origin from the distribution's domain.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html#managed-origin-request-policy-cors-s3
const CORSS3OriginPolicy = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"

// cdnOriginID names the bucket's origin inside the distribution.
const cdnOriginID = "s3wizard-bucket"

// Distribution statuses.
const (
	cdnDeployed   = "Deployed"
	cdnInProgress = "InProgress"
)

// CloudFront's waits: deploys take minutes on AWS. Variables so that the
// unit tests of the waiting decision run in milliseconds.
var (
	CloudFrontPollEvery  = 15 * time.Second
	CloudFrontWaitBudget = 30 * time.Minute
)

// CloudFrontCallerReference is the distribution's CallerReference, which
// also names it in the ownership records: known before it is made (its ID
// is CloudFront's), one per bucket (bucket names are unique).
func CloudFrontCallerReference(a *config.Answers) string { return "s3wizard-" + a.Bucket }

// OACName is the name of the bucket's origin access control (unique in the
// account; at most 64 characters, a bucket name has at most 63).
func OACName(a *config.Answers) string { return a.Bucket }

// cdnComment is the distribution's comment, by which a run that lost its
// reply finds it again.
func cdnComment(a *config.Answers) string { return "s3wizard " + a.Bucket + " public files" }

// bucketOriginDomain is the bucket's regional domain, the origin AWS
// recommends for OAC.
func bucketOriginDomain(a *config.Answers) string {
	return a.Bucket + ".s3." + a.Region + ".amazonaws.com"
}

// cloudFrontARN is a distribution's ARN as AWS documents it (global: no
// region). moto answers another form (no empty region field), so the
// wizard builds it instead of taking CloudFront's.
func cloudFrontARN(account, id string) string {
	return "arn:aws:cloudfront::" + account + ":distribution/" + id
}

// pendingDistributionID stands for the ID of a distribution this plan
// creates, in the bucket policy shown before it exists.
const pendingDistributionID = "NEW-DISTRIBUTION"

// CloudFrontSourceARN is the ARN the bucket policy names: the recorded
// distribution's, or a stand-in while it is not made yet.
func (r *Run) CloudFrontSourceARN() string {
	if arn := r.resource(ResCloudFrontARN); arn != "" {
		return arn
	}
	return cloudFrontARN(r.AccountID(), pendingDistributionID)
}

func (r *Run) resource(k string) string {
	if r.State == nil {
		return ""
	}
	return r.State.Resource(k)
}

// publicBaseURL is the base URL of public and static files' URLs: the
// public_domain answer, or the wizard's CloudFront distribution's domain
// ("" when neither: the bucket's own URLs).
func (r *Run) publicBaseURL() string {
	a := r.Answers
	if a.ServedByCloudFront() {
		if d := r.resource(ResCloudFrontDomain); d != "" {
			return "https://" + d
		}
		return ""
	}
	return a.PublicDomain
}

// wantedDistributionConfig is the distribution the wizard makes: the
// bucket as its only origin through the OAC, HTTPS (redirected),
// CachingOptimized, and the cache behavior of distributionCORS.
func wantedDistributionConfig(a *config.Answers, oacID string) *cftypes.DistributionConfig {
	c := &cftypes.DistributionConfig{
		CallerReference: sdk.String(CloudFrontCallerReference(a)),
		Comment:         sdk.String(cdnComment(a)),
		Enabled:         sdk.Bool(true),
		HttpVersion:     cftypes.HttpVersionHttp2and3,
		IsIPV6Enabled:   sdk.Bool(true),
		Origins: &cftypes.Origins{Quantity: sdk.Int32(1), Items: []cftypes.Origin{{
			Id:                    sdk.String(cdnOriginID),
			DomainName:            sdk.String(bucketOriginDomain(a)),
			OriginAccessControlId: sdk.String(oacID),
			// OAC, not OAI: the origin access identity is empty.
			S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: sdk.String("")},
		}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{
			TargetOriginId:       sdk.String(cdnOriginID),
			ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
			CachePolicyId:        sdk.String(cachingOptimizedPolicy),
			Compress:             sdk.Bool(true),
		},
	}
	setDistributionCORS(a, c.DefaultCacheBehavior)
	return c
}

// distributionMethods are the methods the distribution allows and caches:
// GET and HEAD, and OPTIONS (the browsers' preflights) when the answers
// want the CORS rule.
func distributionMethods(a *config.Answers) []cftypes.Method {
	m := []cftypes.Method{cftypes.MethodGet, cftypes.MethodHead}
	if a.WantsCORS() {
		m = append(m, cftypes.MethodOptions)
	}
	return m
}

// setDistributionCORS makes b pass the browsers' CORS requests to the
// bucket when the answers want the CORS rule (AWS's "configure CloudFront
// to respect CORS settings": forward Origin and the preflight's headers
// with CORS-S3Origin, allow and cache OPTIONS), else GET and HEAD only.
// One source for the distribution made and the one fixed.
func setDistributionCORS(a *config.Answers, b *cftypes.DefaultCacheBehavior) {
	m := distributionMethods(a)
	n := sdk.Int32(int32(len(m)))
	b.AllowedMethods = &cftypes.AllowedMethods{Quantity: n, Items: m,
		CachedMethods: &cftypes.CachedMethods{Quantity: n, Items: slices.Clone(m)}}
	b.OriginRequestPolicyId = nil
	if a.WantsCORS() {
		b.OriginRequestPolicyId = sdk.String(CORSS3OriginPolicy)
	}
}

// distributionCORSDiffers says how b fails to pass the browsers' CORS
// requests the answers want ("" when it does not, or none is wanted).
func distributionCORSDiffers(a *config.Answers, b *cftypes.DefaultCacheBehavior) string {
	if !a.WantsCORS() {
		return ""
	}
	has := func(l []cftypes.Method) bool { return slices.Contains(l, cftypes.MethodOptions) }
	switch {
	case b == nil:
		return "it has no default cache behavior"
	case sdk.ToString(b.OriginRequestPolicyId) != CORSS3OriginPolicy:
		return "it does not forward the browsers' Origin to the bucket (origin request policy CORS-S3Origin)"
	case b.AllowedMethods == nil || !has(b.AllowedMethods.Items) || b.AllowedMethods.CachedMethods == nil || !has(b.AllowedMethods.CachedMethods.Items):
		return "it does not allow and cache OPTIONS (the browsers' CORS preflights)"
	}
	return ""
}

// wantedOAC is the origin access control the wizard makes: S3, every
// request signed with SigV4 (AWS's recommended setting).
func wantedOAC(a *config.Answers) *cftypes.OriginAccessControlConfig {
	return &cftypes.OriginAccessControlConfig{
		Name:                          sdk.String(OACName(a)),
		Description:                   sdk.String("s3wizard: CloudFront to s3://" + a.Bucket),
		OriginAccessControlOriginType: cftypes.OriginAccessControlOriginTypesS3,
		SigningBehavior:               cftypes.OriginAccessControlSigningBehaviorsAlways,
		SigningProtocol:               cftypes.OriginAccessControlSigningProtocolsSigv4,
	}
}

// oacDiffers says how an OAC's settings differ from the wizard's ("" when
// they do not).
func oacDiffers(c *cftypes.OriginAccessControlConfig) string {
	if c == nil {
		return "no configuration"
	}
	w := wantedOAC(&config.Answers{})
	if c.OriginAccessControlOriginType != w.OriginAccessControlOriginType || c.SigningBehavior != w.SigningBehavior || c.SigningProtocol != w.SigningProtocol {
		return fmt.Sprintf("origin type %s, signing %s with %s (wanted s3, always, sigv4)", c.OriginAccessControlOriginType, c.SigningBehavior, c.SigningProtocol)
	}
	return ""
}

// findOAC returns the ID and settings of the bucket's OAC: the recorded
// one, else the one of its name ("" when none).
func findOAC(ctx context.Context, r *Run) (string, *cftypes.OriginAccessControlConfig, error) {
	cl := r.AWS.CloudFront
	if id := r.resource(ResCloudFrontOAC); id != "" {
		out, err := cl.GetOriginAccessControl(ctx, &cloudfront.GetOriginAccessControlInput{Id: &id})
		switch {
		case err == nil && out.OriginAccessControl != nil:
			return id, out.OriginAccessControl.OriginAccessControlConfig, nil
		case err != nil && !aws.IsNotFound(err):
			return "", nil, err
		}
	}
	in := &cloudfront.ListOriginAccessControlsInput{}
	for {
		out, err := cl.ListOriginAccessControls(ctx, in)
		if err != nil || out.OriginAccessControlList == nil {
			return "", nil, err
		}
		for _, o := range out.OriginAccessControlList.Items {
			if sdk.ToString(o.Name) == OACName(r.Answers) {
				return sdk.ToString(o.Id), &cftypes.OriginAccessControlConfig{
					Name: o.Name, OriginAccessControlOriginType: o.OriginAccessControlOriginType,
					SigningBehavior: o.SigningBehavior, SigningProtocol: o.SigningProtocol}, nil
			}
		}
		if !sdk.ToBool(out.OriginAccessControlList.IsTruncated) || out.OriginAccessControlList.NextMarker == nil {
			return "", nil, nil
		}
		in.Marker = out.OriginAccessControlList.NextMarker
	}
}

// findDistribution returns the bucket's distribution (with its ETag): the
// recorded one, else the one with the wizard's comment and the bucket as
// origin (nil when none).
func findDistribution(ctx context.Context, r *Run) (*cftypes.Distribution, string, error) {
	cl := r.AWS.CloudFront
	get := func(id string) (*cftypes.Distribution, string, error) {
		out, err := cl.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: &id})
		if err != nil {
			return nil, "", err
		}
		return out.Distribution, sdk.ToString(out.ETag), nil
	}
	if id := r.resource(ResCloudFrontID); id != "" {
		d, etag, err := get(id)
		if err == nil || !aws.IsNotFound(err) {
			return d, etag, err
		}
	}
	in := &cloudfront.ListDistributionsInput{}
	for {
		out, err := cl.ListDistributions(ctx, in)
		if err != nil || out.DistributionList == nil {
			return nil, "", err
		}
		for _, d := range out.DistributionList.Items {
			ok, err := isOurDistribution(ctx, r, d)
			if err != nil {
				return nil, "", err
			}
			if ok {
				return get(sdk.ToString(d.Id))
			}
		}
		if !sdk.ToBool(out.DistributionList.IsTruncated) || out.DistributionList.NextMarker == nil {
			return nil, "", nil
		}
		in.Marker = out.DistributionList.NextMarker
	}
}

// isOurDistribution reports whether a listed distribution is this env's:
// by its comment and origin, or by its config's CallerReference.
func isOurDistribution(ctx context.Context, r *Run, d cftypes.DistributionSummary) (bool, error) {
	if d.Comment == nil {
		// A summary without its comment (moto's): the config's
		// CallerReference decides, one read each.
		c, err := r.AWS.CloudFront.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: d.Id})
		if err != nil {
			return false, err
		}
		return c.DistributionConfig != nil && sdk.ToString(c.DistributionConfig.CallerReference) == CloudFrontCallerReference(r.Answers), nil
	}
	return sdk.ToString(d.Comment) == cdnComment(r.Answers) && hasOrigin(d.Origins, bucketOriginDomain(r.Answers)), nil
}

func hasOrigin(o *cftypes.Origins, domain string) bool {
	return bucketOrigin(o, domain) != nil
}

func bucketOrigin(o *cftypes.Origins, domain string) *cftypes.Origin {
	if o == nil {
		return nil
	}
	for i := range o.Items {
		if sdk.ToString(o.Items[i].DomainName) == domain {
			return &o.Items[i]
		}
	}
	return nil
}

// distributionDiffers says how a live distribution differs from what the
// wizard serves through ("" when it does not): enabled, the bucket as an
// origin through the OAC, no origin access identity.
func distributionDiffers(a *config.Answers, c *cftypes.DistributionConfig, oacID string) string {
	if c == nil {
		return "no configuration"
	}
	o := bucketOrigin(c.Origins, bucketOriginDomain(a))
	switch {
	case o == nil:
		return "its origins do not include " + bucketOriginDomain(a)
	case o.OriginAccessControlId != nil && sdk.ToString(o.OriginAccessControlId) != oacID:
		// AWS always answers the field (empty without OAC); moto leaves it
		// out, so there it is not compared (README, Limits).
		return fmt.Sprintf("its origin's access control is %q, not %s", sdk.ToString(o.OriginAccessControlId), oacID)
	case o.S3OriginConfig != nil && sdk.ToString(o.S3OriginConfig.OriginAccessIdentity) != "":
		return "its origin still uses the legacy origin access identity " + sdk.ToString(o.S3OriginConfig.OriginAccessIdentity)
	case !sdk.ToBool(c.Enabled):
		return "it is disabled"
	}
	return distributionCORSDiffers(a, c.DefaultCacheBehavior)
}

// cloudFrontTags are the wizard's owner tags as CloudFront takes them.
func cloudFrontTags(a *config.Answers) *cftypes.Tags {
	return &cftypes.Tags{Items: ownerTagList(a, func(k, v *string) cftypes.Tag { return cftypes.Tag{Key: k, Value: v} })}
}

func (r *Run) distributionTags(ctx context.Context, d *cftypes.Distribution) (map[string]string, error) {
	out, err := r.AWS.CloudFront.ListTagsForResource(ctx, &cloudfront.ListTagsForResourceInput{Resource: d.ARN})
	if err != nil || out.Tags == nil {
		return map[string]string{}, err
	}
	return tagMap(out.Tags.Items, func(t cftypes.Tag) (*string, *string) { return t.Key, t.Value }), nil
}

// recordDistribution saves what the progress file knows of d at once (a
// crash after this keeps the wait and destroy able to find it).
func (r *Run) recordDistribution(d *cftypes.Distribution) error {
	a := r.Answers
	id := sdk.ToString(d.Id)
	arn := cloudFrontARN(r.AccountID(), id)
	return r.State.Update(func(p *state.Progress) {
		p.SetResource(ResCloudFrontID, id)
		p.SetResource(ResCloudFrontARN, arn)
		p.SetResource(ResCloudFrontDomain, sdk.ToString(d.DomainName))
		if o, ok := p.Ownership(state.KindDistribution, CloudFrontCallerReference(a)); ok {
			o.ARN = arn
			p.PutOwnership(o)
		}
	})
}

// planCloudFront adds to the public step's plan the OAC and the
// distribution (made, or fixed when they drifted). It returns the
// distribution's ARN ("" when the plan makes it: known only once the action
// ran, so the bucket policy is rendered then), and whether a wait for its
// deployment must follow.
func planCloudFront(ctx context.Context, r *Run, p *Plan) (arn string, wait bool, err error) {
	a := r.Answers
	if a.Encryption == config.EncSSEKMS && a.KMSKeyID != "" {
		p.Notice("SSE-KMS with key %s: the public storages write SSE-S3, which CloudFront reads without the key; for files put under the public prefixes with the key, its key policy needs CloudFront's statement (the hand-off document lists it; the wizard does not change key policies)", a.KMSKeyID)
		// Recorded once the step is applied, when the distribution's ARN
		// is known.
		p.Record(func(s *state.Progress) {
			if arn := s.Resource(ResCloudFrontARN); arn != "" {
				s.AddManual(kmsKeyManualStep(a.KMSKeyID, arn))
			}
		})
	}
	var foundOAC string // set below when the OAC exists
	makeOAC := &Action{Summary: "CloudFront origin access control " + OACName(a) + " (S3, always sign, SigV4)", Calls: []string{"cloudfront:CreateOriginAccessControl"},
		Do: func(ctx context.Context) error { return r.createOAC(ctx) }}
	makeDist := &Action{Summary: "CloudFront distribution in front of s3://" + a.Bucket + " (origin access control, HTTPS, CachingOptimized; tagged)", Calls: []string{"cloudfront:CreateDistributionWithTags"},
		// The OAC this plan found, or the one its first action records.
		Do: func(ctx context.Context) error {
			return r.createDistribution(ctx, cmp.Or(foundOAC, r.resource(ResCloudFrontOAC)))
		}}
	if r.Offline {
		p.Add(makeOAC)
		p.Add(makeDist)
		return "", true, nil
	}
	oacID, oacCfg, err := findOAC(ctx, r)
	if err != nil {
		return "", false, fmt.Errorf("read CloudFront origin access control %s: %w", OACName(a), err)
	}
	if oacID == "" {
		p.Add(makeOAC)
	} else {
		if why := oacDiffers(oacCfg); why != "" {
			p.Errorf("the CloudFront origin access control %s (%s) is not the wizard's kind: %s; delete or rename it, or change the bucket", OACName(a), oacID, why)
		}
		claimCreated(r, p, state.KindOriginAccessControl, OACName(a), "", "CloudFront origin access control "+OACName(a), nil)
		p.SetResource(ResCloudFrontOAC, oacID)
		foundOAC = oacID
	}

	dist, _, err := findDistribution(ctx, r)
	if err != nil {
		return "", false, fmt.Errorf("read the CloudFront distribution of %s: %w", a.Bucket, err)
	}
	if dist == nil {
		p.Add(makeDist)
		return "", true, nil
	}
	return planExistingDistribution(ctx, r, p, dist, oacID)
}

// planExistingDistribution plans for the distribution found: refused when
// another project's, otherwise claimed and recorded, and fixed when it
// differs from the wanted one; wait when the step must wait for its deploy.
func planExistingDistribution(ctx context.Context, r *Run, p *Plan, dist *cftypes.Distribution, oacID string) (arn string, wait bool, err error) {
	a := r.Answers
	what := fmt.Sprintf("CloudFront distribution %s (%s)", sdk.ToString(dist.Id), sdk.ToString(dist.DomainName))
	tags, err := r.distributionTags(ctx, dist)
	if err != nil {
		return "", false, fmt.Errorf("read the tags of %s: %w", what, err)
	}
	if owner := ForeignOwner(a, tags); owner != "" {
		return "", false, ForeignError(what, a, owner)
	}
	id := sdk.ToString(dist.Id)
	claimCreated(r, p, state.KindDistribution, CloudFrontCallerReference(a), cloudFrontARN(r.AccountID(), id), what, tags)
	arn = cloudFrontARN(r.AccountID(), id)
	p.Record(func(s *state.Progress) {
		s.SetResource(ResCloudFrontID, id)
		s.SetResource(ResCloudFrontARN, arn)
		s.SetResource(ResCloudFrontDomain, sdk.ToString(dist.DomainName))
	})
	if oacID == "" {
		p.Errorf("%s exists but the origin access control %s does not: delete the distribution (s3wizard destroy, or the console) and apply again", what, OACName(a))
		return "", false, nil
	}
	if why := distributionDiffers(a, dist.DistributionConfig, oacID); why != "" {
		fix := " → enable it, the bucket as origin through " + OACName(a)
		if a.WantsCORS() {
			fix += ", the browsers' CORS requests passed to the bucket"
		}
		p.Add(&Action{Summary: what + ": " + why + fix, Calls: []string{"cloudfront:UpdateDistribution"},
			Do: func(ctx context.Context) error { return r.fixDistribution(ctx, id, oacID) }})
		return arn, true, nil
	}
	if s := sdk.ToString(dist.Status); s != cdnDeployed {
		p.Notice("%s is %s: the step waits until it is Deployed", what, s)
		return arn, true, nil
	}
	p.Notice("%s serves the public files (Deployed)", what)
	return arn, false, nil
}

// createOAC makes the bucket's origin access control (intent recorded
// first; a name taken meanwhile by a lost reply is found again).
func (r *Run) createOAC(ctx context.Context) error {
	a := r.Answers
	return createOwned(r, state.KindOriginAccessControl, OACName(a), "", func() (bool, error) {
		out, err := r.AWS.CloudFront.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: wantedOAC(a)})
		var id string
		switch {
		case err == nil && out.OriginAccessControl != nil:
			id = sdk.ToString(out.OriginAccessControl.Id)
		case aws.Code(err) == "OriginAccessControlAlreadyExists":
			// This env's own earlier attempt (the intent is recorded).
			found, _, ferr := findOAC(ctx, r)
			if ferr != nil || found == "" {
				return false, errors.Join(err, ferr)
			}
			id = found
		default:
			return false, err
		}
		return true, r.State.SaveResource(ResCloudFrontOAC, id)
	})
}

// createDistribution makes the distribution, tagged, with the recorded
// OAC. Its CallerReference makes the call idempotent on AWS (the same
// request answers the same distribution); a DistributionAlreadyExists
// (moto, or a changed request) is this env's earlier attempt, found by its
// comment and origin.
func (r *Run) createDistribution(ctx context.Context, oacID string) error {
	a := r.Answers
	if oacID == "" {
		return errors.New("no origin access control recorded for the distribution")
	}
	return createOwned(r, state.KindDistribution, CloudFrontCallerReference(a), "", func() (bool, error) {
		out, err := r.AWS.CloudFront.CreateDistributionWithTags(ctx, &cloudfront.CreateDistributionWithTagsInput{
			DistributionConfigWithTags: &cftypes.DistributionConfigWithTags{
				DistributionConfig: wantedDistributionConfig(a, oacID), Tags: cloudFrontTags(a)}})
		var d *cftypes.Distribution
		switch {
		case err == nil && out.Distribution != nil:
			d = out.Distribution
		case aws.Code(err) == "DistributionAlreadyExists":
			found, _, ferr := findDistribution(ctx, r)
			if ferr != nil || found == nil {
				return false, errors.Join(err, ferr)
			}
			d = found
		default:
			return false, err
		}
		return true, r.recordDistribution(d)
	})
}

// fixDistribution enables the distribution, points its bucket origin at
// the OAC and, when the CORS rule is wanted, makes its default cache
// behavior pass the browsers' CORS requests (ETag of the config it read, as
// CloudFront requires).
func (r *Run) fixDistribution(ctx context.Context, id, oacID string) error {
	cl := r.AWS.CloudFront
	cur, err := cl.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: &id})
	if err != nil {
		return err
	}
	c := cur.DistributionConfig
	o := bucketOrigin(c.Origins, bucketOriginDomain(r.Answers))
	if o == nil {
		return fmt.Errorf("distribution %s has no origin %s", id, bucketOriginDomain(r.Answers))
	}
	o.OriginAccessControlId = sdk.String(oacID)
	o.S3OriginConfig = &cftypes.S3OriginConfig{OriginAccessIdentity: sdk.String("")}
	c.Enabled = sdk.Bool(true)
	if distributionCORSDiffers(r.Answers, c.DefaultCacheBehavior) != "" {
		if c.DefaultCacheBehavior == nil {
			return fmt.Errorf("distribution %s has no default cache behavior", id)
		}
		setDistributionCORS(r.Answers, c.DefaultCacheBehavior)
	}
	_, err = cl.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: &id, IfMatch: cur.ETag, DistributionConfig: c})
	return err
}

// waitAction waits until the recorded distribution is Deployed, showing
// its status; a run stopped meanwhile plans the wait again.
func (r *Run) waitAction() *Action {
	return &Action{Summary: "wait until the CloudFront distribution is Deployed (minutes on AWS; a resumed run picks the wait up)", Calls: []string{"cloudfront:GetDistribution"},
		Do: func(ctx context.Context) error {
			id := r.resource(ResCloudFrontID)
			return waitDeployed(ctx, r.AWS.CloudFront, id, CloudFrontPollEvery, CloudFrontWaitBudget, func(s string) {
				r.Emit(Event{Kind: engine.EvNotice, Step: "public", Text: s})
			})
		}}
}

// errStillDeploying is returned when a distribution is not Deployed within
// the wait's budget: nothing is lost, the next run waits again.
var errStillDeploying = errors.New("the CloudFront distribution is still deploying")

// waitDeployed polls distribution id every `every` until its status is
// Deployed, reporting each change of status (and the time waited), for at
// most budget.
func waitDeployed(ctx context.Context, cl aws.CloudFrontAPI, id string, every, budget time.Duration, report func(string)) error {
	start := time.Now()
	last := ""
	for {
		out, err := cl.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: &id})
		if err != nil {
			return fmt.Errorf("read CloudFront distribution %s: %w", id, err)
		}
		st := ""
		if out.Distribution != nil {
			st = sdk.ToString(out.Distribution.Status)
		}
		if st != last {
			report(fmt.Sprintf("CloudFront distribution %s: %s (%s)", id, st, time.Since(start).Round(time.Second)))
			last = st
		}
		if st == cdnDeployed {
			return nil
		}
		if time.Since(start)+every > budget {
			return fmt.Errorf("%w after %s (status %s): run the same command again to keep waiting", errStillDeploying, budget, st)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
}

// cloudFrontChecks verify the distribution, its OAC and the bucket
// policy's CloudFront statement.
func cloudFrontChecks(ctx context.Context, r *Run) []Check {
	a := r.Answers
	const (
		nDist   = "CloudFront distribution serves the public files"
		nOAC    = "CloudFront origin access control signs every request (SigV4)"
		nPolicy = "bucket policy lets only this distribution read the public files"
	)
	var out []Check
	oacID, oacCfg, err := findOAC(ctx, r)
	switch {
	case err != nil:
		out = append(out, Fail(CheckCloudFrontOAC, nOAC, aws.Explain(err).Error()))
	case oacID == "":
		out = append(out, Fail(CheckCloudFrontOAC, nOAC, "no origin access control "+OACName(a)+": run apply"))
	case oacDiffers(oacCfg) != "":
		out = append(out, Fail(CheckCloudFrontOAC, nOAC, oacDiffers(oacCfg)))
	default:
		out = append(out, Pass(CheckCloudFrontOAC, nOAC, OACName(a)+" ("+oacID+")"))
	}
	d, _, err := findDistribution(ctx, r)
	switch {
	case err != nil:
		out = append(out, Fail(CheckCloudFront, nDist, aws.Explain(err).Error()))
	case d == nil:
		out = append(out, Fail(CheckCloudFront, nDist, "no distribution for "+a.Bucket+": run apply"))
	case distributionDiffers(a, d.DistributionConfig, oacID) != "":
		out = append(out, Fail(CheckCloudFront, nDist, distributionDiffers(a, d.DistributionConfig, oacID)+": run apply"))
	case sdk.ToString(d.Status) != cdnDeployed:
		out = append(out, Fail(CheckCloudFront, nDist, fmt.Sprintf("%s is %s: run apply to wait, or check again in a few minutes", sdk.ToString(d.Id), sdk.ToString(d.Status))))
	default:
		out = append(out, Pass(CheckCloudFront, nDist, fmt.Sprintf("%s, https://%s, Deployed", sdk.ToString(d.Id), sdk.ToString(d.DomainName))))
	}
	if d == nil {
		return append(out, Fail(CheckCloudFrontPolicyGrant, nPolicy, "no distribution to grant"))
	}
	arn := cloudFrontARN(r.AccountID(), sdk.ToString(d.Id))
	live, err := r.AWS.S3In(a.Region).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &a.Bucket})
	if err != nil {
		return append(out, Fail(CheckCloudFrontPolicyGrant, nPolicy, aws.Explain(err).Error()))
	}
	if why := CloudFrontGrantDiffers(sdk.ToString(live.Policy), a.Bucket, a.PublicReadPrefixes(), arn); why != "" {
		return append(out, Fail(CheckCloudFrontPolicyGrant, nPolicy, why+": run apply"))
	}
	return append(out, Pass(CheckCloudFrontPolicyGrant, nPolicy, "cloudfront.amazonaws.com, AWS:SourceArn "+arn))
}

// CloudFrontGrantDiffers says how the live bucket policy's CloudFront
// statement differs from the one AWS documents for OAC, for this
// distribution and these prefixes ("" when it does not).
func CloudFrontGrantDiffers(live, bucket string, prefixes []string, distributionARN string) string {
	var doc struct{ Statement []json.RawMessage }
	if err := json.Unmarshal([]byte(live), &doc); err != nil {
		return "the bucket policy is not JSON"
	}
	for _, raw := range doc.Statement {
		var s struct{ Sid string }
		if json.Unmarshal(raw, &s) != nil || s.Sid != policy.SidCloudFrontRead {
			continue
		}
		want := policy.Document{Version: "2012-10-17", Statement: []policy.Statement{policy.CloudFrontRead(bucket, prefixes, distributionARN)}}
		got := `{"Version":"2012-10-17","Statement":[` + string(raw) + `]}`
		if !policy.Equal(got, want.JSON()) {
			return "the statement " + policy.SidCloudFrontRead + " differs from the wanted one"
		}
		return ""
	}
	return "the bucket policy has no statement " + policy.SidCloudFrontRead
}

// kmsKeyManualStep is the hand-off's step for an SSE-KMS customer key
// behind CloudFront: the key policy statement AWS documents for OAC.
func kmsKeyManualStep(key, distributionARN string) string {
	b, _ := json.Marshal(policy.CloudFrontKeyStatement(distributionARN))
	return fmt.Sprintf("Add to the key policy of KMS key %s this statement, so CloudFront can read SSE-KMS objects under the public prefixes (AWS: Restrict access to an Amazon S3 origin, SSE-KMS): %s", key, b)
}

// CloudFrontResources are the progress file's CloudFront entries (dropped
// once destroy deleted what they name).
var CloudFrontResources = []string{ResCloudFrontID, ResCloudFrontARN, ResCloudFrontDomain, ResCloudFrontOAC}

// DeleteOAC (used by destroy, once the distribution that used it is gone)
// deletes the env's origin access control; found is false when there was
// none.
func DeleteOAC(ctx context.Context, r *Run) (found bool, err error) {
	cl := r.AWS.CloudFront
	id, _, err := findOAC(ctx, r)
	if err != nil || id == "" {
		return false, err
	}
	got, err := cl.GetOriginAccessControl(ctx, &cloudfront.GetOriginAccessControlInput{Id: &id})
	if err == nil {
		_, err = cl.DeleteOriginAccessControl(ctx, &cloudfront.DeleteOriginAccessControlInput{Id: &id, IfMatch: got.ETag})
	}
	return true, err
}

// DeleteDistribution (used by destroy, whose inventory decided it goes)
// deletes the env's distribution. CloudFront deletes only a disabled
// distribution once that change is Deployed, with its current ETag: it is
// disabled, waited for, then deleted. Each run starts from what is live, so
// an interrupted destroy resumes (a disabled distribution still deploying
// is waited for again). None found is success.
func DeleteDistribution(ctx context.Context, r *Run, say func(string)) error {
	cl := r.AWS.CloudFront
	d, _, err := findDistribution(ctx, r)
	if err != nil || d == nil {
		return err
	}
	id := sdk.ToString(d.Id)
	cfg, err := cl.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: &id})
	if err != nil {
		return err
	}
	if sdk.ToBool(cfg.DistributionConfig.Enabled) {
		c := cfg.DistributionConfig
		c.Enabled = sdk.Bool(false)
		if _, err := cl.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: &id, IfMatch: cfg.ETag, DistributionConfig: c}); err != nil {
			return fmt.Errorf("disable %s: %w", id, err)
		}
		say("disabled CloudFront distribution " + id + " (CloudFront deletes only a disabled distribution, once Deployed)")
	}
	if err := waitDeployed(ctx, cl, id, CloudFrontPollEvery, CloudFrontWaitBudget, say); err != nil {
		return err
	}
	// The ETag of the disabled, deployed distribution.
	cur, err := cl.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: &id})
	if err != nil {
		return err
	}
	if _, err := cl.DeleteDistribution(ctx, &cloudfront.DeleteDistributionInput{Id: &id, IfMatch: cur.ETag}); err != nil {
		return err
	}
	say("deleted CloudFront distribution " + id)
	return nil
}
