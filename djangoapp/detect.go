// Package djangoapp knows the Django side of the wizard: it finds the Django
// project (manage.py, settings module, Django and django-storages versions),
// renders the S3 settings block for that Django version, and lints an
// existing settings.py for the mistakes that silently break S3 storage.
package djangoapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Project is a detected Django project.
type Project struct {
	Dir            string // absolute project root (where manage.py is)
	ManagePy       string // path of manage.py
	SettingsModule string // e.g. "mysite.settings"; "" when manage.py does not set it
	SettingsFile   string // path of the settings file; "" when not found
	// DjangoVersion and StoragesVersion are "" when unknown (the generated
	// settings do not depend on them: they check the versions on import).
	DjangoVersion   string
	StoragesVersion string
	// VersionSource says where DjangoVersion came from: "installed" (asked
	// the project's Python), a file name relative to Dir ("requirements.txt",
	// "requirements/base.txt", "pyproject.toml", "Pipfile") or "unknown".
	VersionSource string
	// StoragesSource is the same for StoragesVersion.
	StoragesSource string
	Venv           string // path of the project's virtualenv, or ""
	Python         string // interpreter that answered, or ""
	// Tried are the interpreters asked before one could import Django
	// (all of them when none could), each with why it was asked.
	Tried []string
	// Notes are things worth telling the user (e.g. installed Django differs
	// from the pinned one).
	Notes []string
}

// ProbeTimeout bounds the Python version probe.
const ProbeTimeout = 5 * time.Second

// VenvDirs are the virtualenv locations looked for inside the project, in
// order of preference (for its Python, and for the set_env.sh hook).
var VenvDirs = []string{"venv", ".venv", "env", "envs"}

var settingsModuleRe = regexp.MustCompile(`DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([A-Za-z_][\w.]*)['"]`)

// Python is the interpreter the user named (--python, or S3WIZARD_PYTHON):
// detection asks it first, before any other; a zero Python names none. It
// travels as a value from the command line to each Detect (app.Options,
// steps.Run); its own type keeps it from being swapped with a directory.
type Python struct {
	Path string // the interpreter; "" names none
	// From says where the user named it, as the interpreters-tried note
	// labels it: "--python" (also when empty) or "S3WIZARD_PYTHON".
	From string
}

// String is py's path, as messages name it.
func (py Python) String() string { return py.Path }

// label is where py was named, for the interpreters-tried note.
func (py Python) label() string {
	if py.From == "" {
		return "--python"
	}
	return py.From
}

// Detect inspects dir as a Django project root, asking py first for the
// installed Django. A detection started by Prefetch for the same dir and
// interpreter is waited for and used instead.
func Detect(dir string, py Python) (*Project, error) {
	dir = orDot(dir)
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("detect django project in %s: %w", dir, err)
	}
	if p, err, ok := takePrefetched(abs, py); ok {
		return p, err
	}
	return detect(abs, py)
}

// detect inspects the absolute dir abs.
func detect(abs string, py Python) (*Project, error) {
	p := &Project{Dir: abs, VersionSource: "unknown", StoragesSource: "unknown"}
	p.ManagePy = filepath.Join(abs, "manage.py")
	var err error
	if p.SettingsModule, p.SettingsFile, err = settingsOf(abs); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no manage.py in %s: run s3wizard from your Django project root or pass --dir", abs)
		}
		return nil, fmt.Errorf("read %s: %w", p.ManagePy, err)
	}

	p.Venv = findVenv(abs)
	p.useInstalled(cachedProbe(abs, p.Venv, py))
	p.usePins(readPins(abs))
	return p, nil
}

// findVenv is the first of VenvDirs under abs that has a python, or "".
func findVenv(abs string) string {
	for _, v := range VenvDirs {
		py := filepath.Join(abs, v, "bin", "python")
		if isExecutable(py) {
			return filepath.Join(abs, v)
		}
	}
	return ""
}

