package steps

import "github.com/s3wizard/s3wizard/config"

// All returns the wizard's steps in the guides' order.
func All() []*Step {
	return []*Step{
		Preflight(),
		bucketStep(),
		layoutStep(),
		iamStep(),
		roleStep(),
		accessKeyStep(),
		Public(),
		protectionStep(),
		monitoringStep(),
		AppConfig(),
	}
}

func accessKeys(a *config.Answers) bool   { return a.UsesAccessKeys() }
func instanceRole(a *config.Answers) bool { return a.UsesInstanceRole() }

// appKeys: the app authenticates with keys from the env file (the wizard's
// IAM user's, or the ones provided for an S3-compatible service).
func appKeys(a *config.Answers) bool { return accessKeys(a) || compatible(a) }
