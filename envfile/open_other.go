//go:build !unix

package envfile

import "os"

// openNoBlock opens path for reading (named pipes are not files here).
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
