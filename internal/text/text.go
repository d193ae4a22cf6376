// Package text holds the small string helpers that several packages share:
// how an access key ID is shown, how a value is quoted for sh, and the first
// line of a message.
package text

import "strings"

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
