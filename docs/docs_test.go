package docs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/docs"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// offlineRun is a recorded env without credentials: Generate must render it
// from the answers and the progress file alone.
func offlineRun(t *testing.T, yaml string) *steps.Run {
	t.Helper()
	a := testrun.Answers(t, yaml)
	dir := t.TempDir()
	st, err := state.Open(dir, a.Env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return &steps.Run{Dir: dir, Answers: a, State: st, Offline: true, Now: time.Now}
}

func render(t *testing.T, r *steps.Run, results []steps.Result) string {
	t.Helper()
	doc, err := docs.Generate(r, steps.All(), results, "no AWS credentials")
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// The document printed "media/ to GLACIER_IR after 0 days" when
// archive_after_days was left out, while the rule the protection step puts
// moves media/ after 30 days: it now shows the step's own rules.
func TestLifecycleRowShowsTheRulesTheStepApplies(t *testing.T) {
	r := offlineRun(t, "env: staging\napp: mon-app\nregion: eu-west-3\nlifecycle:\n  archive_tier: GLACIER_IR\n")
	md := render(t, r, nil)
	if strings.Contains(md, "after 0 days") {
		t.Errorf("document says an archive rule applies after 0 days")
	}
	if want := "media/: move to GLACIER_IR after 30 days"; !strings.Contains(md, want) {
		t.Errorf("document lacks %q:\n%s", want, lineWith(md, "| Lifecycle |"))
	}
	if want := steps.DescribeLifecycle(r.Answers); !strings.Contains(md, "| Lifecycle | "+want+" |") {
		t.Errorf("lifecycle row is not the step's description %q:\n%s", want, lineWith(md, "| Lifecycle |"))
	}
}

func lineWith(md, s string) string {
	for _, l := range strings.Split(md, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return "(no line with " + s + ")"
}

// Every check the checklist relies on is made by a step of the list: a check
// removed or moved to another step without its checklist entry fails here.
func TestChecklistChecksAreMadeBySteps(t *testing.T) {
	list := steps.All()
	for _, cred := range []string{config.CredAccessKeys, config.CredInstanceRole} {
		a := &config.Answers{Credentials: cred}
		for _, g := range docs.Guide {
			ids := g.Checks(a)
			if len(ids) == 0 {
				t.Errorf("%s (%s): no check", g.Title, cred)
			}
			for _, id := range ids {
				sid := steps.CheckStep(id)
				if sid == "" || steps.Find(list, sid) == nil {
					t.Errorf("%s (%s): check %q is made by no step (CheckStep = %q)", g.Title, cred, id, sid)
				}
			}
		}
	}
}

// The checklist is a template over the checks' results: an item is ok when
// its checks pass, failing when one fails, whatever the checks are called.
func TestChecklistFollowsTheChecks(t *testing.T) {
	r := offlineRun(t, "env: staging\napp: mon-app\nregion: eu-west-3\n")
	r.Offline = false
	pass := []steps.Result{{Step: steps.Find(steps.All(), "protection"), Checks: []steps.Check{
		steps.Pass(steps.CheckEncryption, "any name", "SSE-S3 (AES-256)"),
		steps.Fail(steps.CheckVersioning, "another name", "versioning is \"Suspended\""),
	}}}
	md := render(t, r, pass)
	for _, want := range []string{
		"- [x] **Default encryption enabled** — ✅ ok",
		"- [ ] **Versioning enabled** — ❌ failing",
		"❌ another name: versioning is \"Suspended\"",
		"| Default encryption | SSE-S3 (AES-256) | ✅ SSE-S3 (AES-256) |",
		// No check of the bucket step ran: said, not guessed.
		"- [ ] **S3 bucket created in the right region** — ⏺ not checked",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("document lacks %q", want)
		}
	}
}

// The hand-off document says what is true: the upload / delete test that
// passed through the project's Django is "ok", not "partly checked"; the
// non-TLS deny left out on an endpoint without TLS is not claimed; "what
// now" is in the document, commands whole.
func TestHandoffTruthfulDjangoTLSAndWhatNow(t *testing.T) {
	r := offlineRun(t, "env: staging\napp: mon-app\nregion: eu-west-3\n")
	r.Offline = false
	r.AWS = &aws.Clients{Endpoint: "http://127.0.0.1:5000"}
	pass := []steps.Result{{Step: &steps.Step{ID: "django", Title: "Django"}, Checks: []steps.Check{
		steps.Pass(steps.DjangoSave, "Django default_storage: save", ""),
		steps.Pass(steps.DjangoDelete, "Django default_storage: delete", ""),
	}}}
	md := render(t, r, pass)
	for _, want := range []string{
		"- [x] **Upload / delete tested from Django** — ✅ ok",
		"statement denying non-TLS requests is left out",
		"## What now",
		"  cp .s3wizard/django_settings.py",
		"*Guide de Gestion AWS S3 pour un Projet Django*", "*Cómo conectar Django de forma segura a AWS S3",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("document lacks %q", want)
		}
	}
	if strings.Contains(md, steps.DenyInsecureDeparture) || strings.Contains(md, "partly checked") {
		t.Errorf("document claims what is not so:\n%s", md)
	}
}
