// Package config holds the wizard's answers (the answers file and the TUI ask
// the same keys), their defaults derived from earlier answers, and the rules
// that make an answer valid before anything touches AWS.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Credential modes.
const (
	CredAccessKeys   = "access-keys"
	CredInstanceRole = "instance-role"
)

// IAM policy choices.
const (
	PolicyLeastPrivilege = "least-privilege"
	PolicyFullAccess     = "full-access"
)

// Encryption choices.
const (
	EncSSES3  = "SSE-S3"
	EncSSEKMS = "SSE-KMS"
)

// Lifecycle is the protection step's lifecycle rule answers.
type Lifecycle struct {
	UploadsExpireDays    int    `yaml:"uploads_expire_days" json:"uploads_expire_days"`
	NoncurrentExpireDays int    `yaml:"noncurrent_expire_days" json:"noncurrent_expire_days"`
	AbortMultipartDays   int    `yaml:"abort_multipart_days" json:"abort_multipart_days"`
	ArchiveTier          string `yaml:"archive_tier,omitempty" json:"archive_tier,omitempty"` // "", INTELLIGENT_TIERING, GLACIER_IR
	ArchiveAfterDays     int    `yaml:"archive_after_days,omitempty" json:"archive_after_days,omitempty"`
}

// Budget is the monthly AWS Budgets cost budget. MonthlyUSD 0 means no budget.
type Budget struct {
	MonthlyUSD   float64 `yaml:"monthly_usd" json:"monthly_usd"`
	Email        string  `yaml:"email" json:"email"`
	ThresholdPct float64 `yaml:"threshold_pct,omitempty" json:"threshold_pct,omitempty"`
}

// Alarms are the CloudWatch alarm thresholds. Zero disables an alarm.
type Alarms struct {
	BucketSizeGB    float64 `yaml:"bucket_size_gb" json:"bucket_size_gb"`
	NumberOfObjects int64   `yaml:"number_of_objects,omitempty" json:"number_of_objects,omitempty"`
	RequestMetrics  bool    `yaml:"request_metrics,omitempty" json:"request_metrics,omitempty"` // billed: opt-in
	Email           string  `yaml:"email,omitempty" json:"email,omitempty"`
}

// Answers are every question of the wizard, keyed as in the answers file.
// Pointers and "set" tracking are avoided on purpose: Set records which keys
// the user (file, TUI or flags) actually answered, so --yes can name a missing
// one while defaults still fill the rest.
type Answers struct {
	Env            string    `yaml:"env" json:"env"`
	App            string    `yaml:"app" json:"app"`
	Region         string    `yaml:"region" json:"region"`
	Bucket         string    `yaml:"bucket" json:"bucket"`
	Folders        []string  `yaml:"folders" json:"folders"`
	StaticOnS3     bool      `yaml:"static_on_s3" json:"static_on_s3"`
	PublicPrefixes []string  `yaml:"public_prefixes" json:"public_prefixes"`
	Credentials    string    `yaml:"credentials" json:"credentials"`
	IAMUser        string    `yaml:"iam_user" json:"iam_user"`
	IAMPolicy      string    `yaml:"iam_policy" json:"iam_policy"`
	RoleName       string    `yaml:"role_name" json:"role_name"`
	EBEnvironment  string    `yaml:"eb_environment" json:"eb_environment"`
	Encryption     string    `yaml:"encryption" json:"encryption"`
	KMSKeyID       string    `yaml:"kms_key_id,omitempty" json:"kms_key_id,omitempty"`
	Versioning     bool      `yaml:"versioning" json:"versioning"`
	Lifecycle      Lifecycle `yaml:"lifecycle" json:"lifecycle"`
	AccessLogs     bool      `yaml:"access_logs" json:"access_logs"`
	Budget         Budget    `yaml:"budget" json:"budget"`
	Alarms         Alarms    `yaml:"alarms" json:"alarms"`
	EnvFile        string    `yaml:"env_file" json:"env_file"`
	SetEnvSh       bool      `yaml:"set_env_sh" json:"set_env_sh"`
	HerokuApp      string    `yaml:"heroku_app" json:"heroku_app"`

	// Set lists the top-level keys that were answered (not defaulted).
	Set map[string]bool `yaml:"-" json:"set,omitempty"`
}

