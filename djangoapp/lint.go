package djangoapp

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Finding severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Finding is one problem in a settings file. Line is 1-based.
type Finding struct {
	Line     int
	Severity string
	Message  string
}

func (f Finding) String() string {
	return fmt.Sprintf("line %d: %s: %s", f.Line, f.Severity, f.Message)
}

// KnownStoragesSettings are the settings read by django-storages 1.14's S3
// backend (storages/backends/s3.py, get_default_settings).
var KnownStoragesSettings = []string{
	"AWS_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID",
	"AWS_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_S3_SESSION_PROFILE",
	"AWS_S3_FILE_OVERWRITE",
	"AWS_S3_OBJECT_PARAMETERS",
	"AWS_STORAGE_BUCKET_NAME",
	"AWS_QUERYSTRING_AUTH",
	"AWS_QUERYSTRING_EXPIRE",
	"AWS_S3_SIGNATURE_VERSION",
	"AWS_LOCATION",
	"AWS_S3_CUSTOM_DOMAIN",
	"AWS_CLOUDFRONT_KEY_ID", "AWS_CLOUDFRONT_KEY",
	"AWS_S3_ADDRESSING_STYLE",
	"AWS_S3_FILE_NAME_CHARSET",
	"AWS_IS_GZIPPED", "GZIP_CONTENT_TYPES",
	"AWS_S3_URL_PROTOCOL",
	"AWS_S3_ENDPOINT_URL",
	"AWS_S3_PROXIES",
	"AWS_S3_REGION_NAME",
	"AWS_S3_USE_SSL",
	"AWS_S3_VERIFY",
	"AWS_S3_MAX_MEMORY_SIZE",
	"AWS_DEFAULT_ACL",
	"AWS_S3_USE_THREADS", // deprecated in 1.14 for AWS_S3_TRANSFER_CONFIG, still read
	"AWS_S3_TRANSFER_CONFIG",
	"AWS_S3_CLIENT_CONFIG",
}

// RemovedStoragesSettings were read by older django-storages releases and
// are now ignored; the value says what replaces them.
var RemovedStoragesSettings = map[string]string{
	"AWS_AUTO_CREATE_BUCKET": "create the bucket beforehand (s3wizard does)",
	"AWS_BUCKET_ACL":         "ACLs are disabled on the bucket; public read comes from the bucket policy",
	"AWS_PRELOAD_METADATA":   "nothing: metadata is no longer preloaded",
	"AWS_HEADERS":            "use AWS_S3_OBJECT_PARAMETERS",
	"AWS_REDUCED_REDUNDANCY": `use AWS_S3_OBJECT_PARAMETERS = {"StorageClass": ...}`,
	"AWS_S3_SECURE_URLS":     "use AWS_S3_URL_PROTOCOL",
	"AWS_S3_ENCRYPTION":      `use AWS_S3_OBJECT_PARAMETERS = {"ServerSideEncryption": ...} or the bucket's default encryption`,
	"AWS_S3_CALLING_FORMAT":  "use AWS_S3_ADDRESSING_STYLE",
}

var (
	// NAME = ..., NAME: type = ..., NAME += ... (not ==)
	assignLineRe  = regexp.MustCompile(`^\s*([A-Z][A-Z0-9_]*)\s*(?::[^=]*)?\+?=(.*)$`)
	publicACLRe   = regexp.MustCompile(`(?i)^["'](public-read|public-read-write|authenticated-read)["']`)
	otherACLRe    = regexp.MustCompile(`^["']([^"']+)["']`)
	defaultACLKw  = regexp.MustCompile(`(?i)["']?\bdefault_acl["']?\s*[:=]\s*["'](public-read|public-read-write|authenticated-read)["']`)
	falseRe       = regexp.MustCompile(`^False\b`)
	wildcardHosts = regexp.MustCompile(`["']\*["']`)
	stringLitRe   = regexp.MustCompile(`^[rRbBuUfF]{0,2}(["'])`)
	s3boto3Re     = regexp.MustCompile(`storages\.backends\.s3boto3\.(S3Boto3Storage|S3ManifestStaticStorage|S3StaticStorage)`)
)

