package app

import (
	"context"
	"fmt"
	"sync"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/steps"
)

// Identity is who the AWS credentials belong to.
type Identity struct {
	Account, ARN, Region string
}

// Probe answers what the wizard shows before a run is opened (who the
// credentials are, whether a bucket name is free) through the steps' own
// readers, with clients of its own; front ends make no AWS call themselves.
type Probe struct {
	o  Options
	mu sync.Mutex
	c  *aws.Clients
}

// NewProbe returns a probe for the global options (profile, region).
func NewProbe(o Options) *Probe { return &Probe{o: o} }

func (p *Probe) clients(ctx context.Context) (*aws.Clients, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c == nil {
		c, err := aws.New(ctx, aws.Options{Profile: p.o.Profile, Region: p.o.Region})
		if err != nil {
			return nil, err
		}
		p.c = c
	}
	return p.c, nil
}

// Identity asks STS who the credentials are (sts:GetCallerIdentity).
func (p *Probe) Identity(ctx context.Context) (Identity, error) {
	c, err := p.clients(ctx)
	if err != nil {
		return Identity{}, err
	}
	r := &steps.Run{AWS: c}
	if err := r.Identify(ctx); err != nil {
		return Identity{}, fmt.Errorf("who am i (sts:GetCallerIdentity): %w", aws.Explain(err))
	}
	acct, arn := r.Identity()
	return Identity{Account: acct, ARN: arn, Region: c.Region}, nil
}

// BucketAvailability is the live check of a bucket name ("" when usable).
func (p *Probe) BucketAvailability(ctx context.Context, name, region string) (string, error) {
	c, err := p.clients(ctx)
	if err != nil {
		return "", err
	}
	msg, err := steps.BucketAvailability(ctx, &steps.Run{AWS: c}, name, region)
	if err != nil {
		return "", aws.Explain(err)
	}
	return msg, nil
}
