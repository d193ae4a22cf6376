package config

import (
	"fmt"
	"maps"
	"net/mail"
	"strconv"
	"strings"
)

// Kind is how a question is asked.
type Kind string

// Question kinds.
const (
	KindInput   Kind = "input"   // free text
	KindSelect  Kind = "select"  // one of Options
	KindConfirm Kind = "confirm" // yes / no ("true" / "false")
	KindMulti   Kind = "multi"   // several of Options, comma-separated
	KindList    Kind = "list"    // free list, comma-separated
)

// Question is the metadata of one answer key: the TUI and the accessible
// prompts both build their forms from it, so the wording, choices, rules and
// defaults live in one place next to the answers they fill.
type Question struct {
	// Key is the answers-file key; nested keys are dotted (budget.email).
	Key   string
	Title string
	Help  string
	Kind  Kind
	// Options are the choices of select and multi questions.
	Options []string
	// Validate checks the answer as typed (nil: anything goes).
	Validate func(string) error
	// Default is the value offered when the key was not answered, derived
	// from earlier answers the way ApplyDefaults does.
	Default func(*Answers) string
}

// derived returns a copy of a with defaults applied, so a question can
// offer what the run would use without touching a.
func derived(a *Answers) *Answers {
	if a == nil {
		a = &Answers{}
	}
	c := *a
	c.Set = maps.Clone(a.Set)
	c.ApplyDefaults()
	return &c
}

func pick(f func(d *Answers) string) func(*Answers) string {
	return func(a *Answers) string { return f(derived(a)) }
}

func validSimple(what string) func(string) error {
	return func(s string) error {
		if !envRe.MatchString(s) {
			return fmt.Errorf("%q: %s use lowercase letters, digits and dashes", s, what)
		}
		return nil
	}
}

func validIAMName(s string) error {
	if !iamRe.MatchString(s) {
		return fmt.Errorf("%q: 1-64 letters, digits or +=,.@_-", s)
	}
	return nil
}

func validInt(s string) error {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err != nil || n < 0 {
		return fmt.Errorf("%q: enter a whole number of days (0 or more)", s)
	}
	return nil
}

func validNumber(s string) error {
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil || f < 0 {
		return fmt.Errorf("%q: enter a number (0 or more)", s)
	}
	return nil
}

func validFolders(s string) error {
	for _, f := range SplitList(s) {
		if !folderRe.MatchString(f) {
			return fmt.Errorf("%q is not a simple folder name (lowercase letters, digits, . _ -)", f)
		}
	}
	return nil
}

