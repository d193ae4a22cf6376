// Package config holds the wizard's answers (the answers file and the TUI ask
// the same keys), their defaults derived from earlier answers, and the rules
// that make an answer valid before anything touches AWS. Every key is
// declared once, in the keys table (keys.go).
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/s3wizard/s3wizard/provider"
)

// Credential modes.
const (
	CredAccessKeys   = "access-keys"
	CredInstanceRole = "instance-role"
	// CredProvided: keys the user already has (S3-compatible providers);
	// no IAM, monitoring or budget.
	CredProvided = "provided"
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

// LogBucketSuffix names the access-log bucket after the media bucket.
const LogBucketSuffix = "-logs"

// LogBucketName is the access-log bucket of a media bucket.
func LogBucketName(bucket string) string { return bucket + LogBucketSuffix }

// GroupName is the IAM group of the app's user.
func (a *Answers) GroupName() string { return fmt.Sprintf("%s-%s-s3", a.App, a.Env) }

// PolicyName is the managed policy of the app's group.
func (a *Answers) PolicyName() string { return fmt.Sprintf("%s-%s-s3-access", a.App, a.Env) }

// EnvFilePath is the env file's path in the project at dir (env_file is
// relative to it).
func (a *Answers) EnvFilePath(dir string) string {
	if filepath.IsAbs(a.EnvFile) {
		return a.EnvFile
	}
	return filepath.Join(dir, a.EnvFile)
}

// Lifecycle is the protection step's lifecycle rule answers.
type Lifecycle struct {
	UploadsExpireDays    int
	NoncurrentExpireDays int
	AbortMultipartDays   int
	ArchiveTier          string // "", INTELLIGENT_TIERING, GLACIER_IR
	ArchiveAfterDays     int
}

// Budget is the monthly AWS Budgets cost budget. MonthlyUSD 0 means no budget.
type Budget struct {
	MonthlyUSD   float64
	Email        string
	ThresholdPct float64
}

// Alarms are the CloudWatch alarm thresholds. Zero disables an alarm.
type Alarms struct {
	BucketSizeGB    float64
	NumberOfObjects int64
	RequestMetrics  bool // billed: opt-in
	Email           string
}

// Answers are every question of the wizard; their keys, file format and
// rules are in the keys table. Set records which keys the user (file, TUI
// or flags) actually answered, so --yes can name a missing one while
// defaults still fill the rest.
type Answers struct {
	Env            string
	App            string
	Region         string
	AWSProfile     string
	Bucket         string
	Folders        []string
	StaticOnS3     bool
	PublicPrefixes []string
	Credentials    string
	Endpoint       string
	PublicDomain   string
	CORSUploads    bool
	CORSOrigins    []string
	CloudFront     bool
	IAMUser        string
	IAMPolicy      string
	RoleName       string
	EBEnvironment  string
	Encryption     string
	KMSKeyID       string
	Versioning     bool
	Lifecycle      Lifecycle
	AccessLogs     bool
	Budget         Budget
	Alarms         Alarms
	EnvFile        string
	SetEnvSh       bool
	HerokuApp      string

	// SiteHosts are the project's ALLOWED_HOSTS, read from its settings
	// when they are literal (nil otherwise): not an answer, the source of
	// cors_origins' default.
	SiteHosts []string

	// Set lists the answered keys: top-level keys, and the dotted keys of
	// nested answers (a top-level key alone, as older progress files have
	// it, means all its nested keys).
	Set map[string]bool
}

// answered reports whether the user answered q.
func (a *Answers) answered(q *Question) bool {
	if a.Set[q.Key] {
		return true
	}
	if !q.nested() || !a.Set[q.top()] {
		return false
	}
	for k := range a.Set {
		if strings.HasPrefix(k, q.top()+".") {
			return false // nested keys are recorded one by one
		}
	}
	return true
}

// mark records q as answered.
func (a *Answers) mark(q *Question) {
	if a.Set == nil {
		a.Set = map[string]bool{}
	}
	if q.nested() && a.Set[q.top()] {
		// From "the whole block" to key by key: keep what it covered.
		for _, o := range keys {
			if o.top() == q.top() && a.answered(o) {
				a.Set[o.Key] = true
			}
		}
	}
	a.Set[q.Key], a.Set[q.top()] = true, true
}

// ErrMissing is returned (wrapped) when a required answer is absent.
var ErrMissing = errors.New("missing answer")

// MissingError names the answer key that nobody supplied.
type MissingError struct{ Key string }

func (e *MissingError) Error() string {
	return fmt.Sprintf("missing answer %q: add it to the answers file (or run in a terminal without --yes to be asked)", e.Key)
}
func (e *MissingError) Unwrap() error { return ErrMissing }

// KeyError is a bad answer, named by its key (and its line in the answers
// file, when it comes from one).
type KeyError struct {
	Key  string
	Line int
	Err  error
}

func (e *KeyError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s (line %d): %v", e.Key, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Key, e.Err)
}
func (e *KeyError) Unwrap() error { return e.Err }

// UnknownKeyError is a key the answers file does not have.
type UnknownKeyError struct {
	Key     string
	Line    int
	Suggest string
}

func (e *UnknownKeyError) Error() string {
	s := fmt.Sprintf("unknown key %q (line %d)", e.Key, e.Line)
	if e.Suggest != "" {
		s += fmt.Sprintf(" — did you mean %q?", e.Suggest)
	}
	return s
}

// Load reads and parses an answers file from disk; a file larger than
// MaxFileBytes is refused before it is read.
func Load(path string) (*Answers, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read answers file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
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
	var take []*Question
	for _, q := range keys {
		if b.answered(q) && !a.answered(q) {
			take = append(take, q)
		}
	}
	for _, q := range take {
		q.copyTo(b, a)
		a.mark(q)
	}
}

// Missing returns the first required key nobody answered, or "".
func (a *Answers) Missing() string {
	for _, q := range keys {
		if q.required && (!a.answered(q) || q.zero(a)) {
			return q.Key
		}
	}
	if a.Budget.MonthlyUSD > 0 && strings.TrimSpace(a.Budget.Email) == "" {
		return "budget.email"
	}
	return ""
}

// ApplyDefaults fills every unanswered key from earlier answers, the way the
// TUI pre-fills its questions. It never overrides an answer (except an empty
// one, for keys that cannot be empty).
func (a *Answers) ApplyDefaults() {
	if a.Set == nil {
		a.Set = map[string]bool{}
	}
	for _, q := range keys {
		if q.required || q.fill == nil {
			continue
		}
		if !a.answered(q) || q.empty && q.zero(a) {
			q.fill(a)
		}
	}
	if a.Folders == nil {
		a.Folders = []string{}
	}
	if a.PublicPrefixes == nil {
		a.PublicPrefixes = []string{}
	}
	if a.CORSOrigins == nil {
		a.CORSOrigins = []string{}
	}
}

// derived returns a copy of a with defaults applied, so a question can
// offer what the run would use without touching a.
func derived(a *Answers) *Answers {
	if a == nil {
		a = &Answers{}
	}
	c := a.Clone()
	c.ApplyDefaults()
	return c
}

// UsesAccessKeys reports credentials: access-keys (an IAM user whose key
// the env file holds).
func (a *Answers) UsesAccessKeys() bool { return a.Credentials == CredAccessKeys }

// UsesInstanceRole reports credentials: instance-role (an IAM role for the
// app's EC2 or Elastic Beanstalk instances).
func (a *Answers) UsesInstanceRole() bool { return a.Credentials == CredInstanceRole }

// IsProvided reports credentials: provided (an S3-compatible provider's
// keys, given by the user: no IAM, no STS).
func (a *Answers) IsProvided() bool { return a.Credentials == CredProvided }

// Clone returns a copy of a that shares nothing with it (nil for nil).
func (a *Answers) Clone() *Answers {
	if a == nil {
		return nil
	}
	c := *a
	c.Set = maps.Clone(a.Set)
	c.Folders = slices.Clone(a.Folders)
	c.PublicPrefixes = slices.Clone(a.PublicPrefixes)
	c.CORSOrigins = slices.Clone(a.CORSOrigins)
	c.SiteHosts = slices.Clone(a.SiteHosts)
	return &c
}

// Validate checks every answer with AWS's own limits; the first problem is
// returned as a *KeyError naming its key, so nothing is created from a bad
// answer.
func (a *Answers) Validate() error {
	for _, q := range keys {
		if q.relevant != nil && !q.relevant(a) {
			continue
		}
		if err := q.rule(a); err != nil {
			return &KeyError{Key: q.Key, Err: err}
		}
	}
	if err := a.accessLogsRefusal(); err != nil {
		return err
	}
	if err := a.cloudFrontRefusal(); err != nil {
		return &KeyError{Key: "cloudfront", Err: err}
	}
	if err := a.providerRefusal(); err != nil {
		return err
	}
	if err := a.iamNameRefusal(); err != nil {
		return err
	}
	if a.Budget.MonthlyUSD > 0 {
		if err := validEmail(a.Budget.Email); err != nil {
			return keyErrorf("budget.email", "%w (a budget needs an email to alert)", err)
		}
	}
	if r := kmsRegion(a.KMSKeyID); r != "" && a.Encryption == EncSSEKMS && r != a.Region {
		return keyErrorf("kms_key_id", "the key is in %s but the bucket is in %s: S3 needs a KMS key in the bucket's region", r, a.Region)
	}
	return nil
}

// keyErrorf is a *KeyError naming key, its error formatted as by fmt.Errorf.
func keyErrorf(key, format string, args ...any) error {
	return &KeyError{Key: key, Err: fmt.Errorf(format, args...)}
}

// accessLogsRefusal refuses server access logging where it cannot be: on
// an S3-compatible provider, or when the log bucket's name would be too
// long.
func (a *Answers) accessLogsRefusal() error {
	if !a.AccessLogs {
		return nil
	}
	if provided(a) {
		return keyErrorf("access_logs", "server access logging is an AWS-only feature: leave access_logs out (or false) with credentials: provided")
	}
	if logs := LogBucketName(a.Bucket); ValidateBucketName(logs) != nil {
		return keyErrorf("bucket", "%q: its access-log bucket %s would be %d characters, and bucket names are at most 63: choose a bucket name of at most %d characters, or set access_logs: false",
			a.Bucket, logs, len(logs), 63-len(LogBucketSuffix))
	}
	return nil
}

// providerRefusal is what credentials: provided needs: an endpoint, and
// public_domain for public files where the provider serves them only there.
func (a *Answers) providerRefusal() error {
	if !provided(a) {
		return nil
	}
	if a.Endpoint == "" {
		return &KeyError{Key: "endpoint", Err: errNoEndpoint}
	}
	if p := provider.Detect(a.Endpoint); p.NeedsPublicDomain && a.PublicDomain == "" && len(a.PublicReadPrefixes()) > 0 {
		return keyErrorf("public_domain", "%s writes no bucket policy the wizard can use (%s): public files are served by %s — set public_domain to that URL, or drop public_prefixes (and static_on_s3)", p.Name, p.PolicyDoc, p.PublicFiles.Note)
	}
	return nil
}

// iamNameRefusal refuses an app and env whose IAM group or policy name,
// built from them, would be longer than IAM allows (with access keys).
func (a *Answers) iamNameRefusal() error {
	if !accessKeys(a) {
		return nil
	}
	for _, n := range []struct{ what, name string }{{"group", a.GroupName()}, {"policy", a.PolicyName()}} {
		if err := validIAMName(n.name, MaxGroupName); err != nil {
			return keyErrorf("app", "the IAM %s name %s would be %d characters (IAM allows %d): shorten app or env", n.what, n.name, len(n.name), MaxGroupName)
		}
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

// cloudFrontRefusal says why cloudfront: true cannot be served with these
// answers (nil when it can, or when it is off).
func (a *Answers) cloudFrontRefusal() error {
	switch {
	case !a.CloudFront:
		return nil
	case provided(a):
		return errors.New("CloudFront is an AWS service: an S3-compatible provider (credentials: provided) has none; use public_domain for your provider's CDN, or leave cloudfront out")
	case a.PublicDomain != "":
		return fmt.Errorf("with cloudfront the public and static URLs use the distribution's own domain: leave public_domain (%s) empty, or set cloudfront: false to keep your own CDN", a.PublicDomain)
	case len(a.PublicReadPrefixes()) == 0:
		return errors.New("nothing to serve: CloudFront serves the public prefixes and, with static_on_s3, static/; list public_prefixes or set static_on_s3, or leave cloudfront out")
	case a.Encryption == EncSSEKMS && a.KMSKeyID == "":
		return errors.New("SSE-KMS with the AWS managed key aws/s3 cannot work behind CloudFront: that key's policy cannot be changed to let CloudFront decrypt (AWS: Restrict access to an Amazon S3 origin, SSE-KMS); use encryption: SSE-S3, or a customer managed key in kms_key_id")
	}
	return nil
}

// ServedByCloudFront reports whether the public read prefixes are served
// through the wizard's CloudFront distribution (the bucket then stays fully
// private: Block Public Access all on, CloudFront's service principal only).
func (a *Answers) ServedByCloudFront() bool {
	return a.CloudFront && !provided(a) && len(a.PublicReadPrefixes()) > 0
}

// AnonymousPrefixes are the prefixes the bucket itself lets anyone read:
// PublicReadPrefixes, unless CloudFront serves them (then none).
func (a *Answers) AnonymousPrefixes() []string {
	if a.ServedByCloudFront() {
		return nil
	}
	return a.PublicReadPrefixes()
}

// values are the answers as the answers file nests them, keys in the
// table's order: top-level keys, then nested ones.
func (a *Answers) values(each func(top, leaf string, v any)) {
	for _, q := range keys {
		v := q.ref(a)
		switch p := v.(type) {
		case *string:
			v = *p
		case *bool:
			v = *p
		case *int:
			v = *p
		case *int64:
			v = *p
		case *float64:
			v = *p
		case *[]string:
			v = *p
		}
		_, leaf, _ := strings.Cut(q.Key, ".")
		each(q.top(), leaf, v)
	}
}

// MarshalJSON writes the answers as the answers file nests them, with the
// answered keys under "set" (the progress file's format).
func (a *Answers) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	a.values(func(top, leaf string, v any) {
		if leaf == "" {
			m[top] = v
			return
		}
		sub, _ := m[top].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
			m[top] = sub
		}
		sub[leaf] = v
	})
	if len(a.Set) > 0 {
		m["set"] = a.Set
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON wrote. Keys it does not know are
// ignored: a progress file written by another version still resumes.
func (a *Answers) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*a = Answers{Set: map[string]bool{}}
	var nested map[string]map[string]json.RawMessage
	for _, q := range keys {
		raw, ok := m[q.Key]
		if q.nested() {
			if nested == nil {
				nested = map[string]map[string]json.RawMessage{}
			}
			sub, seen := nested[q.top()]
			if !seen {
				if r, ok := m[q.top()]; ok {
					if err := json.Unmarshal(r, &sub); err != nil {
						return fmt.Errorf("answers %s: %w", q.top(), err)
					}
				}
				nested[q.top()] = sub
			}
			_, leaf, _ := strings.Cut(q.Key, ".")
			raw, ok = sub[leaf]
		}
		if ok {
			if err := json.Unmarshal(raw, q.ref(a)); err != nil {
				return fmt.Errorf("answers %s: %w", q.Key, err)
			}
		}
	}
	if r, ok := m["set"]; ok {
		if err := json.Unmarshal(r, &a.Set); err != nil {
			return fmt.Errorf("answers set: %w", err)
		}
	}
	return nil
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
