package steps

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
)

func plannedFiles(p *Plan) []string {
	var fs []string
	for _, a := range p.Actions {
		fs = append(fs, a.Files...)
	}
	return fs
}

func assertFileIs(t *testing.T, path string, gen func() ([]byte, error)) {
	t.Helper()
	want, err := gen()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the generated content", path)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("%s mode %#o, want 0644", path, fi.Mode().Perm())
	}
}

func TestAppConfigInstanceRoleHealthCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, r *Run)
		eb    bool
	}{
		{"no EB", func(t *testing.T, r *Run) {}, false},
		{"eb_environment", func(t *testing.T, r *Run) { r.Answers.EBEnvironment = "mon-app-prod" }, true},
		{".elasticbeanstalk/", func(t *testing.T, r *Run) {
			if err := os.Mkdir(filepath.Join(r.Dir, ".elasticbeanstalk"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, true},
		{".ebextensions/ with the user's own file", func(t *testing.T, r *Run) {
			if err := os.Mkdir(filepath.Join(r.Dir, ".ebextensions"), 0o755); err != nil {
				t.Fatal(err)
			}
			mine := "option_settings:\n  aws:elasticbeanstalk:environment:process:default:\n    HealthCheckPath: /\n"
			if err := os.WriteFile(filepath.Join(r.Dir, ".ebextensions", "01-mine.config"), []byte(mine), 0o644); err != nil {
				t.Fatal(err)
			}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := appRun(t, config.CredInstanceRole)
			tc.setup(t, r)
			p := applyPlan(t, r)
			files := plannedFiles(p)
			notices := strings.Join(p.Notices, "\n")

			if !slices.Contains(files, appconfig.HealthModuleFile) {
				t.Errorf("plan does not write %s: %v", appconfig.HealthModuleFile, files)
			}
			assertFileIs(t, filepath.Join(r.Dir, appconfig.HealthModuleFile), djangoapp.GenerateHealthModule)
			for _, want := range []string{
				`"s3wizard_health.HealthCheckMiddleware" as the FIRST entry of MIDDLEWARE`,
				"before SecurityMiddleware and CommonMiddleware",
				"the guide sets ALLOWED_HOSTS = ['*'] during the switch and fetches the IP with IMDSv1; the wizard answers /health/ before host validation and uses IMDSv2",
			} {
				if !strings.Contains(notices, want) {
					t.Errorf("notices lack %q:\n%s", want, notices)
				}
			}

			cfgPath := filepath.Join(r.Dir, appconfig.EBHealthConfigFile)
			if tc.eb {
				if !slices.Contains(files, appconfig.EBHealthConfigFile) {
					t.Errorf("plan does not write %s: %v", appconfig.EBHealthConfigFile, files)
				}
				assertFileIs(t, cfgPath, djangoapp.EBHealthConfig)
				if !strings.Contains(notices, "eb deploy") {
					t.Errorf("no notice to deploy %s:\n%s", appconfig.EBHealthConfigFile, notices)
				}
			} else {
				if _, err := os.Stat(cfgPath); err == nil || slices.Contains(files, appconfig.EBHealthConfigFile) {
					t.Errorf("%s written for a project without Elastic Beanstalk", appconfig.EBHealthConfigFile)
				}
				if _, err := os.Stat(filepath.Join(r.Dir, ".ebextensions")); err == nil {
					t.Error(".ebextensions/ created for a project without Elastic Beanstalk")
				}
				if !strings.Contains(notices, "HealthCheckPath: /health/") || !strings.Contains(notices, appconfig.EBHealthConfigFile) {
					t.Errorf("no notice on the health check path for Elastic Beanstalk:\n%s", notices)
				}
			}
			if strings.HasPrefix(tc.name, ".ebextensions/") {
				mine, err := os.ReadFile(filepath.Join(r.Dir, ".ebextensions", "01-mine.config"))
				if err != nil || !strings.Contains(string(mine), "HealthCheckPath: /\n") {
					t.Errorf("the user's .ebextensions file was changed: %v %q", err, mine)
				}
				if w := strings.Join(p.Warnings, "\n"); !strings.Contains(w, "01-mine.config also sets a health check path") {
					t.Errorf("no warning about the user's own health check path: %q", p.Warnings)
				}
			}

			// Idempotent: nothing left to do.
			if p2, err := planAppConfig(context.Background(), r); err != nil || !p2.Empty() {
				t.Errorf("second plan: %v %v", err, plannedFiles(p2))
			}
			// A changed file is rewritten.
			if err := os.WriteFile(filepath.Join(r.Dir, appconfig.HealthModuleFile), []byte("# edited\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if p3, err := planAppConfig(context.Background(), r); err != nil || !slices.Equal(plannedFiles(p3), []string{appconfig.HealthModuleFile}) {
				t.Errorf("plan after editing %s: %v %v", appconfig.HealthModuleFile, err, plannedFiles(p3))
			}
		})
	}
}

func TestAppConfigAccessKeysWritesNoHealthCheck(t *testing.T) {
	r := appRun(t, config.CredAccessKeys)
	r.Answers.EBEnvironment = "mon-app-prod" // ignored with access keys
	if err := os.Mkdir(filepath.Join(r.Dir, ".elasticbeanstalk"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := planAppConfig(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range plannedFiles(p) {
		if f == appconfig.HealthModuleFile || strings.HasPrefix(f, ".ebextensions") {
			t.Errorf("access-keys mode plans %s", f)
		}
	}
	if n := strings.Join(p.Notices, "\n"); strings.Contains(n, "HealthCheckMiddleware") || strings.Contains(n, "HealthCheckPath") {
		t.Errorf("access-keys mode gives health check notices:\n%s", n)
	}
	for _, a := range p.Actions {
		if err := a.Do(context.Background()); err != nil {
			t.Fatalf("%s: %v", a.Summary, err)
		}
	}
	for _, f := range []string{appconfig.HealthModuleFile, appconfig.EBHealthConfigFile} {
		if _, err := os.Stat(filepath.Join(r.Dir, f)); err == nil {
			t.Errorf("access-keys mode wrote %s", f)
		}
	}
}

func TestRoleDepartsFromGuideOnHealthCheck(t *testing.T) {
	d := strings.Join(roleStep().Departures, "\n")
	if !strings.Contains(d, "ALLOWED_HOSTS = ['*']") || !strings.Contains(d, "IMDSv1") || !strings.Contains(d, "answers /health/ before host validation and uses IMDSv2") {
		t.Errorf("role departures do not mention the health check and IMDSv2:\n%s", d)
	}
}
