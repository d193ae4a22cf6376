package steps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/engine"
)

// layoutStep creates the folder layout of the guide and probes it.
func layoutStep() *Step {
	return &Step{
		ID:    "layout",
		Title: "Organise the bucket",
		Guide: "French guide §4.2",
		Why:   "media/ holds what users upload, split by feature (media/blog/, media/profile/ …); uploads/ holds temporary files that a lifecycle rule expires; static/ holds collectstatic output when static files are on S3.",
		Keys:  []string{"folders", "static_on_s3"},
		Needs: []string{"bucket"},
		Plan: func(ctx context.Context, r *Run) (*Plan, error) {
			a := r.Answers
			p := &Plan{Concurrent: true}
			cl := r.AWS.S3In(a.Region)
			var missing []string
			// One HEAD per folder marker, sent together.
			prefixes := LayoutPrefixes(a.Folders, a.StaticOnS3)
			errs := make([]error, len(prefixes))
			forEach(len(prefixes), func(i int) {
				_, errs[i] = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &a.Bucket, Key: &prefixes[i]})
			})
			for i, k := range prefixes {
				switch err := errs[i]; {
				case err == nil:
				case aws.IsNotFound(err) || r.Offline:
					missing = append(missing, k)
				default:
					return nil, fmt.Errorf("look for folder %s: %w", k, err)
				}
			}
			for _, k := range missing {
				p.Add(&Action{
					Summary: "create folder " + k,
					Calls:   []string{"s3:PutObject"},
					Do: func(ctx context.Context) error {
						_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &a.Bucket, Key: &k, Body: bytes.NewReader(nil)})
						return err
					},
				})
			}
			if len(missing) == 0 {
				p.Notice("every folder already exists")
			}
			return p, nil
		},
		Verify: func(ctx context.Context, r *Run) []Check {
			a := r.Answers
			return []Check{r.Probe(ctx, r.AWS.S3In(a.Region), a.Bucket, "uploads/", CheckLayoutProbe, "put/get/delete probe under uploads/ (wizard's credentials)")}
		},
	}
}

// LayoutPrefixes are the folder markers of the layout: S3 has no folders,
// but the console shows these zero-byte keys as folders, which is what the
// team expects to see.
func LayoutPrefixes(folders []string, static bool) []string {
	out := []string{"media/"}
	for _, f := range folders {
		out = append(out, "media/"+strings.Trim(f, "/")+"/")
	}
	out = append(out, "uploads/")
	if static {
		out = append(out, "static/")
	}
	return out
}

// Probe proves that cl (the app's or the wizard's credentials) can put,
// get and delete under prefix: it writes two small objects, reads the
// first back while it deletes the second, then purges every trace of both
// with the wizard's credentials. Two objects let the read and the delete go
// out together: on AWS each request is a round trip, and a probe is three
// deep instead of four (put, get ∥ delete, purge), proving the same rights.
func (r *Run) Probe(ctx context.Context, cl aws.S3API, bucket, prefix string, id CheckID, name string) Check {
	stamp := time.Now().UnixNano()
	keys := []string{fmt.Sprintf("%s.s3wizard-probe-%d", prefix, stamp), fmt.Sprintf("%s.s3wizard-probe-%d-d", prefix, stamp)}
	body := func(key string) []byte { return []byte("s3wizard probe " + key) }
	// What to purge: the versions written and, once deleted, the marker.
	traces := make([]probeTrace, len(keys))
	defer func() { r.purgeProbes(ctx, bucket, traces...) }()
	errs := make([]error, len(keys))
	forEach(len(keys), func(i int) {
		put, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &keys[i], Body: bytes.NewReader(body(keys[i]))})
		errs[i] = err
		if err == nil {
			traces[i] = probeTrace{key: keys[i], versions: []*string{put.VersionId}}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return Fail(id, name, "put: "+aws.Explain(firstErr(errs)).Error())
	}
	forEach(2, func(i int) {
		if i == 0 {
			out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &keys[0]})
			if err == nil {
				var got []byte
				got, err = io.ReadAll(out.Body)
				out.Body.Close()
				if err == nil && !bytes.Equal(got, body(keys[0])) {
					err = errProbeContent
				}
			}
			errs[0] = err
			return
		}
		del, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &keys[1]})
		if err == nil {
			traces[1].versions = append(traces[1].versions, del.VersionId)
		}
		errs[1] = err
	})
	switch {
	case errors.Is(errs[0], errProbeContent):
		return Fail(id, name, "read back a different content")
	case errs[0] != nil:
		return Fail(id, name, "get: "+aws.Explain(errs[0]).Error())
	case errs[1] != nil:
		return Fail(id, name, "delete: "+aws.Explain(errs[1]).Error())
	}
	return Pass(id, name, "")
}

var errProbeContent = errors.New("read back a different content")

// firstErr is the first error of errs that is not nil.
func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// probeTrace is a probe object's key and the version IDs it is known to
// have made (the object's, its delete marker's).
type probeTrace struct {
	key      string
	versions []*string
}

// purgeProbe removes every version and delete marker of a probe's key with
// the wizard's credentials: in a versioned bucket a plain delete leaves both
// behind, and the app's key rightly cannot delete versions.
//
// versions are the version IDs the probe is known to have made (the
// object's, its delete marker's): when they are all known they are deleted
// at once, without listing; an unknown one (nil, empty or "null": a bucket
// without versioning, or with it suspended) makes it list them.
func (r *Run) purgeProbe(ctx context.Context, bucket, key string, versions ...*string) {
	r.purgeProbes(ctx, bucket, probeTrace{key: key, versions: versions})
}

