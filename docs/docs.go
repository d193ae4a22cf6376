// Package docs renders the hand-off document (S3-HANDOFF-<env>.md): what the
// wizard set up, how it stands live, and what the next person must know to
// run it — without a single secret.
package docs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/s3wizard/s3wizard/accesskey"
	"github.com/s3wizard/s3wizard/appconfig"
	docassets "github.com/s3wizard/s3wizard/assets/docs"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/nextsteps"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// RotationDays is the access key rotation period (CIS AWS Foundations).
const RotationDays = nextsteps.KeyRotationDays

// FileName is the hand-off document's file name for env.
func FileName(env string) string { return "S3-HANDOFF-" + env + ".md" }

var tmpl = template.Must(template.New("").Funcs(template.FuncMap{"cell": cell}).ParseFS(docassets.FS, "*.tmpl"))

// Generate renders the hand-off document of r's env. It is a template over
// the recorded state (answers, steps, keys, manual steps) and the live
// checks of engine.VerifyAll (results; nil when the live state was not
// checked, notLive saying why): it makes no AWS call and re-derives nothing
// the steps check. It never reads the secret access key: the document only
// ever sees key IDs, which it masks.
func Generate(r *steps.Run, list []*steps.Step, results []steps.Result, notLive string) ([]byte, error) {
	if r == nil || r.Answers == nil || r.State == nil {
		return nil, errors.New("generate hand-off document: no answers or progress for this env: run `s3wizard apply` first")
	}
	a := r.Answers
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	d := &data{
		App: a.App, Env: a.Env, Region: a.Region, Bucket: a.Bucket,
		Account:    accountOf(r),
		Profile:    a.AWSProfile,
		Generated:  now().UTC().Format("2006-01-02 15:04 MST"),
		Endpoint:   endpointOf(r),
		Provider:   providerLines(r),
		AccessKeys: a.UsesAccessKeys(),
		IAMUser:    a.IAMUser, Group: steps.GroupName(a),
		Role: a.RoleName, InstanceProfile: orDefault(r.State.Resource("instance_profile"), a.RoleName),
		EBEnvironment: a.EBEnvironment, HerokuApp: a.HerokuApp,
		SettingsFile: appconfig.SettingsFile,
		Ignored:      r.IgnorePatterns(),
		ProgressFile: filepath.ToSlash(state.Path(".", a.Env)),
	}
	live := results != nil
	if live {
		d.LiveNote = "checked live against AWS on " + d.Generated
	} else {
		d.LiveNote = "not checked live (" + notLive + "): items below are marked \"not checked\"; run `s3wizard check --env " + a.Env + "` with credentials"
	}
	if d.Account == "" {
		d.Account = "not known (" + notLive + ")"
	}
	checks := byID(results)

	d.CredentialsLabel = credentialsLabel(a)
	d.PolicyLabel = policyLabel(r)
	d.Prefixes = prefixes(a)
	d.Keys, d.NextDue = keys(r, now())
	d.Protection = protection(a, checks, live)
	d.EnvVars, d.EnvWhere = envVars(r)
	if nextsteps.StoragesModuleNeeded(r.Dir, r.Python, a) {
		d.StoragesModule = appconfig.StoragesFile
	}
	if a.UsesInstanceRole() {
		d.HealthModule, d.HealthMiddleware, d.HealthPath = appconfig.HealthModuleFile, djangoapp.HealthMiddleware, djangoapp.HealthPath
		if _, err := os.Stat(filepath.Join(r.Dir, appconfig.EBHealthConfigFile)); err == nil {
			d.EBHealthConfig = appconfig.EBHealthConfigFile
		}
	}
	d.Destroyed, d.Kept = resources(r)
	d.Mermaid = mermaid(r, d)
	d.Checklist = checklist(r, checks, live, d.Generated)
	d.Manual = manual(r)
	d.WhatNow = whatNow(r)
	d.Departures, d.Steps = stepInfo(r, list)

	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "handoff.md.tmpl", d); err != nil {
		return nil, fmt.Errorf("render hand-off document: %w", err)
	}
	return buf.Bytes(), nil
}

// byID groups the live checks by ID, in the order the steps made them.
func byID(results []steps.Result) map[steps.CheckID][]steps.Check {
	m := map[steps.CheckID][]steps.Check{}
	for _, res := range results {
		for _, c := range res.Checks {
			m[c.ID] = append(m[c.ID], c)
		}
	}
	return m
}

