package steps

import (
	"context"
	"fmt"

	"github.com/s3wizard/s3wizard/accesskey"
	"github.com/s3wizard/s3wizard/envfile"
)

// EnvFilePath is the env file's path in the project.
func (r *Run) EnvFilePath() string { return r.Answers.EnvFilePath(r.Dir) }

// accessKeyStep gives the app's IAM user one working access key, whose secret
// goes straight into the env file. The key's life is package accesskey's.
func accessKeyStep() *Step {
	return &Step{
		ID:    "access-key",
		Title: "Create the access key",
		Guide: "French guide §5.3",
		Why:   "Heroku and local runs authenticate with the IAM user's access key. AWS shows its secret once: the wizard writes it straight into your env file (mode 0600) and never prints it.",
		Departures: []string{
			"The guide says to note or download the keys; the wizard never shows the secret: it goes only into the env file (and the Heroku command file), masked everywhere else.",
		},
		Keys:    []string{"env_file"},
		Needs:   []string{"iam"},
		Enabled: accessKeys,
		Plan:    planAccessKey,
		Verify:  func(ctx context.Context, r *Run) []Check { return r.Keys().Verify(ctx) },
	}
}

// planAccessKey refuses an env file that cannot take the secret before
// anything is created, then plans the key (accesskey.Keys.Plan), the env
// file ignored by git before the key exists, not later in app-config: a run
// that stops in between leaves no secret git would commit.
func planAccessKey(ctx context.Context, r *Run) (*Plan, error) {
	path := r.EnvFilePath()
	if err := envfile.Check(path); err != nil {
		return nil, fmt.Errorf("env file: %w: fix that line first; nothing was created", err)
	}
	if err := CheckSecretFilesUntracked(r); err != nil {
		return nil, fmt.Errorf("%w; no key was created", err)
	}
	if err := envfile.CheckWritable(path); err != nil {
		return nil, fmt.Errorf("env file: %w; nothing was created", err)
	}
	return r.Keys().Plan(ctx, func(p *Plan) error {
		return planIgnoreSecrets(r, p, "before the key exists, ignore secret files: ")
	})
}

// Keys is the run's env's access keys, for their life (package accesskey):
// the access-key step, rotate-keys and doctor go through it.
func (r *Run) Keys() *accesskey.Keys {
	return &accesskey.Keys{
		Dir: r.Dir, Answers: r.Answers, State: r.State, AWS: r.AWS, Offline: r.Offline,
		Now: r.Now, Propagation: r.keyPropagation(), New: &r.newKeys,
		EnvSecretFiles: r.envSecretFiles(), Probe: r.Probe,
	}
}
