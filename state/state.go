// Package state is the wizard's progress file, .s3wizard/<env>.json: the
// answers, each step's state and the names of what was created. It never holds
// a secret. Writes are atomic and a lock keeps two runs on one env apart.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/envfile"
)

// SchemaVersion is the progress file's format. Bump it with a migration in
// migrate; a file from a newer wizard is refused, never overwritten.
//
// Schema 2 records ownership per named resource (Ownership), not as
// per-env flags in resources (schema 1, migrated by migrateV1).
const SchemaVersion = 2

// Dir is the folder, under the project, that holds progress and generated files.
const Dir = ".s3wizard"

// Step statuses.
const (
	Pending = "pending"
	Done    = "done"
	Failed  = "failed"
	Skipped = "skipped"
	// Interrupted: the user stopped the run (ctrl+c) during the step; the
	// next run finishes it.
	Interrupted = "interrupted"
)

// StepState is one step's recorded outcome.
type StepState struct {
	Status string    `json:"status"`
	At     time.Time `json:"at,omitzero"`
	Error  string    `json:"error,omitempty"`
	// Notes are what the step told the user (departures from the guide,
	// warnings), kept for the hand-off document.
	Notes []string `json:"notes,omitempty"`
}

// AccessKey is an IAM access key the wizard created. Only its ID: the secret
// lives in the env file alone.
type AccessKey struct {
	ID       string    `json:"id"`
	User     string    `json:"user"`
	Created  time.Time `json:"created"`
	Status   string    `json:"status"`             // Active | Inactive | Deleted
	Deployed []string  `json:"deployed,omitempty"` // "env_file", "heroku"
}

// KeyCreation records the keys a user had just before the wizard asked for
// a new one. A key of that user that is in none of them, not in the env file
// and not recorded here was created by a run that died before saving its
// secret: an orphan. Comparing key IDs, not clocks, keeps a skewed laptop
// clock from misjudging it.
type KeyCreation struct {
	User string `json:"user"`
	// At is AWS's time (the Date of its answer), not the local clock.
	At       time.Time `json:"at"`
	Existing []string  `json:"existing_key_ids"`
	// Replaces is the key a rotation replaces ("" when apply creates one).
	Replaces string `json:"replaces,omitempty"`
}

// Rotation is a key rotation in progress: the new key is in the env file,
// the old one is still active.
type Rotation struct {
	Old string `json:"old_key_id"`
	New string `json:"new_key_id"`
	// HandedOff: the user was told to deploy the new key by hand and to
	// run rotate-keys again once done; running it again means it is.
	HandedOff bool `json:"handed_off,omitempty"`
}

// Progress is the content of .s3wizard/<env>.json. Its fields are private:
// steps of one run read and write it concurrently, so every access goes
// through a method that holds its mutex, and Update changes several fields
// at once and saves them.
type Progress struct {
	mu   sync.Mutex
	d    *fileData
	path string
	lock *os.File
}

// fileData is the progress file's format (schema 2): its JSON is the file.
type fileData struct {
	Schema    int                   `json:"schema"`
	Env       string                `json:"env"`
	Account   string                `json:"account,omitempty"`
	Caller    string                `json:"caller,omitempty"`
	Answers   *config.Answers       `json:"answers,omitempty"`
	Steps     map[string]*StepState `json:"steps"`
	Resources map[string]string     `json:"resources,omitempty"`
	// Owned records, per named resource, whether the wizard made it.
	Owned []Ownership `json:"owned,omitempty"`
	Keys  []AccessKey `json:"access_keys,omitempty"`
	// KeyCreation is set just before CreateAccessKey and cleared once the
	// new key is safely in the env file (or the creation failed).
	KeyCreation *KeyCreation `json:"key_creation,omitempty"`
	// Rotation is an access-key rotation whose new key is in the env file
	// but whose old key is still active (not yet deployed everywhere).
	Rotation *Rotation `json:"rotation,omitempty"`
	Manual   []string  `json:"manual_steps,omitempty"`
	Updated  time.Time `json:"updated,omitzero"`
}

// New is an empty progress of env, not backed by a file (tests, offline
// front ends); Open and Read load a real one.
func New(env string) *Progress {
	return &Progress{d: &fileData{Schema: SchemaVersion, Env: env, Steps: map[string]*StepState{}}}
}

