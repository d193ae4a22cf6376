package tui

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The wizard's screen makes no AWS call of its own: identity, bucket names
// and steps go through app and steps, which every front end shares. An
// import of the SDK or of the aws package here is how one would creep in.
func TestNoAWSCallInTUI(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if strings.HasPrefix(p, "github.com/aws/") || p == "github.com/s3wizard/s3wizard/aws" {
				t.Errorf("%s imports %s: AWS calls belong in app or steps", f, p)
			}
		}
	}
}
