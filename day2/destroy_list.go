package day2

import (
	"github.com/s3wizard/s3wizard/inventory"
	"github.com/s3wizard/s3wizard/steps"
)

// DestroyList says, before anything is deleted, what Destroy will delete for
// the env and what it keeps, from the progress file alone (no AWS call), so
// the user can confirm knowing what goes: the lines of inventory.Of, the
// list Destroy itself goes by.
func DestroyList(r *steps.Run) (deleted, kept []string) {
	return inventory.Of(r).Lines()
}
