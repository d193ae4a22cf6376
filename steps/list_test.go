package steps_test

import (
	"testing"

	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/steps"
)

// The real list is a valid graph: no step waits for a step that is not
// there, nor for itself through others.
func TestTheStepListIsAValidOrder(t *testing.T) {
	if err := engine.CheckOrder(steps.All()); err != nil {
		t.Fatal(err)
	}
}
