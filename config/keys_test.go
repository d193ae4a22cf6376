package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const base = "env: staging\napp: mon-app\nregion: eu-west-3\n"

// parseErr parses text and returns its error message ("" when accepted).
func parseErr(t *testing.T, text string) string {
	t.Helper()
	_, err := Parse([]byte(text))
	if err == nil {
		return ""
	}
	return err.Error()
}

// goTypeNames are what an answers-file error must never show.
var goTypeNames = regexp.MustCompile(`\b(int|int64|float64|bool|string|\[\]string|map\[|struct|!!\w+|yaml\.Node|unmarshal)\b`)

func TestParseErrorsInTheUsersTerms(t *testing.T) {
	cases := []struct{ text, want string }{
		{"env: staging\napp: mon-app\nbuckett: x\n", `unknown key "buckett" (line 3) — did you mean "bucket"?`},
		{base + "lifecycle: {upload_expire_days: 3}\n", `unknown key "lifecycle.upload_expire_days" (line 4) — did you mean "lifecycle.uploads_expire_days"?`},
		{base + "email: ops@example.com\n", `unknown key "email" (line 4) — did you mean "budget.email"?`},
		{base + "zzzzzz: 1\n", `unknown key "zzzzzz" (line 4)`},
		{base + "versioning: maybe\n", `versioning (line 4): wrong type: expected true or false, got "maybe"`},
		{base + "folders: blog\n", `folders (line 4): wrong type: expected a list (e.g. [a, b]), got "blog"`},
		{base + "folders: [[a]]\n", `folders (line 4): wrong type: expected a list of names, got a list in it`},
		{base + "bucket: [a, b]\n", `bucket (line 4): wrong type: expected text, got a list`},
		{base + "lifecycle: {uploads_expire_days: seven}\n", `lifecycle.uploads_expire_days (line 4): wrong type: expected a whole number, got "seven"`},
		{base + "lifecycle: {uploads_expire_days: 2.5}\n", `expected a whole number, got "2.5"`},
		{base + "lifecycle: 7\n", `lifecycle (line 4): wrong type: expected keys and values (e.g. {uploads_expire_days: …, noncurrent_expire_days: …}), got "7"`},
		{base + "budget: {monthly_usd: .nan, email: a@b.co}\n", `budget.monthly_usd (line 4): wrong type: expected a number, got ".nan" (not a finite number)`},
		{base + "alarms: {bucket_size_gb: -.inf}\n", `not a finite number`},
		{base + "region: us-east-1\n", `region (line 4): given twice (first on line 3)`},
		{"- a\n- b\n", `expected keys and values (key: value, one per line), got a list`},
		{"env: [\n", `not valid YAML`},
		{base + "alarms: {number_of_objects: 99999999999999999999}\n", `alarms.number_of_objects (line 4): wrong type: expected a whole number`},
	}
	for _, c := range cases {
		got := parseErr(t, c.text)
		if !strings.Contains(got, c.want) {
			t.Errorf("Parse(%q):\n got  %q\n want %q", c.text, got, c.want)
		}
		if goTypeNames.MatchString(got) {
			t.Errorf("Parse(%q) error names a Go type: %q", c.text, got)
		}
	}
}

func TestParseAcceptsTheContractExample(t *testing.T) {
	a, err := Parse([]byte(`env: staging
app: mon-app
region: eu-west-3
bucket: mon-app-media-staging
folders: [blog, products, profile, timeline]
static_on_s3: false
public_prefixes: [media/blog/]
credentials: access-keys
iam_user: django-s3-user-staging
iam_policy: least-privilege
role_name: mon-app-staging-s3
eb_environment: ""
encryption: SSE-S3
versioning: true
lifecycle: {uploads_expire_days: 7, noncurrent_expire_days: 30, abort_multipart_days: 7}
access_logs: true
budget: {monthly_usd: 20, email: ops@example.com}
alarms: {bucket_size_gb: 50, email: ops@example.com}
env_file: .env
set_env_sh: false
heroku_app: mon-app-staging
`))
	if err != nil {
		t.Fatal(err)
	}
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.Budget.ThresholdPct != 80 || a.Alarms.Email != "ops@example.com" || len(a.Folders) != 4 || a.HerokuApp != "mon-app-staging" {
		t.Errorf("parsed: %+v", a)
	}
}

