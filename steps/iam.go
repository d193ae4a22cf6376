package steps

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/state"
)

// FullAccessARN is AWS's managed AmazonS3FullAccess policy (s3:* on every
// bucket of the account): offered for tests only, never the default.
const FullAccessARN = "arn:aws:iam::aws:policy/AmazonS3FullAccess"

// Names derived from the answers for the IAM resources the wizard owns.
func GroupName(a *config.Answers) string  { return a.GroupName() }
func PolicyName(a *config.Answers) string { return a.PolicyName() }

// PolicyARN is the customer-managed policy's ARN in account.
func PolicyARN(a *config.Answers, account string) string {
	return fmt.Sprintf("arn:aws:iam::%s:policy/%s", account, PolicyName(a))
}

// AppPolicy is the least-privilege document for these answers.
func AppPolicy(a *config.Answers, kmsKeyARN string) policy.Document {
	return policy.App(a.Bucket, a.Prefixes(), kmsKeyARN, a.Region)
}

// iamStep creates the app's group, policy and user.
func iamStep() *Step {
	return &Step{
		ID:    "iam",
		Title: "Create the IAM user and its least-privilege policy",
		Guide: "French guide §5.1–5.2",
		Why:   "The app gets its own IAM user per environment, allowed to touch only its bucket's prefixes. The policy is attached to a group the user belongs to (AWS Security Hub IAM.2), and the user has no console password.",
		Departures: []string{
			"The guide's policy lists s3:HeadObject, which is not an IAM action (HEAD is allowed by s3:GetObject): the wizard leaves it out.",
			"The guide's policy grants s3:PutObjectAcl: since April 2023 new buckets have ACLs disabled and uploads carrying an ACL fail with AccessControlListNotSupported, so the wizard leaves it out.",
			"The guide grants objects on the whole bucket (votre-bucket/*); the wizard limits them to media/, uploads/ (and static/ when used), and adds s3:AbortMultipartUpload for large uploads.",
			"The guide attaches the policy to the user; the wizard attaches it to a per-environment group (Security Hub IAM.2).",
		},
		Keys:    []string{"iam_user", "iam_policy"},
		Needs:   []string{"preflight"},
		Enabled: accessKeys,
		Plan:    planIAM,
		Verify:  verifyIAM,
	}
}

func planIAM(ctx context.Context, r *Run) (*Plan, error) {
	a := r.Answers
	// The policy, the group and the user are made at once; an attachment or
	// a membership waits for what it joins (After).
	p := &Plan{Concurrent: true}
	group, user := GroupName(a), a.IAMUser
	wantARN := PolicyARN(a, r.AccountID())
	doc := AppPolicy(a, kmsKeyARN(r)).JSON()

	if a.IAMPolicy == config.PolicyFullAccess {
		wantARN = FullAccessARN
		p.Warn("iam_policy: full-access attaches AmazonS3FullAccess (s3:* on EVERY bucket of the account): fine for a throwaway test, not for production; use least-privilege")
	}
	// The policy, the group and the user are read at once (IAM is global and
	// far away); their actions keep this order: policy, group, user.
	policyPart := func(p *Plan) error {
		if a.IAMPolicy == config.PolicyFullAccess {
			return nil
		}
		return planPolicy(ctx, r, p, wantARN, doc)
	}
	groupPart := func(p *Plan) error { return planGroup(ctx, r, p, group, wantARN) }
	userPart := func(p *Plan) error { return planUser(ctx, r, p, user, group) }
	if err := planParts(p, policyPart, groupPart, userPart); err != nil {
		return nil, err
	}
	p.SetResource("iam_group", group)
	if p.Empty() {
		p.Notice("group %s, policy %s and user %s are as wanted", group, ARNName(wantARN), user)
	}
	return p, nil
}

