package djangocheck_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangocheck"
	"github.com/s3wizard/s3wizard/steps"
)

// Without a Python that can import Django the check is not silently
// passed: it is reported as skipped, with the steps to run it by hand.
func TestDjangoCheckWithoutDjangoSaysHowByHand(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "manage.py"), []byte("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir()) // no python3 anywhere
	r := &steps.Run{Dir: dir, Answers: &config.Answers{Credentials: config.CredAccessKeys}}
	checks := djangocheck.Run(context.Background(), r)
	if len(checks) != 1 || !checks[0].Skipped || !checks[0].OK || !strings.Contains(checks[0].Detail, "manage.py shell") || !strings.Contains(checks[0].Detail, "default_storage.delete") {
		t.Errorf("checks %+v", checks)
	}
}
