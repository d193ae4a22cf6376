package config

import (
	"errors"
	"strings"
	"testing"
)

// The region's rule depends on credentials: with credentials: provided any
// provider region name of a sane shape is accepted (Cloudflare R2, Scaleway,
// DigitalOcean Spaces, Backblaze B2, MinIO); with AWS credentials only the
// commercial AWS regions are, as before. The same rule answers the answers
// file (Validate), a typed answer (SetString) and the question asked after
// the credentials answer (For(a).Validate).
func TestRegionRuleFollowsCredentials(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	const endpoint = "endpoint: https://s3.example.net\n"
	for _, c := range []struct {
		region, credentials string
		want                string // "" accepted, else a piece of the error
	}{
		{"auto", "provided", ""},
		{"fr-par", "provided", ""},
		{"nl-ams", "provided", ""},
		{"pl-waw", "provided", ""},
		{"nyc3", "provided", ""},
		{"fra1", "provided", ""},
		{"us-west-004", "provided", ""},
		{"eu-central-003", "provided", ""},
		{"us-east-1", "provided", ""},
		{"garage", "provided", ""},
		{"a", "provided", ""},
		{strings.Repeat("a", 32), "provided", ""},
		// Bad shapes, refused with the shape rule.
		{strings.Repeat("a", 33), "provided", "1-32 lowercase letters, digits and hyphens"},
		{"FR-PAR", "provided", "1-32 lowercase letters"},
		{"fr_par", "provided", "1-32 lowercase letters"},
		{"fr par", "provided", "1-32 lowercase letters"},
		{"-fr-par", "provided", "not starting or ending with a hyphen"},
		{"fr-par-", "provided", "not starting or ending with a hyphen"},
		{"fr.par", "provided", "1-32 lowercase letters"},
		{"fr'par", "provided", "1-32 lowercase letters"},
		// AWS credentials: the AWS rule, unchanged.
		{"eu-west-3", "access-keys", ""},
		{"us-east-1", "instance-role", ""},
		{"auto", "access-keys", `unknown region "auto"`},
		{"fr-par", "access-keys", "needs credentials: provided"},
		{"nyc3", "instance-role", `unknown region "nyc3"`},
		{"us-west-004", "access-keys", `unknown region "us-west-004"`},
		{"us-gov-west-1", "access-keys", "not supported"},
		{"cn-north-1", "instance-role", "not supported"},
	} {
		name := c.region + " with " + c.credentials
		text := "env: staging\napp: mon-app\nregion: \"" + c.region + "\"\ncredentials: " + c.credentials + "\n" + endpoint
		a, err := Parse([]byte(text))
		if err != nil {
			t.Fatalf("%s: parse: %v", name, err)
		}
		a.ApplyDefaults()
		err = a.Validate()
		var ke *KeyError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: answers file refused: %v", name, err)
		case c.want != "" && (!errors.As(err, &ke) || ke.Key != "region" || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: answers file: %v, want a region error with %q", name, err, c.want)
		}
		// Typed: in the context of the credentials already answered.
		b := &Answers{Credentials: c.credentials, Endpoint: "https://s3.example.net"}
		if err := b.SetString("region", c.region); (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: SetString: %v, want %q", name, err, c.want)
		}
		q, _ := Lookup("region")
		if err := q.For(b).Validate(c.region); (err == nil) != (c.want == "") {
			t.Errorf("%s: the question's Validate: %v, want %q", name, err, c.want)
		}
	}
}

// With credentials: provided the region question is typed, not chosen
// among AWS's regions, and offers the region the endpoint's host names
// (else MinIO's default); with AWS credentials it is the AWS select.
func TestRegionQuestionFollowsCredentials(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	q, _ := Lookup("region")
	aws := q.For(&Answers{Credentials: CredAccessKeys})
	if aws.Kind != KindSelect || len(aws.Options) != len(Regions) || aws.Title != "AWS region" || aws.Default(&Answers{Credentials: CredAccessKeys}) != "eu-west-3" {
		t.Errorf("AWS credentials: region asked as %s %q with %d options, offering %q", aws.Kind, aws.Title, len(aws.Options), aws.Default(&Answers{}))
	}
	for endpoint, want := range map[string]string{
		"https://s3.fr-par.scw.cloud":                       "fr-par",
		"https://s3.nl-ams.scw.cloud":                       "nl-ams",
		"https://0123456789abcdef.r2.cloudflarestorage.com": "auto",
		"https://acct.eu.r2.cloudflarestorage.com":          "auto",
		"https://nyc3.digitaloceanspaces.com":               "nyc3",
		"https://fra1.digitaloceanspaces.com":               "fra1",
		"https://s3.us-west-004.backblazeb2.com":            "us-west-004",
		"https://s3.eu-central-003.backblazeb2.com":         "eu-central-003",
		"http://127.0.0.1:9000":                             "us-east-1",
		"http://localhost:9000":                             "us-east-1",
		"https://s3.amazonaws.com":                          "us-east-1",
		"https://minio.example.com":                         "us-east-1",
	} {
		a := &Answers{Credentials: CredProvided, Endpoint: endpoint, Set: map[string]bool{"credentials": true, "endpoint": true}}
		p := q.For(a)
		if p.Kind != KindInput || len(p.Options) != 0 || !strings.Contains(p.Title, "Provider") {
			t.Errorf("%s: region asked as %s %q with %d options, want a text input", endpoint, p.Kind, p.Title, len(p.Options))
		}
		if got := p.Default(a); got != want {
			t.Errorf("%s: offers region %q, want %q", endpoint, got, want)
		}
		if err := p.Validate(p.Default(a)); err != nil {
			t.Errorf("%s: the offered region is refused: %v", endpoint, err)
		}
	}
	// An answer is kept as is.
	a := &Answers{Credentials: CredProvided, Endpoint: "https://s3.fr-par.scw.cloud", Region: "pl-waw", Set: map[string]bool{"region": true}}
	if got := q.For(a).Default(a); got != "pl-waw" {
		t.Errorf("answered pl-waw, offered %q", got)
	}
}
