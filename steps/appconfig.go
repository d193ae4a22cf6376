package steps

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/state"
)

// Env var names the app reads besides the credentials.
const (
	EnvBucket   = "AWS_STORAGE_BUCKET_NAME"
	EnvRegion   = "AWS_S3_REGION_NAME"
	EnvUseS3    = "USE_S3_STORAGE"
	EnvEndpoint = "AWS_S3_ENDPOINT_URL"
)

// Files the app-config step writes, relative to the project.
const (
	SettingsFile     = state.Dir + "/django_settings.py"
	StoragesFile     = state.Dir + "/s3wizard_storages.py"
	SetEnvFile       = "set_env.sh"
	secretFilePerm   = 0o600
	generatedPerm    = 0o644
	activateHookMark = "# added by s3wizard"
)

// Files written for an instance role (EC2 / Elastic Beanstalk): the /health/
// middleware, and the .ebextensions file pointing the load balancer's health
// check at it.
const (
	HealthModuleFile   = state.Dir + "/" + djangoapp.HealthModule + ".py"
	EBHealthConfigFile = ebExtensionsDir + "/" + djangoapp.EBHealthConfigName
	ebExtensionsDir    = ".ebextensions"
)

// venvDirs are where the project's virtualenv is looked for (as djangoapp
// does), for the set_env.sh hook.
var venvDirs = []string{"venv", ".venv", "env", "envs"}

// HerokuFile is the Heroku command file of env, relative to the project.
func HerokuFile(env string) string { return state.Dir + "/heroku-" + env + ".sh" }

// AppConfig wires the Django app to what the earlier steps created: the env
// file, the ignore files, the Heroku command, set_env.sh and the settings
// block.
func AppConfig() *Step {
	return &Step{
		ID:    "app-config",
		Title: "Configure the Django app",
		Guide: "7. Variables d’environnement : local & production · guía ES 3–5 (set_env.sh)",
		Why:   "The app reads the bucket, region and credentials from environment variables. The wizard fills your env file (keeping everything else in it), keeps secrets out of git, prepares a single Heroku command and generates the django-storages settings for your Django version.",
		Departures: []string{
			"The guide runs one `heroku config:set` per variable (§7.2); each call restarts the app, so the wizard sets them all in one command, written to a 0600 file (or run for you) so the secret never lands in shell history.",
			"The Spanish guide makes set_env.sh executable (chmod +x); it is sourced, not executed, and holds the secret: the wizard writes it with mode 0600. Its hook in bin/activate is lost when the virtualenv is rebuilt, so the env file stays the main source.",
			"The guides give no settings.py code: the wizard generates the django-storages block for your Django version — the STORAGES dict from Django 4.2, DEFAULT_FILE_STORAGE only before (Django 5.1 silently ignores it and uploads land on the local disk).",
			"The guide keeps private files \"with ACL private\" (§6.3); ACLs are disabled on the bucket (BucketOwnerEnforced), so the settings send no ACL (AWS_DEFAULT_ACL = None): private files are served through signed URLs, and each public prefix gets its own unsigned storage.",
		},
		Keys:   []string{"env_file", "set_env_sh", "heroku_app"},
		Needs:  []string{"access-key", "role", "public"},
		Plan:   planAppConfig,
		Verify: verifyAppConfig,
	}
}

// WantedEnv returns the env file keys to set and to remove for the answers
// (credentials excepted: the access-key step owns them).
func (r *Run) WantedEnv() (set map[string]string, remove []string) {
	a := r.Answers
	set = map[string]string{
		EnvBucket: a.Bucket,
		EnvRegion: a.Region,
		EnvUseS3:  "True",
	}
	if ep := r.endpoint(); ep != "" {
		set[EnvEndpoint] = ep
	} else {
		remove = append(remove, EnvEndpoint)
	}
	return set, remove
}

func (r *Run) endpoint() string {
	if r.AWS == nil {
		return ""
	}
	return r.AWS.Endpoint
}

