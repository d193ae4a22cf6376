package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/s3wizard/s3wizard/docs"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/steps"
)

func cmdDoctor(ctx context.Context, f *flags, s IO) error {
	sess, err := savedSession(ctx, f, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "s3wizard: diagnosing env %s with the app's own settings from %s\n", f.Env, sess.Run.Answers.EnvFile)
	checks := steps.Doctor(ctx, sess.Run)
	ok := true
	for _, c := range checks {
		mark := "✓"
		if !c.OK {
			mark, ok = "✗", false
		}
		fmt.Fprintf(s.Out, "  %s %s", mark, c.Name)
		if c.Detail != "" {
			fmt.Fprintf(s.Out, ": %s", c.Detail)
		}
		fmt.Fprintln(s.Out)
	}
	if !ok {
		return ErrChecksFailed
	}
	return nil
}

func cmdRotate(ctx context.Context, f *flags, s IO) error {
	sess, err := savedSession(ctx, f, true)
	if err != nil {
		return err
	}
	defer sess.Close()
	r := sess.Run
	pr := newPrinter(s.Err, f.noColor)
	r.Report = pr.event
	in := bufio.NewReader(s.In)
	ask := func(question string) bool {
		if f.Yes {
			return true
		}
		if !CanPrompt(s, false) {
			return false
		}
		fmt.Fprintf(s.Err, "%s [y/N]: ", question)
		line, _ := in.ReadString('\n')
		return strings.EqualFold(strings.TrimSpace(line), "y")
	}
	o := steps.RotateOptions{
		ConfirmDelete: func(id string) bool {
			return ask(fmt.Sprintf("delete key %s now? Only if nothing uses it any more", steps.Mask(id)))
		},
		Say: func(msg string) { fmt.Fprintln(s.Err, "s3wizard: "+msg) },
	}
	if steps.HerokuAvailable() {
		o.DeployHeroku = func(ctx context.Context) (bool, error) {
			err := steps.RunHeroku(ctx, r, func() bool { return ask("run it now (restarts the app once)?") }, s.Err)
			if errors.Is(err, steps.ErrHerokuDeclined) {
				return false, nil
			}
			return err == nil, err
		}
	}
	return steps.RotateKeys(ctx, r, o)
}

func cmdDestroy(ctx context.Context, f *flags, s IO) error {
	sess, err := savedSession(ctx, f, true)
	if err != nil {
		return err
	}
	defer sess.Close()
	a := sess.Run.Answers
	fmt.Fprintf(s.Err, "This deletes env %s: bucket %s and %s-logs with EVERY file and version in them, the IAM user/role, keys, policy, alarms and budget.\nType the bucket name to confirm: ", a.Env, a.Bucket, a.Bucket)
	line, _ := bufio.NewReader(s.In).ReadString('\n')
	if strings.TrimSpace(line) != a.Bucket {
		return fmt.Errorf("confirmation did not match %q: nothing was deleted: %w", a.Bucket, ErrCancelled)
	}
	say := func(msg string) { fmt.Fprintln(s.Err, "  - "+msg) }
	if err := steps.Destroy(ctx, sess.Run, say); err != nil {
		return fmt.Errorf("destroy stopped (run it again to finish): %w", err)
	}
	fmt.Fprintf(s.Err, "s3wizard: env %s destroyed; its progress file is kept (steps reset)\n", a.Env)
	return nil
}

// docsLiveTimeout bounds the live checks the hand-off document shows.
const docsLiveTimeout = 2 * time.Minute

func cmdDocs(ctx context.Context, f *flags, s IO) error {
	sess, err := savedSession(ctx, f, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "s3wizard: writing the hand-off document of env %s (live checks included)\n", f.Env)
	results, notLive := steps.VerifyLive(ctx, sess.Run, sess.Steps, docsLiveTimeout)
	doc, err := docs.Generate(sess.Run, sess.Steps, results, notLive)
	if err != nil {
		return fmt.Errorf("hand-off document: %w", err)
	}
	if f.output == "-" {
		_, err = s.Out.Write(doc)
		return err
	}
	path := f.output
	if path == "" {
		path = filepath.Join(f.Dir, docs.FileName(f.Env))
	}
	if err := envfile.WriteFileAtomic(path, doc, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(s.Out, path)
	return nil
}
