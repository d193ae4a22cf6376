//go:build !s3wizard_testhooks

package crashhook

// Env names the test hook variable, which a release build ignores
// (crashhook.go has the hook, in test builds only).
const Env = "S3WIZARD_CRASH_AFTER"

// Fires never fires in a release build.
func Fires(op string) bool { return false }

// After does nothing in a release build.
func After(op, what string) {}
