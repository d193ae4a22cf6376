package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/state"
)

// BudgetName is the wizard's cost budget: ONE per AWS account, shared by
// every env and project of that account. A budget filtered to the S3
// service covers the S3 costs of the whole account. One budget per env
// would need a cost-allocation tag on the buckets, and such a tag counts
// only once someone activates it in the payer account's Billing console
// (and from then on, up to a day later): until then a tag-filtered budget
// sees no cost and never alerts, silently. So the envs share one budget,
// and who may change it is explicit (budgetOwnerResource): the env that
// created it sets its amount and email, the others use it as it is and
// report no drift, and only the project that created it deletes it, once
// none of its envs uses it any more.
const BudgetName = "s3wizard-s3-monthly"

// S3CostService is the Budgets SERVICE dimension value of Amazon S3.
const S3CostService = "Amazon Simple Storage Service"

// budgetResource records, per env, that it uses the account's budget.
const budgetResource = "budget"

// BudgetResource is the progress key of the budget the monitoring step
// made (destroy lists it).
const BudgetResource = budgetResource

// budgetOwnerResource records, per env, who made the account's budget:
// ownCreated/ownPending when this env created it (it sets the amount and
// email), budgetOwnedByProject when another env of this project did.
// Without it the budget is someone else's (another project, or made by
// hand): never updated, never deleted.
const (
	budgetOwnerResource  = "budget_created"
	budgetMadeHere       = "created"
	budgetMadePending    = "pending" // intent saved before CreateBudget
	budgetOwnedByProject = "project"
	budgetOwnedElsewhere = "elsewhere"
)

const (
	// budgetEmailResource records the email subscribed to the budget alert,
	// for when the subscribers cannot be read back (see budgetSubscriber).
	budgetEmailResource = "budget_email"
)

// BudgetExcludedRecordTypes are the cost record types the budget leaves
// out: credits and refunds. Budgets counts them by default (the deprecated
// CostTypes.IncludeCredit defaults to true), so an account living on
// promotional credits would show a net S3 spend of 0 and never alert while
// its credits pay the bill: the budget watches the gross charges.
var BudgetExcludedRecordTypes = []string{"Credit", "Refund"}

// wantedBudget is the monthly cost budget for the answers: the S3 service's
// unblended cost (FilterExpression and Metrics, which replace the
// deprecated CostFilters and CostTypes), credits and refunds excluded.
func wantedBudget(a *config.Answers) btypes.Budget {
	return btypes.Budget{
		BudgetName: sdk.String(BudgetName),
		BudgetType: btypes.BudgetTypeCost,
		TimeUnit:   btypes.TimeUnitMonthly,
		BudgetLimit: &btypes.Spend{
			Amount: sdk.String(strconv.FormatFloat(a.Budget.MonthlyUSD, 'f', 2, 64)),
			Unit:   sdk.String("USD"),
		},
		// Without a filter a cost budget watches the whole account's bill.
		FilterExpression: &btypes.Expression{And: []btypes.Expression{
			{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionService, Values: []string{S3CostService}}},
			{Not: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionRecordType, Values: BudgetExcludedRecordTypes}}},
		}},
		Metrics: []btypes.Metric{btypes.MetricUnblendedCost},
	}
}

// planLegacyBudget removes the per-bucket budget of earlier versions
// (<bucket>-monthly, unfiltered: it watched the whole account's bill) when
// this env recorded it.
func planLegacyBudget(r *Run, p *Plan) {
	if r.State == nil {
		return
	}
	legacy := r.Answers.Bucket + "-monthly"
	if r.State.Resource(budgetResource) != legacy {
		return
	}
	acct := r.AccountID()
	p.Add(&Action{Summary: "delete the old budget " + legacy + " (unfiltered: it watched the whole account's bill; replaced by " + BudgetName + ")",
		Calls: []string{"budgets:DeleteBudget"},
		Do: func(ctx context.Context) error {
			_, err := r.AWS.Budgets.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: &acct, BudgetName: &legacy})
			if err != nil && !aws.IsNotFound(err) {
				return err
			}
			r.State.SetResource(budgetResource, "")
			return nil
		}})
}

