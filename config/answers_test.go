package config

import (
	"errors"
	"strings"
	"testing"
)

func TestBucketNameRules(t *testing.T) {
	cases := map[string]string{
		"ab":                    "3 to 63",
		strings.Repeat("a", 64): "3 to 63",
		"Mon-App":               "lowercase",
		"mon_app":               "lowercase",
		"-mon-app":              "start and end",
		"mon-app-":              "start and end",
		"mon..app":              "adjacent dots",
		"192.168.5.4":           "IP address",
		"xn--mon-app":           "reserved",
		"sthree-mon-app":        "reserved",
		"amzn-s3-demo-mon":      "reserved",
		"mon-app-s3alias":       "reserved",
		"mon-app--ol-s3":        "reserved",
		"mon-app.mrap":          "reserved",
		"mon-app--x-s3":         "reserved",
		"mon-app--table-s3":     "reserved",
		"":                      "empty",
	}
	for name, want := range cases {
		err := ValidateBucketName(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateBucketName(%q) = %v, want an error mentioning %q", name, err, want)
		}
	}
	for _, ok := range []string{"mon-app-media-staging", "abc", "a.b.c", strings.Repeat("a", 63)} {
		if err := ValidateBucketName(ok); err != nil {
			t.Errorf("ValidateBucketName(%q) = %v, want nil", ok, err)
		}
	}
	if w := BucketNameWarnings("media.mon-app.fr"); len(w) == 0 {
		t.Error("a dotted name must warn about virtual-hosted HTTPS")
	}
}

func TestParseAndDefaults(t *testing.T) {
	a, err := Parse([]byte("env: staging\napp: mon-app\nregion: eu-west-3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if k := a.Missing(); k != "" {
		t.Fatalf("missing %q", k)
	}
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.Bucket != "mon-app-media-staging" || a.IAMUser != "mon-app-staging-s3-user" || a.Credentials != CredAccessKeys ||
		a.IAMPolicy != PolicyLeastPrivilege || !a.Versioning || a.EnvFile != ".env" || a.Lifecycle.AbortMultipartDays != 7 {
		t.Errorf("defaults: %+v", a)
	}
	if _, err := Parse([]byte("env: staging\nbukcet: x\n")); err == nil || !strings.Contains(err.Error(), "bukcet") {
		t.Errorf("unknown key not named: %v", err)
	}
	b, _ := Parse([]byte("env: staging\nregion: eu-west-3\n"))
	if k := b.Missing(); k != "app" {
		t.Errorf("Missing() = %q, want app", k)
	}
	var me *MissingError
	if err := error(&MissingError{Key: "app"}); !errors.As(err, &me) || !errors.Is(err, ErrMissing) {
		t.Error("MissingError must unwrap to ErrMissing")
	}
}

func TestValidateRejects(t *testing.T) {
	base := func() *Answers {
		a, _ := Parse([]byte("env: staging\napp: mon-app\nregion: eu-west-3\n"))
		a.ApplyDefaults()
		return a
	}
	cases := []struct {
		mut  func(*Answers)
		want string
	}{
		{func(a *Answers) { a.Region = "eu-paris-1" }, "unknown region"},
		{func(a *Answers) { a.PublicPrefixes = []string{"media/blog"} }, "must end with /"},
		{func(a *Answers) { a.PublicPrefixes = []string{"secret/"} }, "under media/"},
		{func(a *Answers) { a.Credentials = "password" }, "credentials"},
		{func(a *Answers) { a.Lifecycle.ArchiveTier = "DEEP_ARCHIVE" }, "restored"},
		{func(a *Answers) { a.Budget = Budget{MonthlyUSD: 20, Email: "nope"} }, "email"},
		{func(a *Answers) { a.Folders = []string{"../x"} }, "folder"},
		{func(a *Answers) { a.PublicPrefixes = []string{"media/"} }, "exposes private uploads"},
		{func(a *Answers) { a.PublicPrefixes = []string{"media/blog/", "media/"} }, "below it"},
		{func(a *Answers) { a.Encryption, a.KMSKeyID = "SSE-KMS", "alias/aws/s3" }, "AWS managed key"},
		{func(a *Answers) { a.Encryption, a.KMSKeyID = "SSE-KMS", "alias/" }, "an alias is alias/NAME"},
		{func(a *Answers) { a.Encryption, a.KMSKeyID = "SSE-KMS", "alias/my key" }, "an alias is alias/NAME"},
		{func(a *Answers) {
			a.Encryption, a.KMSKeyID = "SSE-KMS", "arn:aws:kms:us-east-1:123456789012:alias/my-key"
		}, "bucket's region"},
	}
	for _, c := range cases {
		a := base()
		c.mut(a)
		if err := a.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate() = %v, want %q", err, c.want)
		}
	}
}

func TestValidateAcceptsPublicFoldersAndKeyARNs(t *testing.T) {
	for _, mut := range []func(*Answers){
		func(a *Answers) { a.PublicPrefixes = []string{"static/"} }, // static files are public by design
		func(a *Answers) { a.PublicPrefixes = []string{"media/blog/", "static/"} },
		func(a *Answers) {
			a.Encryption, a.KMSKeyID = "SSE-KMS", "1234abcd-12ab-34cd-56ef-1234567890ab"
		},
		func(a *Answers) {
			a.Encryption, a.KMSKeyID = "SSE-KMS", "arn:aws:kms:eu-west-3:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		},
		// Issue 18 defect 9: README documents alias/NAME.
		func(a *Answers) { a.Encryption, a.KMSKeyID = "SSE-KMS", "alias/my-key" },
		func(a *Answers) { a.Encryption, a.KMSKeyID = "SSE-KMS", "alias/team/media_key-1" },
		func(a *Answers) {
			a.Encryption, a.KMSKeyID = "SSE-KMS", "arn:aws:kms:eu-west-3:123456789012:alias/my-key"
		},
	} {
		a, _ := Parse([]byte("env: staging\napp: mon-app\nregion: eu-west-3\n"))
		a.ApplyDefaults()
		mut(a)
		if err := a.Validate(); err != nil {
			t.Errorf("Validate() = %v, want nil", err)
		}
	}
}

func TestMergeKeepsPriority(t *testing.T) {
	flags := &Answers{Set: map[string]bool{"region": true}, Region: "us-east-1"}
	file, _ := Parse([]byte("env: staging\napp: mon-app\nregion: eu-west-3\nfolders: [blog]\n"))
	flags.Merge(file)
	if flags.Region != "us-east-1" || flags.App != "mon-app" || len(flags.Folders) != 1 {
		t.Errorf("merge: %+v", flags)
	}
}
