package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/cli"
	"github.com/s3wizard/s3wizard/internal/minioserver"
)

// TestDjangoCheckOnMinIO is the checklist's "upload / delete test from
// Django" on an S3-compatible provider: `apply` with `credentials: provided`
// against a real MinIO, then the project's own manage.py (Debian's Django
// 3.2, django-storages, boto3) with only the env file's variables saves,
// reads, serves (signed URL for private, plain for the public prefix) and
// deletes through default_storage and the public storage — each result a
// line of apply's and check's report. With public_domain the public URLs
// go through that domain. Broken settings make check fail.
func TestDjangoCheckOnMinIO(t *testing.T) {
	requireDjango(t)
	srv := minioserver.Start(t)
	srv.Use(t)
	dir := t.TempDir()
	djangoProject(t, dir)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, ".env"), []byte("DEBUG=True\nAWS_ACCESS_KEY_ID="+minioserver.User+"\nAWS_SECRET_ACCESS_KEY="+minioserver.Password+"\n"), 0o600))
	file := filepath.Join(dir, "answers.yaml")
	must(os.WriteFile(file, []byte("env: staging\napp: mon-app\nregion: us-east-1\nfolders: [blog]\npublic_prefixes: [media/blog/]\ncredentials: provided\nendpoint: "+srv.URL+"\n"), 0o600))
	run := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := cli.Main(append(args, "--dir", dir), strings.NewReader(""), &stdout, &stderr, cli.Deps{})
		return code, stdout.String() + stderr.String()
	}
	want := append([]string{"✓ [django] Django default_storage: django-storages S3 backend", "✓ [django] Django media/blog/: read back"}, djangoWant...)
	code, out := run("apply", "--env", "staging", "--answers", file, "--yes")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s\nminio:\n%s", code, out, tail(srv.Output(), 2000))
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("apply's Django check lacks %q:\n%s", w, out)
		}
	}
	code, out = run("check", "--env", "staging")
	if code != 0 {
		t.Errorf("check: exit %d\n%s", code, out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("check's Django check lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, minioserver.Password) {
		t.Error("check printed the secret")
	}

	// A public domain in front of the bucket (here the same MinIO under
	// another host name, path-style): the public storage's plain URLs use
	// it, the private storage keeps signed URLs at the endpoint.
	domain := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	f0, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	must(err)
	_, err = f0.WriteString("public_domain: " + domain + "/mon-app-media-staging\n")
	must(err)
	must(f0.Close())
	if code, out := run("apply", "--env", "staging", "--answers", file, "--yes"); code != 0 {
		t.Fatalf("apply with public_domain: exit %d\n%s", code, out)
	}
	code, out = run("check", "--env", "staging")
	for _, w := range append(want, "✓ [django] Django media/blog/: plain URL: anonymous GET of "+domain+"/… answered 200") {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("check with public_domain: exit %d, lacks %q:\n%s", code, w, out)
		}
	}

	// Broken settings: the app pointed at another endpoint after the
	// generated block. Django's save fails, and so does check.
	settings := filepath.Join(dir, "proj", "settings.py")
	f, err := os.OpenFile(settings, os.O_APPEND|os.O_WRONLY, 0)
	must(err)
	_, err = f.WriteString("\nAWS_S3_ENDPOINT_URL = \"http://127.0.0.1:9\"\n")
	must(err)
	must(f.Close())
	code, out = run("check", "--env", "staging")
	if code != 1 || !strings.Contains(out, "✗ [django] Django default_storage: save") {
		t.Errorf("check with a wrong endpoint in the settings: exit %d, want 1 and a failed save:\n%s", code, out)
	}
}
