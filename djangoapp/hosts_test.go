package djangoapp

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// cors_origins' default comes from ALLOWED_HOSTS only when the settings
// list them literally (issue 22 §2): a computed list offers nothing rather
// than a wrong guess.
func TestSiteHostsReadsOnlyALiteralAllowedHosts(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string
	}{
		{"ALLOWED_HOSTS = ['www.example.com', \".example.org\"]\n", []string{"www.example.com", ".example.org"}},
		{"ALLOWED_HOSTS = [\n    'a.example.com',  # prod\n    'localhost',\n]\n", []string{"a.example.com", "localhost"}},
		{"ALLOWED_HOSTS = []\nALLOWED_HOSTS = ('b.example.com',)\n", []string{"b.example.com"}},
		{"ALLOWED_HOSTS = os.environ['HOSTS'].split(',')\n", nil},
		{"ALLOWED_HOSTS = ['x.example.com', HOST]\n", nil},
		{"DEBUG = True\n", nil},
	} {
		if got := parseAllowedHosts(c.src); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %q, want %q", c.src, got, c.want)
		}
	}
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "manage.py"), []byte(`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")`), 0o644))
	must(os.MkdirAll(filepath.Join(dir, "mysite"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "mysite", "settings.py"), []byte("ALLOWED_HOSTS = ['www.example.com']\n"), 0o644))
	if got := SiteHosts(dir); !reflect.DeepEqual(got, []string{"www.example.com"}) {
		t.Errorf("SiteHosts = %q", got)
	}
}
