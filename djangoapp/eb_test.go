package djangoapp

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// wildcardHostsAssign matches ALLOWED_HOSTS = ['*'] (any quotes and spacing).
var wildcardHostsAssign = regexp.MustCompile(`ALLOWED_HOSTS\s*\+?=\s*\[\s*['"]\*['"]`)

func TestHealthModuleSource(t *testing.T) {
	src, err := GenerateHealthModule()
	if err != nil {
		t.Fatal(err)
	}
	assertCompiles(t, "s3wizard_health.py", src)
	s := string(src)
	if wildcardHostsAssign.MatchString(s) || strings.Contains(s, "['*']") {
		t.Error("the health module contains ALLOWED_HOSTS = ['*']")
	}
	for _, want := range []string{
		"class HealthCheckMiddleware", "def ec2_private_ip(timeout=1.0, base_url=IMDS_BASE_URL)",
		`IMDS_BASE_URL = "http://169.254.169.254"`, `"/latest/api/token"`, `method="PUT"`,
		`"X-aws-ec2-metadata-token-ttl-seconds"`, `"X-aws-ec2-metadata-token"`, `"/latest/meta-data/local-ipv4"`,
		`"/health/"`, "ALLOWED_HOSTS += [ip] if (ip := ec2_private_ip()) else []",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("health module lacks %q", want)
		}
	}
	// In the code (docstrings aside): no get_host() (which validates the
	// host) and no assignment to ALLOWED_HOSTS.
	f := filepath.Join(t.TempDir(), "s3wizard_health.py")
	if err := os.WriteFile(f, src, 0o644); err != nil {
		t.Fatal(err)
	}
	const check = `import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
for n in ast.walk(tree):
    if isinstance(n, ast.Attribute) and n.attr == "get_host":
        print("calls get_host() on line", n.lineno)
    if isinstance(n, ast.Name) and n.id == "ALLOWED_HOSTS":
        print("uses ALLOWED_HOSTS on line", n.lineno)
`
	if out, err := exec.Command(python3(t), "-c", check, f).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("health module code: %v %s", err, out)
	}
}

func TestEBHealthConfigYAML(t *testing.T) {
	cfg, err := EBHealthConfig()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OptionSettings map[string]map[string]any `yaml:"option_settings"`
	}
	if err := yaml.Unmarshal(cfg, &doc); err != nil {
		t.Fatalf("%s does not parse as YAML: %v\n%s", EBHealthConfigName, err, cfg)
	}
	ns := doc.OptionSettings["aws:elasticbeanstalk:environment:process:default"]
	if got := ns["HealthCheckPath"]; got != HealthPath {
		t.Errorf("HealthCheckPath = %v, want %s\n%s", got, HealthPath, cfg)
	}
	if len(doc.OptionSettings) != 1 || len(ns) != 1 {
		t.Errorf("the file sets more than the health check path: %v", doc.OptionSettings)
	}
	if wildcardHostsAssign.Match(cfg) || strings.Contains(string(cfg), "['*']") {
		t.Error("the .ebextensions file contains ALLOWED_HOSTS = ['*']")
	}
}

// systemPython is Debian's interpreter with python3-django (Django 3.2 in
// bookworm); the test fails, never skips, when Django is missing.
func systemDjango(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3"
	out, err := exec.Command(py, "-c", "import django; print(django.get_version())").CombinedOutput()
	if err != nil {
		t.Fatalf("%s cannot import django (%v: %s): install it with `apt-get install python3-django`", py, err, strings.TrimSpace(string(out)))
	}
	t.Logf("Django %s", strings.TrimSpace(string(out)))
	return py
}

func writeHealthFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for f, c := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHealthMiddlewareWithRealDjango runs the generated middleware in a real
// Django: /health/ answers 200 whatever the Host (the load balancer sends the
// instance's private IP), while every other request still goes through
// ALLOWED_HOSTS.
func TestHealthMiddlewareWithRealDjango(t *testing.T) {
	py := systemDjango(t)
	mod, err := GenerateHealthModule()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeHealthFiles(t, dir, map[string]string{
		"s3wizard_health.py": string(mod),
		"proj/__init__.py":   "",
		"proj/settings.py": `SECRET_KEY = "test-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["example.com"]
INSTALLED_APPS = []
MIDDLEWARE = [
    "s3wizard_health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "proj.urls"
USE_TZ = True
`,
		"proj/urls.py": `from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("", lambda request: HttpResponse("home"))]
`,
	})
	const script = `import json, sys
import django
django.setup()
from django.http import HttpRequest
from django.test import Client

calls = []
orig = HttpRequest.get_host
def spy(self):
    calls.append(self.path_info)
    return orig(self)
HttpRequest.get_host = spy

c = Client()
out = {}
def hit(name, method, url, host):
    del calls[:]
    r = getattr(c, method)(url, HTTP_HOST=host)
    body = r.content.decode()
    out[name] = {"status": r.status_code, "body": body, "type": r.get("Content-Type", ""), "get_host": list(calls)}

hit("health", "get", "/health/", "10.0.0.5")
hit("health_head", "head", "/health/", "10.0.0.5")
hit("health_noslash", "get", "/health", "10.0.0.5")
hit("health_post", "post", "/health/", "10.0.0.5")
hit("home_ip", "get", "/", "10.0.0.5")
hit("home_ok", "get", "/", "example.com")
json.dump(out, sys.stdout)
`
	cmd := exec.Command(py, "-c", script)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PYTHONPATH=" + dir, "DJANGO_SETTINGS_MODULE=proj.settings", "HOME=" + dir}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("django with the health middleware: %v\n%s\n%s", err, out, stderr.String())
	}
	type resp struct {
		Status  int      `json:"status"`
		Body    string   `json:"body"`
		Type    string   `json:"type"`
		GetHost []string `json:"get_host"`
	}
	var res map[string]resp
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Logf("%+v", res)

	h := res["health"]
	var body map[string]string
	if err := json.Unmarshal([]byte(h.Body), &body); err != nil || h.Status != 200 || body["status"] != "ok" || !strings.HasPrefix(h.Type, "application/json") {
		t.Errorf("GET /health/ with Host 10.0.0.5: %d %q %q (%v), want 200 {\"status\": \"ok\"}", h.Status, h.Type, h.Body, err)
	}
	if len(h.GetHost) != 0 {
		t.Errorf("GET /health/ called request.get_host() (%v): the host must not be validated", h.GetHost)
	}
	if r := res["health_head"]; r.Status != 200 || len(r.GetHost) != 0 {
		t.Errorf("HEAD /health/: %+v, want 200 without get_host()", r)
	}
	if r := res["health_noslash"]; r.Status != 200 {
		t.Errorf("GET /health: %+v, want 200 (no APPEND_SLASH redirect, which validates the host)", r)
	}
	if r := res["health_post"]; r.Status != 400 {
		t.Errorf("POST /health/ with Host 10.0.0.5: %d, want 400 (only GET/HEAD skip host validation)", r.Status)
	}
	if r := res["home_ip"]; r.Status != 400 {
		t.Errorf("GET / with Host 10.0.0.5: %d, want 400 (DisallowedHost: ALLOWED_HOSTS still applies)", r.Status)
	}
	if r := res["home_ok"]; r.Status != 200 || r.Body != "home" {
		t.Errorf("GET / with Host example.com: %d %q, want 200 home", r.Status, r.Body)
	}
}

