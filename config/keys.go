package config

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"path/filepath"
	"regexp"
	"slices"
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

// Question is one answer key, declared once in the keys table below: the
// field it fills, how it is parsed from the answers file and from typed
// text, its rule, its default and its question. The answers file, the
// progress file, Merge, ApplyDefaults, Validate, the TUI, --accessible and
// the CLI prompt are all driven by it.
type Question struct {
	// Key is the answers-file key; nested keys are dotted (budget.email).
	Key   string
	Title string // empty: set in the answers file only, never asked
	Help  string
	Kind  Kind
	// Options are the choices of select questions (and the only values
	// the answer accepts).
	Options []string
	// Validate checks the answer as typed (parsed, then the key's rule).
	Validate func(string) error
	// Default is the value offered when the key was not answered, derived
	// from earlier answers the way ApplyDefaults does.
	Default func(*Answers) string

	ref      func(*Answers) any        // the field: *string, *bool, *int, *int64, *float64 or *[]string
	check    func(*Answers) error      // the key's own rule on its stored value (nil: any value of its type)
	fill     func(*Answers)            // the default, from earlier answers (nil: the zero value)
	empty    bool                      // also fill when answered but empty (or zero)
	required bool                      // no safe default: --yes needs it answered
	relevant func(*Answers) bool       // nil: always; else validated only when true
	envNamed bool                      // a name whose default contains the env (switched for prod)
	perEnv   bool                      // never carried over to another env (asked again there)
	adapt    func(*Answers, *Question) // nil: asked the same whatever the earlier answers
}

// top is the answers file's top-level key of q (lifecycle for
// lifecycle.uploads_expire_days).
func (q *Question) top() string { t, _, _ := strings.Cut(q.Key, "."); return t }

func (q *Question) nested() bool { return strings.Contains(q.Key, ".") }

// Limits of the answers file, far above any real one: a file or a list
// beyond them is refused before it is parsed further.
const (
	MaxFileBytes = 64 << 10
	MaxListLen   = 100
	maxDays      = 36500 // 100 years: lifecycle days fit AWS's int32 with room
	maxNumber    = 1e9
)

