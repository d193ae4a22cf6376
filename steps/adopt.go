package steps

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// AdoptBudget is adopt's reading of the account's budget (when the answers
// want one): it exists, and this env uses it, recorded as made elsewhere.
// A budget carries no tag the wizard reads, so nothing proves that this
// project made it: the next apply uses it as it is and destroy keeps it
// (the checkout that made it sets and deletes it). record is nil when
// nothing is to be recorded.
func AdoptBudget(ctx context.Context, r *Run) (line string, record func(*state.Progress), err error) {
	if r.Answers.Budget.MonthlyUSD <= 0 {
		return "", nil, nil
	}
	acct, _ := r.Identity()
	name := BudgetName
	_, err = r.AWS.Budgets.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: &acct, BudgetName: &name})
	switch {
	case aws.IsNotFound(err):
		return fmt.Sprintf("budget %s: does not exist", name), nil, nil
	case err != nil:
		return "", nil, fmt.Errorf("budget %s: %w", name, aws.Explain(err))
	}
	return fmt.Sprintf("budget %s: exists; a budget carries no tag to prove this project made it: used as it is, never changed nor deleted from here (the checkout that made it sets and deletes it)", name),
		func(p *state.Progress) {
			p.SetResource(budgetResource, name)
			p.SetResource(budgetOwnerResource, budgetOwnedElsewhere)
		}, nil
}

// AdoptAlarms is adopt's reading of the env's CloudWatch alarms: those
// under the names the monitoring step gives them (AlarmNames), wanted by
// the answers or not, and their tags. An alarm tagged with this project's
// and env's tags is recorded as the wizard's (destroy deletes it); one
// another project's or env's tags claim, or that
// carries no tag (made by hand, or before the wizard tagged its alarms), is
// not recorded: nothing proves this env made it, so destroy keeps it. lines
// say what was found; record is nil when nothing is to be recorded.
func AdoptAlarms(ctx context.Context, r *Run) (lines []string, record func(*state.Progress), err error) {
	a := r.Answers
	cw := CloudWatchClient(r)
	live, err := liveAlarms(ctx, cw, a.Bucket)
	if err != nil {
		return nil, nil, fmt.Errorf("CloudWatch alarms of %s: %w", a.Bucket, aws.Explain(err))
	}
	wanted := map[string]bool{}
	for _, in := range WantedAlarms(a) {
		wanted[sdk.ToString(in.AlarmName)] = true
	}
	var owned []state.Ownership
	for _, name := range AlarmNames(a.Bucket) {
		what := state.KindAlarm + " " + name
		al, ok := live[name]
		if !ok {
			if wanted[name] {
				lines = append(lines, what+": does not exist")
			}
			continue
		}
		tags, err := AlarmTags(ctx, cw, al.AlarmArn)
		if err != nil {
			return nil, nil, fmt.Errorf("tags of CloudWatch alarm %s: %w", name, aws.Explain(err))
		}
		switch owner := ForeignOwner(a, tags); {
		case TaggedOurs(a, tags):
			owned = append(owned, state.Ownership{Kind: state.KindAlarm, Name: name, ARN: sdk.ToString(al.AlarmArn), Evidence: state.EvidenceTagged})
			lines = append(lines, fmt.Sprintf("%s: tagged %s=%s, %s=%s: the wizard's (destroy deletes it)", what, TagProject, a.App, TagEnv, a.Env))
		case owner != "":
			lines = append(lines, fmt.Sprintf("%s: belongs to %s (its %s tag): not recorded (destroy keeps it)", what, owner, TagProject))
		default:
			lines = append(lines, what+": exists without this env's tags: not recorded (destroy keeps it)")
		}
	}
	if len(owned) == 0 {
		return lines, nil, nil
	}
	return lines, func(p *state.Progress) {
		for _, o := range owned {
			p.PutOwnership(o)
		}
	}, nil
}

