package djangoapp

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestGeneratedSettingsWithRealDjango loads the generated settings in a
// real Django + django-storages (the system /usr/bin/python3, e.g. Debian's
// python3-django and python3-django-storages-boto3) and checks what
// default_storage resolves to. It fails (never skips) when they are
// missing: .ci/run installs them.
func TestGeneratedSettingsWithRealDjango(t *testing.T) {
	const py = "/usr/bin/python3"
	probe := exec.Command(py, "-c", "import django, storages, boto3\ntry:\n    import storages.backends.s3\nexcept ImportError:\n    import storages.backends.s3boto3")
	if out, err := probe.CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import django, django-storages' S3 backend and boto3 (%v: %s): run .ci/run or apt-get install python3-django python3-django-storages-boto3 python3-boto3", py, err, strings.TrimSpace(string(out)))
	}
	dj, st, err := ProbeVersions(py, t.TempDir())
	if err != nil || dj == "" {
		t.Fatalf("probe versions with %s: %q %q %v", py, dj, st, err)
	}
	t.Logf("Django %s, django-storages %s", dj, st)

	var p SettingsParams
	gen, err := GenerateSettings(p)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := GeneratePublicStorages(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pkg := filepath.Join(dir, "proj")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"proj/__init__.py":          "",
		"proj/s3wizard_settings.py": string(gen),
		"s3wizard_storages.py":      string(mod),
		"proj/settings.py": `SECRET_KEY = "test-not-secret"
INSTALLED_APPS = ["django.contrib.staticfiles", "storages"]
USE_TZ = True
MEDIA_ROOT = "/tmp/media"
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATICFILES_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"  # the project's own

from .s3wizard_settings import *  # noqa: E402,F401,F403
`,
	}
	for f, c := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const script = `import django
django.setup()
from django.core.files.storage import default_storage
from django.contrib.staticfiles.storage import staticfiles_storage
from django.conf import settings
def unwrap(s):
    s.url  # force the lazy object
    return getattr(s, "_wrapped", s)
from django.utils.module_loading import import_string
d = unwrap(default_storage)
# The static storage is not instantiated: ManifestFilesMixin reads the manifest from the
# bucket on creation, and the test has no S3. Its class and options are checked instead.
from s3wizard_storages import PublicStorage
pub = PublicStorage("media/blog/")
print("public-deconstruct", *pub.deconstruct())
print("public-sse", pub.object_parameters.get("ServerSideEncryption"))
if django.VERSION >= (4, 2):
    print("static-sse", settings.STORAGES["staticfiles"].get("OPTIONS", {}).get("object_parameters", {}).get("ServerSideEncryption"))
else:
    print("static-sse", getattr(import_string(settings.STATICFILES_STORAGE), "object_parameters", {}).get("ServerSideEncryption"))
if django.VERSION >= (4, 2):
    conf = settings.STORAGES["staticfiles"]
    cls, opts = import_string(conf["BACKEND"]), conf.get("OPTIONS", {})
else:
    cls = import_string(settings.STATICFILES_STORAGE)
    opts = {k: getattr(cls, k, None) for k in ("location", "querystring_auth", "default_acl")}
from storages.backends import s3boto3
print("static", cls.__module__ + "." + cls.__name__, opts.get("location"), opts.get("querystring_auth"), opts.get("default_acl"),
      "manifest" if issubclass(cls, s3boto3.S3ManifestStaticStorage) else "not-manifest")
for name, o in (("default", d), ("public", pub)):
    print(name, type(o).__module__ + "." + type(o).__name__, o.location, o.querystring_auth, o.default_acl,
          o.bucket_name, o.region_name, o.addressing_style, o.signature_version)
print("private-url", d.url("doc.pdf"))
print("public-url", pub.url("a.jpg"))
print("has-legacy", hasattr(settings, "DEFAULT_FILE_STORAGE") and "s3" in str(getattr(settings, "DEFAULT_FILE_STORAGE", "")))
`
	// A real bucket name (a 1-character name is not DNS-compatible and botocore
	// would fall back to path-style URLs).
	const bucket = "mon-app-media-staging"
	exe := func(extra ...string) ([]byte, error) {
		cmd := exec.Command(py, "-c", script)
		cmd.Dir = dir
		cmd.Env = append([]string{
			"PATH=" + os.Getenv("PATH"), "PYTHONPATH=" + dir + string(os.PathListSeparator) + os.Getenv("PYTHONPATH"),
			"DJANGO_SETTINGS_MODULE=proj.settings", "HOME=" + dir,
			"USE_S3_STORAGE=True", "USE_S3_STATIC=True", "S3_PUBLIC_PREFIXES=media/blog/", "AWS_STORAGE_BUCKET_NAME=" + bucket, "AWS_S3_REGION_NAME=eu-west-3",
			"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		}, extra...)
		return cmd.CombinedOutput()
	}
	run := func(extra ...string) map[string]string {
		out, err := exe(extra...)
		if err != nil {
			t.Fatalf("django with the generated settings: %v\n%s\n--- settings ---\n%s", err, out, gen)
		}
		res := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			k, v, _ := strings.Cut(l, " ")
			res[k] = v
		}
		t.Logf("%s", out)
		return res
	}

	backend := "S3Storage"
	if !AtLeast(st, 1, 14) {
		backend = "S3Boto3Storage"
	}
	// On AWS the wizard writes S3_PUBLIC_SSE=AES256: public and static
	// uploads ask for SSE-S3 (a bucket defaulting to SSE-KMS would otherwise
	// store them KMS-encrypted, which anonymous readers cannot read).
	r := run("S3_PUBLIC_SSE=AES256")
	for k, want := range map[string]string{
		"default":            "." + backend + " media True None " + bucket + " eu-west-3 virtual s3v4",
		"static":             "Storage static False None manifest",
		"public":             " media/blog False None " + bucket + " eu-west-3 virtual s3v4",
		"public-deconstruct": "s3wizard_storages.PublicStorage ('media/blog/',) {}",
		"public-sse":         "AES256",
		"static-sse":         "AES256",
	} {
		if !strings.Contains(r[k], want) {
			t.Errorf("%s storage: got %q, want it to contain %q", k, r[k], want)
		}
	}
	// Issue 18 defect 5: the regional virtual host on every botocore. Older
	// botocore (Debian 12's 1.29) presigned on the legacy global host
	// BUCKET.s3.amazonaws.com unless the endpoint is named: a 307 for a new
	// bucket, a 400 in a region opened after March 2019.
	host := regexp.MustCompile(`^https://` + bucket + `\.s3\.eu-west-3\.amazonaws\.com/`)
	if u := r["private-url"]; !host.MatchString(u) || !strings.Contains(u, ".com/media/doc.pdf?") || !strings.Contains(u, "X-Amz-Signature=") {
		t.Errorf("private URL %q: want a SigV4-signed virtual-hosted URL under media/", u)
	}
	if u := r["public-url"]; !host.MatchString(u) || !strings.HasSuffix(u, ".com/media/blog/a.jpg") {
		t.Errorf("public URL %q: want an unsigned virtual-hosted URL under media/blog/", u)
	}

	for _, region := range []string{"af-south-1", "il-central-1"} {
		// Opt-in regions answer 400 on the global host.
		r := run("S3_PUBLIC_SSE=AES256", "AWS_S3_REGION_NAME="+region)
		want := "https://" + bucket + ".s3." + region + ".amazonaws.com/media/"
		if !strings.HasPrefix(r["private-url"], want+"doc.pdf?") || !strings.HasPrefix(r["public-url"], want+"blog/a.jpg") {
			t.Errorf("%s: private URL %q, public URL %q: want both on %s", region, r["private-url"], r["public-url"], want)
		}
	}

	// A custom endpoint (MinIO, moto) switches to path-style addressing. An
	// S3-compatible env has no S3_PUBLIC_SSE: no encryption header on public
	// and static uploads (MinIO without a KMS refuses it).
	r = run("AWS_S3_ENDPOINT_URL=http://127.0.0.1:9000")
	if !strings.Contains(r["default"], " path s3v4") || !strings.HasPrefix(r["private-url"], "http://127.0.0.1:9000/"+bucket+"/media/doc.pdf?") {
		t.Errorf("custom endpoint: default %q, url %q: want path-style", r["default"], r["private-url"])
	}
	if r["public-sse"] != "None" || r["static-sse"] != "None" {
		t.Errorf("no S3_PUBLIC_SSE: public storage asks for %q, static for %q; want no ServerSideEncryption", r["public-sse"], r["static-sse"])
	}

	// Static files kept local: the project's own static storage stays (on
	// Django 4.2+ its STORAGES["staticfiles"], here STATICFILES_STORAGE).
	if r = run("USE_S3_STATIC=False"); !strings.HasPrefix(r["static"], "django.contrib.staticfiles.storage.ManifestStaticFilesStorage ") {
		t.Errorf("static files local: static storage %q, want the project's ManifestStaticFilesStorage", r["static"])
	}
	// A public storage on a prefix this env does not make public is refused
	// at import, not served as 403s.
	if out, err := exe("S3_PUBLIC_PREFIXES=media/other/"); err == nil || !strings.Contains(string(out), "not in S3_PUBLIC_PREFIXES") {
		t.Errorf("PublicStorage(\"media/blog/\") with S3_PUBLIC_PREFIXES=media/other/: err %v\n%s", err, out)
	}
}
