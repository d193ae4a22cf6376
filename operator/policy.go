// Package operator is the least IAM policy the person running the wizard
// needs (`s3wizard operator-policy`), derived from the operations the wizard
// can call (aws.OperatorActions) and the names the steps give this env's
// resources.
package operator

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/steps"
)

// Policy is the least IAM policy the person running the wizard
// needs for these answers: apply, plan, check, doctor's clean-up,
// rotate-keys, docs and destroy. Its actions come from the operations the
// wizard can call (aws.Operations, the per-service interfaces) through
// aws.OperatorActions; its resources are this env's. account may be "" (not
// known yet): ARNs then match any account, which grants nothing more, since
// a policy only ever acts in its own account.
func Policy(a *config.Answers, account string) (policy.Document, error) {
	if !a.UsesAccessKeys() && !a.UsesInstanceRole() {
		return policy.Document{}, fmt.Errorf("credentials %q: the wizard creates no IAM resource for it, so there is no operator policy to give", a.Credentials)
	}
	if account == "" {
		account = "*"
	}
	doc := policy.Document{Version: "2012-10-17", Statement: statements(scopes(a, account), scopeActions())}
	if a.Encryption == config.EncSSEKMS {
		// check and rotate-keys write, read and delete probe objects, which
		// SSE-KMS encrypts with the key.
		doc.Statement = append(doc.Statement, policy.Statement{Sid: "BucketKey", Effect: "Allow",
			Action: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: []string{kmsKeyResource(a, account)}})
	}
	return doc, nil
}

// scoped is the statement of one aws.Scope: its Sid, its resources, whether
// these answers need it, and its condition.
type scoped struct {
	sid       string
	resources []string
	when      bool
	condition map[string]any
}

