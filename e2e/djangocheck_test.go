package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/djangocheck"
	"github.com/s3wizard/s3wizard/steps"
)

// TestDjangoCheckByTheProjectsDjango is the checklist's "upload / delete
// test from Django" run by the wizard: the project's own manage.py (Debian's
// Django 3.2 here) with the env file's variables stores, reads, serves and
// deletes a file through default_storage and the public storage. Then the
// settings are broken (a bucket that does not exist) and the check fails.
func TestDjangoCheckByTheProjectsDjango(t *testing.T) {
	requireDjango(t)
	st := runStaging(t, "protection") // versioned: deletes leave versions to purge
	ctx := context.Background()

	checks := djangocheck.Run(ctx, st.run)
	want := map[string]steps.CheckID{
		"Django default_storage: django-storages S3 backend": steps.DjangoS3Backend,
		"Django default_storage: save":                       steps.DjangoSave,
		"Django default_storage: read back":                  steps.DjangoReadBack,
		"Django default_storage: signed URL":                 steps.DjangoSignedURL,
		"Django default_storage: unsigned URL refused":       steps.DjangoUnsignedRefused,
		"Django default_storage: delete":                     steps.DjangoDelete,
		"Django media/blog/: save":                           steps.DjangoSave,
		"Django media/blog/: plain URL":                      steps.DjangoPlainURL,
		"Django media/blog/: delete":                         steps.DjangoDelete,
	}
	names := map[string]steps.Check{}
	for _, c := range checks {
		names[c.Name] = c
		if !c.OK || c.Skipped {
			t.Errorf("%s: ok=%v skipped=%v %s", c.Name, c.OK, c.Skipped, c.Detail)
		}
	}
	for n, id := range want {
		if c, ok := names[n]; !ok || c.ID != id {
			t.Errorf("no check %q with id %s in %+v", n, id, checks)
		}
	}
	// Nothing left behind: no probe object, version or delete marker.
	cl := s3.NewFromConfig(st.moto.AWSConfig(t, "eu-west-3"), func(o *s3.Options) { o.UsePathStyle = true })
	vs, err := cl.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: sdk.String("mon-app-media-staging"), Prefix: sdk.String("media/")})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs.Versions {
		if strings.Contains(*v.Key, "s3wizard-django-probe") {
			t.Errorf("left behind: version of %s", *v.Key)
		}
	}
	for _, m := range vs.DeleteMarkers {
		if strings.Contains(*m.Key, "s3wizard-django-probe") {
			t.Errorf("left behind: delete marker of %s", *m.Key)
		}
	}

	// settings.py that does not load the generated block yet (right after
	// the wizard): the block is applied on top for the check, which says so.
	settings := filepath.Join(st.dir, "proj", "settings.py")
	orig, err := os.ReadFile(settings)
	if err != nil {
		t.Fatal(err)
	}
	unwired := strings.Replace(string(orig), "exec(compile(", "# exec(compile(", 1)
	if err := os.WriteFile(settings, []byte(unwired), 0o644); err != nil {
		t.Fatal(err)
	}
	checks = djangocheck.Run(ctx, st.run)
	if len(checks) == 0 || checks[0].Name != "settings.py loads the S3 settings" || !checks[0].Skipped || !strings.Contains(checks[0].Detail, appconfig.SettingsFile) {
		t.Errorf("unwired settings.py not reported: %+v", checks)
	}
	for _, c := range checks[1:] {
		if !c.OK {
			t.Errorf("with the generated block on top: %s failed: %s", c.Name, c.Detail)
		}
	}
	if err := os.WriteFile(settings, orig, 0o644); err != nil {
		t.Fatal(err)
	}

	// Wrong settings: the bucket name overridden after the generated block.
	f, err := os.OpenFile(settings, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nAWS_STORAGE_BUCKET_NAME = \"mon-app-media-typo\"\n")
	f.Close()
	failed := map[string]string{}
	for _, c := range djangocheck.Run(ctx, st.run) {
		if !c.OK {
			failed[c.Name] = c.Detail
		}
	}
	if d, ok := failed["Django default_storage: save"]; !ok || !strings.Contains(d, "NoSuchBucket") {
		t.Errorf("with a wrong bucket in the settings, default_storage save did not fail with NoSuchBucket: %v", failed)
	}
}
