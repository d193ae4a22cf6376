package motoserver

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
)

// FaultProxy sits in front of the real moto at url moto and forwards every
// request, unless fault (given the request and its body) answers it itself;
// it returns the proxy's URL, closed when the test ends. (Fault injection in
// front of the emulator, not a replacement for it.)
func FaultProxy(tb testing.TB, moto string, fault func(w http.ResponseWriter, req *http.Request, body string, proxy http.Handler) bool) string {
	target, _ := url.Parse(moto)
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		if !fault(w, req, string(body), proxy) {
			proxy.ServeHTTP(w, req)
		}
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}