// A partly answered nested block keeps the defaults of the keys it does not
// give (before, noncurrent_expire_days silently became 0: never).
func TestPartialNestedAnswerKeepsOtherDefaults(t *testing.T) {
	a, err := Parse([]byte(base + "lifecycle: {uploads_expire_days: 3}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a.ApplyDefaults()
	if l := a.Lifecycle; l.UploadsExpireDays != 3 || l.NoncurrentExpireDays != 30 || l.AbortMultipartDays != 7 {
		t.Errorf("lifecycle = %+v, want 3/30/7", l)
	}
	// An older progress file records the block as a whole: all answered.
	old := &Answers{Set: map[string]bool{"lifecycle": true}, Lifecycle: Lifecycle{UploadsExpireDays: 3}}
	old.ApplyDefaults()
	if old.Lifecycle.NoncurrentExpireDays != 0 {
		t.Errorf("a block answered as a whole was re-defaulted: %+v", old.Lifecycle)
	}
}

func TestFileLimits(t *testing.T) {
	big := base + "folders: [" + strings.Repeat("a, ", 30<<20/3) + "a]\n"
	path := filepath.Join(t.TempDir(), "s3wizard.yaml")
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := Load(path)
	if err == nil || !errors.Is(err, ErrFile) || !strings.Contains(err.Error(), "larger than 64 KB") {
		t.Errorf("30 MB file: %v", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("refusing a 30 MB file took %v", d)
	}
	long := base + "folders: [" + strings.Repeat("a, ", MaxListLen) + "a]\n"
	if got := parseErr(t, long); !strings.Contains(got, "folders (line 4): 101 entries: at most 100") {
		t.Errorf("long list: %q", got)
	}
}

func TestValidateWithAWSLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct {
		yaml, key, want string
	}{
		{"bucket: " + long(63) + "\n", "bucket", "access-log bucket"},
		{"bucket: 192.168.05.4\n", "bucket", "IP address"},
		{"app: " + long(130) + "\nbucket: mon-app-media\niam_user: web\n", "app", "IAM group name"},
		{"app: " + long(60) + "\nbucket: mon-app-media\n", "iam_user", "the default user name " + long(60) + "-staging-s3-user would be 76 characters (IAM allows 64): shorten app or env, or set iam_user"},
		{"iam_user: " + long(65) + "\n", "iam_user", "1-64"},
		{"credentials: instance-role\nrole_name: " + long(65) + "\n", "role_name", "1-64"},
		{"credentials: instance-role\napp: " + long(60) + "\nbucket: mon-app-media\n", "role_name", "1-64"},
		{"heroku_app: 'x; touch /tmp/PWNED'\n", "heroku_app", "Heroku app names"},
		{"heroku_app: My-App\n", "heroku_app", "Heroku app names"},
		{"budget: {monthly_usd: 20, email: 'ops@example.com;x'}\n", "budget.email", "not an email address"},
		{"budget: {monthly_usd: 20}\n", "budget.email", "not an email address"},
		{"budget: {monthly_usd: -5, email: ops@example.com}\n", "budget.monthly_usd", "between 0 and"},
		{"budget: {monthly_usd: 1e300, email: ops@example.com}\n", "budget.monthly_usd", "between 0 and"},
		{"alarms: {bucket_size_gb: -1}\n", "alarms.bucket_size_gb", "between 0 and"},
		{"alarms: {number_of_objects: -1}\n", "alarms.number_of_objects", "between 0"},
		{"alarms: {email: not-an-email}\n", "alarms.email", "not an email address"},
		{"lifecycle: {uploads_expire_days: -1}\n", "lifecycle.uploads_expire_days", "between 0 and 36500"},
		{"lifecycle: {noncurrent_expire_days: 3000000000}\n", "lifecycle.noncurrent_expire_days", "between 0 and 36500"},
		{"lifecycle: {archive_tier: GLACIER_IR, archive_after_days: 40000}\n", "lifecycle.archive_after_days", "between 0 and 36500"},
		{"encryption: SSE-KMS\nkms_key_id: my-key\n", "kms_key_id", "not a KMS key ID"},
		{"encryption: SSE-KMS\nkms_key_id: arn:aws:kms:eu-west-3:123456789012:key/nope\n", "kms_key_id", "does not end with a key ID"},
		{"encryption: SSE-KMS\nkms_key_id: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\n", "kms_key_id", "bucket's region"},
		{"folders: [" + long(1020) + "]\n", "folders", "1024-byte key limit"},
		{"credentials: password\n", "credentials", "choose access-keys or instance-role"},
		{"credentials: instance-role\neb_environment: 'a b'\n", "eb_environment", "4-40"},
	}
	for _, c := range cases {
		text := base + c.yaml
		if strings.HasPrefix(c.yaml, "app:") || strings.Contains(c.yaml, "\napp:") {
			text = "env: staging\nregion: eu-west-3\n" + c.yaml
		}
		a, err := Parse([]byte(text))
		if err == nil {
			a.ApplyDefaults()
			err = a.Validate()
		}
		var ke *KeyError
		if !errors.As(err, &ke) || ke.Key != c.key || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %s: …%s…", c.yaml, err, c.key, c.want)
		}
	}
}

func TestPublicPrefixesAreLiteralFolders(t *testing.T) {
	for _, p := range []string{"media/????????/", "media/*/", "media/${aws:username}/", "media/a b/", "media/./", "media/../", "media//", "media/{a,b}/", "media/Blog/", "media/a\tb/"} {
		if err := validPublicPrefix(p); err == nil {
			t.Errorf("%q accepted", p)
		}
		a, _ := Parse([]byte(base))
		if err := a.SetString("public_prefixes", p); err == nil || !strings.HasPrefix(err.Error(), "public_prefixes: ") {
			t.Errorf("SetString(%q) = %v", p, err)
		}
	}
	for _, p := range []string{"media/blog/", "static/", "media/blog/2024_archive.v2/", "static/img-x/"} {
		if err := validPublicPrefix(p); err != nil {
			t.Errorf("%q refused: %v", p, err)
		}
	}
}

func TestEnvFileRules(t *testing.T) {
	for _, f := range []string{".gitignore", ".s3wizard/staging.json", ".s3wizard", "!important", "#x", ".env\nAWS=1", "../.env", "/etc/s3.env", "sub/../../.env", "config/", "settings.py", ".git/config", "*.env", "manage.py",
		// Windows paths outside the project, refused on every OS (an answers
		// file travels): a drive, a drive-relative path, a share.
		`C:\x\.env`, "C:/x/.env", "C:.env", `\\server\share\.env`} {
		a, _ := Parse([]byte(base))
		a.ApplyDefaults()
		a.EnvFile, a.Set["env_file"] = f, true
		var ke *KeyError
		if err := a.Validate(); !errors.As(err, &ke) || ke.Key != "env_file" {
			t.Errorf("env_file %q: %v", f, err)
		}
	}
	for _, f := range []string{".env", ".env.prod", "config/.env", "./.env.staging", "db:1.env"} {
		if err := validEnvFile(f); err != nil {
			t.Errorf("env_file %q refused: %v", f, err)
		}
	}
}

func TestProvidedCredentialsAccepted(t *testing.T) {
	// The endpoint comes from the answer, else from the SDK's variable.
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	a, err := Parse([]byte(base + "credentials: provided\n"))
	if err != nil {
		t.Fatal(err)
	}
	a.ApplyDefaults()
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "endpoint") {
		t.Errorf("provided without any endpoint: %v, want an error naming endpoint", err)
	}
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")
	a, _ = Parse([]byte(base + "credentials: provided\n"))
	a.ApplyDefaults()
	if err := a.Validate(); err != nil || a.ProviderEndpoint() != "http://127.0.0.1:9000" {
		t.Errorf("provided with AWS_ENDPOINT_URL: endpoint %q, %v", a.ProviderEndpoint(), err)
	}
	a, _ = Parse([]byte(base + "credentials: provided\nendpoint: https://s3.fr-par.scw.cloud\n"))
	a.ApplyDefaults()
	if err := a.Validate(); err != nil || a.ProviderEndpoint() != "https://s3.fr-par.scw.cloud" {
		t.Errorf("provided with an endpoint answer: endpoint %q, %v", a.ProviderEndpoint(), err)
	}
	for _, bad := range []string{"s3.fr-par.scw.cloud", "ftp://x.example", "https://k:s@x.example", "https://x.example/bucket", "https://x.example?a=b"} {
		if err := a.SetString("endpoint", bad); err == nil {
			t.Errorf("endpoint %q accepted", bad)
		}
	}
	// Server access logs are AWS-only: off by default with provided, and
	// asking for them is refused before anything changes.
	if a.AccessLogs {
		t.Error("access_logs defaults to true with credentials: provided")
	}
	a, _ = Parse([]byte(base + "credentials: provided\nendpoint: https://s3.fr-par.scw.cloud\naccess_logs: true\n"))
	a.ApplyDefaults()
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "access_logs") {
		t.Errorf("provided with access_logs: true: %v, want an error naming access_logs", err)
	}
	// Not used (and not checked) without credentials: provided.
	a, _ = Parse([]byte(base + "endpoint: https://s3.fr-par.scw.cloud\n"))
	a.ApplyDefaults()
	if err := a.Validate(); err != nil || a.ProviderEndpoint() != "" {
		t.Errorf("access-keys with an endpoint answer: endpoint %q, %v", a.ProviderEndpoint(), err)
	}
}

