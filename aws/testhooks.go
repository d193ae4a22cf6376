//go:build s3wizard_testhooks

package aws

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// The crash-injection hook exists only in binaries built with the tag
// s3wizard_testhooks (internal/testbin builds the tests' binary so); a
// release build has nohooks.go instead and ignores the variable.

// CrashAfterEnv names the test hook variable: the process exits right after
// the named operation succeeds, as if killed (crash-safety tests).
// "PutObject#3" exits after the third successful PutObject instead.
const CrashAfterEnv = "S3WIZARD_CRASH_AFTER"

var crashCalls struct {
	sync.Mutex
	n int
}

// crashAfter exits the process, as if killed, when op is the one
// CrashAfterEnv names (and its count is reached).
func crashAfter(op, call string) {
	v := os.Getenv(CrashAfterEnv)
	if v == "" {
		return
	}
	name, nth, _ := strings.Cut(v, "#")
	if name != op {
		return
	}
	want, err := strconv.Atoi(nth)
	if err != nil || want < 1 {
		want = 1
	}
	crashCalls.Lock()
	crashCalls.n++
	fire := crashCalls.n == want
	crashCalls.Unlock()
	if fire {
		fmt.Fprintf(os.Stderr, "s3wizard: %s=%s: simulating a crash after %s\n", CrashAfterEnv, op, call)
		os.Exit(137)
	}
}
