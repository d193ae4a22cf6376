package steps_test

import (
	"context"
	"sync"
	"testing"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// The scheduler runs preflight (which calls Identify) alongside steps that read
// AccountID: run with -race, this fails if the two are not synchronised.
func TestIdentifyAndAccountIDConcurrently(t *testing.T) {
	s := motoserver.Shared(t)
	a := protAnswers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\n")
	r := protRun(t, s, a)
	var wg sync.WaitGroup
	ids := make([]string, 16)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				if err := r.Identify(context.Background()); err != nil {
					t.Error(err)
				}
			}
			ids[i] = r.AccountID()
		}()
	}
	wg.Wait()
	if acct, caller := r.Identity(); acct != motoserver.AccountID || caller == "" {
		t.Errorf("Identity() = %q, %q", acct, caller)
	}
}

// TestIdentifyAsksSTSOnceForConcurrentCallers: callers of Identify while
// one GetCallerIdentity is in flight wait for its answer, and later callers
// use the recorded one: a run asks STS once.
func TestIdentifyAsksSTSOnceForConcurrentCallers(t *testing.T) {
	s := motoserver.Shared(t)
	a := protAnswers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\n")
	r := protRun(t, s, a)
	var mu sync.Mutex
	asked := 0
	ctx := aws.WithObserver(context.Background(), func(call string) {
		if call == "sts:GetCallerIdentity" {
			mu.Lock()
			asked++
			mu.Unlock()
		}
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Identify(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := r.Identify(ctx); err != nil {
		t.Error(err)
	}
	if asked != 1 {
		t.Errorf("9 calls of Identify asked STS %d times; want 1", asked)
	}
	if acct, _ := r.Identity(); acct != motoserver.AccountID {
		t.Errorf("account %q; want %q", acct, motoserver.AccountID)
	}
}
