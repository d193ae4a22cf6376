// Package provider is what the wizard knows of each S3-compatible provider
// used with `credentials: provided`, from the provider's own documentation:
// one Profile per provider, chosen from the endpoint's host (Detect). A
// profile says which S3 operations and request headers the provider
// refuses (and how it answers them), which bucket-policy dialect it speaks,
// and how public files are served there.
//
// The same table drives the wizard (an operation a profile refuses is never
// sent: the aws layer answers it locally as the provider would, and the
// steps skip that part in one line) and the conformance tests' proxy
// (internal/providerproxy answers those operations and headers as the
// provider does, and records every one it receives): one declaration.
package provider

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Dialect is the bucket-policy language a provider understands.
type Dialect string

const (
	// NoPolicy: the provider has no bucket policy (the operations are
	// refused): public files are served another way.
	NoPolicy Dialect = "none"
	// AWSPolicy: AWS's 2012-10-17 grammar, Allow and Deny, Principal "*".
	AWSPolicy Dialect = "aws-2012-10-17"
	// ScalewayPolicy: Scaleway's 2023-04-17 grammar, allow-list only: a
	// policy takes away every access it does not name, the app's own key
	// included; the wizard writes none there.
	ScalewayPolicy Dialect = "scaleway-2023-04-17"
)

// Feature is one capability as the provider documents it.
type Feature struct {
	// Supported: the wizard sends the S3 calls of this feature.
	Supported bool
	// How the provider does it, or what the wizard does instead.
	Note string
	// Doc is the provider's page saying so.
	Doc string
}

// Refusal is how a provider answers an operation it does not implement.
type Refusal struct {
	Op      string // the S3 operation (the SDK's name: PutBucketPolicy)
	Status  int
	Code    string
	Message string
}

// HeaderRefusal is how a provider answers a request carrying a header it
// does not accept (any operation).
type HeaderRefusal struct {
	Header  string // lower-case name, or a prefix ending in "-" ("x-amz-checksum-")
	Status  int
	Code    string
	Message string
}

// Matches reports whether the header name h is the refused one.
func (h HeaderRefusal) Matches(name string) bool {
	name = strings.ToLower(name)
	if strings.HasSuffix(h.Header, "-") {
		return strings.HasPrefix(name, h.Header)
	}
	return name == h.Header
}

// Profile is one provider as its documentation describes it.
type Profile struct {
	ID    string // r2, b2, scaleway, spaces, generic
	Name  string
	Hosts []string // the endpoint host's suffixes
	// Regions: the provider's region names.
	Regions Feature
	// Policy is the bucket-policy dialect; PolicyDoc its page.
	Policy    Dialect
	PolicyDoc string
	// PublicFiles: how public files are served there.
	PublicFiles Feature
	// NeedsPublicDomain: public prefixes need public_domain (no bucket
	// policy makes them readable at the endpoint).
	NeedsPublicDomain bool
	Versioning        Feature
	Lifecycle         Feature
	Encryption        Feature
	BlockPublicAccess Feature
	CORS              Feature
	Logs              Feature
	Alarms            Feature
	// Refused are the operations the provider does not implement; the
	// wizard never sends them.
	Refused []Refusal
	// RefusedHeaders are the request headers the provider refuses.
	RefusedHeaders []HeaderRefusal
}

// Refuses is the provider's answer to op, if it refuses it.
func (p *Profile) Refuses(op string) (Refusal, bool) {
	for _, r := range p.Refused {
		if r.Op == op {
			return r, true
		}
	}
	return Refusal{}, false
}

// RefusesHeader is the provider's answer to a request carrying header
// name, if it refuses it.
func (p *Profile) RefusesHeader(name string) (HeaderRefusal, bool) {
	for _, h := range p.RefusedHeaders {
		if h.Matches(name) {
			return h, true
		}
	}
	return HeaderRefusal{}, false
}

// WritesPolicy reports whether the wizard writes a bucket policy there:
// only in a dialect it speaks (AWS's), never one that could take the app's
// own access away.
func (p *Profile) WritesPolicy() bool { return p.Policy == AWSPolicy }

// ChecksumHeaders: the provider refuses the SDK's flexible checksums
// (x-amz-checksum-*); the operations that require one send Content-MD5.
func (p *Profile) ChecksumHeaders() bool {
	_, refused := p.RefusesHeader("x-amz-checksum-crc32")
	return !refused
}

