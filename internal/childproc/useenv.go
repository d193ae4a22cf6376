package childproc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// UseEnv points this test process's AWS SDK at a server through the SDK's
// own variables (env: KEY=value, as a user's shell would have them), and
// hides the developer's AWS setup (config and credentials files, profile,
// S3-only endpoint) so nothing of it leaks into the test. Restored when the
// test ends.
func UseEnv(tb testing.TB, env []string) {
	tb.Helper()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		tb.Setenv(k, v)
	}
	none := filepath.Join(tb.TempDir(), "none")
	tb.Setenv("AWS_CONFIG_FILE", none)
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL_S3"} {
		tb.Setenv(k, "")
		os.Unsetenv(k)
	}
}
