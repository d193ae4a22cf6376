package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/config"
)

func TestSaveReadRoundTripAndMode(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetStep("bucket", Done, nil, []string{"adopted"}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	fi, err := os.Stat(Path(dir, "staging"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("progress file: %v, mode %v", err, fi.Mode().Perm())
	}
	q, err := Read(dir, "staging")
	if err != nil || q.Step("bucket").Status != Done || q.Step("iam").Status != Pending {
		t.Fatalf("read back: %v %+v", err, q.Steps())
	}
}

func TestLockKeepsTwoRunsApart(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, "staging"); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if q, err := Open(dir, "prod"); err != nil {
		t.Fatalf("another env must not be locked: %v", err)
	} else {
		q.Close()
	}
	p.Close()
	if q, err := Open(dir, "staging"); err != nil {
		t.Fatalf("after Close: %v", err)
	} else {
		q.Close()
	}
}

func TestCorruptOrNewerFileIsNeverOverwritten(t *testing.T) {
	for name, content := range map[string]string{
		"corrupt": `{"schema": 1, "steps": {`,
		"newer":   `{"schema": 99, "steps": {}}`,
		"foreign": `{"hello": "world"}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := Path(dir, "staging")
			os.MkdirAll(filepath.Dir(path), 0o700)
			os.WriteFile(path, []byte(content), 0o600)
			_, err := Open(dir, "staging")
			if err == nil || !strings.Contains(err.Error(), "left untouched") && !strings.Contains(err.Error(), "move it aside") {
				t.Fatalf("Open = %v, want an error saying what to do", err)
			}
			if b, _ := os.ReadFile(path); string(b) != content {
				t.Error("the file was changed")
			}
		})
	}
}

// TestEarlierProgressFileLoadsAndKeepsItsFormat: testdata/progress-v1.json
// was written by the wizard before Progress's fields became private (every
// field set). It still loads, every accessor returns what it holds, and
// saving it again writes the same file: the same keys and values, only
// "updated" changes, and the schema-1 ownership flag becomes schema 2's
// record of the bucket named when it was written. The answers are compared by value, not byte for byte:
// their own format belongs to config.
func TestEarlierProgressFileLoadsAndKeepsItsFormat(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("testdata", "progress-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, Dir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(Path(dir, "staging"), orig, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	at := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	const key, newKey = "AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE"
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"env", p.Env(), "staging"},
		{"account", p.Account(), "123456789012"},
		{"caller", p.Caller(), "arn:aws:iam::123456789012:user/ops"},
		{"answers bucket", p.Answers().Bucket, "mon-app-media-staging"},
		{"answers public prefixes", p.Answers().PublicPrefixes, []string{"media/blog/"}},
		{"answers set", p.Answers().Set["iam_user"], true},
		{"steps", p.Steps(), map[string]StepState{
			"preflight": {Status: Done, At: at, Notes: []string{"identity checked"}},
			"bucket":    {Status: Failed, At: at, Error: "step bucket: AccessDenied"}}},
		{"resources", p.Resources(), map[string]string{"log_bucket": "mon-app-media-staging-logs"}},
		{"owned", p.Ownerships(), []Ownership{{Kind: KindBucket, Name: "mon-app-media-staging", Evidence: EvidenceCreated, At: time.Date(2026, 11, 30, 9, 16, 0, 0, time.UTC)}}},
		{"keys", p.Keys(), []AccessKey{{ID: key, User: "django-s3-user-staging", Created: at, Status: "Active", Deployed: []string{"env_file", "heroku"}}}},
		{"key creation", p.KeyCreation(), &KeyCreation{User: "django-s3-user-staging", At: at, Existing: []string{key}, Replaces: key}},
		{"rotation", p.Rotation(), &Rotation{Old: key, New: newKey, HandedOff: true}},
		{"manual", p.Manual(), []string{"MFA Delete (optional): only root can enable it"}},
		{"updated", p.Updated(), time.Date(2026, 11, 30, 9, 16, 0, 0, time.UTC)},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: %#v, want %#v", c.what, c.got, c.want)
		}
	}

	if err := p.Save(); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(Path(dir, "staging"))
	if err != nil {
		t.Fatal(err)
	}
	var before, after map[string]any
	if err := json.Unmarshal(orig, &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(saved, &after); err != nil {
		t.Fatal(err)
	}
	for _, m := range []map[string]any{before, after} {
		delete(m, "updated")
		a := m["answers"].(map[string]any)
		delete(m, "answers")
		if a["bucket"] != "mon-app-media-staging" || a["iam_user"] != "django-s3-user-staging" {
			t.Errorf("answers not kept: %v", a)
		}
	}
	// The migration: schema 2, the flag now an ownership record.
	before["schema"] = float64(SchemaVersion)
	delete(before["resources"].(map[string]any), "bucket_created_by_wizard")
	before["owned"] = []any{map[string]any{"kind": "bucket", "name": "mon-app-media-staging", "evidence": "created", "at": "2026-11-30T09:16:00Z"}}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("saved again, the file changed:\n%s\nwas:\n%s", saved, orig)
	}
	if !strings.HasSuffix(string(saved), "\n}\n") || !strings.HasPrefix(string(saved), "{\n  \"schema\": 2,\n  \"env\": \"staging\",\n") {
		t.Errorf("saved file lost its layout (indented, schema first):\n%s", saved)
	}
}

// TestUpdateSeesOneConsistentProgress: Update's view reads and writes the
// same progress while other goroutines use the locked accessors (run with
// -race).
func TestUpdateSeesOneConsistentProgress(t *testing.T) {
	p, err := Open(t.TempDir(), "staging")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := p.Update(func(v *Progress) {
				v.SetResource("n", v.Resource("n")+"x")
				v.PutKey(AccessKey{ID: fmt.Sprint("K", i)})
			}); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			_ = p.Keys()
			_ = p.Resources()
		}()
	}
	wg.Wait()
	if n := len(p.Resource("n")); n != 20 {
		t.Errorf("resource n grew %d times, want 20 (an update was lost)", n)
	}
	if n := len(p.Keys()); n != 20 {
		t.Errorf("%d keys, want 20", n)
	}
}

// TestV1FlagOwnsOnlyTheNameRecordedThen (issue 17 item 8): a schema-1 file
// whose bucket answer was changed after the bucket was made still says
// "bucket_created_by_wizard: true". The migration gives that ownership to
// the bucket named when it was recorded (its ARN), not to the answer's new
// bucket; likewise the user of iam_user_arn, and the role with its
// instance profile. The group and policy schema 1 set up stay the wizard's.
func TestV1FlagOwnsOnlyTheNameRecordedThen(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, Dir), 0o700); err != nil {
		t.Fatal(err)
	}
	v1 := `{"schema": 1, "env": "staging",
	  "answers": {"env": "staging", "app": "mon-app", "bucket": "theirs", "iam_user": "alice", "role_name": "web", "set": {}},
	  "steps": {},
	  "resources": {"bucket_created_by_wizard": "true", "bucket_arn": "arn:aws:s3:::mon-app-first",
	    "iam_user_created_by_wizard": "pending", "iam_user_arn": "arn:aws:iam::123456789012:user/django-s3-user-staging",
	    "role_created_by_wizard": "true", "role": "mon-app-staging-s3",
	    "iam_group": "mon-app-staging-s3", "policy_arn": "arn:aws:iam::123456789012:policy/mon-app-staging-s3-access"}}`
	if err := os.WriteFile(Path(dir, "staging"), []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Read(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind, name string
		mine       bool
	}{
		{KindBucket, "mon-app-first", true}, {KindBucket, "theirs", false},
		{KindIAMUser, "django-s3-user-staging", true}, {KindIAMUser, "alice", false},
		{KindRole, "mon-app-staging-s3", true}, {KindInstanceProfile, "mon-app-staging-s3", true}, {KindRole, "web", false},
		{KindIAMGroup, "mon-app-staging-s3", true}, {KindIAMPolicy, "mon-app-staging-s3-access", true},
	} {
		if got := p.Owns(c.kind, c.name); got != c.mine {
			t.Errorf("%s %s owned = %v, want %v", c.kind, c.name, got, c.mine)
		}
	}
	if o, _ := p.Ownership(KindIAMUser, "django-s3-user-staging"); o.Evidence != EvidencePending {
		t.Errorf("the pending intent became %q", o.Evidence)
	}
	for k := range p.Resources() {
		if strings.HasSuffix(k, "_created_by_wizard") {
			t.Errorf("schema 1's flag %s is still there", k)
		}
	}
}

// TestAnswersIsACopy: what Answers returns is the caller's; changing it
// (a field, the Set map, a list) changes nothing recorded, and a reader never
// shares memory with Update's writers.
func TestAnswersIsACopy(t *testing.T) {
	p, err := Open(t.TempDir(), "staging")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Answers() != nil {
		t.Fatal("answers before any were recorded")
	}
	p.SetAnswers(&config.Answers{Env: "staging", Bucket: "b-1", Folders: []string{"blog"}, Set: map[string]bool{"bucket": true}})
	got := p.Answers()
	got.Bucket, got.Folders[0], got.Set["region"] = "other", "changed", true
	again := p.Answers()
	if again.Bucket != "b-1" || again.Folders[0] != "blog" || again.Set["region"] {
		t.Errorf("recorded answers changed through a copy: bucket %q, folders %v, set %v", again.Bucket, again.Folders, again.Set)
	}
}

// TestOthersReadsEveryOtherEnv: the other envs' progress, in name order,
// without the env asking and without a file that cannot be read.
func TestOthersReadsEveryOtherEnv(t *testing.T) {
	dir := t.TempDir()
	for _, env := range []string{"staging", "prod", "dev"} {
		p, err := Open(dir, env)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.SetStep("bucket", Done, nil, []string{env}); err != nil {
			t.Fatal(err)
		}
		p.Close()
	}
	if err := os.WriteFile(Path(dir, "broken"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	for env, p := range Others(dir, "staging") {
		if n := p.Step("bucket").Notes; len(n) != 1 || n[0] != env {
			t.Errorf("env %s: read %v, want its own progress", env, n)
		}
		got = append(got, env)
	}
	if want := []string{"dev", "prod"}; !slices.Equal(got, want) {
		t.Fatalf("Others(staging) = %v, want %v", got, want)
	}
}