// otherEnvsRecording lists the project's other envs of this account whose
// progress records resource key as value.
func otherEnvsRecording(r *Run, key, value string) []string {
	return otherEnvsWith(r, key, func(v string) bool { return v == value })
}

// otherEnvsWith lists the project's other envs of this account whose
// progress records a value of resource key that match accepts.
func otherEnvsWith(r *Run, key string, match func(string) bool) []string {
	var out []string
	for env, p := range state.Others(r.Dir, r.Answers.Env) {
		if match(p.Resource(key)) && r.SameAccount(p) {
			out = append(out, env)
		}
	}
	return out
}

// wantedBudgetNotification is the budget's alert: actual spend above
// threshold_pct percent of the limit.
func wantedBudgetNotification(a *config.Answers) btypes.Notification {
	return btypes.Notification{
		NotificationType:   btypes.NotificationTypeActual,
		ComparisonOperator: btypes.ComparisonOperatorGreaterThan,
		Threshold:          a.Budget.ThresholdPct,
		ThresholdType:      btypes.ThresholdTypePercentage,
	}
}

func emailSubscriber(email string) btypes.Subscriber {
	return btypes.Subscriber{SubscriptionType: btypes.SubscriptionTypeEmail, Address: sdk.String(email)}
}

func sameBudget(live *btypes.Budget, want btypes.Budget) bool {
	if live == nil || live.BudgetLimit == nil || live.BudgetType != want.BudgetType || live.TimeUnit != want.TimeUnit {
		return false
	}
	if expressionKey(live.FilterExpression) != expressionKey(want.FilterExpression) || !slices.Equal(live.Metrics, want.Metrics) {
		return false
	}
	//lint:ignore SA1019 a budget of earlier versions filtered with CostFilters: it must be updated
	if len(live.CostFilters) > 0 {
		return false
	}
	// AWS renders amounts its own way ("20.0"): compare numbers.
	la, err1 := strconv.ParseFloat(sdk.ToString(live.BudgetLimit.Amount), 64)
	wa, err2 := strconv.ParseFloat(sdk.ToString(want.BudgetLimit.Amount), 64)
	return err1 == nil && err2 == nil && la == wa && sdk.ToString(live.BudgetLimit.Unit) == sdk.ToString(want.BudgetLimit.Unit)
}

// expressionKey renders a cost filter for comparison (values sorted: AWS
// may hand them back in another order).
func expressionKey(e *btypes.Expression) string {
	if e == nil {
		return ""
	}
	var parts []string
	if d := e.Dimensions; d != nil {
		v := slices.Sorted(slices.Values(d.Values))
		parts = append(parts, "dim("+string(d.Key)+"="+strings.Join(v, ",")+")")
	}
	if t := e.Tags; t != nil {
		v := slices.Sorted(slices.Values(t.Values))
		parts = append(parts, "tag("+sdk.ToString(t.Key)+"="+strings.Join(v, ",")+")")
	}
	if c := e.CostCategories; c != nil {
		v := slices.Sorted(slices.Values(c.Values))
		parts = append(parts, "cat("+sdk.ToString(c.Key)+"="+strings.Join(v, ",")+")")
	}
	if e.Not != nil {
		parts = append(parts, "not("+expressionKey(e.Not)+")")
	}
	for op, list := range map[string][]btypes.Expression{"and": e.And, "or": e.Or} {
		if len(list) == 0 {
			continue
		}
		var sub []string
		for i := range list {
			sub = append(sub, expressionKey(&list[i]))
		}
		slices.Sort(sub)
		parts = append(parts, op+"("+strings.Join(sub, ";")+")")
	}
	slices.Sort(parts)
	return strings.Join(parts, "&")
}

func sameNotification(a, b btypes.Notification) bool {
	return a.NotificationType == b.NotificationType && a.ComparisonOperator == b.ComparisonOperator &&
		a.ThresholdType == b.ThresholdType && a.Threshold == b.Threshold
}