var (
	simpleRe  = regexp.MustCompile(`^[a-z0-9-]+$`)
	folderRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	segmentRe = regexp.MustCompile(`^[a-z0-9._-]+$`)
	iamRe     = regexp.MustCompile(`^[\w+=,.@-]+$`)
	emailRe   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	herokuRe  = regexp.MustCompile(`^[a-z][a-z0-9-]{1,28}[a-z0-9]$`)
	kmsIDRe   = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	kmsARNRe  = regexp.MustCompile(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):[0-9]{12}:key/(.+)$`)
	// An alias, by name or by ARN: "alias/" then 1-256 letters, digits,
	// "/", "_" or "-" (KMS CreateAlias's AliasName rule).
	kmsAliasRe = regexp.MustCompile(`^(?:arn:aws[a-z-]*:kms:([a-z0-9-]+):[0-9]{12}:)?(alias/[A-Za-z0-9/_-]{1,256})$`)
)

// KMSAlias is the alias ("alias/NAME") kms_key_id names, if it names the
// key by alias (alias/NAME or its ARN) rather than by key ID or key ARN.
func KMSAlias(k string) (alias string, ok bool) {
	if m := kmsAliasRe.FindStringSubmatch(k); m != nil {
		return m[2], true
	}
	return "", false
}

// kmsRegion is the region of a key or alias ARN ("" for an ID or a name).
func kmsRegion(k string) string {
	if m := kmsARNRe.FindStringSubmatch(k); m != nil {
		return m[1]
	}
	if m := kmsAliasRe.FindStringSubmatch(k); m != nil {
		return m[1]
	}
	return ""
}

// ValidEnv is the rule of env names (also --env).
func ValidEnv(s string) error { return simpleName(s, "staging, prod") }

func simpleName(s, eg string) error {
	if !simpleRe.MatchString(s) {
		return fmt.Errorf("%q: use lowercase letters, digits and dashes (e.g. %s)", s, eg)
	}
	return nil
}

// IAM name limits (IAM quotas): user and role names 64, group and policy
// names 128.
const (
	MaxUserName   = 64
	MaxRoleName   = 64
	MaxGroupName  = 128
	MaxPolicyName = 128
)

func validIAMName(s string, max int) error {
	if s == "" || len(s) > max || !iamRe.MatchString(s) {
		return fmt.Errorf("%q: 1-%d letters, digits or +=,.@_- (IAM's rule)", s, max)
	}
	return nil
}

func validEmail(s string) error {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || !emailRe.MatchString(s) || len(s) > 254 {
		return fmt.Errorf("%q: not an email address", s)
	}
	return nil
}

func validDays(n int, what string, min int) error {
	if n < min || n > maxDays {
		return fmt.Errorf("%d: %s must be between %d and %d days", n, what, min, maxDays)
	}
	return nil
}

func validAmount(f float64, what string) error {
	if f < 0 || f > maxNumber {
		return fmt.Errorf("%s must be between 0 and %.0f", what, float64(maxNumber))
	}
	return nil
}

// maxKey is S3's object key limit (bytes).
const maxKey = 1024

func validFolder(f string) error {
	if !folderRe.MatchString(f) {
		return fmt.Errorf("%q is not a simple folder name (lowercase letters, digits, . _ -)", f)
	}
	if len("media/"+f+"/") > maxKey {
		return fmt.Errorf("%q: media/%s/ is longer than S3's %d-byte key limit", f, f, maxKey)
	}
	return nil
}

// validPublicPrefix accepts literal folders only: a public prefix becomes
// an IAM resource, where * ? and ${…} are wildcards and variables.
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
	if len(p) > maxKey {
		return fmt.Errorf("%q: longer than S3's %d-byte key limit", p, maxKey)
	}
	for _, seg := range strings.Split(strings.TrimSuffix(p, "/"), "/") {
		if !segmentRe.MatchString(seg) || seg == "." || seg == ".." {
			return fmt.Errorf("%q: a public prefix is a literal folder path: segments of lowercase letters, digits and . _ - (no wildcards such as * or ?, no ${…}, no spaces, no empty, . or .. segments)", p)
		}
	}
	return nil
}

func validKMSKey(k string) error {
	if k == "" {
		return nil
	}
	if strings.HasPrefix(k, "alias/") || strings.Contains(k, ":alias/") {
		alias, ok := KMSAlias(k)
		switch {
		case !ok:
			return fmt.Errorf("%q: an alias is alias/NAME (or its ARN), NAME being 1-256 letters, digits, /, _ or -", k)
		case strings.HasPrefix(alias, "alias/aws/"):
			// AWS reserves alias/aws/ for AWS managed keys, whose key
			// policies cannot be changed nor scoped by alias.
			return fmt.Errorf("%q is an AWS managed key's alias: leave kms_key_id empty for aws/s3, or give a customer managed key", k)
		}
		return nil
	}
	if m := kmsARNRe.FindStringSubmatch(k); m != nil {
		if !kmsIDRe.MatchString(m[2]) {
			return fmt.Errorf("%q: the key ARN does not end with a key ID (key/1234abcd-12ab-34cd-56ef-1234567890ab)", k)
		}
		return nil
	}
	if !kmsIDRe.MatchString(k) {
		return fmt.Errorf("%q: not a KMS key ID (1234abcd-12ab-34cd-56ef-1234567890ab) or key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)", k)
	}
	return nil
}

// driveLetter reports a Windows drive ("C:x", "C:/x"): outside the project
// on Windows, so refused on every OS (filepath.IsLocal judges only this one).
func driveLetter(clean string) bool {
	return len(clean) >= 2 && clean[1] == ':' && ('a' <= clean[0]|0x20 && clean[0]|0x20 <= 'z')
}

// validEnvFile keeps the secret out of files with another purpose and
// inside the project, where the wizard can make git ignore it.
//
// Its name is also a .gitignore line, so it must mean to git what it says
// (gitignore(5)): a backslash escapes the next character (`a\b.env` ignores
// `ab.env`), trailing spaces are dropped and a line's leading space is
// easily lost: each is refused, before anything changes, rather than
// written as a rule that does not ignore the file.
func validEnvFile(s string) error {
	clean := strings.TrimPrefix(s, "./")
	base := clean[strings.LastIndex(clean, "/")+1:]
	switch {
	case strings.TrimSpace(s) == "":
		return fmt.Errorf("cannot be empty (e.g. .env)")
	case strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return fmt.Errorf("%q: no newlines or control characters", s)
	case strings.Contains(s, "\\"):
		return fmt.Errorf("%q: no backslash: in .gitignore it escapes the next character, so the line would not ignore this file; separate folders with /", s)
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("%q: no space at the start or end: git drops trailing spaces from .gitignore lines, so the line would not ignore this file", s)
	case outsideProject(s, clean):
		return fmt.Errorf("%q: the env file must be inside the project (a relative path such as .env), where it can be ignored by git", s)
	case strings.HasPrefix(s, "!") || strings.HasPrefix(s, "#"):
		return fmt.Errorf("%q: a name starting with ! or # cannot be listed in .gitignore", s)
	case strings.ContainsAny(s, "*?[]"):
		return fmt.Errorf("%q: no wildcard characters (* ? [ ])", s)
	case inToolFolder(clean):
		return fmt.Errorf("%q: that folder is the wizard's (or git's); use .env or .env.<env>", s)
	case base == "" || base == "." || strings.HasSuffix(clean, "/"):
		return fmt.Errorf("%q is a folder; give a file name (e.g. .env)", s)
	}
	return otherPurpose(s, base)
}

// outsideProject reports whether the env file s (clean: without "./")
// would be outside the project: absolute, a drive letter, or through "..".
func outsideProject(s, clean string) bool {
	return strings.HasPrefix(s, "/") || !filepath.IsLocal(s) || driveLetter(clean) || strings.HasPrefix(clean, "../") || clean == ".." || strings.Contains(clean, "/../") || strings.HasSuffix(clean, "/..")
}

// inToolFolder reports whether the path clean is in the wizard's folder or
// git's.
func inToolFolder(clean string) bool {
	return clean == ".s3wizard" || strings.HasPrefix(clean, ".s3wizard/") || clean == ".git" || strings.HasPrefix(clean, ".git/")
}

// otherPurpose refuses an env file s named (base) as a project file with
// another purpose, or as Python code.
func otherPurpose(s, base string) error {
	switch base {
	case ".gitignore", ".ebignore", ".dockerignore", ".gitattributes", "manage.py", "settings.py", "set_env.sh", "requirements.txt":
		return fmt.Errorf("%q is a project file with another purpose; use .env or .env.<env>", s)
	}
	if strings.HasSuffix(base, ".py") {
		return fmt.Errorf("%q: a Python file would be imported or committed as code; use .env or .env.<env>", s)
	}
	return nil
}

func oneOf(vals ...string) func(string) error {
	return func(s string) error {
		for _, v := range vals {
			if s == v {
				return nil
			}
		}
		return fmt.Errorf("%q: choose %s", s, strings.Join(vals, " or "))
	}
}

// The keys table's conditions, as the answers' own predicates.
var (
	accessKeys   = (*Answers).UsesAccessKeys
	instanceRole = (*Answers).UsesInstanceRole
	provided     = (*Answers).IsProvided
)

func notProvided(a *Answers) bool { return !provided(a) }

// keys is every answer key, in the order the wizard asks them (and the
// answers file lists them), except region: the wizard asks it after
// credentials and endpoint (its kind and rule depend on credentials).
var keys = []*Question{
	{Key: "env", Title: "Environment", Help: "One bucket and one set of credentials per environment: start with staging, then prod.",
		Kind: KindInput, ref: func(a *Answers) any { return &a.Env },
		check: func(a *Answers) error { return ValidEnv(a.Env) },
		fill: func(a *Answers) {
			if a.Env == "" {
				a.Env = "staging"
			}
		}},
	{Key: "app", Title: "App name", Help: "Default names (bucket, IAM user, role) derive from it.",
		Kind: KindInput, ref: func(a *Answers) any { return &a.App }, required: true,
		check: func(a *Answers) error { return simpleName(a.App, "mon-app") }},
	{Key: "region", Title: "AWS region", Help: "Where the bucket lives; pick the one closest to your users (eu-west-3 is Paris).",
		Kind: KindSelect, Options: Regions, ref: func(a *Answers) any { return &a.Region }, required: true,
		check: func(a *Answers) error {
			if provided(a) {
				return ValidateProviderRegion(a.Region)
			}
			return ValidateRegion(a.Region)
		},
		fill: func(a *Answers) {
			a.Region = "eu-west-3"
			if provided(a) {
				a.Region = cmp.Or(EndpointRegion(a.Endpoint), defaultProviderRegion)
			}
		},
		// A provider names its own regions: typed, offered from the endpoint.
		adapt: func(a *Answers, q *Question) {
			if provided(a) {
				q.Title, q.Kind, q.Options = "Provider's region", KindInput, nil
				q.Help = "Your provider's region name, as in its endpoint or console: auto (Cloudflare R2), fr-par (Scaleway), nyc3 (DigitalOcean Spaces), us-west-004 (Backblaze B2), us-east-1 (MinIO's default)."
			}
		}},
	{Key: "aws_profile", Title: "AWS profile for this env (empty: the default credentials)", Help: "A profile of ~/.aws/config (as aws --profile): staging and prod may live in separate AWS accounts, each env with its own profile. The env's progress file records its account: a run from another account is refused.",
		Kind: KindInput, ref: func(a *Answers) any { return &a.AWSProfile }, relevant: notProvided, perEnv: true,
		check: func(a *Answers) error { return ValidProfile(a.AWSProfile) }},
	{Key: "bucket", Title: "Bucket name", Help: "3-63 lowercase letters, digits, dots or hyphens; unique across all of AWS.",
		Kind: KindInput, envNamed: true, ref: func(a *Answers) any { return &a.Bucket },
		check: func(a *Answers) error { return ValidateBucketName(a.Bucket) },
		fill:  func(a *Answers) { a.Bucket = fmt.Sprintf("%s-media-%s", appOr(a), a.Env) }, empty: true},
	{Key: "folders", Title: "Media folders (comma-separated)", Help: "Created under media/ (e.g. blog, products, profile).",
		Kind: KindList, ref: func(a *Answers) any { return &a.Folders },
		check: func(a *Answers) error { return eachOf(a.Folders, validFolder) }},
	{Key: "static_on_s3", Title: "Serve static files from S3 too?", Help: "Adds the static/ prefix and the staticfiles storage.",
		Kind: KindConfirm, ref: func(a *Answers) any { return &a.StaticOnS3 }},
	{Key: "public_prefixes", Title: "Public prefixes (comma-separated)", Help: "Anonymous read (e.g. media/blog/); everything else stays private and is served with signed URLs.",
		Kind: KindList, ref: func(a *Answers) any { return &a.PublicPrefixes },
		check: func(a *Answers) error { return eachOf(a.PublicPrefixes, validPublicPrefix) }},
	{Key: "public_domain", Title: "Public files' domain (optional)", Help: "A CDN or your provider's public domain in front of the bucket (e.g. https://media.example.com): public and static URLs use it; private files keep signed URLs.",
		Kind: KindInput, ref: func(a *Answers) any { return &a.PublicDomain },
		check: func(a *Answers) error { return validPublicDomain(a.PublicDomain) }},
	{Key: "cloudfront", Title: "Serve the public and static files through CloudFront?", Help: "A CloudFront distribution with Origin Access Control in front of the bucket: public and static URLs use its domain, the bucket stays fully private (Block Public Access all on). Deploys take minutes.",
		Kind: KindConfirm, ref: func(a *Answers) any { return &a.CloudFront },
		// Not offered with credentials: provided, nor with nothing public.
		relevant: func(a *Answers) bool { return notProvided(a) && len(a.PublicReadPrefixes()) > 0 }},
	{Key: "cors_uploads", Title: "Will browsers upload straight to the bucket?", Help: "Direct uploads (presigned PUT or POST from the page's JavaScript) need CORS rules allowing PUT and POST from your site's origins; Django's own uploads, through the server, do not.",
		Kind: KindConfirm, ref: func(a *Answers) any { return &a.CORSUploads }},
	{Key: "cors_origins", Title: "Your site's origins (comma-separated)", Help: "Browsers fetch fonts, ES modules and direct uploads from the bucket only for the origins its CORS rules list (e.g. https://www.example.com); offered from ALLOWED_HOSTS. Empty: no CORS rules.",
		Kind: KindList, ref: func(a *Answers) any { return &a.CORSOrigins }, relevant: wantsCORS,
		check: func(a *Answers) error { return eachOf(a.CORSOrigins, ValidOrigin) },
		fill:  func(a *Answers) { a.CORSOrigins = OriginsFromHosts(a.SiteHosts) }},
	{Key: "credentials", Title: "How will the app authenticate?", Help: "access-keys for Heroku and local runs; instance-role for EC2 / Elastic Beanstalk (no long-lived keys); provided for an S3-compatible provider (MinIO, R2, B2, Scaleway, Spaces) with keys made in its console.",
		Kind: KindSelect, Options: []string{CredAccessKeys, CredInstanceRole, CredProvided}, ref: func(a *Answers) any { return &a.Credentials },
		fill: func(a *Answers) { a.Credentials = CredAccessKeys }, empty: true},
	{Key: "endpoint", Title: "Provider's S3 endpoint URL", Help: "Where your provider serves the S3 API (e.g. https://s3.fr-par.scw.cloud, https://ACCOUNT.r2.cloudflarestorage.com); offered from AWS_ENDPOINT_URL.",
		Kind: KindInput, ref: func(a *Answers) any { return &a.Endpoint }, relevant: provided,
		check: func(a *Answers) error { return validEndpoint(a.Endpoint) },
		fill: func(a *Answers) {
			if provided(a) {
				a.Endpoint = EnvEndpoint()
			}
		}, empty: true},
	{Key: "iam_user", Title: "IAM user for the app", Help: "The app's own identity; never your admin user.",
		Kind: KindInput, envNamed: true, ref: func(a *Answers) any { return &a.IAMUser }, relevant: accessKeys,
		check: func(a *Answers) error {
			err := validIAMName(a.IAMUser, MaxUserName)
			if err != nil && !a.Set["iam_user"] && a.IAMUser == DefaultIAMUser(a) {
				return fmt.Errorf("the default user name %s would be %d characters (IAM allows %d): shorten app or env, or set iam_user", a.IAMUser, len(a.IAMUser), MaxUserName)
			}
			return err
		},
		fill: func(a *Answers) { a.IAMUser = DefaultIAMUser(a) }, empty: true},
	{Key: "iam_policy", Title: "IAM policy", Help: "least-privilege: this bucket only; full-access is AmazonS3FullAccess (not for production).",
		Kind: KindSelect, Options: []string{PolicyLeastPrivilege, PolicyFullAccess}, ref: func(a *Answers) any { return &a.IAMPolicy },
		fill: func(a *Answers) { a.IAMPolicy = PolicyLeastPrivilege }, empty: true},
	{Key: "role_name", Title: "IAM role for the instances", Help: "Assumed by EC2 / Elastic Beanstalk instances through an instance profile.",
		Kind: KindInput, envNamed: true, ref: func(a *Answers) any { return &a.RoleName }, relevant: instanceRole,
		check: func(a *Answers) error { return validIAMName(a.RoleName, MaxRoleName) },
		fill:  func(a *Answers) { a.RoleName = fmt.Sprintf("%s-%s-s3", appOr(a), a.Env) }, empty: true},
	{Key: "eb_environment", Title: "Elastic Beanstalk environment (optional)", Help: "Attach the instance profile to it; leave empty to do it yourself.",
		Kind: KindInput, ref: func(a *Answers) any { return &a.EBEnvironment }, relevant: instanceRole,
		check: func(a *Answers) error {
			// Elastic Beanstalk's rule: 4-40 letters, digits and hyphens.
			if e := a.EBEnvironment; e != "" && !ebEnvRe.MatchString(e) {
				return fmt.Errorf("%q: 4-40 letters, digits and hyphens, not starting or ending with a hyphen", e)
			}
			return nil
		}},
	{Key: "encryption", Title: "Default encryption", Help: "SSE-S3 costs nothing; SSE-KMS adds key policies and per-request KMS charges.",
		Kind: KindSelect, Options: []string{EncSSES3, EncSSEKMS}, ref: func(a *Answers) any { return &a.Encryption },
		fill: func(a *Answers) { a.Encryption = EncSSES3 }, empty: true},
	{Key: "kms_key_id", Title: "KMS key ID, ARN or alias/NAME (empty: the AWS managed key)",
		// Asked only once encryption is sse-kms (never after SSE-S3).
		relevant: func(a *Answers) bool { return a.Encryption == EncSSEKMS },
		Kind:     KindInput, ref: func(a *Answers) any { return &a.KMSKeyID },
		check: func(a *Answers) error { return validKMSKey(a.KMSKeyID) }},
	{Key: "versioning", Title: "Turn on versioning?", Help: "Keeps overwritten and deleted files recoverable.",
		Kind: KindConfirm, ref: func(a *Answers) any { return &a.Versioning },
		fill: func(a *Answers) { a.Versioning = true }},
	{Key: "lifecycle.uploads_expire_days", Title: "Expire uploads/ after (days, 0: never)",
		Kind: KindInput, ref: func(a *Answers) any { return &a.Lifecycle.UploadsExpireDays },
		check: func(a *Answers) error {
			return validDays(a.Lifecycle.UploadsExpireDays, "uploads expiry (0: never)", 0)
		},
		fill: func(a *Answers) { a.Lifecycle.UploadsExpireDays = 7 }},
	{Key: "lifecycle.noncurrent_expire_days", Title: "Expire old versions after (days, 0: never)",
		Kind: KindInput, ref: func(a *Answers) any { return &a.Lifecycle.NoncurrentExpireDays },
		check: func(a *Answers) error {
			return validDays(a.Lifecycle.NoncurrentExpireDays, "old versions' expiry (0: never)", 0)
		},
		fill: func(a *Answers) { a.Lifecycle.NoncurrentExpireDays = 30 }},
	{Key: "lifecycle.abort_multipart_days", Title: "Abort incomplete uploads after (days)",
		Kind: KindInput, ref: func(a *Answers) any { return &a.Lifecycle.AbortMultipartDays },
		check: func(a *Answers) error {
			return validDays(a.Lifecycle.AbortMultipartDays, "aborting incomplete uploads (0: the default, 7)", 0)
		},
		fill: func(a *Answers) { a.Lifecycle.AbortMultipartDays = 7 }, empty: true},
	{Key: "lifecycle.archive_tier", Kind: KindSelect, ref: func(a *Answers) any { return &a.Lifecycle.ArchiveTier },
		check: func(a *Answers) error {
			switch t := a.Lifecycle.ArchiveTier; t {
			case "", "INTELLIGENT_TIERING", "GLACIER_IR":
				return nil
			case "GLACIER", "DEEP_ARCHIVE":
				return fmt.Errorf("%q: Glacier Flexible Retrieval / Deep Archive objects must be restored before they can be read, which breaks media links; use INTELLIGENT_TIERING or GLACIER_IR", t)
			default:
				return fmt.Errorf("%q: use INTELLIGENT_TIERING or GLACIER_IR", t)
			}
		}},
	{Key: "lifecycle.archive_after_days", Kind: KindInput, ref: func(a *Answers) any { return &a.Lifecycle.ArchiveAfterDays },
		check: func(a *Answers) error {
			return validDays(a.Lifecycle.ArchiveAfterDays, "archiving (0: the tier's default)", 0)
		}},
	{Key: "access_logs", Title: "Keep server access logs?", Help: "Written to a bucket of their own: your bucket's name + " + LogBucketSuffix + ".",
		Kind: KindConfirm, ref: func(a *Answers) any { return &a.AccessLogs }, relevant: notProvided,
		adapt: func(a *Answers, q *Question) {
			if a.Bucket != "" {
				q.Help = "Written to a bucket of their own: " + LogBucketName(a.Bucket) + "."
			}
		},
		// Server access logging is AWS-only: off with credentials: provided.
		fill: func(a *Answers) { a.AccessLogs = !provided(a) }},
	{Key: "budget.monthly_usd", Title: "Monthly budget in USD (0: none)",
		Kind: KindInput, ref: func(a *Answers) any { return &a.Budget.MonthlyUSD },
		check: func(a *Answers) error { return validAmount(a.Budget.MonthlyUSD, "the monthly budget (USD)") }},
	{Key: "budget.email", Title: "Budget alert email",
		Kind: KindInput, ref: func(a *Answers) any { return &a.Budget.Email },
		check: func(a *Answers) error {
			if a.Budget.Email == "" {
				return nil
			}
			return validEmail(a.Budget.Email)
		}},
	{Key: "budget.threshold_pct", Kind: KindInput, ref: func(a *Answers) any { return &a.Budget.ThresholdPct },
		check: func(a *Answers) error {
			// 0 is refused, not turned into 80: the answer says what it
			// means or is left out (80).
			if p := a.Budget.ThresholdPct; p < 0 || p > 1000 || a.Budget.MonthlyUSD > 0 && p < 1 {
				return fmt.Errorf("%v: a percentage of the budget between 1 and 1000 (leave it out for 80)", p)
			}
			return nil
		},
		fill: func(a *Answers) {
			if a.Budget.MonthlyUSD > 0 {
				a.Budget.ThresholdPct = 80
			}
		}},
	{Key: "alarms.bucket_size_gb", Title: "Alarm when the bucket exceeds (GiB = 2^30 bytes, 0: no alarm)",
		Kind: KindInput, ref: func(a *Answers) any { return &a.Alarms.BucketSizeGB },
		check: func(a *Answers) error { return validAmount(a.Alarms.BucketSizeGB, "the size alarm (GiB)") },
		fill:  func(a *Answers) { a.Alarms.BucketSizeGB = 50 }},
	{Key: "alarms.number_of_objects", Kind: KindInput, ref: func(a *Answers) any { return &a.Alarms.NumberOfObjects },
		check: func(a *Answers) error {
			if n := a.Alarms.NumberOfObjects; n < 0 || n > 1e12 {
				return fmt.Errorf("%d: between 0 (no alarm) and 10^12 objects", n)
			}
			return nil
		}},
	{Key: "alarms.request_metrics", Kind: KindConfirm, ref: func(a *Answers) any { return &a.Alarms.RequestMetrics }},
	{Key: "alarms.email", Kind: KindInput, ref: func(a *Answers) any { return &a.Alarms.Email },
		check: func(a *Answers) error {
			if a.Alarms.Email == "" {
				return nil
			}
			return validEmail(a.Alarms.Email)
		}},
	{Key: "env_file", Title: "Env file", Help: "Where the app's settings (and, with access keys, the secret) are written, mode 0600; inside the project, ignored by git.",
		Kind: KindInput, ref: func(a *Answers) any { return &a.EnvFile },
		check: func(a *Answers) error { return validEnvFile(a.EnvFile) },
		fill:  func(a *Answers) { a.EnvFile = ".env" }, empty: true},
	{Key: "set_env_sh", Title: "Also write set_env.sh and hook it into the venv's activate?",
		Kind: KindConfirm, ref: func(a *Answers) any { return &a.SetEnvSh }},
	{Key: "heroku_app", Title: "Heroku app (optional)", Help: "A ready-to-run heroku config:set command is written for it.",
		Kind: KindInput, envNamed: true, ref: func(a *Answers) any { return &a.HerokuApp },
		check: func(a *Answers) error {
			if h := a.HerokuApp; h != "" && !herokuRe.MatchString(h) {
				return fmt.Errorf("%q: Heroku app names are 3-30 lowercase letters, digits and dashes, starting with a letter and not ending with a dash", h)
			}
			return nil
		}},
}

var ebEnvRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$`)

