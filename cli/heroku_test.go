package cli_test

import (
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// herokuCall is one request the Heroku API stand-in received.
type herokuCall struct {
	Method, Path, Auth, Accept string
	Body                       map[string]string
}

// fakeHerokuAPI stands in for the Heroku Platform API: an HTTPS server the
// built binary trusts (SSL_CERT_FILE) and reaches through
// S3WIZARD_HEROKU_API, and a `heroku` CLI on PATH that only answers
// `auth:token` and records its arguments. status is what PATCH answers.
func fakeHerokuAPI(t *testing.T, status int) (env []string, calls func() []herokuCall, argsFile string) {
	t.Helper()
	var mu sync.Mutex
	var got []herokuCall
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := herokuCall{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Accept: r.Header.Get("Accept")}
		_ = json.NewDecoder(r.Body).Decode(&c.Body)
		mu.Lock()
		got = append(got, c)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status != http.StatusOK {
			w.Write([]byte(`{"id":"unauthorized","message":"Invalid credentials provided."}`))
			return
		}
		json.NewEncoder(w).Encode(c.Body)
	}))
	t.Cleanup(srv.Close)
	cert := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	argsFile = filepath.Join(t.TempDir(), "args")
	path := herokuScript(t, "printf '%s\\n' \"$@\" >> "+argsFile+"\nif [ \"$1\" = auth:token ]; then echo tok-123; exit 0; fi\necho unexpected >&2\nexit 1\n")
	env = []string{path, "S3WIZARD_HEROKU_API=" + srv.URL, "SSL_CERT_FILE=" + cert}
	return env, func() []herokuCall {
		mu.Lock()
		defer mu.Unlock()
		return append([]herokuCall(nil), got...)
	}, argsFile
}
