package steps

import (
	"fmt"
	"strings"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/envfile"
)

// trackedSecretFiles are the secret-bearing files (IgnorePatterns) that git
// tracks: a .gitignore line does not stop git from committing their next
// version.
func (r *Run) trackedSecretFiles() ([]string, error) {
	return envfile.TrackedFiles(r.Dir, r.IgnorePatterns())
}

// SecretFilesUntracked is CheckSecretFilesUntracked before a run exists
// (app.Finish: before any AWS call or file write).
func SecretFilesUntracked(dir string, a *config.Answers) error {
	return CheckSecretFilesUntracked(&Run{Dir: dir, Answers: a})
}

// CheckSecretFilesUntracked refuses to go on when git tracks a file the
// wizard would write a secret into, and says exactly what to do. The one
// place that decides it: up front (app.Finish), again before the access key
// is created (the secret would be in the next commit), and by check.
func CheckSecretFilesUntracked(r *Run) error {
	if instanceRole(r.Answers) {
		return nil // no secret is written anywhere
	}
	tracked, err := r.trackedSecretFiles()
	if err != nil {
		return err
	}
	if len(tracked) == 0 {
		return nil
	}
	return fmt.Errorf("git tracks %s, where the secret access key would go: ignoring it is not enough. "+
		"Run `git rm --cached %s` and commit (the file stays on disk), then run the wizard again; "+
		"if a key was ever in it, it is in the history: rotate it (`s3wizard rotate-keys --env %s`)",
		strings.Join(tracked, ", "), strings.Join(tracked, " "), r.Answers.Env)
}
