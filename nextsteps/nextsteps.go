// Package nextsteps is what is left to the user once an env is set up
// ("what now"): said by apply, the TUI and the hand-off document, and, for
// loading the generated settings, by the app-config step's plan.
package nextsteps

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/state"
)

// KeyRotationDays is how long an access key lives before it is rotated
// (CIS AWS Foundations).
const KeyRotationDays = 90

// Step is one thing left to the user once an env is set up.
type Step struct {
	// Text says what to do and why; it may be wrapped.
	Text string
	// Lines are commands or code, each to be copied whole: printed on a
	// line of its own, never wrapped.
	Lines []string
	// Done: the project already shows it done (shown as such).
	Done bool
}

// String is the step as one line of prose (logs, tests).
func (n Step) String() string {
	s := n.Text
	if len(n.Lines) > 0 {
		s += " " + strings.Join(n.Lines, " ; ")
	}
	if n.Done {
		s = "done: " + s
	}
	return s
}

// Format is the numbered list for a terminal's scrollback or a
// document: each item's text, then each of its lines indented on a line of
// its own, unwrapped, so a command is copied whole.
func Format(list []Step) string {
	var b strings.Builder
	for i, n := range list {
		mark := ""
		if n.Done {
			mark = "✓ done: "
		}
		fmt.Fprintf(&b, "  %d. %s%s\n", i+1, mark, n.Text)
		for _, l := range n.Lines {
			fmt.Fprintf(&b, "       %s\n", l)
		}
	}
	return b.String()
}

// List is what is left to the user once the env of answers a is set up in
// the project at dir (p: its progress), in order:
// the Heroku command, the generated settings (copied and imported, one
// way), the companion storages module when used, INSTALLED_APPS, the env
// file reaching the process, the packages to pin, the hand-off document
// and the key's rotation date. What the project already shows done is
// marked done.
func List(dir string, py djangoapp.Python, a *config.Answers, p *state.Progress) []Step {
	var out []Step
	env, _ := envfile.Read(a.EnvFilePath(dir))
	keyID := env[appconfig.EnvKeyID]
	key := p.Key(keyID)
	if a.UsesAccessKeys() && a.HerokuApp != "" && (key == nil || !slices.Contains(key.Deployed, "heroku")) {
		out = append(out, Step{Text: fmt.Sprintf("Set the config vars of Heroku app %s in one restart (the file holds the secret: delete it afterwards):", a.HerokuApp),
			Lines: []string{"sh " + appconfig.HerokuFile(a.Env)}})
	}
	proj, err := djangoapp.Detect(dir, py)
	if err != nil {
		proj = nil
	}
	out = append(out, Settings(dir, a, proj)...)
	settingsSrc := readProjectFile(proj, func(p *djangoapp.Project) string { return p.SettingsFile })
	out = append(out, Step{Text: `Add "storages" to INSTALLED_APPS.`, Done: installedStorages.Match(settingsSrc)})
	if !a.UsesInstanceRole() {
		out = append(out, envFileStep(a, settingsSrc))
	}
	pin := storagesPin(proj)
	reqs := readProjectFile(proj, func(p *djangoapp.Project) string { return filepath.Join(p.Dir, "requirements.txt") })
	out = append(out,
		Step{Text: "Pin the packages in requirements.txt:", Lines: []string{pin, "boto3"},
			Done: bytes.Contains(reqs, []byte("django-storages")) && bytes.Contains(reqs, []byte("boto3"))},
		Step{Text: "Write the hand-off document for whoever runs the app:", Lines: []string{"s3wizard docs --env " + a.Env}})
	if a.UsesAccessKeys() && key != nil && !key.Created.IsZero() {
		due := key.Created.AddDate(0, 0, KeyRotationDays)
		out = append(out, Step{Text: fmt.Sprintf("Rotate the access key %s by %s (every %d days):", text.Mask(keyID), due.Format("2006-01-02"), KeyRotationDays),
			Lines: []string{"s3wizard rotate-keys --env " + a.Env}})
	}
	return out
}

var installedStorages = regexp.MustCompile(`INSTALLED_APPS[^\]\)]*["']storages["']`)

