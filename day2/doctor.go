package day2

import (
	"context"
	"fmt"
	"net/http"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/steps"
)

// Doctor diagnoses the app's access with the app's own settings: the env
// file's bucket, region and keys (or, with an instance role, the default
// chain), the way django-storages will use them (guide section 10).
func Doctor(ctx context.Context, r *steps.Run) []steps.Check {
	return append(appAccessChecks(ctx, r), costChecks(ctx, r)...)
}

// appAccessChecks are the app's own view of its bucket (guide 10.1–10.3).
func appAccessChecks(ctx context.Context, r *steps.Run) []steps.Check {
	a := r.Answers
	env, err := envfile.Read(r.EnvFilePath())
	if err != nil {
		return []steps.Check{steps.Fail(steps.DoctorEnvFile, "env file readable", err.Error())}
	}
	named, bucket := bucketVarCheck(a, env[appconfig.EnvBucket])
	checks := []steps.Check{named}
	region := env[appconfig.EnvRegion]
	if region == "" {
		region = a.Region
	}
	instanceRole := a.UsesInstanceRole()
	cl, found, ok := appClients(ctx, r, env)
	checks = append(checks, found...)
	if !ok {
		return checks
	}
	found, region, stop := reachBucket(ctx, cl, bucket, region, !instanceRole)
	checks = append(checks, found...)
	if stop {
		return checks
	}
	s3c := cl.S3In(region)
	if instanceRole {
		checks = append(checks, instanceRoleObjectSkips()...)
	} else {
		checks = append(checks, appObjectChecks(ctx, r, s3c, bucket)...)
	}
	return append(checks, anonymousChecks(ctx, r, s3c, bucket)...)
}

// bucketVarCheck compares the env file's AWS_STORAGE_BUCKET_NAME with the
// bucket the wizard set up, and names the bucket the remaining checks use:
// the env file's, or the wizard's when the env file has none.
func bucketVarCheck(a *config.Answers, bucket string) (steps.Check, string) {
	switch {
	case bucket == "":
		return steps.Fail(steps.DoctorBucketVar, "AWS_STORAGE_BUCKET_NAME set", "missing in "+a.EnvFile+": run apply"), a.Bucket
	case bucket != a.Bucket:
		return steps.Fail(steps.DoctorBucketVar, "AWS_STORAGE_BUCKET_NAME matches", fmt.Sprintf("%s says %s, the wizard set up %s: a typo here gives 'bucket does not exist'", a.EnvFile, bucket, a.Bucket)), bucket
	default:
		return steps.Pass(steps.DoctorBucketVar, "AWS_STORAGE_BUCKET_NAME matches", bucket), bucket
	}
}

// appClients are the clients the remaining checks use: the env file's
// access key, accepted by STS where there is one, or with an instance role
// the operator's own. ok false: the app has no usable key, the remaining
// checks are pointless.
func appClients(ctx context.Context, r *steps.Run, env map[string]string) (cl *aws.Clients, checks []steps.Check, ok bool) {
	if r.Answers.UsesInstanceRole() {
		// The instance role's credentials exist only on the instance: the
		// operator's own credentials would prove nothing about the app.
		return r.AWS, []steps.Check{steps.Skip(steps.DoctorCredentials, "app credentials (instance role)", InstanceRoleCheck)}, true
	}
	id, secret := env[appconfig.EnvKeyID], env[appconfig.EnvSecret]
	if id == "" || secret == "" {
		return nil, []steps.Check{steps.Fail(steps.DoctorCredentials, "app access key in env file", "missing: run apply")}, false
	}
	cl, err := r.AWS.WithCredentials(ctx, id, secret)
	if err != nil {
		return nil, []steps.Check{steps.Fail(steps.DoctorCredentials, "app credentials", err.Error())}, false
	}
	const accepted = "app credentials accepted (sts:GetCallerIdentity)"
	if r.Answers.IsProvided() {
		return cl, []steps.Check{steps.Skip(steps.DoctorCredentials, accepted, "S3-compatible provider: no STS; the checks below use the env file's keys")}, true
	}
	who, err := r.Keys().CallerOfKey(ctx, cl, id)
	if err != nil {
		return nil, []steps.Check{steps.Fail(steps.DoctorCredentials, accepted, aws.Explain(err).Error())}, false
	}
	return cl, []steps.Check{steps.Pass(steps.DoctorCredentials, accepted, who)}, true
}

// reachBucket heads the bucket with the app's clients and names the region
// the remaining checks run in. stop: the remaining checks are pointless.
func reachBucket(ctx context.Context, cl *aws.Clients, bucket, region string, appCreds bool) (checks []steps.Check, where string, stop bool) {
	hb, err := cl.S3In(region).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket})
	var live string
	if err == nil {
		live = sdk.ToString(hb.BucketRegion)
	}
	checks, stop = headBucketChecks(bucket, region, live, err, appCreds)
	if stop {
		return checks, region, true
	}
	if live == "" {
		live = aws.BucketRegionFromError(err)
	}
	if live != "" && live != region {
		// The rest is checked where the bucket is, so a wrong region is
		// not also reported as missing permissions.
		region = live
	}
	return checks, region, false
}

