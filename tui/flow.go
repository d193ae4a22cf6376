package tui

import (
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/steps"
)

// gateKeys decide which steps apply at all (Step.Enabled), so they are asked
// with the first step even when no step lists them among its keys.
var gateKeys = []string{"credentials"}

// followUpKeys are asked after the gate keys, one at a time, before
// anything is planned (the run's clients need them): endpoint once
// credentials is provided, then region, a choice of AWS regions or, with
// credentials: provided, the provider's region typed (offered from the
// endpoint just answered); then the env's AWS profile, which the run's
// clients are built from (not asked with credentials: provided).
var followUpKeys = []string{"endpoint", "region", "aws_profile"}

// followUps is the next follow-up question a needs and nobody answered
// yet (none: empty).
func followUps(a *config.Answers) []config.Question {
	for _, q := range config.QuestionsFor(followUpKeys) {
		if q.Relevant(a) && !a.Set[q.Key] {
			return []config.Question{q}
		}
	}
	return nil
}

// questionsFor returns the questions to ask before step i: its keys that
// nobody answered yet (all of them when review is on, e.g. the prod run
// that carries staging's answers over). Keys asked by an earlier step are
// never asked again.
func questionsFor(list []*steps.Step, i int, a *config.Answers, review bool) []config.Question {
	seen := keysOfEarlierSteps(list, i)
	var ask []string
	for _, k := range stepKeys(list, i) {
		// env is chosen on the start screen: changing it here would mean
		// another progress file. A follow-up not yet answered is asked by
		// followUps, once the gate keys are.
		if seen[k] || k == "env" || (a.Set[k] && !review) || (!review && slices.Contains(followUpKeys, k)) {
			continue
		}
		seen[k] = true
		ask = append(ask, k)
	}
	var qs []config.Question
	for _, q := range config.QuestionsFor(ask) {
		if q.Relevant(a) { // access_logs is not asked with credentials: provided…
			qs = append(qs, q)
		}
	}
	return qs
}

// keysOfEarlierSteps are the keys the steps before list[i] ask (the gate
// keys with the first step's).
func keysOfEarlierSteps(list []*steps.Step, i int) map[string]bool {
	seen := map[string]bool{}
	for _, s := range list[:i] {
		for _, k := range s.Keys {
			seen[k] = true
		}
		if s == list[0] {
			for _, k := range gateKeys {
				seen[k] = true
			}
		}
	}
	return seen
}

// stepKeys are the keys of list[i], in the order asked; the first step
// also asks the gate keys no step lists.
func stepKeys(list []*steps.Step, i int) []string {
	keys := slices.Clone(list[i].Keys)
	if i != 0 {
		return keys
	}
	// The gate keys go before the follow-ups (credentials before
	// region: its kind and rule depend on it).
	at := slices.IndexFunc(keys, func(k string) bool { return slices.Contains(followUpKeys, k) })
	if at < 0 {
		at = len(keys)
	}
	for _, k := range gateKeys {
		if !slices.Contains(keys, k) && !listed(list, k) {
			keys = slices.Insert(keys, at, k)
			at++
		}
	}
	return keys
}

func listed(list []*steps.Step, key string) bool {
	for _, s := range list {
		if slices.Contains(s.Keys, key) {
			return true
		}
	}
	return false
}

// essential steps cannot be skipped: everything after them depends on
// what they create.
var essential = map[string]bool{"preflight": true, "bucket": true, "iam": true, "role": true, "access-key": true}

// skippable reports whether a failed step may be skipped: nothing needs
// it and the app works without it (monitoring, layout), unlike the bucket.
func skippable(list []*steps.Step, s *steps.Step) bool {
	if essential[s.ID] {
		return false
	}
	for _, o := range list {
		if slices.Contains(o.Needs, s.ID) {
			return false
		}
	}
	return true
}

// toProd carries a finished env's answers over to prod: same choices, with
// the names that were derived from (or spelled with) the env switched, and
// a separate env file so prod's secret does not replace staging's.
func toProd(a *config.Answers) *config.Answers {
	from := a.Env
	p := *a
	p.Set = maps.Clone(a.Set)
	p.Folders = slices.Clone(a.Folders)
	p.PublicPrefixes = slices.Clone(a.PublicPrefixes)
	p.Env = "prod"
	for _, k := range config.PerEnvKeys() {
		p.Forget(k) // prod may live in another account: its profile is asked
	}
	for _, k := range config.EnvNamedKeys() {
		if !p.Set[k] {
			continue // re-derived from env=prod by ApplyDefaults
		}
		v := p.Text(k)
		if from != "" && strings.Contains(v, from) {
			if err := p.SetString(k, strings.ReplaceAll(v, from, "prod")); err != nil {
				delete(p.Set, k) // not a valid name once switched: derived and asked again
			}
		}
	}
	if !p.Set["bucket"] {
		p.Bucket = ""
	}
	if !p.Set["iam_user"] {
		p.IAMUser = ""
	}
	if !p.Set["role_name"] {
		p.RoleName = ""
	}
	if p.EnvFile == "" || p.EnvFile == ".env" || strings.Contains(p.EnvFile, from) {
		p.EnvFile, p.Set["env_file"] = prodEnvFile(p.EnvFile, from), true
	}
	p.Set["env"] = true
	return &p
}

// prodEnvFile is prod's env file for env from's (which is the default, or
// names from): its name with from replaced, or with .prod added.
func prodEnvFile(f, from string) string {
	if f == "" {
		f = ".env"
	}
	if from != "" && strings.Contains(f, from) {
		return strings.ReplaceAll(f, from, "prod")
	}
	return filepath.Clean(f + ".prod")
}

var nonName = regexp.MustCompile(`[^a-z0-9-]+`)

// appFromDir suggests an app name from the project folder ("Mon_App" →
// "mon-app").
func appFromDir(dir string) string {
	n := strings.Trim(nonName.ReplaceAllString(strings.ToLower(filepath.Base(dir)), "-"), "-")
	if n == "" || n == "." {
		return ""
	}
	return n
}

// offers are the values the wizard offers from outside the answers: the
// app name from the project folder, the region the AWS configuration names
// (AWS_REGION, the profile's).
type offers struct{ app, region string }

// currentValue is what a question offers: the answer when there is one,
// else the default derived from earlier answers.
func currentValue(q config.Question, a *config.Answers, o offers) string {
	if q.Key == "app" && a.App == "" {
		return o.app
	}
	if q.Key == "region" && !a.Set["region"] && q.Kind == config.KindSelect && slices.Contains(q.Options, o.region) {
		return o.region
	}
	if q.Default != nil {
		return q.Default(a)
	}
	return ""
}