type data struct {
	App, Env, Region, Bucket, Account, Generated, Endpoint string
	Profile                                                string
	CredentialsLabel, LiveNote                             string
	AccessKeys                                             bool
	IAMUser, Group, PolicyLabel                            string
	Role, InstanceProfile, EBEnvironment, HerokuApp        string
	Keys                                                   []keyRow
	NextDue                                                string
	Prefixes                                               []prefixRow
	Protection                                             []protRow
	Mermaid                                                string
	EnvVars                                                []envRow
	EnvWhere                                               string
	SettingsFile, StoragesModule                           string
	// Ignored are the secret-bearing files git ignores; ProgressFile the
	// env's progress, kept per machine (a teammate's section).
	Ignored                                    []string
	ProgressFile                               string
	HealthModule, HealthMiddleware, HealthPath string
	EBHealthConfig                             string
	Checklist                                  []item
	Manual                                     []string
	WhatNow                                    string
	Departures                                 []departure
	Steps                                      []stepRow
	// Provider is the S3-compatible provider's profile, one line each
	// (credentials: provided).
	Provider []string
	// Destroyed and Kept are the env's resources as destroy's inventory
	// has them: what `destroy` deletes, what it keeps and why.
	Destroyed, Kept []string
}

type prefixRow struct{ Prefix, Access string }
type keyRow struct {
	Masked, Status, Created, Age, Due, Deployed string
	Overdue                                     bool
}
type protRow struct{ Name, Wanted, Live string }
type envRow struct{ Name, Meaning string }
type departure struct {
	Step  string
	Items []string
}
type stepRow struct{ Title, Status, Notes string }

// cell makes s safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func accountOf(r *steps.Run) string {
	if acct, _ := r.Identity(); acct != "" {
		return acct
	}
	return r.State.Account()
}

func endpointOf(r *steps.Run) string {
	if r.AWS == nil {
		return ""
	}
	return r.AWS.Endpoint
}

func credentialsLabel(a *config.Answers) string {
	if a.UsesInstanceRole() {
		return "instance role " + a.RoleName + " (EC2 / Elastic Beanstalk, no keys)"
	}
	return "access keys of IAM user " + a.IAMUser + " (Heroku, local)"
}

func policyLabel(r *steps.Run) string {
	a := r.Answers
	arn := orDefault(r.State.Resource("policy_arn"), steps.PolicyARN(a, r.AccountID()))
	if a.IAMPolicy == config.PolicyFullAccess {
		return "`AmazonS3FullAccess` — **full access to every bucket, not for production**"
	}
	return "`" + arn + "` (least privilege: ListBucket on the bucket; Get/Put/Delete/AbortMultipartUpload on its prefixes)"
}

func prefixes(a *config.Answers) []prefixRow {
	var rows []prefixRow
	public := map[string]bool{}
	for _, p := range a.PublicPrefixes {
		public[p] = true
	}
	app := "the app only (signed URLs)"
	rows = append(rows, prefixRow{"media/", app})
	for _, f := range a.Folders {
		p := "media/" + strings.Trim(f, "/") + "/"
		if public[p] {
			continue
		}
		rows = append(rows, prefixRow{p, app})
	}
	for _, p := range a.PublicPrefixes {
		rows = append(rows, prefixRow{p, "**anyone** (anonymous read via the bucket policy, unsigned URLs); the app writes"})
	}
	up := "the app only; temporary uploads"
	if d := a.Lifecycle.UploadsExpireDays; d > 0 {
		up += fmt.Sprintf(", deleted after %d days", d)
	}
	rows = append(rows, prefixRow{"uploads/", up})
	if a.StaticOnS3 {
		rows = append(rows, prefixRow{"static/", "**anyone** (static files are public by nature: anonymous read via the bucket policy, unsigned URLs); collectstatic writes"})
	}
	return rows
}