// instanceRoleObjectSkips stand for the object checks, which need the
// instance role's credentials (only on the instance).
func instanceRoleObjectSkips() []steps.Check {
	var checks []steps.Check
	for _, c := range []struct {
		id   steps.CheckID
		name string
	}{
		{steps.DoctorMissingIs404, "missing file answers 404 (exists() works)"},
		{steps.DoctorList, "list media/"},
		{steps.DoctorProbe, "put/get/delete under media/ with the app's credentials"},
	} {
		checks = append(checks, steps.Skip(c.id, c.name, InstanceRoleCheck))
	}
	return checks
}

// appObjectChecks are what django-storages does with the app's key: HEAD a
// missing file (exists()), list media/, put/get/delete under media/.
func appObjectChecks(ctx context.Context, r *steps.Run, s3c aws.S3API, bucket string) []steps.Check {
	var checks []steps.Check
	missing := "media/.s3wizard-doctor-missing"
	_, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &missing})
	switch {
	case aws.IsNotFound(err):
		checks = append(checks, steps.Pass(steps.DoctorMissingIs404, "missing file answers 404 (exists() works)", ""))
	case err == nil:
		checks = append(checks, steps.Fail(steps.DoctorMissingIs404, "missing file answers 404 (exists() works)", "the probe key exists"))
	default:
		checks = append(checks, steps.Fail(steps.DoctorMissingIs404, "missing file answers 404 (exists() works)", fmt.Sprintf("HTTP %d: without s3:ListBucket, HEAD on a missing key is 403 and django-storages' exists() raises", aws.Status(err))))
	}
	if _, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: sdk.String("media/"), MaxKeys: sdk.Int32(5)}); err != nil {
		checks = append(checks, steps.Fail(steps.DoctorList, "list media/", aws.Explain(err).Error()))
	} else {
		checks = append(checks, steps.Pass(steps.DoctorList, "list media/", "files live under media/<folder>/ — filter the console by that exact prefix"))
	}
	return append(checks, r.Probe(ctx, s3c, bucket, "media/", steps.DoctorProbe, "put/get/delete under media/ with the app's credentials"))
}

// anonymousChecks verifies, with the app's own credentials for the upload,
// that each public prefix is readable anonymously.
func anonymousChecks(ctx context.Context, r *steps.Run, s3c aws.S3API, bucket string) []steps.Check {
	var checks []steps.Check
	hc := &http.Client{Timeout: 15 * time.Second}
	for _, pfx := range r.Answers.AnonymousPrefixes() { // not those CloudFront serves
		checks = append(checks, steps.AnonymousProbe(ctx, s3c, hc, r, bucket, pfx+".s3wizard-doctor-public-probe", http.StatusOK, steps.DoctorAnonymous, "anonymous read of "+pfx))
	}
	return checks
}

// InstanceRoleCheck is how to check an instance role's credentials: only on
// the instance, where boto3 must find the role and nothing before it.
const InstanceRoleCheck = "run on the instance: python3 -c 'import boto3; print(boto3.Session().get_credentials().method)' must print iam-role"

// headBucketChecks turns HeadBucket's answer into checks. live is the
// bucket's region from a successful HeadBucket ("" if unknown). A bucket in
// another region answers 301 or 400 with its region in the
// x-amz-bucket-region header: that is a wrong AWS_S3_REGION_NAME, not a
// missing permission. stop: the remaining checks are pointless.
func headBucketChecks(bucket, region, live string, err error, appCreds bool) (checks []steps.Check, stop bool) {
	if err != nil {
		live = aws.BucketRegionFromError(err)
	}
	mismatch := func() steps.Check {
		return steps.Fail(steps.DoctorRegion, "region matches", fmt.Sprintf("bucket is in %s, AWS_S3_REGION_NAME is %s: signed URLs will fail; set it to %s", live, region, live))
	}
	switch {
	case err == nil:
		checks = append(checks, steps.Pass(steps.DoctorBucket, "bucket reachable", bucket))
		if live != "" && live != region {
			checks = append(checks, mismatch())
		}
	case aws.IsNotFound(err):
		return []steps.Check{steps.Fail(steps.DoctorBucket, "bucket reachable", fmt.Sprintf("%s does not exist: a typo in AWS_STORAGE_BUCKET_NAME or a deleted bucket (not a region problem)", bucket))}, true
	case live != "" && live != region:
		checks = append(checks, mismatch())
	case aws.IsAccessDenied(err) && appCreds:
		checks = append(checks, steps.Fail(steps.DoctorBucket, "bucket reachable", aws.Explain(err).Error()+" — the app lacks s3:ListBucket on the bucket"))
	default:
		checks = append(checks, steps.Fail(steps.DoctorBucket, "bucket reachable", aws.Explain(err).Error()))
	}
	return checks, false
}

