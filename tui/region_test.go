package tui

import (
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/steps"
)

// Reviewing answers (the prod run carrying staging's over, or going back),
// credentials is asked before region; switching it to provided in the same
// form turns region from a choice of AWS regions into the provider's name,
// typed: the AWS region chosen there is forgotten and region is asked
// again, after the endpoint, as a text input. Switching back to AWS
// credentials makes it the AWS choice again.
func TestRegionAskedAgainWhenCredentialsChangeItsKind(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	a := &config.Answers{Env: "prod", App: "mon-app", Region: "eu-west-3", Credentials: config.CredAccessKeys,
		Set: map[string]bool{"env": true, "app": true, "region": true, "credentials": true}}
	list := steps.All()
	qs := questionsFor(list, 0, a, true)
	order := map[string]int{}
	for i, q := range qs {
		order[q.Key] = i
	}
	if _, ok := order["region"]; !ok || order["credentials"] > order["region"] {
		t.Fatalf("review of step 1 asks %v: want credentials before region", order)
	}
	f := newAnswerForm(qs, a, offers{}, false)
	if f.qs[order["region"]].Kind != config.KindSelect {
		t.Fatalf("with access-keys region is asked as %s", f.qs[order["region"]].Kind)
	}
	*f.texts["credentials"] = config.CredProvided
	if err := f.apply(a); err != nil {
		t.Fatal(err)
	}
	if a.Set["region"] || a.Region != "" {
		t.Fatalf("after switching to provided region is kept: %q (set %v)", a.Region, a.Set["region"])
	}
	if next := followUps(a); len(next) != 1 || next[0].Key != "endpoint" {
		t.Fatalf("next follow-up: %v, want endpoint", next)
	}
	must(t, a.SetString("endpoint", "https://s3.nl-ams.scw.cloud"))
	next := followUps(a)
	if len(next) != 1 || next[0].Key != "region" {
		t.Fatalf("after the endpoint the follow-up is %v, want region", next)
	}
	rf := newAnswerForm(next, a, offers{}, false)
	if rf.qs[0].Kind != config.KindInput || rf.value("region") != "nl-ams" {
		t.Fatalf("region asked as %s offering %q, want a text input offering nl-ams", rf.qs[0].Kind, rf.value("region"))
	}
	must(t, rf.apply(a))
	if a.Region != "nl-ams" || !a.Set["region"] {
		t.Fatalf("region %q (set %v), want nl-ams", a.Region, a.Set["region"])
	}

	// Back to AWS credentials: the provider's name cannot stay.
	f = newAnswerForm(questionsFor(list, 0, a, true), a, offers{}, false)
	*f.texts["credentials"] = config.CredAccessKeys
	must(t, f.apply(a))
	next = followUps(a)
	if a.Set["region"] || len(next) != 1 || next[0].Key != "region" {
		t.Fatalf("after switching back to access-keys: region %q set %v, follow-ups %v", a.Region, a.Set["region"], next)
	}
	if q := next[0].For(a); q.Kind != config.KindSelect || q.Default(a) != "eu-west-3" {
		t.Fatalf("region asked as %s offering %q, want the AWS choice offering eu-west-3", q.Kind, q.Default(a))
	}
}
