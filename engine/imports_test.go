package engine

import (
	"os/exec"
	"strings"
	"testing"
)

// The engine knows no step (issue 21.3): it runs any list, and what the
// steps write into a project (appconfig, djangoapp, assets) or the steps
// themselves are not among its imports, direct or not.
func TestEngineImportsNoStep(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/s3wizard/s3wizard/"
	for _, p := range strings.Fields(string(out)) {
		switch p {
		case mod + "steps", mod + "appconfig", mod + "djangoapp", mod + "assets", mod + "app", mod + "cli", mod + "tui":
			t.Errorf("the engine imports %s", p)
		}
	}
}
