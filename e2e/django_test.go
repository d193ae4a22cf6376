package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joho/godotenv"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/internal/text"
)

// requireDjango fails (never skips) when the system Python lacks Django,
// django-storages' S3 backend or boto3: this test is the proof that the
// generated configuration works in a real app.
func requireDjango(t *testing.T) {
	t.Helper()
	out, err := exec.Command(systemPython, "-c", "import django, boto3, storages.backends.s3boto3").CombinedOutput()
	if err != nil {
		t.Fatalf("%s cannot import django, storages.backends.s3boto3 and boto3 (%v: %s): run .ci/run or apt-get install python3-django python3-django-storages python3-django-storages-boto3 python3-boto3",
			systemPython, err, strings.TrimSpace(string(out)))
	}
}

// djangoScript uses the app's storages exactly as views and models would.
const djangoScript = `
import json, os, sys, urllib.error, urllib.request
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.module_loading import import_string

def get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""

res = {"django": django.get_version(), "default_class": type(default_storage._wrapped if hasattr(default_storage, "_wrapped") and default_storage._wrapped is not None else default_storage).__name__}
name = default_storage.save("e2e/hello.txt", ContentFile(b"hello from django"))
res["default_class"] = type(default_storage._wrapped).__name__
res["name"] = name
with default_storage.open(name) as f:
    res["read"] = f.read().decode()
res["exists_saved"] = default_storage.exists(name)
res["exists_missing"] = default_storage.exists("e2e/no-such-file.txt")
url = default_storage.url(name)
res["signed_url_has_signature"] = "X-Amz-Signature=" in url
res["signed_status"], res["signed_body"] = get(url)
res["unsigned_status"], _ = get(url.split("?")[0])
default_storage.delete(name)
res["exists_after_delete"] = default_storage.exists(name)

from s3wizard_storages import PublicStorage
pub = PublicStorage("media/blog/")
pname = pub.save("photo.txt", ContentFile(b"public photo"))
purl = pub.url(pname)
res["public_url"] = purl
res["public_status"], res["public_body"] = get(purl)
res["public_sse"] = pub.bucket.Object(pub._normalize_name(pname)).server_side_encryption
pub.delete(pname)
print(json.dumps(res))
`

