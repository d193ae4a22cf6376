package steps_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/steps"
)

// fakeIAM answers the reads of the iam step's plan from a small description
// of the account; any other call panics (the embedded nil interface), so a
// plan that starts writing is caught. It tests the plan's decisions only:
// what crosses the wire is tested against moto.
type fakeIAM struct {
	aws.IAMAPI
	group         bool     // the group exists
	groupPolicies []string // ARNs attached to the group
	user          bool     // the user exists
	userGroups    []string
	loginProfile  bool
	userPolicies  []string // ARNs attached to the user directly
}

func noSuchEntity() error { return &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "not found"} }

func (f *fakeIAM) GetGroup(_ context.Context, in *iam.GetGroupInput, _ ...func(*iam.Options)) (*iam.GetGroupOutput, error) {
	if !f.group {
		return nil, noSuchEntity()
	}
	return &iam.GetGroupOutput{Group: &iamtypes.Group{GroupName: in.GroupName}}, nil
}

func (f *fakeIAM) ListAttachedGroupPolicies(context.Context, *iam.ListAttachedGroupPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedGroupPoliciesOutput, error) {
	out := &iam.ListAttachedGroupPoliciesOutput{}
	for _, arn := range f.groupPolicies {
		out.AttachedPolicies = append(out.AttachedPolicies, iamtypes.AttachedPolicy{PolicyArn: sdk.String(arn)})
	}
	return out, nil
}

func (f *fakeIAM) GetUser(_ context.Context, in *iam.GetUserInput, _ ...func(*iam.Options)) (*iam.GetUserOutput, error) {
	if !f.user {
		return nil, noSuchEntity()
	}
	return &iam.GetUserOutput{User: &iamtypes.User{UserName: in.UserName, Arn: sdk.String("arn:aws:iam::111122223333:user/" + *in.UserName)}}, nil
}

func (f *fakeIAM) GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error) {
	if !f.loginProfile {
		return nil, noSuchEntity()
	}
	return &iam.GetLoginProfileOutput{}, nil
}

func (f *fakeIAM) ListAttachedUserPolicies(context.Context, *iam.ListAttachedUserPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error) {
	out := &iam.ListAttachedUserPoliciesOutput{}
	for _, arn := range f.userPolicies {
		out.AttachedPolicies = append(out.AttachedPolicies, iamtypes.AttachedPolicy{PolicyArn: sdk.String(arn)})
	}
	return out, nil
}

func (f *fakeIAM) ListGroupsForUser(context.Context, *iam.ListGroupsForUserInput, ...func(*iam.Options)) (*iam.ListGroupsForUserOutput, error) {
	out := &iam.ListGroupsForUserOutput{}
	for _, g := range f.userGroups {
		out.Groups = append(out.Groups, iamtypes.Group{GroupName: sdk.String(g)})
	}
	return out, nil
}

// The iam step's plan adopts what exists as wanted, creates what is
// missing, detaches the policy of the other mode and warns about what it
// leaves alone. Full access keeps the least-privilege policy (which needs
// Access Analyzer and GetPolicy) out of these cases.
func TestIAMPlanDecisions(t *testing.T) {
	const account = "111122223333"
	a := testrun.Answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\niam_policy: full-access\n")
	group, user := steps.GroupName(a), a.IAMUser
	leastPrivilege := steps.PolicyARN(a, account)
	for _, tc := range []struct {
		name     string
		account  fakeIAM
		actions  []string // summaries, in order
		warnings []string // substrings, one per warning after the full-access one
		notice   string
	}{
		{"nothing exists: create all", fakeIAM{},
			[]string{"create IAM group " + group, "attach AmazonS3FullAccess to group " + group, "create IAM user " + user + " (programmatic access only)", "add " + user + " to group " + group}, nil, ""},
		{"all as wanted: adopt, change nothing", fakeIAM{group: true, groupPolicies: []string{steps.FullAccessARN}, user: true, userGroups: []string{group}},
			nil, nil, "IAM user " + user + " already exists: adopting it (destroy keeps it; only the keys env staging made are deleted)"},
		{"switching mode detaches the other policy", fakeIAM{group: true, groupPolicies: []string{leastPrivilege}, user: true, userGroups: []string{group}},
			[]string{"attach AmazonS3FullAccess to group " + group, "detach " + steps.PolicyName(a) + " from group " + group}, nil, ""},
		{"an adopted user's console password and own policies are warned about, not removed", fakeIAM{group: true, groupPolicies: []string{steps.FullAccessARN}, user: true, userGroups: []string{"other"}, loginProfile: true, userPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}},
			[]string{"add " + user + " to group " + group}, []string{"has a console password", "policies attached directly"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := tc.account
			r := &steps.Run{Answers: a, AWS: &aws.Clients{IAM: &fake}, Account: account}
			p, err := steps.Find(steps.All(), "iam").Plan(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			wantActions(t, p, tc.actions)
			if len(p.Warnings) != 1+len(tc.warnings) || !strings.Contains(p.Warnings[0], "AmazonS3FullAccess") {
				t.Fatalf("warnings %q: want the full-access one, then %q", p.Warnings, tc.warnings)
			}
			for i, w := range tc.warnings {
				if !strings.Contains(p.Warnings[1+i], w) {
					t.Errorf("warning %d = %q, want it to say %q", 1+i, p.Warnings[1+i], w)
				}
			}
			if tc.notice != "" && !slices.Contains(p.Notices, tc.notice) {
				t.Errorf("notices %q lack %q", p.Notices, tc.notice)
			}
		})
	}
}

// wantActions fails t unless p's actions are want, in order (by summary).
func wantActions(t *testing.T, p *steps.Plan, want []string) {
	t.Helper()
	var got []string
	for _, act := range p.Actions {
		got = append(got, act.Summary)
	}
	if !slices.Equal(got, want) {
		t.Errorf("actions:\n got  %q\n want %q", got, want)
	}
}
