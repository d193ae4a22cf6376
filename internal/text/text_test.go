package text

import (
	"encoding/json"
	"net/url"
	"os/exec"
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"AKIAIOSFODNN7EXAMPLE": "AKIA…PLE",
		"AKIA1234":             "AKIA…234",
		"AKIA123":              "*******",
		"":                     "",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestShellQuoteRoundTrips: what sh reads back is the value itself.
func TestShellQuoteRoundTrips(t *testing.T) {
	for _, v := range []string{"plain", "a b", "it's", `$HOME`, "`x`", `back\slash`, "wJal/K7+MDENG=", "", "'"} {
		for name, quote := range map[string]func(string) string{"ShellQuote": ShellQuote, "SingleQuote": SingleQuote} {
			out, err := exec.Command("sh", "-c", "printf %s "+quote(v)).Output()
			if err != nil || string(out) != v {
				t.Errorf("%s(%q) = %s → %q %v", name, v, quote(v), out, err)
			}
		}
	}
}

func TestShellQuoteLeavesSafeWords(t *testing.T) {
	for in, want := range map[string]string{
		"AWS_STORAGE_BUCKET_NAME=app-media": "AWS_STORAGE_BUCKET_NAME=app-media",
		"a b":                               "'a b'",
		"":                                  "''",
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
	if got := SingleQuote("plain"); got != "'plain'" {
		t.Errorf("SingleQuote(plain) = %s, want 'plain'", got)
	}
}

func TestFirstLine(t *testing.T) {
	for in, want := range map[string]string{
		"access denied\nask an admin": "access denied",
		"one line":                    "one line",
		"":                            "",
		"\nsecond":                    "",
	} {
		if got := FirstLine(in); got != want {
			t.Errorf("FirstLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRedactJSONEscapedSecret (issue 17.7): a secret with a slash, as an
// API or a traceback prints it JSON-escaped (`\/`), URL-encoded or in
// Python's repr, is hidden like the plain secret.
func TestRedactJSONEscapedSecret(t *testing.T) {
	const secret = `wJalrXUtnFEMI/K7MDENG+bPxRfi<CY>&EXAMPLE\KEY`
	js, _ := json.Marshal(map[string]string{"AWS_SECRET_ACCESS_KEY": secret})
	for name, printed := range map[string]string{
		"plain":          "refused " + secret,
		"json":           string(js),
		"json slash":     strings.ReplaceAll(string(js), "/", `\/`),
		"url":            "https://x/?s=" + url.QueryEscape(secret),
		"url path":       "https://x/" + url.PathEscape(secret),
		"python repr":    "KeyError('" + strings.ReplaceAll(secret, `\`, `\\`) + "')",
		"json no escape": `{"s":"wJalrXUtnFEMI\/K7MDENG+bPxRfi<CY>&EXAMPLE\\KEY"}`,
	} {
		got := Redact(printed, secret, "****")
		if !strings.Contains(got, "****") || strings.Contains(got, "wJalrXUtnFEMI") {
			t.Errorf("%s: %s → %s", name, printed, got)
		}
	}
}