// knownKeys are the answers file's top-level keys, in question order.
var knownKeys = []string{
	"env", "app", "region", "bucket", "folders", "static_on_s3", "public_prefixes",
	"credentials", "iam_user", "iam_policy", "role_name", "eb_environment",
	"encryption", "kms_key_id", "versioning", "lifecycle", "access_logs", "budget", "alarms",
	"env_file", "set_env_sh", "heroku_app",
}

// Keys returns the answers file's keys in the order the wizard asks them.
func Keys() []string { return append([]string(nil), knownKeys...) }

// Required are the keys that have no safe default: with --yes their absence
// is a usage error naming the key.
var Required = []string{"app", "region"}

// ErrMissing is returned (wrapped) when a required answer is absent.
var ErrMissing = errors.New("missing answer")

// MissingError names the answer key that nobody supplied.
type MissingError struct{ Key string }

func (e *MissingError) Error() string {
	return fmt.Sprintf("missing answer %q: add it to the answers file (or run in a terminal without --yes to be asked)", e.Key)
}
func (e *MissingError) Unwrap() error { return ErrMissing }

// Parse reads an answers file (YAML; JSON is valid YAML). Unknown keys are an
// error so that a typo never silently falls back to a default.
func Parse(data []byte) (*Answers, error) {
	var raw map[string]yaml.Node
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("answers file is not valid YAML: %w", err)
	}
	a := &Answers{Set: map[string]bool{}}
	if len(bytes.TrimSpace(data)) == 0 {
		return a, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(a); err != nil {
		return nil, fmt.Errorf("answers file: %w", err)
	}
	for k := range raw {
		a.Set[k] = true
	}
	return a, nil
}

// Load reads and parses an answers file from disk.
func Load(path string) (*Answers, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read answers file: %w", err)
	}
	a, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// Merge copies into a every key that b answered and a did not. It is how
// saved progress, the answers file and flags combine (later sources win when
// merged first).
func (a *Answers) Merge(b *Answers) {
	if b == nil {
		return
	}
	if a.Set == nil {
		a.Set = map[string]bool{}
	}
	av := map[string]any{}
	bv := map[string]any{}
	ay, _ := yaml.Marshal(a)
	by, _ := yaml.Marshal(b)
	_ = yaml.Unmarshal(ay, &av)
	_ = yaml.Unmarshal(by, &bv)
	for k := range b.Set {
		if !a.Set[k] {
			av[k] = bv[k]
			a.Set[k] = true
		}
	}
	out, _ := yaml.Marshal(av)
	set := a.Set
	*a = Answers{}
	_ = yaml.Unmarshal(out, a)
	a.Set = set
}

// Missing returns the first required key nobody answered, or "".
func (a *Answers) Missing() string {
	for _, k := range Required {
		if !a.Set[k] || a.field(k) == "" {
			return k
		}
	}
	if a.Budget.MonthlyUSD > 0 && strings.TrimSpace(a.Budget.Email) == "" {
		return "budget.email"
	}
	return ""
}

func (a *Answers) field(k string) string {
	switch k {
	case "app":
		return a.App
	case "region":
		return a.Region
	case "env":
		return a.Env
	}
	return "x"
}