// useInstalled takes the versions of Django and django-storages that the
// project's Python has installed (in), with the interpreter that has them.
func (p *Project) useInstalled(in installed) {
	p.Tried = in.Tried
	if in.Django == "" {
		p.Notes = append(p.Notes, NoDjangoNote(in.Tried))
	}
	if in.Django != "" || in.Storages != "" {
		p.Python = in.Python
		if in.Django != "" {
			p.DjangoVersion, p.VersionSource = in.Django, "installed"
		}
		if in.Storages != "" {
			p.StoragesVersion, p.StoragesSource = in.Storages, "installed"
		}
	}
}

// usePins takes the pinned versions where none is installed, and notes an
// installed Django that differs from its pin.
func (p *Project) usePins(pinned pins) {
	if p.DjangoVersion == "" && pinned.django != "" {
		p.DjangoVersion, p.VersionSource = pinned.django, pinned.djangoSrc
	} else if p.DjangoVersion != "" && pinned.django != "" && majorMinor(p.DjangoVersion) != majorMinor(pinned.django) {
		p.Notes = append(p.Notes, fmt.Sprintf("installed Django %s (%s) differs from %s in %s: settings follow the installed one",
			p.DjangoVersion, p.Python, pinned.django, pinned.djangoSrc))
	}
	if p.StoragesVersion == "" && pinned.storages != "" {
		p.StoragesVersion, p.StoragesSource = pinned.storages, pinned.storagesSrc
	}
}

// settingsOf reads dir's manage.py for the settings module it names and
// that module's file ("" each when not found); err is manage.py's read's.
func settingsOf(dir string) (module, file string, err error) {
	manage, err := os.ReadFile(filepath.Join(dir, "manage.py"))
	if err != nil {
		return "", "", err
	}
	if m := settingsModuleRe.FindSubmatch(manage); m != nil {
		module = string(m[1])
		file = findSettingsFile(dir, module)
	}
	return module, file, nil
}

// findSettingsFile maps a dotted module to a file under dir: mod.py, or a
// package's __init__.py; for a package whose __init__.py only imports (or is
// empty) base.py is preferred when present.
func findSettingsFile(dir, module string) string {
	rel := filepath.Join(strings.Split(module, ".")...)
	if f := filepath.Join(dir, rel+".py"); isFile(f) {
		return f
	}
	pkg := filepath.Join(dir, rel)
	init := filepath.Join(pkg, "__init__.py")
	base := filepath.Join(pkg, "base.py")
	if isFile(init) {
		if isFile(base) && !hasAssignments(init) {
			return base
		}
		return init
	}
	if isFile(base) {
		return base
	}
	return ""
}

var assignRe = regexp.MustCompile(`(?m)^[A-Z_][A-Z0-9_]*\s*=`)

