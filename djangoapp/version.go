package djangoapp

import (
	"strconv"
	"strings"
)

// Known reports whether v is a version number the wizard can compare.
func Known(v string) bool {
	_, _, ok := parseMajorMinor(v)
	return ok
}

// AtLeast reports whether version v is known and major.minor or newer. An
// unknown version ("" or unparseable) is never assumed to be the newest:
// AtLeast returns false, and callers that need to know say so (see Known).
func AtLeast(v string, major, minor int) bool {
	maj, min, ok := parseMajorMinor(v)
	if !ok {
		return false
	}
	if maj != major {
		return maj > major
	}
	return min >= minor
}

// parseMajorMinor reads the leading "X.Y" of a version ("4.2.7", "5.0a1",
// "5" → 5.0).
func parseMajorMinor(v string) (major, minor int, ok bool) {
	v = strings.TrimSpace(v)
	parts := strings.SplitN(v, ".", 3)
	if len(parts) == 0 {
		return 0, 0, false
	}
	major, err := strconv.Atoi(leadingDigits(parts[0]))
	if err != nil {
		return 0, 0, false
	}
	if len(parts) > 1 {
		if d := leadingDigits(parts[1]); d != "" {
			minor, _ = strconv.Atoi(d)
		}
	}
	return major, minor, true
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// majorMinor returns "X.Y" of v, or "" when unparseable.
func majorMinor(v string) string {
	maj, min, ok := parseMajorMinor(v)
	if !ok {
		return ""
	}
	return strconv.Itoa(maj) + "." + strconv.Itoa(min)
}
