// Package envfile reads and updates a Django project's .env file in place,
// keeping comments, order and unrelated keys intact, and writes every file
// atomically with owner-only permissions because the values are secrets.
package envfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/joho/godotenv"
	"github.com/s3wizard/s3wizard/internal/crashhook"
)

// AddedComment is the comment line written above keys that Merge appends.
const AddedComment = "# Added by s3wizard"

// filePerm is the mode of every env file Merge writes.
const filePerm fs.FileMode = 0o600

// SyntaxError reports a line of an env file that envfile does not understand.
// It never contains any part of a value, so it is safe to print.
type SyntaxError struct {
	Path   string
	Line   int // 1-based; 0 when the line is unknown
	Reason string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("parse %s: line %d: %s", e.Path, e.Line, e.Reason)
	}
	return fmt.Sprintf("parse %s: %s", e.Path, e.Reason)
}

// Read parses the env file at path with godotenv. A missing file yields an
// empty map and no error. Parse errors are reported as *SyntaxError without
// echoing file content, since the file holds secrets.
func Read(path string) (map[string]string, error) {
	data, err := ReadRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read env file: %w", err)
	}
	m, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		// godotenv's message quotes file content (secrets); report the
		// offending line from our own scanner instead.
		if _, perr := parse(path, data); perr != nil {
			return nil, perr
		}
		return nil, &SyntaxError{Path: path, Reason: "godotenv cannot parse the file"}
	}
	return m, nil
}

// Merge sets the keys in set and deletes the keys in remove in the env file
// at path, creating the file (and its directory, mode 0700) if needed.
//
// Every other line is kept byte for byte. A key that already exists is
// replaced where its last occurrence is (keeping an "export " prefix and an
// inline comment), and earlier duplicates of it are deleted; a line whose
// value already equals the wanted value is left untouched. New keys are
// appended in sorted order below an AddedComment line (added only if absent).
//
// The whole file is validated first: a line that is not blank, a comment or
// [export] KEY=VALUE (or an unterminated quoted value) yields a *SyntaxError
// and nothing is written. The file is written atomically with mode 0600. If
// the content would not change, the file is not rewritten and changed is
// false, but a mode looser than 0600 is still tightened.
func Merge(path string, set map[string]string, remove []string) (changed bool, err error) {
	encoded, removed, err := mergeArgs(path, set, remove)
	if err != nil {
		return false, err
	}

	if err := CheckWritable(path); err != nil {
		return false, fmt.Errorf("merge: %w", err)
	}
	old, err := ReadRegular(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("merge %s: %w", path, err)
	}

	entries, err := parse(path, old)
	if err != nil {
		return false, err
	}
	current, err := godotenv.UnmarshalBytes(old)
	if err != nil {
		return false, &SyntaxError{Path: path, Reason: "godotenv cannot parse the file"}
	}

	out := render(entries, set, encoded, removed, current)

	if !exists {
		if len(out) == 0 {
			return false, nil
		}
	} else if bytes.Equal(out, old) {
		if err := tightenMode(path); err != nil {
			return false, fmt.Errorf("merge %s: %w", path, err)
		}
		return false, nil
	}
	if err := WriteFileAtomic(path, out, filePerm); err != nil {
		return false, fmt.Errorf("merge %s: %w", path, err)
	}
	return true, nil
}

// mergeArgs checks Merge's keys and values before the file is read: each
// set key a portable name and its value encoded (encoded), no key both set
// and removed (removed).
func mergeArgs(path string, set map[string]string, remove []string) (encoded map[string]string, removed map[string]bool, err error) {
	encoded = make(map[string]string, len(set))
	for k, v := range set {
		if !validNewKey(k) {
			return nil, nil, fmt.Errorf("merge %s: invalid key name %q", path, k)
		}
		enc, err := encodeValue(v)
		if err != nil {
			return nil, nil, fmt.Errorf("merge %s: key %s: %w", path, k, err)
		}
		encoded[k] = enc
	}
	removed = make(map[string]bool, len(remove))
	for _, k := range remove {
		if _, ok := set[k]; ok {
			return nil, nil, fmt.Errorf("merge %s: key %s is both set and removed", path, k)
		}
		removed[k] = true
	}
	return encoded, removed, nil
}

