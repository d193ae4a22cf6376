package policy

import (
	"errors"
	"strings"
	"testing"
)

// Real IAM and S3 refuse these documents; moto accepts most of them, so the
// grammar is checked locally before anything is sent. Each case names the
// statement and the rule the message must carry.
func TestValidateRefusesBadDocuments(t *testing.T) {
	const b = "mon-app-media"
	cases := []struct {
		name   string
		kind   Kind
		doc    string
		wants  []string // each must appear in the message
		bucket string
	}{
		{"trust policy with Resource null (the instance-role bug)", Trust,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":null}]}`,
			[]string{"statement 1 (no Sid)", "Resource is null"}, ""},
		{"trust policy with a Resource", Trust,
			`{"Version":"2012-10-17","Statement":[{"Sid":"EC2","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`,
			[]string{`statement 1 (Sid "EC2")`, "prohibited field Resource"}, ""},
		{"trust policy without Principal", Trust,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`,
			[]string{"statement 1", "missing Principal"}, ""},
		{"trust policy with a non-sts action", Trust,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}`,
			[]string{"statement 1", "only sts: actions"}, ""},
		{"identity policy with a Principal", Identity,
			`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},{"Sid":"B","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`,
			[]string{`statement 2 (Sid "B")`, "prohibited field Principal"}, ""},
		{"identity policy without Resource", Identity,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket"}]}`,
			[]string{"statement 1", "exactly one of Resource and NotResource"}, ""},
		{"identity policy with both Action and NotAction", Identity,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}]}`,
			[]string{"statement 1", "exactly one of Action and NotAction"}, ""},
		{"identity policy with an empty Action list", Identity,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`,
			[]string{"statement 1", "Action is an empty list"}, ""},
		{"Effect misspelt", Identity,
			`{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}]}`,
			[]string{"statement 1", `Effect must be "Allow" or "Deny"`}, ""},
		{"old policy language version", Identity,
			`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
			[]string{"identity policy", `Version must be "2012-10-17"`}, ""},
		{"missing Version", Identity,
			`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
			[]string{`Version must be "2012-10-17", got nothing`}, ""},
		{"Sid with characters IAM refuses", Identity,
			`{"Version":"2012-10-17","Statement":[{"Sid":"read-media","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
			[]string{`statement 1 (Sid "read-media")`, "only ASCII letters and digits"}, ""},
		{"repeated Sid", Identity,
			`{"Version":"2012-10-17","Statement":[{"Sid":"X","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"X","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`,
			[]string{`statement 2 (Sid "X")`, "unique"}, ""},
		{"s3:HeadObject-like malformed action", Identity,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`,
			[]string{"statement 1", `"GetObject" is not service:action`}, ""},
		{"resource that is not an ARN", Identity,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"mon-app-media/*"}]}`,
			[]string{"statement 1", "not an ARN"}, ""},
		{"unknown condition operator", Identity,
			`{"Version":"2012-10-17","Statement":[{"Sid":"K","Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqual":{"kms:ViaService":"s3.eu-west-3.amazonaws.com"}}}]}`,
			[]string{`statement 1 (Sid "K")`, "unknown condition operator StringEqual"}, ""},
		{"Null with IfExists", Identity,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NullIfExists":{"aws:TokenIssueTime":"true"}}}]}`,
			[]string{"statement 1", "unknown condition operator NullIfExists"}, ""},
		{"null condition value", Identity,
			`{"Version":"2012-10-17","Statement":[{"Sid":"C","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":null}}}]}`,
			[]string{`statement 1 (Sid "C")`, "Condition.Bool.aws:SecureTransport is null"}, ""},
		{"bucket policy without Principal", BucketResource,
			`{"Version":"2012-10-17","Statement":[{"Sid":"Pub","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mon-app-media/media/blog/*"}]}`,
			[]string{`statement 1 (Sid "Pub")`, "exactly one of Principal and NotPrincipal"}, b},
		{"bucket policy without Resource", BucketResource,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}`,
			[]string{"statement 1", "exactly one of Resource and NotResource"}, b},
		{"bucket policy granting another bucket", BucketResource,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::mon-app-media/media/*","arn:aws:s3:::mon-app-media-other/*"]}]}`,
			[]string{"statement 1", `"arn:aws:s3:::mon-app-media-other/*"`, "outside bucket mon-app-media"}, b},
		{"bucket policy with Resource *", BucketResource,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`,
			[]string{"statement 1", "inside bucket mon-app-media"}, b},
		{"bucket policy with a non-s3 action", BucketResource,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"arn:aws:s3:::mon-app-media/*"}]}`,
			[]string{"statement 1", "only s3: actions"}, b},
		{"bucket policy with an unknown principal type", BucketResource,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"User":"bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::mon-app-media/*"}]}`,
			[]string{"statement 1", "unknown principal type User"}, b},
		{"unknown statement field", Identity,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Actions":"s3:GetObject","Resource":"*"}]}`,
			[]string{"statement 1", "unknown field Actions"}, ""},
		{"empty Id", BucketResource,
			`{"Version":"2012-10-17","Id":"","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mon-app-media/*"}]}`,
			[]string{"bucket policy: Id must be a non-empty string"}, b},
		{"no statement", Identity,
			`{"Version":"2012-10-17","Statement":[]}`,
			[]string{"Statement is empty"}, ""},
	}
	if len(cases) < 10 {
		t.Fatalf("the issue asks for at least ten bad documents, have %d", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.kind, tc.doc, tc.bucket)
			if err == nil {
				t.Fatalf("%s accepted:\n%s", tc.kind, tc.doc)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *policy.Error: %v", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tc.kind.String()) {
				t.Errorf("message does not start with the kind %q: %s", tc.kind, msg)
			}
			for _, w := range tc.wants {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
		})
	}
}

