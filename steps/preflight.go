package steps

import (
	"context"
	"fmt"
	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/state"
)

// Preflight checks who we are before anything changes.
func Preflight() *Step {
	return &Step{
		ID:    "preflight",
		Title: "Check your AWS identity",
		Guide: "French guide §3",
		Why:   "Everything the wizard creates belongs to the account of the credentials it runs with; we show them before changing anything.",
		Keys:  []string{"env", "app", "region", "aws_profile"},
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
			accountNotices(r, p, acct)
			if strings.HasSuffix(caller, ":root") {
				p.Warn("you are using the account's root credentials: create an admin IAM user or use IAM Identity Center (SSO) for day-to-day work, and keep root for the few tasks that need it")
			}
			return p, nil
		},
		Verify: func(ctx context.Context, r *Run) []Check {
			if compatible(r.Answers) {
				return []Check{Skip(checkIdentity, "AWS identity", "S3-compatible provider at "+r.endpointOrAWS()+": no STS; the bucket checks below use your keys")}
			}
			if err := r.Identify(ctx); err != nil {
				return []Check{Fail(checkIdentity, "AWS identity", aws.Explain(err).Error())}
			}
			acct, caller := r.Identity()
			return []Check{Pass(checkIdentity, "AWS identity", fmt.Sprintf("account %s (%s)", acct, caller))}
		},
	}
}

// accountNotices say which AWS account each env of the project is in, so
// the account an env is about to be bound to (its progress records it, and
// no other account may act on it afterwards) is seen before it is
// confirmed.
func accountNotices(r *Run, p *Plan, acct string) {
	how := "the default credentials"
	if prof := r.AWS.Profile(); prof != "" {
		how = "profile " + prof
	}
	if r.State == nil || r.State.BoundAccount() == "" {
		p.Notice("env %s will belong to account %s (%s): its progress file records it, and a run from another account is refused", r.Answers.Env, acct, how)
	}
	for env, o := range state.Others(r.Dir, r.Answers.Env) {
		if o.BoundAccount() == "" {
			continue
		}
		rel := "another account"
		if o.BoundAccount() == acct {
			rel = "the same account"
		}
		p.Notice("env %s is in account %s (%s)", env, o.BoundAccount(), rel)
	}
}

// Identify asks STS who the credentials belong to, once per run: a call
// made while another is in flight waits for that one's answer (on AWS each
// call is a round trip, and the scheduler's plans made ahead all wait for it).
func (r *Run) Identify(ctx context.Context) error {
	r.identityMu.Lock()
	// Without clients (a run of steps that reach no AWS) there is no one
	// to ask, and nothing will be created for the account either.
	if r.refused != nil {
		r.identityMu.Unlock()
		return r.refused
	}
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
		acct, caller := sdk.ToString(out.Account), sdk.ToString(out.Arn)
		r.identityMu.Lock()
		if err := r.checkAccount(acct, caller); err != nil {
			// Every later call gets the same refusal: nothing of this run
			// may go on in the other account.
			r.refused = err
			r.identityMu.Unlock()
			return nil, err
		}
		r.Account, r.Caller = acct, caller
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

// WrongAccountError: the env was set up in Recorded, the credentials are
// of Got. Nothing is read or changed in Got for this env.
type WrongAccountError struct {
	Env, Recorded, Got, Caller, Profile string
}

func (e *WrongAccountError) Error() string {
	how := "the default credentials"
	if e.Profile != "" {
		how = "profile " + e.Profile
	}
	return fmt.Sprintf("env %s belongs to AWS account %s (its progress file records it), but %s are account %s (%s): nothing was changed. Run it with a profile of account %s (--profile NAME, or aws_profile in the answers file); an env is never moved to another account",
		e.Env, e.Recorded, how, e.Got, e.Caller, e.Recorded)
}

func (e *WrongAccountError) Unwrap() error { return engine.ErrWrongAccount }

// checkAccount refuses credentials of another account than the env's
// recorded one: the account is the binding fact of an env (staging and
// prod may live in separate accounts), so a run from the wrong one would
// create a second copy of the env there, or audit and destroy the wrong
// resources. It binds once the env holds something there
// (state.BoundAccount): the account Identify saved for a run declined at
// its confirmation, or for an adopt that failed, binds nothing. The
// caller holds identityMu.
func (r *Run) checkAccount(acct, caller string) error {
	if r.State == nil {
		return nil
	}
	rec := r.State.BoundAccount()
	if rec == "" || rec == aws.PlaceholderAccount || rec == acct {
		return nil
	}
	e := &WrongAccountError{Env: r.State.Env(), Recorded: rec, Got: acct, Caller: caller}
	if r.AWS != nil {
		e.Profile = r.AWS.Profile()
	}
	return e
}

// SameAccount reports whether another env's progress p is in this run's
// AWS account: what one account holds (its budget, an IAM user of that
// name) is shared only with the envs of that account. An account unknown
// on either side counts as the same, so what may be shared is kept.
func (r *Run) SameAccount(p *state.Progress) bool {
	mine, theirs := r.AccountID(), p.Account()
	return mine == aws.PlaceholderAccount || theirs == "" || theirs == aws.PlaceholderAccount || mine == theirs
}

// SetGuess sets the account plans may use before STS answers ("" ends it):
// the engine's scheduler sets the one the progress file records.
func (r *Run) SetGuess(acct string) {
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
