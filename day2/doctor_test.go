package day2_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
)

// A bucket in eu-west-3 with AWS_S3_REGION_NAME=us-east-1 in the env file:
// doctor names the region mismatch, not a missing s3:ListBucket.
func TestDoctorNamesTheBucketsRegion(t *testing.T) {
	s := motoserver.Shared(t)
	a := testrun.Answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\naccess_logs: false\n")
	r := testrun.OnMoto(t, s, a)
	testrun.Apply(t, r, "preflight", "bucket")
	env := "AWS_ACCESS_KEY_ID=" + motoserver.AccessKeyID + "\nAWS_SECRET_ACCESS_KEY=" + motoserver.SecretAccessKey +
		"\nAWS_STORAGE_BUCKET_NAME=" + a.Bucket + "\nAWS_S3_REGION_NAME=us-east-1\n"
	if err := os.WriteFile(filepath.Join(r.Dir, a.EnvFile), []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	var all []string
	found := false
	for _, c := range day2.Doctor(context.Background(), r) {
		all = append(all, c.Name+": "+c.Detail)
		if strings.Contains(c.Detail, "ListBucket") && strings.Contains(c.Name, "bucket reachable") {
			t.Errorf("region mismatch reported as a missing permission: %s", c.Detail)
		}
		if !c.OK && strings.Contains(c.Detail, "bucket is in eu-west-3, AWS_S3_REGION_NAME is us-east-1") && strings.Contains(c.Detail, "set it to eu-west-3") {
			found = true
		}
	}
	if !found {
		t.Errorf("doctor does not name the bucket's region:\n%s", strings.Join(all, "\n"))
	}
}

// With an instance role the app's credentials exist only on the instance:
// the checks that depend on them are skipped with the command to run there,
// not run with the operator's credentials.
func TestDoctorInstanceRoleSkipsCredentialChecks(t *testing.T) {
	s := motoserver.Shared(t)
	a := testrun.Answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\ncredentials: instance-role\naccess_logs: false\n")
	r := testrun.OnMoto(t, s, a)
	testrun.Apply(t, r, "preflight", "bucket")
	env := "AWS_STORAGE_BUCKET_NAME=" + a.Bucket + "\nAWS_S3_REGION_NAME=eu-west-3\n"
	if err := os.WriteFile(filepath.Join(r.Dir, a.EnvFile), []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	skipped := map[string]bool{}
	for _, c := range day2.Doctor(context.Background(), r) {
		if strings.Contains(c.Name, "sts:GetCallerIdentity") {
			t.Errorf("instance role: %q ran with the operator's credentials", c.Name)
		}
		if c.Skipped {
			if c.Detail != day2.InstanceRoleCheck || !strings.Contains(c.Detail, "must print iam-role") {
				t.Errorf("%s: detail %q", c.Name, c.Detail)
			}
			skipped[c.Name] = true
		}
	}
	for _, name := range []string{"app credentials (instance role)", "missing file answers 404 (exists() works)", "list media/", "put/get/delete under media/ with the app's credentials"} {
		if !skipped[name] {
			t.Errorf("%q not skipped (skipped: %v)", name, skipped)
		}
	}
}
