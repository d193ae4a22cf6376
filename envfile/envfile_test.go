package envfile

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/joho/godotenv"
)

func writeFile(t *testing.T, path, content string, perm fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // defeat umask
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestMergeContent(t *testing.T) {
	const existing = `# Django settings
DEBUG=True

# database
export DATABASE_URL='postgres://u:p@h/db'   # keep me
SECRET_KEY="abc def"
AWS_REGION=eu-west-1
  # indented comment
export AWS_STORAGE_BUCKET_NAME=old-bucket # bucket
`
	tests := []struct {
		name   string
		old    string // "" with noFile means no file
		noFile bool
		set    map[string]string
		remove []string
		want   string
	}{
		{
			name: "replace in place keeps everything else",
			old:  existing,
			set:  map[string]string{"AWS_REGION": "us-east-1"},
			want: strings.Replace(existing, "AWS_REGION=eu-west-1", "AWS_REGION=us-east-1", 1),
		},
		{
			name: "export prefix and inline comment kept",
			old:  existing,
			set:  map[string]string{"AWS_STORAGE_BUCKET_NAME": "new-bucket"},
			want: strings.Replace(existing, "export AWS_STORAGE_BUCKET_NAME=old-bucket # bucket", "export AWS_STORAGE_BUCKET_NAME=new-bucket # bucket", 1),
		},
		{
			name: "unchanged value keeps original quoting",
			old:  "A='plain'\n",
			set:  map[string]string{"A": "plain"},
			want: "A='plain'\n",
		},
		{
			name: "new keys appended sorted under comment",
			old:  existing,
			set:  map[string]string{"AWS_SECRET_ACCESS_KEY": "s", "AWS_ACCESS_KEY_ID": "AKIA", "AWS_S3_REGION_NAME": "eu-west-1"},
			want: existing + "\n" + AddedComment + "\nAWS_ACCESS_KEY_ID=AKIA\nAWS_S3_REGION_NAME=eu-west-1\nAWS_SECRET_ACCESS_KEY=s\n",
		},
		{
			name: "comment not repeated when present",
			old:  "X=1\n\n" + AddedComment + "\nA=1\n",
			set:  map[string]string{"B": "2"},
			want: "X=1\n\n" + AddedComment + "\nA=1\nB=2\n",
		},
		{
			name:   "missing file created",
			noFile: true,
			set:    map[string]string{"B": "2", "A": "1"},
			want:   AddedComment + "\nA=1\nB=2\n",
		},
		{
			name: "no trailing newline",
			old:  "X=1",
			set:  map[string]string{"A": "1"},
			want: "X=1\n\n" + AddedComment + "\nA=1\n",
		},
		{
			name: "replace last line without newline",
			old:  "X=1\nA=0",
			set:  map[string]string{"A": "1"},
			want: "X=1\nA=1",
		},
		{
			name: "duplicates: last replaced, earlier deleted",
			old:  "A=1\n# c\nA=2\nB=3\nexport A=4\n",
			set:  map[string]string{"A": "5"},
			want: "# c\nB=3\nexport A=5\n",
		},
		{
			name:   "remove deletes every occurrence",
			old:    "A=1\nB=2\nA=3\n",
			remove: []string{"A", "NOT_THERE"},
			want:   "B=2\n",
		},
		{
			name: "multi-line quoted value replaced as a whole",
			old:  "KEY=\"-----BEGIN\nline\n-----END\"\nB=1\n",
			set:  map[string]string{"KEY": "x"},
			want: "KEY=x\nB=1\n",
		},
		{
			name: "multi-line quoted value of other key kept",
			old:  "KEY=\"-----BEGIN\nline\n-----END\"\nB=1\n",
			set:  map[string]string{"B": "2"},
			want: "KEY=\"-----BEGIN\nline\n-----END\"\nB=2\n",
		},
		{
			name: "CRLF file stays CRLF",
			old:  "X=1\r\nA=0\r\n",
			set:  map[string]string{"A": "1", "B": "2"},
			want: "X=1\r\nA=1\r\n\r\n" + AddedComment + "\r\nB=2\r\n",
		},
		{
			name: "spaces around equals accepted",
			old:  "X = 1\nA = 0\n",
			set:  map[string]string{"A": "1"},
			want: "X = 1\nA=1\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".env")
			if !tt.noFile {
				writeFile(t, path, tt.old, 0o600)
			}
			changed, err := Merge(path, tt.set, tt.remove)
			if err != nil {
				t.Fatalf("Merge: %v", err)
			}
			got := readFile(t, path)
			if got != tt.want {
				t.Fatalf("content mismatch\n--- got ---\n%s\n--- want ---\n%s", got, tt.want)
			}
			if changed != (tt.noFile || got != tt.old) {
				t.Errorf("changed = %v", changed)
			}
			// Second run is a no-op.
			changed, err = Merge(path, tt.set, tt.remove)
			if err != nil {
				t.Fatalf("second Merge: %v", err)
			}
			if changed {
				t.Errorf("second Merge changed = true")
			}
			if again := readFile(t, path); again != got {
				t.Errorf("second Merge altered file:\n%s", again)
			}
			if m := mode(t, path); m != 0o600 {
				t.Errorf("mode = %o, want 600", m)
			}
		})
	}
}

func TestMergeIdempotentNoRewrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	set := map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "a/b+c=d"}
	if changed, err := Merge(path, set, nil); err != nil || !changed {
		t.Fatalf("first Merge: changed=%v err=%v", changed, err)
	}
	before := readFile(t, path)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	changed, err := Merge(path, set, nil)
	if err != nil || changed {
		t.Fatalf("second Merge: changed=%v err=%v", changed, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(old) {
		t.Errorf("file was rewritten (mtime changed)")
	}
	if readFile(t, path) != before {
		t.Errorf("content changed")
	}
}

func TestMergeMode(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  map[string]string
	}{
		{"content changes", map[string]string{"A": "2"}},
		{"content unchanged", map[string]string{"A": "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".env")
			writeFile(t, path, "A=1\n", 0o644)
			if _, err := Merge(path, tc.set, nil); err != nil {
				t.Fatal(err)
			}
			if m := mode(t, path); m != 0o600 {
				t.Errorf("mode = %o, want 600", m)
			}
		})
	}
}

func TestMergeCreatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub", "dir")
	path := filepath.Join(dir, ".env")
	if _, err := Merge(path, map[string]string{"A": "1"}, nil); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode = %o, want 700", fi.Mode().Perm())
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("mode = %o, want 600", m)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("leftover files in dir: %v", entries)
	}
}

func TestMergeNothingToWriteNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	changed, err := Merge(path, nil, []string{"A"})
	if err != nil || changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file created: %v", err)
	}
}

func TestMergeOddLines(t *testing.T) {
	tests := []struct {
		name    string
		content string
		line    int
	}{
		{"free text", "A=1\n# ok\nthis is not valid\nB=2\n", 3},
		{"unterminated double quote", "A=1\n\nB=\"secret-start\nC=3\n", 3},
		{"unterminated single quote", "A='x\n", 1},
		{"key without value", "A=1\nB\n", 2},
		{"yaml style", "A: 1\n", 1},
		{"text after quoted value", "A=\"x\" B=2\n", 1},
		{"bad key char", "A-B=1\n", 1},
		{"bare export", "export\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".env")
			writeFile(t, path, tt.content, 0o644)
			old := time.Now().Add(-time.Hour).Truncate(time.Second)
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			changed, err := Merge(path, map[string]string{"AWS_REGION": "us-east-1"}, nil)
			if err == nil {
				t.Fatal("expected error")
			}
			if changed {
				t.Error("changed = true")
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not *SyntaxError", err)
			}
			if se.Line != tt.line || se.Path != path {
				t.Errorf("got line %d path %s, want line %d path %s", se.Line, se.Path, tt.line, path)
			}
			msg := err.Error()
			if !strings.Contains(msg, path) || !strings.Contains(msg, "line ") {
				t.Errorf("error %q does not name file and line", msg)
			}
			if strings.Contains(msg, "secret-start") {
				t.Errorf("error leaks file content: %q", msg)
			}
			if got := readFile(t, path); got != tt.content {
				t.Errorf("file modified:\n%s", got)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if !fi.ModTime().Equal(old) {
				t.Error("mtime changed")
			}
			if fi.Mode().Perm() != 0o644 {
				t.Errorf("mode changed to %o", fi.Mode().Perm())
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("leftover files: %v", entries)
			}
		})
	}
}

func TestMergeInvalidInput(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	for _, tc := range []struct {
		name   string
		set    map[string]string
		remove []string
	}{
		{"bad key", map[string]string{"1A": "x"}, nil},
		{"key with dash", map[string]string{"A-B": "x"}, nil},
		{"newline in value", map[string]string{"A": "x\ny"}, nil},
		{"unquotable value", map[string]string{"A": `$x'y`}, nil},
		{"set and remove", map[string]string{"A": "x"}, []string{"A"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Merge(path, tc.set, tc.remove); err == nil {
				t.Fatal("expected error")
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Error("file written despite error")
			}
		})
	}
}