// ours reports whether a notification is of the kind the wizard manages
// (actual spend over a percentage), whatever its threshold.
func oursNotification(n btypes.Notification) bool {
	return n.NotificationType == btypes.NotificationTypeActual && n.ComparisonOperator == btypes.ComparisonOperatorGreaterThan &&
		n.ThresholdType == btypes.ThresholdTypePercentage
}

// budgetRole is what an env may do with the account's budget.
type budgetRole int

const (
	// budgetForeign: not made by this project (another project, or by
	// hand): used as it is, never changed nor deleted.
	budgetForeign budgetRole = iota
	// budgetShared: made by another env of this project, which sets its
	// amount and email; deleted by the last env of the project using it.
	budgetShared
	// budgetSetter: made by this env: its answers set the amount and email.
	budgetSetter
)

// budgetOwnership works out this env's budgetRole from the project's
// progress files; setter names the env of the project that sets the budget
// ("" when none), and claim the marker to record for this env ("" when
// unchanged).
func budgetOwnership(r *Run) (role budgetRole, setter, claim string) {
	if r.State == nil {
		return budgetForeign, "", ""
	}
	isCreated := func(v string) bool { return v == budgetMadeHere || v == budgetMadePending }
	creators := otherEnvsWith(r, budgetOwnerResource, isCreated)
	mine := r.State.Resource(budgetOwnerResource)
	switch {
	case isCreated(mine) && (len(creators) == 0 || r.Answers.Env < creators[0]):
		// (Two envs that each made it, after someone deleted it in
		// between: the first by name sets it.)
		return budgetSetter, r.Answers.Env, ""
	case len(creators) > 0:
		claim = ""
		if mine != budgetOwnedByProject {
			claim = budgetOwnedByProject
		}
		return budgetShared, creators[0], claim
	case mine == budgetOwnedByProject:
		// The env that made it is gone (destroyed): this one takes over.
		return budgetSetter, r.Answers.Env, budgetMadeHere
	case mine == "" && r.State.Resource(budgetResource) == BudgetName && len(otherEnvsWith(r, budgetOwnerResource, func(v string) bool { return v != "" && v != budgetOwnedElsewhere })) == 0:
		// Recorded by a version without owners, when the env applied last
		// set the budget: it stays this env's.
		return budgetSetter, r.Answers.Env, budgetMadeHere
	}
	if mine != budgetOwnedElsewhere {
		claim = budgetOwnedElsewhere
	}
	return budgetForeign, "", claim
}

// budgetDeletable reports whether this env may delete the account's
// budget: this project made it and no other env of the project uses it.
func budgetDeletable(r *Run) (ok bool, users []string) {
	role, _, _ := budgetOwnership(r)
	users = otherEnvsRecording(r, budgetResource, BudgetName)
	return role != budgetForeign && len(users) == 0, users
}

// BudgetFate is what destroy does with the budget name this env records:
// delete it, or keep it (kept says why). The account's budget goes only
// when this project made it and no other env of the project uses it
// (budgetDeletable, the rule apply follows too); the per-bucket budget of
// earlier versions (<bucket>-monthly) was this env's own.
func BudgetFate(r *Run, name string) (del bool, kept string) {
	if name != BudgetName {
		return true, ""
	}
	deletable, users := budgetDeletable(r)
	switch {
	case len(users) > 0:
		return false, "env " + strings.Join(users, ", ") + " still uses it (one budget per account)"
	case !deletable:
		return false, "this project did not make it"
	}
	return true, ""
}

// ReleaseBudget (used by destroy, whose inventory took BudgetFate) deletes
// the budget name when del, and forgets this env's use of it either way.
// ("Not found" is returned: nothing was there to delete.)
func ReleaseBudget(ctx context.Context, r *Run, name string, del bool) error {
	var err error
	if del {
		acct, _ := r.Identity()
		if acct == "" {
			return errAccountUnknown
		}
		_, err = r.AWS.Budgets.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: &acct, BudgetName: &name})
		if err != nil && !aws.IsNotFound(err) {
			return err
		}
	}
	r.State.SetResource(budgetResource, "")
	r.State.SetResource(budgetOwnerResource, "")
	r.State.SetResource(budgetEmailResource, "")
	return err
}

