package docs

import (
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// The hand-off document says where Elastic Beanstalk gets the app's
// variables, and claims the wizard set them only when it did (the role step,
// which sends them with the instance profile, is done).
func TestHandoffSaysWhereEBVariablesAreSet(t *testing.T) {
	dir := t.TempDir()
	prog, err := state.Open(dir, "prod")
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	a := &config.Answers{Env: "prod", App: "mon-app", Region: "eu-west-3", Credentials: config.CredInstanceRole,
		Set: map[string]bool{"env": true, "app": true, "region": true, "credentials": true}}
	a.ApplyDefaults()
	r := &steps.Run{Dir: dir, Answers: a, State: prog}

	_, where := envVars(r)
	if !strings.Contains(where, "only after you run `.s3wizard/eb-prod.sh`") || !strings.Contains(where, "set nothing on Elastic Beanstalk") {
		t.Errorf("no eb_environment: %s", where)
	}
	if !strings.Contains(where, "never deployed") {
		t.Errorf("the env file is not said to stay local: %s", where)
	}
	if m := strings.Join(manual(r), "\n"); !strings.Contains(m, "sh .s3wizard/eb-prod.sh") {
		t.Errorf("manual steps lack the eb setenv file:\n%s", m)
	}

	a.EBEnvironment = "mon-app-prod"
	if _, where = envVars(r); !strings.Contains(where, "once `apply` finishes the role step (not done yet)") {
		t.Errorf("eb_environment, role not done: %s", where)
	}
	if err := prog.SetStep("role", state.Done, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, where = envVars(r); !strings.Contains(where, "environment properties of Elastic Beanstalk environment `mon-app-prod` (set by the wizard in the same UpdateEnvironment call as the instance profile") {
		t.Errorf("eb_environment, role done: %s", where)
	}
}