// DefaultIAMUser is iam_user's default, unique to the project and env (a
// name shared by every project of an account, as django-s3-user-<env> was,
// let one project's runs take the other's user and keys). An env whose
// progress saved another name keeps it (app.Answers).
func DefaultIAMUser(a *Answers) string { return fmt.Sprintf("%s-%s-s3-user", appOr(a), a.Env) }

func appOr(a *Answers) string {
	if a.App == "" {
		return "app"
	}
	return a.App
}

func eachOf(list []string, rule func(string) error) error {
	if len(list) > MaxListLen {
		return fmt.Errorf("%d entries: at most %d", len(list), MaxListLen)
	}
	for _, s := range list {
		if err := rule(s); err != nil {
			return err
		}
	}
	return nil
}

var byKey = map[string]*Question{}

func init() {
	for _, q := range keys {
		byKey[q.Key] = q
		q.Validate = q.validateText
		q.Default = q.offered
	}
}

// Lookup returns the question of an answer key (dotted when nested).
func Lookup(key string) (Question, bool) {
	q, ok := byKey[key]
	if !ok {
		return Question{}, false
	}
	return *q, true
}

// For is q as asked after the answers in a: its kind, choices and title
// adapted to them (region is typed, not chosen among AWS's, with
// credentials: provided), and Validate checking the typed text together
// with them.
func (q Question) For(a *Answers) Question {
	if a == nil {
		a = &Answers{}
	}
	p, ok := byKey[q.Key]
	if !ok {
		return q
	}
	q = *p // the table's question, whatever q was adapted to before
	if q.adapt != nil {
		q.adapt(a, &q)
	}
	q.Validate = func(s string) error { return p.validateIn(a, s) }
	return q
}

