package docs_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// The document is a template over the steps' results and the recorded
// state: the docs package reaches no AWS API (no SDK, no aws package), so
// it cannot re-read and re-judge what the steps check.
func TestDocsMakesNoAWSCall(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if strings.HasPrefix(path, "github.com/aws/") || path == "github.com/s3wizard/s3wizard/aws" {
				t.Errorf("%s imports %s: docs must render the steps' results, not call AWS", f, path)
			}
		}
	}
}
