package provider

import (
	"net/url"
	"os"
	"strings"
	"testing"
)

// TestDetectByHost: the profile comes from the endpoint's host, its own
// domain or a subdomain of it; a look-alike host is generic.
func TestDetectByHost(t *testing.T) {
	for endpoint, want := range map[string]*Profile{
		"https://0123abcd.r2.cloudflarestorage.com":         R2,
		"https://0123abcd.eu.r2.cloudflarestorage.com":      R2,
		"https://s3.us-west-004.backblazeb2.com":            B2,
		"https://s3.fr-par.scw.cloud":                       Scaleway,
		"https://nyc3.digitaloceanspaces.com":               Spaces,
		"https://NYC3.DigitalOceanSpaces.com.":              Spaces,
		"http://127.0.0.1:9000":                             Generic,
		"https://r2.cloudflarestorage.com.attacker.example": Generic,
		"https://evilbackblazeb2.com":                       Generic,
		"":                                                  Generic,
		"::not a url":                                       Generic,
	} {
		if got := Detect(endpoint); got != want {
			t.Errorf("Detect(%q) = %s, want %s", endpoint, got.ID, want.ID)
		}
	}
}

// TestOperationOfARequest: the proxy names bucket-configuration requests
// as the SDK names their operations; object requests are not confused
// with them.
func TestOperationOfARequest(t *testing.T) {
	for _, c := range []struct{ method, target, want string }{
		{"GET", "/b?policy", "GetBucketPolicy"},
		{"PUT", "/b?policy=", "PutBucketPolicy"},
		{"DELETE", "/b/?policy", "DeleteBucketPolicy"},
		{"PUT", "/b?versioning", "PutBucketVersioning"},
		{"GET", "/b?lifecycle", "GetBucketLifecycleConfiguration"},
		{"PUT", "/b?publicAccessBlock", "PutPublicAccessBlock"},
		{"GET", "/b?versions&prefix=media/", "ListObjectVersions"},
		{"GET", "/b/media/a.txt?acl", ""},
		{"PUT", "/b/media/policy", ""},
		{"GET", "/b?list-type=2", ""},
	} {
		u, _ := url.Parse(c.target)
		if got := Operation(c.method, u.Path, u.Query()); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.method, c.target, got, c.want)
		}
	}
}

// TestProfilesCiteTheProvidersDocs: every statement of a named provider's
// profile cites a page of that provider's own documentation, and every
// refusal carries the status and S3 error code the proxy answers with.
func TestProfilesCiteTheProvidersDocs(t *testing.T) {
	domain := map[*Profile]string{R2: "developers.cloudflare.com", B2: "www.backblaze.com", Scaleway: "www.scaleway.com", Spaces: "docs.digitalocean.com"}
	for p, host := range domain {
		features := map[string]Feature{"regions": p.Regions, "public files": p.PublicFiles, "versioning": p.Versioning, "lifecycle": p.Lifecycle,
			"encryption": p.Encryption, "block public access": p.BlockPublicAccess, "cors": p.CORS, "logs": p.Logs, "alarms": p.Alarms, "policy": {Doc: p.PolicyDoc, Note: string(p.Policy)}}
		for name, f := range features {
			u, err := url.Parse(f.Doc)
			if err != nil || u.Scheme != "https" || u.Host != host || f.Note == "" {
				t.Errorf("%s %s: doc %q note %q, want a page of https://%s and a note", p.ID, name, f.Doc, f.Note, host)
			}
		}
		for _, r := range p.Refused {
			if r.Status < 400 || r.Code == "" || r.Message == "" {
				t.Errorf("%s refuses %s without a full answer: %+v", p.ID, r.Op, r)
			}
		}
		for _, h := range p.RefusedHeaders {
			if h.Header != strings.ToLower(h.Header) || h.Status < 400 || h.Code == "" {
				t.Errorf("%s refuses header %q without a full answer: %+v", p.ID, h.Header, h)
			}
		}
	}
	if len(Generic.Refused)+len(Generic.RefusedHeaders) != 0 || !Generic.WritesPolicy() {
		t.Error("the generic profile assumes a refusal: it must ask")
	}
	if R2.WritesPolicy() || B2.WritesPolicy() || Scaleway.WritesPolicy() || !Spaces.WritesPolicy() {
		t.Error("a policy is written only in AWS's grammar (Spaces), never at R2, B2 or Scaleway")
	}
}

// TestREADMETableFollowsTheProfiles: the README's providers table cites, on
// each provider's row, the pages its profile cites (one source: the
// profiles; the table is their rendering for people).
func TestREADMETableFollowsTheProfiles(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Profile{R2, B2, Scaleway, Spaces} {
		var row string
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "| "+p.Name+" (") {
				row = line
			}
		}
		if row == "" {
			t.Errorf("README has no row for %s", p.Name)
			continue
		}
		for _, doc := range []string{p.PolicyDoc, p.PublicFiles.Doc, p.Versioning.Doc, p.Lifecycle.Doc, p.Encryption.Doc, p.Logs.Doc, p.Alarms.Doc} {
			if !strings.Contains(row, "("+doc+")") {
				t.Errorf("README's %s row does not cite %s", p.Name, doc)
			}
		}
	}
}
