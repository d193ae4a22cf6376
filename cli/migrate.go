package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/migrate"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// ErrMigrationFailed makes migrate-media exit 1 after listing the files
// that failed.
var ErrMigrationFailed = errors.New("some files were not uploaded")

// migrateOptions are migrate-media's: its flags (--env, --dry-run,
// --media-root and the global ones) and its collaborators.
type migrateOptions struct {
	savedEnvOptions
	DryRun    bool
	mediaRoot string
}

func newMigrateMedia(f *flags, x *factory) *migrateOptions {
	return &migrateOptions{savedEnvOptions: savedEnvFrom(f, x), DryRun: f.DryRun, mediaRoot: f.mediaRoot}
}

// cmdMigrateMedia uploads the project's existing MEDIA_ROOT files under
// media/ with the wizard's (operator's) credentials, into the env's
// recorded bucket and region. Local files are only read.
func cmdMigrateMedia(ctx context.Context, f *migrateOptions) error {
	s := f.IO
	root, source, err := mediaRoot(f)
	if err != nil {
		return err
	}
	sess, err := f.session(ctx, false)
	if err != nil {
		return err
	}
	defer sess.Close()
	a := sess.Run.Answers
	if err := checkMediaRoot(sess.Run, root); err != nil {
		return err
	}
	// The AWS layer refuses every mutating call in a dry run, whatever
	// this command does.
	sess.Run.AWS.DryRun = f.DryRun
	verb := "uploading"
	if f.DryRun {
		verb = "dry run: comparing"
	}
	n, size := migrate.Count(root)
	fmt.Fprintf(s.Err, "s3wizard: %s %d files (%s) from %s (MEDIA_ROOT, %s) to s3://%s/%s in %s\n",
		verb, n, migrate.HumanBytes(size), root, source, a.Bucket, migrate.Prefix, a.Region)
	res, err := migrate.Run(ctx, sess.Run.AWS.S3In(a.Region), migrate.Options{
		Root: root, Bucket: a.Bucket, Owner: sess.Run.State.Account(), DryRun: f.DryRun,
		NoChecksum: sess.Run.Profile() != nil && !sess.Run.Profile().ChecksumHeaders(),
		Progress:   s.Err, Terminal: isTerminal(s.Err), Secret: secretFile,
	})
	if err != nil && res == nil {
		return err
	}
	printMigration(s, res, f.DryRun)
	if err != nil {
		return err
	}
	return migrationEnd(s.Err, res, root, f.DryRun)
}

// printMigration lists what a migration did (in a dry run: would do) and
// counts it: entries that are not regular files, each upload of a dry run,
// each failed file.
func printMigration(s IO, res *migrate.Result, dryRun bool) {
	for _, ig := range res.Ignored {
		fmt.Fprintf(s.Err, "s3wizard: %s is not a regular file (symlink?): not uploaded\n", ig)
	}
	if dryRun {
		for _, u := range res.Uploaded {
			fmt.Fprintf(s.Out, "would upload %s (%s)\n", u.Key, migrate.HumanBytes(u.Size))
		}
		fmt.Fprintf(s.Out, "dry run: %d to upload (%s), %d already in the bucket; nothing was changed\n",
			len(res.Uploaded), migrate.HumanBytes(res.UploadedBytes()), len(res.Skipped))
	} else {
		fmt.Fprintf(s.Out, "uploaded %d files (%s), %d already in the bucket, %d failed\n",
			len(res.Uploaded), migrate.HumanBytes(res.UploadedBytes()), len(res.Skipped), len(res.Failed))
	}
	for _, fl := range res.Failed {
		fmt.Fprintf(s.Out, "failed %s: %v\n", fl.File.Rel, fl.Err)
	}
}