// QuestionsFor returns the questions the wizard asks for keys, in the
// order given. A top-level key with nested answers (lifecycle, budget,
// alarms) yields one question per nested key that is asked; keys set in
// the answers file only, and unknown keys, are left out.
func QuestionsFor(ks []string) []Question {
	var out []Question
	for _, k := range ks {
		for _, q := range keys {
			if q.Title != "" && (q.Key == k || q.top() == k && q.nested()) {
				out = append(out, *q)
			}
		}
	}
	return out
}

// Relevant reports whether q applies with the answers in a (iam_user only
// with access-keys, endpoint only with provided…).
func (q Question) Relevant(a *Answers) bool { return q.relevant == nil || q.relevant(derived(a)) }

// EnvNamedKeys are the names whose default contains the env: carried over
// to another env, they are switched to it.
func EnvNamedKeys() []string { return keyNames(func(q *Question) bool { return q.envNamed }) }

// PerEnvKeys are the answers of one env only (its AWS profile): carried
// over to another env, they are forgotten and asked again.
func PerEnvKeys() []string { return keyNames(func(q *Question) bool { return q.perEnv }) }

// RequiredKeys are the keys that have no safe default: with --yes their
// absence is a usage error naming the key.
func RequiredKeys() []string { return keyNames(func(q *Question) bool { return q.required }) }

