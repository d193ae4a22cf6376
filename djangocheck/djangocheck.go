// Package djangocheck is the guide's "upload and delete test from Django",
// run by the project's own Django with the env file's credentials (check,
// docs).
package djangocheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/s3wizard/s3wizard/appconfig"
	django "github.com/s3wizard/s3wizard/assets/django"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/steps"
)

// timeout bounds the project's Django process.
var timeout = 2 * time.Minute

// djangoCheckMarker starts the script's one JSON line on stdout (the
// project's settings may print too).
const djangoCheckMarker = "S3WIZARD-CHECK "

// byHand says how to run the same test without the wizard.
const byHand = "with the env file's variables exported, run `python manage.py shell` and: " +
	"from django.core.files.base import ContentFile; from django.core.files.storage import default_storage; " +
	"n = default_storage.save('check.txt', ContentFile(b'hi')); print(default_storage.open(n).read(), default_storage.url(n)); " +
	"open the URL in a browser (signed: it works; without its ?X-Amz-… part: 403); default_storage.delete(n); " +
	"do the same with each public storage (its URL has no signature and opens anonymously)"

// Run is the guide's "upload and delete test from Django", done by
// the project's own Django: manage.py runs with the env file's variables
// (and none of the operator's AWS_* ones) and the project's settings — plus
// the generated block when settings.py does not load it yet. Each storage
// (default_storage, each public storage) saves a file, reads it back, opens
// its URL (signed for private, plain for public) and deletes it. Versions
// and delete markers left by the deletes are purged with the wizard's
// credentials. Without a Django the project's Python can import, the check
// is skipped and says how to run it by hand.
func Run(ctx context.Context, r *steps.Run) []steps.Check {
	const name = "upload test from Django"
	if r.Answers.UsesInstanceRole() {
		return []steps.Check{steps.Skip(steps.DjangoUpload, name, "instance-role: the app's credentials exist only on the instance; run it there: "+byHand)}
	}
	proj, err := djangoapp.Detect(r.Dir, r.Python)
	if err != nil {
		return []steps.Check{steps.Skip(steps.DjangoUpload, name, fmt.Sprintf("no Django project (%v): %s", err, byHand))}
	}
	if proj.Python == "" || proj.VersionSource != "installed" {
		return []steps.Check{steps.Skip(steps.DjangoUpload, name, djangoapp.NoDjangoNote(proj.Tried)+"; or by hand: "+byHand)}
	}
	if proj.SettingsModule == "" {
		return []steps.Check{steps.Skip(steps.DjangoUpload, name, "manage.py does not name DJANGO_SETTINGS_MODULE: "+byHand)}
	}
	out, err := runDjangoCheck(ctx, r, proj)
	if err != nil {
		return []steps.Check{steps.Fail(steps.DjangoUpload, name, err.Error())}
	}
	var checks []steps.Check
	if out.Overlay {
		checks = append(checks, steps.Check{ID: steps.DjangoSettingsLoaded, Name: "settings.py loads the S3 settings", OK: true, Skipped: true,
			Detail: fmt.Sprintf("not yet: checked with %s applied on top; add it to %s (see its header)", appconfig.SettingsFile, proj.SettingsModule)})
	}
	// Every storage's test object goes in one purge (an empty key is
	// skipped).
	var keys []string
	for _, st := range out.Storages {
		keys = append(keys, st.Key)
	}
	r.PurgeProbeKeys(ctx, r.Answers.Bucket, keys...)
	for _, st := range out.Storages {
		for _, s := range st.Steps {
			c := steps.Check{ID: steps.CheckID(s.ID), Name: fmt.Sprintf("Django %s: %s", st.Storage, s.Name), OK: s.OK, Detail: s.Detail}
			checks = append(checks, c)
		}
	}
	if out.Error != "" {
		checks = append(checks, steps.Fail(steps.DjangoUpload, name, "Django "+out.Django+": "+out.Error))
	}
	if len(checks) == 0 {
		checks = append(checks, steps.Fail(steps.DjangoUpload, name, "the check printed no result"))
	}
	return checks
}

type djangoCheckOut struct {
	Django   string `json:"django"`
	Overlay  bool   `json:"overlay"`
	Error    string `json:"error"`
	Storages []struct {
		Storage string `json:"storage"`
		Key     string `json:"key"`
		Steps   []struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			OK     bool   `json:"ok"`
			Detail string `json:"detail"`
		} `json:"steps"`
	} `json:"storages"`
}

