package migrate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/migrate"
)

func TestOfferOnlyWhenMediaRootHoldsFiles(t *testing.T) {
	dir := t.TempDir()
	p := &djangoapp.Project{Dir: dir}
	if got := migrate.Offer(p, "staging"); got != "" {
		t.Errorf("no media dir: offer %q", got)
	}
	if err := os.MkdirAll(filepath.Join(dir, "media", "blog"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := migrate.Offer(p, "staging"); got != "" {
		t.Errorf("empty media dir: offer %q", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "media", "blog", "a.jpg"), []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := migrate.Offer(p, "staging")
	if !strings.Contains(got, "holds 1 existing files (5 B)") || !strings.Contains(got, "`s3wizard migrate-media --env staging`") {
		t.Errorf("offer %q", got)
	}
}
