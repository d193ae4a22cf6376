package config

import "testing"

// examples/s3wizard.yaml, which the README points to, is parsed by the real
// parser, answers every key, and passes validation: it cannot rot.
func TestExampleAnswersFile(t *testing.T) {
	a, err := Load("../examples/s3wizard.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range keys {
		if !a.answered(q) {
			t.Errorf("examples/s3wizard.yaml does not show key %q", q.Key)
		}
	}
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		t.Fatalf("examples/s3wizard.yaml does not validate: %v", err)
	}
}
