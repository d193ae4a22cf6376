// Package migrate moves a project's existing media files (under MEDIA_ROOT)
// to the bucket, under media/ with the same relative keys, so that the file
// names already stored in the database keep resolving once the app uses S3.
// It is concurrent, resumable (what is already there is skipped) and never
// deletes or changes a local file.
package migrate

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	tmtypes "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
)

// API is what a migration needs from S3; *s3.Client satisfies it.
type API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Prefix is where the app's default storage keeps media (location "media").
const Prefix = "media/"

// DefaultWorkers bounds the uploads in flight.
const DefaultWorkers = 16

// PartsAPI is what an upload in parts needs besides API: the SDK's transfer
// manager's client (*s3.Client satisfies it).
type PartsAPI = transfermanager.S3APIClient

// MaxPutSize is the largest object one PutObject may carry (5 GiB): larger
// files go up in parts through the SDK's transfer manager.
const MaxPutSize = 5 << 30

// DefaultPartSize is the part size of an upload in parts, raised for a file
// that would need more than maxParts of them.
const DefaultPartSize = 64 << 20

const (
	maxParts      = 10000   // S3's limit per upload
	maxObjectSize = 5 << 40 // S3's largest object (5 TiB)
)

// Options describe one migration.
type Options struct {
	Root   string // local MEDIA_ROOT
	Bucket string
	// Owner is the expected bucket owner's account ID ("" when unknown).
	Owner   string
	Workers int // DefaultWorkers when 0
	// NoChecksum: the provider refuses x-amz-checksum-* headers (its
	// profile): uploads carry no ChecksumSHA256 (the ETag, the content's
	// MD5 for a single-part upload, still decides what is skipped).
	NoChecksum bool
	DryRun     bool
	// MultipartAbove: a larger file goes up in parts (MaxPutSize when 0),
	// of PartSize bytes (DefaultPartSize when 0; S3's least is 5 MiB).
	MultipartAbove int64
	PartSize       int64
	// Progress receives the progress display (nil: none).
	Progress io.Writer
	// Terminal redraws one progress bar line; otherwise a plain line is
	// written every Every files (100 when 0).
	Terminal bool
	Every    int
	// Secret tells why the file at rel (under Root) may hold a secret
	// ("" when it may not): such a file is never uploaded, and reported
	// failed.
	Secret func(rel string) string
}

// File is one local file and its key.
type File struct {
	Path string // absolute local path
	Rel  string // slash-separated path under Root
	Key  string
	Size int64
}

// Failure is a file that could not be uploaded.
type Failure struct {
	File File
	Err  error
}

// Result tells what a migration did (or would do, in a dry run).
type Result struct {
	Files    int   // local files found
	Bytes    int64 // their total size
	Uploaded []File
	Skipped  []File // already in the bucket with the same size and checksum
	Failed   []Failure
	// Ignored are paths under Root that are not regular files (symlinks,
	// sockets…), never uploaded.
	Ignored []string
}

// UploadedBytes is the size of what was uploaded.
func (r *Result) UploadedBytes() int64 {
	var n int64
	for _, f := range r.Uploaded {
		n += f.Size
	}
	return n
}

