package steps_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/awsfake"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

const (
	publicYAML  = "env: staging\napp: pub-app\nregion: eu-west-3\nstatic_on_s3: false\npublic_prefixes: [media/blog/]\n"
	privateYAML = "env: staging\napp: pub-app\nregion: eu-west-3\nstatic_on_s3: false\n"
)

// publicClients are the public step's fake clients: S3 behind endpoint
// (https: the non-TLS deny is written; a custom endpoint also keeps Access
// Analyzer, AWS-only, out of the plan) and an account without Block Public
// Access.
func publicClients(s3 *awsfake.S3, endpoint string) *aws.Clients {
	return &aws.Clients{S3: s3, S3Control: fakeAccountPAB{}, Endpoint: endpoint}
}

// applyPublic applies the public step (without its live probes, which are
// tested against moto) and returns the changing calls it made.
func applyPublic(t *testing.T, a *config.Answers, s3 *awsfake.S3, endpoint string) []string {
	t.Helper()
	_, calls := applyOn(t, a, publicClients(s3, endpoint), "public", s3.Log)
	return calls
}

// AWS refuses a public bucket policy while Block Public Access blocks it:
// the public step relaxes BlockPublicPolicy and RestrictPublicBuckets
// before it puts the policy granting the public prefixes, and when the
// prefixes go, it takes the grant out of the policy (or removes the
// policy) before it switches them back on, so the bucket is never public
// with its block on, nor blocked while a grant the block would refuse is
// still being written. (That AWS really refuses the policy first is not
// checked here: moto ignores Block Public Access.)
func TestPublicBlockPublicAccessRelaxedBeforeThePolicyAndRestoredAfter(t *testing.T) {
	pub, priv := testrun.Answers(t, publicYAML), testrun.Answers(t, privateYAML)
	bucket := pub.Bucket
	for _, tc := range []struct {
		endpoint string
		removal  string // the call that takes the public grant away
	}{
		{"https://s3.example.test", "PutBucketPolicy"},   // the non-TLS deny stays
		{"http://s3.example.test", "DeleteBucketPolicy"}, // nothing else is left
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			on := steps.WantedPublicAccessBlock(false)
			s3 := awsfake.NewS3(nil, map[string]*awsfake.Bucket{bucket: {Region: "eu-west-3", Enforced: true, PAB: &on}})
			got := applyPublic(t, pub, s3, tc.endpoint)
			if want := []string{"s3:PutPublicAccessBlock " + bucket, "s3:PutBucketPolicy " + bucket}; !slices.Equal(got, want) {
				t.Errorf("making media/blog/ public called %q, want %q", got, want)
			}
			if pab := *s3.Buckets[bucket].PAB; sdk.ToBool(pab.BlockPublicPolicy) || sdk.ToBool(pab.RestrictPublicBuckets) || !sdk.ToBool(pab.BlockPublicAcls) || !sdk.ToBool(pab.IgnorePublicAcls) {
				t.Errorf("Block Public Access after it: %+v, want only the two policy switches off", pab)
			}
			if !strings.Contains(s3.Buckets[bucket].Policy, "arn:aws:s3:::"+bucket+"/media/blog/*") {
				t.Errorf("policy after it does not grant media/blog/:\n%s", s3.Buckets[bucket].Policy)
			}

			got = applyPublic(t, priv, s3, tc.endpoint)
			if want := []string{"s3:" + tc.removal + " " + bucket, "s3:PutPublicAccessBlock " + bucket}; !slices.Equal(got, want) {
				t.Errorf("dropping the public prefixes called %q, want %q", got, want)
			}
			if pab := *s3.Buckets[bucket].PAB; !sdk.ToBool(pab.BlockPublicPolicy) || !sdk.ToBool(pab.RestrictPublicBuckets) {
				t.Errorf("Block Public Access after it: %+v, want all four on", pab)
			}
			if strings.Contains(s3.Buckets[bucket].Policy, "media/blog/") {
				t.Errorf("the public grant is still in the policy:\n%s", s3.Buckets[bucket].Policy)
			}
			if again := applyPublic(t, priv, s3, tc.endpoint); len(again) > 0 {
				t.Errorf("a second apply called %q, want nothing", again)
			}
		})
	}
}

// statements are a bucket policy's statements, in order.
func statements(t *testing.T, doc string) []map[string]any {
	t.Helper()
	var d struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("policy %q: %v", doc, err)
	}
	return d.Statement
}

