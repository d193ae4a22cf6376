package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/cli"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// A read-only env file, a symlinked one and a read-only progress file are
// refused with a message saying why, before anything changes in AWS; the
// files keep their mode, content and link.
//
// In-process, offline: the refusals are the answers' (app.Finish) and the
// opening's (app.Open); no AWS call could leave.
func TestApplyRefusesReadOnlyAndLinkedFiles(t *testing.T) {
	cases := []struct {
		name, want string
		setup      func(t *testing.T, dir string) (check func(t *testing.T))
	}{
		{"read-only env file", "is read-only (mode 0400)", func(t *testing.T, dir string) func(t *testing.T) {
			p := filepath.Join(dir, ".env")
			must(t, os.WriteFile(p, []byte("DEBUG=1\n"), 0o400))
			return func(t *testing.T) { wantFile(t, p, "DEBUG=1\n", 0o400) }
		}},
		{"symlinked env file", "is a symbolic link", func(t *testing.T, dir string) func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "shared.env")
			must(t, os.WriteFile(target, []byte("DEBUG=1\n"), 0o644))
			must(t, os.Symlink(target, filepath.Join(dir, ".env")))
			return func(t *testing.T) {
				wantFile(t, target, "DEBUG=1\n", 0o644)
				if fi, err := os.Lstat(filepath.Join(dir, ".env")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
					t.Errorf(".env is no longer a link: %v", err)
				}
			}
		}},
		{"read-only progress file", "progress file", func(t *testing.T, dir string) func(t *testing.T) {
			p := filepath.Join(dir, ".s3wizard", "staging.json")
			must(t, os.MkdirAll(filepath.Dir(p), 0o700))
			body := `{"schema": 1, "env": "staging", "steps": {}}` + "\n"
			must(t, os.WriteFile(p, []byte(body), 0o400))
			return func(t *testing.T) { wantFile(t, p, body, 0o400) }
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, stagingAnswers)
			check := c.setup(t, dir)
			r := inDir(t, dir, cli.Deps{Open: offline(t)}, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
			if r.code == 0 || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, want a refusal saying %q:\n%s", r.code, c.want, r.stderr)
			}
			check(t)
			if strings.Contains(r.stderr, "applying env") {
				t.Errorf("apply started before the refusal:\n%s", r.stderr)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantFile(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != body || fi.Mode().Perm() != mode {
		t.Errorf("%s changed: mode %o, %q", path, fi.Mode().Perm(), got)
	}
}

func bucketsOf(t *testing.T, s *motoserver.Server) []string {
	t.Helper()
	out, err := s3client(t, s, "", "").ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range out.Buckets {
		names = append(names, *b.Name)
	}
	return names
}

// destroy removes what holds the deleted key's secret: the env file's S3
// lines (the file as it was kept in a 0600 backup), the Heroku command
// file, set_env.sh and its virtualenv hook; other lines stay.
func TestDestroyRemovesTheSecretsFiles(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers+"heroku_app: mon-app-staging\nset_env_sh: true\n")
	activate := filepath.Join(dir, "venv", "bin", "activate")
	must(t, os.MkdirAll(filepath.Dir(activate), 0o755))
	must(t, os.WriteFile(activate, []byte("# venv\nexport VIRTUAL_ENV=x\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("DEBUG=1\n"), 0o600))
	mustOK(t, apply(t, dir, s.Env()))
	secret := readEnv(t, dir)["AWS_SECRET_ACCESS_KEY"]
	if b, _ := os.ReadFile(activate); !strings.Contains(string(b), "set_env.sh") {
		t.Fatalf("apply did not hook set_env.sh:\n%s", b)
	}

	r := runWithInput(t, dir, s.Env(), "mon-app-media-staging\n", "destroy", "--env", "staging")
	mustOK(t, r)
	for _, f := range []string{".s3wizard/heroku-staging.sh", "set_env.sh"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s survived destroy", f)
		}
	}
	if b, _ := os.ReadFile(activate); string(b) != "# venv\nexport VIRTUAL_ENV=x\n" {
		t.Errorf("activate after destroy:\n%s", b)
	}
	if env := readEnv(t, dir); len(env) != 1 || env["DEBUG"] != "1" {
		t.Errorf(".env after destroy: %v keys (want only DEBUG)", len(env))
	}
	backup := filepath.Join(dir, ".s3wizard", "staging-env-file.secret-backup")
	fi, err := os.Stat(backup)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup: %v %v", fi, err)
	}
	if b, _ := os.ReadFile(backup); !strings.Contains(string(b), secret) || !strings.Contains(string(b), "DEBUG=1") {
		t.Error("the backup is not the env file as it was")
	}
}
