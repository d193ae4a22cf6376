// Package docs renders the hand-off document (S3-HANDOFF-<env>.md): what the
// wizard set up, how it stands live, and what the next person must know to
// run it — without a single secret.
package docs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	docassets "github.com/s3wizard/s3wizard/assets/docs"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// RotationDays is the access key rotation period (CIS AWS Foundations).
const RotationDays = 90

// LiveTimeout bounds the live checks the document runs.
var LiveTimeout = 2 * time.Minute

// FileName is the hand-off document's file name for env.
func FileName(env string) string { return "S3-HANDOFF-" + env + ".md" }

var tmpl = template.Must(template.New("").Funcs(template.FuncMap{"cell": cell}).ParseFS(docassets.FS, "*.tmpl"))

// Generate renders the hand-off document of r's env. Live state comes from
// every enabled step's Verify (steps.VerifyAll) and a few cheap reads; when
// there are no credentials (r.Offline, or STS refuses them) the checklist
// says "not checked" instead. It never reads the secret access key: the
// document only ever sees key IDs, which it masks.
func Generate(ctx context.Context, r *steps.Run, list []*steps.Step) ([]byte, error) {
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
		Generated:  now().UTC().Format("2006-01-02 15:04 MST"),
		Endpoint:   endpointOf(r),
		AccessKeys: a.Credentials == config.CredAccessKeys,
		IAMUser:    a.IAMUser, Group: steps.GroupName(a),
		Role: a.RoleName, InstanceProfile: orDefault(r.State.Resource("instance_profile"), a.RoleName),
		EBEnvironment: a.EBEnvironment, HerokuApp: a.HerokuApp,
		SettingsFile: steps.SettingsFile,
	}

	lctx, cancel := context.WithTimeout(ctx, LiveTimeout)
	defer cancel()
	live, why := canGoLive(lctx, r)
	if live {
		d.LiveNote = "checked live against AWS on " + d.Generated
	} else {
		d.LiveNote = "not checked live (" + why + "): items below are marked \"not checked\"; run `s3wizard check --env " + a.Env + "` with credentials"
	}
	if d.Account == "" {
		d.Account = "not known (" + why + ")"
	}

	var results []steps.Result
	if live {
		results = steps.VerifyAll(lctx, r, list)
	}
	rd := readLive(lctx, r, live)

	d.CredentialsLabel = credentialsLabel(a)
	d.PolicyLabel = policyLabel(r)
	d.Prefixes = prefixes(a)
	d.Keys, d.NextDue = keys(lctx, r, live, now())
	d.Protection = protection(a, rd, live)
	d.EnvVars, d.EnvWhere = envVars(r)
	if sp, _, _ := steps.SettingsParamsFor(r); sp.NeedsStoragesModule() {
		d.StoragesModule = steps.StoragesFile
	}
	if a.Credentials == config.CredInstanceRole {
		d.HealthModule, d.HealthMiddleware, d.HealthPath = steps.HealthModuleFile, djangoapp.HealthMiddleware, djangoapp.HealthPath
		if _, err := os.Stat(filepath.Join(r.Dir, steps.EBHealthConfigFile)); err == nil {
			d.EBHealthConfig = steps.EBHealthConfigFile
		}
	}
	d.Mermaid = mermaid(r, d)
	d.Checklist = checklist(r, results, rd, live, d.Generated)
	d.Manual = manual(r)
	d.Departures, d.Steps = stepInfo(r, list)

	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "handoff.md.tmpl", d); err != nil {
		return nil, fmt.Errorf("render hand-off document: %w", err)
	}
	return buf.Bytes(), nil
}

type data struct {
	App, Env, Region, Bucket, Account, Generated, Endpoint string
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
	HealthModule, HealthMiddleware, HealthPath             string
	EBHealthConfig                                         string
	Checklist                                              []item
	Manual                                                 []string
	Departures                                             []departure
	Steps                                                  []stepRow
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
	return r.State.Account
}

