package config

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// EnvEndpoint is the S3 endpoint override of the AWS SDK's own variables
// (AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL), or "".
func EnvEndpoint() string {
	if v := os.Getenv("AWS_ENDPOINT_URL_S3"); v != "" {
		return v
	}
	return os.Getenv("AWS_ENDPOINT_URL")
}

// errNoEndpoint: `credentials: provided` with no endpoint answered and
// none in the SDK's variables.
var errNoEndpoint = fmt.Errorf("credentials: provided needs your provider's S3 endpoint: answer endpoint (e.g. https://s3.fr-par.scw.cloud) or set AWS_ENDPOINT_URL")

// validEndpoint is the rule of a provider's endpoint: empty (the SDK's
// variables), or an http(s) URL of a host, without credentials, path,
// query or fragment (the SDK puts the bucket in the path).
func validEndpoint(s string) error {
	if s == "" {
		return nil
	}
	return validBaseURL(s, false, "https://s3.fr-par.scw.cloud")
}

// validPublicDomain is the rule of public_domain: empty, or the http(s)
// base URL the public files are served from (a CDN, a provider's public
// bucket domain), a path allowed, no query or fragment.
func validPublicDomain(s string) error {
	if s == "" {
		return nil
	}
	return validBaseURL(s, true, "https://media.example.com")
}

// validBaseURL accepts an http(s) URL of a host, with a path when path is
// true, without credentials, query or fragment.
func validBaseURL(s string, path bool, eg string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q: not a URL (e.g. %s)", s, eg)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("%q: an http:// or https:// URL (e.g. %s)", s, eg)
	case u.User != nil:
		return fmt.Errorf("%q: no credentials in the URL (the keys go in the env file)", s)
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "#"):
		return fmt.Errorf("%q: no query or fragment (e.g. %s)", s, eg)
	case !path && strings.Trim(u.Path, "/") != "":
		return fmt.Errorf("%q: the endpoint is a scheme and a host only (no path)", s)
	case strings.ContainsAny(s, " \\\"'"):
		return fmt.Errorf("%q: no spaces, quotes or backslashes", s)
	}
	return nil
}

// ProviderEndpoint is the endpoint the wizard's own clients use: the
// `endpoint` answer with `credentials: provided`, else "" (the SDK's
// variables or profile decide, as for the AWS CLI).
func (a *Answers) ProviderEndpoint() string {
	if provided(a) {
		return a.Endpoint
	}
	return ""
}

// EndpointRegion is the region an S3-compatible endpoint's host names, or
// "" when it names none: s3.fr-par.scw.cloud (Scaleway) → fr-par,
// s3.us-west-004.backblazeb2.com (Backblaze B2) → us-west-004,
// nyc3.digitaloceanspaces.com → nyc3, ACCOUNT.r2.cloudflarestorage.com
// (Cloudflare R2, one region) → auto.
func EndpointRegion(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	labels := strings.Split(host, ".")
	r := ""
	switch {
	case strings.HasSuffix(host, ".r2.cloudflarestorage.com"):
		r = "auto"
	case strings.HasSuffix(host, ".digitaloceanspaces.com") || strings.HasSuffix(host, ".linodeobjects.com"):
		r = labels[len(labels)-3]
	case len(labels) >= 4 && labels[0] == "s3":
		r = labels[1]
	}
	if ValidateProviderRegion(r) != nil {
		return ""
	}
	return r
}

// defaultProviderRegion is offered with credentials: provided when the
// endpoint names no region: MinIO's default, which most S3-compatible
// servers accept.
const defaultProviderRegion = "us-east-1"