// versionPagesForCosts bounds the version listing of the cost checks (1,000
// versions a page): enough to see whether old versions pile up.
const versionPagesForCosts = 5

// costChecks is guide section 10.4 done live, with the operator's
// credentials (the app's key rightly cannot list versions or uploads):
// lifecycle rules present, incomplete multipart uploads, old versions.
func costChecks(ctx context.Context, r *steps.Run) []steps.Check {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	ours, foreign, err := steps.LiveLifecycle(ctx, cl, a.Bucket)
	if why := r.Refused(err); why != "" {
		return []steps.Check{steps.Skip(steps.DoctorLifecycle, "costs: lifecycle rules", why+": the provider's own lifecycle settings apply")}
	}
	if err != nil {
		return []steps.Check{steps.Fail(steps.DoctorLifecycle, "costs: lifecycle rules", aws.Explain(err).Error())}
	}
	rules := append(ours, foreign...)
	aborts, expiresOld := false, false
	for _, rule := range rules {
		aborts = aborts || rule.AbortIncompleteMultipartUpload != nil
		expiresOld = expiresOld || rule.NoncurrentVersionExpiration != nil
	}
	return []steps.Check{
		lifecycleCheck(len(rules), a.IsProvided()),
		multipartCheck(ctx, cl, a.Bucket, aborts),
		oldVersionsCheck(ctx, cl, a.Bucket, expiresOld),
	}
}

// lifecycleCheck says whether the bucket has lifecycle rules at all.
func lifecycleCheck(rules int, provided bool) steps.Check {
	switch {
	case rules == 0 && provided:
		return steps.Skip(steps.DoctorLifecycle, "costs: lifecycle rules", "none; the wizard leaves lifecycle to an S3-compatible provider's console (its support differs): expire uploads/ and incomplete uploads there")
	case rules == 0:
		return steps.Fail(steps.DoctorLifecycle, "costs: lifecycle rules", "none: uploads/, old versions and incomplete uploads are kept (and billed) forever — run apply")
	default:
		return steps.Pass(steps.DoctorLifecycle, "costs: lifecycle rules", fmt.Sprintf("%d rule(s)", rules))
	}
}

// multipartCheck fails on incomplete multipart uploads that no lifecycle
// rule aborts.
func multipartCheck(ctx context.Context, cl aws.S3API, bucket string, aborts bool) steps.Check {
	up, err := cl.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
	switch {
	case err != nil:
		return steps.Fail(steps.DoctorMultipart, "costs: incomplete multipart uploads", aws.Explain(err).Error())
	case len(up.Uploads) == 0:
		return steps.Pass(steps.DoctorMultipart, "costs: incomplete multipart uploads", "none")
	}
	detail := fmt.Sprintf("%d incomplete upload(s) hold billed storage", len(up.Uploads))
	if aborts {
		return steps.Pass(steps.DoctorMultipart, "costs: incomplete multipart uploads", detail+"; the lifecycle rule aborts them after a few days")
	}
	return steps.Fail(steps.DoctorMultipart, "costs: incomplete multipart uploads", detail+" and no rule aborts them: run apply")
}

// oldVersionsCheck counts old versions and delete markers on the first
// versionPagesForCosts pages, and fails when old versions pile up with no
// rule to expire them.
func oldVersionsCheck(ctx context.Context, cl aws.S3API, bucket string, expiresOld bool) steps.Check {
	var old, markers int
	var oldBytes int64
	pages := s3.NewListObjectVersionsPaginator(cl, &s3.ListObjectVersionsInput{Bucket: &bucket})
	for i := 0; i < versionPagesForCosts && pages.HasMorePages(); i++ {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return steps.Fail(steps.DoctorOldVersions, "costs: old versions", aws.Explain(err).Error())
		}
		for _, v := range page.Versions {
			if !sdk.ToBool(v.IsLatest) {
				old++
				oldBytes += sdk.ToInt64(v.Size)
			}
		}
		markers += len(page.DeleteMarkers)
	}
	detail := fmt.Sprintf("%d old version(s) (%.1f MB) and %d delete marker(s)", old, float64(oldBytes)/1e6, markers)
	if old > 0 && !expiresOld {
		return steps.Fail(steps.DoctorOldVersions, "costs: old versions", detail+" and no rule expires them: they are billed forever — run apply")
	}
	return steps.Pass(steps.DoctorOldVersions, "costs: old versions", detail)
}
