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
// when SettingsParams.StoragesModule is empty.
const DefaultStoragesModule = "s3wizard_storages"

// SettingsParams are the inputs of the generated files. The files do not
// depend on the environment (staging, prod …) nor on the project's Django
// and django-storages versions: everything env-specific is read from
// environment variables (the Env* constants), and the versions are checked when the
// settings are imported, so one file serves every env and every version.
type SettingsParams struct {
	// StoragesModule is the dotted import path under which the companion
	// module (GeneratePublicStorages) is saved; DefaultStoragesModule if "".
	StoragesModule string
}

// Environment variables the generated settings read besides the
// credentials (boto3 reads those itself).
const (
	EnvUseS3          = "USE_S3_STORAGE"
	EnvBucket         = "AWS_STORAGE_BUCKET_NAME"
	EnvRegion         = "AWS_S3_REGION_NAME"
	EnvEndpoint       = "AWS_S3_ENDPOINT_URL"
	EnvStatic         = "USE_S3_STATIC"
	EnvPublicPrefixes = "S3_PUBLIC_PREFIXES"
	// EnvPublicSSE is the server-side encryption the public and static
	// storages ask for on every upload: AES256, or unset for none.
	EnvPublicSSE = "S3_PUBLIC_SSE"
	// EnvPublicDomain is the base URL (a CDN, a provider's public domain)
	// of the public and static files' URLs; unset: the bucket's own.
	EnvPublicDomain = "S3_PUBLIC_DOMAIN"
)

var (
	modRe     = regexp.MustCompile(`^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$`)
	templates = template.Must(template.New("").Funcs(template.FuncMap{"py": pyString}).ParseFS(assets.FS, "*.tmpl"))
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

// SettingsModuleFile is the name the generated settings take next to
// settings.py, and SettingsImport the line that loads them at its end.
const (
	SettingsModuleFile = "s3wizard_settings.py"
	SettingsImport     = "from .s3wizard_settings import *  # noqa: E402,F401,F403"
	// MinStorages is the oldest django-storages the generated settings
	// accept (they check it when imported).
	MinStorages = "1.13"
)

type tmplData struct {
	StoragesModule, StoragesFile string
	ModuleFile, Import           string
}

func (p SettingsParams) data() (*tmplData, error) {
	if p.StoragesModule == "" {
		p.StoragesModule = DefaultStoragesModule
	}
	if !modRe.MatchString(p.StoragesModule) {
		return nil, fmt.Errorf("storages module %q: not a dotted Python module path", p.StoragesModule)
	}
	return &tmplData{ModuleFile: SettingsModuleFile, Import: SettingsImport, StoragesModule: p.StoragesModule, StoragesFile: strings.ReplaceAll(p.StoragesModule, ".", "/") + ".py"}, nil
}

func render(name string, d *tmplData) ([]byte, error) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, d); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// GenerateSettings renders the settings block written to
// .s3wizard/django_settings.py: Python that reads the Env* variables
// and configures django-storages for the Django and django-storages it is
// imported with (STORAGES from Django 4.2, keeping the project's own static
// storage while static files stay local).
func GenerateSettings(p SettingsParams) ([]byte, error) {
	d, err := p.data()
	if err != nil {
		return nil, fmt.Errorf("generate django settings: %w", err)
	}
	return render("settings.py.tmpl", d)
}

// GeneratePublicStorages renders the companion module (saved as
// StoragesModule, by default s3wizard_storages.py): PublicStorage(prefix)
// for the public prefixes (any Django version) and StaticStorage for static
// files on S3 before Django 4.2.
func GeneratePublicStorages(p SettingsParams) ([]byte, error) {
	d, err := p.data()
	if err != nil {
		return nil, fmt.Errorf("generate django storages module: %w", err)
	}
	return render("storages.py.tmpl", d)
}
