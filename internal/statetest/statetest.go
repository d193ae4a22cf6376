// Package statetest opens progress files for tests. It imports only state,
// so that any package's tests may use it, even the internal tests of a
// package internal/testrun imports (steps, accesskey).
package statetest

import (
	"testing"

	"github.com/s3wizard/s3wizard/state"
)

// Open opens env's progress in dir, with its lock taken and released (the
// file closed) when the test ends.
func Open(tb testing.TB, dir, env string) *state.Progress {
	tb.Helper()
	st, err := state.Open(dir, env)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	return st
}