// ApplyDefaults fills every unanswered key from earlier answers, the way the
// TUI pre-fills its questions. It never overrides an answered key.
func (a *Answers) ApplyDefaults() {
	if a.Set == nil {
		a.Set = map[string]bool{}
	}
	def := func(key string, empty bool, fill func()) {
		if !a.Set[key] || empty {
			fill()
		}
	}
	app := a.App
	if app == "" {
		app = "app"
	}
	def("bucket", a.Bucket == "", func() { a.Bucket = fmt.Sprintf("%s-media-%s", app, a.Env) })
	def("credentials", a.Credentials == "", func() { a.Credentials = CredAccessKeys })
	def("iam_user", a.IAMUser == "", func() { a.IAMUser = "django-s3-user-" + a.Env })
	def("iam_policy", a.IAMPolicy == "", func() { a.IAMPolicy = PolicyLeastPrivilege })
	def("role_name", a.RoleName == "", func() { a.RoleName = fmt.Sprintf("%s-%s-s3", app, a.Env) })
	def("encryption", a.Encryption == "", func() { a.Encryption = EncSSES3 })
	def("versioning", false, func() { a.Versioning = true })
	def("lifecycle", false, func() {
		a.Lifecycle = Lifecycle{UploadsExpireDays: 7, NoncurrentExpireDays: 30, AbortMultipartDays: 7}
	})
	if a.Lifecycle.AbortMultipartDays == 0 {
		a.Lifecycle.AbortMultipartDays = 7
	}
	def("access_logs", false, func() { a.AccessLogs = true })
	def("alarms", false, func() { a.Alarms = Alarms{BucketSizeGB: 50} })
	if a.Budget.MonthlyUSD > 0 && a.Budget.ThresholdPct == 0 {
		a.Budget.ThresholdPct = 80
	}
	def("env_file", a.EnvFile == "", func() { a.EnvFile = ".env" })
	if a.Folders == nil {
		a.Folders = []string{}
	}
	if a.PublicPrefixes == nil {
		a.PublicPrefixes = []string{}
	}
}