// PurgeProbeKeys is purgeProbe for probe objects written by others (the
// Django check's), whose versions are not known: they are listed.
func (r *Run) PurgeProbeKeys(ctx context.Context, bucket string, keys ...string) {
	traces := make([]probeTrace, len(keys))
	for i, k := range keys {
		traces[i] = probeTrace{key: k}
	}
	r.purgeProbes(ctx, bucket, traces...)
}

// purgeProbes is purgeProbe for several probe objects: those whose
// versions are all known go in one DeleteObjects; the others are listed.
func (r *Run) purgeProbes(ctx context.Context, bucket string, traces ...probeTrace) {
	ctx, cancel := engine.CleanupContext(ctx)
	defer cancel()
	cl := r.AWS.S3In(r.Answers.Region)
	unknown := func(v *string) bool { return sdk.ToString(v) == "" || sdk.ToString(v) == "null" }
	var ids []types.ObjectIdentifier
	var list []string
	for _, t := range traces {
		switch {
		case t.key == "":
		case len(t.versions) == 0 || slices.ContainsFunc(t.versions, unknown):
			list = append(list, t.key)
		default:
			for _, v := range t.versions {
				ids = append(ids, types.ObjectIdentifier{Key: sdk.String(t.key), VersionId: v})
			}
		}
	}
	if len(ids) > 0 {
		out, err := cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: ids, Quiet: sdk.Bool(true)}})
		if err != nil || len(out.Errors) > 0 {
			// Listed instead, so that what the call left is found.
			for _, t := range traces {
				if t.key != "" && !slices.Contains(list, t.key) {
					list = append(list, t.key)
				}
			}
		}
	}
	forEach(len(list), func(i int) { purgeListed(ctx, cl, bucket, list[i]) })
}

// purgeListed lists the versions and delete markers of key and deletes them.
func purgeListed(ctx context.Context, cl aws.S3API, bucket, key string) {
	out, err := cl.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &key})
	if err != nil {
		return
	}
	var ids []types.ObjectIdentifier
	for _, v := range out.Versions {
		if sdk.ToString(v.Key) == key {
			ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
	}
	for _, m := range out.DeleteMarkers {
		if sdk.ToString(m.Key) == key {
			ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
	}
	if len(ids) > 0 {
		_, _ = cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: ids, Quiet: sdk.Bool(true)}})
	}
}

// probeMark starts the name of every probe object (probe, anonymousProbe,
// the Django check's); legacyDjangoProbeMark, the Django check's before it
// did (its leftovers are swept too).
const (
	probeMark             = ".s3wizard-"
	legacyDjangoProbeMark = "s3wizard-django-probe-"
)

// SweepProbeLeftovers deletes, with the wizard's credentials, the probe
// objects a verification cut short by a crash left behind (and their
// versions): every command that writes probes (apply, check, doctor,
// rotate-keys) calls it before its own, so no crash leaves them for good.
// It returns how many versions it deleted.
func SweepProbeLeftovers(ctx context.Context, r *Run) (int, error) {
	cl := r.AWS.S3In(r.Answers.Region)
	ids, err := probeLeftovers(ctx, r, cl)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return len(ids), sweepProbes(ctx, cl, r.Answers.Bucket, ids)
}

// probePrefixes are where probes are written: the layout's folders and the
// public prefixes.
func probePrefixes(r *Run) []string {
	a := r.Answers
	seen := map[string]bool{}
	var out []string
	for _, p := range append(LayoutPrefixes(nil, a.StaticOnS3), a.PublicPrefixes...) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// probeLeftovers lists the versions and delete markers of probe objects
// left by a run that died during a verification (purgeProbe never ran).
func probeLeftovers(ctx context.Context, r *Run, cl aws.S3API) ([]types.ObjectIdentifier, error) {
	bucket := r.Answers.Bucket
	// One listing per prefix, sent together.
	var prefixes, marks []string
	for _, pfx := range probePrefixes(r) {
		for _, m := range []string{probeMark, legacyDjangoProbeMark} {
			prefixes, marks = append(prefixes, pfx), append(marks, m)
		}
	}
	found := make([][]types.ObjectIdentifier, len(prefixes))
	errs := make([]error, len(prefixes))
	forEach(len(prefixes), func(i int) {
		pfx := prefixes[i]
		p := s3.NewListObjectVersionsPaginator(cl, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: sdk.String(pfx + marks[i])})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				errs[i] = err
				return
			}
			for _, v := range page.Versions {
				if isProbeKey(pfx, sdk.ToString(v.Key)) {
					found[i] = append(found[i], types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
				}
			}
			for _, m := range page.DeleteMarkers {
				if isProbeKey(pfx, sdk.ToString(m.Key)) {
					found[i] = append(found[i], types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
				}
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(found...), nil
}

// isProbeKey: a probe's key sits right under its prefix (no deeper folder).
func isProbeKey(prefix, key string) bool {
	rest := strings.TrimPrefix(key, prefix)
	return rest != key && (strings.HasPrefix(rest, probeMark) || strings.HasPrefix(rest, legacyDjangoProbeMark)) && strings.Contains(rest, "probe") && !strings.Contains(rest, "/")
}

// sweepProbes deletes the probe leftovers ids (1000 per request, S3's limit).
func sweepProbes(ctx context.Context, cl aws.S3API, bucket string, ids []types.ObjectIdentifier) error {
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		out, err := cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: ids[:n], Quiet: sdk.Bool(true)}})
		if err != nil {
			return fmt.Errorf("delete probe leftovers: %w", err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("delete probe leftover %s: %s %s", sdk.ToString(e.Key), sdk.ToString(e.Code), sdk.ToString(e.Message))
		}
		ids = ids[n:]
	}
	return nil
}
