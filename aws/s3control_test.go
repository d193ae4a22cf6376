package aws_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// TestS3ControlReachesAnEndpointGivenAsIP: S3 Control prefixes the account
// ID to the endpoint's host; at an endpoint given as an IP address (moto at
// 127.0.0.1) the call must still arrive, in a release build too (no dial
// hook: the endpoint is resolved to the address).
func TestS3ControlReachesAnEndpointGivenAsIP(t *testing.T) {
	s, c := motoClients(t)
	ctx := context.Background()
	id, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	acct := id.Account
	// moto answers an account without a configuration with an API error;
	// a request that never arrived fails with a network error instead.
	_, err = c.S3Control.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: acct})
	var api smithy.APIError
	if err != nil && !errors.As(err, &api) {
		t.Fatalf("S3 Control at %s did not arrive: %v", s.URL(), err)
	}
}

// motoClients points this test process at the shared moto and returns the
// clients aws.New builds for it (us-east-1).
func motoClients(t *testing.T) (*motoserver.Server, *aws.Clients) {
	t.Helper()
	s := motoserver.Shared(t)
	s.Use(t)
	c, err := aws.New(context.Background(), aws.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}