// The table drives everything: each key parses from the answers file,
// from typed text and from the progress file, to the same value.
func TestEveryKeyRoundTrips(t *testing.T) {
	a, _ := Parse([]byte(base))
	a.ApplyDefaults()
	a.Folders = []string{"blog", "products"}
	a.PublicPrefixes = []string{"media/blog/"}
	a.Budget = Budget{MonthlyUSD: 20.5, Email: "ops@example.com", ThresholdPct: 90}
	a.Alarms.NumberOfObjects, a.Alarms.Email, a.Alarms.RequestMetrics = 1000, "ops@example.com", true
	a.Lifecycle.ArchiveTier, a.Lifecycle.ArchiveAfterDays = "GLACIER_IR", 60
	a.HerokuApp, a.SetEnvSh, a.StaticOnS3 = "mon-app-staging", true, true
	for _, q := range keys {
		a.mark(q)
	}
	y, err := a.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	fromYAML, err := Parse(y)
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	j, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON Answers
	if err := json.Unmarshal(j, &fromJSON); err != nil {
		t.Fatal(err)
	}
	fromText := &Answers{}
	for _, q := range keys {
		if err := fromText.SetString(q.Key, a.Text(q.Key)); err != nil {
			t.Errorf("SetString(%s, %q): %v", q.Key, a.Text(q.Key), err)
		}
	}
	for _, q := range keys {
		for name, b := range map[string]*Answers{"yaml": fromYAML, "json": &fromJSON, "text": fromText} {
			if got, want := b.Text(q.Key), a.Text(q.Key); got != want {
				t.Errorf("%s via %s: %q, want %q", q.Key, name, got, want)
			}
			if !b.answered(q) {
				t.Errorf("%s via %s: not recorded as answered", q.Key, name)
			}
		}
	}
}

