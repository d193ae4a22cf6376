package aws

import (
	"context"
	"net"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestResetOnCreateAccessKeySaysWhat (issue 17.17): a connection reset
// during CreateAccessKey was reported as "iam:CreateAccessKey failed" and
// nothing else; the message now says there was no answer and why.
func TestResetOnCreateAccessKeySaysWhat(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
			c.(*net.TCPConn).SetLinger(0) // close with RST: a reset, not an answer
			c.Close()
		}
	}()
	cl := iam.New(iam.Options{
		Region:       "us-east-1",
		BaseEndpoint: sdk.String("http://" + ln.Addr().String()),
		Credentials:  sdk.AnonymousCredentials{},
		Retryer:      sdk.NopRetryer{},
	})
	_, err = cl.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: sdk.String("u")})
	if err == nil {
		t.Fatal("no error from a reset connection")
	}
	msg := Explain(err).Error()
	_, cause, _ := strings.Cut(msg, "no answer: ")
	if !strings.Contains(msg, "iam:CreateAccessKey") || strings.TrimSpace(cause) == "" {
		t.Errorf("message %q does not say that no answer came, and why", msg)
	}
}
