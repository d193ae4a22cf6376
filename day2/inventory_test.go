package day2_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
)

// TestDestroyListIsWhatDestroyDoes: the confirmation list (DestroyList)
// and what destroy then reports it deleted and kept must name the same
// resources, on moto, for access keys with alarms and a budget and for an
// instance role: a listed deletion destroy does not do, a deletion destroy
// does that the list omits (the SNS topic, once), or a listed "kept" that
// destroy deletes, fails. Sub-steps of a listed item (policy versions,
// access key IDs, detaching) are not items of their own.
func TestDestroyListIsWhatDestroyDoes(t *testing.T) {
	s := motoserver.Shared(t)
	mon := "budget: {monthly_usd: 20, email: ops@example.com}\nalarms: {bucket_size_gb: 5, number_of_objects: 1000, email: ops@example.com}\n"
	for _, c := range []struct {
		name, answers string
		steps         []string
		want          []string // deletions the list must hold
	}{
		{"access keys, alarms and budget", destroyAnswers + mon, []string{"preflight", "bucket", "iam", "access-key", "monitoring"},
			[]string{"IAM user ", "IAM group ", "SNS topic ", "budget ", "CloudWatch alarm "}},
		{"instance role", "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\ncredentials: instance-role\naccess_logs: false\n",
			[]string{"preflight", "bucket", "role"}, []string{"role ", "instance profile "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s.Use(t)
			r := testrun.New(t, t.TempDir(), testrun.Answers(t, c.answers), nil)
			testrun.Apply(t, r, c.steps...)
			inv := day2.Inventory(r)
			deleted, kept := day2.DestroyList(r)
			var wantDeleted, wantKept []string
			for _, it := range inv {
				if it.Delete {
					wantDeleted = append(wantDeleted, it.Line())
				} else {
					wantKept = append(wantKept, it.Line())
				}
			}
			if !slices.Equal(deleted, wantDeleted) || !slices.Equal(kept, wantKept) {
				t.Fatalf("DestroyList is not the inventory:\ndeleted %q\nkept %q", deleted, kept)
			}
			for _, w := range c.want {
				if !slices.ContainsFunc(deleted, func(l string) bool { return strings.HasPrefix(l, w) }) {
					t.Errorf("the list lacks %q:\n%s", w, strings.Join(deleted, "\n"))
				}
			}
			// destroy reports deleting the alarms even when none exist
			// (DeleteAlarms ignores unknown names): the list's must exist,
			// and be gone after.
			alarms := testrun.Alarms(t, r)
			for _, it := range inv {
				if _, ok := alarms[it.Name]; it.Kind == day2.KindAlarm && !ok {
					t.Errorf("listed %q, which does not exist", it.Line())
				}
			}
			said := strings.Split(destroy(t, r), "\n")
			if left := testrun.Alarms(t, r); len(left) != 0 {
				t.Errorf("alarms left after destroy: %v", slices.Collect(maps.Keys(left)))
			}

			for _, it := range inv {
				switch {
				case it.Delete && it.Said != "" && !slices.ContainsFunc(said, func(l string) bool { return strings.HasPrefix(l, it.Said) }):
					t.Errorf("listed %q, but destroy did not report %q", it.Line(), it.Said)
				case !it.Delete && !slices.Contains(said, "kept "+it.Label+": it existed before the wizard (adopted)"):
					t.Errorf("listed %q as kept, destroy did not keep it", it.Line())
				}
			}
			for _, l := range said {
				deletion := strings.HasPrefix(l, "delete ") || strings.HasPrefix(l, "empty and delete ") || strings.HasPrefix(l, "deleted ")
				sub := strings.HasPrefix(l, "delete policy version ") || strings.HasPrefix(l, "delete access key ")
				if !deletion || sub {
					continue
				}
				if !slices.ContainsFunc(inv, func(it day2.Item) bool {
					return it.Delete && (it.Said != "" && strings.HasPrefix(l, it.Said) || it.Kind == day2.KindFile && strings.HasPrefix(l, "delete "+it.Name))
				}) {
					t.Errorf("destroy reported %q, which its list did not name:\n%s", l, strings.Join(deleted, "\n"))
				}
			}
		})
	}
}
