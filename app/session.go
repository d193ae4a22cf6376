// Package app assembles one run of the wizard: answers from saved progress,
// the answers file and flags; the progress file and its lock; the AWS
// clients. The CLI commands and the TUI both start here.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Options are the global flags and the command's inputs.
type Options struct {
	Dir         string
	Env         string
	Profile     string
	Region      string
	AnswersFile string
	DryRun      bool
	Yes         bool
	// Python is the interpreter named by --python (or S3WIZARD_PYTHON),
	// asked first for the project's Django; "" names none.
	Python djangoapp.Python
}

// InputError is an error in the caller's input: a bad flag, argument or
// answer, found before anything changed (exit code 2). Its message is err's
// alone: the type, not a prefix of the text, says what it is.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUsage) true of every InputError.
func (e *InputError) Is(target error) bool { return target == ErrUsage }

// ErrUsage matches every InputError through errors.Is; errors.As with an
// *InputError is the same test.
var ErrUsage = errors.New("usage")

// UsageError marks err as the caller's input (exit code 2).
func UsageError(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}

// Answers combines, by increasing priority, saved progress, the answers
// file and flags. Defaults are not applied yet: Missing can still tell what
// nobody answered.
func Answers(o Options, saved *state.Progress) (*config.Answers, error) {
	a := &config.Answers{Set: map[string]bool{}}
	if o.Region != "" {
		a.Region, a.Set["region"] = o.Region, true
	}
	// --profile is this env's aws_profile: saved with the answers, so the
	// env's later runs use the same account's credentials.
	if o.Profile != "" {
		if err := config.ValidProfile(o.Profile); err != nil {
			return nil, UsageError(fmt.Errorf("--profile: %w", err))
		}
		a.AWSProfile, a.Set["aws_profile"] = o.Profile, true
	}
	// ALLOWED_HOSTS, when the settings list them literally, offer the
	// site's origins (cors_origins).
	a.SiteHosts = djangoapp.SiteHosts(o.Dir)
	if o.AnswersFile != "" {
		f, err := config.Load(o.AnswersFile)
		if err != nil {
			return nil, UsageError(err)
		}
		if f.Set["env"] && o.Env != "" && f.Env != o.Env {
			return nil, UsageError(fmt.Errorf("answers file %s is for env %q but --env is %q", o.AnswersFile, f.Env, o.Env))
		}
		a.Merge(f)
	}
	if saved != nil && saved.Answers() != nil {
		a.Merge(saved.Answers())
		// An env set up with an earlier default user name keeps that
		// user: a new default would be a changed iam_user nobody asked for.
		if s := saved.Answers(); !a.Set["iam_user"] && s.IAMUser != "" && s.IAMUser != config.DefaultIAMUser(s) {
			a.IAMUser, a.Set["iam_user"] = s.IAMUser, true
		}
	}
	if o.Env != "" {
		a.Env, a.Set["env"] = o.Env, true
	}
	return a, nil
}

// Finish applies defaults and validates; every problem is a usage error and
// is found before any AWS call or file write. It also refuses a secret file
// that git tracks: ignoring it (which the wizard does, in .gitignore) would
// not keep the secret out of the next commit.
func Finish(a *config.Answers, dir string) error {
	if err := validate(a, dir); err != nil {
		return err
	}
	if other := BucketEnv(dir, a.Env, a.Bucket); other != "" {
		return UsageError(fmt.Errorf("bucket %s; nothing was changed", bucketOfEnv(a.Bucket, other, a.Env)))
	}
	if err := steps.SecretFilesUntracked(dir, a); err != nil {
		return UsageError(fmt.Errorf("%w; nothing was changed", err))
	}
	if err := claimEnvFile(a, dir); err != nil {
		return err
	}
	// Refused here, before the run's lock files exist (SaveAnswers checks
	// again under the lock).
	if err := envfile.CheckWritable(envPath(a.EnvFile, dir)); err != nil {
		return UsageError(fmt.Errorf("env file: %w; nothing was changed", err))
	}
	return nil
}

// FinishAudit is Finish for the commands that write no secret (check,
// doctor, docs, destroy): a tracked secret file is for check to report, not
// a reason to refuse.
func FinishAudit(a *config.Answers, dir string) error {
	if err := validate(a, dir); err != nil {
		return err
	}
	return claimEnvFile(a, dir)
}