// roundTripValues are written by Merge and must read back unchanged.
var roundTripValues = map[string]string{
	"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	"SECRET_SLASH_PLUS_EQ":  "ab/cd+ef==",
	"AWS_ACCESS_KEY_ID":     "AKIAIOSFODNN7EXAMPLE",
	"SPACES_HASH":           "hello world # not a comment",
	"LEADING_SPACE":         "  padded  ",
	"DOUBLE_QUOTES":         `say "hi" there`,
	"LEADING_QUOTE":         `"start`,
	"SINGLE_QUOTE":          "it's",
	"BACKSLASHES":           `a\b\\c\nd`,
	"BACKSLASH_QUOTE":       `a\"b`,
	"DOLLAR":                "pa$$word$HOME$(id)",
	"BACKTICK":              "a`whoami`b",
	"TRAILING_QUOTE":        `ends with "`,
	"EMPTY":                 "",
	"HASH_START":            "#notcomment",
	"TAB":                   "a\tb",
	"UNICODE":               "héllo wörld",
	"URL":                   "https://bucket.s3.amazonaws.com/path?x=1&y=2",
	"EXCLAMATION":           "hi!there",
	"SEMICOLON":             "a;b|c&d<e>f(g)",
	"TILDE":                 "~/x",
	"STAR":                  "*",
}

func writeRoundTrip(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env")
	writeFile(t, path, "# pre-existing\nOTHER=1\n", 0o600)
	if _, err := Merge(path, roundTripValues, nil); err != nil {
		t.Fatalf("Merge: %v", err)
	}
	return path
}

func checkValues(t *testing.T, reader string, got map[string]string) {
	t.Helper()
	for k, want := range roundTripValues {
		if g, ok := got[k]; !ok || g != want {
			t.Errorf("%s: %s = %q (present %v), want %q", reader, k, g, ok, want)
		}
	}
}

func TestRoundTripGodotenv(t *testing.T) {
	path := writeRoundTrip(t)
	got, err := godotenv.Read(path)
	if err != nil {
		t.Fatalf("godotenv.Read: %v", err)
	}
	checkValues(t, "godotenv", got)

	got, err = Read(path)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	checkValues(t, "Read", got)

	content := readFile(t, path)
	for _, line := range []string{
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
		"SECRET_SLASH_PLUS_EQ=ab/cd+ef==\n",
		"SPACES_HASH=\"hello world # not a comment\"\n",
	} {
		if !strings.Contains(content, line) {
			t.Errorf("file lacks %q:\n%s", line, content)
		}
	}
	// Re-merging the same values must not change anything.
	changed, err := Merge(path, roundTripValues, nil)
	if err != nil || changed {
		t.Errorf("re-merge: changed=%v err=%v", changed, err)
	}
}

// TestRoundTripPythonDotenv cross-checks with python-dotenv, which the app
// reads the env file with. It fails, never skips, without it: .ci/run
// installs python3-dotenv.
func TestRoundTripPythonDotenv(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is required (apt-get install python3-dotenv; .ci/run installs it)")
	}
	if err := exec.Command(py, "-c", "import dotenv").Run(); err != nil {
		t.Fatal("python-dotenv is required (apt-get install python3-dotenv; .ci/run installs it)")
	}
	path := writeRoundTrip(t)
	out, err := exec.Command(py, "-c",
		"import json,sys\nfrom dotenv import dotenv_values\nprint(json.dumps(dotenv_values(sys.argv[1])))",
		path).Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("decode python output: %v", err)
	}
	checkValues(t, "python-dotenv", got)
}

// TestRoundTripShell cross-checks with POSIX sh "." (source).
func TestRoundTripShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("sh not installed")
	}
	path := writeRoundTrip(t)
	script := `set -e; . "$1"; shift; for k in "$@"; do eval "printf '%s\0' \"\${$k}\""; done`
	var keys []string
	for k := range roundTripValues {
		keys = append(keys, k)
	}
	args := append([]string{"-c", script, "sh", path}, keys...)
	cmd := exec.Command(sh, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=/home/test"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	vals := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(vals) != len(keys) {
		t.Fatalf("got %d values from sh, want %d", len(vals), len(keys))
	}
	got := map[string]string{}
	for i, k := range keys {
		got[k] = vals[i]
	}
	checkValues(t, "sh", got)
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	got, err := Read(filepath.Join(dir, "missing.env"))
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("missing file: got %v, %v", got, err)
	}
	path := filepath.Join(dir, ".env")
	writeFile(t, path, "# c\nexport A=1\nB='two words'\nC=\"x y\" # c\n", 0o600)
	got, err = Read(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "B": "two words", "C": "x y"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}

	writeFile(t, path, "A=1\nB=\"topsecret\n", 0o600)
	_, err = Read(path)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 2 {
		t.Fatalf("err = %v, want SyntaxError at line 2", err)
	}
	if strings.Contains(err.Error(), "topsecret") {
		t.Errorf("error leaks content: %v", err)
	}
}

