package app

import (
	"cmp"
	"context"
	"fmt"
	"sync"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Identity is who the AWS credentials belong to.
type Identity struct {
	Account, ARN, Region string
	// ConfiguredRegion is AWS_REGION or the profile's region ("" when
	// none): the region question offers it.
	ConfiguredRegion string
}

// Probe answers what the wizard shows before a run is opened (who the
// credentials are, whether a bucket name is free) through the steps' own
// readers, with clients of its own; front ends make no AWS call themselves.
type Probe struct {
	o  Options
	mu sync.Mutex
	// c are the clients of each profile asked about ("" the default
	// credentials).
	c map[string]*aws.Clients
	// ids are the account and caller STS named for each of c, once it
	// answered.
	ids map[*aws.Clients][2]string
}

// NewProbe returns a probe for the global options (profile, region).
func NewProbe(o Options) *Probe { return &Probe{o: o} }

// clients are the clients of an env whose aws_profile answer is profile:
// --profile first, as the env's run would (Session's clients).
func (p *Probe) clients(ctx context.Context, profile string) (*aws.Clients, error) {
	profile = cmp.Or(p.o.Profile, profile)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.c[profile]; c != nil {
		return c, nil
	}
	c, err := aws.New(ctx, aws.Options{Profile: profile, Region: p.o.Region})
	if err != nil {
		return nil, err
	}
	if p.c == nil {
		p.c = map[string]*aws.Clients{}
	}
	p.c[profile] = c
	return c, nil
}

// Identity asks STS who the credentials of an env whose aws_profile answer
// is profile are ("" the default credentials; --profile overrides both),
// sts:GetCallerIdentity.
func (p *Probe) Identity(ctx context.Context, profile string) (Identity, error) {
	r, err := p.identified(ctx, profile, nil)
	if err != nil {
		return Identity{}, err
	}
	acct, arn := r.Identity()
	c := r.AWS
	return Identity{Account: acct, ARN: arn, Region: c.Region, ConfiguredRegion: c.ConfiguredRegion}, nil
}

// identified is a run for answers a with the clients of profile (clients)
// whose caller is known: STS is asked once per clients, by Identity or the
// first BucketAvailability, then remembered.
func (p *Probe) identified(ctx context.Context, profile string, a *config.Answers) (*steps.Run, error) {
	c, err := p.clients(ctx, profile)
	if err != nil {
		return nil, err
	}
	r := &steps.Run{AWS: c, Answers: a}
	p.mu.Lock()
	id, ok := p.ids[c]
	p.mu.Unlock()
	if ok {
		r.Account, r.Caller = id[0], id[1]
		return r, nil
	}
	if err := r.Identify(ctx); err != nil {
		return nil, fmt.Errorf("who am i (sts:GetCallerIdentity): %w", aws.Explain(err))
	}
	acct, caller := r.Identity()
	p.mu.Lock()
	if p.ids == nil {
		p.ids = map[*aws.Clients][2]string{}
	}
	p.ids[c] = [2]string{acct, caller}
	p.mu.Unlock()
	return r, nil
}

// Availability is the live check of a bucket name for an env.
type Availability struct {
	// Text is what to say about the name; "" when it is free.
	Text string
	// Blocks: the name cannot be used for this env (another account's,
	// in another region, another env's of this project).
	Blocks bool
}

// BucketAvailability is the live check of a bucket name for env of
// project app: another env of this project recording it comes first (no
// AWS call), then AWS, decided as preflight decides (steps.BucketAvailability:
// the account as the expected owner, the bucket's project tags).
func (p *Probe) BucketAvailability(ctx context.Context, env, app, name, region string) (Availability, error) {
	if other := BucketEnv(p.o.Dir, env, name); other != "" {
		return Availability{Text: bucketOfEnv(name, other, env), Blocks: true}, nil
	}
	r, err := p.identified(ctx, "", &config.Answers{App: app, Env: env, Region: region})
	if err != nil {
		return Availability{}, err
	}
	msg, usable, err := steps.BucketAvailability(ctx, r, name, region)
	if err != nil {
		return Availability{}, aws.Explain(err)
	}
	return Availability{Text: msg, Blocks: !usable}, nil
}

// BucketEnv is the other env of the project in dir whose saved answers
// name bucket ("" when none): one bucket per env, since destroying or
// rotating one env must never touch another's files.
func BucketEnv(dir, env, bucket string) string {
	if bucket == "" {
		return ""
	}
	for e, p := range state.Others(dir, env) {
		if p.Answers() == nil {
			continue
		}
		if p.Answers().Bucket == bucket {
			return e
		}
	}
	return ""
}

func bucketOfEnv(bucket, other, env string) string {
	return fmt.Sprintf("%s belongs to env %s of this project (.s3wizard/%s.json): env %s needs a bucket of its own; choose another name", bucket, other, other, env)
}