// AdoptCloudFront reads the env's CloudFront distribution and origin
// access control for adopt, as the public step's plan finds them
// (findDistribution, findOAC): the distribution is the wizard's when it
// carries this project's and env's tags, another project's tags refuse it,
// and an untagged one is recorded as adopted (destroy keeps it). An OAC
// takes no tags: it is the wizard's when the wizard's distribution serves
// the bucket through it, else adopted. lines say what was found; record
// (nil when nothing exists) saves it.
func AdoptCloudFront(ctx context.Context, r *Run) (lines []string, record func(*state.Progress), err error) {
	a := r.Answers
	if !a.ServedByCloudFront() {
		return nil, nil, nil
	}
	oacID, _, err := findOAC(ctx, r)
	if err != nil {
		return nil, nil, fmt.Errorf("CloudFront origin access control %s: %w", OACName(a), aws.Explain(err))
	}
	dist, _, err := findDistribution(ctx, r)
	if err != nil {
		return nil, nil, fmt.Errorf("the CloudFront distribution of %s: %w", a.Bucket, aws.Explain(err))
	}
	var recs []func(*state.Progress)
	oacEvidence := state.EvidenceAdopted
	if dist == nil {
		lines = append(lines, "CloudFront distribution of "+a.Bucket+": does not exist")
	} else {
		id := sdk.ToString(dist.Id)
		what := fmt.Sprintf("CloudFront distribution %s (%s)", id, sdk.ToString(dist.DomainName))
		tags, err := r.distributionTags(ctx, dist)
		if err != nil {
			return nil, nil, fmt.Errorf("tags of %s: %w", what, aws.Explain(err))
		}
		if owner := ForeignOwner(a, tags); owner != "" {
			return nil, nil, ForeignError(what, a, owner)
		}
		evidence := state.EvidenceAdopted
		if TaggedOurs(a, tags) {
			evidence = state.EvidenceTagged
			lines = append(lines, fmt.Sprintf("%s: tagged %s=%s, %s=%s: the wizard's (destroy deletes it)", what, TagProject, a.App, TagEnv, a.Env))
			if oacID != "" && usesOAC(a, dist.DistributionConfig, oacID) {
				oacEvidence = state.EvidenceTagged
			}
		} else {
			lines = append(lines, what+": exists without this env's tags: recorded as not the wizard's (destroy keeps it)")
		}
		arn := cloudFrontARN(r.AccountID(), id)
		recs = append(recs, func(p *state.Progress) {
			p.PutOwnership(state.Ownership{Kind: state.KindDistribution, Name: CloudFrontCallerReference(a), ARN: arn, Evidence: evidence})
			p.SetResource(ResCloudFrontID, id)
			p.SetResource(ResCloudFrontARN, arn)
			p.SetResource(ResCloudFrontDomain, sdk.ToString(dist.DomainName))
		})
	}
	if oacID == "" {
		lines = append(lines, "CloudFront origin access control "+OACName(a)+": does not exist")
	} else {
		if oacEvidence == state.EvidenceTagged {
			lines = append(lines, fmt.Sprintf("CloudFront origin access control %s (%s): used by the wizard's distribution: the wizard's (destroy deletes it)", OACName(a), oacID))
		} else {
			lines = append(lines, fmt.Sprintf("CloudFront origin access control %s (%s): not used by a distribution of this env's tags: recorded as not the wizard's (destroy keeps it)", OACName(a), oacID))
		}
		recs = append(recs, func(p *state.Progress) {
			p.PutOwnership(state.Ownership{Kind: state.KindOriginAccessControl, Name: OACName(a), Evidence: oacEvidence})
			p.SetResource(ResCloudFrontOAC, oacID)
		})
	}
	if len(recs) == 0 {
		return lines, nil, nil
	}
	return lines, func(p *state.Progress) {
		for _, f := range recs {
			f(p)
		}
	}, nil
}

// usesOAC reports whether a distribution serves the bucket through the
// origin access control oacID. moto leaves the origin's
// OriginAccessControlId out (AWS always answers it, empty without OAC):
// there the bucket as origin decides (README, Limits).
func usesOAC(a *config.Answers, c *cftypes.DistributionConfig, oacID string) bool {
	if c == nil {
		return false
	}
	o := bucketOrigin(c.Origins, bucketOriginDomain(a))
	return o != nil && (o.OriginAccessControlId == nil || sdk.ToString(o.OriginAccessControlId) == oacID)
}
