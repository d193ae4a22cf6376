package config

import (
	"errors"
	"strings"
	"testing"
)

// cloudfront: true is refused, naming the key and the reason, wherever it
// cannot work: an S3-compatible provider (no CloudFront), with the user's
// own public_domain, with nothing public to serve, and with SSE-KMS under
// the AWS managed key aws/s3 (its key policy cannot grant CloudFront).
func TestCloudFrontRefusals(t *testing.T) {
	base := "env: staging\napp: a\nregion: eu-west-3\ncloudfront: true\n"
	for _, c := range []struct{ name, yaml, want string }{
		{"provided", "credentials: provided\nendpoint: https://s3.fr-par.scw.cloud\nregion: fr-par\napp: a\ncloudfront: true\npublic_prefixes: [media/blog/]\n", "S3-compatible provider"},
		{"public_domain", base + "public_prefixes: [media/blog/]\npublic_domain: https://cdn.example.com\n", "leave public_domain"},
		{"nothing public", base, "nothing to serve"},
		{"aws/s3", base + "static_on_s3: true\nencryption: SSE-KMS\n", "aws/s3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Parse([]byte(c.yaml))
			if err != nil {
				t.Fatal(err)
			}
			a.ApplyDefaults()
			err = a.Validate()
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Key != "cloudfront" || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate = %v; want a cloudfront error saying %q", err, c.want)
			}
		})
	}
	ok := base + "static_on_s3: true\nencryption: SSE-KMS\nkms_key_id: 1234abcd-12ab-34cd-56ef-1234567890ab\n"
	a, err := Parse([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		t.Errorf("a customer key is refused: %v", err)
	}
	if !a.ServedByCloudFront() || len(a.AnonymousPrefixes()) != 0 {
		t.Errorf("served %v, anonymous %v", a.ServedByCloudFront(), a.AnonymousPrefixes())
	}
}

// The question is not offered with credentials: provided, nor with nothing
// public; it is offered with static files on S3.
func TestCloudFrontQuestionOffered(t *testing.T) {
	q, _ := Lookup("cloudfront")
	for _, c := range []struct {
		a    Answers
		want bool
	}{
		{Answers{Credentials: CredProvided, StaticOnS3: true}, false},
		{Answers{Credentials: CredAccessKeys}, false},
		{Answers{Credentials: CredAccessKeys, StaticOnS3: true}, true},
		{Answers{Credentials: CredInstanceRole, PublicPrefixes: []string{"media/blog/"}}, true},
	} {
		c.a.Set = map[string]bool{"credentials": true, "static_on_s3": true, "public_prefixes": true}
		if got := q.Relevant(&c.a); got != c.want {
			t.Errorf("Relevant(%+v) = %v, want %v", c.a, got, c.want)
		}
	}
}