// Settings is the one way the generated settings are loaded (the plan
// says the same): copied next to settings.py, imported at its end; and the
// companion storages module copied next to manage.py when the project
// uses it (public prefixes, static files before Django 4.2).
func Settings(dir string, a *config.Answers, proj *djangoapp.Project) []Step {
	settings := "settings.py"
	if proj != nil && proj.SettingsFile != "" {
		if rel, err := filepath.Rel(proj.Dir, proj.SettingsFile); err == nil {
			settings = rel
		}
	}
	dest := filepath.Join(filepath.Dir(settings), djangoapp.SettingsModuleFile)
	src := readProjectFile(proj, func(p *djangoapp.Project) string { return p.SettingsFile })
	out := []Step{
		{Text: fmt.Sprintf("Copy the generated settings next to %s:", settings),
			Lines: []string{fmt.Sprintf("cp %s %s", appconfig.SettingsFile, dest)}, Done: sameFile(dir, appconfig.SettingsFile, dest)},
		{Text: fmt.Sprintf("Import them at the end of %s:", settings),
			Lines: []string{djangoapp.SettingsImport}, Done: bytes.Contains(src, []byte("from .s3wizard_settings import"))},
	}
	if storagesModuleNeeded(a, proj) {
		mod := djangoapp.DefaultStoragesModule + ".py"
		out = append(out, Step{Text: fmt.Sprintf("Copy the storages module next to manage.py (imported as %s: public prefixes use its PublicStorage(\"media/…/\"), and Django < 4.2 its StaticStorage):", djangoapp.DefaultStoragesModule),
			Lines: []string{fmt.Sprintf("cp %s %s", appconfig.StoragesFile, mod)}, Done: sameFile(dir, appconfig.StoragesFile, mod)})
	}
	return out
}

// envFileStep says how the env file reaches the process locally: without
// it the settings fall back to local storage without a word.
func envFileStep(a *config.Answers, settingsSrc []byte) Step {
	f := a.EnvFile
	loaded := bytes.Contains(settingsSrc, []byte("read_env")) || bytes.Contains(settingsSrc, []byte("load_dotenv"))
	return Step{Text: fmt.Sprintf("Load %s into the app's environment (without it default_storage stays local, silently): in settings.py, before the import above, with django-environ or python-dotenv; or in the shell that runs the app:", f),
		Lines: []string{
			fmt.Sprintf("environ.Env.read_env(BASE_DIR / %q)  # django-environ", f),
			fmt.Sprintf("load_dotenv(BASE_DIR / %q)  # python-dotenv", f),
			fmt.Sprintf("set -a; . ./%s; set +a  # shell", f),
		}, Done: loaded}
}

func readProjectFile(proj *djangoapp.Project, path func(*djangoapp.Project) string) []byte {
	if proj == nil || path(proj) == "" {
		return nil
	}
	b, _ := os.ReadFile(path(proj))
	return b
}

// sameFile reports whether the copy at dst (relative to dir) holds src's bytes.
func sameFile(dir, src, dst string) bool {
	a, err := os.ReadFile(filepath.Join(dir, src))
	if err != nil {
		return false
	}
	b, err := os.ReadFile(filepath.Join(dir, dst))
	return err == nil && bytes.Equal(a, b)
}

// StoragesModuleNeeded reports whether the project at dir needs the
// companion storages module copied next to manage.py: for PublicStorage
// (public prefixes), and for static files on S3 unless the project's Django
// is known to be 4.2 or newer (STORAGES then configures them).
func StoragesModuleNeeded(dir string, py djangoapp.Python, a *config.Answers) bool {
	var proj *djangoapp.Project
	if len(a.PublicPrefixes) == 0 && a.StaticOnS3 { // only then does the version decide
		proj, _ = djangoapp.Detect(dir, py) // nil when none is found
	}
	return storagesModuleNeeded(a, proj)
}

// storagesModuleNeeded is StoragesModuleNeeded for the detected project
// proj (nil: none found).
func storagesModuleNeeded(a *config.Answers, proj *djangoapp.Project) bool {
	if len(a.PublicPrefixes) > 0 {
		return true
	}
	return a.StaticOnS3 && (proj == nil || !djangoapp.AtLeast(proj.DjangoVersion, 4, 2))
}

// storagesPin is the requirement line for django-storages: the version the
// project p (nil: none detected) uses, else the oldest the generated settings accept.
func storagesPin(p *djangoapp.Project) string {
	if p != nil && p.StoragesVersion != "" {
		return "django-storages[s3]==" + p.StoragesVersion
	}
	return "django-storages[s3]>=" + djangoapp.MinStorages
}