func runDjangoCheck(ctx context.Context, r *steps.Run, proj *djangoapp.Project) (*djangoCheckOut, error) {
	script, err := django.FS.ReadFile("s3wizard_check.py")
	if err != nil {
		return nil, err
	}
	tmp, err := settingsWrapperDir()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	vars, err := envfile.Read(r.EnvFilePath())
	if err != nil {
		return nil, fmt.Errorf("django check: env file: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// The script is code, not data: argv holds no secret.
	cmd := exec.CommandContext(cctx, proj.Python, proj.ManagePy, "shell", "-c", string(script))
	cmd.Dir = proj.Dir
	cmd.Env = checkEnv(r, proj, tmp, vars)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if out, found, err := checkResult(stdout.String()); found {
		return out, err
	}
	msg := lastLines(redactValues(stderr.String(), vars), 6)
	if runErr != nil {
		return nil, fmt.Errorf("%s manage.py shell failed (%v): %s", proj.Python, runErr, msg)
	}
	return nil, fmt.Errorf("%s manage.py shell printed no result: %s", proj.Python, msg)
}

// settingsWrapperDir is a new temporary folder holding the check's settings
// module, s3wizard_check_settings.py; the caller removes it.
func settingsWrapperDir() (string, error) {
	wrapper, err := django.FS.ReadFile("s3wizard_check_settings.py")
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "s3wizard-check-")
	if err != nil {
		return "", fmt.Errorf("django check: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "s3wizard_check_settings.py"), wrapper, 0o600); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("django check: %w", err)
	}
	return tmp, nil
}

// checkEnv is the environment of the check's Django process: the
// operator's variables it inherits, the env file's vars, and the check's
// own settings (the wrapper module in tmp first on the path).
func checkEnv(r *steps.Run, proj *djangoapp.Project, tmp string, vars map[string]string) []string {
	env := inheritedEnv(vars)
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	// The companion storages module (Django < 4.2) is importable from
	// .s3wizard/ too, after the project's own copy.
	return append(env,
		"DJANGO_SETTINGS_MODULE=s3wizard_check_settings",
		"PYTHONPATH="+strings.Join([]string{tmp, proj.Dir, filepath.Join(r.Dir, filepath.Dir(appconfig.SettingsFile))}, string(os.PathListSeparator)),
		"S3WIZARD_BASE_SETTINGS="+proj.SettingsModule,
		"S3WIZARD_GENERATED="+filepath.Join(r.Dir, appconfig.SettingsFile),
		"S3WIZARD_STORAGES_MODULE="+djangoapp.DefaultStoragesModule,
		"PYTHONDONTWRITEBYTECODE=1",
		"AWS_EC2_METADATA_DISABLED=true",
		// Only the env file's keys: never the operator's ~/.aws profile.
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
	)
}

// inheritedEnv are the operator's variables the check's process keeps: not
// those the env file sets, nor those the check sets itself.
func inheritedEnv(vars map[string]string) []string {
	// The operator's AWS_* variables (profile, keys, endpoint) stay out:
	// the app must work with the env file's alone.
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || k == "DJANGO_SETTINGS_MODULE" || k == "PYTHONPATH" || strings.HasPrefix(k, "S3WIZARD_") {
			continue
		}
		if _, ok := vars[k]; ok {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// checkResult is the script's result, read from its marker line in stdout;
// its bool is false when no line carries the marker.
func checkResult(stdout string) (*djangoCheckOut, bool, error) {
	for _, line := range strings.Split(stdout, "\n") {
		if rest, ok := strings.CutPrefix(line, djangoCheckMarker); ok {
			var out djangoCheckOut
			if err := json.Unmarshal([]byte(rest), &out); err != nil {
				return nil, true, fmt.Errorf("django check: unreadable result: %w", err)
			}
			return &out, true, nil
		}
	}
	return nil, false, nil
}

// redactValues hides the env file's secret values from text shown to the
// user (a settings traceback may quote them).
func redactValues(s string, vars map[string]string) string {
	for k, v := range vars {
		if len(v) >= 8 && (strings.Contains(k, "SECRET") || strings.Contains(k, "TOKEN") || strings.Contains(k, "PASSWORD")) {
			s = text.Redact(s, v, "****")
		}
	}
	return s
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
