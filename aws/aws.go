// Package aws builds the SDK clients the steps use from one shared config and
// HTTP client, and is the one place where AWS errors become advice. It also
// watches every call: for the progress display, for dry runs (which must not
// change anything) and, in test builds only (build tag s3wizard_testhooks,
// internal/crashhook), for the crash-injection hook.
package aws

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	answers "github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/crashhook"
	"github.com/s3wizard/s3wizard/provider"
)

// Options select credentials, region and mode.
type Options struct {
	Profile string
	Region  string
	// DryRun refuses every call that could change something.
	DryRun bool
	// Static, when set, replaces the default credential chain (the app's own
	// keys from the env file, for doctor and verification).
	Static *StaticCreds
	// Endpoint, when set, is the S3-compatible provider's endpoint (the
	// `endpoint` answer); else the SDK's variables or the profile decide.
	Endpoint string
	// HTTPClient, when set, replaces the shared HTTP client (tests answer
	// at the transport with canned responses).
	HTTPClient sdk.HTTPClient
}

// StaticCreds are explicit credentials (never logged).
type StaticCreds struct{ ID, Secret, Token string }

// Clients are the SDK clients of one run, sharing one config and HTTP client.
type Clients struct {
	Cfg    sdk.Config
	Region string
	// ConfiguredRegion is the region the user configured (--region,
	// AWS_REGION, the profile's region); "" when Region is the fallback.
	ConfiguredRegion string
	// Endpoint is the custom endpoint (AWS_ENDPOINT_URL[_S3], or endpoint_url
	// in the AWS profile) or "".
	Endpoint string
	DryRun   bool
	// Provider is the S3-compatible provider's profile with credentials:
	// provided (Options.Endpoint), nil otherwise.
	Provider *provider.Profile
	// Offline: no credentials (plan without an account). Every call fails
	// with ErrOffline before it is signed, and IsNotFound accepts that.
	Offline bool

	// The clients, behind the interfaces of api.go (tests give fakes).
	// S3 and CloudWatch answer in Region; S3In and CloudWatchIn give the
	// clients of another region.
	S3         S3API
	IAM        IAMAPI
	STS        STSAPI
	CloudWatch CloudWatchAPI
	Budgets    BudgetsAPI
	// SNS (alarm notifications) answers in Region; SNSIn gives another's.
	SNS            SNSAPI
	S3Control      S3ControlAPI
	AccessAnalyzer AccessAnalyzerAPI
	EB             ElasticBeanstalkAPI
	// CloudFront is a global service (its API answers in us-east-1).
	CloudFront CloudFrontAPI
	// ForKey, when set, builds WithCredentials's clients (those of another
	// access key) instead of New: clients given by hand (tests' fakes)
	// give the key's clients by hand too. nil in production.
	ForKey func(ctx context.Context, id, secret string) (*Clients, error)

	mu       sync.Mutex
	regional map[string]S3API
	cwIn     map[string]CloudWatchAPI
	snsIn    map[string]SNSAPI
	// profile is the shared-config profile the clients were built from
	// (its endpoint_url must follow the app's credentials too).
	profile string
	// answered is Options.Endpoint (kept for WithCredentials).
	answered string
	// httpClient is Options.HTTPClient (kept for WithCredentials).
	httpClient sdk.HTTPClient
	// configWrites serializes bucket-configuration writes at a provider's
	// endpoint (see watch).
	configWrites sync.Mutex
}

var sharedHTTP = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
	t.MaxIdleConnsPerHost = 32
	t.IdleConnTimeout = 90 * time.Second
})

// accountHostAtIP: S3 Control puts the account ID in front of the endpoint's
// host, which no name service resolves when the endpoint is an IP address
// (a local emulator, "http://127.0.0.1:5000"): there the request goes to the
// address itself. The account travels in x-amz-account-id either way.
type accountHostAtIP struct{ s3control.EndpointResolverV2 }