// statementJSON is the statement of doc with Sid sid, as JSON.
func statementJSON(t *testing.T, doc, sid string) string {
	t.Helper()
	for _, s := range statements(t, doc) {
		if s["Sid"] == sid {
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no statement %s in %s", sid, doc)
	return ""
}

// sids are the Sids of a bucket policy's statements, in order.
func sids(t *testing.T, doc string) []string {
	t.Helper()
	var out []string
	for _, s := range statements(t, doc) {
		sid, _ := s["Sid"].(string)
		out = append(out, sid)
	}
	return out
}

// keptAsIs fails t unless the statement stmt (JSON) is in the policy doc
// unchanged.
func keptAsIs(t *testing.T, doc, stmt string) {
	t.Helper()
	var want map[string]any
	if err := json.Unmarshal([]byte(stmt), &want); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(statements(t, doc), func(s map[string]any) bool { return reflect.DeepEqual(s, want) }) {
		t.Errorf("statement %s is not kept as it was in:\n%s", stmt, doc)
	}
}

// The public step merges its statements into a live bucket policy by Sid:
// the owner's statements are kept byte for byte, the wizard's (named
// S3Wizard…) are replaced by the wanted ones, and a statement with a Sid
// earlier wizards wrote without the prefix (DenyInsecureTransport) is the
// wizard's only on a bucket the wizard made; on an adopted bucket it may be
// the owner's own, so it stays and the plan warns about it.
func TestPublicPolicyMergedBySid(t *testing.T) {
	a := testrun.Answers(t, publicYAML)
	bucket := a.Bucket
	partner := `{"Sid":"PartnerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/partner/*"}`
	oldGrant := `{"Sid":"` + policy.SidPublicRead + `","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/media/old/*"}`
	legacy := `{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`
	live := `{"Version":"2012-10-17","Statement":[` + partner + `,` + oldGrant + `,` + legacy + `]}`
	for _, tc := range []struct {
		name   string
		made   bool // the wizard created the bucket (by record)
		want   []string
		legacy bool // the plan warns about the kept legacy Sid
	}{
		{"adopted bucket", false, []string{"PartnerRead", "DenyInsecureTransport", policy.SidPublicRead, policy.SidDenyInsecure}, true},
		{"bucket the wizard made", true, []string{"PartnerRead", policy.SidPublicRead, policy.SidDenyInsecure}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			open := steps.WantedPublicAccessBlock(true)
			s3 := awsfake.NewS3(nil, map[string]*awsfake.Bucket{bucket: {Region: "eu-west-3", Enforced: true, PAB: &open, Policy: live}})
			r := fakeRun(t, a, publicClients(s3, "https://s3.example.test"))
			if tc.made {
				if err := r.State.Update(func(p *state.Progress) {
					p.PutOwnership(state.Ownership{Kind: state.KindBucket, Name: bucket, Evidence: state.EvidenceCreated})
				}); err != nil {
					t.Fatal(err)
				}
			}
			p := testrun.Plan(t, r, "public")
			warned := slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, "keeps statement(s) DenyInsecureTransport") })
			if warned != tc.legacy {
				t.Errorf("warnings %q: warned about the legacy Sid = %v, want %v", p.Warnings, warned, tc.legacy)
			}
			doAll(t, p)
			put := s3.Buckets[bucket].Policy
			if got := sids(t, put); !slices.Equal(got, tc.want) {
				t.Errorf("statements put: %q, want %q", got, tc.want)
			}
			keptAsIs(t, put, partner)
			if !tc.made {
				keptAsIs(t, put, legacy)
			}
			if strings.Contains(put, "media/old/") || !strings.Contains(put, "media/blog/") {
				t.Errorf("the wizard's grant was not replaced by media/blog/:\n%s", put)
			}
		})
	}
}

// Before its first change to an adopted bucket's Block Public Access, the
// public step records the setting as it was ("none" when the bucket had
// none), so destroy can put it back; a bucket the wizard made records
// nothing (destroy deletes it). A later apply never overwrites the record.
func TestPublicRecordsAnAdoptedBucketsBlockPublicAccessFirst(t *testing.T) {
	a := testrun.Answers(t, publicYAML)
	custom := s3types.PublicAccessBlockConfiguration{BlockPublicAcls: sdk.Bool(true), IgnorePublicAcls: sdk.Bool(false), BlockPublicPolicy: sdk.Bool(true), RestrictPublicBuckets: sdk.Bool(true)}
	customJSON, _ := json.Marshal(custom)
	for _, tc := range []struct {
		name string
		pab  *s3types.PublicAccessBlockConfiguration
		made bool
		want string
	}{
		{"adopted, without Block Public Access", nil, false, "none"},
		{"adopted, with its own", &custom, false, string(customJSON)},
		{"made by the wizard", &custom, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s3 := awsfake.NewS3(nil, map[string]*awsfake.Bucket{a.Bucket: {Region: "eu-west-3", Enforced: true, PAB: tc.pab}})
			r := fakeRun(t, a, publicClients(s3, "https://s3.example.test"))
			if tc.made {
				if err := r.State.Update(func(p *state.Progress) {
					p.PutOwnership(state.Ownership{Kind: state.KindBucket, Name: a.Bucket, Evidence: state.EvidenceCreated})
				}); err != nil {
					t.Fatal(err)
				}
			}
			for range 2 {
				doAll(t, testrun.Plan(t, r, "public"))
				if got := r.State.Resource(steps.PABBeforeResource); got != tc.want {
					t.Fatalf("recorded Block Public Access before the wizard: %q, want %q", got, tc.want)
				}
				// Changed behind the wizard's back: the record stays the first one.
				s3.Buckets[a.Bucket].PAB = ptr(steps.WantedPublicAccessBlock(false))
			}
		})
	}
}
