package envfile

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestEnsureIgnored(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string // existing files
		patterns   []string
		wantFiles  map[string]string // expected content; "" key absent means must not exist
		wantAbsent []string
		wantAdded  []string
	}{
		{
			name:       "creates gitignore only",
			patterns:   []string{".env", ".env"},
			wantFiles:  map[string]string{".gitignore": ".env\n"},
			wantAbsent: []string{".dockerignore", ".ebignore"},
			wantAdded:  []string{".gitignore: .env"},
		},
		{
			name: "keeps content and does not duplicate",
			files: map[string]string{
				".gitignore":    "# secrets\n*.pyc\n  .env  \n",
				".dockerignore": "node_modules",
			},
			patterns: []string{".env", ".aws/"},
			wantFiles: map[string]string{
				".gitignore":    "# secrets\n*.pyc\n  .env  \n.aws/\n",
				".dockerignore": "node_modules\n.env\n.aws/\n",
			},
			wantAbsent: []string{".ebignore"},
			wantAdded:  []string{".gitignore: .aws/", ".dockerignore: .env", ".dockerignore: .aws/"},
		},
		{
			name:     "commented pattern does not count",
			files:    map[string]string{".gitignore": "#.env\n", ".ebignore": ".env\n"},
			patterns: []string{".env"},
			wantFiles: map[string]string{
				".gitignore": "#.env\n.env\n",
				".ebignore":  ".env\n",
			},
			wantAbsent: []string{".dockerignore"},
			wantAdded:  []string{".gitignore: .env"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				writeFile(t, filepath.Join(dir, name), content, 0o644)
			}
			added, err := EnsureIgnored(dir, tt.patterns)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(added, tt.wantAdded) {
				t.Errorf("added = %q, want %q", added, tt.wantAdded)
			}
			for name, want := range tt.wantFiles {
				if got := readFile(t, filepath.Join(dir, name)); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			for _, name := range tt.wantAbsent {
				if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s should not exist (err %v)", name, err)
				}
			}
			if m := mode(t, filepath.Join(dir, ".gitignore")); m != 0o644 {
				t.Errorf(".gitignore mode = %o, want 644", m)
			}
			// Second call adds nothing.
			added, err = EnsureIgnored(dir, tt.patterns)
			if err != nil || len(added) != 0 {
				t.Errorf("second call: added=%q err=%v", added, err)
			}
		})
	}
}

func TestEnsureIgnoredInvalidPattern(t *testing.T) {
	if _, err := EnsureIgnored(t.TempDir(), []string{"a\nb"}); err == nil {
		t.Error("expected error")
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	base := []string{"-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}
	cmd := exec.Command("git", append(base, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestTrackedFiles(t *testing.T) {
	// Keep git from finding a repository above the temp dirs.
	t.Setenv("GIT_CEILING_DIRECTORIES", os.TempDir())

	repo := t.TempDir()
	git(t, repo, "init", "-q")
	writeFile(t, filepath.Join(repo, ".env"), "A=1\n", 0o600)
	writeFile(t, filepath.Join(repo, "untracked.env"), "A=1\n", 0o600)
	git(t, repo, "add", ".env")
	git(t, repo, "commit", "-q", "-m", "add env")

	nonRepo := t.TempDir()
	writeFile(t, filepath.Join(nonRepo, ".env"), "A=1\n", 0o600)

	tests := []struct {
		name     string
		dir      string
		patterns []string
		want     string
	}{
		{"tracked", repo, []string{".env"}, ".env"},
		{"untracked", repo, []string{"untracked.env"}, ""},
		{"missing file", repo, []string{"nope.env"}, ""},
		{"glob", repo, []string{"*.env", ".s3wizard/*secret*"}, ".env"},
		{"not a repo", nonRepo, []string{".env"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TrackedFiles(tt.dir, tt.patterns)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("TrackedFiles = %q, want %q", got, tt.want)
			}
		})
	}
}