func (r accountHostAtIP) ResolveEndpoint(ctx context.Context, p s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	ep, err := r.EndpointResolverV2.ResolveEndpoint(ctx, p)
	if err != nil || ep.URI.Host == "" {
		return ep, err
	}
	host := ep.URI.Hostname()
	if net.ParseIP(host) != nil {
		return ep, nil
	}
	if _, ip, ok := strings.Cut(host, "."); ok && net.ParseIP(ip) != nil {
		if port := ep.URI.Port(); port != "" {
			ip = net.JoinHostPort(ip, port)
		}
		ep.URI.Host = ip
	}
	return ep, nil
}

// New loads the SDK's default configuration (env vars, profile, SSO, instance
// role) and builds the clients. It makes no network call.
func New(ctx context.Context, o Options) (*Clients, error) {
	cfg, err := config.LoadDefaultConfig(ctx, loadOptions(o)...)
	if err != nil {
		return nil, fmt.Errorf("load aws configuration: %w", err)
	}
	configured := cfg.Region
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Credentials != nil {
		cfg.Credentials = credentialsProvider{cfg.Credentials}
	}
	c := &Clients{Cfg: cfg, Region: cfg.Region, DryRun: o.DryRun, regional: map[string]S3API{}, cwIn: map[string]CloudWatchAPI{}, snsIn: map[string]SNSAPI{}, profile: o.Profile, answered: o.Endpoint, httpClient: o.HTTPClient}
	c.Endpoint, c.ConfiguredRegion = endpointFor(o, cfg), configured
	if o.Endpoint != "" {
		// credentials: provided: the provider's profile (from the endpoint's
		// host) decides what is sent (see providerRequests, watch).
		c.Provider = provider.Detect(o.Endpoint)
		providerRequests(&cfg, c.Provider)
	}
	cfg.APIOptions = append(cfg.APIOptions, c.watch, settleAnswers, c.oneConfigWriteAtATime)
	c.Cfg = cfg
	c.newServiceClients()
	return c, nil
}

// loadOptions are the SDK configuration's options that o asks for, beside
// the wizard's own (HTTP client, no SDK log, one retry policy).
func loadOptions(o Options) []func(*config.LoadOptions) error {
	var httpClient sdk.HTTPClient = sharedHTTP
	if o.HTTPClient != nil {
		httpClient = o.HTTPClient
	}
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		// The SDK's own log lines (IMDS fallbacks, checksum notes) would
		// garble the wizard's output; errors reach the user through Explain.
		config.WithLogger(logging.Nop{}),
		// One retry policy (settle.go): throttling, 5xx and network
		// errors, and the answers a Settle marks as not yet.
		config.WithRetryer(newRetryer),
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(o.Endpoint))
	}
	if o.Static != nil {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(o.Static.ID, o.Static.Secret, o.Static.Token)))
	}
	return opts
}

// endpointFor is the S3 endpoint the clients use ("" for AWS's own): the
// answered one, else the SDK's variable, else the profile's endpoint_url.
func endpointFor(o Options, cfg sdk.Config) string {
	if o.Endpoint != "" {
		return o.Endpoint
	}
	if e := CustomEndpoint(); e != "" {
		return e
	}
	if cfg.BaseEndpoint != nil {
		// endpoint_url in the profile (~/.aws/config): the SDK uses it, so
		// addressing and the TLS-only statement must follow it too.
		return *cfg.BaseEndpoint
	}
	return ""
}

// newServiceClients makes each service's client from c.Cfg.
func (c *Clients) newServiceClients() {
	cfg := c.Cfg
	c.S3 = c.newS3(cfg.Region)
	c.IAM = iam.NewFromConfig(cfg)
	c.STS = sts.NewFromConfig(cfg)
	c.CloudWatch = c.newCloudWatch(cfg.Region)
	c.SNS = sns.NewFromConfig(cfg)
	// Budgets is a global service served from us-east-1.
	c.Budgets = budgets.NewFromConfig(cfg, func(o *budgets.Options) { o.Region = "us-east-1" })
	c.S3Control = s3control.NewFromConfig(cfg, func(o *s3control.Options) {
		o.EndpointResolverV2 = accountHostAtIP{o.EndpointResolverV2}
	})
	// Access Analyzer is optional (not every account or emulator has it):
	// one attempt, so "unavailable" is known at once instead of after retries.
	c.AccessAnalyzer = accessanalyzer.NewFromConfig(cfg, func(o *accessanalyzer.Options) {
		o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 1)
	})
	c.EB = elasticbeanstalk.NewFromConfig(cfg)
	c.CloudFront = cloudfront.NewFromConfig(cfg, func(o *cloudfront.Options) { o.Region = "us-east-1" })
}

