package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/migrate"
)

// ErrMigrationFailed makes migrate-media exit 1 after listing the files
// that failed.
var ErrMigrationFailed = errors.New("some files were not uploaded")

// cmdMigrateMedia uploads the project's existing MEDIA_ROOT files under
// media/ with the wizard's (operator's) credentials, into the env's
// recorded bucket and region. Local files are only read.
func cmdMigrateMedia(ctx context.Context, f *flags, s IO) error {
	root, source, err := mediaRoot(f)
	if err != nil {
		return err
	}
	sess, err := savedSession(ctx, f, false)
	if err != nil {
		return err
	}
	defer sess.Close()
	a := sess.Run.Answers
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
		Progress:   s.Err, Terminal: isTerminal(s.Err),
	})
	if err != nil && res == nil {
		return err
	}
	for _, ig := range res.Ignored {
		fmt.Fprintf(s.Err, "s3wizard: %s is not a regular file (symlink?): not uploaded\n", ig)
	}
	if f.DryRun {
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
	if err != nil {
		return err
	}
	if len(res.Failed) > 0 {
		fmt.Fprintf(s.Err, "s3wizard: %d of %d files failed (listed above); run the same command again to retry them — what is uploaded is skipped\n", len(res.Failed), res.Files)
		return ErrMigrationFailed
	}
	if !f.DryRun && res.Files > 0 {
		fmt.Fprintf(s.Err, "s3wizard: local files were left in place; delete them yourself once the app serves them from S3\n")
	}
	return nil
}

// mediaRoot is --media-root, else MEDIA_ROOT read from the project's
// settings (or <project>/media). A missing directory is a usage error.
func mediaRoot(f *flags) (root, source string, err error) {
	if f.mediaRoot != "" {
		root, err = filepath.Abs(f.mediaRoot)
		if err != nil {
			return "", "", app.UsageError(fmt.Errorf("--media-root %s: %w", f.mediaRoot, err))
		}
		source = "--media-root"
	} else {
		p, err := djangoapp.Detect(f.Dir)
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
	return root, source, nil
}
