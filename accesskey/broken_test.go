package accesskey_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/joho/godotenv"
	"github.com/s3wizard/s3wizard/accesskey"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/steps"
)

// refuseKey answers every request signed with the access key id as AWS
// answers a deleted or deactivated key (moto accepts inactive keys), and
// counts them per service.
func refuseKey(t *testing.T, moto, id string) (string, func() map[string]int) {
	var mu sync.Mutex
	seen := map[string]int{}
	url := motoserver.FaultProxy(t, moto, func(w http.ResponseWriter, req *http.Request, body string, _ http.Handler) bool {
		auth := req.Header.Get("Authorization")
		if !strings.Contains(auth, "Credential="+id+"/") {
			return false
		}
		service := "s3"
		if strings.Contains(auth, "/sts/aws4_request") {
			service = "sts"
		}
		mu.Lock()
		seen[service]++
		mu.Unlock()
		if service == "sts" {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>1</RequestId></ErrorResponse>`))
			return true
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>`))
		return true
	})
	return url, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		return map[string]int{"sts": seen["sts"], "s3": seen["s3"]}
	}
}

// TestCheckReportsABrokenKeyAtOnce (issue 18 defect 8): `check` on a key
// made long ago that AWS now refuses (deleted or deactivated) took a minute
// to say so, retrying as if the key were still propagating. The key's
// requests are counted: one STS call and one probe pass, not a retry loop.
// The clock is injected (the key was made two hours ago); the propagation
// bound is long, so any retry would show in the counts.
func TestCheckReportsABrokenKeyAtOnce(t *testing.T) {
	s := motoserver.Shared(t)
	a := testrun.Answers(t, "env: staging\napp: brk-app\nregion: eu-west-3\n")
	ctx := context.Background()
	r := testrun.OnMoto(t, s, a)
	dir := r.Dir
	r.KeyPropagation = 5 * time.Second
	testrun.Apply(t, r, "preflight", "bucket", "iam", "access-key")
	env, err := godotenv.Read(r.EnvFilePath())
	if err != nil {
		t.Fatal(err)
	}
	key := env["AWS_ACCESS_KEY_ID"]
	r.State.Close()

	proxy, seen := refuseKey(t, s.URL(), key)
	t.Setenv("AWS_ENDPOINT_URL", proxy)
	check := testrun.New(t, dir, a, nil)
	check.KeyPropagation = time.Hour
	check.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	// Bounds the test should the checks retry; never asserted on.
	vctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	checks := steps.Find(steps.All(), "access-key").Verify(vctx, check)
	failed := false
	for _, c := range checks {
		if c.ID == accesskey.CheckWorks && !c.OK && strings.Contains(c.Detail, "AWS does not know this access key") {
			failed = true
		}
	}
	if !failed {
		t.Errorf("no failing access-key check naming the unknown key: %+v", checks)
	}
	if got := seen(); got["sts"] != 1 || got["s3"] > 2 {
		t.Errorf("requests with the refused key: %v; want 1 STS call and one probe pass of at most 2 S3 requests (no retries for a key made two hours ago)", got)
	}
}
