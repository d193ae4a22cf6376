package steps

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/s3wizard/s3wizard/config"
)

// moto does not implement Elastic Beanstalk's UpdateEnvironment, so the
// request is checked as built: the instance profile and the app's variables
// go in ONE call (one environment update). Not covered: that real Elastic
// Beanstalk accepts it and restarts the app with these properties.
func TestEBUpdateSetsProfileAndVariablesTogether(t *testing.T) {
	r := appRun(t, config.CredInstanceRole)
	r.Answers.EBEnvironment = "mon-app-prod"
	in := ebUpdateInput(r.Answers.EBEnvironment, r.Answers.RoleName, r.EBProperties())
	if sdk.ToString(in.EnvironmentName) != "mon-app-prod" {
		t.Errorf("environment %q", sdk.ToString(in.EnvironmentName))
	}
	got := map[string]string{}
	for _, o := range in.OptionSettings {
		got[sdk.ToString(o.Namespace)+" "+sdk.ToString(o.OptionName)] = sdk.ToString(o.Value)
	}
	want := map[string]string{
		"aws:autoscaling:launchconfiguration IamInstanceProfile":               r.Answers.RoleName,
		"aws:elasticbeanstalk:application:environment AWS_STORAGE_BUCKET_NAME": r.Answers.Bucket,
		"aws:elasticbeanstalk:application:environment AWS_S3_REGION_NAME":      "eu-west-3",
		"aws:elasticbeanstalk:application:environment USE_S3_STORAGE":          "True",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("option %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	for k := range got {
		if strings.Contains(k, "AWS_ACCESS_KEY_ID") || strings.Contains(k, "AWS_SECRET_ACCESS_KEY") {
			t.Errorf("a credential is sent as an environment property: %s", k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("options %v, want exactly %v", got, want)
	}
}

// The instance-role flow writes .s3wizard/eb-<env>.sh: one `eb setenv` with
// the bucket, region and USE_S3_STORAGE, no secret.
func TestEBSetenvFile(t *testing.T) {
	for _, ebEnv := range []string{"", "mon-app-prod"} {
		r := appRun(t, config.CredInstanceRole)
		r.Answers.EBEnvironment = ebEnv
		p := applyPlan(t, r)
		if !slices.Contains(plannedFiles(p), EBFile("prod")) {
			t.Fatalf("plan does not write %s: %v", EBFile("prod"), plannedFiles(p))
		}
		body, err := os.ReadFile(filepath.Join(r.Dir, ".s3wizard", "eb-prod.sh"))
		if err != nil {
			t.Fatal(err)
		}
		var cmds []string
		for _, l := range strings.Split(string(body), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				cmds = append(cmds, l)
			}
		}
		want := "eb setenv AWS_STORAGE_BUCKET_NAME=" + r.Answers.Bucket + " AWS_S3_REGION_NAME=eu-west-3 USE_S3_STORAGE=True"
		if ebEnv != "" {
			want += " -e " + ebEnv
		}
		if len(cmds) != 1 || cmds[0] != want {
			t.Errorf("eb-prod.sh commands %q, want one line %q", cmds, want)
		}
		if strings.Contains(string(body), "AWS_SECRET_ACCESS_KEY") || strings.Contains(string(body), "AWS_ACCESS_KEY_ID") {
			t.Errorf("eb-prod.sh mentions credentials:\n%s", body)
		}
	}
}
