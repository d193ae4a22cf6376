package app

import (
	"fmt"

	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/steps"
)

// ProvidedKeysMissing reports whether `credentials: provided` still lacks
// the provider's keys in the env file (defaults applied to a first).
func ProvidedKeysMissing(a *config.Answers, dir string) (bool, error) {
	if !a.IsProvided() {
		return false, nil
	}
	a.ApplyDefaults()
	vals, err := envfile.Read(envPath(a.EnvFile, dir))
	if err != nil {
		return false, UsageError(fmt.Errorf("env file %s: %w", a.EnvFile, err))
	}
	return vals[appconfig.EnvKeyID] == "" || vals[appconfig.EnvSecret] == "", nil
}

// CheckProvidedKeys refuses, before anything changes, `credentials:
// provided` without the provider's keys in the env file: the wizard creates
// no key there, and the app (and the verification) would have none.
func CheckProvidedKeys(a *config.Answers, dir string) error {
	missing, err := ProvidedKeysMissing(a, dir)
	if err != nil || !missing {
		return err
	}
	return UsageError(fmt.Errorf("credentials: provided uses the keys you made in your provider's console: put AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in %s (mode 0600; the wizard keeps them as they are); nothing was changed", a.EnvFile))
}

// SaveProvidedKeys writes the provider's keys, typed in the wizard, to the
// env file and nowhere else (never the progress file, a log or argv): git
// ignores the file first, a tracked one is refused, the write is atomic and
// the file mode 0600; its other lines are kept.
func SaveProvidedKeys(a *config.Answers, dir, id, secret string) error {
	if err := config.ValidProviderKeyID(id); err != nil {
		return UsageError(err)
	}
	if err := config.ValidProviderSecret(secret, id); err != nil {
		return UsageError(err)
	}
	a.ApplyDefaults()
	if err := validate(a, dir); err != nil {
		return err
	}
	if err := steps.SecretFilesUntracked(dir, a); err != nil {
		return UsageError(fmt.Errorf("%w; nothing was changed", err))
	}
	r := &steps.Run{Dir: dir, Answers: a}
	if _, err := envfile.EnsureIgnored(dir, r.IgnorePatterns()); err != nil {
		return fmt.Errorf("make git ignore %s: %w", a.EnvFile, err)
	}
	if _, err := envfile.Merge(r.EnvFilePath(), map[string]string{appconfig.EnvKeyID: id, appconfig.EnvSecret: secret}, nil); err != nil {
		return fmt.Errorf("write the provider's keys to %s: %w", a.EnvFile, err)
	}
	return nil
}
