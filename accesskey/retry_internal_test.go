//go:build go1.25

// These tests need testing/synctest (Go 1.25); the module itself builds
// with Go 1.24 (go.mod), and a 1.24 toolchain leaves this file out.

package accesskey

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/cannedhttp"
	"github.com/s3wizard/s3wizard/internal/statetest"
	"github.com/s3wizard/s3wizard/state"
)

// No emulator answers CreateAccessKey's throttling or a new key's "unknown
// key": these tests call the lifecycle's own functions with real SDK
// clients whose requests get scripted answers at the transport (cannedhttp),
// in a synctest bubble, so the SDK's backoff passes on the bubble's clock.

// demoKeys is the lifecycle of env staging's user app in a fresh project.
func demoKeys(t *testing.T) *Keys {
	t.Helper()
	dir := t.TempDir()
	return &Keys{Dir: dir, Answers: &config.Answers{Env: "staging", IAMUser: "app"}, State: statetest.Open(t, dir, "staging"), New: &Tracker{}, Propagation: time.Minute}
}

func queryErr(status int, code string) [2]any { return [2]any{status, cannedhttp.QueryError(code, "")} }

const createdKey = `<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><UserName>app</UserName><AccessKeyId>AKIANEWKEY</AccessKeyId>` +
	`<Status>Active</Status><SecretAccessKey>canned-secret</SecretAccessKey><CreateDate>2026-01-02T12:00:00Z</CreateDate></AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>`

const noKeys = `<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata/><IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>`

// CreateAccessKey retries a throttled call and a user IAM does not know yet
// (neither made a key), and nothing else: after a 500 a key may exist, so a
// second attempt could make another one while the first one's secret is
// gone; the creation record stays for the next run.
func TestCreateAccessKeyRetriesOnlyWhatMadeNoKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answer := func(create ...[2]any) func(string, int) (int, string) {
			s := cannedhttp.Script("CreateAccessKey", "", create...)
			return func(op string, n int) (int, string) {
				if op == "ListAccessKeys" {
					return 200, noKeys
				}
				return s(op, n)
			}
		}
		r := demoKeys(t)
		var h *cannedhttp.Client
		r.AWS, h = cannedhttp.Clients(t, answer(queryErr(404, "NoSuchEntity"), queryErr(400, "Throttling"), [2]any{200, createdKey}))
		k, err := newKey(context.Background(), r, "")
		if err != nil || k.id != "AKIANEWKEY" || h.Calls("CreateAccessKey") != 3 {
			t.Fatalf("key %v, err %v after %d requests; want AKIANEWKEY after 3", k, err, h.Calls("CreateAccessKey"))
		}
		r = demoKeys(t)
		r.AWS, h = cannedhttp.Clients(t, answer(queryErr(500, "ServiceFailure")))
		if _, err := newKey(context.Background(), r, ""); err == nil || h.Calls("CreateAccessKey") != 1 {
			t.Errorf("500: err %v after %d requests, want it after 1", err, h.Calls("CreateAccessKey"))
		}
		if r.State.KeyCreation() == nil {
			t.Error("500: the key creation record is gone; the next run could not delete a key IAM made anyway")
		}
	})
}

const callerIdentity = `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/app</Arn>` +
	`<UserId>AIDACANNED</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`

// TestOnlyANewKeyIsRetried (issue 18 defect 8): propagation retries are for
// a key made moments ago (by this run, or by a run that stopped right after
// making it); an established key's refusal is final at once. The clock is
// injected.
func TestOnlyANewKeyIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := demoKeys(t)
		now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
		r.Now = func() time.Time { return now }
		r.Propagation = time.Minute
		if err := r.State.Update(func(p *state.Progress) {
			p.PutKey(state.AccessKey{ID: "AKIARECENT", Created: now.Add(-10 * time.Second), Status: "Active"})
			p.PutKey(state.AccessKey{ID: "AKIAOLD", Created: now.Add(-2 * time.Hour), Status: "Active"})
		}); err != nil {
			t.Fatal(err)
		}
		r.New.add("AKIAMADE")
		for id, want := range map[string]bool{"AKIAMADE": true, "AKIARECENT": true, "AKIAOLD": false, "AKIAUNKNOWN": false} {
			c, h := cannedhttp.Clients(t, cannedhttp.Script("GetCallerIdentity", "",
				queryErr(403, "InvalidClientTokenId"), queryErr(403, "InvalidClientTokenId"), [2]any{200, callerIdentity}))
			arn, err := r.CallerOfKey(context.Background(), c, id)
			if retried := h.Calls("GetCallerIdentity") > 1; retried != want {
				t.Errorf("key %s: %d attempts, want retried=%v", id, h.Calls("GetCallerIdentity"), want)
			}
			if want && (err != nil || arn == "") {
				t.Errorf("key %s: arn %q, err %v; want the caller after the key propagated", id, arn, err)
			}
			if !want && !aws.IsInvalidKey(err) {
				t.Errorf("key %s: err %v, want the refusal at once", id, err)
			}
		}
	})
}
