package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// A read-only env file, a symlinked one and a read-only progress file are
// refused with a message saying why, before anything changes in AWS; the
// files keep their mode, content and link.
func TestApplyRefusesReadOnlyAndLinkedFiles(t *testing.T) {
	s := motoserver.Start(t)
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
			s.Reset(t)
			dir := project(t, stagingAnswers)
			check := c.setup(t, dir)
			r := apply(t, dir, s.Env())
			if r.code == 0 || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, want a refusal saying %q:\n%s", r.code, c.want, r.stderr)
			}
			check(t)
			if keys := bucketsOf(t, s); len(keys) != 0 {
				t.Errorf("AWS changed before the refusal: buckets %v", keys)
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
