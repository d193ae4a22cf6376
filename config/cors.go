package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// profileRe is the shape of a profile name of ~/.aws/config (the CLI takes
// any section name; these characters cover every real one and keep it a
// single shell word).
var profileRe = regexp.MustCompile(`^[A-Za-z0-9_.+@-]{1,64}$`)

// ValidProfile is aws_profile's rule (and --profile's): empty, or a
// profile name.
func ValidProfile(p string) error {
	if p == "" || profileRe.MatchString(p) {
		return nil
	}
	return fmt.Errorf("%q: a profile name of ~/.aws/config is 1-64 letters, digits or _ . + @ -", p)
}

// originRe is a browser origin as S3's CORS AllowedOrigin takes it: a
// scheme, a host (at most one *, S3's rule) and an optional port, no path.
var originRe = regexp.MustCompile(`^https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$`)

// ValidOrigin is the rule of one of cors_origins.
func ValidOrigin(o string) error {
	switch {
	case o == "*":
		return fmt.Errorf("%q: list your site's origins (https://www.example.com): any origin would let every web page read and upload with your users' signed URLs", o)
	case !originRe.MatchString(o):
		return fmt.Errorf("%q: an origin is a scheme and host, lowercase, no path (e.g. https://www.example.com, https://*.example.com, http://localhost:8000)", o)
	}
	return nil
}

// wantsCORS: browsers fetch from the bucket across origins when it serves
// public or static files, or takes direct uploads.
func wantsCORS(a *Answers) bool {
	return len(a.PublicPrefixes) > 0 || a.StaticOnS3 || a.CORSUploads
}

// WantsCORS reports whether the answers call for CORS rules on the bucket:
// something browsers fetch or upload, and origins to allow.
func (a *Answers) WantsCORS() bool { return wantsCORS(a) && len(a.CORSOrigins) > 0 }

// OriginsFromHosts derives the site's origins from Django's ALLOWED_HOSTS:
// https:// in front of each domain; ".example.com" (the domain and its
// subdomains) gives both; "*" and local hosts give none.
func OriginsFromHosts(hosts []string) []string {
	out := []string{}
	add := func(o string) {
		if ValidOrigin(o) == nil && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		switch h {
		case "", "*", "localhost", "127.0.0.1", "[::1]", ".localhost":
			continue
		}
		if d, ok := strings.CutPrefix(h, "."); ok {
			add("https://" + d)
			add("https://*." + d)
			continue
		}
		add("https://" + h)
	}
	return out
}