// keys lists the recorded access keys of the env's user (the progress file
// keeps their IDs, status and deployments; the live state of the key in use
// is the access-key step's check).
func keys(r *steps.Run, now time.Time) ([]keyRow, string) {
	a := r.Answers
	if !a.UsesAccessKeys() {
		return nil, ""
	}
	var rows []keyRow
	var next time.Time
	for _, k := range r.State.Keys() {
		if k.User != "" && k.User != a.IAMUser {
			continue
		}
		deleted := k.Status == "Deleted"
		row := keyRow{Masked: text.Mask(k.ID), Status: orDefault(k.Status, "unknown"), Deployed: strings.Join(k.Deployed, ", ")}
		if !k.Created.IsZero() {
			due := k.Created.AddDate(0, 0, RotationDays)
			row.Created = k.Created.UTC().Format("2006-01-02")
			row.Age = fmt.Sprintf("%d days", int(now.Sub(k.Created).Hours()/24))
			row.Due = due.UTC().Format("2006-01-02")
			row.Overdue = now.After(due) && !deleted
			if !deleted && (next.IsZero() || due.Before(next)) {
				next = due
			}
		}
		rows = append(rows, row)
	}
	nd := "unknown"
	if !next.IsZero() {
		nd = next.UTC().Format("2006-01-02")
	}
	return rows, nd
}

// liveCell renders the live checks of ids for a table cell.
func liveCell(checks map[steps.CheckID][]steps.Check, live bool, ids ...steps.CheckID) string {
	if !live {
		return "not checked"
	}
	var parts []string
	for _, id := range ids {
		for _, c := range checks[id] {
			parts = append(parts, mark(c)+" "+orDefault(text.FirstLine(c.Detail), c.Name))
		}
	}
	return orDefault(strings.Join(parts, "; "), "no live check")
}

func protection(a *config.Answers, checks map[steps.CheckID][]steps.Check, live bool) []protRow {
	ver := "off"
	if a.Versioning {
		ver = "Enabled (MFA Delete: manual, root only)"
	}
	logs := "off"
	if a.AccessLogs {
		logs = "to " + steps.AccessLogTarget(a) + " (SSE-S3, old logs expire)"
	}
	alarms := describeAlarms(a)
	if a.Alarms.RequestMetrics {
		alarms = append(alarms, "request metrics (billed)")
	}
	if email := steps.AlarmEmail(a); email != "" && len(alarms) > 0 {
		alarms = append(alarms, "SNS topic "+steps.AlarmTopicName(a.Bucket)+" emails "+email+" (once the subscription is confirmed)")
	}
	budget := "none"
	if a.Budget.MonthlyUSD > 0 {
		budget = describeBudget(a)
	}
	public := "everything private: all four switches on"
	if len(a.AnonymousPrefixes()) > 0 {
		public = "ACL switches on; BlockPublicPolicy and RestrictPublicBuckets off (public prefixes)"
	} else if a.ServedByCloudFront() {
		public = "all four switches on: CloudFront (origin access control) serves the public files"
	}
	return []protRow{
		{"Default encryption", steps.DescribeEncryption(a), liveCell(checks, live, steps.CheckEncryption)},
		{"Versioning", ver, liveCell(checks, live, steps.CheckVersioning)},
		{"Block Public Access (bucket)", public, liveCell(checks, live, steps.CheckPublicAccessBlock)},
		{"Lifecycle", steps.DescribeLifecycle(a), liveCell(checks, live, steps.CheckLifecycle)},
		{"Server access logs", logs, liveCell(checks, live, steps.CheckAccessLogging)},
		{"CloudWatch alarms (daily storage metrics, free)", orDefault(strings.Join(alarms, "; "), "none"), liveCell(checks, live, steps.CheckAlarmNotify, steps.CheckAlarm, steps.CheckRequestMetrics)},
		{"AWS Budgets", budget, liveCell(checks, live, steps.CheckBudget, steps.CheckBudgetAlert)},
	}
}

// describeAlarms are the wanted CloudWatch alarms, for people, as the
// monitoring step's checks describe them ("BucketSizeBytes > 50 GiB").
func describeAlarms(a *config.Answers) []string {
	var out []string
	for _, in := range steps.WantedAlarms(a) {
		out = append(out, steps.AlarmCondition(in))
	}
	return out
}

// describeBudget is the cost budget, for people: what it covers and who it
// emails.
func describeBudget(a *config.Answers) string {
	return fmt.Sprintf("%s: %g USD/month on the S3 costs of the whole account (every bucket and env in it; one budget per account, shared by its envs, set by the env that made it), email to %s at %g%%",
		steps.BudgetName, a.Budget.MonthlyUSD, a.Budget.Email, a.Budget.ThresholdPct)
}

