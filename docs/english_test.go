package docs_test

import (
	"regexp"
	"testing"

	"github.com/s3wizard/s3wizard/docs"
)

// The hand-off checklist is in English: the French guide's own wording of
// its §11 items does not leak into it.
func TestChecklistIsEnglish(t *testing.T) {
	foreign := regexp.MustCompile(`[àâçéèêëîïôûùüœñáíóú’]`)
	for _, it := range docs.Guide {
		if foreign.MatchString(it.Title) {
			t.Errorf("checklist item in French: %q", it.Title)
		}
	}
}