// planGroup plans the app's group and its policy attachment; the group and
// its attached policies are read together.
func planGroup(ctx context.Context, r *Run, p *Plan, group, wantARN string) error {
	a := r.Answers
	cl := r.AWS.IAM
	attachedPolicies := async(func() (*iam.ListAttachedGroupPoliciesOutput, error) {
		return cl.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: &group})
	})
	_, err := cl.GetGroup(ctx, &iam.GetGroupInput{GroupName: &group})
	groupExists := err == nil
	if err != nil && !aws.IsNotFound(err) && !r.Offline {
		return fmt.Errorf("read group %s: %w", group, err)
	}
	if !groupExists {
		p.Add(&Action{Summary: "create IAM group " + group, Calls: []string{"iam:CreateGroup"},
			Do: func(ctx context.Context) error {
				// IAM groups take no tags: the record alone says the
				// wizard made it (a lost reply's retry counts as ours,
				// the plan having found the name free).
				return createOwned(r, state.KindIAMGroup, group, iamARN(r, "group", group), func() (bool, error) {
					_, err := cl.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: &group})
					return err == nil || aws.IsAlreadyExists(err), ignoreAlreadyExists(err)
				})
			}})
	} else {
		claimCreated(r, p, state.KindIAMGroup, group, "", "IAM group "+group, nil)
	}
	attached := map[string]bool{}
	if groupExists {
		out, err := attachedPolicies()
		if err != nil {
			return fmt.Errorf("list policies of group %s: %w", group, err)
		}
		for _, ap := range out.AttachedPolicies {
			attached[sdk.ToString(ap.PolicyArn)] = true
		}
	}
	if !attached[wantARN] {
		p.Add(&Action{Summary: fmt.Sprintf("attach %s to group %s", ARNName(wantARN), group), Calls: []string{"iam:AttachGroupPolicy"},
			After: []string{"iam:CreatePolicy", "iam:CreateGroup"},
			Do: func(ctx context.Context) error {
				// IAM may not know an entity created moments ago yet.
				_, err := cl.AttachGroupPolicy(aws.NewEntity.In(ctx), &iam.AttachGroupPolicyInput{GroupName: &group, PolicyArn: sdk.String(wantARN)})
				return err
			}})
	}
	// Switching between least-privilege and full access detaches the other.
	for _, other := range []string{FullAccessARN, PolicyARN(a, r.AccountID())} {
		if other != wantARN && attached[other] {
			p.Add(&Action{Summary: fmt.Sprintf("detach %s from group %s", ARNName(other), group), Calls: []string{"iam:DetachGroupPolicy"},
				Do: func(ctx context.Context) error {
					_, err := cl.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: &group, PolicyArn: sdk.String(other)})
					return err
				}})
		}
	}
	return nil
}

// planUser plans the app's user, its membership of group and the warnings
// about an adopted user; all of it is read together.
func planUser(ctx context.Context, r *Run, p *Plan, user, group string) error {
	cl := r.AWS.IAM
	loginProfile := async(func() (*iam.GetLoginProfileOutput, error) {
		return cl.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: &user})
	})
	userPolicies := async(func() (*iam.ListAttachedUserPoliciesOutput, error) {
		return cl.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: &user})
	})
	userGroups := async(func() (*iam.ListGroupsForUserOutput, error) {
		return cl.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: &user})
	})
	uout, err := cl.GetUser(ctx, &iam.GetUserInput{UserName: &user})
	userExists := err == nil
	if err != nil && !aws.IsNotFound(err) && !r.Offline {
		return fmt.Errorf("read user %s: %w", user, err)
	}
	inGroup := false
	if userExists {
		if err := planExistingUser(r, p, user, uout.User, loginProfile, userPolicies); err != nil {
			return err
		}
		out, err := userGroups()
		if err != nil {
			return fmt.Errorf("list groups of %s: %w", user, err)
		}
		for _, g := range out.Groups {
			if sdk.ToString(g.GroupName) == group {
				inGroup = true
			}
		}
	} else {
		p.Add(createUserAction(r, user))
	}
	if !inGroup {
		p.Add(&Action{Summary: fmt.Sprintf("add %s to group %s", user, group), Calls: []string{"iam:AddUserToGroup"},
			After: []string{"iam:CreateGroup", "iam:CreateUser"},
			Do: func(ctx context.Context) error {
				// IAM may not know an entity created moments ago yet.
				_, err := cl.AddUserToGroup(aws.NewEntity.In(ctx), &iam.AddUserToGroupInput{GroupName: &group, UserName: &user})
				return err
			}})
	}
	return nil
}

