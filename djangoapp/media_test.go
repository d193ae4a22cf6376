package djangoapp

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFindMediaRootReadsTheSettingsShapes(t *testing.T) {
	cases := []struct{ line, want string }{
		{`MEDIA_ROOT = BASE_DIR / "media"`, "P/media"},
		{`MEDIA_ROOT = BASE_DIR / 'var' / 'uploads'  # files`, "P/var/uploads"},
		{`MEDIA_ROOT = os.path.join(BASE_DIR, 'mediafiles')`, "P/mediafiles"},
		{`MEDIA_ROOT = str(BASE_DIR.joinpath("m"))`, "P/m"},
		{`MEDIA_ROOT = "/srv/app/media"`, "/srv/app/media"},
		{`MEDIA_ROOT = r'files'`, "P/files"},
		{`MEDIA_ROOT = os.environ["MEDIA_ROOT"]`, "P/media (default)"},
		{`# no MEDIA_ROOT here`, "P/media (default)"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		settings := filepath.Join(dir, "settings.py")
		if err := os.WriteFile(settings, []byte("import os\n"+c.line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		got := FindMediaRoot(&Project{Dir: dir, SettingsFile: settings})
		want := filepath.FromSlash(c.want)
		if want[0] == 'P' {
			want = dir + want[1:]
		}
		gotS := got.Path
		if got.Source == "default" {
			gotS += " (default)"
		}
		if gotS != want {
			t.Errorf("%s: got %s, want %s", c.line, gotS, want)
		}
	}
}