// keyNames are the keys of the table's questions that match, in its order.
func keyNames(match func(*Question) bool) []string {
	var r []string
	for _, q := range keys {
		if match(q) {
			r = append(r, q.Key)
		}
	}
	return r
}

// text is q's value in a, as the TUI shows it and SetString reads it.
func (q *Question) text(a *Answers) string {
	switch p := q.ref(a).(type) {
	case *string:
		return *p
	case *bool:
		return strconv.FormatBool(*p)
	case *int:
		return strconv.Itoa(*p)
	case *int64:
		return strconv.FormatInt(*p, 10)
	case *float64:
		return strconv.FormatFloat(*p, 'f', -1, 64)
	case *[]string:
		return strings.Join(*p, ", ")
	}
	panic("config: key " + q.Key + " has an unsupported type")
}

// zero reports whether q's value in a is empty.
func (q *Question) zero(a *Answers) bool {
	switch p := q.ref(a).(type) {
	case *string:
		return *p == ""
	case *bool:
		return !*p
	case *int:
		return *p == 0
	case *int64:
		return *p == 0
	case *float64:
		return *p == 0
	case *[]string:
		return len(*p) == 0
	}
	return false
}

// copyTo copies q's value from a to b.
func (q *Question) copyTo(a, b *Answers) {
	switch p := q.ref(a).(type) {
	case *string:
		*q.ref(b).(*string) = *p
	case *bool:
		*q.ref(b).(*bool) = *p
	case *int:
		*q.ref(b).(*int) = *p
	case *int64:
		*q.ref(b).(*int64) = *p
	case *float64:
		*q.ref(b).(*float64) = *p
	case *[]string:
		*q.ref(b).(*[]string) = append([]string{}, *p...)
	}
}