func validate(a *config.Answers, dir string) error {
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		return UsageError(err)
	}
	return checkEnvFile(a.EnvFile, dir)
}

// checkEnvFile refuses, before anything changes, an env file whose real
// place is outside the project (a linked folder), one that is not a regular
// file (a link, a named pipe) and one with a line envfile does not read.
func checkEnvFile(file, dir string) error {
	path := envPath(file, dir)
	if err := envfile.InsideProject(dir, path); err != nil {
		return UsageError(fmt.Errorf("env file: %w; nothing was changed", err))
	}
	if err := envfile.Check(path); err != nil {
		var syntax *envfile.SyntaxError
		if errors.As(err, &syntax) {
			return UsageError(fmt.Errorf("env file: %w: fix or remove that line; nothing was changed", err))
		}
		return UsageError(fmt.Errorf("env file: %w; nothing was changed", err))
	}
	return nil
}

func envPath(file, dir string) string {
	if filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(dir, file)
}

// claimEnvFile keeps two envs from sharing one env file: prod's key written
// over staging's would leave staging's key active with its secret lost, and
// point local runs at the prod bucket. A file is another env's when it holds
// another bucket's settings, or when another env's saved answers name it. A
// defaulted env file that is another env's becomes .env.<env>; a chosen one
// is an error. Finish checks early (before any change); SaveAnswers claims
// for good, under the project's env-file lock.
func claimEnvFile(a *config.Answers, dir string) error {
	// A key this env recorded makes the file this env's, whatever bucket
	// name it holds now (a typo there is for doctor to find, not a reason
	// to move).
	prog, err := state.Read(dir, a.Env)
	if err != nil {
		return err
	}
	c := envFileClaim{a: a, dir: dir, prog: prog, saved: prog.Answers()}
	other, err := c.owner(a.EnvFile)
	if err != nil || other == "" {
		return err
	}
	if a.Set["env_file"] {
		return UsageError(fmt.Errorf("env_file %s already holds %s (another env?): writing env %s there would replace its key and bucket; set env_file: .env.%s", a.EnvFile, other, a.Env, a.Env))
	}
	// Remembered as an answer: later runs must keep using this file even
	// when .env changes.
	a.EnvFile, a.Set["env_file"] = ".env."+a.Env, true
	if other, err := c.owner(a.EnvFile); err != nil || other != "" {
		if err != nil {
			return err
		}
		return UsageError(fmt.Errorf("both .env and %s hold another env's settings (%s): set env_file for env %s", a.EnvFile, other, a.Env))
	}
	return checkEnvFile(a.EnvFile, dir)
}

// envFileClaim is what tells an env file of this env (a) from another
// env's: this env's progress and saved answers.
type envFileClaim struct {
	a     *config.Answers
	dir   string
	prog  *state.Progress
	saved *config.Answers // nil before the first run
}

// ours reports whether a file's key or bucket marks it as this env's: a
// key this env recorded, or its own bucket of an earlier run (the bucket
// answer changed since).
func (c envFileClaim) ours(keyID, bucket string) bool {
	return keyID != "" && c.prog.Key(keyID) != nil || c.saved != nil && bucket == c.saved.Bucket
}

// owner names who else the file serves ("" when nobody does).
func (c envFileClaim) owner(file string) (string, error) {
	vals, err := envfile.Read(envPath(file, c.dir))
	if err != nil {
		return "", UsageError(fmt.Errorf("env file %s: %w", file, err))
	}
	b := vals["AWS_STORAGE_BUCKET_NAME"]
	if b != "" && b != c.a.Bucket && !c.ours(vals["AWS_ACCESS_KEY_ID"], b) {
		return "the settings of bucket " + b, nil
	}
	// A file this env's saved answers already name stays its own; only
	// another one is looked for in the other envs' progress files.
	abs := appconfig.AbsDir(envPath(file, c.dir))
	if c.saved != nil && c.saved.EnvFile != "" && appconfig.AbsDir(envPath(c.saved.EnvFile, c.dir)) == abs {
		return "", nil
	}
	if env := envUsing(c.dir, c.a.Env, abs); env != "" {
		return "the settings of env " + env, nil
	}
	return "", nil
}

