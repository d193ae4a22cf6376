package steps_test

import (
	"context"
	"sync"
	"testing"

	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// ApplyAll runs preflight (which calls Identify) alongside steps that read
// AccountID: run with -race, this fails if the two are not synchronised.
func TestIdentifyAndAccountIDConcurrently(t *testing.T) {
	s := motoserver.Shared(t)
	a := protAnswers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\n")
	r := protRun(t, s, a)
	var wg sync.WaitGroup
	ids := make([]string, 16)
	for i := range ids {
		wg.Go(func() {
			if i%2 == 0 {
				if err := r.Identify(context.Background()); err != nil {
					t.Error(err)
				}
			}
			ids[i] = r.AccountID()
		})
	}
	wg.Wait()
	if acct, caller := r.Identity(); acct != motoserver.AccountID || caller == "" {
		t.Errorf("Identity() = %q, %q", acct, caller)
	}
}
