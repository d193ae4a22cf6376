package docs

import (
	"github.com/s3wizard/s3wizard/inventory"
	"github.com/s3wizard/s3wizard/steps"
)

// resources are the env's resources and their fate on destroy, deleted
// and kept: the lines of destroy's own inventory (inventory.Of), which its
// confirmation list shows too.
func resources(r *steps.Run) (deleted, kept []string) {
	return inventory.Of(r).Lines()
}