func envVars(r *steps.Run) ([]envRow, string) {
	a := r.Answers
	meaning := map[string]string{
		appconfig.EnvKeyID:          "access key ID of " + a.IAMUser,
		appconfig.EnvSecret:         "its secret (only in the places listed above)",
		appconfig.EnvBucket:         "the bucket",
		appconfig.EnvRegion:         "the bucket's region (signed URLs need it right)",
		appconfig.EnvUseS3:          "True: files go to S3; anything else: local disk",
		appconfig.EnvEndpoint:       "the custom S3 endpoint (unset on AWS)",
		appconfig.EnvStatic:         "True: static files (collectstatic) go to S3 under static/, public",
		appconfig.EnvPublicPrefixes: "the prefixes anyone may read, comma-separated (PublicStorage refuses others)",
		appconfig.EnvPublicSSE:      "AES256: public and static uploads are stored SSE-S3 (unset on S3-compatible providers)",
		appconfig.EnvPublicDomain:   "the base URL of public and static files (a CDN or the provider's public domain; unset: the bucket's)",
	}
	var rows []envRow
	for _, n := range r.AppEnvNames() {
		rows = append(rows, envRow{n, meaning[n]})
	}
	where := []string{"`" + a.EnvFile + "` (mode 0600, gitignored)"}
	if a.HerokuApp != "" {
		where = append(where, "the Heroku config vars of `"+a.HerokuApp+"`")
	}
	if a.SetEnvSh {
		where = append(where, "`set_env.sh` (sourced by the virtualenv)")
	}
	if a.UsesInstanceRole() {
		where[0] = "`" + a.EnvFile + "` (mode 0600, gitignored and .ebignored: for local runs, never deployed)"
		where = append(where, ebWhere(r))
	}
	return rows, strings.Join(where, ", ")
}

// ebWhere says truthfully where the Elastic Beanstalk environment gets the
// variables: set by the wizard (UpdateEnvironment, with the instance
// profile) only once the role step has done it; otherwise by the `eb setenv`
// file, which someone must run.
func ebWhere(r *steps.Run) string {
	a := r.Answers
	file := "`" + appconfig.EBFile(a.Env) + "`"
	switch {
	case a.EBEnvironment != "" && r.State.Step("role").Status == state.Done:
		return "the environment properties of Elastic Beanstalk environment `" + a.EBEnvironment + "` (set by the wizard in the same UpdateEnvironment call as the instance profile; " + file + " repeats them as one `eb setenv`)"
	case a.EBEnvironment != "":
		return "the environment properties of Elastic Beanstalk environment `" + a.EBEnvironment + "` once `apply` finishes the role step (not done yet), or run " + file + " (one `eb setenv`)"
	}
	return "the Elastic Beanstalk environment properties only after you run " + file + " (one `eb setenv`; the wizard was given no eb_environment, so it set nothing on Elastic Beanstalk)"
}

// mlabel makes s safe inside a quoted Mermaid label.
func mlabel(s string) string {
	return strings.NewReplacer(`"`, "'", "\n", "<br/>").Replace(s)
}

func mermaid(r *steps.Run, d *data) string {
	a := r.Answers
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, "  "+format+"\n", args...) }
	b.WriteString("flowchart LR\n")
	line(`app["Django app (%s)"]`, mlabel(a.Env))
	line(`bucket[("S3 bucket %s<br/>%s")]`, mlabel(a.Bucket), mlabel(a.Region))
	if d.AccessKeys {
		line(`user["IAM user %s"]`, mlabel(a.IAMUser))
		line(`group["IAM group %s"]`, mlabel(d.Group))
		line(`policy["policy %s"]`, mlabel(policyName(r)))
		label := "access key"
		for _, k := range d.Keys {
			if strings.HasPrefix(k.Status, "Active") {
				label = "access key " + k.Masked
				break
			}
		}
		line(`app -- "%s" --> user`, mlabel(label))
		line(`user -- "member of" --> group`)
		line(`policy -- "attached to" --> group`)
		line(`group -- "List, Get/Put/Delete on its prefixes" --> bucket`)
	} else {
		line(`role["IAM role %s<br/>instance profile"]`, mlabel(a.RoleName))
		line(`app -- "instance role" --> role`)
		line(`role -- "List, Get/Put/Delete on its prefixes" --> bucket`)
	}
	for i, p := range a.PublicPrefixes {
		line(`anon%d(["anyone"]) -- "GetObject %s" --> bucket`, i, mlabel(p))
	}
	if a.AccessLogs {
		line(`bucket -- "access logs" --> logs[("%s")]`, mlabel(steps.LogBucketName(a.Bucket)))
	}
	if a.Alarms.BucketSizeGB > 0 || a.Alarms.NumberOfObjects > 0 {
		line(`alarms["CloudWatch alarms"] -. "watch size / objects" .-> bucket`)
	}
	if a.Budget.MonthlyUSD > 0 {
		line(`budget["AWS Budget %g USD/month"] -. "alert email" .-> team(["%s"])`, a.Budget.MonthlyUSD, mlabel(a.Budget.Email))
	}
	if a.HerokuApp != "" {
		line(`heroku["Heroku app %s"] -- "config vars" --> app`, mlabel(a.HerokuApp))
	}
	return strings.TrimRight(b.String(), "\n")
}

