package djangoapp

import (
	"strings"
	"testing"
)

func TestLintRules(t *testing.T) {
	cases := []struct {
		name, src, django, storages string
		sev, msg                    string // "" sev: no finding
	}{
		{"default storage 5.1", `DEFAULT_FILE_STORAGE = "storages.backends.s3.S3Storage"`, "5.1", "1.14.4", "error", "removed in Django 5.1 and silently ignored: uploads land on local disk; use STORAGES"},
		{"static storage unknown django", `STATICFILES_STORAGE = "x.Y"`, "", "", "warning", "the project's Django version is unknown; from Django 4.2 it is deprecated and from 5.1 silently ignored"},
		{"default storage 4.2", `DEFAULT_FILE_STORAGE = "storages.backends.s3.S3Storage"`, "4.2", "1.14.4", "warning", "deprecated"},
		{"default storage 3.2", `DEFAULT_FILE_STORAGE = "storages.backends.s3boto3.S3Boto3Storage"`, "3.2", "1.13.2", "", ""},
		{"typo", `AWS_S3_REGION = "eu-west-3"`, "5.2", "1.14.6", "warning", "unknown django-storages setting AWS_S3_REGION (typo of AWS_S3_REGION_NAME?)"},
		{"typo bucket", `AWS_BUCKET_NAME = env("BUCKET")`, "5.2", "1.14.6", "warning", "(typo of AWS_STORAGE_BUCKET_NAME?)"},
		{"typo distance", `AWS_QUERYSTRING_EXPIRES = 60`, "5.2", "1.14.6", "warning", "(typo of AWS_QUERYSTRING_EXPIRE?)"},
		{"unknown", `AWS_SES_CONFIGURATION_SET = "x"`, "5.2", "1.14.6", "warning", "unknown django-storages setting AWS_SES_CONFIGURATION_SET"},
		{"removed", `AWS_HEADERS = {}`, "5.2", "1.14.6", "warning", "AWS_HEADERS was removed"},
		{"public acl", `AWS_DEFAULT_ACL = 'public-read'`, "5.2", "1.14.6", "error", "AccessControlListNotSupported"},
		{"public acl option", `        "default_acl": "public-read",`, "5.2", "1.14.6", "error", "AccessControlListNotSupported"},
		{"private acl", `AWS_DEFAULT_ACL = "private"`, "5.2", "1.14.6", "warning", "ACLs are disabled"},
		{"acl none", `AWS_DEFAULT_ACL = None`, "5.2", "1.14.6", "", ""},
		{"querystring off", `AWS_QUERYSTRING_AUTH = False  # public bucket`, "5.2", "1.14.6", "error", "AWS_QUERYSTRING_AUTH = False"},
		{"querystring on", `AWS_QUERYSTRING_AUTH = True`, "5.2", "1.14.6", "", ""},
		{"allowed hosts", `ALLOWED_HOSTS = ['*']`, "5.2", "1.14.6", "warning", "ALLOWED_HOSTS"},
		{"allowed hosts ok", `ALLOWED_HOSTS = ["example.com"]`, "5.2", "1.14.6", "", ""},
		{"old alias", `        "BACKEND": "storages.backends.s3boto3.S3Boto3Storage",`, "5.2", "1.14.6", "warning", "old alias storages.backends.s3boto3.S3Boto3Storage; django-storages 1.14+ names it storages.backends.s3.S3Storage"},
		{"old alias on 1.13", `        "BACKEND": "storages.backends.s3boto3.S3Boto3Storage",`, "4.2", "1.13.2", "", ""},
		{"secret literal", `AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"`, "5.2", "1.14.6", "error", "hard-coded secret"},
		{"secret s3 literal", `AWS_S3_SECRET_ACCESS_KEY='abc'`, "5.2", "1.14.6", "error", "hard-coded secret"},
		{"secret env", `AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY", "")`, "5.2", "1.14.6", "", ""},
		{"secret getenv", `AWS_SECRET_ACCESS_KEY = os.getenv("AWS_SECRET_ACCESS_KEY")`, "5.2", "1.14.6", "", ""},
		{"secret env()", `AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY")`, "5.2", "1.14.6", "", ""},
		{"comment ignored", `# AWS_QUERYSTRING_AUTH = False`, "5.2", "1.14.6", "", ""},
		{"comparison ignored", `if AWS_QUERYSTRING_AUTH == False: pass`, "5.2", "1.14.6", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "import os\n\n" + c.src + "\n"
			f := LintSettings([]byte(src), c.django, c.storages)
			if c.sev == "" {
				if len(f) != 0 {
					t.Fatalf("want no finding, got %v", f)
				}
				return
			}
			if len(f) != 1 {
				t.Fatalf("want 1 finding, got %v", f)
			}
			if f[0].Line != 3 || f[0].Severity != c.sev || !strings.Contains(f[0].Message, c.msg) {
				t.Fatalf("got %v, want line 3 %s containing %q", f[0], c.sev, c.msg)
			}
			if strings.Contains(f[0].Message, "EXAMPLEKEY") || strings.Contains(f[0].Message, "'abc'") {
				t.Fatalf("finding echoes the secret: %v", f[0])
			}
		})
	}
}
