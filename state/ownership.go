package state

import (
	"slices"
	"strings"
	"time"

	"github.com/s3wizard/s3wizard/config"
)

// Kinds of the resources whose ownership the progress file records.
const (
	KindBucket          = "bucket" // the media bucket and the log bucket
	KindIAMUser         = "iam_user"
	KindIAMGroup        = "iam_group"
	KindIAMPolicy       = "iam_policy"
	KindRole            = "role"
	KindInstanceProfile = "instance_profile"
	KindSNSTopic        = "sns_topic"
	// KindAlarm is a CloudWatch alarm the wizard made (recorded since
	// issue 21: an env set up before records none).
	KindAlarm = "cloudwatch_alarm"
	// KindDistribution is a CloudFront distribution, named by its
	// CallerReference (known before it is made; its ID is CloudFront's).
	KindDistribution = "cloudfront_distribution"
	// KindOriginAccessControl is a CloudFront origin access control, named
	// by its name (unique in the account).
	KindOriginAccessControl = "cloudfront_oac"
)

// Evidence of an ownership record: how the wizard knows what it says.
const (
	// EvidencePending is the intent saved just before the Create call:
	// the resource may exist, made by this env (a crash or a lost reply).
	EvidencePending = "pending"
	// EvidenceCreated: the Create call answered, the wizard made it.
	EvidenceCreated = "created"
	// EvidenceTagged: found carrying this project's and env's tags
	// (s3wizard:project, s3wizard:env), e.g. after a lost reply or by a
	// teammate's checkout.
	EvidenceTagged = "tagged"
	// EvidenceAdopted: it existed before the wizard; never deleted.
	EvidenceAdopted = "adopted"
)

// Ownership is what the progress file knows about one named resource: who
// made it and how that is known. It is keyed by Kind and Name, so a changed
// answer (another bucket, user or role name) never inherits the ownership
// of the resource the old name named.
type Ownership struct {
	Kind     string    `json:"kind"`
	Name     string    `json:"name"`
	ARN      string    `json:"arn,omitempty"`
	Evidence string    `json:"evidence"`
	At       time.Time `json:"at,omitzero"`
}

// Mine reports whether the evidence says the wizard (this env) made the
// resource: created, tagged as this env's, or a pending intent (the Create
// call may have succeeded just before a crash).
func (o Ownership) Mine() bool {
	return o.Evidence == EvidenceCreated || o.Evidence == EvidencePending || o.Evidence == EvidenceTagged
}

// Ownership returns the record of the resource kind/name (ok false when none).
func (p *Progress) Ownership(kind, name string) (o Ownership, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := p.ownedIndex(kind, name)
	if i < 0 {
		return Ownership{}, false
	}
	return p.d.Owned[i], true
}

// Owns reports whether the record of kind/name says the wizard made it.
func (p *Progress) Owns(kind, name string) bool {
	o, ok := p.Ownership(kind, name)
	return ok && o.Mine()
}

// Ownerships are every ownership record (a copy, ordered by kind and name).
func (p *Progress) Ownerships() []Ownership {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.d.Owned)
}

// PutOwnership adds or replaces the record of o.Kind/o.Name (not saved). An
// empty ARN keeps the one recorded; a zero At is now.
func (p *Progress) PutOwnership(o Ownership) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if o.At.IsZero() {
		o.At = time.Now().UTC().Truncate(time.Second)
	}
	if i := p.ownedIndex(o.Kind, o.Name); i >= 0 {
		if o.ARN == "" {
			o.ARN = p.d.Owned[i].ARN
		}
		p.d.Owned[i] = o
		return
	}
	p.d.Owned = append(p.d.Owned, o)
	slices.SortFunc(p.d.Owned, func(a, b Ownership) int {
		return strings.Compare(a.Kind+"\x00"+a.Name, b.Kind+"\x00"+b.Name)
	})
}

// SaveOwnership records o and saves at once: for an intent that must
// survive a crash right after the next AWS call.
func (p *Progress) SaveOwnership(o Ownership) error {
	return p.Update(func(p *Progress) { p.PutOwnership(o) })
}

