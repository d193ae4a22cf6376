package steps

import (
	"context"
	"fmt"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/policy"
)

const (
	kmsUnsignedWarning = "SSE-KMS: objects encrypted with a KMS key can only be read by signed requests from principals allowed to use the key, so they cannot be served unsigned (anonymous or public URLs answer 400/403)"
	sseS3DefaultNotice = "SSE-S3 (AES-256) has applied to every new object by default since January 2023; the wizard sets it explicitly so the bucket's intent is visible and audited"
)

// WantedEncryption is the media bucket's default encryption rule.
func WantedEncryption(a *config.Answers) types.ServerSideEncryptionRule {
	if a.Encryption == config.EncSSEKMS {
		rule := types.ServerSideEncryptionRule{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms},
			// Bucket Keys cut KMS requests (and their cost) by orders of magnitude.
			BucketKeyEnabled: sdk.Bool(true),
		}
		if a.KMSKeyID != "" {
			rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID = sdk.String(a.KMSKeyID)
		}
		return rule
	}
	return sseS3Rule()
}

func sseS3Rule() types.ServerSideEncryptionRule {
	return types.ServerSideEncryptionRule{
		ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
	}
}

func planEncryption(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	want := WantedEncryption(a)
	if a.Encryption == config.EncSSEKMS {
		if pub := a.PublicReadPrefixes(); len(pub) > 0 {
			p.Notice("%s. The public files (%s) are therefore written SSE-S3: the generated public and static storages ask for ServerSideEncryption AES256 on every upload, which overrides the bucket's default, and the public step proves it. Files put there by other means (console, CLI) get SSE-KMS and answer 403 to anonymous readers: upload them with --sse AES256", kmsUnsignedWarning, strings.Join(pub, ", "))
		} else {
			p.Warn("%s: keep every media file private (signed URLs) while SSE-KMS is on", kmsUnsignedWarning)
		}
		if a.KMSKeyID == "" {
			p.Notice("SSE-KMS without kms_key_id uses the AWS-managed key aws/s3: no key policy to manage, but it cannot be shared with other accounts")
		} else {
			p.Notice("SSE-KMS with key %s and S3 Bucket Keys; the app's policy is granted kms:GenerateDataKey and kms:Decrypt on it, only through %s (kms:ViaService) (the key's own policy must allow this account's IAM policies)", a.KMSKeyID, policy.S3Service(a.Region))
			if alias, ok := config.KMSAlias(a.KMSKeyID); ok {
				p.Notice("kms_key_id names the key by its alias %s: the app's policy allows the account's keys in %s that carry this alias (kms:ResourceAliases); moving the alias to another key moves the bucket's default encryption and the grant with it (KMS takes up to 5 minutes to apply an alias change)", alias, a.Region)
			}
		}
	} else if !compatible(a) {
		p.Notice("%s", sseS3DefaultNotice)
	}
	label := "default encryption " + DescribeEncryption(a)
	if reason := r.refusal(refusedEncryption); reason != "" {
		p.Notice("%s", skippedLine(label, reason))
		return nil
	}
	live, err := liveEncryption(ctx, cl, a.Bucket)
	if r.planRefusal(p, err, refusedEncryption, label) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read default encryption of %s: %w", a.Bucket, err)
	}
	if sameEncryption(live, want, kmsKeyARN(r)) {
		return nil
	}
	act := putEncryptionAction(cl, a.Bucket, want, encryptionSummary(a))
	act.Do = r.orRefused(act.Do, "protection", refusedEncryption, label)
	p.Add(act)
	return nil
}

// What an S3-compatible provider may refuse of protection (ProviderRefusedPrefix).
const (
	refusedEncryption = "encryption"
	refusedVersioning = "versioning"
	refusedLifecycle  = "lifecycle"
)

func encryptionSummary(a *config.Answers) string {
	return "default encryption " + DescribeEncryption(a) + " on " + a.Bucket
}

// DescribeEncryption is the wanted default encryption, for people.
func DescribeEncryption(a *config.Answers) string {
	if a.Encryption == config.EncSSEKMS {
		key := a.KMSKeyID
		if key == "" {
			key = "aws/s3"
		}
		return fmt.Sprintf("SSE-KMS (key %s, Bucket Keys on)", key)
	}
	return "SSE-S3 (AES-256)"
}

func putEncryptionAction(cl aws.S3API, bucket string, rule types.ServerSideEncryptionRule, summary string) *Action {
	return &Action{Summary: summary, Calls: []string{"s3:PutBucketEncryption"},
		Do: func(ctx context.Context) error {
			_, err := cl.PutBucketEncryption(conflict.In(ctx), &s3.PutBucketEncryptionInput{Bucket: &bucket,
				ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{rule}}})
			return err
		}}
}

// liveEncryption returns the bucket's first default-encryption rule (nil:
// none, or the bucket does not exist yet).
func liveEncryption(ctx context.Context, cl aws.S3API, bucket string) (*types.ServerSideEncryptionRule, error) {
	out, err := cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &bucket})
	if err != nil {
		if aws.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) == 0 {
		return nil, nil
	}
	return &out.ServerSideEncryptionConfiguration.Rules[0], nil
}

func sameEncryption(live *types.ServerSideEncryptionRule, want types.ServerSideEncryptionRule, wantKeyARN string) bool {
	if live == nil || live.ApplyServerSideEncryptionByDefault == nil {
		return false
	}
	l, w := live.ApplyServerSideEncryptionByDefault, want.ApplyServerSideEncryptionByDefault
	if l.SSEAlgorithm != w.SSEAlgorithm {
		return false
	}
	if w.SSEAlgorithm != types.ServerSideEncryptionAwsKms {
		return true
	}
	return sdk.ToBool(live.BucketKeyEnabled) == sdk.ToBool(want.BucketKeyEnabled) &&
		sameKMSKey(sdk.ToString(l.KMSMasterKeyID), sdk.ToString(w.KMSMasterKeyID), wantKeyARN)
}

// sameKMSKey compares key references: S3 may hand back the ARN of a key that
// was given by ID.
func sameKMSKey(live, want, wantARN string) bool {
	switch {
	case live == want:
		return true
	case live == "" || want == "":
		return false
	case live == wantARN:
		return true
	case strings.HasPrefix(want, "alias/") && strings.HasSuffix(live, ":"+want):
		// An alias given by name, handed back as its ARN.
		return true
	}
	return strings.HasSuffix(live, "/"+want) || strings.HasSuffix(want, "/"+live)
}
