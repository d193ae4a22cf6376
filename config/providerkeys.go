package config

import (
	"errors"
	"regexp"
	"strings"
)

// The provider's keys (`credentials: provided`, typed in the wizard) are not
// answers: they go to the env file only, never to the progress file. These
// are their shape rules, loose enough for every provider (AWS: 16-128 word
// characters and a 40-character secret; MinIO: at least 3 and 8; R2: 32 and
// 64 hex; B2: 25 hex and 31; Spaces: 20 and 43; Scaleway: SCW… and a UUID).
// Errors never repeat the value: it may be a secret.
var (
	providerKeyIDRe  = regexp.MustCompile(`^[A-Za-z0-9._-]{3,128}$`)
	providerSecretRe = regexp.MustCompile(`^[\x21-\x7e]{8,128}$`)
)

// ValidProviderKeyID is the shape of an access key ID.
func ValidProviderKeyID(id string) error {
	if !providerKeyIDRe.MatchString(id) {
		return errors.New("an access key ID is 3-128 letters, digits, dots, dashes or underscores, with no spaces")
	}
	return nil
}

// ValidProviderSecret is the shape of a secret access key (id is the key
// ID typed with it: the same text twice is a paste mistake).
func ValidProviderSecret(secret, id string) error {
	switch {
	case !providerSecretRe.MatchString(secret) || strings.ContainsAny(secret, "\"'`$\\"):
		return errors.New("a secret access key is 8-128 visible characters, without spaces, quotes, backslashes or $")
	case secret == id:
		return errors.New("the secret access key is the key ID again: paste the secret")
	}
	return nil
}