func TestEncodeValue(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"abc", "abc"},
		{"a/b+c=", "a/b+c="},
		{"", ""},
		{"a b", `"a b"`},
		{`a"b`, `"a\"b"`},
		{`a\b`, `"a\\b"`},
		{"a#b", `"a#b"`},
		{"$x", `'$x'`},
		{`x"`, `'x"'`},
	}
	for _, tt := range tests {
		got, err := encodeValue(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("encodeValue(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"a\nb", "a\rb", "a\x00", `$\`, `'"`, "\xff", `ends with \`, "${HOME}"} {
		if _, err := encodeValue(bad); err == nil {
			t.Errorf("encodeValue(%q): expected error", bad)
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new", "file.txt")
	if err := WriteFileAtomic(path, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "one" {
		t.Errorf("content = %q", got)
	}
	if m := mode(t, path); m != 0o644 {
		t.Errorf("mode = %o, want 644", m)
	}
	if err := WriteFileAtomic(path, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "two" {
		t.Errorf("content = %q", got)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("mode = %o, want 600", m)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("leftover temp files: %v", entries)
	}

	// A symlink is refused, neither followed nor replaced (issue 17.6: a
	// link to a file outside the project would put the content there).
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(path, link); err != nil {
		t.Fatalf("symlink: %v", err)
	}
	if err := WriteFileAtomic(link, []byte("three"), 0o600); !errors.Is(err, ErrNotWritable) {
		t.Fatalf("write through a link: %v, want a refusal", err)
	}
	if got := readFile(t, path); got != "two" {
		t.Errorf("target content = %q", got)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("symlink replaced: %v", err)
	}
}

// A read-only env file and a symlinked one are refused, never replaced:
// their mode, content and link stay as they were.
func TestMergeRefusesReadOnlyAndLinkedFiles(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, ".env")
	if err := os.WriteFile(ro, []byte("A=1\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(ro, map[string]string{"B": "2"}, nil); !errors.Is(err, ErrNotWritable) || !strings.Contains(err.Error(), "read-only (mode 0400)") {
		t.Errorf("read-only file: %v", err)
	}
	if m := mode(t, ro); m != 0o400 || readFile(t, ro) != "A=1\n" {
		t.Errorf("read-only file changed: mode %o, %q", m, readFile(t, ro))
	}

	target := filepath.Join(dir, "elsewhere.env")
	if err := os.WriteFile(target, []byte("A=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, ".env.link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	// Same content (no write needed) or new content: refused either way,
	// so not even the target's mode is tightened behind the user's back.
	for _, set := range []map[string]string{{"A": "1"}, {"B": "2"}} {
		if _, err := Merge(link, set, nil); !errors.Is(err, ErrNotWritable) || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("symlink, set %v: %v", set, err)
		}
	}
	if m := mode(t, target); m != 0o644 || readFile(t, target) != "A=1\n" {
		t.Errorf("link target changed: mode %o, %q", m, readFile(t, target))
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("link replaced: %v", err)
	}
}

// TestKillMidWriteLeavesIgnoredTemp (issue 17.3): the temporary file of an
// atomic write is named so that TempPattern matches it, in git's own
// judgement, and SweepTemps removes what a killed write left.
func TestKillMidWriteLeavesIgnoredTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", ".env")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	// What a kill between write and rename leaves: a temp file made the
	// way WriteFileAtomic makes it.
	f, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"*")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("AWS_SECRET_ACCESS_KEY=x\n")
	f.Close()
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := git("init", "-q"); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(TempPattern+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(dir, f.Name())
	if out, err := git("check-ignore", "-q", "--no-index", rel); err != nil {
		t.Fatalf("git does not ignore %s with %q: %v %s", rel, TempPattern, err, out)
	}
	other := filepath.Join(filepath.Dir(path), ".env.other"+TempMark+"1")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	removed, err := SweepTemps(path)
	if err != nil || len(removed) != 1 || removed[0] != f.Name() {
		t.Fatalf("SweepTemps = %v, %v; want [%s]", removed, err, f.Name())
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another file's temp was swept: %v", err)
	}
}

// TestWithin: inside is the folder itself and below it, never its parent,
// a sibling sharing its name's start, or a path climbing out through "..".
func TestWithin(t *testing.T) {
	dir := filepath.FromSlash("/srv/app")
	for _, tc := range []struct {
		path, rel string
		ok        bool
	}{
		{"/srv/app", ".", true},
		{"/srv/app/.env", ".env", true},
		{"/srv/app/config/.env.prod", "config/.env.prod", true},
		{"/srv/app/..env", "..env", true},
		{"/srv", "", false},
		{"/srv/app-other/.env", "", false},
		{"/srv/app/../other/.env", "", false},
		{"/etc/passwd", "", false},
	} {
		rel, ok := Within(dir, filepath.FromSlash(tc.path))
		if ok != tc.ok || filepath.ToSlash(rel) != tc.rel {
			t.Errorf("Within(%s, %s) = %q, %v; want %q, %v", dir, tc.path, rel, ok, tc.rel, tc.ok)
		}
	}
}
