// Package text holds the small string helpers that several packages share:
// how an access key ID is shown, how a secret is hidden, how a value is
// quoted for sh, and the first line of a message.
package text

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// Redact replaces, in s, every way a secret may be spelled in what the
// wizard prints — as it is, JSON-escaped (with `\/` for `/`, as PHP, Ruby
// and some APIs write it, and with HTML characters escaped as Go does),
// backslash-escaped (Python's repr), URL-encoded — by with.
func Redact(s, secret, with string) string {
	if secret == "" {
		return s
	}
	for _, enc := range Encodings(secret) {
		s = strings.ReplaceAll(s, enc, with)
	}
	return s
}

// Encodings are the spellings of secret that Redact hides, longest first
// (so that a longer spelling is not cut by a shorter one inside it).
func Encodings(secret string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(e string) {
		if e != "" && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	add(secret)
	js, _ := json.Marshal(secret) // escapes <, > and & as \u003c…
	jsonBody := strings.Trim(string(js), `"`)
	add(jsonBody)
	var plain strings.Builder
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(secret)
	plainBody := strings.Trim(strings.TrimSpace(plain.String()), `"`)
	add(plainBody)
	for _, b := range []string{jsonBody, plainBody} {
		add(strings.ReplaceAll(b, "/", `\/`))
	}
	add(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(secret))
	add(url.QueryEscape(secret))
	add(url.PathEscape(secret))
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// Mask shows an access key ID as AKIA…XYZ (an ID shorter than 8 characters
// as stars only).
func Mask(id string) string {
	if len(id) < 8 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + "…" + id[len(id)-3:]
}

// ShellQuote quotes s for POSIX sh when it needs it: a word of safe
// characters is left as it is, anything else is single-quoted (SingleQuote).
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_-./:=@,+%", c))
	}) < 0 {
		return s
	}
	return SingleQuote(s)
}

// SingleQuote always quotes s for POSIX sh: single quotes around s; a single
// quote inside ends the quoting, is escaped with a backslash, and reopens it.
func SingleQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// FirstLine is the first line of s (errors carry advice on later lines).
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