// AppEnvNames are the names (never the values) of the variables the app
// needs, in the order they are documented.
func (r *Run) AppEnvNames() []string {
	var n []string
	if accessKeys(r.Answers) {
		n = append(n, EnvKeyID, EnvSecret)
	}
	n = append(n, EnvBucket, EnvRegion, EnvUseS3)
	if r.endpoint() != "" {
		n = append(n, EnvEndpoint)
	}
	return n
}

// IgnorePatterns are the secret-bearing files kept out of git (and out of
// Elastic Beanstalk and Docker builds).
func (r *Run) IgnorePatterns() []string {
	var p []string
	if rel, ok := r.envFileRel(); ok {
		p = append(p, rel)
	}
	return append(p, SetEnvFile, state.Dir+"/*secret*", state.Dir+"/heroku-*.sh")
}

// envFileRel is the env file relative to the project, when it is inside it.
func (r *Run) envFileRel() (string, bool) {
	rel, err := filepath.Rel(absDir(r.Dir), absDir(r.EnvFilePath()))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

func absDir(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func planAppConfig(ctx context.Context, r *Run) (*Plan, error) {
	a := r.Answers
	p := &Plan{}
	envPath := r.EnvFilePath()
	if err := envfile.Check(envPath); err != nil {
		return nil, fmt.Errorf("env file: %w: fix that line first; nothing was changed", err)
	}
	env, err := envfile.Read(envPath)
	if err != nil {
		return nil, err
	}

	// Env file.
	set, remove := r.WantedEnv()
	if envNeedsMerge(envPath, env, set, remove) {
		p.Add(&Action{
			Summary: fmt.Sprintf("set %s in %s (mode 0600, other lines kept)", strings.Join(sortedKeys(set), ", "), a.EnvFile),
			Files:   []string{a.EnvFile},
			Do: func(ctx context.Context) error {
				return r.withEnvFiles(func() error {
					_, err := envfile.Merge(envPath, set, remove)
					return err
				})
			},
		})
	} else {
		p.Notice("%s already has the bucket, region and USE_S3_STORAGE", a.EnvFile)
	}
	if instanceRole(a) && env[EnvKeyID] != "" {
		p.Warn("%s still has %s (%s): with an instance role the app needs no keys, and boto3 uses env vars before the role — remove AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from it and deactivate that key", a.EnvFile, EnvKeyID, Mask(env[EnvKeyID]))
	}

	// Ignore files.
	missing, err := missingIgnores(r.Dir, r.IgnorePatterns())
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		patterns := r.IgnorePatterns()
		p.Add(&Action{
			Summary: "ignore secret files: " + strings.Join(missing, "; "),
			Files:   ignoreFiles(missing),
			Do: func(ctx context.Context) error {
				_, err := envfile.EnsureIgnored(r.Dir, patterns)
				return err
			},
		})
	}
	if rel, ok := r.envFileRel(); ok {
		tracked, err := envfile.TrackedByGit(r.Dir, rel)
		if err != nil {
			p.Warn("could not ask git whether %s is tracked: %v", rel, err)
		} else if tracked {
			p.Warn("%s is tracked by git: ignoring it is not enough. Run `git rm --cached %s` and commit; its keys are in the history, so rotate them (`s3wizard rotate-keys --env %s`)", rel, rel, a.Env)
		}
	}

	// Heroku command file.
	if a.HerokuApp != "" {
		path := filepath.Join(r.Dir, HerokuFile(a.Env))
		want, err := herokuScript(r, env)
		if err != nil {
			return nil, err
		}
		if !fileIs(path, want, secretFilePerm) {
			p.Add(&Action{
				Summary: fmt.Sprintf("write %s: one `heroku config:set … --app %s` (mode 0600, gitignored; it holds the secret)", HerokuFile(a.Env), a.HerokuApp),
				Files:   []string{HerokuFile(a.Env)},
				Do: func(ctx context.Context) error {
					return writeFromEnv(r, path, herokuScript)
				},
			})
		}
		p.Notice("Heroku: run `sh %s` (one restart), or let the wizard run the heroku CLI for you; then delete the file", HerokuFile(a.Env))
	}

	// set_env.sh and the virtualenv hook.
	if a.SetEnvSh {
		if err := planSetEnv(r, p, env); err != nil {
			return nil, err
		}
	}

	// Django settings.
	if err := planSettings(r, p); err != nil {
		return nil, err
	}

	// Health check of the EC2 / Elastic Beanstalk load balancer.
	if instanceRole(a) {
		if err := planHealthCheck(r, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// envNeedsMerge reports whether Merge would change the env file (values or
// a mode looser than 0600).
func envNeedsMerge(path string, env, set map[string]string, remove []string) bool {
	for k, v := range set {
		if cur, ok := env[k]; !ok || cur != v {
			return true
		}
	}
	for _, k := range remove {
		if _, ok := env[k]; ok {
			return true
		}
	}
	fi, err := os.Stat(path)
	return err != nil || fi.Mode().Perm() != secretFilePerm
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// missingIgnores lists, as "<file>: <pattern>", the patterns EnsureIgnored
// would add, without writing (plans must not change anything).
func missingIgnores(dir string, patterns []string) ([]string, error) {
	var out []string
	for _, name := range []string{".gitignore", ".ebignore", ".dockerignore"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			if name != ".gitignore" {
				continue
			}
		} else if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		have := map[string]bool{}
		for _, l := range strings.Split(string(data), "\n") {
			have[strings.TrimSpace(l)] = true
		}
		for _, pat := range patterns {
			if !have[pat] {
				out = append(out, name+": "+pat)
			}
		}
	}
	return out, nil
}

func ignoreFiles(missing []string) []string {
	seen := map[string]bool{}
	var files []string
	for _, m := range missing {
		f, _, _ := strings.Cut(m, ": ")
		if !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	return files
}

// fileIs reports whether path holds exactly want with mode perm.
func fileIs(path string, want []byte, perm fs.FileMode) bool {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != perm {
		return false
	}
	got, err := os.ReadFile(path)
	return err == nil && bytes.Equal(got, want)
}

// writeFromEnv renders a secret-bearing file from the env file as it is now
// (the env file action of the same step may just have changed it) and writes
// it atomically with mode 0600.
func writeFromEnv(r *Run, path string, render func(*Run, map[string]string) ([]byte, error)) error {
	env, err := envfile.Read(r.EnvFilePath())
	if err != nil {
		return err
	}
	body, err := render(r, env)
	if err != nil {
		return err
	}
	if err := envfile.WriteFileAtomic(path, body, secretFilePerm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// WriteFileAtomic keeps perm for new files; an older file may be looser.
	return os.Chmod(path, secretFilePerm)
}

// DeployVar is one variable the app's host needs (Heroku, set_env.sh). Its
// value may be a secret.
type DeployVar struct{ Name, Value string }

// DeployVars returns the variables to deploy: for access keys the
// credentials read from env (the parsed env file), then bucket, region,
// USE_S3_STORAGE and the endpoint when one is in use.
func (r *Run) DeployVars(env map[string]string) []DeployVar {
	var vs []DeployVar
	if accessKeys(r.Answers) {
		vs = append(vs, DeployVar{EnvKeyID, env[EnvKeyID]}, DeployVar{EnvSecret, env[EnvSecret]})
	}
	set, _ := r.WantedEnv()
	for _, k := range []string{EnvBucket, EnvRegion, EnvUseS3, EnvEndpoint} {
		if v, ok := set[k]; ok {
			vs = append(vs, DeployVar{k, v})
		}
	}
	return vs
}

// ShellQuote quotes s for POSIX sh: single quotes, with ' written as '\”.
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_-./:=@,+%", c))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// herokuArgs are the heroku CLI arguments (after "heroku").
func herokuArgs(r *Run, env map[string]string) []string {
	args := []string{"config:set"}
	for _, v := range r.DeployVars(env) {
		args = append(args, v.Name+"="+v.Value)
	}
	return append(args, "--app", r.Answers.HerokuApp)
}

func herokuScript(r *Run, env map[string]string) ([]byte, error) {
	if accessKeys(r.Answers) && (env[EnvKeyID] == "" || env[EnvSecret] == "") {
		// Planned before the key exists (dry run): the real content is
		// rendered when the action runs.
		return nil, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/sh\n# Generated by s3wizard for env %s: sets every S3 variable of the app in ONE call\n", r.Answers.Env)
	b.WriteString("# (each config:set call restarts the app). It holds the secret access key: mode 0600,\n")
	fmt.Fprintf(&b, "# gitignored. Run it with `sh %s`, then delete it.\n", HerokuFile(r.Answers.Env))
	b.WriteString("heroku")
	for _, a := range herokuArgs(r, env) {
		b.WriteString(" " + ShellQuote(a))
	}
	b.WriteString("\n")
	return []byte(b.String()), nil
}

// maskedArgs shows the heroku arguments with the key ID masked and the
// secret hidden.
func maskedArgs(args []string, env map[string]string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		switch {
		case strings.HasPrefix(a, EnvSecret+"="):
			out[i] = EnvSecret + "=********"
		case strings.HasPrefix(a, EnvKeyID+"="):
			out[i] = EnvKeyID + "=" + Mask(strings.TrimPrefix(a, EnvKeyID+"="))
		default:
			out[i] = ShellQuote(a)
		}
	}
	return out
}

// HerokuCLI is the heroku executable RunHeroku looks for on PATH.
var HerokuCLI = "heroku"

// HerokuAvailable reports whether the heroku CLI is on PATH (the CLI and
// TUI offer RunHeroku only then).
func HerokuAvailable() bool {
	_, err := exec.LookPath(HerokuCLI)
	return err == nil
}

// ErrHerokuDeclined is returned when the user did not confirm.
var ErrHerokuDeclined = errors.New("heroku config:set not run: declined")

// RunHeroku sets the app's variables on Heroku with one `heroku config:set`
// (one restart). The arguments go straight to the process, never through a
// shell line, so the secret lands in no shell history; the command shown on
// out is masked, and so is the CLI's own output (it echoes the values).
// confirm (nil: no question) is asked after the masked command is shown.
func RunHeroku(ctx context.Context, r *Run, confirm func() bool, out io.Writer) error {
	a := r.Answers
	if a.HerokuApp == "" {
		return errors.New("run heroku: no heroku_app in the answers")
	}
	bin, err := exec.LookPath(HerokuCLI)
	if err != nil {
		return fmt.Errorf("run heroku: the heroku CLI is not on PATH: run `sh %s` where it is installed", HerokuFile(a.Env))
	}
	env, err := envfile.Read(r.EnvFilePath())
	if err != nil {
		return err
	}
	if accessKeys(a) && (env[EnvKeyID] == "" || env[EnvSecret] == "") {
		return fmt.Errorf("run heroku: %s has no %s/%s yet: run the access-key step first", a.EnvFile, EnvKeyID, EnvSecret)
	}
	args := herokuArgs(r, env)
	fmt.Fprintf(out, "$ heroku %s\n", strings.Join(maskedArgs(args, env), " "))
	if accessKeys(a) {
		// Running the file's command has the same exposure: the file (0600)
		// is the alternative as the values' source for the dashboard.
		fmt.Fprintf(out, "note: while it runs, the secret is in the heroku process's arguments, which other users of this machine can see (ps); on a shared machine, decline and copy the values from %s (mode 0600) into the Heroku dashboard (Settings → Config Vars) instead\n", HerokuFile(a.Env))
	}
	if confirm != nil && !confirm() {
		return ErrHerokuDeclined
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = r.Dir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	runErr := cmd.Run()
	io.WriteString(out, maskSecrets(buf.String(), env))
	if runErr != nil {
		return fmt.Errorf("heroku config:set --app %s: %w", a.HerokuApp, runErr)
	}
	if id := env[EnvKeyID]; accessKeys(a) && id != "" && r.State != nil {
		if k := r.State.Key(id); k != nil && !slices.Contains(k.Deployed, "heroku") {
			k.Deployed = append(k.Deployed, "heroku")
			r.State.PutKey(*k)
			if err := r.State.Save(); err != nil {
				return fmt.Errorf("record heroku deployment: %w", err)
			}
		}
	}
	return nil
}

// maskSecrets hides the secret and masks the key ID in text.
func maskSecrets(s string, env map[string]string) string {
	if sec := env[EnvSecret]; sec != "" {
		s = strings.ReplaceAll(s, sec, "********")
	}
	if id := env[EnvKeyID]; len(id) >= 8 {
		s = strings.ReplaceAll(s, id, Mask(id))
	}
	return s
}

func setEnvScript(r *Run, env map[string]string) ([]byte, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by s3wizard for env %s. Sourced by the virtualenv's bin/activate, not executed\n", r.Answers.Env)
	fmt.Fprintf(&b, "# (mode 0600, no chmod +x). It holds the secret access key and is gitignored. The env file\n# (%s) is the main source: this hook is lost when the virtualenv is rebuilt.\n", r.Answers.EnvFile)
	for _, v := range r.DeployVars(env) {
		if v.Value == "" {
			continue
		}
		fmt.Fprintf(&b, "export %s=%s\n", v.Name, "'"+strings.ReplaceAll(v.Value, "'", `'\''`)+"'")
	}
	return []byte(b.String()), nil
}

// FindVenv returns the project's virtualenv that has bin/activate, or "".
func FindVenv(dir string) string {
	for _, v := range venvDirs {
		p := filepath.Join(absDir(dir), v)
		if fi, err := os.Stat(filepath.Join(p, "bin", "activate")); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

func sourceLine(script string) string {
	return "source " + ShellQuote(script) + "  " + activateHookMark
}

func planSetEnv(r *Run, p *Plan, env map[string]string) error {
	path := filepath.Join(absDir(r.Dir), SetEnvFile)
	want, err := setEnvScript(r, env)
	if err != nil {
		return err
	}
	if (accessKeys(r.Answers) && env[EnvSecret] == "") || !fileIs(path, want, secretFilePerm) {
		p.Add(&Action{
			Summary: "write set_env.sh (export lines, mode 0600: sourced, not executed)",
			Files:   []string{SetEnvFile},
			Do:      func(ctx context.Context) error { return writeFromEnv(r, path, setEnvScript) },
		})
	}
	venv := FindVenv(r.Dir)
	if venv == "" {
		p.Warn("no virtualenv with bin/activate in venv/, .venv/, env/ or envs/: add `%s` at the end of your virtualenv's bin/activate yourself", sourceLine(path))
	} else {
		activate := filepath.Join(venv, "bin", "activate")
		hooked, err := hasHook(activate, path)
		if err != nil {
			return err
		}
		if !hooked {
			rel, _ := filepath.Rel(absDir(r.Dir), activate)
			p.Add(&Action{
				Summary: fmt.Sprintf("append `source %s` to %s", path, rel),
				Files:   []string{rel},
				Do:      func(ctx context.Context) error { return appendHook(activate, path) },
			})
		}
	}
	p.Notice("set_env.sh is sourced by bin/activate: rebuilding the virtualenv drops the hook (re-run the wizard then). Prefer the env file (%s), which Django can load itself", r.Answers.EnvFile)
	return nil
}

func hasHook(activate, script string) (bool, error) {
	f, err := os.Open(activate)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", activate, err)
	}
	defer f.Close()
	want := sourceLine(script)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == want {
			return true, nil
		}
	}
	return false, sc.Err()
}

// appendHook appends the source line in place (O_APPEND), keeping the
// activate script's mode and content.
func appendHook(activate, script string) error {
	if ok, err := hasHook(activate, script); err != nil || ok {
		return err
	}
	data, err := os.ReadFile(activate)
	if err != nil {
		return fmt.Errorf("read %s: %w", activate, err)
	}
	f, err := os.OpenFile(activate, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", activate, err)
	}
	line := sourceLine(script) + "\n"
	if len(data) > 0 && data[len(data)-1] != '\n' {
		line = "\n" + line
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("append to %s: %w", activate, err)
	}
	return f.Close()
}

// SettingsParamsFor returns the settings parameters for the project in
// r.Dir, and the detected project (nil when there is no manage.py).
func SettingsParamsFor(r *Run) (djangoapp.SettingsParams, *djangoapp.Project, error) {
	a := r.Answers
	sp := djangoapp.SettingsParams{
		Region:         a.Region,
		Bucket:         a.Bucket,
		PublicPrefixes: a.PublicPrefixes,
		StaticOnS3:     a.StaticOnS3,
		CustomEndpoint: r.endpoint() != "",
		KMS:            a.Encryption == config.EncSSEKMS,
	}
	proj, err := djangoapp.Detect(r.Dir)
	if err != nil {
		return sp, nil, err
	}
	sp.DjangoVersion, sp.StoragesVersion = proj.DjangoVersion, proj.StoragesVersion
	return sp, proj, nil
}

func planSettings(r *Run, p *Plan) error {
	sp, proj, derr := SettingsParamsFor(r)
	if proj == nil {
		p.Notice("no Django project found (%v): the settings are generated for the latest Django and django-storages", derr)
	} else {
		p.Notice("Django %s (%s), django-storages %s (%s)", orLatest(proj.DjangoVersion), proj.VersionSource, orLatest(proj.StoragesVersion), proj.StoragesSource)
		for _, n := range proj.Notes {
			p.Notice("%s", n)
		}
	}
	gen, err := djangoapp.GenerateSettings(sp)
	if err != nil {
		return fmt.Errorf("generate django settings: %w", err)
	}
	files := map[string][]byte{SettingsFile: gen}
	if sp.NeedsStoragesModule() {
		mod, err := djangoapp.GeneratePublicStorages(sp)
		if err != nil {
			return fmt.Errorf("generate storages module: %w", err)
		}
		files[StoragesFile] = mod
		p.Notice("Django < 4.2 needs storage classes: copy %s next to manage.py (it is imported as %s)", StoragesFile, djangoapp.DefaultStoragesModule)
	}
	for _, rel := range []string{SettingsFile, StoragesFile} {
		if body, ok := files[rel]; ok {
			planGenerated(r, p, rel, body, 0o700, "write "+rel)
		}
	}
	p.Notice("settings: import %s at the end of settings.py (see its header), add \"storages\" to INSTALLED_APPS", SettingsFile)
	if proj != nil && proj.SettingsFile != "" {
		src, err := os.ReadFile(proj.SettingsFile)
		if err != nil {
			p.Warn("could not read %s to check it: %v", proj.SettingsFile, err)
		} else {
			rel, _ := filepath.Rel(proj.Dir, proj.SettingsFile)
			for _, f := range djangoapp.LintSettings(src, proj.DjangoVersion, proj.StoragesVersion) {
				p.Warn("%s: %s", rel, f)
			}
		}
	}
	return nil
}

// planGenerated adds an action writing body to rel (mode 0644, its
// directory created with dirPerm) unless the file already holds exactly
// that.
func planGenerated(r *Run, p *Plan, rel string, body []byte, dirPerm fs.FileMode, summary string) {
	path := filepath.Join(r.Dir, rel)
	if fileIs(path, body, generatedPerm) {
		return
	}
	p.Add(&Action{
		Summary: summary,
		Files:   []string{rel},
		Do: func(ctx context.Context) error {
			if err := os.MkdirAll(filepath.Dir(path), dirPerm); err != nil {
				return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
			}
			if err := envfile.WriteFileAtomic(path, body, generatedPerm); err != nil {
				return fmt.Errorf("write %s: %w", rel, err)
			}
			return os.Chmod(path, generatedPerm)
		},
	})
}

// planHealthCheck writes the /health/ middleware and, when the project
// deploys with Elastic Beanstalk, the .ebextensions file that points the
// load balancer's health check at it. The check carries the instance's
// private IP as Host: answering it before host validation is what lets
// ALLOWED_HOSTS keep listing only the real domains.
func planHealthCheck(r *Run, p *Plan) error {
	mod, err := djangoapp.GenerateHealthModule()
	if err != nil {
		return err
	}
	planGenerated(r, p, HealthModuleFile, mod, 0o700,
		fmt.Sprintf("write %s (HealthCheckMiddleware answers GET/HEAD %s before host validation; ec2_private_ip() via IMDSv2)", HealthModuleFile, djangoapp.HealthPath))
	p.Notice("health check: copy %s next to manage.py and add %q as the FIRST entry of MIDDLEWARE, before SecurityMiddleware and CommonMiddleware (copied into a package? use its dotted path, e.g. \"mysite.%s\"): it answers GET/HEAD %s with 200 before ALLOWED_HOSTS is consulted, so the load balancer's health check, whose Host is the instance's private IP, passes",
		HealthModuleFile, djangoapp.HealthMiddleware, djangoapp.HealthMiddleware, djangoapp.HealthPath)
	p.Notice("departure from the guide: the guide sets ALLOWED_HOSTS = ['*'] during the switch and fetches the IP with IMDSv1; the wizard answers %s before host validation and uses IMDSv2 (ec2_private_ip() in %s, for an app that needs its private IP in ALLOWED_HOSTS)", djangoapp.HealthPath, HealthModuleFile)

	cfg, err := djangoapp.EBHealthConfig()
	if err != nil {
		return err
	}
	why := ebProject(r)
	if why == "" {
		p.Notice("no Elastic Beanstalk project here (no eb_environment, .elasticbeanstalk/ or %s/): if you deploy with it, set the load balancer's health check path to %s, e.g. in %s: `option_settings: aws:elasticbeanstalk:environment:process:default: HealthCheckPath: %s`",
			ebExtensionsDir, djangoapp.HealthPath, EBHealthConfigFile, djangoapp.HealthPath)
		return nil
	}
	planGenerated(r, p, EBHealthConfigFile, cfg, 0o755,
		fmt.Sprintf("write %s (Elastic Beanstalk health check path %s; %s)", EBHealthConfigFile, djangoapp.HealthPath, why))
	p.Notice("Elastic Beanstalk: commit %s and deploy (`eb deploy`); a health check path set on the environment itself (console, `eb config`) takes precedence over .ebextensions", EBHealthConfigFile)
	others, err := otherHealthConfigs(r.Dir)
	if err != nil {
		p.Warn("could not read %s/ to look for another health check path: %v", ebExtensionsDir, err)
	}
	for _, f := range others {
		p.Warn("%s/%s also sets a health check path: Elastic Beanstalk applies .ebextensions files in alphabetical order and the last one wins; make it %s or remove the setting", ebExtensionsDir, f, djangoapp.HealthPath)
	}
	return nil
}

// ebProject says why the project deploys with Elastic Beanstalk
// (eb_environment, .elasticbeanstalk/ or .ebextensions/), or "".
func ebProject(r *Run) string {
	if r.Answers.EBEnvironment != "" {
		return "environment " + r.Answers.EBEnvironment
	}
	for _, d := range []string{".elasticbeanstalk", ebExtensionsDir} {
		if fi, err := os.Stat(filepath.Join(r.Dir, d)); err == nil && fi.IsDir() {
			return d + "/ found"
		}
	}
	return ""
}

// otherHealthConfigs lists the .ebextensions config files, ours excepted,
// that set a health check path.
func otherHealthConfigs(dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, ebExtensionsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == djangoapp.EBHealthConfigName || !strings.HasSuffix(name, ".config") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, ebExtensionsDir, name))
		if err != nil {
			return out, err
		}
		if s := string(data); strings.Contains(s, "HealthCheckPath") || strings.Contains(s, "Application Healthcheck URL") {
			out = append(out, name)
		}
	}
	return out, nil
}

func orLatest(v string) string {
	if v == "" {
		return "latest"
	}
	return v
}

func verifyAppConfig(ctx context.Context, r *Run) []Check {
	a := r.Answers
	var checks []Check
	path := r.EnvFilePath()
	env, err := envfile.Read(path)
	if err != nil {
		return []Check{Fail("env file", err.Error())}
	}
	set, remove := r.WantedEnv()
	var bad []string
	for _, k := range sortedKeys(set) {
		if env[k] != set[k] {
			bad = append(bad, k)
		}
	}
	for _, k := range remove {
		if _, ok := env[k]; ok {
			bad = append(bad, k+" (should be absent)")
		}
	}
	if accessKeys(a) {
		for _, k := range []string{EnvKeyID, EnvSecret} {
			if env[k] == "" {
				bad = append(bad, k)
			}
		}
	}
	if len(bad) > 0 {
		checks = append(checks, Fail("env file has the app's variables", a.EnvFile+": missing or wrong "+strings.Join(bad, ", ")))
	} else {
		checks = append(checks, Pass("env file has the app's variables", strings.Join(r.AppEnvNames(), ", ")))
	}
	if fi, err := os.Stat(path); err != nil {
		checks = append(checks, Fail("env file mode 0600", err.Error()))
	} else if fi.Mode().Perm() != secretFilePerm {
		checks = append(checks, Fail("env file mode 0600", fmt.Sprintf("%s is %#o", a.EnvFile, fi.Mode().Perm())))
	} else {
		checks = append(checks, Pass("env file mode 0600", a.EnvFile))
	}
	if missing, err := missingIgnores(r.Dir, r.IgnorePatterns()); err != nil || len(missing) > 0 {
		checks = append(checks, Fail("secret files ignored by git", fmt.Sprint(strings.Join(missing, "; "), err)))
	} else {
		checks = append(checks, Pass("secret files ignored by git", strings.Join(r.IgnorePatterns(), " ")))
	}
	if accessKeys(a) {
		id := env[EnvKeyID]
		if r.State != nil && id != "" && r.State.Key(id) != nil {
			checks = append(checks, Pass("env file key recorded", Mask(id)))
		} else {
			checks = append(checks, Fail("env file key recorded", fmt.Sprintf("%s in %s is not a key the wizard created for %s: run the access-key step or `s3wizard rotate-keys`", Mask(id), a.EnvFile, a.IAMUser)))
		}
	}
	if _, err := os.Stat(filepath.Join(r.Dir, SettingsFile)); err != nil {
		checks = append(checks, Fail("django settings generated", err.Error()))
	} else {
		checks = append(checks, Pass("django settings generated", SettingsFile))
	}
	secretFile := func(name, rel string) {
		fi, err := os.Stat(filepath.Join(r.Dir, rel))
		switch {
		case err != nil:
			checks = append(checks, Fail(name, err.Error()))
		case fi.Mode().Perm() != secretFilePerm:
			checks = append(checks, Fail(name, fmt.Sprintf("%s is %#o, want 0600", rel, fi.Mode().Perm())))
		default:
			checks = append(checks, Pass(name, rel+" (0600)"))
		}
	}
	if a.HerokuApp != "" {
		secretFile("heroku command file", HerokuFile(a.Env))
	}
	if a.SetEnvSh {
		secretFile("set_env.sh", SetEnvFile)
	}
	return checks
}