func policyName(r *steps.Run) string {
	if r.Answers.IAMPolicy == config.PolicyFullAccess {
		return "AmazonS3FullAccess"
	}
	return steps.PolicyName(r.Answers)
}

// mark is a check's state as shown in the document.
func mark(c steps.Check) string {
	switch {
	case c.Skipped:
		return "⏺"
	case c.OK:
		return "✅"
	}
	return "❌"
}

// guideItem is one item of the guide's final checklist and the checks that
// prove it.
type guideItem struct {
	Title string
	// Checks are the live checks of the item, for answers a.
	Checks func(a *config.Answers) []steps.CheckID
	// Note, when set, adds what no check covers (recorded facts, what to
	// do by hand).
	Note func(r *steps.Run, it *item)
	// Django: the checks made through the project's own Django
	// (djangocheck.Run, run by check and docs) count for the item too.
	Django bool
}

func ids(list ...steps.CheckID) func(*config.Answers) []steps.CheckID {
	return func(*config.Answers) []steps.CheckID { return list }
}

// Guide is the French guide's §11 checklist, mapped to the steps' checks.
var Guide = []guideItem{
	{Title: "S3 bucket created in the right region",
		Checks: ids(steps.CheckBucketExists, steps.CheckBucketRegion, steps.CheckBucketACLsDisabled)},
	{Title: "Dedicated IAM identity with minimal permissions",
		Checks: func(a *config.Answers) []steps.CheckID {
			if a.UsesInstanceRole() {
				return []steps.CheckID{steps.CheckRole, steps.CheckRolePolicy, steps.CheckInstanceProfile}
			}
			return []steps.CheckID{steps.CheckIAMUser, steps.CheckIAMGroup, steps.CheckIAMPolicy}
		}},
	{Title: "Keys stored securely, not in Git",
		Checks: ids(steps.CheckEnvFileMode, steps.CheckSecretsIgnored, steps.CheckSecretsUntracked, steps.CheckHerokuFile, steps.CheckSetEnvFile),
		Note: func(r *steps.Run, it *item) {
			if r.Answers.UsesInstanceRole() {
				it.Details = append([]string{"✅ no access keys: the instance role supplies temporary credentials"}, it.Details...)
			}
		}},
	{Title: "Environment variables configured, local + Heroku",
		Checks: ids(steps.CheckEnvVars, steps.CheckEnvKeyRecorded, accesskey.CheckWorks),
		Note: func(r *steps.Run, it *item) {
			a := r.Answers
			switch {
			case a.HerokuApp == "" || !a.UsesAccessKeys():
			case herokuDeployed(r):
				it.Details = append(it.Details, "✅ set on Heroku app "+a.HerokuApp+" by the wizard (recorded)")
			default:
				it.Details = append(it.Details, "⏺ Heroku app "+a.HerokuApp+": not verifiable from here; run `sh "+appconfig.HerokuFile(a.Env)+"` if not done, then `heroku config --app "+a.HerokuApp+"`")
				it.unknown = true
			}
		}},
	{Title: "Bucket policy consistent, public / private",
		Checks: ids(steps.CheckPrivateRefused, steps.CheckPublicReadable, steps.CheckPrivateNotOnDomain, steps.CheckAppKeyAfterPolicy, steps.CheckPublicNotDirect, steps.CheckCloudFront, steps.CheckCloudFrontOAC, steps.CheckCloudFrontPolicyGrant)},
	{Title: "Block Public Access configured correctly",
		Checks: ids(steps.CheckPublicAccessBlock)},
	{Title: "Default encryption enabled",
		Checks: ids(steps.CheckEncryption)},
	{Title: "Versioning enabled",
		Checks: ids(steps.CheckVersioning)},
	{Title: "Budgets & cost alerts in place",
		Checks: ids(steps.CheckBudget, steps.CheckBudgetAlert, steps.CheckAlarm, steps.CheckRequestMetrics)},
	{Title: "Upload / delete tested from Django",
		Checks: ids(accesskey.CheckAppProbe, steps.CheckLayoutProbe),
		Django: true,
		Note: func(r *steps.Run, it *item) {
			if it.django {
				return // the test ran through the project's Django (below)
			}
			it.Details = append(it.Details, "⏺ from Django itself: `python manage.py shell -c \"from django.core.files.base import ContentFile; from django.core.files.storage import default_storage as s; n = s.save('check.txt', ContentFile(b'ok')); print(s.url(n)); s.delete(n)\"`")
			it.unknown = true
		}},
}