func endpointOf(r *steps.Run) string {
	if r.AWS == nil {
		return ""
	}
	return r.AWS.Endpoint
}

// canGoLive tells whether live reads can run, and why not.
func canGoLive(ctx context.Context, r *steps.Run) (bool, string) {
	if r.Offline || r.AWS == nil {
		return false, "no AWS credentials"
	}
	if err := r.Identify(ctx); err != nil {
		return false, "AWS credentials refused: " + steps.FirstLine(aws.Explain(err).Error())
	}
	return true, ""
}

func credentialsLabel(a *config.Answers) string {
	if a.Credentials == config.CredInstanceRole {
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

func keys(ctx context.Context, r *steps.Run, live bool, now time.Time) ([]keyRow, string) {
	a := r.Answers
	if a.Credentials != config.CredAccessKeys {
		return nil, ""
	}
	type k struct {
		id, status string
		created    time.Time
		deployed   []string
	}
	byID := map[string]*k{}
	var order []string
	for _, sk := range r.State.Keys {
		if sk.User != "" && sk.User != a.IAMUser {
			continue
		}
		byID[sk.ID] = &k{id: sk.ID, status: sk.Status, created: sk.Created, deployed: sk.Deployed}
		order = append(order, sk.ID)
	}
	if live {
		if out, err := r.AWS.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &a.IAMUser}); err == nil {
			seen := map[string]bool{}
			for _, m := range out.AccessKeyMetadata {
				id := sdk.ToString(m.AccessKeyId)
				seen[id] = true
				e, ok := byID[id]
				if !ok {
					e = &k{id: id, deployed: []string{"not created by the wizard"}}
					byID[id] = e
					order = append(order, id)
				}
				e.status = string(m.Status) + " (live)"
				if m.CreateDate != nil {
					e.created = *m.CreateDate
				}
			}
			for id, e := range byID {
				if !seen[id] {
					e.status = "Deleted (live)"
				}
			}
		}
	}
	var rows []keyRow
	var next time.Time
	for _, id := range order {
		e := byID[id]
		row := keyRow{Masked: steps.Mask(e.id), Status: orDefault(e.status, "unknown"), Deployed: strings.Join(e.deployed, ", ")}
		if !e.created.IsZero() {
			due := e.created.AddDate(0, 0, RotationDays)
			row.Created = e.created.UTC().Format("2006-01-02")
			row.Age = fmt.Sprintf("%d days", int(now.Sub(e.created).Hours()/24))
			row.Due = due.UTC().Format("2006-01-02")
			row.Overdue = now.After(due) && !strings.HasPrefix(e.status, "Deleted")
			if !strings.HasPrefix(e.status, "Deleted") && (next.IsZero() || due.Before(next)) {
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

// liveReads are the bucket settings read once for the document.
type liveReads struct {
	enc, ver, pab, lc, logs string
	encOK, verOK, pabOK     bool
	errs                    map[string]error
}

func readLive(ctx context.Context, r *steps.Run, live bool) *liveReads {
	rd := &liveReads{errs: map[string]error{}}
	if !live {
		return rd
	}
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	b := &a.Bucket
	if out, err := cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b}); err != nil {
		rd.errs["enc"] = err
	} else if c := out.ServerSideEncryptionConfiguration; c != nil && len(c.Rules) > 0 && c.Rules[0].ApplyServerSideEncryptionByDefault != nil {
		alg := c.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm
		rd.enc = string(alg)
		if sdk.ToBool(c.Rules[0].BucketKeyEnabled) {
			rd.enc += ", Bucket Key on"
		}
		want := types.ServerSideEncryptionAes256
		if a.Encryption == config.EncSSEKMS {
			want = types.ServerSideEncryptionAwsKms
		}
		rd.encOK = alg == want
	} else {
		rd.enc = "none"
	}
	if out, err := cl.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b}); err != nil {
		rd.errs["ver"] = err
	} else {
		rd.ver = orDefault(string(out.Status), "never enabled")
		rd.verOK = out.Status == types.BucketVersioningStatusEnabled
		if out.MFADelete == types.MFADeleteStatusEnabled {
			rd.ver += ", MFA Delete on"
		}
	}
	want := steps.WantedPublicAccessBlock(len(a.PublicReadPrefixes()) > 0)
	if out, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b}); err != nil {
		rd.errs["pab"] = err
	} else if c := out.PublicAccessBlockConfiguration; c != nil {
		on := func(v *bool) string {
			if sdk.ToBool(v) {
				return "on"
			}
			return "off"
		}
		rd.pab = fmt.Sprintf("BlockPublicAcls %s, IgnorePublicAcls %s, BlockPublicPolicy %s, RestrictPublicBuckets %s",
			on(c.BlockPublicAcls), on(c.IgnorePublicAcls), on(c.BlockPublicPolicy), on(c.RestrictPublicBuckets))
		rd.pabOK = sdk.ToBool(c.BlockPublicAcls) == sdk.ToBool(want.BlockPublicAcls) &&
			sdk.ToBool(c.IgnorePublicAcls) == sdk.ToBool(want.IgnorePublicAcls) &&
			sdk.ToBool(c.BlockPublicPolicy) == sdk.ToBool(want.BlockPublicPolicy) &&
			sdk.ToBool(c.RestrictPublicBuckets) == sdk.ToBool(want.RestrictPublicBuckets)
	}
	if out, err := cl.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b}); err != nil {
		if aws.IsNotFound(err) {
			rd.lc = "no rules"
		} else {
			rd.errs["lc"] = err
		}
	} else {
		var ids []string
		for _, rule := range out.Rules {
			ids = append(ids, sdk.ToString(rule.ID))
		}
		rd.lc = fmt.Sprintf("%d rules: %s", len(ids), strings.Join(ids, ", "))
	}
	if out, err := cl.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: b}); err != nil {
		rd.errs["logs"] = err
	} else if out.LoggingEnabled == nil {
		rd.logs = "off"
	} else {
		rd.logs = "to " + sdk.ToString(out.LoggingEnabled.TargetBucket) + "/" + sdk.ToString(out.LoggingEnabled.TargetPrefix)
	}
	return rd
}