// Scan lists the regular files under root with their keys, sorted by key.
// Symlinks and other special files are returned apart (ignored): a link may
// point outside MEDIA_ROOT.
func Scan(root string) (files []File, ignored []string, err error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, nil, fmt.Errorf("media root %s: %w", root, err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("media root %s is not a directory", root)
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !d.Type().IsRegular() {
			ignored = append(ignored, rel)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, File{Path: path, Rel: rel, Key: Prefix + rel, Size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("scan media root %s: %w", root, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Key < files[j].Key })
	return files, ignored, nil
}

// Count returns how many regular files root holds and their size; 0 when
// root does not exist.
func Count(root string) (files int, bytes int64) {
	fl, _, err := Scan(root)
	if err != nil {
		return 0, 0
	}
	for _, f := range fl {
		bytes += f.Size
	}
	return len(fl), bytes
}

// Run uploads every file under o.Root that the bucket does not already hold
// with the same size and checksum. Per-file failures are collected in the
// result; the error is for what stops the whole run (listing the bucket,
// cancellation).
func Run(ctx context.Context, api API, o Options) (*Result, error) {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	files, ignored, err := Scan(o.Root)
	if err != nil {
		return nil, err
	}
	res := &Result{Files: len(files), Ignored: ignored}
	for _, f := range files {
		res.Bytes += f.Size
	}
	remote, err := listRemote(ctx, api, o.Bucket, o.Owner)
	if err != nil {
		return nil, err
	}

	prog := newProgress(o, len(files), res.Bytes)
	defer prog.stop()
	for out := range migrateAll(ctx, api, o, files, remote, prog) {
		res.add(out)
	}
	sort.Slice(res.Failed, func(i, j int) bool { return res.Failed[i].File.Key < res.Failed[j].File.Key })
	sort.Slice(res.Uploaded, func(i, j int) bool { return res.Uploaded[i].Key < res.Uploaded[j].Key })
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// outcome is what became of one file.
type outcome struct {
	file     File
	uploaded bool
	err      error
}

// migrateAll hands files to o.Workers workers (until ctx is done) and
// sends each file's outcome; the channel is closed when every worker ends.
func migrateAll(ctx context.Context, api API, o Options, files []File, remote map[string]remoteObject, prog *progress) <-chan outcome {
	jobs := make(chan File)
	outs := make(chan outcome)
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				up, err := migrateOne(ctx, api, o, f, remote)
				prog.done(f.Size)
				outs <- outcome{f, up, err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, f := range files {
			select {
			case jobs <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(outs) }()
	return outs
}

// add records what became of out's file: failed, uploaded or skipped.
func (r *Result) add(out outcome) {
	switch {
	case out.err != nil:
		r.Failed = append(r.Failed, Failure{out.file, out.err})
	case out.uploaded:
		r.Uploaded = append(r.Uploaded, out.file)
	default:
		r.Skipped = append(r.Skipped, out.file)
	}
}

// remoteObject is what the listing says of a key: its size and ETag.
type remoteObject struct {
	size int64
	etag string
}

// listRemote reads every key under media/ once: a file whose key is
// absent, or present with another size, is uploaded without a HEAD, and one
// whose listed ETag is its MD5 is skipped without one.
func listRemote(ctx context.Context, api API, bucket, owner string) (map[string]remoteObject, error) {
	objs := map[string]remoteObject{}
	in := &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: sdk.String(Prefix)}
	if owner != "" {
		in.ExpectedBucketOwner = &owner
	}
	p := s3.NewListObjectsV2Paginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, Prefix, err)
		}
		for _, o := range page.Contents {
			objs[sdk.ToString(o.Key)] = remoteObject{size: sdk.ToInt64(o.Size), etag: strings.Trim(sdk.ToString(o.ETag), `"`)}
		}
	}
	return objs, nil
}

// migrateOne uploads f unless the bucket already holds it; uploaded tells
// which happened.
func migrateOne(ctx context.Context, api API, o Options, f File, remote map[string]remoteObject) (uploaded bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if !utf8.ValidString(f.Rel) {
		return false, errors.New("the file name is not valid UTF-8: an S3 key must be")
	}
	if i := strings.IndexFunc(f.Rel, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		return false, fmt.Errorf("the file name holds a control character (%U): S3 takes it, but it breaks plain listings of the bucket for every other tool; rename the file", rune(f.Rel[i]))
	}
	if o.Secret != nil {
		if why := o.Secret(f.Rel); why != "" {
			return false, fmt.Errorf("%s: it may hold a secret, never uploaded", why)
		}
	}
	if len(f.Key) > 1024 {
		return false, fmt.Errorf("key is %d bytes, S3 allows 1024", len(f.Key))
	}
	if f.Size > maxObjectSize {
		return false, fmt.Errorf("%d bytes: larger than the 5 TiB an S3 object may hold", f.Size)
	}
	if r, ok := remote[f.Key]; ok && r.size == f.Size {
		same, err := sameObject(ctx, api, o, f, r.etag)
		if err != nil {
			return false, err
		}
		if same {
			return false, nil
		}
	}
	if o.DryRun {
		return true, nil
	}
	if o.inParts(f) {
		return true, uploadParts(ctx, api, o, f)
	}
	return true, upload(ctx, api, o, f)
}

// inParts tells whether f goes up in parts.
func (o Options) inParts(f File) bool {
	above := o.MultipartAbove
	if above <= 0 {
		above = MaxPutSize
	}
	return f.Size > above
}

// partSize is the part size of f's upload in parts: o.PartSize, raised to
// keep within S3's 10,000 parts. It depends only on the options and the
// size, so a rerun computes the same parts to compare checksums.
func (o Options) partSize(f File) int64 {
	ps := o.PartSize
	if ps <= 0 {
		ps = DefaultPartSize
	}
	if least := (f.Size + maxParts - 1) / maxParts; ps < least {
		const mib = 1 << 20
		ps = (least + mib - 1) / mib * mib
	}
	return ps
}

// sameObject tells whether the object at f.Key has f's content. The ETag
// the listing gave is the content's MD5 for a single-part upload not
// encrypted with KMS (every upload of ours outside SSE-KMS): equal to the
// file's MD5, the object is the file, with no request. Otherwise one HEAD
// reads the SHA-256 checksum S3 stored at upload (ours always send one; S3
// verifies it on receipt and returns it with checksum mode on, SSE-KMS
// included) and compares it. Without one (uploaded by another tool), the
// HEAD's ETag is compared with the MD5 when it is one; any other object is
// uploaded again, which is always safe.
func sameObject(ctx context.Context, api API, o Options, f File, listedETag string) (bool, error) {
	// The file's MD5, read at most once, when an ETag asks for it.
	var md5sum string
	fileMD5 := func() (string, error) {
		if md5sum == "" {
			local, err := fileSum(f.Path, md5.New())
			if err != nil {
				return "", err
			}
			md5sum = hex.EncodeToString(local)
		}
		return md5sum, nil
	}
	if o.inParts(f) {
		// Ours went up in parts: the ETag (MD5 of the parts' MD5s) and the
		// SHA-256 (of the parts' SHA-256s), each "-<parts>", are computed
		// from the file cut the same way.
		return samePartedObject(ctx, api, o, f, listedETag)
	}
	if isMD5(listedETag) {
		sum, err := fileMD5()
		if err != nil {
			return false, err
		}
		if sum == strings.ToLower(listedETag) {
			return true, nil
		}
	}
	head, err := headObject(ctx, api, o, f)
	if head == nil || err != nil {
		return false, err
	}
	return sameAsHead(head, f, fileMD5)
}

// sameAsHead tells from the object's HEAD whether it has f's content: the
// same size and, by the stored SHA-256 when there is one, else by the ETag
// when it is an MD5 (not under KMS), the same bytes. fileMD5 is the file's
// MD5.
func sameAsHead(head *s3.HeadObjectOutput, f File, fileMD5 func() (string, error)) (bool, error) {
	if sdk.ToInt64(head.ContentLength) != f.Size {
		return false, nil
	}
	if sum := sdk.ToString(head.ChecksumSHA256); sum != "" && !strings.Contains(sum, "-") {
		local, err := fileSum(f.Path, sha256.New())
		if err != nil {
			return false, err
		}
		return base64.StdEncoding.EncodeToString(local) == sum, nil
	}
	etag := strings.Trim(sdk.ToString(head.ETag), `"`)
	kms := head.ServerSideEncryption == s3types.ServerSideEncryptionAwsKms || head.ServerSideEncryption == s3types.ServerSideEncryptionAwsKmsDsse
	if kms || !isMD5(etag) {
		return false, nil
	}
	sum, err := fileMD5()
	if err != nil {
		return false, err
	}
	return sum == strings.ToLower(etag), nil
}

func isMD5(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func fileSum(path string, h hash.Hash) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer fh.Close()
	if _, err := io.Copy(h, fh); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return h.Sum(nil), nil
}

// headObject reads f's object with its checksum (checksum mode on); nil
// without an error when there is none.
func headObject(ctx context.Context, api API, o Options, f File) (*s3.HeadObjectOutput, error) {
	in := &s3.HeadObjectInput{Bucket: &o.Bucket, Key: &f.Key, ChecksumMode: s3types.ChecksumModeEnabled}
	if o.Owner != "" {
		in.ExpectedBucketOwner = &o.Owner
	}
	head, err := api.HeadObject(ctx, in)
	if err != nil {
		var nf *s3types.NotFound
		if errors.As(err, &nf) {
			return nil, nil
		}
		return nil, fmt.Errorf("head s3://%s/%s: %w", o.Bucket, f.Key, err)
	}
	return head, nil
}

// samePartedObject is sameObject for a file uploaded in parts: the listed
// ETag, else the HEAD's SHA-256 checksum, must be the one the file's parts
// (of o.partSize) give. Anything else is uploaded again.
func samePartedObject(ctx context.Context, api API, o Options, f File, listedETag string) (bool, error) {
	etag, sha, err := partSums(f.Path, o.partSize(f))
	if err != nil {
		return false, err
	}
	if strings.EqualFold(listedETag, etag) {
		return true, nil
	}
	head, err := headObject(ctx, api, o, f)
	if head == nil || err != nil {
		return false, err
	}
	return sdk.ToInt64(head.ContentLength) == f.Size && sdk.ToString(head.ChecksumSHA256) == sha, nil
}

// partSums reads path in parts of size and returns the multipart ETag
// (hex MD5 of the parts' MD5s) and composite SHA-256 checksum (base64 of
// the SHA-256 of the parts' SHA-256s), each followed by "-<parts>".
func partSums(path string, size int64) (etag, sha string, err error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", "", fmt.Errorf("read %s: %w", path, err)
	}
	defer fh.Close()
	md5s, shas := md5.New(), sha256.New()
	parts := 0
	for {
		pm, ps := md5.New(), sha256.New()
		n, err := io.CopyN(io.MultiWriter(pm, ps), fh, size)
		if err != nil && err != io.EOF {
			return "", "", fmt.Errorf("read %s: %w", path, err)
		}
		if n == 0 && parts > 0 {
			break
		}
		parts++
		md5s.Write(pm.Sum(nil))
		shas.Write(ps.Sum(nil))
		if n < size {
			break
		}
	}
	suffix := fmt.Sprintf("-%d", parts)
	return hex.EncodeToString(md5s.Sum(nil)) + suffix, base64.StdEncoding.EncodeToString(shas.Sum(nil)) + suffix, nil
}

