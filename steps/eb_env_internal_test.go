package steps

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/text"
)

// moto does not implement Elastic Beanstalk's UpdateEnvironment, so the
// request is checked as built: the instance profile and the app's variables
// go in ONE call (one environment update). Not covered: that real Elastic
// Beanstalk accepts it and restarts the app with these properties.
func TestEBUpdateSetsProfileAndVariablesTogether(t *testing.T) {
	r := appRun(t, config.CredInstanceRole)
	r.Answers.EBEnvironment = "mon-app-prod"
	in := ebUpdateInput(r.Answers.EBEnvironment, r.Answers.RoleName, r.ebProperties())
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
	// Every other variable the app reads (the env file's, credentials
	// excepted) goes along too.
	set, _ := r.WantedEnv()
	for k, v := range set {
		want["aws:elasticbeanstalk:application:environment "+k] = v
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
		if !slices.Contains(plannedFiles(p), appconfig.EBFile("prod")) {
			t.Fatalf("plan does not write %s: %v", appconfig.EBFile("prod"), plannedFiles(p))
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
		if len(cmds) != 1 || !strings.HasPrefix(cmds[0], "eb setenv AWS_STORAGE_BUCKET_NAME="+r.Answers.Bucket+" AWS_S3_REGION_NAME=eu-west-3 USE_S3_STORAGE=True") {
			t.Fatalf("eb-prod.sh commands %q, want one eb setenv line with the bucket, region and USE_S3_STORAGE", cmds)
		}
		set, _ := r.WantedEnv()
		for k, v := range set {
			if !strings.Contains(cmds[0], " "+text.ShellQuote(k+"="+v)) {
				t.Errorf("eb setenv lacks %s=%s: %s", k, v, cmds[0])
			}
		}
		if ebEnv != "" && !strings.HasSuffix(cmds[0], " -e "+ebEnv) {
			t.Errorf("eb setenv does not name environment %s: %s", ebEnv, cmds[0])
		}
		if strings.Contains(string(body), "AWS_SECRET_ACCESS_KEY") || strings.Contains(string(body), "AWS_ACCESS_KEY_ID") {
			t.Errorf("eb-prod.sh mentions credentials:\n%s", body)
		}
	}
}

// stubEB answers Elastic Beanstalk's reads for the plan's decision (moto
// has no DescribeConfigurationSettings); UpdateEnvironment is never sent by
// these tests.
type stubEB struct {
	envs     []ebtypes.EnvironmentDescription
	settings []ebtypes.ConfigurationOptionSetting
	readErr  error
}

func (s *stubEB) DescribeEnvironments(context.Context, *elasticbeanstalk.DescribeEnvironmentsInput, ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeEnvironmentsOutput, error) {
	return &elasticbeanstalk.DescribeEnvironmentsOutput{Environments: s.envs}, nil
}

func (s *stubEB) DescribeConfigurationSettings(context.Context, *elasticbeanstalk.DescribeConfigurationSettingsInput, ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeConfigurationSettingsOutput, error) {
	if s.readErr != nil {
		return nil, s.readErr
	}
	return &elasticbeanstalk.DescribeConfigurationSettingsOutput{ConfigurationSettings: []ebtypes.ConfigurationSettingsDescription{{OptionSettings: s.settings}}}, nil
}

func (s *stubEB) UpdateEnvironment(context.Context, *elasticbeanstalk.UpdateEnvironmentInput, ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.UpdateEnvironmentOutput, error) {
	return nil, errors.New("not sent by these tests")
}

// Each UpdateEnvironment rolls the environment: it is planned only when the
// instance profile or a property differs, and then carries them all.
func TestEBUpdateOnlyWhenSettingsDiffer(t *testing.T) {
	opt := func(ns, name, v string) ebtypes.ConfigurationOptionSetting {
		return ebtypes.ConfigurationOptionSetting{Namespace: sdk.String(ns), OptionName: sdk.String(name), Value: sdk.String(v)}
	}
	r := appRun(t, config.CredInstanceRole)
	r.Answers.EBEnvironment = "mon-app-prod"
	role := r.Answers.RoleName
	ready := []ebtypes.EnvironmentDescription{{EnvironmentName: sdk.String("mon-app-prod"), ApplicationName: sdk.String("mon-app"), Status: ebtypes.EnvironmentStatusReady}}
	asWanted := []ebtypes.ConfigurationOptionSetting{
		opt(ebLaunchNamespace, "IamInstanceProfile", "arn:aws:iam::123456789012:instance-profile/"+role),
		opt(ebEnvNamespace, appconfig.EnvBucket, r.Answers.Bucket),
		opt(ebEnvNamespace, appconfig.EnvRegion, "eu-west-3"),
		opt(ebEnvNamespace, appconfig.EnvUseS3, "True"),
		opt(ebEnvNamespace, "DJANGO_SECRET_KEY", "theirs"),
	}
	for _, v := range r.ebProperties() {
		if v.Name != appconfig.EnvBucket && v.Name != appconfig.EnvRegion && v.Name != appconfig.EnvUseS3 {
			asWanted = append(asWanted, opt(ebEnvNamespace, v.Name, v.Value))
		}
	}
	for _, tc := range []struct {
		name    string
		eb      *stubEB
		actions int
		errText string
		notice  string
	}{
		{"as wanted", &stubEB{envs: ready, settings: asWanted}, 0, "", "already uses instance profile"},
		{"a property differs", &stubEB{envs: ready, settings: append(append([]ebtypes.ConfigurationOptionSetting{}, asWanted[:3]...), opt(ebEnvNamespace, appconfig.EnvUseS3, "False"))}, 1, "", "differs in: USE_S3_STORAGE"},
		{"another instance profile", &stubEB{envs: ready, settings: append([]ebtypes.ConfigurationOptionSetting{opt(ebLaunchNamespace, "IamInstanceProfile", "aws-elasticbeanstalk-ec2-role")}, asWanted[1:]...)}, 1, "", "differs in: IamInstanceProfile"},
		{"settings unreadable", &stubEB{envs: ready, readErr: errors.New("AccessDenied")}, 1, "", "sent anyway"},
		{"no such environment", &stubEB{envs: []ebtypes.EnvironmentDescription{{EnvironmentName: sdk.String("mon-app-prod"), ApplicationName: sdk.String("mon-app"), Status: ebtypes.EnvironmentStatusTerminated}}}, 0, "no Elastic Beanstalk environment mon-app-prod in eu-west-3", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.AWS = &aws.Clients{Region: "eu-west-3", EB: tc.eb}
			p := &Plan{}
			err := planEB(context.Background(), r, p, role)
			if tc.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("err = %v, want %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Actions) != tc.actions {
				t.Errorf("%d actions, want %d", len(p.Actions), tc.actions)
			}
			if n := strings.Join(p.Notices, "\n"); !strings.Contains(n, tc.notice) {
				t.Errorf("notices lack %q:\n%s", tc.notice, n)
			}
		})
	}
}
