package steps

import (
	"context"
	"fmt"
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
		Guide: "3. Pré-requis",
		Why:   "Everything the wizard creates belongs to the account of the credentials it runs with; we show them before changing anything.",
		Keys:  []string{"env", "app", "region"},
		Plan: func(ctx context.Context, r *Run) (*Plan, error) {
			p := &Plan{}
			if r.Offline {
				p.Notice("no AWS credentials: planning as if nothing exists yet (account shown as ACCOUNT_ID)")
				return p, nil
			}
			if err := r.Identify(ctx); err != nil {
				return nil, err
			}
			p.Notice("account %s as %s, region %s", r.Account, r.Caller, r.Answers.Region)
			if strings.HasSuffix(r.Caller, ":root") {
				p.Warn("you are using the account's root credentials: create an admin IAM user or use IAM Identity Center (SSO) for day-to-day work, and keep root for the few tasks that need it")
			}
			return p, nil
		},
		Verify: func(ctx context.Context, r *Run) []Check {
			if err := r.Identify(ctx); err != nil {
				return []Check{Fail("AWS identity", aws.Explain(err).Error())}
			}
			return []Check{Pass("AWS identity", fmt.Sprintf("account %s (%s)", r.Account, r.Caller))}
		},
	}
}

// Identify asks STS who the credentials belong to (once per run).
func (r *Run) Identify(ctx context.Context) error {
	if r.Account != "" || r.Offline {
		return nil
	}
	out, err := r.AWS.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return err
	}
	r.Account, r.Caller = deref(out.Account), deref(out.Arn)
	if r.State != nil && r.State.Locked() {
		_ = r.State.Update(func(p *state.Progress) { p.Account, p.Caller = r.Account, r.Caller })
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