// uploadParts sends f in parts through the SDK's transfer manager, each
// part with its SHA-256 (S3 checks each on receipt and keeps the composite
// for the next run's comparison) unless the provider refuses checksum
// headers. The object appears only when the upload completes; a failed one
// is aborted by the manager, and one killed midway leaves an incomplete
// upload, invisible and removed by the bucket's lifecycle rule.
func uploadParts(ctx context.Context, api API, o Options, f File) error {
	pa, ok := api.(PartsAPI)
	if !ok {
		return fmt.Errorf("%d bytes: larger than one upload allows, and this client cannot upload in parts", f.Size)
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("read %s: %w", f.Path, err)
	}
	defer fh.Close()
	in := &transfermanager.UploadObjectInput{
		Bucket:            &o.Bucket,
		Key:               &f.Key,
		Body:              fh,
		ContentLength:     sdk.Int64(f.Size),
		ChecksumAlgorithm: tmtypes.ChecksumAlgorithmSha256,
		ChecksumType:      tmtypes.ChecksumTypeComposite,
	}
	if ct := mime.TypeByExtension(strings.ToLower(filepath.Ext(f.Rel))); ct != "" {
		in.ContentType = &ct
	}
	if o.Owner != "" {
		in.ExpectedBucketOwner = &o.Owner
	}
	tm := transfermanager.New(pa, func(to *transfermanager.Options) {
		to.PartSizeBytes = o.partSize(f)
		to.MultipartUploadThreshold = 1
		to.MaxUploadParts = maxParts
		if o.NoChecksum {
			to.RequestChecksumCalculation = sdk.RequestChecksumCalculationWhenRequired
		}
	})
	if o.NoChecksum {
		in.ChecksumAlgorithm, in.ChecksumType = "", ""
	}
	if _, err := tm.UploadObject(ctx, in); err != nil {
		return fmt.Errorf("upload s3://%s/%s in parts: %w", o.Bucket, f.Key, err)
	}
	return nil
}