func (rd *liveReads) show(key, v string, live bool) string {
	if !live {
		return "not checked"
	}
	if err := rd.errs[key]; err != nil {
		return "could not read: " + steps.FirstLine(aws.Explain(err).Error())
	}
	return v
}

func protection(a *config.Answers, rd *liveReads, live bool) []protRow {
	enc := "SSE-S3 (AES256)"
	if a.Encryption == config.EncSSEKMS {
		enc = "SSE-KMS with Bucket Key (objects cannot be served unsigned)"
	}
	ver := "off"
	if a.Versioning {
		ver = "Enabled (MFA Delete: manual, root only)"
	}
	l := a.Lifecycle
	var lc []string
	if l.UploadsExpireDays > 0 {
		lc = append(lc, fmt.Sprintf("uploads/ expire after %d days", l.UploadsExpireDays))
	}
	if l.NoncurrentExpireDays > 0 {
		lc = append(lc, fmt.Sprintf("old versions expire after %d days", l.NoncurrentExpireDays))
	}
	if l.AbortMultipartDays > 0 {
		lc = append(lc, fmt.Sprintf("incomplete multipart uploads aborted after %d days", l.AbortMultipartDays))
	}
	if l.ArchiveTier != "" {
		lc = append(lc, fmt.Sprintf("media/ to %s after %d days", l.ArchiveTier, l.ArchiveAfterDays))
	}
	logs := "off"
	if a.AccessLogs {
		logs = "to " + a.Bucket + "-logs (SSE-S3, old logs expire)"
	}
	var alarms []string
	if a.Alarms.BucketSizeGB > 0 {
		alarms = append(alarms, fmt.Sprintf("BucketSizeBytes > %g GB", a.Alarms.BucketSizeGB))
	}
	if a.Alarms.NumberOfObjects > 0 {
		alarms = append(alarms, fmt.Sprintf("NumberOfObjects > %d", a.Alarms.NumberOfObjects))
	}
	if a.Alarms.RequestMetrics {
		alarms = append(alarms, "request metrics (billed)")
	}
	if a.Alarms.Email != "" {
		alarms = append(alarms, "mail to "+a.Alarms.Email)
	}
	budget := "none"
	if a.Budget.MonthlyUSD > 0 {
		budget = fmt.Sprintf("%g USD/month, email to %s at %g%%", a.Budget.MonthlyUSD, a.Budget.Email, a.Budget.ThresholdPct)
	}
	public := "everything private"
	if len(a.PublicReadPrefixes()) > 0 {
		public = "ACL switches on; BlockPublicPolicy and RestrictPublicBuckets off (public prefixes)"
	}
	return []protRow{
		{"Default encryption", enc, rd.show("enc", rd.enc, live)},
		{"Versioning", ver, rd.show("ver", rd.ver, live)},
		{"Block Public Access (bucket)", public, rd.show("pab", rd.pab, live)},
		{"Lifecycle", orDefault(strings.Join(lc, "; "), "none"), rd.show("lc", rd.lc, live)},
		{"Server access logs", logs, rd.show("logs", rd.logs, live)},
		{"CloudWatch alarms (daily storage metrics, free)", orDefault(strings.Join(alarms, "; "), "none"), "see the checklist"},
		{"AWS Budgets", budget, "see the checklist"},
	}
}