// notImplemented is R2's and B2's answer to an S3 operation they lack
// (HTTP 501, the S3 error code NotImplemented).
func notImplemented(ops ...string) []Refusal {
	var rs []Refusal
	for _, op := range ops {
		rs = append(rs, Refusal{Op: op, Status: http.StatusNotImplemented, Code: "NotImplemented", Message: op + " not implemented"})
	}
	return rs
}

// Profiles: every provider the wizard knows, Generic last.
var Profiles = []*Profile{R2, B2, Scaleway, Spaces, Generic}

// R2 is Cloudflare R2.
var R2 = &Profile{
	ID: "r2", Name: "Cloudflare R2", Hosts: []string{"r2.cloudflarestorage.com"},
	// https://developers.cloudflare.com/r2/api/s3/api/ ("Bucket region")
	Regions: Feature{true, "one region, auto (us-east-1 and an empty region alias it)", "https://developers.cloudflare.com/r2/api/s3/api/"},
	// https://developers.cloudflare.com/r2/api/s3/api/ lists Get/Put/DeleteBucketPolicy as unimplemented.
	Policy: NoPolicy, PolicyDoc: "https://developers.cloudflare.com/r2/api/s3/api/",
	// https://developers.cloudflare.com/r2/buckets/public-buckets/
	PublicFiles:       Feature{false, "a public bucket: the r2.dev domain or a custom domain set in the dashboard serves the whole bucket (public_domain required; restrict it to the public prefixes with a WAF rule on a custom domain)", "https://developers.cloudflare.com/r2/buckets/public-buckets/"},
	NeedsPublicDomain: true,
	// https://developers.cloudflare.com/r2/api/s3/api/: Get/PutBucketVersioning unimplemented.
	Versioning: Feature{false, "no object versioning: skipped", "https://developers.cloudflare.com/r2/api/s3/api/"},
	// https://developers.cloudflare.com/r2/buckets/object-lifecycles/
	Lifecycle: Feature{true, "PutBucketLifecycleConfiguration: expiration and aborting incomplete multipart uploads", "https://developers.cloudflare.com/r2/buckets/object-lifecycles/"},
	// https://developers.cloudflare.com/r2/reference/data-security/ (AES-256 at rest, always);
	// PutBucketEncryption is unimplemented (https://developers.cloudflare.com/r2/api/s3/api/).
	Encryption:        Feature{false, "every object is encrypted at rest (AES-256), not configurable: skipped", "https://developers.cloudflare.com/r2/reference/data-security/"},
	BlockPublicAccess: Feature{false, "PutPublicAccessBlock unimplemented; public access is the bucket's public domain setting", "https://developers.cloudflare.com/r2/api/s3/api/"},
	// https://developers.cloudflare.com/r2/buckets/cors/
	CORS: Feature{true, "PutBucketCors: the wizard's rule for cors_origins", "https://developers.cloudflare.com/r2/buckets/cors/"},
	// https://developers.cloudflare.com/r2/api/s3/api/: Get/PutBucketLogging unimplemented.
	Logs: Feature{false, "no S3 server access logs (PutBucketLogging unimplemented); Cloudflare's dashboard analytics", "https://developers.cloudflare.com/r2/api/s3/api/"},
	// https://developers.cloudflare.com/r2/pricing/
	Alarms: Feature{false, "no CloudWatch or AWS Budgets; usage in the Cloudflare dashboard, billing notifications there", "https://developers.cloudflare.com/r2/pricing/"},
	Refused: notImplemented(
		"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy",
		"GetBucketVersioning", "PutBucketVersioning",
		"PutBucketEncryption", "DeleteBucketEncryption",
		"GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock",
		"GetBucketOwnershipControls", "PutBucketOwnershipControls",
		"GetBucketLogging", "PutBucketLogging",
		"GetBucketTagging", "PutBucketTagging", "GetBucketAcl", "PutBucketAcl",
		// Not among the implemented operations (no versioning): the aws
		// layer answers it with ListObjectsV2.
		"ListObjectVersions"),
	// https://developers.cloudflare.com/r2/api/s3/api/ ("Checksum Types": no
	// FULL_OBJECT CRC-32 or SHA-256; PutObject: no x-amz-server-side-encryption,
	// x-amz-acl, x-amz-tagging, x-amz-expected-bucket-owner).
	RefusedHeaders: []HeaderRefusal{
		{"x-amz-checksum-", http.StatusNotImplemented, "NotImplemented", "Header 'x-amz-checksum-crc32' with value is not implemented"},
		{"x-amz-sdk-checksum-algorithm", http.StatusNotImplemented, "NotImplemented", "Header 'x-amz-sdk-checksum-algorithm' is not implemented"},
		{"x-amz-server-side-encryption", http.StatusNotImplemented, "NotImplemented", "Header 'x-amz-server-side-encryption' is not implemented"},
		{"x-amz-acl", http.StatusNotImplemented, "NotImplemented", "Header 'x-amz-acl' is not implemented"},
		{"x-amz-object-ownership", http.StatusNotImplemented, "NotImplemented", "Header 'x-amz-object-ownership' is not implemented"},
		{"x-amz-expected-bucket-owner", http.StatusNotImplemented, "NotImplemented", "Header 'x-amz-expected-bucket-owner' is not implemented"},
	},
}