// Every document the wizard renders passes its own grammar; the trust policy
// did not (it was sent with "Resource": null).
func TestValidateAcceptsWhatTheWizardRenders(t *testing.T) {
	const kms = "arn:aws:kms:eu-west-3:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for _, tc := range []struct {
		name   string
		kind   Kind
		doc    Document
		bucket string
	}{
		{"app policy", Identity, App("b", []string{"media/", "uploads/", "static/"}, "", "eu-west-3"), ""},
		{"app policy with KMS", Identity, App("b", []string{"media/"}, kms, "eu-west-3"), ""},
		{"instance role trust", Trust, EC2Trust(), ""},
		{"media bucket policy", BucketResource, mustBucket(t, "b", BucketOptions{PublicPrefixes: []string{"media/blog/", "static/"}, DenyInsecure: true}), "b"},
		{"media bucket policy without TLS deny", BucketResource, mustBucket(t, "b", BucketOptions{PublicPrefixes: []string{"media/blog/"}}), "b"},
		{"log bucket policy", BucketResource, LogDelivery("b-logs", "b", "123456789012", true), "b-logs"},
	} {
		if err := Validate(tc.kind, tc.doc.JSON(), tc.bucket); err != nil {
			t.Errorf("%s refused: %v\n%s", tc.name, err, tc.doc.JSON())
		}
	}
	if strings.Contains(EC2Trust().JSON(), "Resource") {
		t.Errorf("the trust policy carries a Resource field:\n%s", EC2Trust().JSON())
	}
}

// A bucket policy's foreign statements (kept when merging) may use S3's
// laxer Sid and the other grammar forms.
func TestValidateAcceptsOtherValidForms(t *testing.T) {
	doc := `{"Version":"2012-10-17","Id":"Their policy","Statement":{"Sid":"Their read-only access","Effect":"Deny",
		"NotPrincipal":{"AWS":["arn:aws:iam::123456789012:root"]},"NotAction":["s3:Get*","s3:List*"],
		"NotResource":"arn:aws:s3:::b/public/*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:PrincipalTag/team":["a","b"]},"NumericLessThan":{"s3:max-keys":10}}}}`
	if err := Validate(BucketResource, doc, "b"); err != nil {
		t.Errorf("valid bucket policy refused: %v", err)
	}
}

func mustBucket(t *testing.T, bucket string, o BucketOptions) Document {
	t.Helper()
	d, ok := Bucket(bucket, o)
	if !ok {
		t.Fatalf("no bucket policy rendered for %+v", o)
	}
	return d
}
