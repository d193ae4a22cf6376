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
// it cannot re-read and re-judge what the steps check. Nor does the
// inventory it lists (built from the records and the answers alone).
func TestDocsMakesNoAWSCall(t *testing.T) {
	var files []string
	for _, glob := range []string{"*.go", "../inventory/*.go"} {
		f, err := filepath.Glob(glob)
		if err != nil || len(f) == 0 {
			t.Fatalf("%s: %v %v", glob, f, err)
		}
		files = append(files, f...)
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
