package tui

import (
	"regexp"
	"testing"

	"github.com/s3wizard/s3wizard/steps"
)

// foreign catches French and Spanish leaking into the UI: accented letters,
// ¿¡ and the guides' own words.
var foreign = regexp.MustCompile(`[àâçéèêëîïôûùüÿœñáíóú¿¡]|\b(guía|Opción|Paso|Créer|Pré-requis|Sécurité|Politiques)\b`)

var quoted = regexp.MustCompile(`«[^»]*»|"[^"]*"|“[^”]*”`)

// Everything a step shows is English; the guides are referred to as
// "French guide §4.1" / "Spanish guide, option 2", never by their titles.
func TestStepTextsAreEnglish(t *testing.T) {
	for _, s := range steps.All() {
		texts := []string{s.Title, s.Guide, s.Why}
		for _, d := range s.Departures {
			// A departure may quote the guide's own line, in quotes.
			texts = append(texts, quoted.ReplaceAllString(d, ""))
		}
		for _, x := range texts {
			if foreign.MatchString(x) {
				t.Errorf("step %s shows non-English text: %q", s.ID, x)
			}
		}
		if !regexp.MustCompile(`^(French|Spanish) guide`).MatchString(s.Guide) {
			t.Errorf("step %s: guide reference %q does not start with \"French guide\" or \"Spanish guide\"", s.ID, s.Guide)
		}
	}
}
