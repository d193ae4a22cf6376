// Package providerproxy is a test harness: a local HTTP proxy in front of a
// real S3-compatible server (MinIO) that answers as one provider's profile
// says the provider does. The wizard, the AWS CLI, boto3 and Django reach it
// as their HTTP proxy (HTTP_PROXY) with the provider's real endpoint host
// (http://ACCOUNT.r2.cloudflarestorage.com), so the wizard picks the profile
// from the host exactly as it would at the provider.
//
// The refusals come from the same table the wizard reads (package
// provider): an operation a profile refuses is answered with its status and
// S3 error body, as is a request carrying a header it refuses, and every
// such request is recorded as a violation (the wizard must never send
// them). A profile's public domain (R2's r2.dev, a CDN in front of B2 or
// Scaleway) serves the bucket's objects anonymously, as those do.
package providerproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/provider"
)

// Proxy is a running proxy; URL is its address (for HTTP_PROXY).
type Proxy struct {
	URL      string
	upstream *url.URL
	rp       *httputil.ReverseProxy
	s3       *s3.Client

	mu         sync.Mutex
	profile    *provider.Profile
	domains    map[string]Domain // public domain host → what it serves
	violations []string
	requests   int
}

// Start runs a proxy in front of upstream (a MinIO URL) whose root keys
// are keyID/secret (to serve public domains); it stops when the test ends.
func Start(tb testing.TB, upstream, keyID, secret string) *Proxy {
	tb.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{upstream: u, profile: provider.Generic, domains: map[string]Domain{}}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = u.Scheme, u.Host
			pr.Out.Host = pr.In.Host // the signature covers the provider's host
		},
		// The upstream's answers pass unchanged.
		Transport: &http.Transport{Proxy: nil},
	}
	p.s3 = s3.NewFromConfig(sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(upstream),
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""), HTTPClient: &http.Client{Transport: &http.Transport{Proxy: nil}}},
		func(o *s3.Options) { o.UsePathStyle = true })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: p}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close() })
	p.URL = "http://" + ln.Addr().String()
	return p
}

// Domain is what a public domain serves anonymously: the bucket's objects
// under Prefixes (all of them when Prefixes is empty, as R2's r2.dev does;
// a custom domain's WAF rule or a CDN's path rule restricts them).
type Domain struct {
	Bucket   string
	Prefixes []string
}

// Use makes the proxy answer as profile from now on, with these public
// domains (by host), and forgets the violations seen so far.
func (p *Proxy) Use(profile *provider.Profile, domains map[string]Domain) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.profile, p.domains, p.violations, p.requests = profile, domains, nil, 0
}

// Violations are the refused operations and headers received since Use.
func (p *Proxy) Violations() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.violations...)
}

// Requests is how many requests reached the provider's endpoint since Use.
func (p *Proxy) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests
}

// Env is what points a process at the proxy (Go, boto3 and urllib read
// these).
func (p *Proxy) Env() []string {
	return []string{"HTTP_PROXY=" + p.URL, "http_proxy=" + p.URL, "NO_PROXY=", "no_proxy="}
}

// Client is a transport that goes through the proxy (for the tests' own
// requests).
func (p *Proxy) Client() *http.Client {
	pu, _ := url.Parse(p.URL)
	return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	prof, domain := p.profile, p.domains[strings.ToLower(r.Host)]
	p.mu.Unlock()
	if domain.Bucket != "" {
		p.servePublic(w, r, domain)
		return
	}
	p.mu.Lock()
	p.requests++
	p.mu.Unlock()
	if op := provider.Operation(r.Method, r.URL.Path, r.URL.Query()); op != "" {
		if ref, refused := prof.Refuses(op); refused {
			p.refuse(w, fmt.Sprintf("%s %s: sent %s, which %s refuses", r.Method, r.URL.RequestURI(), op, prof.Name), ref.Status, ref.Code, ref.Message)
			return
		}
	}
	for name := range r.Header {
		if ref, refused := prof.RefusesHeader(name); refused {
			p.refuse(w, fmt.Sprintf("%s %s: sent header %s, which %s refuses", r.Method, r.URL.RequestURI(), strings.ToLower(name), prof.Name), ref.Status, ref.Code, ref.Message)
			return
		}
	}
	if prof.Policy == provider.ScalewayPolicy && r.Method == http.MethodPut && r.URL.Query().Has("policy") {
		// Scaleway's grammar (2023-04-17): an AWS policy is refused — and
		// the wizard must never send one there.
		p.refuse(w, "sent an AWS-dialect bucket policy to "+prof.Name, http.StatusBadRequest, "MalformedPolicy", "Policy has invalid version")
		return
	}
	r.URL.Scheme, r.URL.Host = "", "" // a forward proxy's request: absolute URL
	p.rp.ServeHTTP(w, r)
}

// refuse records a violation and answers as the provider does.
func (p *Proxy) refuse(w http.ResponseWriter, what string, status int, code, msg string) {
	p.mu.Lock()
	p.violations = append(p.violations, what)
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, msg)
}

// servePublic is a public bucket domain (R2's r2.dev, a CDN): GET and HEAD
// of /KEY answer the bucket's object, anonymously, under its prefixes.
func (p *Proxy) servePublic(w http.ResponseWriter, r *http.Request, d Domain) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	if len(d.Prefixes) > 0 && !slices.ContainsFunc(d.Prefixes, func(p string) bool { return strings.HasPrefix(key, p) }) {
		http.Error(w, "blocked by the domain's rule", http.StatusForbidden)
		return
	}
	out, err := p.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &d.Bucket, Key: &key})
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound"):
		http.NotFound(w, r)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer out.Body.Close()
	if ct := sdk.ToString(out.ContentType); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = io.Copy(w, out.Body)
	}
}
