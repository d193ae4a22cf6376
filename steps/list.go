package steps

import "github.com/s3wizard/s3wizard/config"

// All returns the wizard's steps in the guides' order.
func All() []*Step {
	return []*Step{
		Preflight(),
		Bucket(),
		Layout(),
		IAM(),
		Role(),
		AccessKey(),
		Public(),
		Protection(),
		Monitoring(),
		AppConfig(),
	}
}

func accessKeys(a *config.Answers) bool   { return a.Credentials == config.CredAccessKeys }
func instanceRole(a *config.Answers) bool { return a.Credentials == config.CredInstanceRole }
