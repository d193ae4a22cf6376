// Package motoserver starts a real moto (https://github.com/getmoto/moto)
// AWS emulator for tests.
//
// Why: s3wizard's tests exercise real AWS wire protocols against a real
// emulator (moto 5.x, "moto_server") instead of hand-written fakes, so that
// request serialisation, error codes and service semantics are those of a
// maintained AWS model. Moto is a hard requirement: when it cannot be found,
// Start fails the test loudly (tb.Fatal) instead of skipping, so a missing
// emulator never silently turns the suite green.
//
// Discovery order: $MOTO_SERVER (path to an executable accepting
// "-H host -p port"), "moto_server" on PATH, then "python3 -m moto.server"
// with any python3 on PATH or /root/.pyenv/versions/*/bin/python3 that can
// "import moto".
//
// The server is started with MOTO_IAM_LOAD_MANAGED_POLICIES=true so AWS
// managed policies (arn:aws:iam::aws:policy/...) exist. See MOTO_NOTES.md in
// this directory for what moto 5.2 does and does not emulate faithfully.
//
// Install moto with: pip install 'moto[server]'
package motoserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/s3wizard/s3wizard/internal/childproc"
)

// Fake credentials used by Env and AWSConfig. With IAM enforcement off
// (the default) moto accepts any credentials.
const (
	AccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	DefaultRegion   = "us-east-1"
	// AccountID is the account moto uses for every request made with
	// non-moto-issued credentials.
	AccountID = "123456789012"
)

const startTimeout = 30 * time.Second

// Server is a running moto_server process bound to 127.0.0.1.
type Server struct {
	url  string
	cmd  *exec.Cmd
	out  *childproc.Output
	done chan struct{} // closed when the process has exited
	werr error         // Wait error, valid after done is closed
}

// URL returns the server's base URL, e.g. "http://127.0.0.1:54321".
func (s *Server) URL() string { return s.url }

// Output returns everything moto wrote to stdout/stderr so far.
func (s *Server) Output() string { return s.out.String() }

// Env returns the environment variables (KEY=VALUE) that point an AWS SDK or
// CLI child process at this server: AWS_ENDPOINT_URL, static fake
// credentials, AWS_REGION=us-east-1 and AWS_EC2_METADATA_DISABLED=true.
// Callers typically append them to a filtered os.Environ().
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.url,
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
		"AWS_REGION=" + DefaultRegion,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// Use points this test process's AWS SDK at the server (childproc.UseEnv).
func (s *Server) Use(tb testing.TB) {
	tb.Helper()
	childproc.UseEnv(tb, s.Env())
}

// AWSConfig returns an aws-sdk-go-v2 config with static fake credentials and
// BaseEndpoint set to the server URL. region defaults to us-east-1 when empty.
//
// S3 clients built from it must set UsePathStyle = true themselves, e.g.
//
//	s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
//
// otherwise the SDK uses virtual-hosted addressing (bucket.127.0.0.1), which
// moto does not route as S3. The config's HTTP client sends any
// "*.127.0.0.1" host to 127.0.0.1 so that S3 Control's account-ID host
// prefix ("123456789012.127.0.0.1") works; moto's account is AccountID.
func (s *Server) AWSConfig(tb testing.TB, region string) aws.Config {
	tb.Helper()
	return s.AWSConfigWithCreds(tb, region, AccessKeyID, SecretAccessKey)
}

// AWSConfigWithCreds is AWSConfig with explicit credentials, e.g. keys
// created inside moto for tests running with IAM enforcement on (SetAuth).
func (s *Server) AWSConfigWithCreds(tb testing.TB, region, keyID, secret string) aws.Config {
	tb.Helper()
	if region == "" {
		region = DefaultRegion
	}
	// Built by hand rather than with config.LoadDefaultConfig so that the
	// developer's AWS_PROFILE, shared config files, AWS_ENDPOINT_URL_* and
	// IMDS can never leak into tests. Service clients fill in defaults
	// (HTTP client, retryer) for the zero fields.
	return aws.Config{
		Region:       region,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(keyID, secret, "")),
		BaseEndpoint: aws.String(s.url),
		HTTPClient:   loopbackHTTPClient(),
	}
}