// wantsWhat says in plain words what kind of value q takes.
func (q *Question) wantsWhat() string {
	switch q.ref(&Answers{}).(type) {
	case *bool:
		return "true or false"
	case *int, *int64:
		return "a whole number"
	case *float64:
		return "a number"
	case *[]string:
		return "a list (e.g. [a, b])"
	case *string:
		if len(q.Options) > 0 {
			return "one of " + strings.Join(q.Options, ", ")
		}
	}
	return "text"
}

// errType is a value of the wrong type, said in plain words.
var errType = errors.New("wrong type")

// setText parses s (as typed) into q's field of a.
func (q *Question) setText(a *Answers, s string) error {
	s = strings.TrimSpace(s)
	bad := func() error { return fmt.Errorf("%w: %q: expected %s", errType, s, q.wantsWhat()) }
	switch p := q.ref(a).(type) {
	case *string:
		*p = s
	case *bool:
		b, err := parseBool(s)
		if err != nil {
			return fmt.Errorf("%q: answer yes or no", s)
		}
		*p = b
	case *int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return bad()
		}
		*p = n
	case *int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return bad()
		}
		*p = n
	case *float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return bad()
		}
		*p = f
	case *[]string:
		l := SplitList(s)
		if len(l) > MaxListLen {
			return fmt.Errorf("%d entries: at most %d", len(l), MaxListLen)
		}
		*p = l
	}
	return nil
}

