package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// probeVersions lists every version and delete marker of probe objects in
// the bucket.
func probeVersions(t *testing.T, s *motoserver.Server) []string {
	t.Helper()
	out, err := s3client(t, s, "", "").ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: sdk.String("mon-app-media-staging")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, v := range out.Versions {
		if strings.Contains(*v.Key, "probe") {
			keys = append(keys, *v.Key)
		}
	}
	for _, m := range out.DeleteMarkers {
		if strings.Contains(*m.Key, "probe") {
			keys = append(keys, *m.Key+" (delete marker)")
		}
	}
	return keys
}

// TestProbesOfCrashedCheckSweptByDoctorAndRotate (issue 17.16): probe
// objects left by a check killed mid-verification, and by the Django
// upload test (whose probe no command ever swept), were removed only by
// apply. doctor and rotate-keys, which write probes too, sweep them first.
func TestProbesOfCrashedCheckSweptByDoctorAndRotate(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	cl := s3client(t, s, "", "")
	crashCheck := func() {
		t.Helper()
		r := run(t, dir, append(s.Env(), "S3WIZARD_CRASH_AFTER=PutObject"), "check", "--env", "staging")
		if r.code != 137 {
			t.Fatalf("check did not crash: exit %d\n%s", r.code, r.stderr)
		}
		// The Django test's probe, as a killed manage.py shell leaves it.
		if _, err := cl.PutObject(context.Background(), &s3.PutObjectInput{Bucket: sdk.String("mon-app-media-staging"), Key: sdk.String("media/s3wizard-django-probe-1.txt"), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
		if len(probeVersions(t, s)) < 2 {
			t.Fatalf("no leftover probes: the test proves nothing (%v)", probeVersions(t, s))
		}
	}

	crashCheck()
	r := run(t, dir, s.Env(), "doctor", "--env", "staging")
	if left := probeVersions(t, s); len(left) != 0 {
		t.Errorf("after doctor, probes left: %v\n%s", left, r.stderr)
	}

	crashCheck()
	mustOK(t, run(t, dir, s.Env(), "rotate-keys", "--env", "staging", "--yes"))
	if left := probeVersions(t, s); len(left) != 0 {
		t.Errorf("after rotate-keys, probes left: %v", left)
	}
}

// TestTamperedRotationReportsNoDeletionIAMRefused (issue 17.17): a progress
// file whose rotation names a key that is not the user's made rotate-keys
// report that key "deactivated" and "deleted" although IAM refused both
// (NoSuchEntity). It says what happened now.
func TestTamperedRotationReportsNoDeletionIAMRefused(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	path := filepath.Join(dir, ".s3wizard", "staging.json")
	var prog map[string]any
	b, err := os.ReadFile(path)
	must(t, err)
	must(t, json.Unmarshal(b, &prog))
	prog["rotation"] = map[string]any{"old_key_id": "AKIAFAKEFAKEFAKE0000", "new_key_id": readEnv(t, dir)["AWS_ACCESS_KEY_ID"]}
	b, _ = json.Marshal(prog)
	must(t, os.WriteFile(path, b, 0o600))
	r := run(t, dir, s.Env(), "rotate-keys", "--env", "staging", "--yes")
	for _, lie := range []string{"AKIA…000 deactivated", "AKIA…000 deleted"} {
		if strings.Contains(r.stderr, lie) {
			t.Errorf("rotate-keys reports %q, which IAM refused:\n%s", lie, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, "AKIA…000 is no key of IAM user mon-app-staging-s3-user") {
		t.Errorf("rotate-keys does not say the key is not the user's:\n%s", r.stderr)
	}
}
