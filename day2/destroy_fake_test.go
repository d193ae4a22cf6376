package day2_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/internal/awsfake"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

const (
	destroyFakeYAML = "env: staging\napp: mon-app\nregion: eu-west-3\niam_user: shared-user\naccess_logs: false\npublic_prefixes: [media/blog/]\n"
	keyMine         = "AKIAMADEBYSTAGING001"
	keyLanded       = "AKIALANDEDUNRECORD04"
	keyProd         = "AKIAMADEBYPROD000002"
	keyOwn          = "AKIATHEUSERSOWNKEY03"
)

// destroyed runs day2.Destroy and returns what it said.
func destroyed(t *testing.T, r *steps.Run) string {
	t.Helper()
	var said []string
	if err := day2.Destroy(context.Background(), r, func(s string) { said = append(said, s) }); err != nil {
		t.Fatalf("destroy: %v\n%s", err, strings.Join(said, "\n"))
	}
	return strings.Join(said, "\n")
}

// Destroy deletes only what the env made. The IAM user and the bucket
// existed before the wizard (adopted): both stay, the bucket with its
// objects; of the user only this env's key goes — the one in its env file,
// which a run that died before recording it left there — never the user's
// own; the key it recorded but IAM no longer has is marked deleted. On the kept bucket the wizard's
// policy statements and adoption tag are removed (the owner's stay), and
// Block Public Access goes back to what it was before the wizard. The
// group and policy the wizard made are deleted. (moto runs the same story
// end to end in destroy_test.go.)
func TestDestroyKeepsWhatWasAdoptedAndDeletesOnlyThisEnvsKeys(t *testing.T) {
	a := testrun.Answers(t, destroyFakeYAML)
	log := &awsfake.Log{}
	fiam := awsfake.NewIAM(log, map[string][]iamtypes.AccessKeyMetadata{a.IAMUser: {
		accessKey(a.IAMUser, keyLanded, iamtypes.StatusTypeActive),
		accessKey(a.IAMUser, keyOwn, iamtypes.StatusTypeActive),
	}})
	partner := `{"Sid":"PartnerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + a.Bucket + `/partner/*"}`
	ours, _ := policy.Bucket(a.Bucket, policy.BucketOptions{PublicPrefixes: a.AnonymousPrefixes(), DenyInsecure: true})
	var oursDoc struct{ Statement []json.RawMessage }
	if err := json.Unmarshal([]byte(ours.JSON()), &oursDoc); err != nil {
		t.Fatal(err)
	}
	live := `{"Version":"2012-10-17","Statement":[` + partner
	for _, s := range oursDoc.Statement {
		live += "," + string(s)
	}
	live += "]}"
	relaxed := steps.WantedPublicAccessBlock(true)
	before := s3types.PublicAccessBlockConfiguration{BlockPublicAcls: sdk.Bool(true), IgnorePublicAcls: sdk.Bool(true), BlockPublicPolicy: sdk.Bool(true), RestrictPublicBuckets: sdk.Bool(false)}
	beforeJSON, _ := json.Marshal(before)
	fs3 := awsfake.NewS3(log, map[string]*awsfake.Bucket{a.Bucket: {
		Policy:  live,
		Tags:    []s3types.Tag{{Key: sdk.String("cost-center"), Value: sdk.String("42")}, {Key: sdk.String(steps.TagAdoptedBy), Value: sdk.String(a.App)}},
		PAB:     &relaxed,
		Objects: map[string][]byte{"media/blog/keep.jpg": []byte("jpeg")},
	}})
	r := fakeRun(t, a, &aws.Clients{IAM: fiam, S3: fs3}, func(p *state.Progress) {
		p.PutOwnership(state.Ownership{Kind: state.KindIAMGroup, Name: steps.GroupName(a), Evidence: state.EvidenceCreated})
		p.PutOwnership(state.Ownership{Kind: state.KindIAMPolicy, Name: steps.PolicyName(a), Evidence: state.EvidenceCreated})
		p.PutKey(state.AccessKey{ID: keyMine, User: a.IAMUser, Status: "Active", Deployed: []string{"env_file"}})
		p.SetResource(steps.PABBeforeResource, string(beforeJSON))
	})
	if err := os.WriteFile(filepath.Join(r.Dir, a.EnvFile), []byte(appconfig.EnvKeyID+"="+keyLanded+"\n"+appconfig.EnvSecret+"=s3cr3t\n"+appconfig.EnvBucket+"="+a.Bucket+"\nDEBUG=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	said := destroyed(t, r)
	calls := log.All()
	if got := log.Only("iam:DeleteAccessKey"); !slices.Equal(got, []string{"iam:DeleteAccessKey " + keyLanded}) {
		t.Errorf("deleted keys %q, want only %s (this env's, in its env file)", got, keyLanded)
	}
	if k := r.State.Key(keyMine); k == nil || k.Status != "Deleted" {
		t.Errorf("the recorded key gone from IAM is %+v, want it marked deleted", k)
	}
	if got := log.Only("iam:DeleteUser"); len(got) > 0 || !strings.Contains(said, "kept IAM user "+a.IAMUser+": it existed before the wizard (adopted)") {
		t.Errorf("adopted user: calls %q, said:\n%s", got, said)
	}
	for _, c := range []string{"iam:DeleteGroup " + steps.GroupName(a), "iam:DeletePolicy " + steps.PolicyName(a)} {
		if !slices.Contains(calls, c) {
			t.Errorf("no %s: the wizard made it (calls %q)", c, calls)
		}
	}
	if got := log.Only("s3:Delete"); len(got) > 0 {
		t.Errorf("the adopted bucket was touched: %q", got)
	}
	b := fs3.Buckets[a.Bucket]
	if b == nil {
		t.Fatal("the adopted bucket was deleted")
	}
	var kept struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(b.Policy), &kept); err != nil || len(kept.Statement) != 1 || kept.Statement[0]["Sid"] != "PartnerRead" {
		t.Errorf("bucket policy after destroy:\n%s\nwant the partner's statement alone", b.Policy)
	}
	if len(b.Tags) != 1 || sdk.ToString(b.Tags[0].Key) != "cost-center" {
		t.Errorf("tags after destroy %v, want the owner's cost-center alone", b.Tags)
	}
	if b.PAB == nil || !sdk.ToBool(b.PAB.BlockPublicPolicy) || sdk.ToBool(b.PAB.RestrictPublicBuckets) {
		t.Errorf("Block Public Access after destroy %+v, want it as before the wizard %+v", b.PAB, before)
	}
	env, _ := os.ReadFile(filepath.Join(r.Dir, a.EnvFile))
	if strings.Contains(string(env), keyLanded) || !strings.Contains(string(env), "DEBUG=1") {
		t.Errorf("env file after destroy:\n%s\nwant the S3 lines gone, the rest kept", env)
	}
}

// An IAM user the wizard made is deleted once nothing else needs it: after
// this env's keys and its group membership (IAM refuses to delete a user
// that has either). While env prod still uses it, it is kept, and prod's
// progress now records it as the wizard's, so prod's destroy deletes it.
// A bucket the wizard made goes with every object version.
func TestDestroyDeletesTheUserItMadeUnlessAnotherEnvUsesIt(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(map[bool]string{false: "only this env", true: "shared with prod"}[shared], func(t *testing.T) {
			a := testrun.Answers(t, destroyFakeYAML)
			log := &awsfake.Log{}
			keys := []iamtypes.AccessKeyMetadata{accessKey(a.IAMUser, keyMine, iamtypes.StatusTypeActive)}
			if shared {
				keys = append(keys, accessKey(a.IAMUser, keyProd, iamtypes.StatusTypeActive))
			}
			fiam := awsfake.NewIAM(log, map[string][]iamtypes.AccessKeyMetadata{a.IAMUser: keys})
			fs3 := awsfake.NewS3(log, map[string]*awsfake.Bucket{a.Bucket: {Objects: map[string][]byte{"media/a.jpg": nil, "uploads/b.bin": nil}}})
			r := fakeRun(t, a, &aws.Clients{IAM: fiam, S3: fs3}, func(p *state.Progress) {
				p.PutOwnership(state.Ownership{Kind: state.KindIAMUser, Name: a.IAMUser, Evidence: state.EvidenceCreated})
				p.PutOwnership(state.Ownership{Kind: state.KindBucket, Name: a.Bucket, Evidence: state.EvidenceCreated})
				p.PutKey(state.AccessKey{ID: keyMine, User: a.IAMUser, Status: "Active"})
			})
			if shared {
				prod := testrun.Answers(t, strings.Replace(destroyFakeYAML, "env: staging", "env: prod", 1))
				seedEnv(t, r.Dir, prod, func(p *state.Progress) {
					p.PutKey(state.AccessKey{ID: keyProd, User: a.IAMUser, Status: "Active"})
				})
			}
			said := destroyed(t, r)
			iamCalls := log.Only("iam:")
			want := []string{"iam:DeleteAccessKey " + keyMine, "iam:RemoveUserFromGroup " + a.IAMUser, "iam:DeleteUser " + a.IAMUser}
			if shared {
				want = want[:2]
			}
			if got := slices.DeleteFunc(iamCalls, func(c string) bool { return strings.HasPrefix(c, "iam:DeleteGroup") }); !slices.Equal(got, want) {
				t.Errorf("IAM calls %q, want %q", got, want)
			}
			if shared {
				if !strings.Contains(said, "kept IAM user "+a.IAMUser+": env prod still uses it") {
					t.Errorf("destroy said:\n%s\nwant the user kept for prod", said)
				}
				p, err := state.Read(r.Dir, "prod")
				if err != nil || !p.Owns(state.KindIAMUser, a.IAMUser) {
					t.Errorf("prod's progress does not own %s now (%v): its destroy would keep it for good", a.IAMUser, err)
				}
			}
			if got := log.Only("s3:"); !slices.Equal(got, []string{"s3:DeleteObjects " + a.Bucket, "s3:DeleteBucket " + a.Bucket}) {
				t.Errorf("S3 calls %q, want the bucket emptied then deleted", got)
			}
			if _, ok := fs3.Buckets[a.Bucket]; ok {
				t.Error("the bucket the wizard made is still there")
			}
		})
	}
}

// On an adopted bucket, destroy puts Block Public Access back as the
// public step recorded it before its first change: removed when the bucket
// had none, the recorded setting otherwise, untouched when the wizard never
// changed it.
func TestDestroyPutsBlockPublicAccessBackAsItWas(t *testing.T) {
	a := testrun.Answers(t, destroyFakeYAML)
	own := s3types.PublicAccessBlockConfiguration{BlockPublicAcls: sdk.Bool(true), IgnorePublicAcls: sdk.Bool(false), BlockPublicPolicy: sdk.Bool(true), RestrictPublicBuckets: sdk.Bool(true)}
	ownJSON, _ := json.Marshal(own)
	for _, tc := range []struct {
		name   string
		before string // the record of the public step
		calls  []string
		want   *s3types.PublicAccessBlockConfiguration
	}{
		{"had none", "none", []string{"s3:DeletePublicAccessBlock " + a.Bucket}, nil},
		{"had its own", string(ownJSON), []string{"s3:PutPublicAccessBlock " + a.Bucket}, &own},
		{"never changed", "", nil, ptr(steps.WantedPublicAccessBlock(true))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := &awsfake.Log{}
			fs3 := awsfake.NewS3(log, map[string]*awsfake.Bucket{a.Bucket: {PAB: ptr(steps.WantedPublicAccessBlock(true))}})
			r := fakeRun(t, a, &aws.Clients{IAM: awsfake.NewIAM(log, nil), S3: fs3}, func(p *state.Progress) {
				if tc.before != "" {
					p.SetResource(steps.PABBeforeResource, tc.before)
				}
			})
			destroyed(t, r)
			if got := log.Only("s3:"); !slices.Equal(got, tc.calls) {
				t.Errorf("S3 calls %q, want %q", got, tc.calls)
			}
			if got := fs3.Buckets[a.Bucket].PAB; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Block Public Access after destroy %+v, want %+v", got, tc.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