// LintSettings checks a settings.py (line based, comments ignored) for the
// mistakes that silently break S3 storage on the given versions ("" means
// the newest release).
func LintSettings(src []byte, djangoVersion, storagesVersion string) []Finding {
	known := map[string]bool{}
	for _, k := range KnownStoragesSettings {
		known[k] = true
	}
	var out []Finding
	add := func(line int, sev, format string, args ...any) {
		out = append(out, Finding{Line: line, Severity: sev, Message: fmt.Sprintf(format, args...)})
	}
	for i, raw := range strings.Split(string(src), "\n") {
		n := i + 1
		line := stripComment(raw)
		if strings.TrimSpace(line) == "" {
			continue
		}
		if m := s3boto3Re.FindStringSubmatch(line); m != nil && AtLeast(storagesVersion, 1, 14) {
			repl := "S3Storage"
			if m[1] != "S3Boto3Storage" {
				repl = m[1]
			}
			add(n, SeverityWarning, "old alias storages.backends.s3boto3.%s; django-storages 1.14+ names it storages.backends.s3.%s", m[1], repl)
		}
		if m := defaultACLKw.FindStringSubmatch(line); m != nil {
			add(n, SeverityError, "default_acl %q: ACLs are disabled on the bucket (BucketOwnerEnforced), uploads fail with AccessControlListNotSupported; use None and a bucket policy on the public prefix", m[1])
		}
		m := assignLineRe.FindStringSubmatch(line)
		if m == nil || strings.HasPrefix(m[2], "=") { // a comparison, not an assignment
			continue
		}
		name, value := m[1], strings.TrimSpace(m[2])
		switch {
		case name == "DEFAULT_FILE_STORAGE" || name == "STATICFILES_STORAGE":
			if AtLeast(djangoVersion, 5, 1) {
				add(n, SeverityError, "%s was removed in Django 5.1 and silently ignored: uploads land on local disk; use STORAGES", name)
			} else if AtLeast(djangoVersion, 4, 2) {
				add(n, SeverityWarning, "%s is deprecated since Django 4.2 (removed in 5.1, where it is silently ignored); use STORAGES", name)
			}
		case name == "ALLOWED_HOSTS":
			if wildcardHosts.MatchString(value) {
				add(n, SeverityWarning, "ALLOWED_HOSTS contains '*': any Host header is accepted; list your domains (on Elastic Beanstalk answer health checks before CommonMiddleware instead)")
			}
		case strings.HasPrefix(name, "AWS_"):
			out = append(out, lintAWS(n, name, value, known)...)
		}
	}
	return out
}

func lintAWS(n int, name, value string, known map[string]bool) []Finding {
	var out []Finding
	add := func(sev, format string, args ...any) {
		out = append(out, Finding{Line: n, Severity: sev, Message: fmt.Sprintf(format, args...)})
	}
	if repl, ok := RemovedStoragesSettings[name]; ok {
		add(SeverityWarning, "%s was removed from django-storages and is ignored: %s", name, repl)
		return out
	}
	if !known[name] {
		if s := closestSetting(name); s != "" {
			add(SeverityWarning, "unknown django-storages setting %s (typo of %s?): django-storages ignores it", name, s)
		} else {
			add(SeverityWarning, "unknown django-storages setting %s: django-storages ignores it (fine if another library reads it)", name)
		}
		return out
	}
	switch name {
	case "AWS_DEFAULT_ACL":
		if m := publicACLRe.FindStringSubmatch(value); m != nil {
			add(SeverityError, "AWS_DEFAULT_ACL = %q: ACLs are disabled on the bucket (BucketOwnerEnforced), every upload fails with AccessControlListNotSupported; use None and a bucket policy on the public prefixes", m[1])
		} else if m := otherACLRe.FindStringSubmatch(value); m != nil && m[1] != "bucket-owner-full-control" {
			add(SeverityWarning, "AWS_DEFAULT_ACL = %q: ACLs are disabled on the bucket (BucketOwnerEnforced), uploads carrying an ACL can fail with AccessControlListNotSupported; use None", m[1])
		}
	case "AWS_QUERYSTRING_AUTH":
		if falseRe.MatchString(value) {
			add(SeverityError, "AWS_QUERYSTRING_AUTH = False applies to every storage: on a private bucket every link is 403, with a public policy on everything private files are exposed; keep it True and give public prefixes their own storage with querystring_auth False")
		}
	case "AWS_SECRET_ACCESS_KEY", "AWS_S3_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN":
		if isHardcodedString(value) {
			add(SeverityError, "%s is a hard-coded secret in settings: remove it (and rotate the key, it is in your history); boto3 reads it from the environment", name)
		}
	}
	return out
}

// isHardcodedString reports whether a value is a non-empty string literal
// (os.environ / getenv / env() calls are not).
func isHardcodedString(v string) bool {
	m := stringLitRe.FindStringSubmatchIndex(v)
	if m == nil {
		return false
	}
	q := v[m[2]:m[3]]
	rest := v[m[1]:]
	end := strings.Index(rest, q)
	return end != 0 // "" is not a secret; an unterminated literal still is
}

// stripComment drops a trailing # comment outside string literals.
func stripComment(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return line[:i]
		}
	}
	return line
}

// closestSetting suggests the known setting name nearest to name: within
// edit distance 3, or the known setting that contains every word of name.
func closestSetting(name string) string {
	type cand struct {
		name string
		dist int
	}
	var cs []cand
	words := strings.Split(strings.TrimPrefix(name, "AWS_"), "_")
	for _, k := range KnownStoragesSettings {
		d := levenshtein(name, k)
		if d <= 3 || containsWords(k, words) {
			cs = append(cs, cand{k, d})
		}
	}
	if len(cs) == 0 {
		return ""
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].dist < cs[j].dist })
	return cs[0].name
}

func containsWords(k string, words []string) bool {
	have := map[string]bool{}
	for _, w := range strings.Split(k, "_") {
		have[w] = true
	}
	n := 0
	for _, w := range words {
		if w == "" || w == "S3" {
			continue
		}
		if !have[w] {
			return false
		}
		n++
	}
	return n > 0
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
