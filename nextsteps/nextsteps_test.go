package nextsteps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/state"
)

// "What now" is complete: with public prefixes it says to copy the
// storages module next to manage.py (else `import s3wizard_storages`
// fails after a green check), how the env file reaches the process, and
// marks done what the project already shows done.
func TestNextStepsCompleteAndMarkedDone(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n")
	write("mysite/settings.py", "INSTALLED_APPS = [\n    'django.contrib.admin',\n    'storages',\n]\n")
	write("requirements.txt", "Django==5.1.4\n")
	write(appconfig.SettingsFile, "# generated\n")
	write(appconfig.StoragesFile, "# storages\n")
	a := &config.Answers{Env: "staging", App: "mon-app", Region: "eu-west-3", Credentials: config.CredAccessKeys,
		PublicPrefixes: []string{"media/avatars/"}, EnvFile: ".env", Set: map[string]bool{}}
	p := state.New("staging")
	text := func() string {
		var b strings.Builder
		for _, n := range List(dir, djangoapp.Python{}, a, p) {
			b.WriteString(n.String() + "\n")
		}
		return b.String()
	}
	got := text()
	for _, want := range []string{
		"Copy the storages module next to manage.py", "cp .s3wizard/s3wizard_storages.py s3wizard_storages.py",
		"Load .env into the app's environment", "set -a; . ./.env; set +a",
		`done: Add "storages" to INSTALLED_APPS.`,
		"cp .s3wizard/django_settings.py mysite/s3wizard_settings.py",
	} {
		if !strings.Contains(got, want) {
			t.Fatalf("what now lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "done: Copy the generated settings") {
		t.Fatalf("the settings copy is marked done before it is made:\n%s", got)
	}
	write("mysite/s3wizard_settings.py", "# generated\n")
	write("s3wizard_storages.py", "# storages\n")
	got = text()
	for _, want := range []string{"done: Copy the generated settings", "done: Copy the storages module"} {
		if !strings.Contains(got, want) {
			t.Fatalf("what now lacks %q once done:\n%s", want, got)
		}
	}
	// Listed commands are printed whole, each on a line of its own.
	if out := Format(List(dir, djangoapp.Python{}, a, p)); !strings.Contains(out, "\n       set -a; . ./.env; set +a  # shell\n") {
		t.Fatalf("formatted:\n%s", out)
	}
}