func hasAssignments(path string) bool {
	b, err := os.ReadFile(path)
	return err == nil && assignRe.Match(b)
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// probeScript prints the installed versions as JSON, with the directories
// on sys.path (they key the cache); each import may fail on its own.
const probeScript = `import json, os, sys
r = {"paths": [p for p in sys.path if p and os.path.isdir(p)]}
try:
    import django
    r["django"] = django.__version__
except Exception:
    pass
try:
    import importlib.metadata as md
    r["storages"] = md.version("django-storages")
except Exception:
    try:
        import storages
        r["storages"] = storages.__version__
    except Exception:
        pass
print(json.dumps(r))
`

// candidate is one interpreter to ask, and why it is asked.
type candidate struct{ path, from string }

// pythonCandidates lists the interpreters to ask, in order: py (--python or S3WIZARD_PYTHON), the
// active virtualenv (VIRTUAL_ENV), the project's own (venv, .venv — uv's
// too — env, envs), Poetry's and pipenv's for the project when their tool
// is installed, then python3 on PATH. Each at most once.
func pythonCandidates(abs, venv string, py Python) []candidate {
	var c []candidate
	add := func(path, from string) {
		if path == "" || slices.ContainsFunc(c, func(x candidate) bool { return x.path == path }) {
			return
		}
		c = append(c, candidate{path, from})
	}
	add(py.Path, py.label())
	if v := os.Getenv("VIRTUAL_ENV"); v != "" {
		add(filepath.Join(v, "bin", "python"), "VIRTUAL_ENV")
	}
	if venv != "" {
		add(filepath.Join(venv, "bin", "python"), "the project's "+filepath.Base(venv)+"/")
	}
	if abs != "" {
		if pyproject, err := os.ReadFile(filepath.Join(abs, "pyproject.toml")); err == nil && bytes.Contains(pyproject, []byte("[tool.poetry")) {
			if env := toolEnv(abs, "poetry", "env", "info", "--path"); env != "" {
				add(filepath.Join(env, "bin", "python"), "Poetry's environment")
			}
		}
		if isFile(filepath.Join(abs, "Pipfile")) {
			if env := toolEnv(abs, "pipenv", "--venv"); env != "" {
				add(filepath.Join(env, "bin", "python"), "pipenv's environment")
			}
		}
	}
	if py, err := exec.LookPath("python3"); err == nil {
		add(py, "python3 on PATH")
	}
	return c
}

// NoDjangoNote says that no interpreter could import Django, which ones
// were tried, and how to point the wizard at the right one.
func NoDjangoNote(tried []string) string {
	t := "none found"
	if len(tried) > 0 {
		t = strings.Join(tried, "; ")
	}
	return "no Python here can import Django (tried: " + t + "): pass --python PATH (the interpreter of the app's virtualenv), or activate that virtualenv (VIRTUAL_ENV) and run s3wizard again"
}

// toolEnv asks a project tool (poetry, pipenv) where the project's
// environment is; "" when the tool is missing or has none.
func toolEnv(dir, tool string, args ...string) string {
	if _, err := exec.LookPath(tool); err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), ProbeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	p := strings.TrimSpace(string(out))
	if !filepath.IsAbs(p) || !isDir(p) {
		return ""
	}
	return p
}

// probeInstalledDirs asks each candidate Python (pythonCandidates) in dir for its Django and
// django-storages versions; the first that has Django wins. It also returns
// the sys.path directories of every interpreter that answered, and says
// what each interpreter asked answered.
func probeInstalledDirs(dir string, cands []candidate) (res installed, dirs []string) {
	for _, py := range cands {
		v, err := probeVersions(py.path, dir)
		if err != nil {
			res.Tried = append(res.Tried, fmt.Sprintf("%s (%s): does not run", py.path, py.from))
			continue
		}
		dirs = append(dirs, v.Paths...)
		if v.Django != "" {
			return installed{Django: v.Django, Storages: v.Storages, Python: py.path, Tried: res.Tried}, dirs
		}
		res.Tried = append(res.Tried, fmt.Sprintf("%s (%s): no Django", py.path, py.from))
		if res.Storages == "" && v.Storages != "" {
			res.Storages, res.Python = v.Storages, py.path
		}
	}
	return res, dirs
}

// ProbeVersions runs python (exec with arguments, no shell, ProbeTimeout)
// in dir and returns the Django and django-storages versions it can import;
// "" for a missing package.
func ProbeVersions(python, dir string) (django, storages string, err error) {
	v, err := probeVersions(python, dir)
	return v.Django, v.Storages, err
}

type probed struct {
	Django, Storages string
	Paths            []string
}

func probeVersions(python, dir string) (probed, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ProbeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", probeScript)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return probed{}, fmt.Errorf("probe versions with %s: %w", python, err)
	}
	var r probed
	line := strings.TrimSpace(out.String())
	if i := strings.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		return probed{}, fmt.Errorf("probe versions with %s: unexpected output %q", python, line)
	}
	r.Django, r.Storages = cleanVersion(r.Django), cleanVersion(r.Storages)
	return r, nil
}

var versionRe = regexp.MustCompile(`^\d+(\.\d+)*([a-z]+\d*)?$`)

func cleanVersion(v string) string {
	v = strings.TrimSpace(v)
	if !versionRe.MatchString(v) {
		return ""
	}
	return v
}