// item is one line of the guide's final checklist with its live state.
type item struct {
	Title   string
	State   string // ok | failing | partial | not checked
	Details []string
	unknown bool // something of the item is not checked
	django  bool // a check made through the project's Django passed
}

// Label is the item's state for humans.
func (i item) Label() string {
	switch i.State {
	case "ok":
		return "✅ ok"
	case "failing":
		return "❌ failing"
	case "partial":
		return "⚠️ partly checked"
	}
	return "⏺ not checked"
}

// checklist renders Guide over the live checks.
func checklist(r *steps.Run, checks map[steps.CheckID][]steps.Check, live bool, generated string) []item {
	var items []item
	for _, g := range Guide {
		it := item{Title: g.Title}
		ok, fail := 0, 0
		if !live {
			it.Details = append(it.Details, "⏺ no live check without AWS credentials")
			it.unknown = true
		} else {
			ok, fail = it.weigh(g.liveChecks(r.Answers, checks), checks)
		}
		if g.Note != nil {
			g.Note(r, &it)
		}
		it.State = itemState(ok, fail, it.unknown)
		items = append(items, it)
	}
	return append(items, item{Title: "Internal documentation updated", State: "ok",
		Details: []string{"✅ this document, generated " + generated}})
}

// liveChecks are the checks that count for g with answers a: its own, and
// those made through the project's Django when g weighs them.
func (g guideItem) liveChecks(a *config.Answers, checks map[steps.CheckID][]steps.Check) []steps.CheckID {
	list := g.Checks(a)
	if g.Django {
		list = append(slices.Clone(list), djangoIDs(checks)...)
	}
	return list
}

// weigh adds the live checks ids to the item, one line each, and counts
// those that passed and failed; an item no check covers with these answers
// says so and is unknown.
func (it *item) weigh(ids []steps.CheckID, checks map[steps.CheckID][]steps.Check) (ok, fail int) {
	for _, id := range ids {
		for _, c := range checks[id] {
			o, f := it.count(c)
			ok, fail = ok+o, fail+f
			it.Details = append(it.Details, checkLine(c))
		}
	}
	if ok+fail == 0 && !it.unknown {
		it.Details = append(it.Details, "⏺ no live check of this item with these answers")
		it.unknown = true
	}
	return ok, fail
}

// count is what check c counts for the item: a skipped check makes it
// unknown, a passed one counts as ok (and tells whether a check made
// through the project's Django passed), any other as a failure.
func (it *item) count(c steps.Check) (ok, fail int) {
	switch {
	case c.Skipped:
		it.unknown = true
		return 0, 0
	case c.OK:
		it.django = it.django || strings.HasPrefix(string(c.ID), "django-")
		return 1, 0
	}
	return 0, 1
}

// checkLine is check c's line in an item: its mark, name, the first line of
// its detail, and whether it was skipped.
func checkLine(c steps.Check) string {
	d := c.Name
	if c.Detail != "" {
		d += ": " + text.FirstLine(c.Detail)
	}
	if c.Skipped {
		d += " (skipped)"
	}
	return mark(c) + " " + d
}

