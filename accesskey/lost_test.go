package accesskey_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/joho/godotenv"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/steps"
)

// loseCreateAccessKey drops moto's answer to CreateAccessKey and answers
// 503: the key exists, its secret never reaches the wizard.
func loseCreateAccessKey(t *testing.T, moto string) string {
	return motoserver.FaultProxy(t, moto, func(w http.ResponseWriter, req *http.Request, body string, proxy http.Handler) bool {
		if !strings.Contains(body, "Action=CreateAccessKey") {
			return false
		}
		proxy.ServeHTTP(httptest.NewRecorder(), req)
		http.Error(w, "upstream reset", http.StatusServiceUnavailable)
		return true
	})
}

func TestLostCreateAccessKeyAnswerIsCleanedUp(t *testing.T) {
	s := motoserver.Shared(t)
	s.Use(t)
	a := testrun.Answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\n")
	dir := t.TempDir()
	ctx := context.Background()
	listKeys := func() []string {
		out, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: sdk.String(a.IAMUser)})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, k := range out.AccessKeyMetadata {
			ids = append(ids, *k.AccessKeyId)
		}
		return ids
	}

	t.Setenv("AWS_ENDPOINT_URL", loseCreateAccessKey(t, s.URL()))
	r := testrun.New(t, dir, a, nil)
	r.KeyPropagation = 5 * time.Second
	for _, id := range []string{"preflight", "bucket", "iam"} {
		if _, _, err := steps.ApplyStep(ctx, r, steps.Find(steps.All(), id)); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	if _, _, err := steps.ApplyStep(ctx, r, steps.Find(steps.All(), "access-key")); err == nil {
		t.Fatal("the lost answer was not reported")
	}
	if got := listKeys(); len(got) != 1 {
		t.Fatalf("moto should hold exactly the key whose answer was lost (the SDK must not retry it): %v", got)
	}
	if r.State.KeyCreation() == nil {
		t.Fatal("the creation record was dropped: the lost key would never be found")
	}
	lost := listKeys()[0]
	r.State.Close()

	// The network is back: the next run deletes the lost key and makes one
	// whose secret lands in the env file.
	t.Setenv("AWS_ENDPOINT_URL", s.URL())
	r2 := testrun.New(t, dir, a, nil)
	r2.KeyPropagation = 5 * time.Second
	if _, _, err := steps.ApplyStep(ctx, r2, steps.Find(steps.All(), "access-key")); err != nil {
		t.Fatal(err)
	}
	env, _ := godotenv.Read(r2.EnvFilePath())
	if got := listKeys(); len(got) != 1 || got[0] != env["AWS_ACCESS_KEY_ID"] || got[0] == lost {
		t.Fatalf("keys %v, env file %s, lost %s", got, env["AWS_ACCESS_KEY_ID"], lost)
	}
}

// throttleCreateAccessKey answers the first n CreateAccessKey calls with
// IAM's Throttling error without forwarding them (a throttled call creates
// nothing).
func throttleCreateAccessKey(t *testing.T, moto string, n int) string {
	return motoserver.FaultProxy(t, moto, func(w http.ResponseWriter, req *http.Request, body string, _ http.Handler) bool {
		if !strings.Contains(body, "Action=CreateAccessKey") || n == 0 {
			return false
		}
		n--
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>t</RequestId></ErrorResponse>`)
		return true
	})
}

// A Throttling answer to CreateAccessKey is retried like any throttled call:
// the step succeeds with exactly one key, in the env file.
func TestThrottledCreateAccessKeyIsRetried(t *testing.T) {
	s := motoserver.Start(t)
	s.Use(t)
	a := testrun.Answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\n")
	ctx := context.Background()
	t.Setenv("AWS_ENDPOINT_URL", throttleCreateAccessKey(t, s.URL(), 2))
	r := testrun.New(t, t.TempDir(), a, nil)
	for _, id := range []string{"preflight", "bucket", "iam", "access-key"} {
		if _, _, err := steps.ApplyStep(ctx, r, steps.Find(steps.All(), id)); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	out, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: sdk.String(a.IAMUser)})
	if err != nil {
		t.Fatal(err)
	}
	env, _ := godotenv.Read(r.EnvFilePath())
	if len(out.AccessKeyMetadata) != 1 || *out.AccessKeyMetadata[0].AccessKeyId != env["AWS_ACCESS_KEY_ID"] {
		t.Fatalf("keys %v, env file %s", out.AccessKeyMetadata, env["AWS_ACCESS_KEY_ID"])
	}
}