// loopbackHTTPClient returns an HTTP client that dials 127.0.0.1 for any host
// of the form "<label>.127.0.0.1". S3 Control (and other host-prefixed
// operations) put the account ID in front of BaseEndpoint's host, e.g.
// "123456789012.127.0.0.1:PORT", which does not resolve; moto itself routes
// those requests by path and signature, so redirecting the dial is enough.
func loopbackHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && strings.HasSuffix(host, ".127.0.0.1") {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: tr}
}

// Reset wipes all state in the server (POST /moto-api/reset).
// It does not change IAM enforcement; see SetAuth.
func (s *Server) Reset(tb testing.TB) {
	tb.Helper()
	s.post(tb, "/moto-api/reset", "", "")
}

// SetAuth turns moto's IAM enforcement on or off
// (POST /moto-api/reset-auth with body "0" or "inf").
// Once on, only access keys created inside moto (iam CreateAccessKey) are
// accepted; the fake default credentials are rejected. Create the users and
// keys you need before turning it on. Reset does not turn it off.
func (s *Server) SetAuth(tb testing.TB, on bool) {
	tb.Helper()
	body := "inf"
	if on {
		body = "0"
	}
	s.post(tb, "/moto-api/reset-auth", "text/plain", body)
}

func (s *Server) post(tb testing.TB, path, ctype, body string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(body))
	if err != nil {
		tb.Fatalf("motoserver: %v", err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("motoserver: POST %s: %v\nmoto output:\n%s", path, err, s.Output())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		tb.Fatalf("motoserver: POST %s: %s: %s", path, resp.Status, b)
	}
}

// launcher is a resolved command prefix to which "-H host -p port" is added.
type launcher struct {
	argv []string
	desc string
}

// findMoto locates a way to run moto_server. It returns a descriptive error
// listing what was tried when nothing works.
func findMoto() (launcher, error) {
	var tried []string
	if p := os.Getenv("MOTO_SERVER"); p != "" {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return launcher{argv: []string{p}, desc: "$MOTO_SERVER=" + p}, nil
		}
		tried = append(tried, fmt.Sprintf("$MOTO_SERVER=%q (not an executable file)", p))
	}
	if p, err := exec.LookPath("moto_server"); err == nil {
		return launcher{argv: []string{p}, desc: p}, nil
	}
	tried = append(tried, "moto_server on PATH (not found)")

	var pythons []string
	if p, err := exec.LookPath("python3"); err == nil {
		pythons = append(pythons, p)
	}
	globbed, _ := filepath.Glob("/root/.pyenv/versions/*/bin/python3")
	pythons = append(pythons, globbed...)
	for _, py := range pythons {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := exec.CommandContext(ctx, py, "-c", "import moto.server").Run()
		cancel()
		if err == nil {
			return launcher{argv: []string{py, "-m", "moto.server"}, desc: py + " -m moto.server"}, nil
		}
		tried = append(tried, py+" -m moto.server (cannot import moto.server)")
	}
	if len(pythons) == 0 {
		tried = append(tried, "python3 (none found)")
	}
	return launcher{}, errors.New(strings.Join(tried, "; "))
}

// Start launches a fresh moto server for this test (or benchmark) and
// registers its shutdown with tb.Cleanup. It fails the test if moto is not
// installed — it never skips.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, err := start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.stop)
	return s
}

// StartAccount is Start for a server standing for another AWS account:
// moto answers every request, STS's GetCallerIdentity included, as account
// (MOTO_ACCOUNT_ID), so two servers stand for two accounts.
func StartAccount(tb testing.TB, account string) *Server {
	tb.Helper()
	s, err := start("MOTO_ACCOUNT_ID=" + account)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.stop)
	return s
}

