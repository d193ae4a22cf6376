// Package testbin builds the s3wizard binary for tests once per `go test`
// run, not once per package or per test: the binary is keyed by a hash of
// the module's sources and shared, through the temporary directory, by every
// test process that asks for it. A lock file (portable: created exclusively)
// keeps two packages from building the same binary at once.
package testbin

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tags are the build tags of the tests' binary: s3wizard_testhooks compiles
// in the test hooks a release build leaves out (internal/crashhook:
// S3WIZARD_CRASH_AFTER).
const Tags = "s3wizard_testhooks"

var (
	once sync.Once
	path string
	err  error
)

// Path returns the path of an s3wizard binary built from the current
// sources, building it if no test process has yet.
func Path(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { path, err = build() })
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

// root is the module's directory (this file is internal/testbin/testbin.go).
func root() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(filepath.Dir(here)))
}

func build() (string, error) {
	src := root()
	key, err := sourceKey(src)
	if err != nil {
		return "", fmt.Errorf("testbin: hashing sources: %w", err)
	}
	dir := filepath.Join(os.TempDir(), "s3wizard-testbin", key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("testbin: %w", err)
	}
	name := "s3wizard"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(dir, name)
	if done(bin) {
		return bin, nil
	}
	unlock, err := lock(filepath.Join(dir, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if done(bin) { // built by another package while this one waited
		return bin, nil
	}
	tmp := bin + ".tmp"
	cmd := exec.Command("go", "build", "-tags", Tags, "-o", tmp, ".")
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("testbin: go build: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", fmt.Errorf("testbin: %w", err)
	}
	return bin, nil
}

func done(bin string) bool {
	st, err := os.Stat(bin)
	return err == nil && st.Mode().IsRegular()
}

// lock takes dir's lock file, waiting while another process holds it; a lock
// older than the longest build is taken to be left by a killed process.
func lock(file string) (func(), error) {
	const stale = 10 * time.Minute
	for {
		f, err := os.OpenFile(file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(file) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("testbin: %w", err)
		}
		if st, err := os.Stat(file); err == nil && time.Since(st.ModTime()) > stale {
			os.Remove(file)
			continue
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sourceKey hashes what goes into the binary: go.mod, go.sum and every
// non-test file of the module outside testdata and hidden folders.
func sourceKey(src string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "tags=%s\x00", Tags)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != src && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, ".md") || !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(src, p)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\x00", filepath.ToSlash(rel))
		_, err = io.Copy(h, f)
		return err
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