type pins struct {
	django, djangoSrc     string
	storages, storagesSrc string
}

// readPins looks for Django and django-storages pins in requirements*.txt,
// requirements/*.txt, pyproject.toml and Pipfile (in that order).
func readPins(dir string) pins {
	var files []string
	for _, pat := range []string{"requirements*.txt", filepath.Join("requirements", "*.txt")} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		sort.Slice(m, func(i, j int) bool {
			return reqRank(m[i]) < reqRank(m[j]) || (reqRank(m[i]) == reqRank(m[j]) && m[i] < m[j])
		})
		files = append(files, m...)
	}
	files = append(files, filepath.Join(dir, "pyproject.toml"), filepath.Join(dir, "Pipfile"))
	var r pins
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		rel, _ := filepath.Rel(dir, f)
		rel = filepath.ToSlash(rel)
		if r.django == "" {
			if v := pinnedVersion(b, "django"); v != "" {
				r.django, r.djangoSrc = v, rel
			}
		}
		if r.storages == "" {
			if v := pinnedVersion(b, "django-storages"); v != "" {
				r.storages, r.storagesSrc = v, rel
			}
		}
	}
	return r
}

// reqRank puts the main requirements file first (requirements.txt,
// requirements/base.txt, requirements/prod*.txt) and dev/test files last.
func reqRank(path string) int {
	b := strings.ToLower(filepath.Base(path))
	switch {
	case b == "requirements.txt" || b == "base.txt" || b == "common.txt":
		return 0
	case strings.Contains(b, "prod"):
		return 1
	case strings.Contains(b, "dev") || strings.Contains(b, "test") || strings.Contains(b, "local"):
		return 3
	}
	return 2
}

// pinnedVersion finds pkg's version constraint in a requirements file,
// pyproject.toml (PEP 621 or Poetry) or Pipfile and returns the version it
// pins or starts from ("" for none or "*").
func pinnedVersion(src []byte, pkg string) string {
	name := strings.ReplaceAll(regexp.QuoteMeta(pkg), "-", "[-_.]")
	res := []*regexp.Regexp{
		// requirements.txt and PEP 621 list entries: Django==4.2.7, "django>=5.0,<5.1", django-storages[s3]~=1.14
		regexp.MustCompile(`(?im)^[\s"']*` + name + `\s*(?:\[[^\]]*\])?\s*((?:===|==|~=|>=|<=|!=|<|>)\s*[^;#"'\s]+(?:\s*,\s*(?:===|==|~=|>=|<=|!=|<|>)\s*[^,;#"'\s]+)*)`),
		// Poetry / Pipfile: django = "^4.2", Django = {version = "==4.2", extras = [...]}
		regexp.MustCompile(`(?im)^\s*["']?` + name + `["']?\s*=\s*(?:\{[^}\n]*?version\s*=\s*)?["']([^"']+)["']`),
		// a PEP 621 list on one line: dependencies = ["Django>=4.2,<5", ...]
		regexp.MustCompile(`(?i)["']` + name + `\s*(?:\[[^\]]*\])?\s*((?:===|==|~=|>=|<=|!=|<|>)[^"']+)["']`),
	}
	for _, re := range res {
		for _, m := range re.FindAllSubmatch(src, -1) {
			if v := specVersion(string(m[1])); v != "" {
				return v
			}
		}
	}
	return ""
}

var specRe = regexp.MustCompile(`^(===|==|~=|>=|<=|!=|<|>|\^|~|=)?\s*v?(\d+(?:\.\d+)*)`)

// specVersion returns the version a constraint pins or starts from:
// "==4.2.7" → 4.2.7, ">=5.0,<5.1" → 5.0, "^4.2" → 4.2, "<5" → "".
func specVersion(spec string) string {
	for _, part := range strings.Split(spec, ",") {
		m := specRe.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			continue
		}
		switch m[1] {
		case "<", "<=", "!=":
			continue
		}
		return m[2]
	}
	return ""
}