func start(env ...string) (*Server, error) {
	l, err := findMoto()
	if err != nil {
		return nil, fmt.Errorf("motoserver: moto (AWS emulator) is required to run these tests and was not found.\n"+
			"Install it with: pip install 'moto[server]'  (moto >= 5.2), so that 'moto_server' is on PATH,\n"+
			"or set MOTO_SERVER=/path/to/moto_server.\nTried: %v", err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := launch(l, env)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func launch(l launcher, env []string) (*Server, error) {
	port, err := childproc.FreePort()
	if err != nil {
		return nil, fmt.Errorf("motoserver: picking a port: %w", err)
	}
	args := append(append([]string{}, l.argv[1:]...), "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd := exec.Command(l.argv[0], args...)
	out := &childproc.Output{}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = childproc.SysProcAttr()
	// MOTO_IAM_LOAD_MANAGED_POLICIES makes AWS managed policies
	// (arn:aws:iam::aws:policy/...) exist, as in real AWS; without it
	// AttachRolePolicy of e.g. AWSElasticBeanstalkWebTier is NoSuchEntity.
	cmd.Env = append(append(os.Environ(), "PYTHONUNBUFFERED=1", "MOTO_IAM_LOAD_MANAGED_POLICIES=true"), env...)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("motoserver: starting %s: %w", l.desc, err)
	}
	s := &Server{
		url:  "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:  cmd,
		out:  out,
		done: make(chan struct{}),
	}
	go func() {
		s.werr = cmd.Wait()
		close(s.done)
	}()

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-s.done:
			return nil, fmt.Errorf("motoserver: %s exited before serving on port %d: %v\noutput:\n%s",
				l.desc, port, s.werr, out.String())
		default:
		}
		resp, err := client.Get(s.url + "/moto-api/")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("motoserver: %s did not answer on %s within %v: %v\noutput:\n%s",
				l.desc, s.url, startTimeout, err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop kills the whole process group (the pyenv shim execs python, which
// may fork) and waits for the process to exit.
func (s *Server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	childproc.KillGroup(s.cmd.Process.Pid)
	_ = s.cmd.Process.Kill()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
}

// Shared returns a single moto server per test binary (process), started
// lazily on first use. Before returning it switches IAM enforcement off and
// Resets all state, so each caller starts from an empty emulator.
//
// Tests that use Shared MUST NOT run in parallel with each other (no
// t.Parallel between them): they share, and reset, the same state.
//
// The shared process outlives individual tests. It is killed when the test
// binary exits (on Linux via the parent-death signal); a TestMain may also
// call StopShared explicitly after m.Run.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	sharedMu.Lock()
	if sharedSrv == nil && sharedErr == nil {
		sharedSrv, sharedErr = start()
	}
	srv, err := sharedSrv, sharedErr
	sharedMu.Unlock()
	if err != nil {
		tb.Fatal(err)
	}
	srv.SetAuth(tb, false)
	srv.Reset(tb)
	return srv
}

// StopShared stops the server started by Shared, if any. Optional; intended
// for TestMain after m.Run.
func StopShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sharedSrv != nil {
		sharedSrv.stop()
		sharedSrv = nil
	}
	sharedErr = nil
}

var (
	sharedMu  sync.Mutex
	sharedSrv *Server
	sharedErr error
)

// ProfilesConfig writes an AWS config file with one profile per server
// ("default" is the [default] section), each pointing at its server with
// the test keys, and an empty credentials file, for tests where profiles
// stand for accounts. It returns the variables that make the SDK, the AWS
// CLI and the wizard read them (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE,
// AWS_EC2_METADATA_DISABLED).
func ProfilesConfig(tb testing.TB, servers map[string]*Server) []string {
	tb.Helper()
	var cfg strings.Builder
	for name, s := range servers {
		section := "[profile " + name + "]"
		if name == "default" {
			section = "[default]"
		}
		cfg.WriteString(section + "\nregion = us-east-1\nendpoint_url = " + s.URL() +
			"\naws_access_key_id = " + AccessKeyID + "\naws_secret_access_key = " + SecretAccessKey + "\n")
	}
	home := tb.TempDir()
	path, creds := filepath.Join(home, "config"), filepath.Join(home, "credentials")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(creds, nil, 0o600); err != nil {
		tb.Fatal(err)
	}
	return []string{"AWS_CONFIG_FILE=" + path, "AWS_SHARED_CREDENTIALS_FILE=" + creds, "AWS_EC2_METADATA_DISABLED=true"}
}
