package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/nextsteps"
	"github.com/s3wizard/s3wizard/state"
)

// ebScript is the content of appconfig.EBFile for the run: one `eb setenv`
// with the app's variables.
func (r *Run) ebScript() []byte {
	return appconfig.EBScript(r.Answers.Env, r.Answers.EBEnvironment, r.ebProperties())
}

// AppConfig wires the Django app to what the earlier steps created: the env
// file, the ignore files, the Heroku command, set_env.sh and the settings
// block.
func AppConfig() *Step {
	return &Step{
		ID:    "app-config",
		Title: "Configure the Django app",
		Guide: "French guide §7; Spanish guide, option 1, steps 3–5 (set_env.sh)",
		Why:   "The app reads the bucket, region, public prefixes and credentials from environment variables. The wizard fills your env file (keeping everything else in it), keeps secrets out of git, prepares a single Heroku command and generates the django-storages settings: one file for every env (staging and prod differ only by their variables) that checks the Django and django-storages versions when it is imported.",
		Departures: []string{
			"The guide runs one `heroku config:set` per variable (§7.2); each call restarts the app, so the wizard sets them all in one command, written to a 0600 file (or run for you) so the secret never lands in shell history.",
			"The Spanish guide makes set_env.sh executable (chmod +x); it is sourced, not executed, and holds the secret: the wizard writes it with mode 0600. Its hook in bin/activate is lost when the virtualenv is rebuilt, so the env file stays the main source.",
			"The guides give no settings.py code: the wizard generates the django-storages block, which picks at import time the STORAGES dict from Django 4.2 (Django 5.1 silently ignores DEFAULT_FILE_STORAGE, and uploads would land on the local disk) or the old names before, and the backend path the installed django-storages has — never a guess from a version it could not read. While static files stay local, your own static storage (e.g. WhiteNoise's) is kept.",
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
		appconfig.EnvBucket:         a.Bucket,
		appconfig.EnvRegion:         a.Region,
		appconfig.EnvUseS3:          "True",
		appconfig.EnvStatic:         appconfig.PyBool(a.StaticOnS3),
		appconfig.EnvPublicPrefixes: strings.Join(a.PublicPrefixes, ","),
	}
	if sse := publicSSE(a); sse != "" {
		set[appconfig.EnvPublicSSE] = string(sse)
	} else {
		remove = append(remove, appconfig.EnvPublicSSE)
	}
	if ep := r.endpoint(); ep != "" {
		set[appconfig.EnvEndpoint] = ep
	} else {
		remove = append(remove, appconfig.EnvEndpoint)
	}
	// public_domain, or the wizard's CloudFront distribution's domain.
	if d := r.publicBaseURL(); d != "" {
		set[appconfig.EnvPublicDomain] = d
	} else {
		remove = append(remove, appconfig.EnvPublicDomain)
	}
	for _, k := range []string{appconfig.EnvChecksumCalculation, appconfig.EnvChecksumValidation} {
		if compatible(a) {
			set[k] = appconfig.ChecksumWhenRequired // as the wizard's own clients (issue 20)
		} else {
			remove = append(remove, k)
		}
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
	if appKeys(r.Answers) {
		n = append(n, appconfig.EnvKeyID, appconfig.EnvSecret)
	}
	set, _ := r.WantedEnv()
	for _, k := range appconfig.AppEnvKeys() {
		if _, ok := set[k]; ok {
			n = append(n, k)
		}
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
	return append(p, appconfig.SetEnvFile, state.Dir+"/*secret*", state.Dir+"/heroku-*.sh", envfile.TempPattern)
}

// secretFiles are the files of the run that hold (or may hold) the secret,
// relative to the project: those IgnorePatterns must cover, as git sees
// them (check asks git itself), with an example of an atomic write's
// temporary file.
func (r *Run) secretFiles() []string {
	return append(r.envSecretFiles(), appconfig.SetEnvFile, appconfig.HerokuFile(r.Answers.Env))
}

// envSecretFiles are the env file and an example of its temporary copy,
// relative to the project (none when it is outside).
func (r *Run) envSecretFiles() []string {
	rel, ok := r.envFileRel()
	if !ok {
		return nil
	}
	return []string{rel, path.Join(path.Dir(rel), "."+path.Base(rel)+envfile.TempMark+"0")}
}

// SweepTemps removes the temporary files a killed run left of the secret
// files (and of the progress file): they may hold the secret. Called under
// the env's lock and the project's env-file lock.
func (r *Run) SweepTemps() error {
	for _, f := range []string{r.EnvFilePath(), filepath.Join(appconfig.AbsDir(r.Dir), appconfig.SetEnvFile), filepath.Join(r.Dir, appconfig.HerokuFile(r.Answers.Env))} {
		if _, err := envfile.SweepTemps(f); err != nil {
			return err
		}
	}
	return nil
}

// envFileRel is the env file relative to the project, when it is inside it.
func (r *Run) envFileRel() (string, bool) {
	rel, ok := envfile.Within(appconfig.AbsDir(r.Dir), appconfig.AbsDir(r.EnvFilePath()))
	return filepath.ToSlash(rel), ok
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
	planEnvFile(r, p, envPath, env)
	if err := planSecretsInGit(r, p); err != nil {
		return nil, err
	}
	if a.HerokuApp != "" {
		if err := planHerokuFile(r, p, env); err != nil {
			return nil, err
		}
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
	if instanceRole(a) {
		if err := planInstanceRoleFiles(r, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// planEnvFile merges the app's variables into the env file (env, read
// from envPath), other lines kept.
func planEnvFile(r *Run, p *Plan, envPath string, env map[string]string) {
	a := r.Answers
	set, remove := r.WantedEnv()
	if envNeedsMerge(envPath, env, set, remove) {
		p.Add(&Action{
			Summary: fmt.Sprintf("set %s in %s (mode 0600, other lines kept)", strings.Join(sortedKeys(set), ", "), a.EnvFile),
			Files:   []string{a.EnvFile},
			Do: func(ctx context.Context) error {
				return state.WithEnvFiles(r.Dir, func() error {
					_, err := envfile.Merge(envPath, set, remove)
					return err
				})
			},
		})
	} else {
		p.Notice("%s already has the app's variables (%s)", a.EnvFile, strings.Join(sortedKeys(set), ", "))
	}
	if instanceRole(a) && env[appconfig.EnvKeyID] != "" {
		p.Warn("%s still has %s (%s): with an instance role the app needs no keys, and boto3 uses env vars before the role — remove AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from it and deactivate that key", a.EnvFile, appconfig.EnvKeyID, text.Mask(env[appconfig.EnvKeyID]))
	}
}

// planSecretsInGit keeps the secret files out of git: ignored, and a
// warning for any git tracks already.
func planSecretsInGit(r *Run, p *Plan) error {
	a := r.Answers
	// Ignore files. While the access-key step is still to run, it ignores
	// them (before its key exists): listed once, so plan and apply count
	// the same actions.
	if !accessKeys(a) || r.State.Step("access-key").Status == state.Done {
		if err := planIgnoreSecrets(r, p, "ignore secret files: "); err != nil {
			return err
		}
	}
	if tracked, err := r.trackedSecretFiles(); err != nil {
		p.Warn("could not ask git which secret files it tracks: %v", err)
	} else if len(tracked) > 0 {
		p.Warn("git tracks %s: ignoring is not enough. Run `git rm --cached %s` and commit; any key in it is in the history, so rotate it (`s3wizard rotate-keys --env %s`)", strings.Join(tracked, ", "), strings.Join(tracked, " "), a.Env)
	}
	return nil
}

// planHerokuFile writes the Heroku command file (it holds the secret).
func planHerokuFile(r *Run, p *Plan, env map[string]string) error {
	a := r.Answers
	path := filepath.Join(r.Dir, appconfig.HerokuFile(a.Env))
	want, err := herokuScript(r, env)
	if err != nil {
		return err
	}
	if !appconfig.FileIs(path, want, appconfig.SecretPerm) {
		p.Add(&Action{
			Summary: fmt.Sprintf("write %s: one `heroku config:set … --app %s` (mode 0600, gitignored; it holds the secret)", appconfig.HerokuFile(a.Env), a.HerokuApp),
			Files:   []string{appconfig.HerokuFile(a.Env)},
			Do: func(ctx context.Context) error {
				return writeFromEnv(r, path, herokuScript)
			},
		})
	}
	p.Notice("Heroku: run `sh %s` (one restart), or let the wizard run the heroku CLI for you; then delete the file", appconfig.HerokuFile(a.Env))
	return nil
}

// planInstanceRoleFiles plans the health check of the EC2 / Elastic
// Beanstalk load balancer, and the app's variables as Elastic Beanstalk
// environment properties.
func planInstanceRoleFiles(r *Run, p *Plan) error {
	a := r.Answers
	if err := planHealthCheck(r, p); err != nil {
		return err
	}
	planGenerated(r, p, appconfig.EBFile(a.Env), r.ebScript(), 0o700,
		fmt.Sprintf("write %s: one `eb setenv` with %s (no secret)", appconfig.EBFile(a.Env), strings.Join(deployVarNames(r.ebProperties()), ", ")))
	if a.EBEnvironment == "" {
		p.Notice("Elastic Beanstalk does not read %s (it is .ebignored): run `sh %s` to set the app's variables as environment properties", a.EnvFile, appconfig.EBFile(a.Env))
	}
	return nil
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
	return err != nil || fi.Mode().Perm() != appconfig.SecretPerm
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// planIgnoreSecrets adds the action that makes git (and EB, Docker) ignore
// the secret-bearing files, when a pattern is missing.
func planIgnoreSecrets(r *Run, p *Plan, summary string) error {
	missing, err := appconfig.MissingIgnores(r.Dir, r.IgnorePatterns())
	if err != nil || len(missing) == 0 {
		return err
	}
	patterns := r.IgnorePatterns()
	p.Add(&Action{
		Summary: summary + strings.Join(missing, "; "),
		Files:   appconfig.IgnoreFiles(missing),
		Do: func(ctx context.Context) error {
			_, err := envfile.EnsureIgnored(r.Dir, patterns)
			return err
		},
	})
	return nil
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
	return appconfig.WriteSecret(path, body)
}

// deployVars returns the variables to deploy: for access keys the
// credentials read from env (the parsed env file), then the app's
// variables (appconfig.AppEnvKeys) that have a value.
func (r *Run) deployVars(env map[string]string) []appconfig.DeployVar {
	var vs []appconfig.DeployVar
	if appKeys(r.Answers) {
		vs = append(vs, appconfig.DeployVar{Name: appconfig.EnvKeyID, Value: env[appconfig.EnvKeyID]}, appconfig.DeployVar{Name: appconfig.EnvSecret, Value: env[appconfig.EnvSecret]})
	}
	set, _ := r.WantedEnv()
	for _, k := range appconfig.AppEnvKeys() {
		// An empty value (no public prefix) is not deployed: the settings
		// read an unset variable the same way, and Elastic Beanstalk
		// properties cannot be empty.
		if v, ok := set[k]; ok && v != "" {
			vs = append(vs, appconfig.DeployVar{Name: k, Value: v})
		}
	}
	return vs
}

func herokuScript(r *Run, env map[string]string) ([]byte, error) {
	if appKeys(r.Answers) && (env[appconfig.EnvKeyID] == "" || env[appconfig.EnvSecret] == "") {
		// Planned before the key exists (dry run): the real content is
		// rendered when the action runs.
		return nil, nil
	}
	return appconfig.HerokuScript(r.Answers.Env, herokuArgs(r, env)), nil
}

// herokuArgs are the heroku CLI arguments (after "heroku") of the run.
func herokuArgs(r *Run, env map[string]string) []string {
	return appconfig.HerokuArgs(r.Answers.HerokuApp, r.deployVars(env))
}

// ErrHerokuDeclined is returned when the user did not confirm.
var ErrHerokuDeclined = errors.New("heroku config:set not run: declined")

// RunHeroku sets the app's variables on Heroku in one change (one restart)
// through the Heroku Platform API: PATCH /apps/{app}/config-vars over HTTPS
// with the user's token (`heroku auth:token`). The secret travels in the
// request body only: never in a process's arguments (visible in ps), never
// in a shell history. What it does is shown masked, as the equivalent
// `heroku config:set`; confirm (nil: no question) is asked after that.
func RunHeroku(ctx context.Context, r *Run, confirm func() bool, out io.Writer) error {
	a := r.Answers
	if a.HerokuApp == "" {
		return errors.New("run heroku: no heroku_app in the answers")
	}
	env, err := envfile.Read(r.EnvFilePath())
	if err != nil {
		return err
	}
	if appKeys(a) && (env[appconfig.EnvKeyID] == "" || env[appconfig.EnvSecret] == "") {
		return fmt.Errorf("run heroku: %s has no %s/%s yet: run the access-key step first", a.EnvFile, appconfig.EnvKeyID, appconfig.EnvSecret)
	}
	args := herokuArgs(r, env)
	fmt.Fprintf(out, "$ heroku %s\n", strings.Join(appconfig.MaskedArgs(args), " "))
	fmt.Fprintf(out, "(done through the Heroku Platform API, PATCH /apps/%s/config-vars over HTTPS: the secret is on no command line)\n", a.HerokuApp)
	if confirm != nil && !confirm() {
		return ErrHerokuDeclined
	}
	token, err := appconfig.HerokuToken(ctx)
	if err != nil {
		return fmt.Errorf("run heroku: %w; or run `sh %s` yourself", err, appconfig.HerokuFile(a.Env))
	}
	if err := appconfig.SetHerokuConfig(ctx, token, a.HerokuApp, r.deployVars(env)); err != nil {
		return errors.New(appconfig.MaskSecrets(err.Error(), env))
	}
	fmt.Fprintf(out, "Heroku app %s: config vars set (one release, one restart)\n", a.HerokuApp)
	if id := env[appconfig.EnvKeyID]; accessKeys(a) && id != "" {
		return recordHerokuDeployed(r, id)
	}
	return nil
}

// recordHerokuDeployed records that the access key id went to Heroku
// (rotate-keys and the next steps read it).
func recordHerokuDeployed(r *Run, id string) error {
	if r.State == nil {
		return nil
	}
	k := r.State.Key(id)
	if k == nil || slices.Contains(k.Deployed, "heroku") {
		return nil
	}
	k.Deployed = append(k.Deployed, "heroku")
	r.State.PutKey(*k)
	if err := r.State.Save(); err != nil {
		return fmt.Errorf("record heroku deployment: %w", err)
	}
	return nil
}

func setEnvScript(r *Run, env map[string]string) ([]byte, error) {
	return appconfig.SetEnvScript(r.Answers.Env, r.Answers.EnvFile, r.deployVars(env)), nil
}

func planSetEnv(r *Run, p *Plan, env map[string]string) error {
	path := filepath.Join(appconfig.AbsDir(r.Dir), appconfig.SetEnvFile)
	want, err := setEnvScript(r, env)
	if err != nil {
		return err
	}
	if (accessKeys(r.Answers) && env[appconfig.EnvSecret] == "") || !appconfig.FileIs(path, want, appconfig.SecretPerm) {
		p.Add(&Action{
			Summary: "write set_env.sh (export lines, mode 0600: sourced, not executed)",
			Files:   []string{appconfig.SetEnvFile},
			Do:      func(ctx context.Context) error { return writeFromEnv(r, path, setEnvScript) },
		})
	}
	venv := appconfig.FindVenv(r.Dir)
	if venv == "" {
		p.Warn("no virtualenv with bin/activate in venv/, .venv/, env/ or envs/: add `%s` at the end of your virtualenv's bin/activate yourself", appconfig.SourceLine(path))
	} else {
		activate := filepath.Join(venv, "bin", "activate")
		hooked, err := appconfig.HasHook(activate, path)
		if err != nil {
			return err
		}
		if !hooked {
			rel, _ := filepath.Rel(appconfig.AbsDir(r.Dir), activate)
			p.Add(&Action{
				Summary: fmt.Sprintf("append `source %s` to %s", path, rel),
				Files:   []string{rel},
				Do:      func(ctx context.Context) error { return appconfig.AppendHook(activate, path) },
			})
		}
	}
	p.Notice("set_env.sh is sourced by bin/activate: rebuilding the virtualenv drops the hook (re-run the wizard then). Prefer the env file (%s), which Django can load itself", r.Answers.EnvFile)
	return nil
}

func planSettings(r *Run, p *Plan) error {
	proj, derr := djangoapp.Detect(r.Dir, r.Python)
	if derr != nil || proj == nil {
		p.Notice("no Django project found (%v): the generated settings check the Django and django-storages versions when they are imported", derr)
	} else {
		p.Notice("Django %s (%s), django-storages %s (%s); the generated settings check the versions again when they are imported", orUnknown(proj.DjangoVersion), proj.VersionSource, orUnknown(proj.StoragesVersion), proj.StoragesSource)
		for _, n := range proj.Notes {
			p.Notice("%s", n)
		}
	}
	// One pair of files for every env: their bytes depend on nothing the
	// env or the versions change (issue 10.6), so staging and prod never
	// overwrite each other's settings.
	var sp djangoapp.SettingsParams
	gen, err := djangoapp.GenerateSettings(sp)
	if err != nil {
		return fmt.Errorf("generate django settings: %w", err)
	}
	mod, err := djangoapp.GeneratePublicStorages(sp)
	if err != nil {
		return fmt.Errorf("generate storages module: %w", err)
	}
	planGenerated(r, p, appconfig.SettingsFile, gen, 0o700, "write "+appconfig.SettingsFile+" (the same for every env: env-specific values come from the environment)")
	planGenerated(r, p, appconfig.StoragesFile, mod, 0o700, "write "+appconfig.StoragesFile+" (PublicStorage, StaticStorage)")
	// The same words as "what now": one way to load the settings.
	for _, n := range nextsteps.Settings(r.Dir, r.Answers, proj) {
		p.Notice("settings: %s", n)
	}
	p.Notice("settings: add \"storages\" to INSTALLED_APPS")
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
	if appconfig.FileIs(path, body, appconfig.GeneratedPerm) {
		return
	}
	p.Add(&Action{
		Summary: summary,
		Files:   []string{rel},
		Do:      func(ctx context.Context) error { return appconfig.WriteGenerated(r.Dir, rel, body, dirPerm) },
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
	planGenerated(r, p, appconfig.HealthModuleFile, mod, 0o700,
		fmt.Sprintf("write %s (HealthCheckMiddleware answers GET/HEAD %s before host validation; ec2_private_ip() via IMDSv2)", appconfig.HealthModuleFile, djangoapp.HealthPath))
	p.Notice("health check: copy %s next to manage.py and add %q as the FIRST entry of MIDDLEWARE, before SecurityMiddleware and CommonMiddleware (copied into a package? use its dotted path, e.g. \"mysite.%s\"): it answers GET/HEAD %s with 200 before ALLOWED_HOSTS is consulted, so the load balancer's health check, whose Host is the instance's private IP, passes",
		appconfig.HealthModuleFile, djangoapp.HealthMiddleware, djangoapp.HealthMiddleware, djangoapp.HealthPath)
	p.Notice("departure from the guide: the guide sets ALLOWED_HOSTS = ['*'] during the switch and fetches the IP with IMDSv1; the wizard answers %s before host validation and uses IMDSv2 (ec2_private_ip() in %s, for an app that needs its private IP in ALLOWED_HOSTS)", djangoapp.HealthPath, appconfig.HealthModuleFile)

	cfg, err := djangoapp.EBHealthConfig()
	if err != nil {
		return err
	}
	why := appconfig.EBProject(r.Dir, r.Answers.EBEnvironment)
	if why == "" {
		p.Notice("no Elastic Beanstalk project here (no eb_environment, .elasticbeanstalk/ or %s/): if you deploy with it, set the load balancer's health check path to %s, e.g. in %s: `option_settings: aws:elasticbeanstalk:environment:process:default: HealthCheckPath: %s`",
			appconfig.EBExtensionsDir, djangoapp.HealthPath, appconfig.EBHealthConfigFile, djangoapp.HealthPath)
		return nil
	}
	planGenerated(r, p, appconfig.EBHealthConfigFile, cfg, 0o755,
		fmt.Sprintf("write %s (Elastic Beanstalk health check path %s; %s)", appconfig.EBHealthConfigFile, djangoapp.HealthPath, why))
	p.Notice("Elastic Beanstalk: commit %s and deploy (`eb deploy`); a health check path set on the environment itself (console, `eb config`) takes precedence over .ebextensions", appconfig.EBHealthConfigFile)
	others, err := appconfig.OtherHealthConfigs(r.Dir)
	if err != nil {
		p.Warn("could not read %s/ to look for another health check path: %v", appconfig.EBExtensionsDir, err)
	}
	for _, f := range others {
		p.Warn("%s/%s also sets a health check path: Elastic Beanstalk applies .ebextensions files in alphabetical order and the last one wins; make it %s or remove the setting", appconfig.EBExtensionsDir, f, djangoapp.HealthPath)
	}
	return nil
}

func orUnknown(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}

func verifyAppConfig(ctx context.Context, r *Run) []Check {
	a := r.Answers
	path := r.EnvFilePath()
	env, err := envfile.Read(path)
	if err != nil {
		return []Check{Fail(checkEnvFileReadable, "env file", err.Error())}
	}
	checks := []Check{envVarsCheck(r, env), envFileModeCheck(path, a.EnvFile)}
	checks = append(checks, secretsInGitChecks(r)...)
	if accessKeys(a) {
		checks = append(checks, envKeyRecordedCheck(r, env[appconfig.EnvKeyID]))
	}
	if _, err := os.Stat(filepath.Join(r.Dir, appconfig.SettingsFile)); err != nil {
		checks = append(checks, Fail(CheckDjangoSettings, "django settings generated", err.Error()))
	} else {
		checks = append(checks, Pass(CheckDjangoSettings, "django settings generated", appconfig.SettingsFile))
	}
	if a.HerokuApp != "" {
		checks = append(checks, secretFileCheck(r, CheckHerokuFile, "heroku command file", appconfig.HerokuFile(a.Env)))
	}
	if a.SetEnvSh {
		checks = append(checks, secretFileCheck(r, CheckSetEnvFile, "set_env.sh", appconfig.SetEnvFile))
	}
	return checks
}

// envVarsCheck checks that the env file holds the app's variables as
// wanted, without those it should not have.
func envVarsCheck(r *Run, env map[string]string) Check {
	a := r.Answers
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
	if appKeys(a) {
		for _, k := range []string{appconfig.EnvKeyID, appconfig.EnvSecret} {
			if env[k] == "" {
				bad = append(bad, k)
			}
		}
	}
	if len(bad) > 0 {
		return Fail(CheckEnvVars, "env file has the app's variables", a.EnvFile+": missing or wrong "+strings.Join(bad, ", "))
	}
	return Pass(CheckEnvVars, "env file has the app's variables", strings.Join(r.AppEnvNames(), ", "))
}

// envFileModeCheck checks that only its owner can read the env file at
// path (named as the answers name it).
func envFileModeCheck(path, name string) Check {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return Fail(CheckEnvFileMode, "env file mode 0600", err.Error())
	case fi.Mode().Perm() != appconfig.SecretPerm:
		return Fail(CheckEnvFileMode, "env file mode 0600", fmt.Sprintf("%s is %#o", name, fi.Mode().Perm()))
	}
	return Pass(CheckEnvFileMode, "env file mode 0600", name)
}

// secretsInGitChecks checks that git ignores the secret files and tracks
// none of them.
func secretsInGitChecks(r *Run) []Check {
	// A tracked file is not ignored, whatever .gitignore says: both checks
	// tell it.
	missing, err := appconfig.MissingIgnores(r.Dir, r.IgnorePatterns())
	tracked, terr := r.trackedSecretFiles()
	// What git makes of the lines, not the lines: git itself is asked.
	unignored, _, gerr := envfile.NotIgnored(r.Dir, r.secretFiles())
	untrack := ""
	if len(tracked) > 0 {
		untrack = fmt.Sprintf("git tracks %s (ignoring is not enough): `git rm --cached %s`, commit, and rotate the key it held (it is in the history)", strings.Join(tracked, ", "), strings.Join(tracked, " "))
	}
	var checks []Check
	const ignoredName = "secret files ignored by git"
	switch {
	case err != nil:
		checks = append(checks, Fail(CheckSecretsIgnored, ignoredName, err.Error()))
	case untrack != "":
		checks = append(checks, Fail(CheckSecretsIgnored, ignoredName, untrack))
	case len(missing) > 0:
		checks = append(checks, Fail(CheckSecretsIgnored, ignoredName, "not ignored: "+strings.Join(missing, "; ")))
	case gerr != nil:
		checks = append(checks, Fail(CheckSecretsIgnored, ignoredName, gerr.Error()))
	case len(unignored) > 0:
		checks = append(checks, Fail(CheckSecretsIgnored, ignoredName, fmt.Sprintf("git does not ignore %s although .gitignore lists it: a line git reads otherwise (a backslash, a trailing space) or a later `!` rule; check with `git check-ignore -v --no-index %s`", strings.Join(unignored, ", "), strings.Join(unignored, " "))))
	default:
		checks = append(checks, Pass(CheckSecretsIgnored, ignoredName, strings.Join(r.IgnorePatterns(), " ")))
	}
	const untrackedName = "secret files not tracked by git"
	switch {
	case terr != nil:
		checks = append(checks, Fail(CheckSecretsUntracked, untrackedName, terr.Error()))
	case untrack != "":
		checks = append(checks, Fail(CheckSecretsUntracked, untrackedName, untrack))
	default:
		checks = append(checks, Pass(CheckSecretsUntracked, untrackedName, strings.Join(r.IgnorePatterns(), " ")))
	}
	return checks
}

// envKeyRecordedCheck checks that the env file's access key id is one
// the wizard created for this env.
func envKeyRecordedCheck(r *Run, id string) Check {
	a := r.Answers
	if r.State != nil && id != "" && r.State.Key(id) != nil {
		return Pass(CheckEnvKeyRecorded, "env file key recorded", text.Mask(id))
	}
	return Fail(CheckEnvKeyRecorded, "env file key recorded", fmt.Sprintf("%s in %s is not a key the wizard created for %s: run the access-key step or `s3wizard rotate-keys`", text.Mask(id), a.EnvFile, a.IAMUser))
}

// secretFileCheck checks that the generated file rel, which holds
// secrets, exists and only its owner can read it.
func secretFileCheck(r *Run, id CheckID, name, rel string) Check {
	fi, err := os.Stat(filepath.Join(r.Dir, rel))
	switch {
	case err != nil:
		return Fail(id, name, err.Error())
	case fi.Mode().Perm() != appconfig.SecretPerm:
		return Fail(id, name, fmt.Sprintf("%s is %#o, want 0600", rel, fi.Mode().Perm()))
	}
	return Pass(id, name, rel+" (0600)")
}