func planBudget(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	bc := r.AWS.Budgets
	acct := r.AccountID()
	name := BudgetName
	// The budget's notifications are read with it (used if it exists).
	notifications := func() (*budgets.DescribeNotificationsForBudgetOutput, error) { return nil, errNotRead }
	if a.Budget.MonthlyUSD > 0 {
		notifications = async(func() (*budgets.DescribeNotificationsForBudgetOutput, error) {
			return bc.DescribeNotificationsForBudget(ctx, &budgets.DescribeNotificationsForBudgetInput{AccountId: &acct, BudgetName: &name})
		})
	}
	out, err := bc.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: &acct, BudgetName: &name})
	if err != nil && !aws.IsNotFound(err) {
		return fmt.Errorf("read budget %s: %w", name, err)
	}
	exists := err == nil && out.Budget != nil
	planLegacyBudget(r, p)
	role, setter, claim := budgetOwnership(r)

	if a.Budget.MonthlyUSD <= 0 {
		planBudgetOff(r, p, exists)
		return nil
	}
	if exists && role != budgetSetter {
		planBudgetUsedAsIs(r, p, out.Budget, role, setter, claim)
		_, _ = notifications()
		return nil
	}
	if claim != "" && exists {
		// (A budget to create is claimed by its creation: createOwned.)
		p.SetResource(budgetOwnerResource, claim)
	}

	want := wantedBudget(a)
	budgetNotices(r, p, want)
	if !exists {
		p.Add(createBudgetAction(r, want))
		return nil
	}

	if !sameBudget(out.Budget, want) {
		p.Add(&Action{Summary: fmt.Sprintf("update budget %s to %s USD/month", name, sdk.ToString(want.BudgetLimit.Amount)), Calls: []string{"budgets:UpdateBudget"},
			Do: func(ctx context.Context) error {
				_, err := bc.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: &acct, NewBudget: &want})
				return err
			}})
	}
	nout, err := notifications()
	if err != nil {
		return fmt.Errorf("read notifications of budget %s: %w", name, err)
	}
	planBudgetAlert(ctx, r, p, nout.Notifications)
	// Recorded once the step's actions are done.
	p.SetResource(budgetEmailResource, a.Budget.Email)
	p.SetResource(budgetResource, name)
	return nil
}

// planBudgetOff plans for budget.monthly_usd 0: the account's budget is
// deleted when this project made it and no other env uses it, and this
// env's records of it are cleared.
func planBudgetOff(r *Run, p *Plan, exists bool) {
	a := r.Answers
	bc := r.AWS.Budgets
	acct := r.AccountID()
	name := BudgetName
	deletable, users := budgetDeletable(r)
	switch {
	case exists && len(users) > 0:
		p.Notice("budget.monthly_usd is 0 for %s, but the account's budget %s is kept: env %s still uses it", a.Env, name, strings.Join(users, ", "))
	case exists && !deletable:
		p.Notice("budget.monthly_usd is 0 for %s; the account's budget %s was not made by this project: kept", a.Env, name)
	case exists:
		p.Notice("budget.monthly_usd is 0: the budget %s is deleted", name)
		p.Add(&Action{Summary: "delete budget " + name, Calls: []string{"budgets:DeleteBudget"},
			Do: func(ctx context.Context) error {
				_, err := bc.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: &acct, BudgetName: &name})
				if aws.IsNotFound(err) {
					return nil
				}
				return err
			}})
	}
	if r.State != nil && (r.State.Resource(budgetResource) != "" || r.State.Resource(budgetOwnerResource) != "") {
		p.SetResource(budgetResource, "")
		p.SetResource(budgetOwnerResource, "")
		p.SetResource(budgetEmailResource, "")
	}
}