// scopes is each scope's statement for these answers in account ("*" when
// not known).
func scopes(a *config.Answers, account string) map[aws.Scope]scoped {
	iamARN := func(kind, name string) string { return fmt.Sprintf("arn:aws:iam::%s:%s/%s", account, kind, name) }
	bucketARNs, objectARNs := bucketResources(a)
	keys := a.UsesAccessKeys()
	role := a.UsesInstanceRole()
	eb := role && a.EBEnvironment != ""
	policyARN := steps.PolicyARN(a, account)
	return map[aws.Scope]scoped{
		aws.ScopeAccount: {"AccountReads", []string{"*"}, true, nil},
		aws.ScopeBucket:  {"Buckets", bucketARNs, true, nil},
		aws.ScopeObject:  {"Objects", objectARNs, true, nil},
		aws.ScopeUser:    {"AppUser", []string{iamARN("user", a.IAMUser)}, keys, nil},
		aws.ScopeGroup:   {"AppGroup", []string{iamARN("group", steps.GroupName(a))}, keys, nil},
		// Only the wizard's policies may be attached: without the
		// condition, whoever holds this policy could attach
		// AdministratorAccess to a group they put themselves in.
		aws.ScopeGroupPolicy: {"AppGroupPolicies", []string{iamARN("group", steps.GroupName(a))}, keys,
			map[string]any{"ArnEquals": map[string]any{"iam:PolicyARN": []string{policyARN, steps.FullAccessARN}}}},
		aws.ScopePolicy: {"AppPolicy", []string{policyARN}, keys, nil},
		aws.ScopeRole:   {"InstanceRole", []string{iamARN("role", a.RoleName)}, role, nil},
		// destroy detaches the web tier policy from a role it made (older
		// versions attached it on plain EC2 too); only an Elastic Beanstalk
		// instance needs it attached.
		aws.ScopeRolePolicy: {"InstanceRoleDetachWebTier", []string{iamARN("role", a.RoleName)}, role,
			map[string]any{"ArnEquals": map[string]any{"iam:PolicyARN": []string{steps.EBWebTierARN}}}},
		aws.ScopeRolePolicyAttach: {"InstanceRoleAttachWebTier", []string{iamARN("role", a.RoleName)}, eb,
			map[string]any{"ArnEquals": map[string]any{"iam:PolicyARN": []string{steps.EBWebTierARN}}}},
		// The role goes to EC2 only (the instance profile, the EB environment).
		aws.ScopePassRole: {"PassInstanceRole", []string{iamARN("role", a.RoleName)}, role,
			map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ec2.amazonaws.com"}}},
		aws.ScopeInstanceProfile: {"InstanceProfile", []string{iamARN("instance-profile", a.RoleName)}, role, nil},
		aws.ScopeAlarm: {"Alarms", []string{
			fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", a.Region, account, steps.SizeAlarmName(a.Bucket)),
			fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", a.Region, account, steps.ObjectsAlarmName(a.Bucket)),
		}, true, nil},
		// The account's budget, and the per-bucket one older versions made
		// (deleted when found).
		aws.ScopeTopic: {"AlarmTopic", []string{steps.AlarmTopicARN(a, account)}, true, nil},
		aws.ScopeBudget: {"Budget", []string{
			fmt.Sprintf("arn:aws:budgets::%s:budget/%s", account, steps.BudgetName),
			fmt.Sprintf("arn:aws:budgets::%s:budget/%s-monthly", account, a.Bucket),
		}, true, nil},
		// CloudFront's resources are global (no region in the ARN).
		aws.ScopeDistribution:        {"CloudFrontDistribution", []string{fmt.Sprintf("arn:aws:cloudfront::%s:distribution/*", account)}, a.ServedByCloudFront(), nil},
		aws.ScopeOriginAccessControl: {"CloudFrontOriginAccessControl", []string{fmt.Sprintf("arn:aws:cloudfront::%s:origin-access-control/*", account)}, a.ServedByCloudFront(), nil},
		aws.ScopeEBEnvironment:       {"ElasticBeanstalk", []string{fmt.Sprintf("arn:aws:elasticbeanstalk:%s:%s:environment/*/%s", a.Region, account, a.EBEnvironment)}, eb, nil},
	}
}

// bucketResources are the ARNs of this env's buckets (the media bucket, and
// its log bucket when access logs are on) and of their objects.
func bucketResources(a *config.Answers) (bucketARNs, objectARNs []string) {
	buckets := []string{a.Bucket}
	if a.AccessLogs {
		buckets = append(buckets, steps.LogBucketName(a.Bucket))
	}
	for _, b := range buckets {
		bucketARNs = append(bucketARNs, "arn:aws:s3:::"+b)
		objectARNs = append(objectARNs, "arn:aws:s3:::"+b+"/*")
	}
	return bucketARNs, objectARNs
}

// scopeActions are the IAM actions of every operation the wizard can call,
// by the scope of their resources (an operation's extra actions under
// theirs).
func scopeActions() map[aws.Scope][]string {
	actions := map[aws.Scope][]string{}
	for _, op := range aws.Operations() {
		p := aws.OperatorActions[op]
		if p.Scope == aws.ScopeNone {
			continue
		}
		actions[p.Scope] = append(actions[p.Scope], p.Actions...)
		for _, n := range p.Also {
			actions[n.Scope] = append(actions[n.Scope], n.Action)
		}
	}
	return actions
}

// statements are the Allow statements, in the scopes' order, of the scopes
// these answers need that have actions; each statement's actions sorted,
// without duplicates.
func statements(scopes map[aws.Scope]scoped, actions map[aws.Scope][]string) []policy.Statement {
	var out []policy.Statement
	for _, s := range slices.Sorted(maps.Keys(scopes)) {
		sc := scopes[s]
		acts := actions[s]
		if !sc.when || len(acts) == 0 {
			continue
		}
		sort.Strings(acts)
		out = append(out, policy.Statement{
			Sid: sc.sid, Effect: "Allow", Action: slices.Compact(acts), Resource: sc.resources, Condition: sc.condition,
		})
	}
	return out
}

// kmsKeyResource is the KMS key the bucket's SSE-KMS uses, as IAM scopes
// it: the key's ARN, or any key of the region.
func kmsKeyResource(a *config.Answers, account string) string {
	key := a.KMSKeyID
	isAlias := func(k string) bool { _, ok := config.KMSAlias(k); return ok }
	switch {
	case key == "" || isAlias(key):
		// The AWS managed key, or a key named by its alias: IAM
		// scopes KMS permissions by key, not by alias.
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/*", a.Region, account)
	case !strings.HasPrefix(key, "arn:"):
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", a.Region, account, key)
	}
	return key
}