// TestDjangoAppUsesTheWizardsConfiguration is the proof: after the
// real flow against moto, a real Django process, given only the env file
// the wizard wrote, stores, reads, signs and deletes private files and
// serves public ones anonymously.
func TestDjangoAppUsesTheWizardsConfiguration(t *testing.T) {
	requireDjango(t)
	st := runStaging(t)
	dir, r := st.dir, st.run

	// The env file: the wizard's keys plus the project's own lines, 0600.
	envPath := filepath.Join(dir, ".env")
	raw, err := os.ReadFile(envPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(envPath); fi.Mode().Perm() != 0o600 {
		t.Errorf(".env mode %#o, want 0600", fi.Mode().Perm())
	}
	if !strings.HasPrefix(string(raw), "# local settings\nDEBUG=True\nDATABASE_URL=sqlite:///db.sqlite3\n") {
		t.Errorf(".env lost its own lines:\n%s", redact(string(raw)))
	}
	env, err := godotenv.Unmarshal(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_REGION_NAME", "USE_S3_STORAGE", "AWS_S3_ENDPOINT_URL", "S3_PUBLIC_PREFIXES", "S3_PUBLIC_SSE"} {
		if env[k] == "" {
			t.Errorf(".env has no %s", k)
		}
	}
	if env["AWS_STORAGE_BUCKET_NAME"] != "mon-app-media-staging" || env["AWS_S3_REGION_NAME"] != "eu-west-3" || env["USE_S3_STORAGE"] != "True" || env["AWS_S3_ENDPOINT_URL"] != st.moto.URL() {
		t.Errorf(".env values: bucket %q region %q use %q endpoint %q", env["AWS_STORAGE_BUCKET_NAME"], env["AWS_S3_REGION_NAME"], env["USE_S3_STORAGE"], env["AWS_S3_ENDPOINT_URL"])
	}
	if env["AWS_ACCESS_KEY_ID"] == "AKIAIOSFODNN7EXAMPLE" || r.State.Key(env["AWS_ACCESS_KEY_ID"]) == nil {
		t.Errorf("the env file's key %s is not the one the wizard created", text.Mask(env["AWS_ACCESS_KEY_ID"]))
	}

	// The companion module (PublicStorage): the wizard says to copy it next
	// to manage.py, so does the test.
	mod, err := os.ReadFile(filepath.Join(dir, appconfig.StoragesFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "s3wizard_storages.py"), mod, 0o644); err != nil {
		t.Fatal(err)
	}

	// Only the env file's variables (plus PATH and HOME): what a process
	// manager or python-dotenv would give the app.
	out, stderr, err := runDjango(t, dir, env, djangoScript)
	if err != nil {
		t.Fatalf("django: %v\n%s\nmoto:\n%s", err, redactSecret(stderr, env), tail(st.moto.Output(), 2000))
	}
	var res struct {
		Django                string `json:"django"`
		DefaultClass          string `json:"default_class"`
		Name                  string `json:"name"`
		Read                  string `json:"read"`
		ExistsSaved           bool   `json:"exists_saved"`
		ExistsMissing         bool   `json:"exists_missing"`
		SignedURLHasSignature bool   `json:"signed_url_has_signature"`
		SignedStatus          int    `json:"signed_status"`
		SignedBody            string `json:"signed_body"`
		UnsignedStatus        int    `json:"unsigned_status"`
		ExistsAfterDelete     bool   `json:"exists_after_delete"`
		PublicURL             string `json:"public_url"`
		PublicStatus          int    `json:"public_status"`
		PublicBody            string `json:"public_body"`
		PublicSSE             string `json:"public_sse"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("django output %q: %v", out, err)
	}
	t.Logf("Django %s, default storage %s", res.Django, res.DefaultClass)
	if !strings.HasPrefix(res.DefaultClass, "S3") {
		t.Errorf("default_storage is %s, not django-storages' S3 backend: the settings were ignored", res.DefaultClass)
	}
	if res.Read != "hello from django" || !res.ExistsSaved {
		t.Errorf("save/read back: %q exists=%v", res.Read, res.ExistsSaved)
	}
	if res.ExistsMissing {
		t.Error("exists() is True for a missing file")
	}
	if !res.SignedURLHasSignature || res.SignedStatus != 200 || res.SignedBody != "hello from django" {
		t.Errorf("signed URL: signature=%v status %d body %q", res.SignedURLHasSignature, res.SignedStatus, res.SignedBody)
	}
	if res.UnsignedStatus != 403 {
		t.Errorf("private file's unsigned URL answered %d, want 403", res.UnsignedStatus)
	}
	if res.ExistsAfterDelete {
		t.Error("file still exists after delete()")
	}
	if !strings.Contains(res.PublicURL, "/media/blog/photo") || strings.Contains(res.PublicURL, "?") {
		t.Errorf("public URL %q: want an unsigned URL under media/blog/", res.PublicURL)
	}
	if res.PublicStatus != 200 || res.PublicBody != "public photo" {
		t.Errorf("public file anonymously: status %d body %q", res.PublicStatus, res.PublicBody)
	}
	// Written SSE-S3, so that it stays anonymously readable on AWS even when
	// the bucket's default is SSE-KMS (moto would serve either).
	if res.PublicSSE != "AES256" {
		t.Errorf("public file stored with ServerSideEncryption %q, want AES256", res.PublicSSE)
	}
}

// djangoURLScript prints the URLs the app's storages give, without any
// request (signing is local).
const djangoURLScript = `
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
import django
django.setup()
from django.core.files.storage import default_storage
from s3wizard_storages import PublicStorage
print(json.dumps({"signed": default_storage.url("e2e/hello.txt"), "public": PublicStorage("media/blog/").url("photo.txt")}))
`

// TestDjangoURLsUseTheRegionalHost (issue 18 defect 5): on AWS (no custom
// endpoint) the app's signed and public URLs must name the bucket's
// regional virtual host. Debian's botocore signed them on the legacy global
// host BUCKET.s3.amazonaws.com, which answers 307 for a new bucket and 400
// in the regions opened after March 2019 the wizard offers. The real
// project and Django, given the wizard's env file with the bucket in an
// opt-in region and no endpoint.
func TestDjangoURLsUseTheRegionalHost(t *testing.T) {
	requireDjango(t)
	st := runStaging(t)
	dir := st.dir
	env, err := godotenv.Read(filepath.Join(dir, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(dir, appconfig.StoragesFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "s3wizard_storages.py"), mod, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, region := range []string{"af-south-1", "il-central-1"} {
		onAWS := maps.Clone(env)
		delete(onAWS, "AWS_S3_ENDPOINT_URL") // on AWS: none
		onAWS["AWS_S3_REGION_NAME"] = region
		out, stderr, err := runDjango(t, dir, onAWS, djangoURLScript)
		if err != nil {
			t.Fatalf("django in %s: %v\n%s", region, err, redactSecret(stderr, env))
		}
		var urls struct{ Signed, Public string }
		if err := json.Unmarshal(out, &urls); err != nil {
			t.Fatalf("django output %q: %v", out, err)
		}
		host := "https://" + env["AWS_STORAGE_BUCKET_NAME"] + ".s3." + region + ".amazonaws.com/"
		if !strings.HasPrefix(urls.Signed, host+"media/e2e/hello.txt?") || !strings.Contains(urls.Signed, "X-Amz-Signature=") {
			t.Errorf("%s: signed URL %q, want a SigV4 URL on %s", region, redactSecret(urls.Signed, env), host)
		}
		if urls.Public != host+"media/blog/photo.txt" {
			t.Errorf("%s: public URL %q, want %smedia/blog/photo.txt", region, urls.Public, host)
		}
	}
}

// runDjango runs script with the project's Python in dir, given only the
// variables env (plus PATH and HOME): what a process manager or
// python-dotenv would give the app.
func runDjango(t *testing.T, dir string, env map[string]string, script string) (stdout []byte, stderr string, err error) {
	t.Helper()
	procEnv := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "PYTHONDONTWRITEBYTECODE=1"}
	for k, v := range env {
		procEnv = append(procEnv, k+"="+v)
	}
	cmd := exec.CommandContext(context.Background(), filepath.Join(dir, "venv", "bin", "python"), "-c", script)
	cmd.Dir = dir
	cmd.Env = procEnv
	var errb strings.Builder
	cmd.Stderr = &errb
	stdout, err = cmd.Output()
	return stdout, errb.String(), err
}

// redact keeps test failure output free of the env file's secret.
func redact(s string) string {
	env, err := godotenv.Unmarshal(s)
	if err != nil {
		return "(unparsable)"
	}
	return redactSecret(s, env)
}

func redactSecret(s string, env map[string]string) string {
	if sec := env["AWS_SECRET_ACCESS_KEY"]; sec != "" {
		s = strings.ReplaceAll(s, sec, "********")
	}
	return s
}