// ForgetOwnership drops the record of kind/name (not saved).
func (p *Progress) ForgetOwnership(kind, name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i := p.ownedIndex(kind, name); i >= 0 {
		p.d.Owned = slices.Delete(p.d.Owned, i, i+1)
	}
}

func (p *Progress) ownedIndex(kind, name string) int {
	return slices.IndexFunc(p.d.Owned, func(o Ownership) bool { return o.Kind == kind && o.Name == name })
}

// Schema 1 recorded ownership as per-env flags in resources ("true", or
// "pending" before the Create call), whatever the answer named later.
var v1Markers = []struct{ marker, kind string }{
	{"bucket_created_by_wizard", KindBucket},
	{"log_bucket_created_by_wizard", KindBucket},
	{"iam_user_created_by_wizard", KindIAMUser},
	{"role_created_by_wizard", KindRole},
	{"alarm_topic_created", KindSNSTopic},
}

// migrateV1 turns schema 1's flags into ownership records of the names they
// applied to when they were written: the name the resource's ARN or name
// was recorded under, else the answer saved with them. The role's flag
// covered its instance profile (same name) too.
func (d *fileData) migrateV1() {
	res := d.Resources
	pr := &Progress{d: d}
	for _, m := range v1Markers {
		v := res[m.marker]
		delete(res, m.marker)
		if v != "true" && v != "pending" {
			continue
		}
		name := v1Name(m.marker, res, d.Answers)
		if name == "" {
			continue
		}
		ev := EvidenceCreated
		if v == "pending" {
			ev = EvidencePending
		}
		pr.PutOwnership(Ownership{Kind: m.kind, Name: name, Evidence: ev, At: d.Updated})
		if m.kind == KindRole {
			pr.PutOwnership(Ownership{Kind: KindInstanceProfile, Name: name, Evidence: ev, At: d.Updated})
		}
	}
	// Schema 1 deleted the group and the policy it set up whatever made
	// them: the names it recorded keep that meaning.
	if g := res["iam_group"]; g != "" {
		pr.PutOwnership(Ownership{Kind: KindIAMGroup, Name: g, Evidence: EvidenceCreated, At: d.Updated})
	}
	if arn := res["policy_arn"]; arn != "" {
		pr.PutOwnership(Ownership{Kind: KindIAMPolicy, Name: arn[strings.LastIndex(arn, "/")+1:], ARN: arn, Evidence: EvidenceCreated, At: d.Updated})
	}
}

// v1Name is the name schema 1's flag marker applied to: the name the
// resource's ARN or name was recorded under in res, else the answer a
// (maybe nil) saved with it; "" when neither says.
func v1Name(marker string, res map[string]string, a *config.Answers) string {
	answer := func(f func() string) string {
		if a == nil {
			return ""
		}
		return f()
	}
	switch marker {
	case "bucket_created_by_wizard":
		if name := strings.TrimPrefix(res["bucket_arn"], "arn:aws:s3:::"); name != "" {
			return name
		}
		return answer(func() string { return a.Bucket })
	case "log_bucket_created_by_wizard":
		if name := res["log_bucket"]; name != "" {
			return name
		}
		return answer(func() string { return config.LogBucketName(a.Bucket) })
	case "iam_user_created_by_wizard":
		if arn := res["iam_user_arn"]; arn != "" {
			return arn[strings.LastIndex(arn, "/")+1:]
		}
		return answer(func() string { return a.IAMUser })
	case "role_created_by_wizard":
		if name := res["role"]; name != "" {
			return name
		}
		return answer(func() string { return a.RoleName })
	case "alarm_topic_created":
		// Schema 1's topic was named after the bucket.
		return answer(func() string { return a.Bucket + "-alarms" })
	}
	return ""
}

// OwnedNames are the names of kind that the records say the wizard made
// for this env, in order.
func (p *Progress) OwnedNames(kind string) []string {
	var out []string
	for _, o := range p.Ownerships() {
		if o.Kind == kind && o.Mine() {
			out = append(out, o.Name)
		}
	}
	return out
}
