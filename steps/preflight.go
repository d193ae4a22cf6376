package steps

import (
	"context"
	"fmt"
	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/state"
)

// Preflight checks who we are before anything changes.
func Preflight() *Step {
	return &Step{
		ID:    "preflight",
		Title: "Check your AWS identity",
		Guide: "French guide §3",
		Why:   "Everything the wizard creates belongs to the account of the credentials it runs with; we show them before changing anything.",
		Keys:  []string{"env", "app", "region"},
		Plan: func(ctx context.Context, r *Run) (*Plan, error) {
			p := &Plan{}
			if compatible(r.Answers) {
				p.Notice("S3-compatible provider at %s (credentials: provided): what only AWS has is skipped", r.endpointOrAWS())
				for _, s := range ProviderSkips {
					p.Notice("skipped: %s", s)
				}
				return p, nil
			}
			if r.Offline {
				p.Notice("no AWS credentials: planning as if nothing exists yet (account shown as %s)", aws.PlaceholderAccount)
				return p, nil
			}
			if err := r.Identify(ctx); err != nil {
				return nil, err
			}
			acct, caller := r.Identity()
			p.Notice("account %s as %s, region %s", acct, caller, r.Answers.Region)
			if strings.HasSuffix(caller, ":root") {
				p.Warn("you are using the account's root credentials: create an admin IAM user or use IAM Identity Center (SSO) for day-to-day work, and keep root for the few tasks that need it")
			}
			return p, nil
		},
		Verify: func(ctx context.Context, r *Run) []Check {
			if compatible(r.Answers) {
				return []Check{Skip(CheckIdentity, "AWS identity", "S3-compatible provider at "+r.endpointOrAWS()+": no STS; the bucket checks below use your keys")}
			}
			if err := r.Identify(ctx); err != nil {
				return []Check{Fail(CheckIdentity, "AWS identity", aws.Explain(err).Error())}
			}
			acct, caller := r.Identity()
			return []Check{Pass(CheckIdentity, "AWS identity", fmt.Sprintf("account %s (%s)", acct, caller))}
		},
	}
}

// Identify asks STS who the credentials belong to (once per run; concurrent
// first calls may each ask, and the first answer is kept).
func (r *Run) Identify(ctx context.Context) error {
	r.identityMu.Lock()
	// Without clients (a run of steps that reach no AWS) there is no one
	// to ask, and nothing will be created for the account either.
	known := r.Account != "" || r.Offline || r.AWS == nil
	r.identityMu.Unlock()
	// An S3-compatible provider has no STS: the account stays unknown.
	if known || r.Answers != nil && compatible(r.Answers) {
		return nil
	}
	out, err := r.AWS.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return notAWSError(r.endpoint(), err)
	}
	r.identityMu.Lock()
	first := r.Account == ""
	if first {
		r.Account, r.Caller = sdk.ToString(out.Account), sdk.ToString(out.Arn)
	}
	acct, caller := r.Account, r.Caller
	r.identityMu.Unlock()
	if first && r.State != nil && r.State.Locked() {
		_ = r.State.Update(func(p *state.Progress) { p.Account, p.Caller = acct, caller })
	}
	return nil
}

// Identity returns the account and caller ARN learnt by Identify ("" before).
func (r *Run) Identity() (account, caller string) {
	r.identityMu.Lock()
	defer r.identityMu.Unlock()
	return r.Account, r.Caller
}
