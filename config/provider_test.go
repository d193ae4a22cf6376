package config

import (
	"strings"
	"testing"
)

// TestPublicPrefixesWithoutAPolicyNeedPublicDomain: at a provider where no
// bucket policy the wizard writes makes public prefixes readable (R2, B2,
// Scaleway), public prefixes without public_domain are refused naming
// public_domain, before anything changes; with it, or at Spaces (a policy
// in AWS's grammar), or without public prefixes, the answers pass.
func TestPublicPrefixesWithoutAPolicyNeedPublicDomain(t *testing.T) {
	const base = "env: staging\napp: mon-app\nregion: us-east-1\ncredentials: provided\n"
	for endpoint, needs := range map[string]bool{
		"https://0123.r2.cloudflarestorage.com":  true,
		"https://s3.us-west-004.backblazeb2.com": true,
		"https://s3.fr-par.scw.cloud":            true,
		"https://nyc3.digitaloceanspaces.com":    false,
		"https://minio.example.com":              false,
	} {
		for extra, wantErr := range map[string]bool{
			"public_prefixes: [media/blog/]\n": needs,
			"static_on_s3: true\n":             needs,
			"public_prefixes: [media/blog/]\npublic_domain: https://media.example.com\n": false,
			"": false,
		} {
			a, err := Parse([]byte(base + "endpoint: " + endpoint + "\n" + extra))
			if err != nil {
				t.Fatal(err)
			}
			a.ApplyDefaults()
			err = a.Validate()
			if got := err != nil && strings.Contains(err.Error(), "public_domain"); got != wantErr || (err != nil && !wantErr) {
				t.Errorf("%s with %q: %v, want an error naming public_domain: %v", endpoint, extra, err, wantErr)
			}
		}
	}
}