func TestMergeKeepsNestedKeysApart(t *testing.T) {
	flags := &Answers{Set: map[string]bool{}}
	if err := flags.SetString("lifecycle.uploads_expire_days", "3"); err != nil {
		t.Fatal(err)
	}
	file, err := Parse([]byte(base + "lifecycle: {uploads_expire_days: 5, noncurrent_expire_days: 60}\nbudget: {monthly_usd: 20, email: ops@example.com}\n"))
	if err != nil {
		t.Fatal(err)
	}
	flags.Merge(file)
	flags.ApplyDefaults()
	if l := flags.Lifecycle; l.UploadsExpireDays != 3 || l.NoncurrentExpireDays != 60 || l.AbortMultipartDays != 7 {
		t.Errorf("lifecycle = %+v, want 3/60/7", l)
	}
	if flags.Budget.Email != "ops@example.com" || flags.App != "mon-app" {
		t.Errorf("merged: %+v", flags)
	}
	file.Folders, file.Set["folders"] = []string{"x"}, true
	flags2 := &Answers{}
	flags2.Merge(file)
	file.Folders[0] = "changed"
	if flags2.Folders[0] != "x" {
		t.Error("Merge shares the list with its source")
	}
}

func TestQuestionsMatchTheTable(t *testing.T) {
	qs := QuestionsFor([]string{"lifecycle", "budget", "env"})
	var got []string
	for _, q := range qs {
		got = append(got, q.Key)
	}
	want := "lifecycle.uploads_expire_days lifecycle.noncurrent_expire_days lifecycle.abort_multipart_days budget.monthly_usd budget.email env"
	if strings.Join(got, " ") != want {
		t.Errorf("QuestionsFor = %v", got)
	}
	// Every question offers a value its own rule accepts, from nothing
	// but the required answers.
	a, _ := Parse([]byte(base))
	for _, q := range keys {
		if q.Title == "" {
			continue
		}
		if err := q.Validate(q.Default(a)); err != nil {
			t.Errorf("%s offers %q, which its rule refuses: %v", q.Key, q.Default(a), err)
		}
	}
	if got := fmt.Sprint(RequiredKeys()); got != "[app region]" {
		t.Errorf("RequiredKeys = %s", got)
	}
}

