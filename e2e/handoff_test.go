package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/docs"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/steps"
)

func TestHandoffDocument(t *testing.T) {
	// A finished staging run: the whole flow, protection and monitoring included.
	st := runStaging(t, "protection", "monitoring")
	dir, r := st.dir, st.run
	env := readEnv(t, dir)
	secret, keyID := env["AWS_SECRET_ACCESS_KEY"], env["AWS_ACCESS_KEY_ID"]
	r.State.AddManual("Enable MFA Delete on mon-app-media-staging as the root user (see the protection step).")

	list := steps.All()
	results, notLive := engine.VerifyLive(context.Background(), r, list, time.Minute)
	if notLive != "" {
		t.Fatal(notLive)
	}
	doc, err := docs.Generate(r, list, results, "")
	if err != nil {
		t.Fatal(err)
	}
	md := string(doc)
	if testing.Verbose() {
		t.Logf("\n%s", strings.ReplaceAll(md, secret, "<<SECRET>>"))
	}
	if docs.FileName("staging") != "S3-HANDOFF-staging.md" {
		t.Errorf("file name %s", docs.FileName("staging"))
	}

	// No secret anywhere: not in the document, not in the progress file.
	if strings.Contains(md, secret) {
		t.Fatal("the secret access key is in the hand-off document")
	}
	if strings.Contains(md, keyID) {
		t.Error("the full access key ID is in the document (it must be masked)")
	}
	prog, _ := os.ReadFile(filepath.Join(dir, ".s3wizard", "staging.json"))
	if strings.Contains(string(prog), secret) {
		t.Fatal("the secret access key is in the progress file")
	}

	k := r.State.Key(keyID)
	if k == nil {
		t.Fatal("key not recorded")
	}
	due := k.Created.AddDate(0, 0, 90).UTC().Format("2006-01-02")
	wants := []string{
		"# S3 hand-off — mon-app (staging)",
		"`mon-app-media-staging`", "eu-west-3", "123456789012",
		// prefixes and who reads them
		"| `media/` | the app only (signed URLs) |", "| `media/products/` |", "| `media/blog/` | **anyone**", "| `uploads/` |",
		// identity
		"`mon-app-staging-s3-user`", "`mon-app-staging-s3`", "mon-app-staging-s3-access",
		"`" + text.Mask(keyID) + "` | Active", due, "env_file",
		// protection, logs, costs
		"Default encryption", "Versioning", "Lifecycle", "uploads/: expire after 7 days", "Server access logs", "mon-app-media-staging-logs",
		"CloudWatch alarms", "BucketSizeBytes > 50 GiB", "AWS Budgets", "s3wizard-s3-monthly: 20 USD/month on the S3 costs of the whole account (every bucket and env in it; one budget per account, shared by its envs, set by the env that made it), email to ops@example.com", "SNS topic mon-app-media-staging-alarms emails ops@example.com (once the subscription is confirmed)",
		// env var names
		"`AWS_ACCESS_KEY_ID`", "`AWS_SECRET_ACCESS_KEY`", "`AWS_STORAGE_BUCKET_NAME`", "`AWS_S3_REGION_NAME`", "`USE_S3_STORAGE`", "`AWS_S3_ENDPOINT_URL`",
		"Heroku config vars of `mon-app-staging`",
		// diagram
		"```mermaid\nflowchart LR", `user -- "member of" --> group`, `"GetObject media/blog/" --> bucket`,
		// checklist
		"## Final checklist (French guide §11)", "checked live against AWS",
		"- [x] **S3 bucket created in the right region", "- [x] **Dedicated IAM identity with minimal permissions",
		"- [x] **Keys stored securely", "**Environment variables configured, local + Heroku",
		"- [x] **Bucket policy consistent", "- [x] **Block Public Access configured correctly",
		"- [x] **Default encryption enabled", "- [x] **Versioning enabled", "- [x] **Budgets & cost alerts in place",
		"| Default encryption | SSE-S3 (AES-256) | ✅ SSE-S3 (AES-256) |", "| Versioning | Enabled (MFA Delete: manual, root only) | ✅ Enabled |",
		"| ✅ mon-app-media-staging-logs/logs/ |",
		"**Upload / delete tested from Django", "- [x] **Internal documentation updated",
		"✅ private file refused anonymously (403)", "✅ public file under media/blog/ readable anonymously (200)",
		// manual steps, departures, rotation, troubleshooting
		"## Manual steps left", "MFA Delete", "sh .s3wizard/heroku-staging.sh",
		"## Where the wizard departs from the guide", steps.Public().Departures[0][:60], steps.AppConfig().Departures[0][:60],
		"s3wizard rotate-keys --env staging",
		"**403 Access Denied.**", "does not exist", "invisible", "**Costs growing.**",
	}
	for _, w := range wants {
		if !strings.Contains(md, w) {
			t.Errorf("document lacks %q", w)
		}
	}
	// Every item of the checklist is proven by live checks of a finished
	// run, and each check comes from the step that declares it: a check
	// renamed or dropped without its checklist entry fails here.
	if strings.Contains(md, "no live check of this item") {
		t.Errorf("a checklist item found none of its checks:\n%s", md)
	}
	for _, res := range results {
		for _, c := range res.Checks {
			if got := steps.CheckStep(c.ID); got != res.Step.ID {
				t.Errorf("check %q (%s) of step %s is declared for step %q", c.ID, c.Name, res.Step.ID, got)
			}
		}
	}

	// Without credentials the live items say so instead of guessing.
	doc, err = docs.Generate(r, list, nil, "no AWS credentials")
	if err != nil {
		t.Fatal(err)
	}
	md = string(doc)
	if !strings.Contains(md, "not checked live (no AWS credentials)") || !strings.Contains(md, "- [ ] **S3 bucket created in the right region** — ⏺ not checked") {
		t.Errorf("offline document does not mark items as not checked:\n%s", md)
	}
	if strings.Contains(md, secret) {
		t.Fatal("the secret is in the offline document")
	}
}