// upload sends f in one PutObject with its SHA-256: S3 rejects the upload
// if the bytes it received differ, and keeps the checksum for the next
// run's comparison. PutObject is atomic: a run killed mid-upload leaves no
// partial object behind.
func upload(ctx context.Context, api API, o Options, f File) error {
	fh, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("read %s: %w", f.Path, err)
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, fh)
	if err != nil {
		return fmt.Errorf("read %s: %w", f.Path, err)
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read %s: %w", f.Path, err)
	}
	in := &s3.PutObjectInput{
		Bucket:         &o.Bucket,
		Key:            &f.Key,
		Body:           fh, // seekable: signed without buffering, retried from the start
		ContentLength:  sdk.Int64(n),
		ChecksumSHA256: sdk.String(base64.StdEncoding.EncodeToString(h.Sum(nil))),
	}
	if o.NoChecksum {
		in.ChecksumSHA256 = nil
	}
	if ct := mime.TypeByExtension(strings.ToLower(filepath.Ext(f.Rel))); ct != "" {
		in.ContentType = &ct
	}
	if o.Owner != "" {
		in.ExpectedBucketOwner = &o.Owner
	}
	if _, err := api.PutObject(ctx, in, signedWith(h.Sum(nil))); err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", o.Bucket, f.Key, err)
	}
	return nil
}