// CredentialsError is a failure to find or refresh credentials (no profile,
// no environment variables, no instance role, an expired SSO session…):
// the one kind of error no AWS call produced.
type CredentialsError struct{ Err error }

func (e *CredentialsError) Error() string { return "no usable AWS credentials: " + e.Err.Error() }
func (e *CredentialsError) Unwrap() error { return e.Err }

// credentialsProvider marks every credential failure as a CredentialsError,
// so that Explain knows it by its type rather than by the SDK's wording.
type credentialsProvider struct{ sdk.CredentialsProvider }

func (p credentialsProvider) Retrieve(ctx context.Context) (sdk.Credentials, error) {
	c, err := p.CredentialsProvider.Retrieve(ctx)
	if err != nil {
		return c, &CredentialsError{Err: err}
	}
	return c, nil
}

// Profile is the shared-config profile the clients were built from ("":
// the default chain).
func (c *Clients) Profile() string { return c.profile }

// CustomEndpoint returns the S3 endpoint override from the SDK's own
// variables, or "". New also honours endpoint_url in the AWS profile
// (Clients.Endpoint).
func CustomEndpoint() string { return answers.EnvEndpoint() }

// TLS reports whether S3 is reached over TLS (always on real AWS).
func (c *Clients) TLS() bool {
	return c.Endpoint == "" || strings.HasPrefix(strings.ToLower(c.Endpoint), "https://")
}

func (c *Clients) newS3(region string) *s3.Client {
	return s3.NewFromConfig(c.Cfg, func(o *s3.Options) {
		o.Region = region
		o.DisableLogOutputChecksumValidationSkipped = true
		// Virtual-hosted addressing on AWS; emulators and S3-compatible
		// services behind a custom endpoint need path style.
		o.UsePathStyle = c.Endpoint != ""
		o.APIOptions = append(o.APIOptions, urlEncodedListings)
	})
}

// S3In returns an S3 client for region (buckets answer only in their own
// region with SigV4). Clients not made by New (tests' fakes) answer with S3
// for every region.
func (c *Clients) S3In(region string) S3API {
	return inRegion(c, region, c.S3, c.regional, func(r string) S3API { return c.newS3(r) })
}

// inRegion returns def for the clients' own region (or for clients not made
// by New, whose cache is nil), else the client for region from cache, made
// by mk the first time.
func inRegion[T any](c *Clients, region string, def T, cache map[string]T, mk func(region string) T) T {
	if region == "" || region == c.Region || cache == nil {
		return def
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := cache[region]; ok {
		return cl
	}
	cl := mk(region)
	cache[region] = cl
	return cl
}

func (c *Clients) newCloudWatch(region string) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(c.Cfg, func(o *cloudwatch.Options) {
		o.Region = region
		if c.Endpoint != "" {
			// CloudWatch speaks CBOR by default now; emulators and
			// compatible services still speak its original awsQuery
			// protocol, which AWS keeps serving too.
			o.Protocol = awsquery.New(&smithy.ServiceSchema{Version: "2010-08-01"})
		}
	})
}

// CloudWatchIn returns a CloudWatch client for region: S3 publishes a
// bucket's metrics only in the bucket's region, and alarms must live beside
// them. Clients not made by New (tests' fakes) answer with CloudWatch for
// every region.
func (c *Clients) CloudWatchIn(region string) CloudWatchAPI {
	return inRegion(c, region, c.CloudWatch, c.cwIn, func(r string) CloudWatchAPI { return c.newCloudWatch(r) })
}