func TestEnvNamedKeys(t *testing.T) {
	if got := fmt.Sprint(EnvNamedKeys()); got != "[bucket iam_user role_name heroku_app]" {
		t.Errorf("EnvNamedKeys = %s", got)
	}
}

// public_domain: the base URL of public files, a path allowed (a bucket
// behind a path-style host), nothing that cannot be a plain URL prefix.
func TestPublicDomainRule(t *testing.T) {
	a := &Answers{}
	for _, ok := range []string{"", "https://media.example.com", "https://pub-0123.r2.dev", "http://127.0.0.1:9000/mon-app-media-staging"} {
		if err := a.SetString("public_domain", ok); err != nil {
			t.Errorf("public_domain %q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"media.example.com", "ftp://media.example.com", "https://u:p@media.example.com", "https://media.example.com/?v=1", "https://media.example.com/#x", `https://media.example.com/a"b`} {
		if err := a.SetString("public_domain", bad); err == nil {
			t.Errorf("public_domain %q accepted", bad)
		}
	}
}

// cors_origins: https:// in front of each ALLOWED_HOSTS domain, both the
// domain and its subdomains for ".example.com", nothing for * and local
// hosts; and the rule refuses what S3 or a browser would not match.
func TestCORSOriginsFromAllowedHosts(t *testing.T) {
	a := &Answers{App: "shop", Region: "eu-west-3", PublicPrefixes: []string{"media/blog/"}, SiteHosts: []string{"www.example.com", ".example.org", "*", "localhost", "127.0.0.1"}}
	a.ApplyDefaults()
	if got := fmt.Sprint(a.CORSOrigins); got != "[https://www.example.com https://example.org https://*.example.org]" {
		t.Errorf("cors_origins default = %s", got)
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"*", "www.example.com", "https://www.example.com/", "https://WWW.example.com", "https://*.*.example.com", "ftp://example.com"} {
		if err := a.SetString("cors_origins", bad); err == nil {
			t.Errorf("cors_origins %q accepted", bad)
		}
	}
	if err := a.SetString("cors_origins", "http://localhost:8000, https://*.example.com"); err != nil {
		t.Error(err)
	}
	if err := a.SetString("aws_profile", "prod account"); err == nil {
		t.Error("aws_profile with a space accepted")
	}
}
