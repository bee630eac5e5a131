package data

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// The UploadStore methods of faultyDrive: a down drive fails them all, and
// failCommit fails the commit steps (CommitPart, and Commit elsewhere).

func (f *faultyDrive) CreateUpload(ctx context.Context, u *objindex.Upload) error {
	if f.down.Load() {
		return f.err()
	}
	return f.Drive.CreateUpload(ctx, u)
}

func (f *faultyDrive) ReadUpload(ctx context.Context, bucket, key, uploadID string) (*objindex.Upload, error) {
	if f.down.Load() {
		return nil, f.err()
	}
	return f.Drive.ReadUpload(ctx, bucket, key, uploadID)
}

func (f *faultyDrive) CommitPart(ctx context.Context, stageID string, p *objindex.UploadPart) (objindex.PartResult, error) {
	if f.down.Load() || f.failCommit.Load() {
		return objindex.PartResult{}, f.err()
	}
	return f.Drive.CommitPart(ctx, stageID, p)
}

func (f *faultyDrive) RemovePart(ctx context.Context, p *objindex.UploadPart) error {
	if f.down.Load() {
		return f.err()
	}
	return f.Drive.RemovePart(ctx, p)
}

func (f *faultyDrive) UploadParts(ctx context.Context, bucket, key, uploadID string, after, limit int) ([]*objindex.UploadPart, bool, error) {
	if f.down.Load() {
		return nil, false, f.err()
	}
	return f.Drive.UploadParts(ctx, bucket, key, uploadID, after, limit)
}

func (f *faultyDrive) RemoveUpload(ctx context.Context, bucket, key, uploadID string) error {
	if f.down.Load() || f.failRemoveUpload.Load() {
		return f.err()
	}
	return f.Drive.RemoveUpload(ctx, bucket, key, uploadID)
}

func (f *faultyDrive) RevertCompletion(ctx context.Context, rec *objindex.Record, uploadID string) error {
	if f.down.Load() {
		return f.err()
	}
	return f.Drive.RevertCompletion(ctx, rec, uploadID)
}

func (f *faultyDrive) ListUploads(ctx context.Context, bucket string, q objindex.UploadQuery) (objindex.UploadPage, error) {
	if f.down.Load() {
		return objindex.UploadPage{}, f.err()
	}
	return f.Drive.ListUploads(ctx, bucket, q)
}

func (f *faultyDrive) WalkUploads(ctx context.Context, after objindex.UploadRef, limit int) ([]objindex.UploadRef, bool, error) {
	if f.down.Load() {
		return nil, false, f.err()
	}
	return f.Drive.WalkUploads(ctx, after, limit)
}

func (e *env) create(bucket, key string) Upload {
	e.t.Helper()
	u, err := e.s.CreateMultipartUpload(context.Background(), bucket, key, PutOptions{})
	if err != nil {
		e.t.Fatalf("create upload %s/%s: %v", bucket, key, err)
	}
	return u
}

func (e *env) putPart(u Upload, n int, body []byte) PartInfo {
	e.t.Helper()
	p, err := e.s.PutObjectPart(context.Background(), u.Bucket, u.Key, u.UploadID, n, bytes.NewReader(body), int64(len(body)), md5Seal(body))
	if err != nil {
		e.t.Fatalf("part %d (%d bytes): %v", n, len(body), err)
	}
	return p
}

func (e *env) complete(u Upload, parts ...PartInfo) (ObjectInfo, error) {
	var cps []CompletePart
	for _, p := range parts {
		cps = append(cps, CompletePart{Number: p.Number, ETag: p.ETag, Checksums: p.Checksums})
	}
	return e.s.CompleteMultipartUpload(context.Background(), u.Bucket, u.Key, u.UploadID, cps, Preconditions{})
}

// readRange reads length bytes at offset of an object (or of one part).
func (e *env) readRange(bucket, key string, opts GetOptions, off, length int64) ([]byte, error) {
	o, err := e.s.OpenObject(context.Background(), bucket, key, opts)
	if err != nil {
		return nil, err
	}
	rc, err := o.Range(context.Background(), off, length)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// multipartETag computes the S3 multipart ETag of bodies, independently of
// the code under test.
func multipartETag(bodies ...[]byte) string {
	var cat []byte
	for _, b := range bodies {
		s := md5.Sum(b)
		cat = append(cat, s[:]...)
	}
	s := md5.Sum(cat)
	return hex.EncodeToString(s[:]) + fmt.Sprintf("-%d", len(bodies))
}

// allFiles lists every file under dir/sub, relative to dir, sorted.
func allFiles(t testing.TB, dir, sub string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(dir, sub), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// partFiles counts, per drive slot, the committed shard files.
func (e *env) partFiles() []int {
	out := make([]int, len(e.s.drives))
	for slot := range out {
		out[slot] = len(shardFiles(e.t, e.drivePath(slot)))
	}
	return out
}
