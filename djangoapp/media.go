package djangoapp

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// MediaRoot is where the project keeps uploaded files locally.
type MediaRoot struct {
	Path string // absolute
	// Source says how it was found: "settings.py" (the file's MEDIA_ROOT
	// assignment, relative to the project root) or "default" (no readable
	// assignment: <project>/media).
	Source string
}

var (
	mediaRootRe = regexp.MustCompile(`(?m)^MEDIA_ROOT\s*=\s*(.+)$`)
	pyStringRe  = regexp.MustCompile(`['"]([^'"]*)['"]`)
	// plainStringRe is a lone string literal: "/srv/media", r'media'.
	plainStringRe = regexp.MustCompile(`^[rRuU]?(?:'[^']*'|"[^"]*")$`)
)

// FindMediaRoot reads MEDIA_ROOT from the settings file without running
// it. It understands the shapes Django's templates and tutorials use:
// BASE_DIR / "media", os.path.join(BASE_DIR, "media"), str(BASE_DIR /
// "media"), Path(BASE_DIR, "media") and a plain string; BASE_DIR is the
// project root (where manage.py is), as Django's startproject defines it.
// Anything else falls back to <project>/media.
func FindMediaRoot(p *Project) MediaRoot {
	def := MediaRoot{Path: filepath.Join(p.Dir, "media"), Source: "default"}
	if p.SettingsFile == "" {
		return def
	}
	src, err := os.ReadFile(p.SettingsFile)
	if err != nil {
		return def
	}
	ms := mediaRootRe.FindAllSubmatch(src, -1)
	if ms == nil {
		return def
	}
	// The last top-level assignment wins, as in Python.
	expr := strings.TrimSpace(string(ms[len(ms)-1][1]))
	if i := strings.Index(expr, "#"); i >= 0 && !strings.ContainsAny(expr[:i], `'"`) {
		expr = strings.TrimSpace(expr[:i])
	}
	if strings.Contains(expr, "environ") || strings.Contains(expr, "getenv") || strings.Contains(expr, "config(") {
		return def
	}
	var parts []string
	for _, m := range pyStringRe.FindAllStringSubmatch(expr, -1) {
		parts = append(parts, m[1])
	}
	rel, _ := filepath.Rel(p.Dir, p.SettingsFile)
	source := filepath.ToSlash(rel)
	switch {
	case strings.Contains(expr, "BASE_DIR") && len(parts) > 0:
		return MediaRoot{Path: filepath.Join(append([]string{p.Dir}, parts...)...), Source: source}
	case plainStringRe.MatchString(expr):
		path := parts[0]
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.Dir, path)
		}
		return MediaRoot{Path: path, Source: source}
	}
	return def
}