// createUserAction creates the app's IAM user, recorded as the wizard's.
func createUserAction(r *Run, user string) *Action {
	a := r.Answers
	cl := r.AWS.IAM
	return &Action{Summary: "create IAM user " + user + " (programmatic access only)", Calls: []string{"iam:CreateUser"},
		Do: func(ctx context.Context) error {
			return createOwnedIAM(r, state.KindIAMUser, user, iamARN(r, "user", user), "user "+user,
				func() error {
					out, err := cl.CreateUser(ctx, &iam.CreateUserInput{UserName: &user, Tags: iamTags(a)})
					if err == nil {
						r.State.SetResource("iam_user_arn", sdk.ToString(out.User.Arn))
					}
					return err
				},
				func() ([]iamtypes.Tag, error) {
					got, err := cl.GetUser(ctx, &iam.GetUserInput{UserName: &user})
					if err != nil {
						return nil, err
					}
					return got.User.Tags, nil
				})
		}}
}

// createOwnedIAM creates the IAM entity kind/name (what names it in
// errors) with this env's tags, the intent saved first (createOwned).
// "Already exists" after the intent is a lost reply the SDK retried: the
// entity is ours if it carries this env's tags (only the create call gives
// them), which liveTags reads back.
func createOwnedIAM(r *Run, kind, name, arn, what string, create func() error, liveTags func() ([]iamtypes.Tag, error)) error {
	return createOwned(r, kind, name, arn, func() (bool, error) {
		err := create()
		if aws.IsAlreadyExists(err) {
			tags, gerr := liveTags()
			if gerr != nil {
				return false, fmt.Errorf("%s already existed when created: %w", what, gerr)
			}
			return TaggedOurs(r.Answers, IAMTagMap(tags)), nil
		}
		return err == nil, err
	})
}

// planExistingUser checks the user found (not another project's), claims
// or adopts it, and warns of what an app user should not have (a console
// password, policies attached directly).
func planExistingUser(r *Run, p *Plan, user string, u *iamtypes.User,
	loginProfile func() (*iam.GetLoginProfileOutput, error), userPolicies func() (*iam.ListAttachedUserPoliciesOutput, error)) error {
	a := r.Answers
	p.SetResource("iam_user_arn", sdk.ToString(u.Arn))
	tags := IAMTagMap(u.Tags)
	if owner := ForeignOwner(a, tags); owner != "" {
		return ForeignError("IAM user "+user, a, owner)
	}
	if !claimCreated(r, p, state.KindIAMUser, user, sdk.ToString(u.Arn), "IAM user "+user, tags) {
		p.Notice("IAM user %s already exists: adopting it (destroy keeps it; only the keys env %s made are deleted)", user, a.Env)
	}
	if _, err := loginProfile(); err == nil {
		p.Warn("user %s has a console password: an app user needs programmatic access only; delete its login profile (IAM → Users → %s → Security credentials)", user, user)
	}
	if out, err := userPolicies(); err == nil && len(out.AttachedPolicies) > 0 {
		p.Warn("user %s has policies attached directly; attach them to a group instead (Security Hub IAM.2)", user)
	}
	return nil
}

// planPolicy creates the customer-managed policy, or a new default version
// when the live document differs (IAM keeps at most 5 versions).
func planPolicy(ctx context.Context, r *Run, p *Plan, arn, doc string) error {
	name := ARNName(arn)
	if err := checkPolicy(ctx, r, p, policy.Identity, "least-privilege policy "+name, doc, ""); err != nil {
		return err
	}
	live, version, err := livePolicy(ctx, r, arn)
	if aws.IsNotFound(err) || err != nil && r.Offline {
		p.Add(createPolicyAction(r, arn, doc))
		return nil
	}
	if err != nil {
		return fmt.Errorf("read policy %s: %w", name, err)
	}
	tags, err := unrecordedPolicyTags(ctx, r, arn)
	if err != nil {
		return err
	}
	// A pending intent becomes created; a new policy is claimed (tagged)
	// or adopted; an adopted one's document is never rewritten.
	if !claimCreated(r, p, state.KindIAMPolicy, name, arn, "policy "+name, tags) && !policy.Equal(live, doc) {
		return fmt.Errorf("policy %s already exists with another document, and it is not the wizard's (no record of creating it, no %s tag): the wizard never rewrites someone else's policy; delete or rename it, or change app/env so the derived name differs", name, TagProject)
	}
	p.SetResource("policy_arn", arn)
	if policy.Equal(live, doc) {
		p.SetResource(PolicyVersionResource, version)
		return nil
	}
	p.Add(updatePolicyAction(r, arn, doc))
	return nil
}

