package appconfig

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/s3wizard/s3wizard/djangoapp"
)

// EBProject says why the project in dir deploys with Elastic Beanstalk
// (ebEnvironment named, .elasticbeanstalk/ or .ebextensions/), or "".
func EBProject(dir, ebEnvironment string) string {
	if ebEnvironment != "" {
		return "environment " + ebEnvironment
	}
	for _, d := range []string{".elasticbeanstalk", EBExtensionsDir} {
		if fi, err := os.Stat(filepath.Join(dir, d)); err == nil && fi.IsDir() {
			return d + "/ found"
		}
	}
	return ""
}

// OtherHealthConfigs lists the .ebextensions config files, ours excepted,
// that set a health check path.
func OtherHealthConfigs(dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, EBExtensionsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == djangoapp.EBHealthConfigName || !strings.HasSuffix(name, ".config") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, EBExtensionsDir, name))
		if err != nil {
			return out, err
		}
		if s := string(data); strings.Contains(s, "HealthCheckPath") || strings.Contains(s, "Application Healthcheck URL") {
			out = append(out, name)
		}
	}
	return out, nil
}
