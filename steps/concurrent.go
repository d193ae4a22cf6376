package steps

import (
	"errors"

	"github.com/s3wizard/s3wizard/engine"
)

// The engine's concurrency helpers, as the steps' plans call them.

// forEach runs fn(0) … fn(n-1) concurrently (engine.ForEach).
func forEach(n int, fn func(i int)) { engine.ForEach(n, fn) }

// planParts runs independent parts of a plan concurrently (engine.PlanParts).
func planParts(p *Plan, parts ...func(*Plan) error) error { return engine.PlanParts(p, parts...) }

// async starts fn at once and returns a function that waits for its result
// (engine.Async).
func async[T any](fn func() (T, error)) func() (T, error) { return engine.Async(fn) }

// errNotRead stands for a read that was not sent because its answer cannot
// be needed.
var errNotRead = errors.New("not read: not needed with these answers")