// planBudgetUsedAsIs plans for an existing budget this env does not set
// (role budgetShared or budgetForeign): it is used as it is, and why this
// env's amount and email are not applied is said.
func planBudgetUsedAsIs(r *Run, p *Plan, live *btypes.Budget, role budgetRole, setter, claim string) {
	a := r.Answers
	name := BudgetName
	amount := sdk.ToString(live.BudgetLimit.Amount)
	if role == budgetShared {
		p.Notice("AWS Budgets: the account's S3 budget %s (%s USD/month) is shared by the envs of this account and set by env %s, which made it: this env's budget.monthly_usd (%g) and budget.email are not applied (change them in env %s's answers)", name, amount, setter, a.Budget.MonthlyUSD, setter)
	} else {
		p.Notice("AWS Budgets: the account already has a budget %s (%s USD/month) that this project did not make (another project, or by hand): it is used as it is, never changed nor deleted from here; this env's budget.monthly_usd (%g) and budget.email are not applied", name, amount, a.Budget.MonthlyUSD)
	}
	if claim != "" {
		p.SetResource(budgetOwnerResource, claim)
	}
	p.SetResource(budgetResource, name)
}

// budgetNotices says what the budget this env sets watches, and who else
// uses it.
func budgetNotices(r *Run, p *Plan, want btypes.Budget) {
	a := r.Answers
	name := BudgetName
	p.Notice("AWS Budgets: monthly cost budget %s of %s USD (budgets are in USD) on the S3 costs of the whole account (SERVICE = %s: every bucket, every env and project of account %s; one budget per account, set by the env that made it), email to %s when actual spend exceeds %g%%", name, sdk.ToString(want.BudgetLimit.Amount), S3CostService, r.AccountID(), a.Budget.Email, a.Budget.ThresholdPct)
	p.Notice("the budget counts S3's gross charges: credits and refunds are excluded (RECORD_TYPE), so an account living on promotional credits still gets the alert when S3 usage passes the amount")
	if others := otherEnvsRecording(r, budgetResource, name); len(others) > 0 {
		p.Notice("env %s also uses this budget; its amount and email are this env's (%s), which made it", strings.Join(others, ", "), a.Env)
	}
}

// createBudgetAction creates the account's budget with its alert, the
// intent to create it recorded first.
func createBudgetAction(r *Run, want btypes.Budget) *Action {
	a := r.Answers
	acct := r.AccountID()
	wantN := wantedBudgetNotification(a)
	email := a.Budget.Email
	return &Action{Summary: fmt.Sprintf("create budget %s (%s USD/month, alert at %g%% to %s)", BudgetName, sdk.ToString(want.BudgetLimit.Amount), a.Budget.ThresholdPct, email),
		Calls: []string{"budgets:CreateBudget"},
		Do: func(ctx context.Context) error {
			if r.State == nil {
				return errors.New("no progress file to record the budget in")
			}
			// The intent first: a crash after CreateBudget still
			// leaves the budget this env's. The plan found no budget,
			// so "already exists" after the intent is this env's own
			// call answered twice (a lost reply the SDK retried).
			if err := r.State.SaveResource(budgetOwnerResource, budgetMadePending); err != nil {
				return fmt.Errorf("record the intent to create it: %w", err)
			}
			_, err := r.AWS.Budgets.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: &acct, Budget: &want,
				NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{Notification: &wantN, Subscribers: []btypes.Subscriber{emailSubscriber(email)}}},
				ResourceTags:                 budgetTags(a)})
			switch {
			case err == nil || aws.IsAlreadyExists(err):
				return r.State.Update(func(p *state.Progress) {
					p.SetResource(budgetOwnerResource, budgetMadeHere)
					p.SetResource(budgetEmailResource, email)
					p.SetResource(budgetResource, BudgetName)
				})
			case aws.Status(err) >= 400 && aws.Status(err) < 500:
				// Refused: nothing was made.
				return errors.Join(err, r.State.SaveResource(budgetOwnerResource, ""))
			}
			return err
		}}
}