// render builds the new file content.
func render(entries []entry, set, encoded map[string]string, removed map[string]bool, current map[string]string) []byte {
	last := keptOccurrences(entries, set)
	var buf bytes.Buffer
	hasComment, lastBlank := renderEntries(&buf, entries, last, set, encoded, removed, current)

	var missing []string
	for k := range set {
		if _, ok := last[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) == 0 {
		return buf.Bytes()
	}
	nl := "\n"
	if len(entries) > 0 && strings.HasSuffix(entries[0].lines[0], "\r\n") {
		nl = "\r\n"
	}
	if buf.Len() > 0 && !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
		buf.WriteString(nl)
	}
	if !hasComment {
		if !lastBlank {
			buf.WriteString(nl)
		}
		buf.WriteString(AddedComment + nl)
	}
	for _, k := range missing {
		buf.WriteString(k + "=" + encoded[k] + nl)
	}
	return buf.Bytes()
}

// keptOccurrences is the index of the occurrence of each set key that is
// kept: its last.
func keptOccurrences(entries []entry, set map[string]string) map[string]int {
	last := map[string]int{}
	for i, e := range entries {
		if e.kind != kindAssign {
			continue
		}
		if _, ok := set[e.key]; ok {
			last[e.key] = i
		}
	}
	return last
}

// renderEntries writes the file's own entries to buf: removed keys and
// earlier duplicates of a set key left out, the kept occurrence of a set key
// as assignment writes it, every other line byte for byte. hasComment: the
// AddedComment line is there; lastBlank: the last line written is blank (or
// nothing was written).
func renderEntries(buf *bytes.Buffer, entries []entry, last map[string]int, set, encoded map[string]string, removed map[string]bool, current map[string]string) (hasComment, lastBlank bool) {
	lastBlank = true // nothing written yet counts as "blank"
	for i, e := range entries {
		raw := strings.Join(e.lines, "")
		switch e.kind {
		case kindBlank:
			buf.WriteString(raw)
			lastBlank = true
			continue
		case kindComment:
			if strings.TrimSpace(raw) == AddedComment {
				hasComment = true
			}
			buf.WriteString(raw)
			lastBlank = false
			continue
		}
		if removed[e.key] {
			continue
		}
		want, isSet := set[e.key]
		if !isSet {
			buf.WriteString(raw)
			lastBlank = false
			continue
		}
		if last[e.key] != i {
			continue // earlier duplicate of a key we set
		}
		lastBlank = false
		buf.WriteString(assignment(e, raw, want, encoded[e.key], current))
	}
	return hasComment, lastBlank
}

// assignment is the kept line of a key set to want: raw when the file's
// value already is want, else KEY=enc keeping its "export " prefix, inline
// comment and line ending.
func assignment(e entry, raw, want, enc string, current map[string]string) string {
	if cur, ok := current[e.key]; ok && cur == want {
		return raw
	}
	var b strings.Builder
	if e.export {
		b.WriteString("export ")
	}
	b.WriteString(e.key + "=" + enc)
	if e.comment != "" {
		b.WriteString(" " + e.comment)
	}
	b.WriteString(lineEnding(e.lines[len(e.lines)-1]))
	return b.String()
}

func lineEnding(line string) string {
	switch {
	case strings.HasSuffix(line, "\r\n"):
		return "\r\n"
	case strings.HasSuffix(line, "\n"):
		return "\n"
	}
	return ""
}

// tightenMode sets path to 0600 if it grants anything beyond owner read/write.
func tightenMode(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&^filePerm != 0 {
		if err := os.Chmod(path, filePerm); err != nil {
			return fmt.Errorf("restrict permissions: %w", err)
		}
	}
	return nil
}

var newKeyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validNewKey reports whether k is a key we are willing to write: a portable
// shell variable name.
func validNewKey(k string) bool { return newKeyRE.MatchString(k) }