// migrationEnd decides how a migration that ran to its end exits: 1
// (ErrMigrationFailed) when a file failed or an entry was not a regular
// file, with what to do; else 0, reminding that local files are left.
func migrationEnd(w io.Writer, res *migrate.Result, root string, dryRun bool) error {
	if len(res.Failed) > 0 {
		fmt.Fprintf(w, "s3wizard: %d of %d files failed (listed above); run the same command again to retry them — what is uploaded is skipped\n", len(res.Failed), res.Files)
		return ErrMigrationFailed
	}
	if len(res.Ignored) > 0 {
		fmt.Fprintf(w, "s3wizard: %d entries of %s are not regular files (listed above) and were not uploaded: copy what they point to into MEDIA_ROOT, or upload it yourself\n", len(res.Ignored), root)
		return ErrMigrationFailed
	}
	if !dryRun && res.Files > 0 {
		fmt.Fprintf(w, "s3wizard: local files were left in place; delete them yourself once the app serves them from S3\n")
	}
	return nil
}

// mediaRoot is --media-root, else MEDIA_ROOT read from the project's
// settings (or <project>/media). A missing directory is a usage error.
func mediaRoot(f *migrateOptions) (root, source string, err error) {
	if f.mediaRoot != "" {
		root, err = filepath.Abs(f.mediaRoot)
		if err != nil {
			return "", "", app.UsageError(fmt.Errorf("--media-root %s: %w", f.mediaRoot, err))
		}
		source = "--media-root"
	} else {
		p, err := djangoapp.Detect(f.Dir, f.Python)
		if err != nil {
			return "", "", app.UsageError(fmt.Errorf("%w (or pass --media-root DIR)", err))
		}
		mr := djangoapp.FindMediaRoot(p)
		root, source = mr.Path, mr.Source
	}
	st, err := os.Stat(root)
	if err != nil || !st.IsDir() {
		return "", "", app.UsageError(fmt.Errorf("media root %s (from %s) is not a directory: pass --media-root DIR", root, source))
	}
	// A linked MEDIA_ROOT is migrated from the folder it points to (walking
	// the link itself found nothing, and said nothing).
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", "", app.UsageError(fmt.Errorf("media root %s: %w", root, err))
	}
	if real != root {
		source += ", a link to " + real
	}
	return real, source, nil
}

// checkMediaRoot refuses a media root that holds the project itself, the
// env file or the progress folder, or lies in the progress folder: every
// file under it is uploaded, secrets included.
func checkMediaRoot(r *steps.Run, root string) error {
	real := func(p string) string {
		if q, err := filepath.EvalSymlinks(p); err == nil {
			p = q
		}
		if q, err := filepath.Abs(p); err == nil {
			p = q
		}
		return p
	}
	progress := real(filepath.Join(r.Dir, state.Dir))
	for _, c := range []struct{ path, what string }{
		{real(r.Dir), "the project folder"},
		{real(r.EnvFilePath()), "the env file " + r.Answers.EnvFile},
		{progress, "the progress folder " + state.Dir},
	} {
		if _, inside := envfile.Within(root, c.path); inside {
			return app.UsageError(fmt.Errorf("media root %s holds %s: migrating it would upload secrets; set MEDIA_ROOT to the media folder alone (e.g. BASE_DIR / \"media\") or pass --media-root DIR; nothing was uploaded", root, c.what))
		}
	}
	if _, inside := envfile.Within(progress, root); inside {
		return app.UsageError(fmt.Errorf("media root %s is in the progress folder %s; pass --media-root DIR; nothing was uploaded", root, state.Dir))
	}
	return nil
}

// secretFile tells why a media file may hold a secret, by its name: an env
// file, one of the wizard's secret-bearing files or an atomic write's
// temporary copy ("" when none).
func secretFile(rel string) string {
	base := path.Base(rel)
	switch {
	case base == ".env" || strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env"):
		return "an env file"
	case strings.Contains(base, envfile.TempMark):
		return "a temporary copy of a file s3wizard writes"
	case base == appconfig.SetEnvFile || strings.Contains(base, "secret"):
		return "a file named like a secret one"
	}
	return ""
}