// planBudgetAlert plans the existing budget's alert from its live
// notifications: kept when it is the wanted one with the wanted email;
// otherwise the wizard's other alerts (and a wrong-email one) are removed
// and the wanted one created.
func planBudgetAlert(ctx context.Context, r *Run, p *Plan, live []btypes.Notification) {
	a := r.Answers
	bc := r.AWS.Budgets
	acct := r.AccountID()
	name := BudgetName
	wantN := wantedBudgetNotification(a)
	email := a.Budget.Email
	// The budget and its notifications are separate resources, updated in
	// place: the alerts change once the budget is updated, one after another
	// (an alert re-created with the same threshold must be gone first).
	alertsAfter := []string{"budgets:UpdateBudget", "budgets:DeleteNotification"}
	found := false
	var stale []btypes.Notification
	for _, n := range live {
		switch {
		case sameNotification(n, wantN):
			found = true
		case oursNotification(n):
			stale = append(stale, n)
		}
	}
	if found {
		ok, how := budgetSubscriber(ctx, r, name, wantN, email)
		if how != "" {
			p.Notice("%s", how)
		}
		if ok {
			return
		}
		// Deleting and re-creating the alert (rather than UpdateNotification
		// and CreateSubscriber) works the same on AWS and on emulators that
		// lack the subscriber APIs, and sets the email in the same call.
		stale = append(stale, wantN)
	}
	for _, old := range stale {
		old := btypes.Notification{NotificationType: old.NotificationType, ComparisonOperator: old.ComparisonOperator, Threshold: old.Threshold, ThresholdType: old.ThresholdType}
		p.Add(&Action{Summary: fmt.Sprintf("budget %s: remove the %g%% alert", name, old.Threshold), Calls: []string{"budgets:DeleteNotification"},
			After: alertsAfter,
			Do: func(ctx context.Context) error {
				_, err := bc.DeleteNotification(ctx, &budgets.DeleteNotificationInput{AccountId: &acct, BudgetName: &name, Notification: &old})
				if aws.IsNotFound(err) {
					return nil
				}
				return err
			}})
	}
	p.Add(&Action{Summary: fmt.Sprintf("budget %s: alert at %g%% of actual spend to %s", name, a.Budget.ThresholdPct, email), Calls: []string{"budgets:CreateNotification"},
		After: alertsAfter,
		Do: func(ctx context.Context) error {
			_, err := bc.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: &acct, BudgetName: &name, Notification: &wantN,
				Subscribers: []btypes.Subscriber{emailSubscriber(email)}})
			if aws.IsAlreadyExists(err) {
				return nil
			}
			return err
		}})
}

// budgetSubscriber reports whether email is subscribed to the budget's
// alert. It asks DescribeSubscribersForNotification once, without retries:
// some emulators (moto 5.2) do not implement it and answer 500, which the
// SDK would otherwise retry for a long while. When the subscribers cannot
// be read, it compares with the email recorded in the progress file when the
// alert was last set; with no record it assumes the alert is right rather
// than re-creating it on every run. how explains a fallback ("" otherwise).
func budgetSubscriber(ctx context.Context, r *Run, name string, n btypes.Notification, email string) (ok bool, how string) {
	acct := r.AccountID()
	out, err := r.AWS.Budgets.DescribeSubscribersForNotification(ctx, &budgets.DescribeSubscribersForNotificationInput{
		AccountId: &acct, BudgetName: &name, Notification: &n,
	}, func(o *budgets.Options) { o.RetryMaxAttempts = 1 })
	if err == nil {
		for _, s := range out.Subscribers {
			if s.SubscriptionType == btypes.SubscriptionTypeEmail && strings.EqualFold(sdk.ToString(s.Address), email) {
				return true, ""
			}
		}
		return false, ""
	}
	recorded := ""
	if r.State != nil {
		recorded = r.State.Resource(budgetEmailResource)
	}
	why := text.FirstLine(aws.Explain(err).Error())
	switch {
	case recorded == "":
		return true, fmt.Sprintf("the budget alert's subscribers could not be read (%s) and none is recorded: assuming %s is subscribed; check it in Billing → Budgets → %s", why, email, name)
	case strings.EqualFold(recorded, email):
		return true, fmt.Sprintf("the budget alert's subscribers could not be read (%s): compared with the email recorded when the alert was set (%s)", why, recorded)
	}
	return false, fmt.Sprintf("the budget alert's subscribers could not be read (%s); it was set for %s, now %s: it is re-created", why, recorded, email)
}
