package config

import (
	"fmt"
	"net"
	"regexp"
	"strings"
)

var (
	bucketCharsRe = regexp.MustCompile(`^[a-z0-9.-]+$`)
	// ipShapedRe: S3 refuses any name shaped like an IPv4 address, leading
	// zeros included (192.168.05.4), which net.ParseIP does not accept.
	ipShapedRe = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
)

var reservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
var reservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}

// ValidateBucketName applies S3's general-purpose bucket naming rules.
func ValidateBucketName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("bucket name is empty")
	case len(name) < 3 || len(name) > 63:
		return fmt.Errorf("%q is %d characters; bucket names are 3 to 63 characters", name, len(name))
	case !bucketCharsRe.MatchString(name):
		return fmt.Errorf("%q: only lowercase letters, digits, dots and hyphens are allowed", name)
	case !isAlnum(name[0]) || !isAlnum(name[len(name)-1]):
		return fmt.Errorf("%q must start and end with a lowercase letter or a digit", name)
	case strings.Contains(name, ".."):
		return fmt.Errorf("%q: two adjacent dots are not allowed", name)
	case net.ParseIP(name) != nil || ipShapedRe.MatchString(name):
		return fmt.Errorf("%q is shaped like an IP address, which S3 forbids", name)
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("%q: names starting with %q are reserved by AWS", name, p)
		}
	}
	for _, s := range reservedSuffixes {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("%q: names ending with %q are reserved by AWS", name, s)
		}
	}
	return nil
}

// BucketNameWarnings are legal-but-risky traits of a name.
func BucketNameWarnings(name string) []string {
	var w []string
	if strings.Contains(name, ".") {
		w = append(w, fmt.Sprintf("%q contains dots: virtual-hosted HTTPS URLs (bucket.s3.amazonaws.com) fail certificate checks for such names; prefer hyphens", name))
	}
	return w
}

func isAlnum(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') }

// Regions are the commercial AWS regions (partition aws) where a bucket can be
// created: the only ones the wizard offers. AWS GovCloud (US) and China are
// other partitions (arn:aws-us-gov:, arn:aws-cn:, amazonaws.com.cn), where
// Budgets, service principals and endpoints differ in ways that cannot be
// tested without such an account, so they are refused (otherPartition).
var Regions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	"af-south-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
	"eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
	"il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
}

// otherPartition names the AWS partition of a GovCloud or China region ("" for
// any other name).
func otherPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return "AWS GovCloud (US) (partition aws-us-gov)"
	case strings.HasPrefix(region, "cn-"):
		return "AWS China (partition aws-cn, endpoints in amazonaws.com.cn)"
	}
	return ""
}

// ValidateRegion rejects names that are not AWS regions.
func ValidateRegion(r string) error {
	if r == "" {
		return fmt.Errorf("no region given (e.g. eu-west-3 for Paris)")
	}
	for _, x := range Regions {
		if x == r {
			return nil
		}
	}
	if p := otherPartition(r); p != "" {
		return fmt.Errorf("%s is in %s: not supported: the wizard builds commercial ARNs (arn:aws:), service principals and URLs, and cannot test Budgets and monitoring there; choose a commercial region (e.g. us-east-1, eu-west-3)", r, p)
	}
	return fmt.Errorf("unknown region %q (e.g. eu-west-3, us-east-1); an S3-compatible provider's region (auto, fr-par, nyc3…) needs credentials: provided", r)
}

// providerRegionRe is the shape of an S3-compatible provider's region
// name: lowercase letters, digits and hyphens, not starting or ending with
// a hyphen (auto, fr-par, nyc3, us-west-004, us-east-1).
var providerRegionRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// maxProviderRegion is the longest provider region name accepted.
const maxProviderRegion = 32

// ValidateProviderRegion is the rule of the region with credentials:
// provided. Each provider names its own regions (Cloudflare R2: auto,
// Scaleway: fr-par, DigitalOcean Spaces: nyc3, Backblaze B2: us-west-004,
// MinIO: any, us-east-1 by default), so only the shape is checked: the
// name goes to the SDK's signature, the env file and the settings.
func ValidateProviderRegion(r string) error {
	switch {
	case r == "":
		return fmt.Errorf("no region given: your provider's region name (e.g. auto for Cloudflare R2, fr-par for Scaleway, nyc3 for DigitalOcean Spaces, us-east-1 for MinIO)")
	case len(r) > maxProviderRegion || !providerRegionRe.MatchString(r):
		return fmt.Errorf("%q: a provider's region name is 1-%d lowercase letters, digits and hyphens, not starting or ending with a hyphen (e.g. auto, fr-par, nyc3, us-west-004)", r, maxProviderRegion)
	}
	return nil
}