// B2 is Backblaze B2's S3-compatible API.
var B2 = &Profile{
	ID: "b2", Name: "Backblaze B2", Hosts: []string{"backblazeb2.com"},
	// https://www.backblaze.com/docs/cloud-storage-s3-compatible-api (the endpoint names the region)
	Regions: Feature{true, "the endpoint's region (us-west-004, eu-central-003…)", "https://www.backblaze.com/docs/cloud-storage-s3-compatible-api"},
	// https://www.backblaze.com/docs/cloud-storage-s3-compatible-api: the supported
	// calls list no bucket policy; bucket access is the bucket type (private / public).
	Policy: NoPolicy, PolicyDoc: "https://www.backblaze.com/docs/cloud-storage-s3-compatible-api",
	// https://www.backblaze.com/docs/cloud-storage-s3-compatible-api (Put Bucket ACL: private or public-read, the whole bucket)
	PublicFiles:       Feature{false, "a public bucket serves every file; keep this bucket private and serve public prefixes through a CDN (public_domain required)", "https://www.backblaze.com/docs/cloud-storage-deliver-public-backblaze-b2-content-through-cloudflare-cdn"},
	NeedsPublicDomain: true,
	// https://www.backblaze.com/docs/cloud-storage-file-versions
	Versioning: Feature{false, "B2 keeps every version of every file by itself (not set through S3): skipped", "https://www.backblaze.com/docs/cloud-storage-file-versions"},
	// https://www.backblaze.com/docs/cloud-storage-lifecycle-rules
	Lifecycle: Feature{false, "B2's own lifecycle rules (console or native API), not S3 lifecycle configuration: skipped", "https://www.backblaze.com/docs/cloud-storage-lifecycle-rules"},
	// https://www.backblaze.com/docs/cloud-storage-server-side-encryption
	Encryption:        Feature{true, "SSE-B2 default bucket encryption (PutBucketEncryption, AES256)", "https://www.backblaze.com/docs/cloud-storage-server-side-encryption"},
	BlockPublicAccess: Feature{false, "no Block Public Access: the bucket type decides", "https://www.backblaze.com/docs/cloud-storage-s3-compatible-api"},
	// https://www.backblaze.com/docs/cloud-storage-cross-origin-resource-sharing-rules
	CORS: Feature{true, "CORS rules: the wizard's rule for cors_origins", "https://www.backblaze.com/docs/cloud-storage-cross-origin-resource-sharing-rules"},
	Logs: Feature{false, "no S3 server access logs: B2 event notifications / reports in the console", "https://www.backblaze.com/docs/cloud-storage-s3-compatible-api"},
	// https://www.backblaze.com/docs/cloud-storage-caps-and-alerts
	Alarms: Feature{false, "no CloudWatch or AWS Budgets: B2 caps and alerts in the console", "https://www.backblaze.com/docs/cloud-storage-caps-and-alerts"},
	Refused: notImplemented(
		"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy",
		"GetBucketVersioning", "PutBucketVersioning",
		"GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle",
		"GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock",
		"GetBucketOwnershipControls", "PutBucketOwnershipControls",
		"GetBucketLogging", "PutBucketLogging",
		"GetBucketTagging", "PutBucketTagging"),
	// The answer B2 gave to the SDKs' default checksums (issue 20; reported
	// by users of boto3 1.36 and aws-sdk-go-v2 1.73).
	RefusedHeaders: []HeaderRefusal{
		{"x-amz-checksum-", http.StatusBadRequest, "InvalidArgument", "Unsupported header 'x-amz-checksum-crc32' received for this API call."},
		{"x-amz-sdk-checksum-algorithm", http.StatusBadRequest, "InvalidArgument", "Unsupported header 'x-amz-sdk-checksum-algorithm' received for this API call."},
		{"x-amz-object-ownership", http.StatusBadRequest, "InvalidArgument", "Unsupported header 'x-amz-object-ownership' received for this API call."},
	},
}

