package config

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// seeds are answers files from the issues' hostile cases.
var seeds = []string{
	base,
	"",
	"env: staging\napp: mon-app\nbuckett: x\n",
	base + "bucket: " + strings.Repeat("a", 63) + "\n",
	base + "public_prefixes: ['media/????????/', 'media/${aws:username}/']\n",
	base + "heroku_app: 'x; touch /tmp/PWNED'\n",
	base + "env_file: .gitignore\n",
	base + "env_file: \"!x\\n#y\"\n",
	base + "env_file: ../.env\n",
	base + "budget: {monthly_usd: .nan, email: ops@example.com}\n",
	base + "alarms: {bucket_size_gb: -.inf, number_of_objects: -1}\n",
	base + "lifecycle: {uploads_expire_days: -1, noncurrent_expire_days: 99999999999}\n",
	base + "encryption: SSE-KMS\nkms_key_id: alias/x\n",
	base + "folders: [&a x, *a, [y]]\n",
	base + "credentials: instance-role\nrole_name: " + strings.Repeat("r", 70) + "\n",
	"{\"env\": \"staging\", \"app\": \"mon-app\", \"region\": \"eu-west-3\", \"versioning\": \"maybe\"}",
	"a: &a [*a]\n",
	"- x\n",
	"bucket: 192.168.05.4\n",
	base + "lifecycle: {archive_tier: DEEP_ARCHIVE}\n",
	base + "region: x\nregion: y\n",
}

// knownKeyNamed reports whether err names a key: a known one, or the
// unknown one the file gave.
func knownKeyNamed(err error) bool {
	var ke *KeyError
	var uk *UnknownKeyError
	switch {
	case errors.As(err, &ke):
		_, known := byKey[ke.Key]
		return (known || isNested(ke.Key)) && strings.Contains(err.Error(), ke.Key)
	case errors.As(err, &uk):
		return uk.Key != "" && strings.Contains(err.Error(), strconv.Quote(uk.Key))
	}
	return false
}

// FuzzAnswers: parsing and validating any answers file never panics; every
// rejection names the key it is about (or is about the file as a whole:
// size, YAML syntax, not a mapping); what is accepted survives a round trip.
func FuzzAnswers(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrFile) && !knownKeyNamed(err) {
				t.Fatalf("rejection names no key: %v", err)
			}
			if goTypeNames.MatchString(err.Error()) && !errors.Is(err, ErrFile) {
				t.Fatalf("error names a Go type: %v", err)
			}
			return
		}
		a.ApplyDefaults()
		if err := a.Validate(); err != nil {
			if !knownKeyNamed(err) {
				t.Fatalf("rejection names no key: %v", err)
			}
			return
		}
		y, err := a.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		b, err := Parse(y)
		if err != nil {
			t.Fatalf("valid answers do not parse back: %v\n%s", err, y)
		}
		for _, q := range keys {
			if a.Text(q.Key) != b.Text(q.Key) {
				t.Fatalf("%s: %q became %q", q.Key, a.Text(q.Key), b.Text(q.Key))
			}
		}
	})
}

// FuzzSetString: an answer typed in the TUI, --accessible or the CLI
// prompt never panics, and a refusal starts with its key.
func FuzzSetString(f *testing.F) {
	for i, v := range []string{"staging", "x; touch /tmp/PWNED", "media/????/", "NaN", "-1", "1e309", "yes", "a,b,,c", ".gitignore", "ops@example.com;x", "99999999999999999999"} {
		f.Add(uint8(i), v)
	}
	f.Fuzz(func(t *testing.T, i uint8, v string) {
		q := keys[int(i)%len(keys)]
		a, _ := Parse([]byte(base))
		if err := a.SetString(q.Key, v); err != nil {
			if !strings.HasPrefix(err.Error(), q.Key+": ") {
				t.Fatalf("refusal does not start with its key: %v", err)
			}
			return
		}
		if err := q.rule(a); err != nil {
			t.Fatalf("SetString accepted %q, which the rule refuses: %v", v, err)
		}
	})
}
