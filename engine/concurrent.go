package engine

import "golang.org/x/sync/errgroup"

// MaxReads bounds the requests one step has in flight at once. On AWS each
// request costs a round trip; independent ones go out together, but not so
// many that S3 or IAM starts throttling.
const MaxReads = 8

// ForEach runs fn(0) … fn(n-1) concurrently, at most MaxReads at a time,
// and returns when all are done.
func ForEach(n int, fn func(i int)) {
	var g errgroup.Group
	g.SetLimit(MaxReads)
	for i := range n {
		g.Go(func() error { fn(i); return nil })
	}
	_ = g.Wait() // fn reports no error: each keeps its own result
}

// PlanParts runs independent parts of a plan concurrently, each into a plan
// of its own, and appends all they found (actions, notices, warnings,
// errors, records) to p in the parts' order. The first part's error (in that order) is returned.
func PlanParts(p *Plan, parts ...func(*Plan) error) error {
	subs := make([]Plan, len(parts))
	errs := make([]error, len(parts))
	ForEach(len(parts), func(i int) { errs[i] = parts[i](&subs[i]) })
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

// Async starts fn at once and returns a function that waits for its result:
// a read whose answer is needed further down goes out with the others.
func Async[T any](fn func() (T, error)) func() (T, error) {
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
