package steps

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/s3wizard/s3wizard/aws"
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