// MarshalJSON is the progress file's content.
func (p *Progress) MarshalJSON() ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return json.Marshal(p.d)
}

// Path returns the progress file of env under project dir.
func Path(dir, env string) string { return filepath.Join(dir, Dir, env+".json") }

// ErrLocked means another run holds the env's lock.
var ErrLocked = errors.New("progress is locked")

// errBusy is tryLock's answer when another process holds the lock (flock on
// Unix, LockFileEx on Windows: lock_*.go).
var errBusy = errors.New("lock held by another process")

// Open loads (or starts) the progress of env and takes its lock. Close
// releases it. A corrupt file or one written by a newer wizard is an error
// that says what to do; it is never overwritten.
func Open(dir, env string) (*Progress, error) {
	// Refused before the lock file exists: a refused run leaves nothing.
	if err := CheckFiles(dir, env); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, Dir), 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", filepath.Join(dir, Dir), err)
	}
	lf, err := os.OpenFile(filepath.Join(dir, Dir, env+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	if err := tryLock(lf); err != nil {
		lf.Close()
		if errors.Is(err, errBusy) {
			return nil, fmt.Errorf("%w: another s3wizard is working on env %q in %s; wait for it to finish", ErrLocked, env, dir)
		}
		return nil, fmt.Errorf("lock %s: %w", lf.Name(), err)
	}
	// A run killed while saving left a temporary copy: ours to remove now
	// that we hold the lock.
	if _, err := envfile.SweepTemps(Path(dir, env)); err != nil {
		lf.Close()
		return nil, err
	}
	p, err := Read(dir, env)
	if err != nil {
		lf.Close()
		return nil, err
	}
	p.lock = lf
	return p, nil
}

// CheckFiles refuses, before anything is created, a progress folder that
// is a link out of the project and a progress file that is not a regular
// file the wizard may replace (a link, a named pipe, a read-only file).
func CheckFiles(dir, env string) error {
	if err := envfile.InsideProject(dir, Path(dir, env)); err != nil {
		return fmt.Errorf("progress folder: %w", err)
	}
	if err := envfile.CheckWritable(Path(dir, env)); err != nil {
		return fmt.Errorf("progress file: %w", err)
	}
	return nil
}

// Read loads the progress of env without locking it (status, docs, check).
// A missing file yields an empty progress.
func Read(dir, env string) (*Progress, error) {
	path := Path(dir, env)
	p := New(env)
	p.path = path
	data, err := envfile.ReadRegular(path)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read progress: %w", err)
	}
	var probe struct {
		Schema int `json:"schema"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("progress file %s is corrupt (%v): fix it by hand or move it aside to start over; it was left untouched", path, err)
	}
	if probe.Schema > SchemaVersion {
		return nil, fmt.Errorf("progress file %s was written by a newer s3wizard (schema %d, this one reads %d): upgrade s3wizard; the file was left untouched", path, probe.Schema, SchemaVersion)
	}
	if probe.Schema < 1 {
		return nil, fmt.Errorf("progress file %s has no schema version: it is not an s3wizard progress file; move it aside", path)
	}
	if err := json.Unmarshal(data, p.d); err != nil {
		return nil, fmt.Errorf("progress file %s is corrupt (%v): fix it by hand or move it aside to start over; it was left untouched", path, err)
	}
	if p.d.Steps == nil {
		p.d.Steps = map[string]*StepState{}
	}
	if probe.Schema == 1 {
		p.d.migrateV1()
	}
	if p.d.Answers != nil && p.d.Answers.Set == nil {
		p.d.Answers.Set = map[string]bool{}
	}
	return p, nil
}

// Exists reports whether env has saved progress in dir.
func Exists(dir, env string) bool {
	_, err := os.Stat(Path(dir, env))
	return err == nil
}

// Envs lists the envs with saved progress in dir.
func Envs(dir string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, Dir, "*.json"))
	var out []string
	for _, f := range m {
		out = append(out, filepath.Base(f[:len(f)-len(".json")]))
	}
	sort.Strings(out)
	return out
}

// Others yields, in Envs' order, the saved progress of every other env of
// the project in dir than env (read-only, as Read); an env whose progress
// cannot be read is passed over.
func Others(dir, env string) iter.Seq2[string, *Progress] {
	return func(yield func(string, *Progress) bool) {
		for _, e := range Envs(dir) {
			if e == env {
				continue
			}
			p, err := Read(dir, e)
			if err != nil {
				continue
			}
			if !yield(e, p) {
				return
			}
		}
	}
}

// Locked reports whether this progress holds the env's lock; only a locked
// progress may be saved (read-only commands never write it).
func (p *Progress) Locked() bool { return p.lock != nil }

// Close releases the lock.
func (p *Progress) Close() error {
	if p.lock == nil {
		return nil
	}
	err := p.lock.Close()
	p.lock = nil
	return err
}

// Save writes the progress atomically (temp file, fsync, rename).
func (p *Progress) Save() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.saveLocked()
}

func (p *Progress) saveLocked() error {
	if p.lock == nil {
		// Read-only commands (status, check, docs) must never race a run
		// that holds the lock.
		return fmt.Errorf("save progress of env %q: not opened for writing (internal error)", p.d.Env)
	}
	p.d.Schema = SchemaVersion
	p.d.Updated = time.Now().UTC().Truncate(time.Second)
	data, err := json.MarshalIndent(p.d, "", "  ")
	if err != nil {
		return fmt.Errorf("encode progress: %w", err)
	}
	data = append(data, '\n')
	return envfile.WriteFileAtomic(p.path, data, 0o600)
}

// Update runs fn under the progress lock and saves the result. fn gets a
// view of the same progress whose methods do not wait for that lock (so it
// may read and change several things at once); the view cannot be saved.
func (p *Progress) Update(fn func(p *Progress)) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn(&Progress{d: p.d})
	return p.saveLocked()
}

// Step returns the state of step id (pending when never run).
func (p *Progress) Step(id string) StepState {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.d.Steps[id]; ok {
		return *s
	}
	return StepState{Status: Pending}
}

// SetStep records a step's outcome and saves.
func (p *Progress) SetStep(id, status string, stepErr error, notes []string) error {
	return p.Update(func(p *Progress) {
		s := &StepState{Status: status, At: time.Now().UTC().Truncate(time.Second), Notes: notes}
		if stepErr != nil {
			s.Error = stepErr.Error()
		}
		p.d.Steps[id] = s
	})
}

// Resource returns a recorded resource name or ARN.
func (p *Progress) Resource(k string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.d.Resources[k]
}

// SetResource records a resource (not saved until the next Save/Update).
func (p *Progress) SetResource(k, v string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.d.Resources == nil {
		p.d.Resources = map[string]string{}
	}
	p.d.Resources[k] = v
}

// Key returns the recorded access key with that ID, or nil.
func (p *Progress) Key(id string) *AccessKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.d.Keys {
		if p.d.Keys[i].ID == id {
			k := p.d.Keys[i]
			k.Deployed = slices.Clone(k.Deployed)
			return &k
		}
	}
	return nil
}

// PutKey adds or replaces a recorded access key (not saved).
func (p *Progress) PutKey(k AccessKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.d.Keys {
		if p.d.Keys[i].ID == k.ID {
			p.d.Keys[i] = k
			return
		}
	}
	p.d.Keys = append(p.d.Keys, k)
}

// AddManual records a manual step for the hand-off document, once.
func (p *Progress) AddManual(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.Contains(p.d.Manual, s) {
		p.d.Manual = append(p.d.Manual, s)
	}
}

// LockEnvFiles takes the project's env-file lock, waiting for another run
// (of another env) to release it, and returns its release. Every env of a
// project may write env files, and the claim of one (reading who uses it,
// then recording it as this env's) must not interleave with another env's,
// nor with a write: two envs could both take the default .env and one
// overwrite the other's secret.
func LockEnvFiles(dir string) (release func(), err error) {
	if err := envfile.InsideProject(dir, filepath.Join(dir, Dir, "env-files.lock")); err != nil {
		return nil, fmt.Errorf("progress folder: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, Dir), 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", filepath.Join(dir, Dir), err)
	}
	lf, err := os.OpenFile(filepath.Join(dir, Dir, "env-files.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open env-file lock: %w", err)
	}
	if err := waitLock(lf); err != nil {
		lf.Close()
		return nil, fmt.Errorf("lock env files: %w", err)
	}
	return func() { lf.Close() }, nil
}

// WithEnvFiles runs fn (an env-file write) under the project's env-file
// lock (LockEnvFiles).
func WithEnvFiles(dir string, fn func() error) error {
	release, err := LockEnvFiles(dir)
	if err != nil {
		return err
	}
	defer release()
	return fn()
}

// SaveResource records a resource (v == "" forgets it) and saves at once:
// for facts that must survive a crash right after the next AWS call.
func (p *Progress) SaveResource(k, v string) error {
	return p.Update(func(p *Progress) {
		if v == "" {
			p.DeleteResource(k)
			return
		}
		p.SetResource(k, v)
	})
}

// Env is the env this progress belongs to.
func (p *Progress) Env() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.d.Env
}

// Account is the AWS account recorded by preflight.
func (p *Progress) Account() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.d.Account
}

// BoundAccount is the recorded account once the env holds something there
// (a finished step, a recorded resource, an ownership record, an access key
// or one being created), "" before: until then the account is only the one
// last seen, and a run from another account (a profile corrected after a
// "no" at the confirmation, a failed adopt) may take the env.
func (p *Progress) BoundAccount() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.d
	held := len(d.Resources) > 0 || len(d.Owned) > 0 || len(d.Keys) > 0 || d.KeyCreation != nil
	for _, s := range d.Steps {
		held = held || s.Status == Done
	}
	if !held {
		return ""
	}
	return d.Account
}

// Caller is the ARN of the identity that ran preflight.
func (p *Progress) Caller() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.d.Caller
}

// SetIdentity records the AWS account and caller ARN (not saved).
func (p *Progress) SetIdentity(account, caller string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.d.Account, p.d.Caller = account, caller
}

// Answers are a copy of the recorded answers (nil before the first save of
// a run): changing it records nothing, and no reader races a writer
// (SetAnswers records).
func (p *Progress) Answers() *config.Answers {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.d.Answers.Clone()
}

// SetAnswers records the answers (not saved).
func (p *Progress) SetAnswers(a *config.Answers) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.d.Answers = a
}

// Steps are the recorded states of the steps, by step ID (a copy).
func (p *Progress) Steps() map[string]StepState {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]StepState, len(p.d.Steps))
	for id, s := range p.d.Steps {
		out[id] = *s
	}
	return out
}

// PutStep records a step's state as it is (not saved; SetStep records an
// outcome now and saves).
func (p *Progress) PutStep(id string, s StepState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.d.Steps[id] = &s
}

// ClearSteps forgets every step's state (not saved): a run that starts over.
func (p *Progress) ClearSteps() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.d.Steps = map[string]*StepState{}
}

// ResetSteps marks every recorded step pending again (not saved).
func (p *Progress) ResetSteps() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id := range p.d.Steps {
		p.d.Steps[id] = &StepState{Status: Pending}
	}
}

// Resources are the recorded resource names and markers (a copy).
func (p *Progress) Resources() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.d.Resources)
}

// DeleteResource forgets a resource (not saved).
func (p *Progress) DeleteResource(k string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.d.Resources, k)
}

// Keys are the recorded access keys (a copy).
func (p *Progress) Keys() []AccessKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(p.d.Keys)
	for i := range out {
		out[i].Deployed = slices.Clone(out[i].Deployed)
	}
	return out
}

// KeyCreation is the open record of a key being created, or nil (a copy).
func (p *Progress) KeyCreation() *KeyCreation {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.d.KeyCreation == nil {
		return nil
	}
	c := *p.d.KeyCreation
	c.Existing = slices.Clone(c.Existing)
	return &c
}

// SetKeyCreation opens (c) or closes (nil) the record of a key being
// created (not saved).
func (p *Progress) SetKeyCreation(c *KeyCreation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.d.KeyCreation = c
}

// Rotation is the key rotation in progress, or nil (a copy).
func (p *Progress) Rotation() *Rotation {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.d.Rotation == nil {
		return nil
	}
	r := *p.d.Rotation
	return &r
}

// SetRotation records (r) or ends (nil) a key rotation (not saved).
func (p *Progress) SetRotation(r *Rotation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.d.Rotation = r
}

// Manual are the recorded manual steps for the hand-off document (a copy).
func (p *Progress) Manual() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.d.Manual)
}

// Updated is when the progress was last saved.
func (p *Progress) Updated() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.d.Updated
}
