package migrate

import (
	"fmt"

	"github.com/s3wizard/s3wizard/djangoapp"
)

// Offer is the next-step line the wizard shows when the project's
// MEDIA_ROOT already holds files (they would stay on the local disk, and
// their database rows point at names the bucket does not have yet); "" when
// there is nothing to move.
func Offer(p *djangoapp.Project, env string) string {
	if p == nil {
		return ""
	}
	root := djangoapp.FindMediaRoot(p)
	n, size := Count(root.Path)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("MEDIA_ROOT (%s) holds %d existing files (%s): upload them under %s with `s3wizard migrate-media --env %s` (resumable; --dry-run first to see what; local files are kept)",
		root.Path, n, HumanBytes(size), Prefix, env)
}
