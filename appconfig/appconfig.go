// Package appconfig is what the wizard writes into the Django project,
// without any AWS call: the names of the app's variables and of the files it
// generates, the scripts that carry the variables (Heroku, Elastic Beanstalk,
// set_env.sh), the virtualenv hook, the ignore files, Elastic Beanstalk
// project detection and the Heroku Platform API. steps/appconfig.go plans
// and verifies them as the app-config step.
package appconfig

import (
	"slices"

	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/state"
)

// The access key's variables, as boto3 and django-storages read them.
const (
	EnvKeyID  = "AWS_ACCESS_KEY_ID"
	EnvSecret = "AWS_SECRET_ACCESS_KEY"
)

// Env var names the app reads besides the credentials (the generated
// settings read them: djangoapp owns the names).
const (
	EnvBucket         = djangoapp.EnvBucket
	EnvRegion         = djangoapp.EnvRegion
	EnvUseS3          = djangoapp.EnvUseS3
	EnvEndpoint       = djangoapp.EnvEndpoint
	EnvStatic         = djangoapp.EnvStatic
	EnvPublicPrefixes = djangoapp.EnvPublicPrefixes
	EnvPublicSSE      = djangoapp.EnvPublicSSE
	EnvPublicDomain   = djangoapp.EnvPublicDomain
)

// The AWS SDKs' own variables (boto3 1.36+, read by the app's boto3, not
// by the settings) that make the app send checksums only where an operation
// requires one, as S3-compatible providers accept (credentials: provided).
const (
	EnvChecksumCalculation = "AWS_REQUEST_CHECKSUM_CALCULATION"
	EnvChecksumValidation  = "AWS_RESPONSE_CHECKSUM_VALIDATION"
	ChecksumWhenRequired   = "when_required"
)

// appEnvKeys are the app's variables besides the credentials, in the order
// they are documented and deployed.
var appEnvKeys = []string{EnvBucket, EnvRegion, EnvUseS3, EnvStatic, EnvPublicPrefixes, EnvPublicSSE, EnvEndpoint, EnvPublicDomain, EnvChecksumCalculation, EnvChecksumValidation}

// AppEnvKeys returns the names of every variable the wizard may set for the
// app besides the credentials, in the order they are documented and
// deployed (destroy removes them all).
func AppEnvKeys() []string { return slices.Clone(appEnvKeys) }

// Files the app-config step writes, relative to the project, and their
// modes.
const (
	SettingsFile     = state.Dir + "/django_settings.py"
	StoragesFile     = state.Dir + "/s3wizard_storages.py"
	SetEnvFile       = "set_env.sh"
	SecretPerm       = 0o600
	GeneratedPerm    = 0o644
	activateHookMark = "# added by s3wizard"
)

// Files written for an instance role (EC2 / Elastic Beanstalk): the /health/
// middleware, and the .ebextensions file pointing the load balancer's health
// check at it.
const (
	HealthModuleFile   = state.Dir + "/" + djangoapp.HealthModule + ".py"
	EBHealthConfigFile = EBExtensionsDir + "/" + djangoapp.EBHealthConfigName
	EBExtensionsDir    = ".ebextensions"
)

// HerokuFile is the Heroku command file of env, relative to the project.
func HerokuFile(env string) string { return state.Dir + "/heroku-" + env + ".sh" }

// KeyBackupFile is where apply keeps the env file as it was before a new
// key replaced one that was not the wizard's (mode 0600; the `*secret*`
// ignore rule covers it), relative to the project.
func KeyBackupFile(env string) string {
	return state.Dir + "/" + env + "-env-file-before-key.secret-backup"
}

// EBFile is the Elastic Beanstalk command file of env, relative to the
// project (instance role: no secret in it).
func EBFile(env string) string { return state.Dir + "/eb-" + env + ".sh" }

// DeployVar is one variable the app's host needs (Heroku, Elastic
// Beanstalk, set_env.sh). Its value may be a secret.
type DeployVar struct{ Name, Value string }

// PyBool is how the env file spells a boolean the settings read.
func PyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