// SNSIn returns an SNS client for region: an alarm's topic lives in the
// alarm's region (the bucket's). Clients not made by New (tests' fakes)
// answer with SNS for every region.
func (c *Clients) SNSIn(region string) SNSAPI {
	return inRegion(c, region, c.SNS, c.snsIn, func(r string) SNSAPI {
		return sns.NewFromConfig(c.Cfg, func(o *sns.Options) { o.Region = r })
	})
}

// WithCredentials returns clients for the same endpoint and region signed
// with other credentials (the app's keys), sharing the HTTP client.
func (c *Clients) WithCredentials(ctx context.Context, id, secret string) (*Clients, error) {
	if c.ForKey != nil {
		return c.ForKey(ctx, id, secret)
	}
	return New(ctx, Options{Profile: c.profile, Region: c.Region, DryRun: c.DryRun, Static: &StaticCreds{ID: id, Secret: secret}, Endpoint: c.answered, HTTPClient: c.httpClient})
}

// ---- call watching -------------------------------------------------------

type observerKey struct{}

// Observer is told of every AWS call as it starts ("s3:CreateBucket").
type Observer func(call string)

// WithObserver returns a context whose AWS calls are reported to fn.
func WithObserver(ctx context.Context, fn Observer) context.Context {
	return context.WithValue(ctx, observerKey{}, fn)
}

// ErrDryRun is returned for a call that would change AWS during a dry run.
var ErrDryRun = errors.New("dry run: call not made")

// ErrOffline is returned for every call of an offline run (no credentials).
var ErrOffline = errors.New("offline: no AWS credentials")

// PlaceholderAccount stands for the account ID where it is not known (an
// offline plan). It may appear in what is shown, never in what is changed.
const PlaceholderAccount = "ACCOUNT_ID"

// ErrPlaceholderAccount is returned for a mutating call whose input names
// PlaceholderAccount: the identity was never read, and the call would create
// an ARN, a policy or a budget for an account that does not exist.
var ErrPlaceholderAccount = errors.New("refused: the input names the placeholder account " + PlaceholderAccount + " instead of the real one (the AWS identity was not read)")

// IsReadOnly reports whether an operation only reads.
func IsReadOnly(op string) bool {
	for _, p := range []string{"Get", "Head", "List", "Describe", "Validate", "Simulate"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// CrashAfterEnv names the test hook variable (internal/crashhook; only a
// binary built with the tag s3wizard_testhooks honours it): the
// process exits right after the named operation succeeds, as if killed.
const CrashAfterEnv = crashhook.Env

func (c *Clients) watch(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("s3wizardWatch",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			svc := serviceName(middleware.GetServiceID(ctx))
			op := middleware.GetOperationName(ctx)
			call := svc + ":" + op
			// A read answered moments ago (see ReadCache) is not made again.
			if v, ok := c.replayed(ctx, in.Parameters); ok {
				return middleware.InitializeOutput{Result: v}, middleware.Metadata{}, nil
			}
			if fn, ok := ctx.Value(observerKey{}).(Observer); ok && fn != nil {
				fn(call)
			}
			if err := c.refusal(call, op, in.Parameters); err != nil {
				return middleware.InitializeOutput{}, middleware.Metadata{}, err
			}
			if c.Provider != nil && svc == "s3" {
				if out, handled, err := c.providerAnswer(ctx, op, in.Parameters); handled {
					return middleware.InitializeOutput{Result: out}, middleware.Metadata{}, err
				}
			}
			out, md, err := next.HandleInitialize(ctx, in)
			if err == nil {
				crashhook.After(op, call)
				c.record(ctx, in.Parameters, out.Result)
			}
			return out, md, err
		}), middleware.Before)
}

// refusal is why a call is not sent at all: an offline run, a call that
// changes AWS in a dry run, a call whose input names the placeholder
// account; nil when it may be sent.
func (c *Clients) refusal(call, op string, params any) error {
	if c.Offline {
		return fmt.Errorf("%s: %w", call, ErrOffline)
	}
	if c.DryRun && !IsReadOnly(op) && op != "GetCallerIdentity" {
		return fmt.Errorf("%s: %w", call, ErrDryRun)
	}
	if !IsReadOnly(op) && mentions(reflect.ValueOf(params), PlaceholderAccount, 0) {
		return fmt.Errorf("%s: %w", call, ErrPlaceholderAccount)
	}
	return nil
}