// TestEC2PrivateIP runs ec2_private_ip() against fake metadata services on
// 127.0.0.1 (never the real 169.254.169.254: the script refuses any
// connection that is not to the loopback address).
func TestEC2PrivateIP(t *testing.T) {
	mod, err := GenerateHealthModule()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeHealthFiles(t, dir, map[string]string{"s3wizard_health.py": string(mod)})
	const script = `import inspect, json, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Guard: this test must never leave the loopback interface.
_create = socket.create_connection
def guarded(address, *args, **kwargs):
    if address[0] not in ("127.0.0.1", "localhost"):
        raise AssertionError("connection to %r attempted" % (address,))
    return _create(address, *args, **kwargs)
socket.create_connection = guarded

import s3wizard_health as h

TOKEN = "tok-AQAEAExample=="
log = []

class IMDS(BaseHTTPRequestHandler):
    mode = "ok"
    def log_message(self, *a):
        pass
    def reply(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_PUT(self):
        log.append(("PUT", self.path, self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")))
        if self.path != "/latest/api/token" or self.mode == "no-token" or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(403)
        self.reply(200, TOKEN.encode())
    def do_GET(self):
        tok = self.headers.get("X-aws-ec2-metadata-token")
        log.append(("GET", self.path, tok))
        if tok != TOKEN or self.mode == "reject":
            return self.reply(401)
        if self.path == "/latest/meta-data/local-ipv4":
            return self.reply(200, b"172.31.5.17")
        self.reply(404)

def serve(mode):
    handler = type("IMDS_" + mode.replace("-", "_"), (IMDS,), {"mode": mode})
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, "http://127.0.0.1:%d" % srv.server_address[1]

res = {"default_base": inspect.signature(h.ec2_private_ip).parameters["base_url"].default,
       "default_timeout": inspect.signature(h.ec2_private_ip).parameters["timeout"].default}

srv, url = serve("ok")
del log[:]
res["ok"] = h.ec2_private_ip(timeout=2, base_url=url)
res["ok_log"] = list(log)
srv.shutdown()

# A token is issued but refused: the GET answers 401.
srv, url = serve("reject")
del log[:]
res["reject"] = h.ec2_private_ip(timeout=2, base_url=url)
srv.shutdown()

# IMDSv2 required, but no token is issued: the GET without token gets 401.
srv, url = serve("no-token")
del log[:]
res["no_token"] = h.ec2_private_ip(timeout=2, base_url=url)
res["no_token_log"] = list(log)
srv.shutdown()

# Nothing listening (off EC2): None, quickly.
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
t0 = time.monotonic()
res["closed"] = h.ec2_private_ip(base_url="http://127.0.0.1:%d" % port)
res["closed_s"] = time.monotonic() - t0

# A service that accepts the connection but never answers: the timeout holds.
hang = socket.socket(); hang.bind(("127.0.0.1", 0)); hang.listen(1)
t0 = time.monotonic()
res["hang"] = h.ec2_private_ip(timeout=0.3, base_url="http://127.0.0.1:%d" % hang.getsockname()[1])
res["hang_s"] = time.monotonic() - t0
hang.close()
json.dump(res, sys.stdout)
`
	cmd := exec.Command(python3(t), "-c", script)
	cmd.Dir = dir
	// No proxy may be used even if one is configured (IMDS is reached directly).
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PYTHONPATH=" + dir, "HOME=" + dir,
		"http_proxy=http://192.0.2.1:3128", "HTTP_PROXY=http://192.0.2.1:3128", "no_proxy=", "NO_PROXY="}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ec2_private_ip test script: %v\n%s\n%s", err, out, stderr.String())
	}
	var res struct {
		DefaultBase    string     `json:"default_base"`
		DefaultTimeout float64    `json:"default_timeout"`
		OK             *string    `json:"ok"`
		OKLog          [][]string `json:"ok_log"`
		Reject         *string    `json:"reject"`
		NoToken        *string    `json:"no_token"`
		NoTokenLog     [][]string `json:"no_token_log"`
		Closed         *string    `json:"closed"`
		ClosedS        float64    `json:"closed_s"`
		Hang           *string    `json:"hang"`
		HangS          float64    `json:"hang_s"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Logf("%s", out)
	if res.DefaultBase != "http://169.254.169.254" || res.DefaultTimeout != 1.0 {
		t.Errorf("defaults: base_url %q timeout %v, want the IMDS address and 1.0", res.DefaultBase, res.DefaultTimeout)
	}
	if res.OK == nil || *res.OK != "172.31.5.17" {
		t.Errorf("with a token: got %v, want 172.31.5.17", res.OK)
	}
	wantLog := [][]string{{"PUT", "/latest/api/token", ""}, {"GET", "/latest/meta-data/local-ipv4", "tok-AQAEAExample=="}}
	if len(res.OKLog) != 2 || res.OKLog[0][0] != "PUT" || res.OKLog[0][1] != wantLog[0][1] || res.OKLog[0][2] == "" ||
		res.OKLog[1][0] != "GET" || res.OKLog[1][1] != wantLog[1][1] || res.OKLog[1][2] != wantLog[1][2] {
		t.Errorf("requests %v: want PUT %s with a TTL header, then GET %s with the token header", res.OKLog, wantLog[0][1], wantLog[1][1])
	}
	if res.Reject != nil {
		t.Errorf("token refused (GET → 401): got %q, want None", *res.Reject)
	}
	if res.NoToken != nil {
		t.Errorf("no token issued (GET without token → 401): got %q, want None", *res.NoToken)
	}
	for _, l := range res.NoTokenLog {
		if l[0] == "GET" && l[2] == "" {
			t.Errorf("fell back to IMDSv1 (GET %s without a token)", l[1])
		}
	}
	if res.Closed != nil || res.ClosedS > 2 {
		t.Errorf("nothing listening: got %v after %.2fs, want None quickly", res.Closed, res.ClosedS)
	}
	if res.Hang != nil || res.HangS > 2 {
		t.Errorf("unanswered request: got %v after %.2fs, want None within the timeout", res.Hang, res.HangS)
	}
}
