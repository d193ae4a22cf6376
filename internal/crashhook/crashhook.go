//go:build s3wizard_testhooks

// Package crashhook is the crash-safety tests' hook: S3WIZARD_CRASH_AFTER
// names an operation, and the process exits right after it succeeds, as if
// killed. "PutObject#3" exits after the third success instead. AWS calls
// (aws) and atomic file writes (envfile: "WriteTemp:<file name>", after the
// temporary file holds the new content, before it is renamed) honour it.
//
// The hook exists only in binaries built with the tag s3wizard_testhooks
// (internal/testbin builds the tests' binary so); a release build has
// nohooks.go instead and ignores the variable.
package crashhook

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Env names the test hook variable.
const Env = "S3WIZARD_CRASH_AFTER"

var calls struct {
	sync.Mutex
	n int
}

// Fires counts a successful op and tells whether the hook fires for it.
func Fires(op string) bool {
	v := os.Getenv(Env)
	if v == "" {
		return false
	}
	name, nth, _ := strings.Cut(v, "#")
	if name != op {
		return false
	}
	want, err := strconv.Atoi(nth)
	if err != nil || want < 1 {
		want = 1
	}
	calls.Lock()
	defer calls.Unlock()
	calls.n++
	return calls.n == want
}

// After exits the process (status 137, as a kill) when the hook fires for
// op, saying what it simulates.
func After(op, what string) {
	if Fires(op) {
		fmt.Fprintf(os.Stderr, "s3wizard: %s=%s: simulating a crash after %s\n", Env, op, what)
		os.Exit(137)
	}
}