var (
	envRe    = regexp.MustCompile(`^[a-z0-9-]+$`)
	folderRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	iamRe    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	emailRe  = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// Validate checks every answer; the first problem is returned with the key it
// belongs to, so nothing is created from a bad answer.
func (a *Answers) Validate() error {
	if !envRe.MatchString(a.Env) {
		return fmt.Errorf("env %q: use lowercase letters, digits and dashes (e.g. staging, prod)", a.Env)
	}
	if a.App == "" || !envRe.MatchString(a.App) {
		return fmt.Errorf("app %q: use lowercase letters, digits and dashes (e.g. mon-app)", a.App)
	}
	if err := ValidateRegion(a.Region); err != nil {
		return fmt.Errorf("region: %w", err)
	}
	if err := ValidateBucketName(a.Bucket); err != nil {
		return fmt.Errorf("bucket: %w", err)
	}
	for _, f := range a.Folders {
		if !folderRe.MatchString(f) {
			return fmt.Errorf("folders: %q is not a simple folder name (lowercase letters, digits, . _ -)", f)
		}
	}
	for _, p := range a.PublicPrefixes {
		if err := validPublicPrefix(p); err != nil {
			return fmt.Errorf("public_prefixes: %w", err)
		}
	}
	switch a.Credentials {
	case CredAccessKeys:
		if !iamRe.MatchString(a.IAMUser) {
			return fmt.Errorf("iam_user %q: 1-64 letters, digits or +=,.@_-", a.IAMUser)
		}
	case CredInstanceRole:
		if !iamRe.MatchString(a.RoleName) {
			return fmt.Errorf("role_name %q: 1-64 letters, digits or +=,.@_-", a.RoleName)
		}
	default:
		return fmt.Errorf("credentials %q: choose access-keys (Heroku, local) or instance-role (EC2 / Elastic Beanstalk)", a.Credentials)
	}
	switch a.IAMPolicy {
	case PolicyLeastPrivilege, PolicyFullAccess:
	default:
		return fmt.Errorf("iam_policy %q: choose least-privilege or full-access", a.IAMPolicy)
	}
	switch a.Encryption {
	case EncSSES3, EncSSEKMS:
	default:
		return fmt.Errorf("encryption %q: choose SSE-S3 or SSE-KMS", a.Encryption)
	}
	if k := a.KMSKeyID; strings.HasPrefix(k, "alias/") || strings.Contains(k, ":alias/") {
		return fmt.Errorf("kms_key_id %q is an alias: give the key ID or key ARN (the app's IAM policy needs the key ARN)", k)
	}
	l := a.Lifecycle
	if l.UploadsExpireDays < 0 || l.NoncurrentExpireDays < 0 || l.AbortMultipartDays < 0 {
		return fmt.Errorf("lifecycle: days cannot be negative")
	}
	switch l.ArchiveTier {
	case "", "INTELLIGENT_TIERING", "GLACIER_IR":
	case "GLACIER", "DEEP_ARCHIVE":
		return fmt.Errorf("lifecycle.archive_tier %q: Glacier Flexible Retrieval / Deep Archive objects must be restored before they can be read, which breaks media links; use INTELLIGENT_TIERING or GLACIER_IR", l.ArchiveTier)
	default:
		return fmt.Errorf("lifecycle.archive_tier %q: use INTELLIGENT_TIERING or GLACIER_IR", l.ArchiveTier)
	}
	if a.Budget.MonthlyUSD < 0 {
		return fmt.Errorf("budget.monthly_usd: cannot be negative")
	}
	if a.Budget.MonthlyUSD > 0 && !emailRe.MatchString(a.Budget.Email) {
		return fmt.Errorf("budget.email %q: not an email address", a.Budget.Email)
	}
	if a.Alarms.BucketSizeGB < 0 || a.Alarms.NumberOfObjects < 0 {
		return fmt.Errorf("alarms: thresholds cannot be negative")
	}
	if strings.TrimSpace(a.EnvFile) == "" {
		return fmt.Errorf("env_file: cannot be empty")
	}
	return nil
}

func validPublicPrefix(p string) error {
	if !strings.HasSuffix(p, "/") {
		return fmt.Errorf("%q must end with / (a prefix, e.g. media/blog/)", p)
	}
	if !strings.HasPrefix(p, "media/") && !strings.HasPrefix(p, "static/") {
		return fmt.Errorf("%q must be under media/ or static/", p)
	}
	// static/ alone is fine (static files are public by design), but all of
	// media/ would expose the private uploads next to the public ones.
	if p == "media/" {
		return fmt.Errorf("%q: making all of media/ public exposes private uploads; list the public folders below it instead (e.g. media/blog/)", p)
	}
	if strings.Contains(p, "*") || strings.Contains(p, "..") || strings.Contains(p, "//") {
		return fmt.Errorf("%q: no wildcards, '..' or '//'", p)
	}
	return nil
}

// Prefixes are the top-level prefixes the app writes to: media/ always,
// uploads/ always (temporary uploads, expired by lifecycle), static/ when
// static files are on S3.
func (a *Answers) Prefixes() []string {
	p := []string{"media/", "uploads/"}
	if a.StaticOnS3 {
		p = append(p, "static/")
	}
	return p
}

// StaticPrefix is where static files go when static_on_s3 is on.
const StaticPrefix = "static/"

// PublicReadPrefixes are the prefixes anyone may read: the public prefixes,
// plus static/ when static files are on S3 (Django's static files are
// public by nature, and the static storage builds unsigned URLs).
func (a *Answers) PublicReadPrefixes() []string {
	out := append([]string(nil), a.PublicPrefixes...)
	if a.StaticOnS3 {
		for _, p := range a.PublicPrefixes {
			if p == StaticPrefix {
				return out
			}
		}
		out = append(out, StaticPrefix)
	}
	return out
}

// Marshal renders the answers as YAML (answers-file format, keys in order).
func (a *Answers) Marshal() ([]byte, error) {
	return yaml.Marshal(a)
}

// SortedSet returns the answered keys, sorted (for messages and tests).
func (a *Answers) SortedSet() []string {
	var ks []string
	for k := range a.Set {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
