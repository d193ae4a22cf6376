package djangoapp

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"text/template"

	assets "github.com/s3wizard/s3wizard/assets/django"
)

// DefaultStoragesModule is the import path of the companion storages module
// (Django < 4.2) when SettingsParams.StoragesModule is empty.
const DefaultStoragesModule = "s3wizard_storages"

// SettingsParams are the inputs of the generated settings block.
type SettingsParams struct {
	// DjangoVersion and StoragesVersion select the settings names and the
	// backend path; "" means the newest release.
	DjangoVersion   string
	StoragesVersion string
	// Region is the fallback for AWS_S3_REGION_NAME (required). Bucket only
	// appears in a comment: the generated code reads the bucket from the
	// environment.
	Region string
	Bucket string
	// PublicPrefixes are anonymous-read prefixes such as "media/blog/".
	PublicPrefixes []string
	StaticOnS3     bool
	// CustomEndpoint notes that the project uses an S3-compatible endpoint;
	// the generated code picks path-style addressing at run time whenever
	// AWS_S3_ENDPOINT_URL is set.
	CustomEndpoint bool
	// KMS: the bucket encrypts with SSE-KMS (adds the caveats).
	KMS bool
	// StoragesModule is the dotted import path under which the companion
	// module (GeneratePublicStorages) is saved; DefaultStoragesModule if "".
	StoragesModule string
}

// PublicStorage describes the storage generated for one public prefix.
type PublicStorage struct {
	Prefix   string // "media/blog/"
	Location string // "media/blog"
	Alias    string // STORAGES alias on Django 4.2+: "public_blog"
	Class    string // companion class on Django < 4.2: "PublicBlogStorage"
}

// NewStorages reports whether the settings use the STORAGES dict (Django 4.2+).
func (p SettingsParams) NewStorages() bool { return AtLeast(p.DjangoVersion, 4, 2) }

// NeedsStoragesModule reports whether the settings refer to the companion
// module of GeneratePublicStorages (Django < 4.2 with static files on S3 or
// public prefixes).
func (p SettingsParams) NeedsStoragesModule() bool {
	return !p.NewStorages() && (p.StaticOnS3 || len(p.PublicPrefixes) > 0)
}

// Backend returns the django-storages S3 backend path for the version:
// storages.backends.s3.S3Storage from 1.14, s3boto3.S3Boto3Storage before.
func (p SettingsParams) Backend() string {
	mod, cls := p.backend()
	return mod + "." + cls
}

// StaticBackend returns the S3ManifestStaticStorage path for the version.
func (p SettingsParams) StaticBackend() string {
	mod, _ := p.backend()
	return mod + ".S3ManifestStaticStorage"
}

func (p SettingsParams) backend() (module, class string) {
	if AtLeast(p.StoragesVersion, 1, 14) {
		return "storages.backends.s3", "S3Storage"
	}
	return "storages.backends.s3boto3", "S3Boto3Storage"
}

// PublicStorages names the storage of each public prefix (aliases and
// class names are unique).
func (p SettingsParams) PublicStorages() ([]PublicStorage, error) {
	var out []PublicStorage
	seen := map[string]bool{}
	for _, prefix := range p.PublicPrefixes {
		if !prefixRe.MatchString(prefix) || strings.Contains(prefix, "..") || strings.Contains(prefix, "//") {
			return nil, fmt.Errorf("public prefix %q: expected a prefix under media/ or static/ ending with / (e.g. media/blog/)", prefix)
		}
		loc := strings.TrimSuffix(prefix, "/")
		rest := strings.TrimPrefix(loc, "media/")
		words := strings.FieldsFunc(rest, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		})
		alias := "public_" + strings.Join(words, "_")
		cls := "Public"
		for _, w := range words {
			cls += strings.ToUpper(w[:1]) + w[1:]
		}
		cls += "Storage"
		base, baseCls := alias, strings.TrimSuffix(cls, "Storage")
		for i := 2; seen[alias]; i++ {
			alias = fmt.Sprintf("%s_%d", base, i)
			cls = fmt.Sprintf("%s%dStorage", baseCls, i)
		}
		seen[alias] = true
		out = append(out, PublicStorage{Prefix: prefix, Location: loc, Alias: alias, Class: cls})
	}
	return out, nil
}

