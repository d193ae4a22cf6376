package steps

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/text"
)

// KeyRotationDays is how long an access key lives before it is rotated
// (CIS AWS Foundations).
const KeyRotationDays = 90

// NextSteps is what is left to the user once an env is set up, in order:
// the Heroku command, loading the generated settings, INSTALLED_APPS, the
// packages to pin, the hand-off document and the key's rotation date.
func NextSteps(r *Run) []string {
	a := r.Answers
	var out []string
	env, _ := envfile.Read(r.EnvFilePath())
	keyID := env[appconfig.EnvKeyID]
	key := r.State.Key(keyID)
	if a.UsesAccessKeys() && a.HerokuApp != "" && (key == nil || !slices.Contains(key.Deployed, "heroku")) {
		out = append(out, fmt.Sprintf("Set the config vars of Heroku app %s in one restart: sh %s — it holds the secret: delete it afterwards.", a.HerokuApp, appconfig.HerokuFile(a.Env)))
	}
	settings := "settings.py"
	proj, err := djangoapp.Detect(r.Dir)
	if err != nil {
		proj = nil
	}
	if proj != nil && proj.SettingsFile != "" {
		if rel, err := filepath.Rel(proj.Dir, proj.SettingsFile); err == nil {
			settings = rel
		}
	}
	dest := filepath.Join(filepath.Dir(settings), djangoapp.SettingsModuleFile)
	out = append(out,
		fmt.Sprintf("Copy %s to %s and add at the end of %s: %s", appconfig.SettingsFile, dest, settings, djangoapp.SettingsImport),
		`Add "storages" to INSTALLED_APPS.`,
		fmt.Sprintf("Pin the packages in requirements.txt: %s and boto3.", storagesPin(proj)),
		fmt.Sprintf("Write the hand-off document for whoever runs the app: s3wizard docs --env %s", a.Env))
	if a.UsesAccessKeys() && key != nil && !key.Created.IsZero() {
		due := key.Created.AddDate(0, 0, KeyRotationDays)
		out = append(out, fmt.Sprintf("Rotate the access key %s by %s (every %d days): s3wizard rotate-keys --env %s", text.Mask(keyID), due.Format("2006-01-02"), KeyRotationDays, a.Env))
	}
	return out
}

// storagesPin is the requirement line for django-storages: the version the
// project p (nil: none detected) uses, else the oldest the generated settings accept.
func storagesPin(p *djangoapp.Project) string {
	if p != nil && p.StoragesVersion != "" {
		return "django-storages[s3]==" + p.StoragesVersion
	}
	return "django-storages[s3]>=" + djangoapp.MinStorages
}