// envUsing returns the other env of the project whose saved answers use
// the env file at absolute path want, or "".
func envUsing(dir, self, want string) string {
	for env, p := range state.Others(dir, self) {
		if p.Answers() == nil || p.Answers().EnvFile == "" {
			continue
		}
		if appconfig.AbsDir(envPath(p.Answers().EnvFile, dir)) == want {
			return env
		}
	}
	return ""
}

// Session is one opened run.
type Session struct {
	Run   *steps.Run
	Steps []*steps.Step
}

// Close releases the progress lock.
func (s *Session) Close() error {
	if s.Run.State != nil {
		return s.Run.State.Close()
	}
	return nil
}

// OpenOptions say how Open opens a run.
type OpenOptions struct {
	// Lock takes the progress file's lock (apply, rotate, destroy);
	// without it progress is read only.
	Lock bool
	// DryRun makes credentials optional: without them the run is offline
	// and plans everything as new. It never takes the lock.
	DryRun bool
}

// Open builds the AWS clients and the run for answers a, as oo says.
func Open(ctx context.Context, o Options, a *config.Answers, oo OpenOptions) (*Session, error) {
	lock, dryRun := oo.Lock, oo.DryRun
	// The app-config step needs the project's Django version, which takes a
	// Python subprocess to learn: start now, so it overlaps the AWS work.
	djangoapp.Prefetch(o.Dir, o.Python)
	var (
		prog *state.Progress
		err  error
	)
	if lock && !dryRun {
		prog, err = state.Open(o.Dir, a.Env)
		if err == nil {
			err = sweepTemps(o.Dir, a)
			if err != nil {
				prog.Close()
			}
		}
	} else {
		prog, err = state.Read(o.Dir, a.Env)
	}
	if errors.Is(err, envfile.ErrOutsideProject) {
		// A .s3wizard linked out of the project is the caller's setup,
		// refused before anything is written (exit 2, as the env file's).
		return nil, UsageError(fmt.Errorf("%w; nothing was changed", err))
	}
	if err != nil {
		return nil, err
	}
	clients, err := aws.New(ctx, aws.Options{Profile: cmp.Or(o.Profile, a.AWSProfile), Region: a.Region, DryRun: dryRun, Endpoint: a.ProviderEndpoint()})
	if err != nil {
		prog.Close()
		return nil, err
	}
	r := &steps.Run{Dir: o.Dir, Python: o.Python, Answers: a, State: prog, AWS: clients, DryRun: dryRun, Now: time.Now}
	if dryRun {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, cerr := clients.Cfg.Credentials.Retrieve(cctx)
		cancel()
		r.Offline = cerr != nil
		clients.Offline = r.Offline
	}
	return &Session{Run: r, Steps: steps.All()}, nil
}

// RefuseWrongAccount asks STS who the credentials are and refuses them
// when they are of another account than the one the env's progress
// records (engine.ErrWrongAccount), before anything is read there or saved
// here. Other identity failures are left to the steps, which report them.
func (s *Session) RefuseWrongAccount(ctx context.Context) error {
	if err := s.Run.Identify(ctx); errors.Is(err, engine.ErrWrongAccount) {
		return err
	}
	return nil
}

// sweepTemps removes what a killed run's atomic writes left of the env's
// secret files, under the env-file lock (another env may be writing a
// shared env file).
func sweepTemps(dir string, a *config.Answers) error {
	release, err := state.LockEnvFiles(dir)
	if err != nil {
		return err
	}
	defer release()
	return (&steps.Run{Dir: dir, Answers: a}).SweepTemps()
}

// SaveAnswers records the answers in the progress file (never a secret:
// answers hold none).
//
// It is also where the env file is claimed for good: under the project's
// env-file lock, the claim is checked again and recorded in the same hold,
// so two envs applied at once cannot both take the default .env (the loser
// would overwrite the winner's secret).
func (s *Session) SaveAnswers() error {
	release, err := state.LockEnvFiles(s.Run.Dir)
	if err != nil {
		return err
	}
	defer release()
	if err := claimEnvFile(s.Run.Answers, s.Run.Dir); err != nil {
		return err
	}
	if err := envfile.CheckWritable(envPath(s.Run.Answers.EnvFile, s.Run.Dir)); err != nil {
		return UsageError(fmt.Errorf("env file: %w; nothing was changed", err))
	}
	return s.Run.State.Update(func(p *state.Progress) { p.SetAnswers(s.Run.Answers) })
}
