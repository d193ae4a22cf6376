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
				for _, line := range r.Profile().Summary() {
					p.Notice("%s", line)
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
			if err := refuseForeignBucket(ctx, r); err != nil {
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

// Identify asks STS who the credentials belong to, once per run: a call
// made while another is in flight waits for that one's answer (on AWS each
// call is a round trip, and ApplyAll's plans made ahead all wait for it).
func (r *Run) Identify(ctx context.Context) error {
	r.identityMu.Lock()
	// Without clients (a run of steps that reach no AWS) there is no one
	// to ask, and nothing will be created for the account either.
	known := r.Account != "" || r.Offline || r.AWS == nil
	// An S3-compatible provider has no STS: the account stays unknown.
	if known || r.Answers != nil && compatible(r.Answers) {
		r.identityMu.Unlock()
		return nil
	}
	r.identityMu.Unlock()
	ch := r.identifying.DoChan("identify", func() (any, error) {
		r.identityMu.Lock()
		done := r.Account != "" // answered since this caller looked
		r.identityMu.Unlock()
		if done {
			return nil, nil
		}
		out, err := r.AWS.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, notAWSError(r.endpoint(), err)
		}
		r.identityMu.Lock()
		r.Account, r.Caller = sdk.ToString(out.Account), sdk.ToString(out.Arn)
		acct, caller := r.Account, r.Caller
		r.identityMu.Unlock()
		if r.State != nil && r.State.Locked() {
			_ = r.State.Update(func(p *state.Progress) { p.SetIdentity(acct, caller) })
		}
		return nil, nil
	})
	select {
	case res := <-ch:
		return res.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// confirmGuess reports whether STS confirms the account guessed from the
// progress file (it waits for STS's answer).
func (r *Run) confirmGuess(ctx context.Context, guess string) bool {
	if err := r.Identify(ctx); err != nil {
		return false
	}
	acct, _ := r.Identity()
	return acct == guess
}

// setGuess sets the account plans may use before STS answers ("" ends it).
func (r *Run) setGuess(acct string) {
	r.identityMu.Lock()
	defer r.identityMu.Unlock()
	r.guess = acct
}

// Identity returns the account and caller ARN learnt by Identify ("" before).
func (r *Run) Identity() (account, caller string) {
	r.identityMu.Lock()
	defer r.identityMu.Unlock()
	return r.Account, r.Caller
}
