package aws

import "testing"

// The operator's policy is derived from the per-service interfaces: a new
// call without its IAM actions, or actions left for a call no longer made,
// must not go unnoticed.
func TestEveryOperationHasItsIAMActions(t *testing.T) {
	ops := map[string]bool{}
	for _, op := range Operations() {
		ops[op] = true
		if _, ok := OperatorActions[op]; !ok {
			t.Errorf("%s is called (api.go) but has no entry in OperatorActions", op)
		}
	}
	for op, p := range OperatorActions {
		if !ops[op] {
			t.Errorf("OperatorActions has %s, which no interface of api.go declares", op)
		}
		if (len(p.Actions) == 0) != (p.Scope == ScopeNone) {
			t.Errorf("%s: actions %v with scope %d", op, p.Actions, p.Scope)
		}
		// Each row says which AWS page it comes from (its own, or the
		// service's authorization reference).
		if p.Reference(op) == "" || len(p.Also) > 0 && p.Doc == "" {
			t.Errorf("%s: no AWS page for what it needs (Doc, ServiceDocs)", op)
		}
	}
	if len(ops) < 50 {
		t.Fatalf("only %d operations found by reflection", len(ops))
	}
}