// Scaleway is Scaleway Object Storage.
var Scaleway = &Profile{
	ID: "scaleway", Name: "Scaleway Object Storage", Hosts: []string{"scw.cloud"},
	// https://www.scaleway.com/en/docs/object-storage/concepts/#region-and-availability-zone
	Regions: Feature{true, "fr-par, nl-ams, pl-waw (the endpoint's s3.REGION.scw.cloud)", "https://www.scaleway.com/en/docs/object-storage/concepts/#region-and-availability-zone"},
	// https://www.scaleway.com/en/docs/object-storage/api-cli/bucket-policy/: version
	// 2023-04-17 allows only what it names; "you will lose access to your bucket if
	// you are not the owner of the Organization, and if you are not explicitly
	// allowed by the bucket policy"; Deny statements are useless.
	Policy: ScalewayPolicy, PolicyDoc: "https://www.scaleway.com/en/docs/object-storage/api-cli/bucket-policy/",
	// https://www.scaleway.com/en/docs/object-storage/api-cli/bucket-policy/ and Edge Services
	PublicFiles:       Feature{false, "no bucket policy written (an allow-only policy must name the app's own IAM principal, which S3 does not reveal): serve public prefixes through Edge Services or a CDN (public_domain required)", "https://www.scaleway.com/en/docs/edge-services/"},
	NeedsPublicDomain: true,
	// https://www.scaleway.com/en/docs/object-storage/how-to/use-bucket-versioning/
	Versioning: Feature{true, "PutBucketVersioning", "https://www.scaleway.com/en/docs/object-storage/how-to/use-bucket-versioning/"},
	// https://www.scaleway.com/en/docs/object-storage/api-cli/lifecycle-rules-api/
	Lifecycle: Feature{true, "PutBucketLifecycleConfiguration (expiration, transitions to GLACIER/ONEZONE_IA, aborting multipart uploads)", "https://www.scaleway.com/en/docs/object-storage/api-cli/lifecycle-rules-api/"},
	// https://www.scaleway.com/en/docs/object-storage/api-cli/enable-sse-c/ (SSE-C only)
	Encryption:        Feature{false, "SSE-C only (a key sent with every request); no default bucket encryption: skipped", "https://www.scaleway.com/en/docs/object-storage/api-cli/enable-sse-c/"},
	BlockPublicAccess: Feature{false, "no Block Public Access: objects are private unless an ACL or the policy says otherwise", "https://www.scaleway.com/en/docs/object-storage/api-cli/object-storage-aws-cli/"},
	// https://www.scaleway.com/en/docs/object-storage/api-cli/setting-cors-rules/
	CORS: Feature{true, "PutBucketCors: the wizard's rule for cors_origins", "https://www.scaleway.com/en/docs/object-storage/api-cli/setting-cors-rules/"},
	Logs: Feature{false, "no S3 server access logs: Cockpit's Object Storage metrics", "https://www.scaleway.com/en/docs/cockpit/"},
	// https://www.scaleway.com/en/docs/billing/how-to/use-billing-alerts/
	Alarms: Feature{false, "no CloudWatch or AWS Budgets: Scaleway's billing alerts and Cockpit alerts", "https://www.scaleway.com/en/docs/billing/how-to/use-billing-alerts/"},
	Refused: notImplemented(
		"GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption",
		"GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock",
		"GetBucketOwnershipControls", "PutBucketOwnershipControls",
		"GetBucketLogging", "PutBucketLogging"),
	RefusedHeaders: []HeaderRefusal{
		{"x-amz-object-ownership", http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented"},
	},
}

// Spaces is DigitalOcean Spaces.
var Spaces = &Profile{
	ID: "spaces", Name: "DigitalOcean Spaces", Hosts: []string{"digitaloceanspaces.com"},
	// https://docs.digitalocean.com/products/spaces/details/availability/
	Regions: Feature{true, "the datacenter (nyc3, ams3, fra1, sgp1…), named by the endpoint", "https://docs.digitalocean.com/products/spaces/details/availability/"},
	// https://docs.digitalocean.com/products/spaces/how-to/configure-bucket-policies/
	Policy: AWSPolicy, PolicyDoc: "https://docs.digitalocean.com/products/spaces/how-to/configure-bucket-policies/",
	// https://docs.digitalocean.com/products/spaces/how-to/set-file-permissions/ and the built-in CDN
	PublicFiles: Feature{true, "a bucket policy allowing anonymous reads of the public prefixes (AWS's grammar); the Spaces CDN endpoint can be public_domain", "https://docs.digitalocean.com/products/spaces/how-to/configure-bucket-policies/"},
	// https://docs.digitalocean.com/reference/api/spaces/ (Bucket versioning)
	Versioning: Feature{true, "PutBucketVersioning", "https://docs.digitalocean.com/reference/api/spaces/"},
	// https://docs.digitalocean.com/reference/api/spaces/ (Bucket lifecycle: expiration, abort incomplete multipart uploads)
	Lifecycle: Feature{true, "PutBucketLifecycleConfiguration (expiration, aborting multipart uploads)", "https://docs.digitalocean.com/reference/api/spaces/"},
	// https://docs.digitalocean.com/products/spaces/details/features/ (encrypted at rest; SSE-C)
	Encryption:        Feature{false, "data encrypted at rest by Spaces, SSE-C per request; no default bucket encryption call: skipped", "https://docs.digitalocean.com/reference/api/spaces/"},
	BlockPublicAccess: Feature{false, "no Block Public Access: the policy and ACLs decide", "https://docs.digitalocean.com/reference/api/spaces/"},
	// https://docs.digitalocean.com/products/spaces/how-to/configure-cors/
	CORS: Feature{true, "PutBucketCors: the wizard's rule for cors_origins", "https://docs.digitalocean.com/products/spaces/how-to/configure-cors/"},
	// https://docs.digitalocean.com/products/spaces/how-to/access-logs/
	Logs: Feature{false, "Spaces access logs are set in its control panel, not by the wizard", "https://docs.digitalocean.com/products/spaces/how-to/access-logs/"},
	// https://docs.digitalocean.com/platform/billing/billing-alerts/
	Alarms: Feature{false, "no CloudWatch or AWS Budgets: DigitalOcean billing alerts", "https://docs.digitalocean.com/platform/billing/billing-alerts/"},
	Refused: notImplemented(
		"GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption",
		"GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock",
		"GetBucketOwnershipControls", "PutBucketOwnershipControls"),
	RefusedHeaders: []HeaderRefusal{
		{"x-amz-object-ownership", http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented"},
	},
}

// Generic is any other S3-compatible endpoint (MinIO, versitygw, Ceph…):
// nothing is assumed; every call is sent, and one the provider refuses
// (501 / NotImplemented, or a 400 to a request AWS accepts) is recorded and
// skipped from then on, reads included.
var Generic = &Profile{
	ID: "generic", Name: "S3-compatible (generic)",
	Regions:           Feature{true, "the provider's own name (us-east-1 when it names none)", ""},
	Policy:            AWSPolicy,
	PublicFiles:       Feature{true, "a bucket policy allowing anonymous reads of the public prefixes; refused: recorded, public_domain serves them", ""},
	Versioning:        Feature{true, "asked; a refusal is recorded and skipped", ""},
	Lifecycle:         Feature{true, "asked rule by rule; a refusal is recorded and skipped", ""},
	Encryption:        Feature{true, "asked; a refusal is recorded and skipped", ""},
	BlockPublicAccess: Feature{false, "an AWS-only setting", ""},
	CORS:              Feature{true, "the wizard's rule for cors_origins; a refusal is recorded and skipped", ""},
	Logs:              Feature{false, "AWS's log delivery only", ""},
	Alarms:            Feature{false, "AWS services only", ""},
}

// Detect is the profile of an S3 endpoint ("" or unparsable: Generic),
// chosen from its host.
func Detect(endpoint string) *Profile {
	u, err := url.Parse(endpoint)
	if err != nil {
		return Generic
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	for _, p := range Profiles {
		if slices.ContainsFunc(p.Hosts, func(h string) bool { return host == h || strings.HasSuffix(host, "."+h) }) {
			return p
		}
	}
	return Generic
}

// subresources map an S3 request's query subresource to its operations by
// HTTP method (bucket-level requests).
var subresources = map[string]map[string]string{
	"policy":            {"GET": "GetBucketPolicy", "PUT": "PutBucketPolicy", "DELETE": "DeleteBucketPolicy"},
	"versioning":        {"GET": "GetBucketVersioning", "PUT": "PutBucketVersioning"},
	"encryption":        {"GET": "GetBucketEncryption", "PUT": "PutBucketEncryption", "DELETE": "DeleteBucketEncryption"},
	"lifecycle":         {"GET": "GetBucketLifecycleConfiguration", "PUT": "PutBucketLifecycleConfiguration", "DELETE": "DeleteBucketLifecycle"},
	"publicAccessBlock": {"GET": "GetPublicAccessBlock", "PUT": "PutPublicAccessBlock", "DELETE": "DeletePublicAccessBlock"},
	"ownershipControls": {"GET": "GetBucketOwnershipControls", "PUT": "PutBucketOwnershipControls", "DELETE": "DeleteBucketOwnershipControls"},
	"logging":           {"GET": "GetBucketLogging", "PUT": "PutBucketLogging"},
	"tagging":           {"GET": "GetBucketTagging", "PUT": "PutBucketTagging", "DELETE": "DeleteBucketTagging"},
	"acl":               {"GET": "GetBucketAcl", "PUT": "PutBucketAcl"},
	"cors":              {"GET": "GetBucketCors", "PUT": "PutBucketCors", "DELETE": "DeleteBucketCors"},
	"versions":          {"GET": "ListObjectVersions"},
	"location":          {"GET": "GetBucketLocation"},
}

// Operation names the bucket-configuration operation of an S3 request
// (path-style: /bucket?policy), or "" for any other request.
func Operation(method, path string, query url.Values) string {
	if strings.Count(strings.Trim(path, "/"), "/") > 0 {
		return "" // an object's request
	}
	for sub, ops := range subresources {
		if _, ok := query[sub]; ok {
			return ops[method]
		}
	}
	return ""
}

// Summary is the profile in a few lines, for the plan: which provider the
// endpoint's host names, and what it does with each feature (the
// provider's page in brackets).
func (p *Profile) Summary() []string {
	lines := []string{"provider profile: " + p.Name + " (" + p.ID + ", from the endpoint's host)"}
	policy := map[Dialect]string{
		NoPolicy:       "none (the provider has no bucket policy)",
		AWSPolicy:      "AWS's grammar: the wizard writes it, then proves the app's key still works",
		ScalewayPolicy: "2023-04-17 allow-only: the wizard writes none (it would lock out any key it does not name)",
	}[p.Policy]
	for _, f := range []struct {
		label string
		f     Feature
	}{
		{"bucket policy: " + policy, Feature{Doc: p.PolicyDoc}},
		{"public files: ", p.PublicFiles},
		{"versioning: ", p.Versioning},
		{"lifecycle: ", p.Lifecycle},
		{"default encryption: ", p.Encryption},
		{"regions: ", p.Regions},
	} {
		line := "  " + f.label + f.f.Note
		if f.f.Doc != "" {
			line += " [" + f.f.Doc + "]"
		}
		lines = append(lines, line)
	}
	return lines
}

// DocFor is the provider's page about the feature of operation op.
func (p *Profile) DocFor(op string) string {
	for _, f := range []struct {
		word string
		doc  string
	}{
		{"Policy", p.PolicyDoc}, {"Encryption", p.Encryption.Doc}, {"Versioning", p.Versioning.Doc},
		{"Lifecycle", p.Lifecycle.Doc}, {"PublicAccessBlock", p.BlockPublicAccess.Doc}, {"Logging", p.Logs.Doc},
	} {
		if strings.Contains(op, f.word) && f.doc != "" {
			return f.doc
		}
	}
	return p.PolicyDoc
}
