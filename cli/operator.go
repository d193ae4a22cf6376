package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/operator"
	"github.com/s3wizard/s3wizard/state"
)

// operatorOptions are operator-policy's: its flags (--answers, --env and
// the global ones). No AWS call, no prompt.
type operatorOptions struct {
	IO IO
	app.Options
}

func newOperatorPolicy(f *flags, x *factory) *operatorOptions {
	return &operatorOptions{IO: x.io, Options: f.Options}
}

// cmdOperatorPolicy prints the least IAM policy the operator needs for the
// answers. No AWS call: the account comes from the env's saved progress,
// when there is one.
func cmdOperatorPolicy(_ context.Context, f *operatorOptions) error {
	s := f.IO
	if f.AnswersFile == "" && f.Env == "" {
		return app.UsageError(errors.New("operator-policy needs --answers FILE, or --env NAME of an env with saved progress"))
	}
	var saved *state.Progress
	if f.Env != "" {
		p, err := state.Read(f.Dir, f.Env)
		if err != nil {
			return err
		}
		saved = p
	}
	a, err := app.Answers(f.Options, saved)
	if err != nil {
		return err
	}
	if k := a.Missing(); k != "" {
		return &config.MissingError{Key: k}
	}
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		return app.UsageError(err)
	}
	account := ""
	if saved != nil {
		account = saved.Account()
	}
	doc, err := operator.Policy(a, account)
	if err != nil {
		return app.UsageError(err)
	}
	fmt.Fprintln(s.Out, doc.JSON())
	// Envs may live in separate accounts: the policy is created in the
	// env's own, by that account's admin.
	switch {
	case account != "":
		fmt.Fprintf(s.Err, "s3wizard: env %s is in AWS account %s: create this policy there%s.\n", a.Env, account, profileHint(a.AWSProfile))
	case a.AWSProfile != "":
		fmt.Fprintf(s.Err, "s3wizard: env %s runs with profile %s: create this policy in that profile's account%s.\n", a.Env, a.AWSProfile, profileHint(a.AWSProfile))
	}
	if a.UsesInstanceRole() && a.EBEnvironment != "" {
		fmt.Fprintf(s.Err, "Elastic Beanstalk: UpdateEnvironment also needs the caller's rights on the resources behind the environment (CloudFormation, Auto Scaling, EC2, load balancer, its S3 bucket); AWS lists them only as the managed policy %s: attach it too for the role step, or associate the instance profile yourself.\n", aws.EBManagedPolicy)
	}
	return nil
}

// profileHint is how to reach an env's account with the AWS CLI.
func profileHint(profile string) string {
	if profile == "" {
		return ""
	}
	return " (aws iam create-policy --profile " + profile + " …)"
}