// unrecordedPolicyTags reads the tags of a policy whose ownership the
// progress file does not record (nil when it does), and refuses another
// project's.
func unrecordedPolicyTags(ctx context.Context, r *Run, arn string) (map[string]string, error) {
	name := ARNName(arn)
	if _, recorded := r.ownership(state.KindIAMPolicy, name); recorded {
		return nil, nil
	}
	pol, err := r.AWS.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})
	if err != nil {
		return nil, fmt.Errorf("read policy %s: %w", name, err)
	}
	tags := IAMTagMap(pol.Policy.Tags)
	if owner := ForeignOwner(r.Answers, tags); owner != "" {
		return nil, ForeignError("policy "+name, r.Answers, owner)
	}
	return tags, nil
}

// createPolicyAction creates the least-privilege policy, recorded as the
// wizard's with its version.
func createPolicyAction(r *Run, arn, doc string) *Action {
	cl := r.AWS.IAM
	name := ARNName(arn)
	return &Action{Summary: "create least-privilege policy " + name, Calls: []string{"iam:CreatePolicy"},
		Do: func(ctx context.Context) error {
			return createOwnedIAM(r, state.KindIAMPolicy, name, arn, "policy "+name,
				func() error {
					out, err := createPolicy(ctx, cl, &iam.CreatePolicyInput{PolicyName: &name, PolicyDocument: &doc, Tags: iamTags(r.Answers),
						Description: sdk.String("s3wizard: Django app access to its S3 bucket prefixes")})
					if err == nil {
						r.State.SetResource("policy_arn", arn)
						r.State.SetResource(PolicyVersionResource, sdk.ToString(out.Policy.DefaultVersionId))
					}
					return err
				},
				func() ([]iamtypes.Tag, error) {
					got, err := cl.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})
					if err != nil {
						return nil, err
					}
					return got.Policy.Tags, nil
				})
		}}
}

// updatePolicyAction makes doc the policy's new default version, first
// deleting its oldest non-default version when it has IAM's five.
func updatePolicyAction(r *Run, arn, doc string) *Action {
	cl := r.AWS.IAM
	name := ARNName(arn)
	return &Action{Summary: "update policy " + name + " (new default version)", Calls: []string{"iam:ListPolicyVersions", "iam:DeletePolicyVersion", "iam:CreatePolicyVersion"},
		Do: func(ctx context.Context) error {
			vs, err := cl.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: &arn})
			if err != nil {
				return err
			}
			if len(vs.Versions) >= 5 {
				old := vs.Versions
				sort.Slice(old, func(i, j int) bool { return old[i].CreateDate.Before(*old[j].CreateDate) })
				for _, ov := range old {
					if !ov.IsDefaultVersion {
						if _, err := cl.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: &arn, VersionId: ov.VersionId}); err != nil {
							return err
						}
						break
					}
				}
			}
			out, err := createPolicyVersion(ctx, cl, &iam.CreatePolicyVersionInput{PolicyArn: &arn, PolicyDocument: &doc, SetAsDefault: true})
			if err == nil {
				r.State.SetResource(PolicyVersionResource, sdk.ToString(out.PolicyVersion.VersionId))
			}
			return err
		}}
}

// PolicyVersionResource records the ID of the least-privilege policy's
// default version: the next run asks for that version directly (see
// livePolicy). Only a hint: a wrong or stale ID costs a read, nothing else.
const PolicyVersionResource = "policy_default_version"

// recordedPolicyVersion is the default version of policy arn that the
// progress file records ("" when it records none, or for another policy).
func recordedPolicyVersion(r *Run, arn string) string {
	if r.State == nil || r.State.Resource("policy_arn") != arn {
		return ""
	}
	return r.State.Resource(PolicyVersionResource)
}

