package cli_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/state"
)

// crashAnswers exercise every step of the access-keys flow.
const crashAnswers = stagingAnswers + `public_prefixes: [media/blog/]
budget: {monthly_usd: 20, email: ops@example.com}
alarms: {bucket_size_gb: 50, email: ops@example.com}
heroku_app: mon-app-staging
`

// verifyOps are mutating calls of the verifications, which `plan` does not
// list: a crash there leaves probe objects behind. The layout writes one
// folder marker per folder (4 here), then 4 probes are put (layout,
// access key, public and private prefix): the 8th PutObject is a probe's,
// and no DeleteObject but a probe's happens during apply.
var verifyOps = []string{"PutObject#8", "DeleteObject"}

// mutatingOps are the mutating AWS operations a full apply plans, read from
// `plan` itself, so a new step is covered without touching this test.
func mutatingOps(t *testing.T, stdout string) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+aws [a-z0-9-]+:([A-Za-z0-9]+)\s*$`).FindAllStringSubmatch(stdout, -1) {
		if op := m[1]; !aws.IsReadOnly(op) {
			seen[op] = true
		}
	}
	var ops []string
	for op := range seen {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	if len(ops) < 10 {
		t.Fatalf("plan lists only %d mutating operation(s) %v:\n%s", len(ops), ops, stdout)
	}
	return ops
}

// outcome is what a finished apply left: what the invariants compare.
type outcome struct {
	owned map[string]string // ownership records (kind:name → evidence)
}

// Crash right after every mutating AWS operation of a full apply, run apply
// again, and check what a user relies on: one active key equal to the env
// file's, no duplicate, no probe left, ownership recorded as in a run that
// never crashed, and a third run that plans nothing.
func TestCrashMatrix(t *testing.T) {
	s := motoserver.Start(t)
	env := s.Env()

	ref := project(t, crashAnswers)
	pl := run(t, ref, env, "plan", "--env", "staging", "--answers", "answers.yaml")
	mustOK(t, pl)
	ops := mutatingOps(t, pl.stdout)
	for _, op := range verifyOps {
		if !slices.Contains(ops, op) {
			ops = append(ops, op)
		}
	}
	t.Logf("crash points: %v", ops)

	// The reference run (no crash) and the cases all run at once: the
	// reference on s, the cases in crashLanes lanes, each with its own moto
	// reset between its cases. An apply spends most of its time waiting for
	// AWS's (here moto's) answers, so they overlap well even on few cores.
	var want outcome
	refDone := make(chan struct{})
	t.Run("lanes", func(t *testing.T) {
		// The reference runs first, not in parallel: the lanes wait for it
		// (refDone), and with -parallel 2 two waiting lanes would hold both
		// slots while it waits for one (a deadlock seen on a 2-core CI).
		t.Run("reference", func(t *testing.T) {
			defer close(refDone)
			mustOK(t, apply(t, ref, env))
			want = collect(t, s, ref)
			for _, v := range want.owned {
				if v != state.EvidenceCreated {
					t.Errorf("a run without crash recorded ownership %v", want.owned)
				}
			}
		})
		for lane := range crashLanes {
			t.Run(fmt.Sprint(lane), func(t *testing.T) {
				t.Parallel()
				srv := motoserver.Start(t)
				env := srv.Env()
				for i := lane; i < len(ops); i += crashLanes {
					op := ops[i]
					t.Run(op, func(t *testing.T) {
						srv.Reset(t)
						dir := project(t, crashAnswers)
						crash := apply(t, dir, append(slices.Clone(env), "S3WIZARD_CRASH_AFTER="+op))
						if crash.code != 137 {
							t.Fatalf("apply with a crash after %s: exit %d, want 137 (the operation never ran?)\n%s", op, crash.code, crash.stderr)
						}
						mustOK(t, apply(t, dir, env))
						got := collect(t, srv, dir)
						third := run(t, dir, env, "plan", "--env", "staging", "--answers", "answers.yaml")
						mustOK(t, third)
						if !strings.Contains(third.stdout, "\n0 change(s) planned") {
							t.Errorf("third run still plans changes:\n%s", third.stdout)
						}
						<-refDone
						if len(want.owned) == 0 || !equalMaps(got.owned, want.owned) {
							t.Errorf("ownership after the crash: %v, want %v (as a run without crash)", got.owned, want.owned)
						}
					})
				}
			})
		}
	})
}

// crashLanes is how many moto servers the crash matrix runs its cases on.
const crashLanes = 4

// collect checks the invariants that hold after any successful apply and
// returns what must match a run that never crashed.
func collect(t *testing.T, s *motoserver.Server, dir string) outcome {
	t.Helper()
	ctx := context.Background()
	envf := readEnv(t, dir)
	ic := iam.NewFromConfig(s.AWSConfig(t, "us-east-1"))
	keys, err := ic.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: sdk.String("mon-app-staging-s3-user")})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != envf["AWS_ACCESS_KEY_ID"] || keys.AccessKeyMetadata[0].Status != "Active" {
		var ids []string
		for _, k := range keys.AccessKeyMetadata {
			ids = append(ids, *k.AccessKeyId+"/"+string(k.Status))
		}
		t.Errorf("keys %v; .env has %s: want exactly that one, active", ids, envf["AWS_ACCESS_KEY_ID"])
	}
	vs, err := ic.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: sdk.String("arn:aws:iam::123456789012:policy/mon-app-staging-s3-access")})
	if err != nil || len(vs.Versions) != 1 {
		t.Errorf("policy versions: %v %v, want exactly 1", vs, err)
	}
	sc := s3client(t, s, "", "")
	bl, err := sc.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range bl.Buckets {
		names = append(names, *b.Name)
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "mon-app-media-staging mon-app-media-staging-logs" {
		t.Errorf("buckets %v", names)
	}
	ov, err := sc.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: sdk.String("mon-app-media-staging")})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range ov.Versions {
		if strings.Contains(*v.Key, ".s3wizard-") {
			t.Errorf("probe left: %s (version %s)", *v.Key, sdk.ToString(v.VersionId))
		}
	}
	for _, m := range ov.DeleteMarkers {
		if strings.Contains(*m.Key, ".s3wizard-") {
			t.Errorf("probe delete marker left: %s", *m.Key)
		}
	}
	p, err := state.Read(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	if p.KeyCreation() != nil {
		t.Errorf("a key creation is still open: %+v", p.KeyCreation())
	}
	o := outcome{owned: map[string]string{}}
	for _, r := range p.Ownerships() {
		o.owned[r.Kind+":"+r.Name] = r.Evidence
	}
	if _, err := os.Stat(filepath.Join(dir, ".s3wizard", "heroku-staging.sh")); err != nil {
		t.Errorf("heroku command file: %v", err)
	}
	return o
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