// signedWith hands SigV4 the body's SHA-256 that upload has already
// computed. Without it the SDK reads the whole file once more to hash it
// whenever the endpoint is plain http (a local MinIO, an emulator); over
// https the request is then signed with the body's hash rather than
// UNSIGNED-PAYLOAD, at no extra cost.
func signedWith(sum []byte) func(*s3.Options) {
	hexSum := hex.EncodeToString(sum)
	return func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			set := middleware.FinalizeMiddlewareFunc("S3WizardPayloadHash", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				return next.HandleFinalize(v4.SetPayloadHash(ctx, hexSum), in)
			})
			// The signer's payload-hash step (ComputePayloadSHA256, or
			// UnsignedPayload over https) keeps a hash already set.
			return st.Finalize.Insert(set, (&v4.ComputePayloadSHA256{}).ID(), middleware.Before)
		})
	}
}

// progress draws files, bytes and rate: one redrawn bar in a terminal, a
// plain line every N files otherwise.
type progress struct {
	o          Options
	files      int
	bytes      int64
	doneFiles  atomic.Int64
	doneBytes  atomic.Int64
	start      time.Time
	mu         sync.Mutex
	quit, gone chan struct{}
}

func newProgress(o Options, files int, bytes int64) *progress {
	p := &progress{o: o, files: files, bytes: bytes, start: time.Now(), quit: make(chan struct{}), gone: make(chan struct{})}
	if p.o.Every <= 0 {
		p.o.Every = 100
	}
	if o.Progress == nil || !o.Terminal {
		close(p.gone)
		return p
	}
	go func() {
		defer close(p.gone)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw()
			case <-p.quit:
				p.draw()
				fmt.Fprintln(p.o.Progress)
				return
			}
		}
	}()
	return p
}

func (p *progress) done(size int64) {
	n := p.doneFiles.Add(1)
	p.doneBytes.Add(size)
	if p.o.Progress != nil && !p.o.Terminal && (n%int64(p.o.Every) == 0 || int(n) == p.files) {
		p.mu.Lock()
		fmt.Fprintln(p.o.Progress, p.line())
		p.mu.Unlock()
	}
}

func (p *progress) stop() {
	select {
	case <-p.quit:
	default:
		close(p.quit)
	}
	<-p.gone
}

func (p *progress) draw() {
	const width = 24
	frac := 1.0
	if p.bytes > 0 {
		frac = float64(p.doneBytes.Load()) / float64(p.bytes)
	} else if p.files > 0 {
		frac = float64(p.doneFiles.Load()) / float64(p.files)
	}
	full := int(frac * width)
	bar := strings.Repeat("█", full) + strings.Repeat("░", width-full)
	fmt.Fprintf(p.o.Progress, "\r\033[K%s %s", bar, p.line())
}

// line is "120/2020 files · 3.1 MB/104.9 MB · 2.4 MB/s".
func (p *progress) line() string {
	el := time.Since(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.doneBytes.Load()) / el
	}
	return fmt.Sprintf("%d/%d files · %s/%s · %s/s", p.doneFiles.Load(), p.files, HumanBytes(p.doneBytes.Load()), HumanBytes(p.bytes), HumanBytes(int64(rate)))
}

// HumanBytes writes n in B, kB, MB or GB (powers of 1000).
func HumanBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
