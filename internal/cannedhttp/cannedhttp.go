// Package cannedhttp answers the SDK's requests at the transport with
// scripted responses, as the SDK's own retry tests do: no server and no
// emulation of a service, one canned answer per request, chosen by the
// test. It is for what no emulator can show (a transient answer of AWS);
// everything else is tested against moto.
package cannedhttp

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/s3wizard/s3wizard/aws"
)

// Clients returns the wizard's real SDK clients (aws.New), every request of
// which answer answers here.
func Clients(t testing.TB, answer func(op string, n int) (status int, body string)) (*aws.Clients, *Client) {
	t.Helper()
	// A CA bundle needs the SDK's own HTTP client; no TLS is spoken here.
	t.Setenv("AWS_CA_BUNDLE", "")
	h := &Client{Answer: answer}
	c, err := aws.New(context.Background(), aws.Options{Region: "us-east-1", Static: &aws.StaticCreds{ID: "AKIDCANNED", Secret: "canned"}, HTTPClient: h})
	if err != nil {
		t.Fatal(err)
	}
	return c, h
}

// Client is an sdk HTTPClient (aws.Options.HTTPClient) that answers each
// request with Answer(op, n): op names the request (Op), n counts the
// requests of that op so far, from 1.
type Client struct {
	Answer func(op string, n int) (status int, body string)

	mu    sync.Mutex
	calls map[string]int
	log   []string
}

// Do answers r without sending it anywhere.
func (c *Client) Do(r *http.Request) (*http.Response, error) {
	op := Op(r)
	c.mu.Lock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[op]++
	n := c.calls[op]
	c.log = append(c.log, op)
	c.mu.Unlock()
	status, body := c.Answer(op, n)
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"text/xml"}, "X-Amzn-Requestid": {"canned"}},
		Body:    io.NopCloser(strings.NewReader(body)),
		Request: r, ContentLength: int64(len(body)),
	}, nil
}

// Calls returns the number of requests made of op.
func (c *Client) Calls(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[op]
}

// Log returns the ops of every request so far, in order.
func (c *Client) Log() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.log...)
}

// Op names a request: the Action of a query-protocol call (IAM, STS:
// "CreateAccessKey"), else the method and the query's keys of a REST call
// (S3: "PUT ?versioning").
func Op(r *http.Request) string {
	if r.Method == http.MethodPost && r.Body != nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		b, _ := io.ReadAll(r.Body)
		if v, err := url.ParseQuery(string(b)); err == nil && v.Get("Action") != "" {
			return v.Get("Action")
		}
	}
	var keys []string
	for k := range r.URL.Query() {
		if !strings.HasPrefix(strings.ToLower(k), "x-id") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return r.Method + " ?" + strings.Join(keys, "&")
}

// S3Error is the body of an S3 error answer.
func S3Error(code string) string {
	return "<Error><Code>" + code + "</Code><Message>" + code + " (canned)</Message><RequestId>canned</RequestId></Error>"
}

// QueryError is the body of a query-protocol (IAM, STS, Elastic Beanstalk)
// error answer; message "" says the code.
func QueryError(code, message string) string {
	if message == "" {
		message = code + " (canned)"
	}
	return "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message +
		"</Message></Error><RequestId>canned</RequestId></ErrorResponse>"
}

// Script answers the requests of op with the answers ({status, body}) in
// order, then the last one again; other ops get 200 with body ok.
func Script(op string, ok string, answers ...[2]any) func(string, int) (int, string) {
	return func(got string, n int) (int, string) {
		if got != op {
			return 200, ok
		}
		a := answers[min(n, len(answers))-1]
		return a[0].(int), a[1].(string)
	}
}
