package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

type stepStatus struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
	At     string `json:"at,omitempty"`
	Error  string `json:"error,omitempty"`
}

type envStatus struct {
	Env     string       `json:"env"`
	Account string       `json:"account,omitempty"`
	Bucket  string       `json:"bucket,omitempty"`
	Region  string       `json:"region,omitempty"`
	Steps   []stepStatus `json:"steps"`
	// Pending is a day-2 operation left half done (a key rotation whose
	// old key is still active), with what to do.
	Pending string `json:"pending,omitempty"`
	// Waiting are confirmations only a person can give (the alarm emails'
	// SNS subscription).
	Waiting []string `json:"waiting,omitempty"`
}

// statusOptions are status's: --dir, --env and --json (no AWS, no
// prompt: it reads only the progress files).
type statusOptions struct {
	IO   IO
	Dir  string
	Env  string
	json bool
}

func newStatus(f *flags, x *factory) *statusOptions {
	return &statusOptions{IO: x.io, Dir: f.Dir, Env: f.Env, json: f.json}
}

func cmdStatus(_ context.Context, f *statusOptions) error {
	s := f.IO
	envs := []string{f.Env}
	if f.Env == "" {
		envs = state.Envs(f.Dir)
		if len(envs) == 0 {
			return app.UsageError(fmt.Errorf("no saved progress in %s: run `s3wizard` or `s3wizard apply` first", f.Dir))
		}
	}
	var out []envStatus
	for _, env := range envs {
		p, err := state.Read(f.Dir, env)
		if err != nil {
			return err
		}
		out = append(out, statusOf(env, p))
	}
	if f.json {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		if f.Env != "" {
			return enc.Encode(out[0])
		}
		return enc.Encode(out)
	}
	for i, es := range out {
		if i > 0 {
			fmt.Fprintln(s.Out)
		}
		printStatus(s.Out, es)
	}
	return nil
}

// statusOf is env's status as its progress file p records it.
func statusOf(env string, p *state.Progress) envStatus {
	es := envStatus{Env: env, Account: p.Account()}
	if p.Answers() != nil {
		es.Bucket, es.Region = p.Answers().Bucket, p.Answers().Region
	}
	if email := steps.AlarmConfirmationPending(p); email != "" {
		es.Waiting = append(es.Waiting, fmt.Sprintf("alarm emails: %s has not confirmed the SNS subscription (as last checked): click the link in the email from AWS Notifications; until then alarms email nobody", email))
	}
	if rot := p.Rotation(); rot != nil {
		es.Pending = fmt.Sprintf("key rotation: new key %s is in the env file, old key %s is still active — deploy the new one, then run `s3wizard rotate-keys --env %s` again", text.Mask(rot.New), text.Mask(rot.Old), env)
	}
	for _, st := range steps.All() {
		ss := p.Step(st.ID)
		row := stepStatus{ID: st.ID, Title: st.Title, Status: ss.Status, Error: ss.Error}
		if !ss.At.IsZero() {
			row.At = ss.At.UTC().Format(time.RFC3339)
		}
		es.Steps = append(es.Steps, row)
	}
	return es
}

// printStatus writes an env's status for people: a line for the env, its
// pending and waiting items, a line per step.
func printStatus(w io.Writer, es envStatus) {
	fmt.Fprintf(w, "env %s", es.Env)
	if es.Bucket != "" {
		fmt.Fprintf(w, " — bucket %s (%s)", es.Bucket, es.Region)
	}
	fmt.Fprintln(w)
	if es.Pending != "" {
		fmt.Fprintf(w, "  pending: %s\n", es.Pending)
	}
	for _, line := range es.Waiting {
		fmt.Fprintf(w, "  waiting: %s\n", line)
	}
	for _, r := range es.Steps {
		fmt.Fprintf(w, "  %-11s %-12s %s", r.Status, r.ID, r.Title)
		if r.Error != "" {
			fmt.Fprintf(w, " — %s", text.FirstLine(r.Error))
		}
		fmt.Fprintln(w)
	}
}