// providerAnswer answers, without sending it, an S3 call that the
// provider's profile refuses: ListObjectVersions from the object listing,
// any other with a *ProfileRefusal. handled false: the call is sent.
func (c *Clients) providerAnswer(ctx context.Context, op string, params any) (result any, handled bool, err error) {
	if _, refused := c.Provider.Refuses(op); !refused {
		return nil, false, nil
	}
	if lv, ok := params.(*s3.ListObjectVersionsInput); ok && op == "ListObjectVersions" {
		out, err := c.versionsByListing(ctx, lv)
		return out, true, err
	}
	// Never sent: the provider's documentation says it does not
	// implement it.
	return nil, true, &ProfileRefusal{Op: op, Profile: c.Provider}
}

// oneConfigWriteAtATime: S3-compatible providers may keep a bucket's
// settings in one document that each write reads and saves whole: MinIO
// loses a lifecycle written while versioning is. At a provider's endpoint
// (Options.Endpoint, credentials: provided) these writes go one at a time;
// AWS and emulators of it keep them concurrent. One attempt at a time, inside
// the SDK's retry loop: a write waiting out a Settle (settle.go) holds
// nothing while it pauses.
func (c *Clients) oneConfigWriteAtATime(stack *middleware.Stack) error {
	if c.answered == "" {
		return nil
	}
	return insertAfterRetry(stack, middleware.FinalizeMiddlewareFunc("s3wizardConfigWrites",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if serviceName(middleware.GetServiceID(ctx)) == "s3" && bucketConfigWrite(middleware.GetOperationName(ctx)) {
				c.configWrites.Lock()
				defer c.configWrites.Unlock()
			}
			return next.HandleFinalize(ctx, in)
		}))
}

// bucketConfigWrite reports whether an S3 operation writes a bucket's
// configuration (policy, versioning, lifecycle, encryption…), not objects.
func bucketConfigWrite(op string) bool {
	return strings.HasPrefix(op, "PutBucket") || strings.HasPrefix(op, "DeletePublicAccessBlock") ||
		strings.HasPrefix(op, "DeleteBucket") && op != "DeleteBucket"
}

// mentions reports whether any string reachable from v (an SDK input:
// pointers, structs, slices, maps) contains s. depth bounds the walk; SDK
// inputs are shallow trees.
func mentions(v reflect.Value, s string, depth int) bool {
	if depth > 12 || !v.IsValid() {
		return false
	}
	switch v.Kind() {
	case reflect.String:
		return strings.Contains(v.String(), s)
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && mentions(v.Elem(), s, depth+1)
	}
	for c := range inside(v) {
		if mentions(c, s, depth+1) {
			return true
		}
	}
	return false
}

// inside yields the values directly inside v: a struct's exported
// fields, a slice's or an array's elements, a map's keys and values.
func inside(v reflect.Value) iter.Seq[reflect.Value] {
	return func(yield func(reflect.Value) bool) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() && !yield(v.Field(i)) {
					return
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				if !yield(v.Index(i)) {
					return
				}
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				if !yield(it.Key()) || !yield(it.Value()) {
					return
				}
			}
		}
	}
}

func serviceName(id string) string {
	switch id {
	case "S3":
		return "s3"
	case "IAM":
		return "iam"
	case "STS":
		return "sts"
	case "CloudWatch":
		return "cloudwatch"
	case "Budgets":
		return "budgets"
	case "SNS":
		return "sns"
	case "S3 Control":
		return "s3"
	case "AccessAnalyzer":
		return "access-analyzer"
	case "Elastic Beanstalk":
		return "elasticbeanstalk"
	case "CloudFront":
		return "cloudfront"
	}
	return strings.ToLower(strings.ReplaceAll(id, " ", ""))
}