// rule checks q's value in a against its choices and its own rule.
func (q *Question) rule(a *Answers) error {
	if q.check != nil {
		return q.check(a)
	}
	if len(q.Options) > 0 {
		return oneOf(q.Options...)(q.text(a))
	}
	return nil
}

func (q *Question) validateText(s string) error { return q.validateIn(&Answers{}, s) }

// validateIn checks s as the answer to q given the other answers in a
// (the region's rule depends on credentials), without changing a.
func (q *Question) validateIn(a *Answers, s string) error {
	scratch := *a
	if err := q.setText(&scratch, s); err != nil {
		return err
	}
	return q.rule(&scratch)
}

// offered is what q offers for a: the answer, or the default derived from
// earlier answers.
func (q *Question) offered(a *Answers) string {
	d := derived(a)
	if q.required && q.zero(d) && q.fill != nil {
		q.fill(d)
	}
	return q.text(d)
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

// Text is the answer to key as text (what the TUI shows, SetString reads).
func (a *Answers) Text(key string) string {
	if q, ok := byKey[key]; ok {
		return q.text(a)
	}
	return ""
}

// Forget clears the answer to key and its answered mark, so the wizard
// asks it again (region, once a credentials change makes it another
// question).
func (a *Answers) Forget(key string) {
	q, ok := byKey[key]
	if !ok {
		return
	}
	q.copyTo(&Answers{}, a)
	delete(a.Set, key)
}

// SetString applies one answer given as text (as typed in the TUI, the
// accessible prompts or the CLI prompt) and marks it answered. Nested keys
// are dotted (budget.email). The value is checked by the key's rule.
func (a *Answers) SetString(key, value string) error {
	q, ok := byKey[key]
	if !ok {
		return fmt.Errorf("unknown answer key %q", key)
	}
	if err := q.validateIn(a, value); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	if err := q.setText(a, value); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	a.mark(q)
	return nil
}

// CheckDerived checks the answers derived from key once it is answered s
// (a bucket or IAM name built from app and env), so a name too long is
// refused where it comes from, when it is typed, not steps later. Keys in
// asked (answered with it, or answered already) are left to their own
// question.
func CheckDerived(a *Answers, key, s string, asked []string) error {
	q, ok := byKey[key]
	if !ok {
		return nil
	}
	before, after := derived(a), derived(a)
	if q.setText(after, s) != nil {
		return nil // the key's own rule says why
	}
	after.Set[key] = true
	after.ApplyDefaults()
	fillOffered(before)
	fillOffered(after)
	changed := func(d *Question) bool {
		return d != q && !after.Set[d.Key] && !slices.Contains(asked, d.Key) && d.text(before) != d.text(after) &&
			(d.relevant == nil || d.relevant(after))
	}
	for _, d := range keys {
		if !changed(d) {
			continue
		}
		if err := d.rule(after); err != nil {
			return fmt.Errorf("the %s derived from it, %q, would be refused: %w", d.Key, d.text(after), err)
		}
	}
	return crossKeyRefusal(after, key, changed)
}

// fillOffered fills each required answer left empty in x with what its
// question would offer (region).
func fillOffered(x *Answers) {
	for _, d := range keys {
		if d.required && d.zero(x) && d.fill != nil {
			d.fill(x)
		}
	}
}

// crossKeyRefusal is the refusal by a rule across keys (the log bucket's
// name, the IAM group's) of the answers after, when it names key or a key
// derived from it (changed).
func crossKeyRefusal(after *Answers, key string, changed func(*Question) bool) error {
	var ke *KeyError
	if err := after.Validate(); errors.As(err, &ke) {
		if ke.Key == key {
			return ke.Err
		}
		if d, ok := byKey[ke.Key]; ok && changed(d) {
			return fmt.Errorf("the %s derived from it would be refused: %w", ke.Key, ke.Err)
		}
	}
	return nil
}