// isBareSafe reports whether c can appear in an unquoted value and be read
// identically by godotenv, python-dotenv, django-environ and POSIX sh.
func isBareSafe(c rune) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.ContainsRune("_./+-:,@%=", c)
}

// encodeValue returns v as it should appear after "KEY=". Values made only of
// safe characters are written bare. Otherwise double quotes are used, with
// \ and " backslash-escaped, which godotenv, python-dotenv and sh all decode
// the same way. Values that double quotes cannot carry portably ($ and `
// expand differently, and godotenv mis-reads a closing quote preceded by an
// escaped \ or ") fall back to single quotes, which work when the value has
// no ' or \. Anything else (including "${", which python-dotenv expands even
// in single quotes) is rejected rather than written ambiguously.
func encodeValue(v string) (string, error) {
	if !utf8.ValidString(v) {
		return "", errors.New("value is not valid UTF-8")
	}
	bare := true
	for _, c := range v {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return "", errors.New("value contains a control character (such as a newline)")
		}
		if !isBareSafe(c) {
			bare = false
		}
	}
	if bare {
		return v, nil
	}
	if strings.Contains(v, "${") {
		// python-dotenv expands ${...} inside any quotes, with no escape.
		return "", errors.New("value contains \"${\", which python-dotenv would expand")
	}
	if !strings.ContainsAny(v, "$`") && !strings.HasSuffix(v, `\`) && !strings.HasSuffix(v, `"`) {
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
		return `"` + r.Replace(v) + `"`, nil
	}
	if !strings.ContainsAny(v, `'\`) {
		return "'" + v + "'", nil
	}
	return "", errors.New("value mixes characters that cannot be quoted portably")
}

type entryKind int

const (
	kindBlank entryKind = iota
	kindComment
	kindAssign
)

// entry is one logical statement of an env file; a quoted value may span
// several physical lines.
type entry struct {
	kind    entryKind
	lines   []string // physical lines including their line endings
	key     string
	export  bool
	comment string // inline comment after the value, starting at '#'
}

// splitLines splits data into lines that keep their "\n" terminator; the
// last line has none if the data does not end with a newline.
func splitLines(data []byte) []string {
	var lines []string
	s := string(data)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

func isBlankChar(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }

func trimBlank(s string) string {
	i := 0
	for i < len(s) && isBlankChar(s[i]) {
		i++
	}
	return s[i:]
}

func isKeyChar(c byte) bool {
	return c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// parse splits data into entries, rejecting anything that is not blank, a
// comment or [export] KEY=VALUE. The accepted syntax is a subset of what
// godotenv reads (godotenv's "KEY: value" form is rejected).
func parse(path string, data []byte) ([]entry, error) {
	lines := splitLines(data)
	var entries []entry
	for i := 0; i < len(lines); i++ {
		t := trimBlank(strings.TrimSuffix(lines[i], "\n"))
		if t == "" {
			entries = append(entries, entry{kind: kindBlank, lines: lines[i : i+1]})
			continue
		}
		if t[0] == '#' {
			entries = append(entries, entry{kind: kindComment, lines: lines[i : i+1]})
			continue
		}
		e, value, ok := assignmentHead(t)
		if !ok {
			return nil, &SyntaxError{Path: path, Line: i + 1, Reason: "expected KEY=VALUE, a comment or a blank line"}
		}
		end := i
		if value == "" || (value[0] != '"' && value[0] != '\'') {
			e.comment = unquotedComment(value)
		} else {
			var err error
			if end, e.comment, err = quotedValue(path, lines, i, value); err != nil {
				return nil, err
			}
		}
		e.lines = lines[i : end+1]
		entries = append(entries, e)
		i = end
	}
	return entries, nil
}

// assignmentHead reads "[export] KEY=" at the start of t, a line without its
// leading blanks; value is what follows the '=', without leading blanks.
// ok false: t is not an assignment.
func assignmentHead(t string) (e entry, value string, ok bool) {
	e = entry{kind: kindAssign}
	if strings.HasPrefix(t, "export") && len(t) > 6 && (t[6] == ' ' || t[6] == '\t') {
		e.export = true
		t = trimBlank(t[6:])
	}
	n := 0
	for n < len(t) && isKeyChar(t[n]) {
		n++
	}
	if n == 0 {
		return e, "", false
	}
	e.key = t[:n]
	t = trimBlank(t[n:])
	if t == "" || t[0] != '=' {
		return e, "", false
	}
	return e, trimBlank(t[1:]), true
}

// unquotedComment is the inline comment of an unquoted value, which runs to
// the end of the line: the comment starts at the first '#' preceded by
// whitespace.
func unquotedComment(value string) string {
	for j := 1; j < len(value); j++ {
		if value[j] == '#' && isBlankChar(value[j-1]) {
			return strings.TrimRight(value[j:], "\r")
		}
	}
	return ""
}

// quotedValue finds the end of the quoted value that starts on line start:
// like godotenv, the value ends at the first matching quote not preceded by
// a backslash, possibly on a later line. end is the line it ends on; comment
// the inline comment after it.
func quotedValue(path string, lines []string, start int, value string) (end int, comment string, err error) {
	quote := value[0]
	rest := value[1:]
	prev := value[0]
	for i := start; ; i++ {
		closing := -1
		for j := 0; j < len(rest); j++ {
			if rest[j] == quote && prev != '\\' {
				closing = j
				break
			}
			prev = rest[j]
		}
		if closing >= 0 {
			after := trimBlank(strings.TrimSuffix(rest[closing+1:], "\n"))
			if after != "" && after[0] != '#' {
				return 0, "", &SyntaxError{Path: path, Line: i + 1, Reason: "unexpected text after quoted value"}
			}
			return i, strings.TrimRight(after, "\r"), nil
		}
		if i+1 >= len(lines) {
			return 0, "", &SyntaxError{Path: path, Line: start + 1, Reason: "unterminated quoted value"}
		}
		prev = '\n'
		rest = lines[i+1]
	}
}

// TempMark is in the name of every temporary file WriteFileAtomic makes
// (".<name>.s3wizard-tmp-<random>", next to the file it replaces), and
// TempPattern, the ignore rule that matches them, is in the secret files'
// ignore patterns: a run killed between writing and renaming leaves its
// secret in a file git ignores, and the next run sweeps it (SweepTemps).
const (
	TempMark    = ".s3wizard-tmp-"
	TempPattern = "*" + TempMark + "*"
)

// tempPrefix is the start of the temporary files' names of the file at path.
func tempPrefix(path string) string { return "." + filepath.Base(path) + TempMark }

// WriteFileAtomic writes data to path by writing a temporary file in the same
// directory (created with mode 0600, named after TempMark), syncing it,
// setting perm and renaming it over path. Missing parent directories are
// created with mode 0700. A symbolic link or anything else that is not a
// regular file at path is refused (writing through a link would put the
// content, maybe a secret, wherever the link points).
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	if _, err := regular(path); err != nil {
		return fmt.Errorf("write %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write %s: create directory: %w", path, err)
	}
	f, err := os.CreateTemp(dir, tempPrefix(path)+"*")
	if err != nil {
		return fmt.Errorf("write %s: create temp file: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("write %s: set permissions: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: set permissions: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	crashhook.After("WriteTemp:"+filepath.Base(path), "writing "+tmp)
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: close: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: rename: %w", path, err)
	}
	// Persist the rename; not all platforms can sync a directory.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// SweepTemps removes the temporary files a killed WriteFileAtomic of path
// left behind, and returns their names. Call it where no other run may be
// writing path (under the lock that guards its writes).
func SweepTemps(path string) ([]string, error) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), tempPrefix(path)) {
			continue
		}
		m := filepath.Join(dir, e.Name())
		if err := os.Remove(m); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("remove the leftover temporary file %s: %w", m, err)
		}
		removed = append(removed, m)
	}
	return removed, nil
}

// ReadRegular reads the file at path when it is a regular file: a missing
// file is fs.ErrNotExist; a symbolic link, a named pipe (which would block
// the read forever), a device or a folder is an error saying so.
func ReadRegular(path string) ([]byte, error) {
	exists, err := regular(path)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, fmt.Errorf("%s: %w", path, fs.ErrNotExist)
	}
	// Opened without blocking: were it swapped for a pipe since the check,
	// the open would not wait for a writer.
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: %w", path, ErrNotWritable)
	}
	return io.ReadAll(f)
}

// regular tells whether a regular file is at path (false: nothing is);
// anything else there is an error that says what it is.
func regular(path string) (bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	switch m := fi.Mode(); {
	case m&fs.ModeSymlink != 0:
		target, _ := os.Readlink(path)
		return false, fmt.Errorf("%s is a symbolic link to %s: %w: s3wizard does not read or write through links (it would replace the file it points to, maybe outside the project, and change its mode); use the file it points to, or replace the link with a regular file", path, target, ErrNotWritable)
	case m&fs.ModeNamedPipe != 0:
		return false, fmt.Errorf("%s is a named pipe (FIFO), not a regular file: %w: reading it would wait forever; replace it with a regular file", path, ErrNotWritable)
	case m.IsDir():
		return false, fmt.Errorf("%s is a folder, not a regular file: %w", path, ErrNotWritable)
	case !m.IsRegular():
		return false, fmt.Errorf("%s is not a regular file (%s): %w; replace it with a regular file", path, m.Type(), ErrNotWritable)
	}
	return true, nil
}

// Check validates the env file at path the way Merge would, writing nothing.
// A missing file is fine. Run it before any change that must end in the env
// file, so that a bad line stops the run before AWS is touched.
func Check(path string) error {
	data, err := ReadRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read env file: %w", err)
	}
	_, err = parse(path, data)
	return err
}

// ErrNotWritable marks a file the wizard refuses to replace: a symbolic link
// (replacing it would change the file it points to, or the link itself) or a
// read-only file (its mode would silently change).
var ErrNotWritable = errors.New("not writable as it is")

// CheckWritable tells whether the wizard may replace the file at path: it is
// missing, or a regular file its owner may write. It never changes the file.
func CheckWritable(path string) error {
	exists, err := regular(path)
	if err != nil || !exists {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if fi.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s is read-only (mode %04o): %w: s3wizard will not change its mode; make it writable (chmod u+w %s) if it may change, then run again", path, fi.Mode().Perm(), ErrNotWritable, path)
	}
	return nil
}

// ErrOutsideProject marks a path whose real location (symbolic links
// resolved) is not inside the project.
var ErrOutsideProject = errors.New("outside the project")

// InsideProject refuses a path under projectDir whose real location, once
// every symbolic link of its folders is resolved, is outside
// the project: a linked folder would put a secret where the project's
// ignore rules and mode checks do not reach. The path need not exist yet:
// its deepest existing folder is resolved.
func InsideProject(projectDir, path string) error {
	root, err := filepath.EvalSymlinks(projectDir)
	if err != nil {
		return fmt.Errorf("resolve the project folder %s: %w", projectDir, err)
	}
	if root, err = filepath.Abs(root); err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	// The deepest folder of path that exists, resolved; the rest appended.
	// The file itself is not resolved: a link there is refused by name
	// (regular).
	rest := filepath.Base(abs)
	cur := filepath.Dir(abs)
	var real string
	for {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			real = filepath.Join(r, rest)
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("resolve %s: %w", cur, err)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			real = abs
			break
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
	if _, ok := Within(root, real); !ok {
		return fmt.Errorf("%s is really %s (through a symbolic link), %w %s: s3wizard keeps secrets and progress inside the project, where git ignores them; replace the link with a folder or file of the project", path, real, ErrOutsideProject, root)
	}
	return nil
}

// Within reports whether path lies inside dir (or is dir), both absolute
// or both relative, with path's form relative to dir: the one test of
// "inside this folder", by names only (no link is resolved here).
func Within(dir, path string) (rel string, ok bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}
