package djangoapp

import (
	"fmt"

	assets "github.com/s3wizard/s3wizard/assets/django"
)

// Elastic Beanstalk / EC2 health check (instance-role path).
const (
	// HealthModule is the import path of the health-check module when it is
	// copied next to manage.py.
	HealthModule = "s3wizard_health"
	// HealthMiddleware is the MIDDLEWARE entry to put first.
	HealthMiddleware = HealthModule + ".HealthCheckMiddleware"
	// HealthPath is the path the middleware answers and the load balancer
	// checks.
	HealthPath = "/health/"
	// EBHealthConfigName is the name of the .ebextensions file the wizard
	// owns (it never writes another file there).
	EBHealthConfigName = "s3wizard-health.config"
)

// GenerateHealthModule returns s3wizard_health.py: HealthCheckMiddleware,
// which answers GET/HEAD /health/ with 200 {"status": "ok"} before Django
// validates the Host header (so the load balancer's health check, whose Host
// is the instance's private IP, passes without ALLOWED_HOSTS = ['*']), and
// ec2_private_ip(), which reads the private IPv4 with IMDSv2 and returns
// None off EC2.
func GenerateHealthModule() ([]byte, error) {
	return asset("s3wizard_health.py")
}

// EBHealthConfig returns the .ebextensions option file (YAML) that sets the
// load balancer's health check path (aws:elasticbeanstalk:environment:
// process:default HealthCheckPath) to HealthPath.
func EBHealthConfig() ([]byte, error) {
	return asset(EBHealthConfigName)
}

func asset(name string) ([]byte, error) {
	b, err := assets.FS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("embedded %s: %w", name, err)
	}
	return b, nil
}
