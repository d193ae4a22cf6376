package policy

import (
	"strings"
	"testing"
)

// A partner's statement (with a field the wizard does not model) survives
// the merge verbatim; the wizard's stale statement is replaced by Sid.
func TestMergeBySidKeepsForeignStatements(t *testing.T) {
	live := `{"Version":"2012-10-17","Id":"partner","Statement":[
	  {"Sid":"PartnerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/partner/*"},
	  {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/partner/*"},
	  {"Sid":"PublicReadOfPublicPrefixes","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/media/old/*"}]}`
	want, _ := Bucket("b", BucketOptions{PublicPrefixes: []string{"media/blog/"}})
	m, err := MergeBySid(live, &want, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := DescribeSids(m.Foreign); got != "PartnerRead, (no Sid)" {
		t.Errorf("foreign = %q", got)
	}
	for _, s := range []string{`"PartnerRead"`, `"NotPrincipal"`, `media/blog/*`, `"partner"`} {
		if !strings.Contains(m.JSON, s) {
			t.Errorf("merged policy lacks %s:\n%s", s, m.JSON)
		}
	}
	if strings.Contains(m.JSON, "media/old/") {
		t.Errorf("the wizard's stale statement survived:\n%s", m.JSON)
	}
	// Merging again changes nothing: a second apply plans no change.
	again, err := MergeBySid(m.JSON, &want, true)
	if err != nil || !Equal(again.JSON, m.JSON) {
		t.Errorf("merge is not idempotent: %v\n%s", err, again.JSON)
	}
	// Without a wanted document only the wizard's statements go (destroy).
	rest, err := MergeBySid(m.JSON, nil, true)
	if err != nil || strings.Contains(rest.JSON, SidPublicRead) || !strings.Contains(rest.JSON, "PartnerRead") {
		t.Errorf("destroy's merge: %v\n%s", err, rest.JSON)
	}
	none, err := MergeBySid(`{"Version":"2012-10-17","Statement":{"Sid":"S3WizardDenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b"}}`, nil, false)
	if err != nil || none.JSON != "" {
		t.Errorf("a policy of the wizard's statements only should go entirely: %v %q", err, none.JSON)
	}
}

// TestOwnersDenyInsecureTransportIsNeverRemoved (issue 17 item 11): an
// adopted bucket's owner wrote their own statement with Sid
// DenyInsecureTransport (AWS's example Sid, which earlier wizards used
// too). Neither apply's merge nor destroy's removes it; on a bucket the
// wizard made, the earlier wizard's statement is replaced.
func TestOwnersDenyInsecureTransportIsNeverRemoved(t *testing.T) {
	live := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	want, _ := Bucket("b", BucketOptions{DenyInsecure: true})
	m, err := MergeBySid(live, &want, false)
	if err != nil || !strings.Contains(m.JSON, `"DenyInsecureTransport"`) || !strings.Contains(m.JSON, SidDenyInsecure) {
		t.Errorf("apply's merge on an adopted bucket: %v\n%s", err, m.JSON)
	}
	if DescribeSids(m.Legacy) != "DenyInsecureTransport" {
		t.Errorf("legacy = %q, want the owner's Sid reported", m.Legacy)
	}
	rest, err := MergeBySid(m.JSON, nil, false)
	if err != nil || !strings.Contains(rest.JSON, `"DenyInsecureTransport"`) || strings.Contains(rest.JSON, SidDenyInsecure) {
		t.Errorf("destroy's merge on an adopted bucket: %v\n%s", err, rest.JSON)
	}
	ours, err := MergeBySid(live, &want, true)
	if err != nil || strings.Contains(ours.JSON, `"DenyInsecureTransport"`) || !strings.Contains(ours.JSON, SidDenyInsecure) {
		t.Errorf("on the wizard's bucket the earlier wizard's statement is replaced: %v\n%s", err, ours.JSON)
	}
}