func envVars(r *steps.Run) ([]envRow, string) {
	a := r.Answers
	meaning := map[string]string{
		steps.EnvKeyID:    "access key ID of " + a.IAMUser,
		steps.EnvSecret:   "its secret (only in the places listed above)",
		steps.EnvBucket:   "the bucket",
		steps.EnvRegion:   "the bucket's region (signed URLs need it right)",
		steps.EnvUseS3:    "True: files go to S3; anything else: local disk",
		steps.EnvEndpoint: "the custom S3 endpoint (unset on AWS)",
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
	if a.Credentials == config.CredInstanceRole {
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
	file := "`" + steps.EBFile(a.Env) + "`"
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
		line(`bucket -- "access logs" --> logs[("%s-logs")]`, mlabel(a.Bucket))
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

// item is one line of the guide's final checklist with its live state.
type item struct {
	Title   string
	State   string // ok | failing | partial | not checked
	Details []string
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

type mark struct {
	ok, fail, unknown int
	details           []string
}

func (m *mark) check(c steps.Check) {
	d := c.Name
	if c.Detail != "" {
		d += ": " + steps.FirstLine(c.Detail)
	}
	switch {
	case c.Skipped:
		m.unknown++
		m.details = append(m.details, "⏺ "+d+" (skipped)")
	case c.OK:
		m.ok++
		m.details = append(m.details, "✅ "+d)
	default:
		m.fail++
		m.details = append(m.details, "❌ "+d)
	}
}

func (m *mark) pass(d string)   { m.check(steps.Pass(d, "")) }
func (m *mark) failed(d string) { m.check(steps.Fail(d, "")) }
func (m *mark) notChecked(d string) {
	m.unknown++
	m.details = append(m.details, "⏺ "+d)
}

func (m *mark) item(title string) item {
	it := item{Title: title, Details: m.details}
	switch {
	case m.fail > 0:
		it.State = "failing"
	case m.ok > 0 && m.unknown > 0:
		it.State = "partial"
	case m.ok > 0:
		it.State = "ok"
	default:
		it.State = "not checked"
	}
	return it
}

// from adds the checks of the steps in ids whose name contains one of the
// words (any check when words is empty); it reports whether any matched.
func (m *mark) from(results []steps.Result, ids []string, words ...string) bool {
	found := false
	for _, res := range results {
		if res.Step == nil || !slices.Contains(ids, res.Step.ID) {
			continue
		}
		for _, c := range res.Checks {
			if len(words) > 0 && !containsWord(c.Name, words) {
				continue
			}
			m.check(c)
			found = true
		}
	}
	return found
}

func containsWord(name string, words []string) bool {
	name = strings.ToLower(name)
	for _, w := range words {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// checklist maps the French guide's §11 items to live checks.
func checklist(r *steps.Run, results []steps.Result, rd *liveReads, live bool, generated string) []item {
	a := r.Answers
	var items []item
	add := func(title string, fill func(m *mark)) {
		m := &mark{}
		if !live {
			m.notChecked("no live check without AWS credentials")
		} else {
			fill(m)
		}
		items = append(items, m.item(title))
	}
	add("S3 bucket created in the right region (Bucket S3 créé dans la bonne région)", func(m *mark) {
		if !m.from(results, []string{"bucket"}) {
			m.notChecked("the bucket step has no live check here")
		}
	})
	add("Dedicated IAM identity with minimal permissions (Utilisateur IAM dédié avec permissions minimales)", func(m *mark) {
		id := "iam"
		if a.Credentials == config.CredInstanceRole {
			id = "role"
		}
		if !m.from(results, []string{id}) {
			m.notChecked("no live check of the " + id + " step")
		}
		if a.IAMPolicy == config.PolicyFullAccess {
			m.failed("policy is AmazonS3FullAccess (every bucket): not minimal, not for production")
		}
	})
	add("Keys stored securely, not in Git (Clés IAM stockées de façon sécurisée)", func(m *mark) {
		if a.Credentials == config.CredInstanceRole {
			m.pass("no access keys: the instance role supplies temporary credentials")
			if env, err := envfile.Read(r.EnvFilePath()); err == nil && env[steps.EnvKeyID] != "" {
				m.failed(a.EnvFile + " still holds " + steps.EnvKeyID + " " + steps.Mask(env[steps.EnvKeyID]) + ": remove it and deactivate that key")
			}
			return
		}
		m.from(results, []string{"app-config"}, "0600", "ignored", "heroku command file", "set_env")
		if rel, ok := relEnv(r); ok {
			if tracked, err := envfile.TrackedByGit(r.Dir, rel); err == nil && tracked {
				m.failed(rel + " is tracked by git: `git rm --cached " + rel + "`, commit, and rotate the key (it is in the history)")
			}
		}
	})
	add("Environment variables configured, local + Heroku (Variables d’environnement configurées)", func(m *mark) {
		m.from(results, []string{"app-config"}, "variables", "recorded")
		m.from(results, []string{"access-key"}, "works")
		if a.HerokuApp != "" {
			if herokuDeployed(r) {
				m.pass("set on Heroku app " + a.HerokuApp + " by the wizard")
			} else {
				m.notChecked("Heroku app " + a.HerokuApp + ": not verifiable from here; run `sh " + steps.HerokuFile(a.Env) + "` if not done, then `heroku config --app " + a.HerokuApp + "`")
			}
		}
	})
	add("Bucket policy consistent, public / private (Politique de bucket cohérente)", func(m *mark) {
		if !m.from(results, []string{"public"}) {
			m.notChecked("no live check of the public step")
		}
	})
	add("Block Public Access configured correctly (Blocage d’accès public configuré correctement)", func(m *mark) {
		switch {
		case rd.errs["pab"] != nil:
			m.failed("could not read: " + steps.FirstLine(aws.Explain(rd.errs["pab"]).Error()))
		case rd.pab == "":
			m.failed("no Block Public Access on the bucket")
		case rd.pabOK:
			m.pass(rd.pab)
		default:
			m.failed(rd.pab + " (not as wanted: run apply)")
		}
	})
	add("Default encryption enabled (Chiffrement par défaut activé)", func(m *mark) {
		if !m.from(results, []string{"protection"}, "encrypt") {
			liveItem(m, rd, "enc", rd.enc, rd.encOK)
		}
	})
	add("Versioning enabled (Versioning activé)", func(m *mark) {
		if !m.from(results, []string{"protection"}, "version") {
			liveItem(m, rd, "ver", rd.ver, rd.verOK)
		}
	})
	add("Budgets & cost alerts in place (Budgets & alertes de coût en place)", func(m *mark) {
		if !m.from(results, []string{"monitoring", "budget", "alarms", "costs"}, "budget", "alarm") {
			m.notChecked("no live check of the budget and alarms in this build: see AWS Budgets and CloudWatch alarms in the console")
		}
	})
	add("Upload / delete tested from Django (Test d’upload / suppression depuis Django)", func(m *mark) {
		found := m.from(results, []string{"access-key"}, "put/get/delete")
		found = m.from(results, []string{"layout"}) || found
		if !found {
			m.notChecked("no live put/get/delete probe ran")
		}
		m.notChecked("from Django itself: `python manage.py shell -c \"from django.core.files.base import ContentFile; from django.core.files.storage import default_storage as s; n = s.save('check.txt', ContentFile(b'ok')); print(s.url(n)); s.delete(n)\"`")
	})
	items = append(items, item{Title: "Internal documentation updated (Documentation interne mise à jour)", State: "ok",
		Details: []string{"✅ this document, generated " + generated}})
	return items
}

func liveItem(m *mark, rd *liveReads, key, v string, ok bool) {
	switch {
	case rd.errs[key] != nil:
		m.failed("could not read: " + steps.FirstLine(aws.Explain(rd.errs[key]).Error()))
	case ok:
		m.pass(v)
	default:
		m.failed("live: " + v)
	}
}

func relEnv(r *steps.Run) (string, bool) {
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	rel, err := filepath.Rel(abs(r.Dir), abs(r.EnvFilePath()))
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

func herokuDeployed(r *steps.Run) bool {
	env, err := envfile.Read(r.EnvFilePath())
	if err != nil {
		return false
	}
	k := r.State.Key(env[steps.EnvKeyID])
	return k != nil && slices.Contains(k.Deployed, "heroku")
}

func manual(r *steps.Run) []string {
	a := r.Answers
	out := append([]string(nil), r.State.Manual...)
	if a.HerokuApp != "" && a.Credentials == config.CredAccessKeys && !herokuDeployed(r) {
		out = append(out, "Set the Heroku config vars: `sh "+steps.HerokuFile(a.Env)+"` (one restart), then delete that file.")
	}
	if a.Credentials == config.CredInstanceRole && a.EBEnvironment == "" {
		out = append(out, "Elastic Beanstalk: set the app's variables as environment properties with `sh "+steps.EBFile(a.Env)+"` (one `eb setenv`, no secret), and select instance profile `"+a.RoleName+"` for the environment.")
	}
	if _, err := os.Stat(filepath.Join(r.Dir, steps.SettingsFile)); err == nil {
		out = append(out, "Load `"+steps.SettingsFile+"` from settings.py (see its header) and add \"storages\" to INSTALLED_APPS, if not done.")
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

func stepInfo(r *steps.Run, list []*steps.Step) ([]departure, []stepRow) {
	var deps []departure
	var rows []stepRow
	for _, s := range list {
		if !s.IsEnabled(r.Answers) {
			continue
		}
		if len(s.Departures) > 0 {
			deps = append(deps, departure{Step: s.Title + " (guide " + s.Guide + ")", Items: s.Departures})
		}
		st := r.State.Step(s.ID)
		status := st.Status
		if !st.At.IsZero() {
			status += " " + st.At.UTC().Format("2006-01-02")
		}
		if st.Error != "" {
			status += ": " + steps.FirstLine(st.Error)
		}
		rows = append(rows, stepRow{Title: s.Title, Status: status, Notes: strings.Join(st.Notes, " · ")})
	}
	return deps, rows
}
