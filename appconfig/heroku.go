package appconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/s3wizard/s3wizard/internal/text"
)

// herokuAPI is the Heroku Platform API's base URL. HerokuAPIEnv overrides it
// (a test server, a proxy).
const herokuAPI = "https://api.heroku.com"

// HerokuAPIEnv names the variable that overrides the Heroku Platform API's
// base URL.
const HerokuAPIEnv = "S3WIZARD_HEROKU_API"

func herokuAPIBase() string {
	if v := os.Getenv(HerokuAPIEnv); v != "" {
		return strings.TrimSuffix(v, "/")
	}
	return herokuAPI
}

// HerokuCLI is the heroku executable looked for on PATH.
const HerokuCLI = "heroku"

// HerokuAvailable reports whether the wizard can set the Heroku app's config
// vars itself: a Heroku API token is at hand (HEROKU_API_KEY, or the heroku
// CLI to ask for one). The CLI and TUI offer steps.RunHeroku only then.
func HerokuAvailable() bool {
	if os.Getenv("HEROKU_API_KEY") != "" {
		return true
	}
	_, err := exec.LookPath(HerokuCLI)
	return err == nil
}

// HerokuToken is the user's Heroku API token: HEROKU_API_KEY (the CLI's own
// variable) or what `heroku auth:token` prints. No secret is on that
// command line; the token comes back on its stdout.
func HerokuToken(ctx context.Context) (string, error) {
	if t := strings.TrimSpace(os.Getenv("HEROKU_API_KEY")); t != "" {
		return t, nil
	}
	bin, err := exec.LookPath(HerokuCLI)
	if err != nil {
		return "", errors.New("no Heroku API token: set HEROKU_API_KEY or install the heroku CLI and run `heroku login`")
	}
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "auth:token")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("heroku auth:token: %w: %s (run `heroku login`)", err, text.FirstLine(strings.TrimSpace(errb.String())))
	}
	// The CLI may print warnings before the token: the token is the last line.
	lines := strings.Fields(out.String())
	if len(lines) == 0 {
		return "", errors.New("heroku auth:token printed no token: run `heroku login`")
	}
	return lines[len(lines)-1], nil
}

// herokuHTTP is the client for the Platform API.
var herokuHTTP = &http.Client{Timeout: 60 * time.Second}

// SetHerokuConfig sets the app's config vars through the Platform API
// (HerokuAPIEnv overrides its base URL); see setHerokuConfig.
func SetHerokuConfig(ctx context.Context, token, app string, vars []DeployVar) error {
	return setHerokuConfig(ctx, herokuAPIBase(), token, app, vars)
}

// setHerokuConfig sets the app's config vars in one PATCH of
// /apps/{app}/config-vars (one release, one restart). The values travel in
// the request body over HTTPS, never on a command line. Plain HTTP is only
// accepted to a loopback address (a local test server).
func setHerokuConfig(ctx context.Context, base, token, app string, vars []DeployVar) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("heroku api url %q: %w", base, err)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return fmt.Errorf("heroku api url %q: only https (or http to a loopback address) may carry the secret", base)
	}
	body := map[string]string{}
	for _, v := range vars {
		body[v.Name] = v.Value
	}
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	endpoint := base + "/apps/" + url.PathEscape(app) + "/config-vars"
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, endpoint, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.heroku+json; version=3")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := herokuHTTP.Do(req)
	if err != nil {
		return fmt.Errorf("heroku api: PATCH /apps/%s/config-vars: %w", app, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	var e struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(msg, &e)
	advice := ""
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		advice = ": the token was refused; run `heroku login` (or fix HEROKU_API_KEY)"
	case http.StatusForbidden:
		advice = ": this Heroku account may not change app " + app
	case http.StatusNotFound:
		advice = ": no Heroku app " + app + " for this account; check heroku_app"
	}
	return fmt.Errorf("heroku api: PATCH /apps/%s/config-vars answered %d %s%s", app, resp.StatusCode, strings.TrimSpace(e.ID+" "+e.Message), advice)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
