package appconfig

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHookRoundTrip: the set_env.sh hook is appended once to bin/activate,
// found again, and removed leaving the script as it was, mode included.
func TestHookRoundTrip(t *testing.T) {
	dir := t.TempDir()
	activate := filepath.Join(dir, "venv", "bin", "activate")
	if err := os.MkdirAll(filepath.Dir(activate), 0o755); err != nil {
		t.Fatal(err)
	}
	orig := "# activate\nexport VIRTUAL_ENV=x" // no final newline
	if err := os.WriteFile(activate, []byte(orig), 0o750); err != nil {
		t.Fatal(err)
	}
	if got := FindVenv(dir); got != filepath.Join(AbsDir(dir), "venv") {
		t.Fatalf("FindVenv = %q", got)
	}
	script := filepath.Join(dir, "it's here", SetEnvFile)
	for range 2 { // the second append changes nothing
		if err := AppendHook(activate, script); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(activate)
	if want := orig + "\n" + SourceLine(script) + "\n"; string(data) != want {
		t.Fatalf("activate after AppendHook:\n%s\nwant:\n%s", data, want)
	}
	if ok, err := HasHook(activate, script); !ok || err != nil {
		t.Fatalf("HasHook = %v, %v; want true", ok, err)
	}
	if err := RemoveHook(activate, script); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(activate)
	if string(data) != orig+"\n" {
		t.Errorf("activate after RemoveHook: %q, want %q", data, orig+"\n")
	}
	if fi, _ := os.Stat(activate); fi.Mode().Perm() != 0o750 {
		t.Errorf("activate mode %#o, want 0750 kept", fi.Mode().Perm())
	}
}

// TestSecretsNeverShown: what is shown of a Heroku command or an error hides
// the secret and masks the key ID.
func TestSecretsNeverShown(t *testing.T) {
	const id, secret = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	args := HerokuArgs("my-app", []DeployVar{{EnvKeyID, id}, {EnvSecret, secret}, {EnvBucket, "a b"}})
	shown := strings.Join(MaskedArgs(args), " ")
	if want := "config:set AWS_ACCESS_KEY_ID=AKIA…PLE AWS_SECRET_ACCESS_KEY=******** 'AWS_STORAGE_BUCKET_NAME=a b' --app my-app"; shown != want {
		t.Errorf("MaskedArgs: %s\nwant:        %s", shown, want)
	}
	msg := MaskSecrets("refused "+id+" with "+secret, map[string]string{EnvKeyID: id, EnvSecret: secret})
	if strings.Contains(msg, secret) || strings.Contains(msg, id) {
		t.Errorf("MaskSecrets left a secret: %s", msg)
	}
	if !strings.Contains(string(HerokuScript("prod", args)), secret) {
		t.Error("the Heroku command file must carry the secret (it is mode 0600 and gitignored)")
	}
}

func TestEBProject(t *testing.T) {
	dir := t.TempDir()
	if why := EBProject(dir, ""); why != "" {
		t.Errorf("empty project: %q, want none", why)
	}
	if why := EBProject(dir, "prod-env"); why != "environment prod-env" {
		t.Errorf("with an environment: %q", why)
	}
	ext := filepath.Join(dir, EBExtensionsDir)
	if err := os.MkdirAll(ext, 0o755); err != nil {
		t.Fatal(err)
	}
	if why := EBProject(dir, ""); why != ".ebextensions/ found" {
		t.Errorf("with .ebextensions/: %q", why)
	}
	for name, body := range map[string]string{
		"01-health.config": "option_settings:\n  aws:elasticbeanstalk:environment:process:default:\n    HealthCheckPath: /up\n",
		"02-other.config":  "packages: {}\n",
		"notes.txt":        "HealthCheckPath",
	} {
		if err := os.WriteFile(filepath.Join(ext, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := OtherHealthConfigs(dir)
	if err != nil || len(got) != 1 || got[0] != "01-health.config" {
		t.Errorf("OtherHealthConfigs = %v, %v; want [01-health.config]", got, err)
	}
}

// TestHerokuAPINeedsTLS: the secret goes over https only (plain http to a
// loopback test server excepted), refused before any request.
func TestHerokuAPINeedsTLS(t *testing.T) {
	err := setHerokuConfig(context.Background(), "http://api.example.com", "tok", "app", []DeployVar{{EnvSecret, "s"}})
	if err == nil || !strings.Contains(err.Error(), "only https") {
		t.Errorf("plain http to a remote host: %v, want refused", err)
	}
}

// TestWriteSecretTightensALooserFile: a secret-bearing file that was left
// world-readable (0644) is 0600 once the wizard rewrites it, and a
// generated file is 0644.
func TestWriteSecretTightensALooserFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "heroku-staging.sh")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteSecret(path, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != SecretPerm {
		t.Fatalf("secret file mode %v (%v), want %v", fi.Mode().Perm(), err, SecretPerm)
	}
	if err := WriteGenerated(dir, "sub/settings.py", []byte("x = 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "sub", "settings.py")); err != nil || fi.Mode().Perm() != GeneratedPerm {
		t.Fatalf("generated file mode %v (%v), want %v", fi.Mode().Perm(), err, GeneratedPerm)
	}
}

// TestMaskSecretsJSONEscapedSecret (issue 17.7): an error quoting the
// secret JSON-escaped (`\/` for `/`, as an API body or a JSON log line has
// it) or URL-encoded is masked too.
func TestMaskSecretsJSONEscapedSecret(t *testing.T) {
	const id, secret = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	escaped := strings.ReplaceAll(secret, "/", `\/`)
	for _, printed := range []string{
		`{"message":"invalid value \"` + escaped + `\""}`,
		"https://example.com/?secret=" + strings.ReplaceAll(secret, "/", "%2F"),
	} {
		msg := MaskSecrets(printed, map[string]string{EnvKeyID: id, EnvSecret: secret})
		if strings.Contains(msg, "wJalrXUtnFEMI") {
			t.Errorf("MaskSecrets left the secret in %s", msg)
		}
	}
}