// livePolicy reads the document and the ID of the default version of the
// customer-managed policy arn.
//
// GetPolicy then GetPolicyVersion is two round trips to IAM, one after the
// other. When the progress file records the version that was the default
// (PolicyVersionResource, for this same policy), that version is asked for
// at once: IAM's answer says whether it is still the default
// (IsDefaultVersion). When it is not (a version made since, by hand or by
// another run), when it is gone, or when that read fails, the policy's
// current default is read the usual way, so a stale record never makes a
// wrong document count as the live one.
func livePolicy(ctx context.Context, r *Run, arn string) (doc, version string, err error) {
	cl := r.AWS.IAM
	if v := recordedPolicyVersion(r, arn); v != "" {
		out, err := cl.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: &arn, VersionId: &v})
		if err == nil && out.PolicyVersion != nil && out.PolicyVersion.IsDefaultVersion {
			doc, err := url.QueryUnescape(sdk.ToString(out.PolicyVersion.Document))
			return doc, v, err
		}
	}
	pol, err := cl.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})
	if err != nil {
		return "", "", err
	}
	out, err := cl.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: &arn, VersionId: pol.Policy.DefaultVersionId})
	if err != nil {
		return "", "", err
	}
	doc, err = url.QueryUnescape(sdk.ToString(out.PolicyVersion.Document))
	return doc, sdk.ToString(pol.Policy.DefaultVersionId), err
}

func verifyIAM(ctx context.Context, r *Run) []Check {
	a := r.Answers
	cl := r.AWS.IAM
	group := GroupName(a)
	var checks []Check
	// The user, its groups and the policy are read together.
	userGroups := async(func() (*iam.ListGroupsForUserOutput, error) {
		return cl.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: &a.IAMUser})
	})
	arn := PolicyARN(a, r.AccountID())
	liveDoc := async(func() (string, error) {
		if a.IAMPolicy == config.PolicyFullAccess {
			return "", nil
		}
		doc, _, err := livePolicy(ctx, r, arn)
		return doc, err
	})
	if _, err := cl.GetUser(ctx, &iam.GetUserInput{UserName: &a.IAMUser}); err != nil {
		return []Check{Fail(CheckIAMUser, "IAM user "+a.IAMUser, aws.Explain(err).Error())}
	}
	checks = append(checks, Pass(CheckIAMUser, "IAM user "+a.IAMUser, ""))
	out, err := userGroups()
	in := false
	if err == nil {
		for _, g := range out.Groups {
			in = in || sdk.ToString(g.GroupName) == group
		}
	}
	if in {
		checks = append(checks, Pass(CheckIAMGroup, "user in group "+group, ""))
	} else {
		checks = append(checks, Fail(CheckIAMGroup, "user in group "+group, "the user is not a member of the group"))
	}
	if a.IAMPolicy == config.PolicyFullAccess {
		return append(checks, Fail(CheckIAMPolicy, "least-privilege policy", "AmazonS3FullAccess is attached: not for production"))
	}
	live, err := liveDoc()
	if err != nil {
		return append(checks, Fail(CheckIAMPolicy, "least-privilege policy", aws.Explain(err).Error()))
	}
	if policy.Equal(live, AppPolicy(a, kmsKeyARN(r)).JSON()) {
		checks = append(checks, Pass(CheckIAMPolicy, "least-privilege policy", PolicyName(a)))
	} else {
		checks = append(checks, Fail(CheckIAMPolicy, "least-privilege policy", "the live policy differs from the wanted one: run apply"))
	}
	return checks
}

// kmsKeyARN is the SSE-KMS key the app must be allowed to use, if any
// (the alias's ARN when kms_key_id names the key by alias).
func kmsKeyARN(r *Run) string {
	a := r.Answers
	if a.Encryption != config.EncSSEKMS || a.KMSKeyID == "" {
		return ""
	}
	if arn.IsARN(a.KMSKeyID) {
		return a.KMSKeyID
	}
	if alias, ok := config.KMSAlias(a.KMSKeyID); ok {
		// The alias's ARN: policy.App scopes the grant by alias.
		return fmt.Sprintf("arn:aws:kms:%s:%s:%s", a.Region, r.AccountID(), alias)
	}
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", a.Region, r.AccountID(), a.KMSKeyID)
}

// ARNName is the name at the end of an ARN's resource
// ("arn:aws:iam::aws:policy/AmazonS3FullAccess" → "AmazonS3FullAccess").
func ARNName(s string) string {
	if a, err := arn.Parse(s); err == nil {
		s = a.Resource
	}
	return s[strings.LastIndexByte(s, '/')+1:]
}

// ignoreAlreadyExists is err, unless it says the thing already exists.
func ignoreAlreadyExists(err error) error {
	if aws.IsAlreadyExists(err) {
		return nil
	}
	return err
}
