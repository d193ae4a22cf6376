package djangoapp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Asking the project's Python which Django it has costs a subprocess, about
// 1.5 s behind pyenv shims. Two things keep that off the user's clock:
//
//   - Prefetch starts detection when a run starts, so it overlaps the AWS
//     work; the Detect that needs it later takes the result (once).
//   - The interpreters' answers are cached per project on disk, keyed on
//     what decides them: the interpreters (path, target, size, mtime), the
//     variables that pick one (PATH, VIRTUAL_ENV, PYENV_VERSION), pyenv's
//     version files and the requirements files; and they stay valid only
//     while every directory on the interpreters' sys.path keeps its mtime —
//     a pip or apt install or uninstall changes a site directory's entries,
//     and so its mtime.

var prefetched sync.Map // prefetchKey → *detection

// prefetchKey is what a prefetched detection answers for: a project and the
// interpreter named to ask first.
type prefetchKey struct {
	abs string
	py  Python
}

type detection struct {
	done chan struct{}
	p    *Project
	err  error
}

// Prefetch starts detecting the Django project in dir, asking py first, in
// the background. The next Detect of the same dir and interpreter waits for
// that result instead of doing the work again; later ones detect afresh
// (with the disk cache).
func Prefetch(dir string, py Python) {
	abs, err := filepath.Abs(orDot(dir))
	if err != nil {
		return
	}
	d := &detection{done: make(chan struct{})}
	if _, loaded := prefetched.LoadOrStore(prefetchKey{abs, py}, d); loaded {
		return
	}
	go func() {
		defer close(d.done)
		d.p, d.err = detect(abs, py)
	}()
}

// takePrefetched returns a prefetched detection of abs with py, waiting for
// it, and forgets it; ok is false when none was started.
func takePrefetched(abs string, py Python) (p *Project, err error, ok bool) {
	v, found := prefetched.LoadAndDelete(prefetchKey{abs, py})
	if !found {
		return nil, nil, false
	}
	d := v.(*detection)
	<-d.done
	return d.p, d.err, true
}

func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// installed is what the interpreters answered (see probeInstalled).
type installed struct {
	Django   string   `json:"django"`
	Storages string   `json:"storages"`
	Python   string   `json:"python"`
	Tried    []string `json:"tried,omitempty"`
}

type cacheEntry struct {
	Key    string           `json:"key"`
	Dirs   map[string]int64 `json:"dirs"` // sys.path directory → mtime (ns)
	Result installed        `json:"result"`
}

// cachedProbe returns probeInstalled's answer for the project in abs,
// from the disk cache when it is still valid.
func cachedProbe(abs, venv string, py Python) installed {
	// The candidates are listed once: listing them may ask Poetry or
	// pipenv (a subprocess each).
	cands := pythonCandidates(abs, venv, py)
	key := probeKey(abs, venv, py, cands)
	path := cachePath(abs)
	if path != "" {
		if b, err := os.ReadFile(path); err == nil {
			var e cacheEntry
			if json.Unmarshal(b, &e) == nil && e.Key == key && dirsUnchanged(e.Dirs) {
				return e.Result
			}
		}
	}
	res, dirs := probeInstalledDirs(abs, cands)
	if path != "" && len(dirs) > 0 {
		e := cacheEntry{Key: key, Dirs: map[string]int64{}, Result: res}
		for _, d := range dirs {
			if st, err := os.Stat(d); err == nil {
				e.Dirs[d] = st.ModTime().UnixNano()
			}
		}
		if b, err := json.Marshal(e); err == nil {
			writeCache(path, b)
		}
	}
	return res
}

// cachePath is the cache file of the project in abs, under the user's cache
// directory ("" when there is none).
func cachePath(abs string) string {
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(base, "s3wizard", "django-"+hex.EncodeToString(sum[:8])+".json")
}

// writeCache writes atomically; a cache that cannot be written is no error.
func writeCache(path string, b []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".django-*.tmp")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
		_ = os.Remove(tmp.Name())
	}
}

func dirsUnchanged(dirs map[string]int64) bool {
	if len(dirs) == 0 {
		return false
	}
	for d, mtime := range dirs {
		st, err := os.Stat(d)
		if err != nil || st.ModTime().UnixNano() != mtime {
			return false
		}
	}
	return true
}

// probeKey digests everything that decides which interpreters answer and
// what the project asks for, the interpreter named first (py) included;
// cands are pythonCandidates(abs, venv, py).
func probeKey(abs, venv string, py Python, cands []candidate) string {
	h := sha256.New()
	line := func(parts ...string) { h.Write([]byte(strings.Join(parts, "\x00") + "\n")) }
	line("v3", abs, venv, py.Path, py.label()) // the label is in the cached notes
	for _, k := range []string{"PATH", "VIRTUAL_ENV", "PYENV_VERSION", "PYENV_ROOT"} {
		line("env", k, os.Getenv(k))
	}
	for _, c := range cands {
		line("python", c.path, fileStamp(c.path))
		if target, err := filepath.EvalSymlinks(c.path); err == nil {
			line("target", target, fileStamp(target))
		}
	}
	var files []string
	for _, pat := range []string{"requirements*.txt", filepath.Join("requirements", "*.txt"), "pyproject.toml", "Pipfile", "Pipfile.lock", "poetry.lock", filepath.Join("*", "pyvenv.cfg")} {
		m, _ := filepath.Glob(filepath.Join(abs, pat))
		files = append(files, m...)
	}
	// pyenv picks its version from .python-version here or above, or its
	// global version file.
	for d := abs; ; d = filepath.Dir(d) {
		files = append(files, filepath.Join(d, ".python-version"))
		if filepath.Dir(d) == d {
			break
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		files = append(files, filepath.Join(home, ".pyenv", "version"))
	}
	sort.Strings(files)
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			sum := sha256.Sum256(b)
			line("file", f, hex.EncodeToString(sum[:]))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fileStamp(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "missing"
	}
	return st.ModTime().UTC().String() + "/" + st.Mode().String() + "/" + strconv.FormatInt(st.Size(), 10)
}