// itemState is an item's state from its counts of passed and failed checks
// and whether something of it is not checked.
func itemState(ok, fail int, unknown bool) string {
	switch {
	case fail > 0:
		return "failing"
	case ok > 0 && unknown:
		return "partial"
	case ok > 0:
		return "ok"
	}
	return "not checked"
}

// djangoIDs are the IDs of the checks made through the project's Django,
// in a stable order.
func djangoIDs(checks map[steps.CheckID][]steps.Check) []steps.CheckID {
	var out []steps.CheckID
	for id := range checks {
		if strings.HasPrefix(string(id), "django-") && id != steps.CheckDjangoSettings {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// herokuDeployed tells whether the wizard recorded setting an active key on
// Heroku.
func herokuDeployed(r *steps.Run) bool {
	for _, k := range r.State.Keys() {
		if k.Status == "Active" && slices.Contains(k.Deployed, "heroku") {
			return true
		}
	}
	return false
}

func manual(r *steps.Run) []string {
	a := r.Answers
	out := append([]string(nil), r.State.Manual()...)
	if a.HerokuApp != "" && a.UsesAccessKeys() && !herokuDeployed(r) {
		out = append(out, "Set the Heroku config vars: `sh "+appconfig.HerokuFile(a.Env)+"` (one restart), then delete that file.")
	}
	if a.UsesInstanceRole() && a.EBEnvironment == "" {
		out = append(out, "Elastic Beanstalk: set the app's variables as environment properties with `sh "+appconfig.EBFile(a.Env)+"` (one `eb setenv`, no secret), and select instance profile `"+a.RoleName+"` for the environment.")
	}
	if a.Versioning {
		found := false
		for _, m := range out {
			found = found || strings.Contains(m, "MFA Delete")
		}
		if !found {
			out = append(out, "MFA Delete (optional): only the root user can enable it, via the CLI/API with its MFA device, and it cannot be combined with lifecycle rules; the wizard leaves it off.")
		}
	}
	return out
}

// whatNow is the wizard's "what now" as a checklist (what the project shows
// done ticked), each command in a code block to be copied whole. Writing
// this document is left out: it is being done.
func whatNow(r *steps.Run) string {
	var b strings.Builder
	for _, n := range nextsteps.List(r.Dir, r.Python, r.Answers, r.State) {
		if slices.ContainsFunc(n.Lines, func(l string) bool { return strings.HasPrefix(l, "s3wizard docs ") }) {
			continue
		}
		mark := " "
		if n.Done {
			mark = "x"
		}
		fmt.Fprintf(&b, "- [%s] %s\n", mark, n.Text)
		if len(n.Lines) > 0 {
			b.WriteString("\n  ```\n")
			for _, l := range n.Lines {
				b.WriteString("  " + l + "\n")
			}
			b.WriteString("  ```\n")
		}
	}
	return b.String()
}

func stepInfo(r *steps.Run, list []*steps.Step) ([]departure, []stepRow) {
	var deps []departure
	var rows []stepRow
	for _, s := range list {
		if !s.IsEnabled(r.Answers) {
			continue
		}
		if len(s.Departures) > 0 {
			items := slices.Clone(s.Departures)
			if r.AWS != nil && !r.AWS.TLS() {
				// Never claim the statement an endpoint without TLS left out.
				for i, d := range items {
					if d == steps.DenyInsecureDeparture {
						items[i] = "On this endpoint (" + r.AWS.Endpoint + ", no TLS) the statement denying non-TLS requests is left out: it would lock every client out. On AWS it is added (Security Hub S3.5)."
					}
				}
			}
			deps = append(deps, departure{Step: s.Title + " (" + s.Guide + ")", Items: items})
		}
		st := r.State.Step(s.ID)
		status := st.Status
		if !st.At.IsZero() {
			status += " " + st.At.UTC().Format("2006-01-02")
		}
		if st.Error != "" {
			status += ": " + text.FirstLine(st.Error)
		}
		rows = append(rows, stepRow{Title: s.Title, Status: status, Notes: strings.Join(st.Notes, " · ")})
	}
	return deps, rows
}

// providerLines is the provider's profile (what it supports, what the
// wizard does instead, each with its page), or nil on AWS.
func providerLines(r *steps.Run) []string {
	p := r.Profile()
	if p == nil {
		return nil
	}
	var lines []string
	for _, l := range p.Summary() {
		lines = append(lines, strings.TrimSpace(l))
	}
	return lines
}
