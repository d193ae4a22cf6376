// Package operator is the least IAM policy the person running the wizard
// needs (`s3wizard operator-policy`), derived from the operations the wizard
// can call (aws.OperatorActions) and the names the steps give this env's
// resources.
package operator

import (
	"fmt"
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
	iamARN := func(kind, name string) string { return fmt.Sprintf("arn:aws:iam::%s:%s/%s", account, kind, name) }
	buckets := []string{a.Bucket}
	if a.AccessLogs {
		buckets = append(buckets, steps.LogBucketName(a.Bucket))
	}
	var bucketARNs, objectARNs []string
	for _, b := range buckets {
		bucketARNs = append(bucketARNs, "arn:aws:s3:::"+b)
		objectARNs = append(objectARNs, "arn:aws:s3:::"+b+"/*")
	}
	keys := a.UsesAccessKeys()
	role := a.UsesInstanceRole()
	policyARN := steps.PolicyARN(a, account)

	type scoped struct {
		sid       string
		resources []string
		when      bool
		condition map[string]any
	}
	scopes := map[aws.Scope]scoped{
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
		aws.ScopeRolePolicyAttach: {"InstanceRoleAttachWebTier", []string{iamARN("role", a.RoleName)}, role && a.EBEnvironment != "",
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
		aws.ScopeEBEnvironment:       {"ElasticBeanstalk", []string{fmt.Sprintf("arn:aws:elasticbeanstalk:%s:%s:environment/*/%s", a.Region, account, a.EBEnvironment)}, role && a.EBEnvironment != "", nil},
	}
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
	doc := policy.Document{Version: "2012-10-17"}
	order := make([]aws.Scope, 0, len(scopes))
	for s := range scopes {
		order = append(order, s)
	}
	slices.Sort(order)
	for _, s := range order {
		sc := scopes[s]
		acts := actions[s]
		if !sc.when || len(acts) == 0 {
			continue
		}
		sort.Strings(acts)
		doc.Statement = append(doc.Statement, policy.Statement{
			Sid: sc.sid, Effect: "Allow", Action: slices.Compact(acts), Resource: sc.resources, Condition: sc.condition,
		})
	}
	if a.Encryption == config.EncSSEKMS {
		// check and rotate-keys write, read and delete probe objects, which
		// SSE-KMS encrypts with the key.
		key := a.KMSKeyID
		isAlias := func(k string) bool { _, ok := config.KMSAlias(k); return ok }
		switch {
		case key == "" || isAlias(key):
			// The AWS managed key, or a key named by its alias: IAM
			// scopes KMS permissions by key, not by alias.
			key = fmt.Sprintf("arn:aws:kms:%s:%s:key/*", a.Region, account)
		case !strings.HasPrefix(key, "arn:"):
			key = fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", a.Region, account, key)
		}
		doc.Statement = append(doc.Statement, policy.Statement{Sid: "BucketKey", Effect: "Allow",
			Action: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: []string{key}})
	}
	return doc, nil
}
