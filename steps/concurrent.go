package steps

import (
	"errors"

	"golang.org/x/sync/errgroup"
)

// maxReads bounds the requests one step has in flight at once. On AWS each
// request costs a round trip; independent ones go out together, but not so
// many that S3 or IAM starts throttling.
const maxReads = 8

// forEach runs fn(0) … fn(n-1) concurrently, at most maxReads at a time,
// and returns when all are done.
func forEach(n int, fn func(i int)) {
	var g errgroup.Group
	g.SetLimit(maxReads)
	for i := range n {
		g.Go(func() error { fn(i); return nil })
	}
	_ = g.Wait() // fn reports no error: each keeps its own result
}

// planParts runs independent parts of a plan concurrently, each into a plan
// of its own, and appends all they found (actions, notices, warnings,
// errors, records) to p in the parts' order. The first part's error (in that order) is returned.
func planParts(p *Plan, parts ...func(*Plan) error) error {
	subs := make([]Plan, len(parts))
	errs := make([]error, len(parts))
	forEach(len(parts), func(i int) { errs[i] = parts[i](&subs[i]) })
	for i, sub := range subs {
		if errs[i] != nil {
			return errs[i]
		}
		p.Actions = append(p.Actions, sub.Actions...)
		p.Notices = append(p.Notices, sub.Notices...)
		p.Warnings = append(p.Warnings, sub.Warnings...)
		p.Errors = append(p.Errors, sub.Errors...)
		p.records = append(p.records, sub.records...)
	}
	return nil
}

// async starts fn at once and returns a function that waits for its result:
// a read whose answer is needed further down goes out with the others.
func async[T any](fn func() (T, error)) func() (T, error) {
	var (
		v   T
		err error
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		v, err = fn()
	}()
	return func() (T, error) {
		<-done
		return v, err
	}
}

// errNotRead stands for a read that was not sent because its answer cannot
// be needed.
var errNotRead = errors.New("not read: not needed with these answers")
