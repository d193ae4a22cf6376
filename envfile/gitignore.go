package envfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// EnsureIgnored appends each pattern missing from projectDir/.gitignore
// (creating the file if absent) and from .ebignore and .dockerignore when
// those files already exist. Existing content is kept; a pattern counts as
// present when an identical non-comment line exists (surrounding whitespace
// ignored). Each element of added is "<file>: <pattern>", for example
// ".gitignore: .env", in the order the files and patterns were processed.
func EnsureIgnored(projectDir string, patterns []string) (added []string, err error) {
	var want []string
	seen := map[string]bool{}
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" || strings.HasPrefix(p, "#") || strings.ContainsAny(p, "\r\n") {
			return nil, fmt.Errorf("ensure ignored: invalid pattern %q", p)
		}
		if !seen[p] {
			seen[p] = true
			want = append(want, p)
		}
	}
	for _, name := range []string{".gitignore", ".ebignore", ".dockerignore"} {
		n, err := ensurePatterns(filepath.Join(projectDir, name), want, name == ".gitignore")
		if err != nil {
			return added, err
		}
		for _, p := range n {
			added = append(added, name+": "+p)
		}
	}
	return added, nil
}

// ensurePatterns appends the missing patterns to the ignore file at path. A
// missing file is created only if create is true.
func ensurePatterns(path string, patterns []string, create bool) ([]string, error) {
	perm := fs.FileMode(0o644)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !create {
			return nil, nil
		}
	case err != nil:
		return nil, fmt.Errorf("ensure ignored: %w", err)
	default:
		if fi, err := os.Stat(path); err == nil {
			perm = fi.Mode().Perm()
		}
	}

	missing := missingPatterns(data, patterns)
	if len(missing) == 0 {
		return nil, nil
	}
	if err := WriteFileAtomic(path, appendLines(data, missing), perm); err != nil {
		return nil, fmt.Errorf("ensure ignored: %w", err)
	}
	return missing, nil
}

// missingPatterns are the patterns that the ignore file's content data
// does not list (as a line of its own, comments aside).
func missingPatterns(data []byte, patterns []string) []string {
	present := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			present[line] = true
		}
	}
	var missing []string
	for _, p := range patterns {
		if !present[p] {
			missing = append(missing, p)
		}
	}
	return missing
}

// appendLines is data with lines added at its end, in data's line endings.
func appendLines(data []byte, lines []string) []byte {
	nl := "\n"
	if bytes.Contains(data, []byte("\r\n")) {
		nl = "\r\n"
	}
	var buf bytes.Buffer
	buf.Write(data)
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		buf.WriteString(nl)
	}
	for _, l := range lines {
		buf.WriteString(l + nl)
	}
	return buf.Bytes()
}

// TrackedFiles returns the files under projectDir that git tracks and that
// match one of patterns (git pathspecs relative to projectDir, globs
// allowed), as `git ls-files` prints them. Ignoring a tracked file does not
// keep it out of git. No git, or no work tree: nothing is tracked.
func TrackedFiles(projectDir string, patterns []string) ([]string, error) {
	gitPath, err := exec.LookPath("git")
	if err != nil || len(patterns) == 0 {
		return nil, nil
	}
	cmd := exec.Command(gitPath, append([]string{"ls-files", "-z", "--"}, patterns...)...)
	cmd.Dir = projectDir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANGUAGE=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if strings.Contains(stderr.String(), "not a git repository") {
			return nil, nil
		}
		return nil, fmt.Errorf("ask git which secret files it tracks: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var files []string
	for _, f := range strings.Split(stdout.String(), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}

// NotIgnored asks git itself (`git check-ignore --no-index`) which of files
// (paths relative to projectDir) its ignore rules do not cover: a line of
// .gitignore git reads differently than it looks (a backslash, a trailing
// space, a later `!` rule) counts as what git makes of it. asked is false
// when there is no git or no work tree (then nobody can tell).
func NotIgnored(projectDir string, files []string) (notIgnored []string, asked bool, err error) {
	gitPath, err := exec.LookPath("git")
	if err != nil || len(files) == 0 {
		return nil, false, nil
	}
	cmd := exec.Command(gitPath, "check-ignore", "--no-index", "--stdin", "-z")
	cmd.Dir = projectDir
	cmd.Stdin = strings.NewReader(strings.Join(files, "\x00") + "\x00")
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANGUAGE=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil, errors.As(err, &ee) && ee.ExitCode() == 1: // 1: none is ignored
	case strings.Contains(stderr.String(), "not a git repository"):
		return nil, false, nil
	default:
		return nil, false, fmt.Errorf("ask git which secret files it ignores: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	ignored := map[string]bool{}
	for _, f := range strings.Split(stdout.String(), "\x00") {
		ignored[f] = true
	}
	for _, f := range files {
		if !ignored[f] {
			notIgnored = append(notIgnored, f)
		}
	}
	return notIgnored, true, nil
}
