package tui

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The newcomer at 80x24, on the real binary against moto: the
// bucket name offered already exists in the account, in eu-west-1, while
// the run is in us-east-1. The live check says so and Enter refuses the
// name on its field, with the reason (no step failing later, no dead end);
// another name goes on to its plan.
func TestTmuxBucketInAnotherRegionRefusedOnItsField(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	srv := useMoto(t)
	dir := newProject(t)
	const taken = "mon-app-media-staging"
	s3c := s3.NewFromConfig(srv.AWSConfig(t, "eu-west-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: strPtr(taken),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
	tm := &tmuxSession{t: t, socket: fmt.Sprintf("s3wizard-test-region-%d", os.Getpid())}
	t.Cleanup(func() { _ = exec.Command("/usr/bin/tmux", "-L", tm.socket, "kill-server").Run() })
	exit := filepath.Join(t.TempDir(), "exit")
	tm.run("new-session", "-d", "-s", "wiz", "-x", "80", "-y", "24", wizardScript(srv, bin, dir, exit))
	tm.waitFor(20*time.Second, "> Start")
	tm.waitFor(20*time.Second, "account    123456789012")
	tm.send("Enter")
	tm.waitFor(10*time.Second, "App name")
	for !strings.Contains(tm.screen(), "Apply this step?") {
		scr := tm.screen()
		tm.send("Enter")
		tm.waitChange(20*time.Second, scr)
	}
	tm.send("y")
	tm.waitFor(30*time.Second, "Press enter for the next step.")
	tm.send("Enter")
	tm.waitFor(10*time.Second, "┃ Bucket name")
	tm.waitFor(20*time.Second, "already yours but in eu-west-1")
	scr := tm.screen()
	tm.send("Enter")
	tm.waitChange(10*time.Second, scr)
	tm.waitFor(10*time.Second, "┃ ✗ "+taken+" is already yours but in eu-west-1")
	if !strings.Contains(tm.screen(), "┃ Bucket name") {
		t.Fatalf("Enter took the flagged name:\n%s", tm.screen())
	}
	tm.send("C-u")
	tm.send("-l", "mon-app-files-staging")
	tm.waitFor(20*time.Second, "mon-app-files-staging is available")
	for !strings.Contains(tm.screen(), "Apply this step?") {
		scr := tm.screen()
		tm.send("Enter")
		tm.waitChange(20*time.Second, scr)
	}
	tm.waitFor(10*time.Second, "create bucket mon-app-files-staging in us-east-1")
	tm.send("C-c")
	if st := tm.exitStatus(exit); st != "130" {
		t.Fatalf("exit %s:\n%s", st, tm.screen())
	}
}
