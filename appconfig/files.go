package appconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/s3wizard/s3wizard/envfile"
)

// MissingIgnores lists, as "<file>: <pattern>", the patterns EnsureIgnored
// would add, without writing (plans must not change anything).
func MissingIgnores(dir string, patterns []string) ([]string, error) {
	var out []string
	for _, name := range []string{".gitignore", ".ebignore", ".dockerignore"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			if name != ".gitignore" {
				continue
			}
		} else if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		have := map[string]bool{}
		for _, l := range strings.Split(string(data), "\n") {
			have[strings.TrimSpace(l)] = true
		}
		for _, pat := range patterns {
			if !have[pat] {
				out = append(out, name+": "+pat)
			}
		}
	}
	return out, nil
}

// IgnoreFiles are the files named by MissingIgnores' lines.
func IgnoreFiles(missing []string) []string {
	seen := map[string]bool{}
	var files []string
	for _, m := range missing {
		f, _, _ := strings.Cut(m, ": ")
		if !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	return files
}

// FileIs reports whether path holds exactly want with mode perm.
func FileIs(path string, want []byte, perm fs.FileMode) bool {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != perm {
		return false
	}
	got, err := os.ReadFile(path)
	return err == nil && bytes.Equal(got, want)
}

// WriteSecret writes a secret-bearing file atomically with mode 0600 (an
// older file that was looser is replaced by one with that mode).
func WriteSecret(path string, body []byte) error {
	if err := envfile.WriteFileAtomic(path, body, SecretPerm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteGenerated writes a generated file (rel, under dir) atomically with
// mode 0644, its directory created with dirPerm.
func WriteGenerated(dir, rel string, body []byte, dirPerm fs.FileMode) error {
	path := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), dirPerm); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if err := envfile.WriteFileAtomic(path, body, GeneratedPerm); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	return nil
}
