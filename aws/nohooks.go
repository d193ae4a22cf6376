//go:build !s3wizard_testhooks

package aws

// crashAfter is the crash-injection test hook (testhooks.go); a release
// build has none.
func crashAfter(op, call string) {}