func validPrefixes(s string) error {
	for _, p := range SplitList(s) {
		if err := validPublicPrefix(p); err != nil {
			return err
		}
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
func ftoa(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// questions are every answer key's question, in the order the wizard asks.
var questions = []Question{
	{Key: "env", Title: "Environment", Help: "One bucket and one set of credentials per environment: start with staging, then prod.",
		Kind: KindInput, Validate: validSimple("environment:"),
		Default: func(a *Answers) string {
			if a != nil && a.Env != "" {
				return a.Env
			}
			return "staging"
		}},
	{Key: "app", Title: "App name", Help: "Default names (bucket, IAM user, role) derive from it.",
		Kind: KindInput, Validate: validSimple("app name:"),
		Default: func(a *Answers) string {
			if a == nil {
				return ""
			}
			return a.App
		}},
	{Key: "region", Title: "AWS region", Help: "Where the bucket lives; pick the one closest to your users (eu-west-3 is Paris).",
		Kind: KindSelect, Options: Regions, Validate: ValidateRegion,
		Default: func(a *Answers) string {
			if a != nil && a.Region != "" {
				return a.Region
			}
			return "eu-west-3"
		}},
	{Key: "credentials", Title: "How will the app authenticate?", Help: "access-keys for Heroku and local runs; instance-role for EC2 / Elastic Beanstalk (no long-lived keys).",
		Kind: KindSelect, Options: []string{CredAccessKeys, CredInstanceRole},
		Default: pick(func(d *Answers) string { return d.Credentials })},
	{Key: "bucket", Title: "Bucket name", Help: "3-63 lowercase letters, digits, dots or hyphens; unique across all of AWS.",
		Kind: KindInput, Validate: ValidateBucketName,
		Default: pick(func(d *Answers) string { return d.Bucket })},
	{Key: "folders", Title: "Media folders (comma-separated)", Help: "Created under media/ (e.g. blog, products, profile).",
		Kind: KindList, Validate: validFolders,
		Default: pick(func(d *Answers) string { return strings.Join(d.Folders, ", ") })},
	{Key: "static_on_s3", Title: "Serve static files from S3 too?", Help: "Adds the static/ prefix and the staticfiles storage.",
		Kind: KindConfirm, Default: pick(func(d *Answers) string { return strconv.FormatBool(d.StaticOnS3) })},
	{Key: "public_prefixes", Title: "Public prefixes (comma-separated)", Help: "Anonymous read (e.g. media/blog/); everything else stays private and is served with signed URLs.",
		Kind: KindList, Validate: validPrefixes,
		Default: pick(func(d *Answers) string { return strings.Join(d.PublicPrefixes, ", ") })},
	{Key: "iam_user", Title: "IAM user for the app", Help: "The app's own identity; never your admin user.",
		Kind: KindInput, Validate: validIAMName,
		Default: pick(func(d *Answers) string { return d.IAMUser })},
	{Key: "iam_policy", Title: "IAM policy", Help: "least-privilege: this bucket only; full-access is AmazonS3FullAccess (not for production).",
		Kind: KindSelect, Options: []string{PolicyLeastPrivilege, PolicyFullAccess},
		Default: pick(func(d *Answers) string { return d.IAMPolicy })},
	{Key: "role_name", Title: "IAM role for the instances", Help: "Assumed by EC2 / Elastic Beanstalk instances through an instance profile.",
		Kind: KindInput, Validate: validIAMName,
		Default: pick(func(d *Answers) string { return d.RoleName })},
	{Key: "eb_environment", Title: "Elastic Beanstalk environment (optional)", Help: "Attach the instance profile to it; leave empty to do it yourself.",
		Kind: KindInput, Default: pick(func(d *Answers) string { return d.EBEnvironment })},
	{Key: "encryption", Title: "Default encryption", Help: "SSE-S3 costs nothing; SSE-KMS adds key policies and per-request KMS charges.",
		Kind: KindSelect, Options: []string{EncSSES3, EncSSEKMS},
		Default: pick(func(d *Answers) string { return d.Encryption })},
	{Key: "kms_key_id", Title: "KMS key ID or ARN (empty: the AWS managed key)", Kind: KindInput,
		Default: pick(func(d *Answers) string { return d.KMSKeyID })},
	{Key: "versioning", Title: "Turn on versioning?", Help: "Keeps overwritten and deleted files recoverable.",
		Kind: KindConfirm, Default: pick(func(d *Answers) string { return strconv.FormatBool(d.Versioning) })},
	{Key: "lifecycle.uploads_expire_days", Title: "Expire uploads/ after (days, 0: never)", Kind: KindInput, Validate: validInt,
		Default: pick(func(d *Answers) string { return itoa(d.Lifecycle.UploadsExpireDays) })},
	{Key: "lifecycle.noncurrent_expire_days", Title: "Expire old versions after (days, 0: never)", Kind: KindInput, Validate: validInt,
		Default: pick(func(d *Answers) string { return itoa(d.Lifecycle.NoncurrentExpireDays) })},
	{Key: "lifecycle.abort_multipart_days", Title: "Abort incomplete uploads after (days)", Kind: KindInput, Validate: validInt,
		Default: pick(func(d *Answers) string { return itoa(d.Lifecycle.AbortMultipartDays) })},
	{Key: "access_logs", Title: "Keep server access logs?", Help: "Written to BUCKET-logs.",
		Kind: KindConfirm, Default: pick(func(d *Answers) string { return strconv.FormatBool(d.AccessLogs) })},
	{Key: "budget.monthly_usd", Title: "Monthly budget in USD (0: none)", Kind: KindInput, Validate: validNumber,
		Default: pick(func(d *Answers) string { return ftoa(d.Budget.MonthlyUSD) })},
	{Key: "budget.email", Title: "Budget alert email", Kind: KindInput,
		Validate: func(s string) error {
			if s == "" {
				return nil
			}
			if _, err := mail.ParseAddress(s); err != nil || !emailRe.MatchString(s) {
				return fmt.Errorf("%q: not an email address", s)
			}
			return nil
		},
		Default: pick(func(d *Answers) string { return d.Budget.Email })},
	{Key: "alarms.bucket_size_gb", Title: "Alarm when the bucket exceeds (GB, 0: no alarm)", Kind: KindInput, Validate: validNumber,
		Default: pick(func(d *Answers) string { return ftoa(d.Alarms.BucketSizeGB) })},
	{Key: "env_file", Title: "Env file", Help: "Where the app's settings (and, with access keys, the secret) are written, mode 0600.",
		Kind: KindInput,
		Validate: func(s string) error {
			if strings.TrimSpace(s) == "" {
				return fmt.Errorf("env file cannot be empty (e.g. .env)")
			}
			return nil
		},
		Default: pick(func(d *Answers) string { return d.EnvFile })},
	{Key: "set_env_sh", Title: "Also write set_env.sh and hook it into the venv's activate?", Kind: KindConfirm,
		Default: pick(func(d *Answers) string { return strconv.FormatBool(d.SetEnvSh) })},
	{Key: "heroku_app", Title: "Heroku app (optional)", Help: "A ready-to-run heroku config:set command is written for it.",
		Kind: KindInput, Default: pick(func(d *Answers) string { return d.HerokuApp })},
}

// QuestionsFor returns the questions of keys, in the order given. A
// top-level key with nested answers (lifecycle, budget, alarms) yields one
// question per nested key; unknown keys are ignored.
func QuestionsFor(keys []string) []Question {
	var out []Question
	for _, k := range keys {
		for _, q := range questions {
			if q.Key == k || strings.HasPrefix(q.Key, k+".") {
				out = append(out, q)
			}
		}
	}
	return out
}

// SplitList splits a comma- or space-separated answer, dropping blanks.
func SplitList(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "on":
		return true, nil
	case "false", "no", "n", "0", "off", "":
		return false, nil
	}
	return false, fmt.Errorf("%q: answer yes or no", s)
}

// SetString applies one answer given as text (as typed in the TUI or the
// accessible prompts) and marks its top-level key as answered. Nested keys
// are dotted (budget.email). The value is checked by the question's rule.
func (a *Answers) SetString(key, value string) error {
	if a.Set == nil {
		a.Set = map[string]bool{}
	}
	value = strings.TrimSpace(value)
	for _, q := range questions {
		if q.Key == key && q.Validate != nil {
			if err := q.Validate(value); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	top, _, _ := strings.Cut(key, ".")
	if (top == "lifecycle" || top == "budget" || top == "alarms") && !a.Set[top] {
		// The first nested answer starts from the defaults, so answering one
		// field does not zero the others.
		d := derived(a)
		a.Lifecycle, a.Budget, a.Alarms = d.Lifecycle, d.Budget, d.Alarms
	}
	var err error
	num := func(dst *int) {
		var n int
		if n, err = strconv.Atoi(value); err == nil {
			*dst = n
		}
	}
	flt := func(dst *float64) {
		var f float64
		if f, err = strconv.ParseFloat(value, 64); err == nil {
			*dst = f
		}
	}
	boolean := func(dst *bool) {
		var b bool
		if b, err = parseBool(value); err == nil {
			*dst = b
		}
	}
	switch key {
	case "env":
		a.Env = value
	case "app":
		a.App = value
	case "region":
		a.Region = value
	case "bucket":
		a.Bucket = value
	case "folders":
		a.Folders = SplitList(value)
	case "static_on_s3":
		boolean(&a.StaticOnS3)
	case "public_prefixes":
		a.PublicPrefixes = SplitList(value)
	case "credentials":
		if value != CredAccessKeys && value != CredInstanceRole {
			err = fmt.Errorf("%q: choose %s or %s", value, CredAccessKeys, CredInstanceRole)
		}
		a.Credentials = value
	case "iam_user":
		a.IAMUser = value
	case "iam_policy":
		a.IAMPolicy = value
	case "role_name":
		a.RoleName = value
	case "eb_environment":
		a.EBEnvironment = value
	case "encryption":
		a.Encryption = value
	case "kms_key_id":
		a.KMSKeyID = value
	case "versioning":
		boolean(&a.Versioning)
	case "lifecycle.uploads_expire_days":
		num(&a.Lifecycle.UploadsExpireDays)
	case "lifecycle.noncurrent_expire_days":
		num(&a.Lifecycle.NoncurrentExpireDays)
	case "lifecycle.abort_multipart_days":
		num(&a.Lifecycle.AbortMultipartDays)
	case "access_logs":
		boolean(&a.AccessLogs)
	case "budget.monthly_usd":
		flt(&a.Budget.MonthlyUSD)
	case "budget.email":
		a.Budget.Email = value
	case "alarms.bucket_size_gb":
		flt(&a.Alarms.BucketSizeGB)
	case "env_file":
		a.EnvFile = value
	case "set_env_sh":
		boolean(&a.SetEnvSh)
	case "heroku_app":
		a.HerokuApp = value
	default:
		return fmt.Errorf("unknown answer key %q", key)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	a.Set[top] = true
	return nil
}