var (
	prefixRe    = regexp.MustCompile(`^(media|static)/([a-z0-9][a-z0-9._-]*/)*$`)
	regionRe    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	bucketRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	modRe       = regexp.MustCompile(`^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$`)
	safeVerRe   = regexp.MustCompile(`^[0-9A-Za-z.+-]{1,32}$`)
	templates   = template.Must(template.New("").Funcs(template.FuncMap{"py": pyString}).ParseFS(assets.FS, "*.tmpl"))
	errNoRegion = fmt.Errorf("region is required (the fallback for AWS_S3_REGION_NAME)")
)

// pyString renders s as a Python string literal (inputs are validated to
// plain ASCII before rendering).
func pyString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

type tmplData struct {
	SettingsParams
	DjangoLabel, StoragesLabel  string
	Backend, StaticBackend      string
	BackendModule, BackendClass string
	StoragesFile                string
	Public                      []PublicStorage
}

func (p SettingsParams) data() (*tmplData, error) {
	if p.Region == "" {
		return nil, errNoRegion
	}
	if !regionRe.MatchString(p.Region) {
		return nil, fmt.Errorf("region %q: not an AWS region name (e.g. eu-west-3)", p.Region)
	}
	if p.Bucket != "" && !bucketRe.MatchString(p.Bucket) {
		return nil, fmt.Errorf("bucket %q: not a valid S3 bucket name", p.Bucket)
	}
	if p.StoragesModule == "" {
		p.StoragesModule = DefaultStoragesModule
	}
	if !modRe.MatchString(p.StoragesModule) {
		return nil, fmt.Errorf("storages module %q: not a dotted Python module path", p.StoragesModule)
	}
	label := func(v, latest string) (string, error) {
		if v == "" {
			return latest + " (version unknown: assuming the newest)", nil
		}
		if !safeVerRe.MatchString(v) {
			return "", fmt.Errorf("version %q: not a version number", v)
		}
		return v, nil
	}
	d := &tmplData{SettingsParams: p}
	var err error
	if d.DjangoLabel, err = label(p.DjangoVersion, LatestDjango); err != nil {
		return nil, fmt.Errorf("django %w", err)
	}
	if d.StoragesLabel, err = label(p.StoragesVersion, LatestStorages); err != nil {
		return nil, fmt.Errorf("django-storages %w", err)
	}
	if d.Public, err = p.PublicStorages(); err != nil {
		return nil, err
	}
	d.Backend, d.StaticBackend = p.Backend(), p.StaticBackend()
	d.BackendModule, d.BackendClass = p.backend()
	d.StoragesFile = strings.ReplaceAll(p.StoragesModule, ".", "/") + ".py"
	return d, nil
}

func render(name string, d *tmplData) ([]byte, error) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, d); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// GenerateSettings renders the settings block written to
// .s3wizard/django_settings.py: Python that reads USE_S3_STORAGE,
// AWS_STORAGE_BUCKET_NAME, AWS_S3_REGION_NAME and AWS_S3_ENDPOINT_URL from
// the environment and configures django-storages for p's Django version.
func GenerateSettings(p SettingsParams) ([]byte, error) {
	d, err := p.data()
	if err != nil {
		return nil, fmt.Errorf("generate django settings: %w", err)
	}
	return render("settings.py.tmpl", d)
}

// GeneratePublicStorages renders the companion module (saved as
// StoragesModule, by default s3wizard_storages.py) that Django < 4.2 needs:
// StaticStorage for static files on S3 and one Public<Name>Storage class per
// public prefix. It is valid for any version; on Django 4.2+ the STORAGES
// aliases of GenerateSettings make it unnecessary (see NeedsStoragesModule).
func GeneratePublicStorages(p SettingsParams) ([]byte, error) {
	d, err := p.data()
	if err != nil {
		return nil, fmt.Errorf("generate django storages module: %w", err)
	}
	return render("storages.py.tmpl", d)
}
