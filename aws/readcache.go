package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// ReadCache keeps the answers of the read-only calls made under a context
// that records into it (Recording), to give each back once to the same call
// made under a context that replays it (Replaying): a step whose plan found
// nothing to change verifies right after, and on AWS each read it would
// repeat costs a round trip for an answer just received.
//
// Only successful answers are kept, never an object's body (GetObject), and
// each is given back once: a check that reads again (a retry, a wait for
// AWS to propagate a change) asks AWS the second time. The key is the
// clients (so the app's keys never get the wizard's answers), the region,
// the operation and its input. Replayed answers are not reported to the
// context's Observer: no call is made.
type ReadCache struct {
	mu      sync.Mutex
	answers map[string]any
}

// NewReadCache returns an empty cache.
func NewReadCache() *ReadCache { return &ReadCache{answers: map[string]any{}} }

type readCacheKey struct{}

type readCacheUse struct {
	cache  *ReadCache
	replay bool
}

// Recording returns a context whose read-only calls' answers go into c.
func Recording(ctx context.Context, c *ReadCache) context.Context {
	return context.WithValue(ctx, readCacheKey{}, readCacheUse{cache: c})
}

// Replaying returns a context whose read-only calls are answered from c
// when it holds the same call's answer (once each), and asked otherwise.
func Replaying(ctx context.Context, c *ReadCache) context.Context {
	return context.WithValue(ctx, readCacheKey{}, readCacheUse{cache: c, replay: true})
}

// cacheable: a read whose answer is a plain value (not a stream).
func cacheable(op string) bool { return IsReadOnly(op) && op != "GetObject" }

// cacheKey names a read of the clients c under ctx ("" when it is not
// to be cached).
func (c *Clients) cacheKey(ctx context.Context, use readCacheUse, params any) string {
	op := middleware.GetOperationName(ctx)
	if use.cache == nil || !cacheable(op) {
		return ""
	}
	in, err := json.Marshal(params)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%p %s %s:%s %s", c, awsmiddleware.GetRegion(ctx), middleware.GetServiceID(ctx), op, in)
}

// replayed is the recorded answer to this read when ctx replays a cache
// that holds it (given back once), and whether there was one.
func (c *Clients) replayed(ctx context.Context, params any) (any, bool) {
	use, ok := ctx.Value(readCacheKey{}).(readCacheUse)
	if !ok || !use.replay {
		return nil, false
	}
	key := c.cacheKey(ctx, use, params)
	if key == "" {
		return nil, false
	}
	use.cache.mu.Lock()
	defer use.cache.mu.Unlock()
	v, hit := use.cache.answers[key]
	delete(use.cache.answers, key)
	return v, hit
}

// record keeps a read's answer when ctx records into a cache.
func (c *Clients) record(ctx context.Context, params, answer any) {
	use, ok := ctx.Value(readCacheKey{}).(readCacheUse)
	if !ok || use.replay {
		return
	}
	if key := c.cacheKey(ctx, use, params); key != "" {
		use.cache.mu.Lock()
		defer use.cache.mu.Unlock()
		use.cache.answers[key] = answer
	}
}
