package policy

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestAppPolicyIsLeastPrivilege(t *testing.T) {
	d := App("mon-app-media-staging", []string{"media/", "uploads/"}, "", "eu-west-3")
	doc := d.JSON()
	for _, bad := range []string{"s3:HeadObject", "s3:PutObjectAcl", "s3:*", `"*"`} {
		if strings.Contains(doc, bad) {
			t.Errorf("policy contains %s:\n%s", bad, doc)
		}
	}
	want := []string{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"}
	if got := Actions(doc); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("actions = %v, want %v", got, want)
	}
	if d.Statement[0].Resource != "arn:aws:s3:::mon-app-media-staging" {
		t.Errorf("ListBucket must be on the bucket ARN, got %v", d.Statement[0].Resource)
	}
	res := d.Statement[1].Resource.([]string)
	if res[0] != "arn:aws:s3:::mon-app-media-staging/media/*" || res[1] != "arn:aws:s3:::mon-app-media-staging/uploads/*" {
		t.Errorf("object resources = %v", res)
	}
}

func TestAppPolicyKMS(t *testing.T) {
	d := App("b", []string{"media/"}, "arn:aws:kms:eu-west-3:123456789012:key/abc", "eu-west-3")
	got := Actions(d.JSON())
	if !contains(got, "kms:GenerateDataKey") || !contains(got, "kms:Decrypt") {
		t.Errorf("kms actions missing: %v", got)
	}
	// The key may be used only through S3 in the bucket's region: the app's
	// credentials cannot call KMS directly (moto does not enforce
	// conditions, so this is checked on the rendered document).
	kms := d.Statement[len(d.Statement)-1]
	via, _ := kms.Condition["StringEquals"].(map[string]any)
	if via["kms:ViaService"] != "s3.eu-west-3.amazonaws.com" {
		t.Errorf("KMS statement lacks kms:ViaService = s3.eu-west-3.amazonaws.com: %+v", kms.Condition)
	}
	if err := Validate(Identity, d.JSON(), ""); err != nil {
		t.Errorf("the KMS policy breaks the grammar: %v", err)
	}
}

// TestAppPolicyKMSAlias (issue 18 defect 9): kms_key_id may name the key
// by alias. IAM matches KMS resources by key ARN and S3 calls KMS with the
// key it resolved, so a Resource of the alias ARN would match nothing: the
// grant covers the account's keys in the region that carry the alias
// (kms:ResourceAliases), still only through S3. moto ignores conditions,
// so the rendered document is what is checked.
func TestAppPolicyKMSAlias(t *testing.T) {
	d := App("b", []string{"media/"}, "arn:aws:kms:eu-west-3:123456789012:alias/media-key", "eu-west-3")
	kms := d.Statement[len(d.Statement)-1]
	if kms.Resource != "arn:aws:kms:eu-west-3:123456789012:key/*" {
		t.Errorf("KMS statement resource = %v, want the account's keys in eu-west-3 (key/*)", kms.Resource)
	}
	aliases, _ := kms.Condition["ForAnyValue:StringEquals"].(map[string]any)
	via, _ := kms.Condition["StringEquals"].(map[string]any)
	if aliases["kms:ResourceAliases"] != "alias/media-key" || via["kms:ViaService"] != "s3.eu-west-3.amazonaws.com" {
		t.Errorf("KMS statement conditions = %+v, want kms:ResourceAliases alias/media-key and kms:ViaService", kms.Condition)
	}
	if err := Validate(Identity, d.JSON(), ""); err != nil {
		t.Errorf("the KMS alias policy breaks the grammar: %v", err)
	}
}

func TestBucketPolicy(t *testing.T) {
	if _, ok := Bucket("b", BucketOptions{}); ok {
		t.Error("no public prefix and no TLS deny must render no policy")
	}
	d, ok := Bucket("b", BucketOptions{PublicPrefixes: []string{"media/blog/"}, DenyInsecure: true})
	if !ok || len(d.Statement) != 2 {
		t.Fatalf("want 2 statements, got %+v", d)
	}
	pub := d.Statement[0]
	if pub.Principal != "*" || pub.Action != "s3:GetObject" || pub.Resource.([]string)[0] != "arn:aws:s3:::b/media/blog/*" {
		t.Errorf("public statement wrong: %+v", pub)
	}
	doc := d.JSON()
	if !strings.Contains(doc, `"aws:SecureTransport": "false"`) || !strings.Contains(doc, `"Effect": "Deny"`) {
		t.Errorf("TLS deny missing:\n%s", doc)
	}
	d2, _ := Bucket("b", BucketOptions{PublicPrefixes: []string{"media/blog/"}, DenyInsecure: false})
	if strings.Contains(d2.JSON(), "SecureTransport") {
		t.Error("TLS deny rendered for a plain-HTTP endpoint")
	}
}

func TestLogDeliveryConditions(t *testing.T) {
	doc := LogDelivery("b-logs", "b", "123456789012", true).JSON()
	for _, want := range []string{"logging.s3.amazonaws.com", `"aws:SourceArn": "arn:aws:s3:::b"`, `"aws:SourceAccount": "123456789012"`, "arn:aws:s3:::b-logs/logs/*"} {
		if !strings.Contains(doc, want) {
			t.Errorf("log policy lacks %s:\n%s", want, doc)
		}
	}
}

func TestEqual(t *testing.T) {
	a := App("b", []string{"media/", "uploads/"}, "", "eu-west-3").JSON()
	var v map[string]any
	_ = json.Unmarshal([]byte(a), &v)
	compact, _ := json.Marshal(v)
	if !Equal(a, string(compact)) {
		t.Error("same document, other formatting: not equal")
	}
	if !Equal(a, url.QueryEscape(string(compact))) {
		t.Error("URL-encoded document (as IAM returns it) not equal")
	}
	b := App("b", []string{"media/"}, "", "eu-west-3").JSON()
	if Equal(a, b) {
		t.Error("different prefixes compared equal")
	}
	if !Equal(`{"Action":["s3:GetObject"]}`, `{"Action":"s3:GetObject"}`) {
		t.Error("string vs one-item list should be equal")
	}
	if Equal(`{`, `{`) {
		t.Error("invalid JSON compared equal")
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// MinIO gives back "Principal": "*" as {"AWS": ["*"]}: the same policy.
func TestEqualPrincipalStarForms(t *testing.T) {
	ours := `{"Version":"2012-10-17","Statement":[{"Sid":"P","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/media/blog/*"}]}`
	minio := `{"Version":"2012-10-17","Statement":[{"Sid":"P","Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/media/blog/*"]}]}`
	if !Equal(ours, minio) {
		t.Error("Principal \"*\" and {\"AWS\": [\"*\"]} compare different")
	}
	other := strings.Replace(minio, `["*"]`, `["arn:aws:iam::123456789012:root"]`, 1)
	if Equal(ours, other) {
		t.Error("a named principal compares equal to *")
	}
}
