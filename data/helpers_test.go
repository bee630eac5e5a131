package data

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// logBuf collects log output so tests can assert on warnings.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type env struct {
	t      testing.TB
	paths  []string
	logs   *logBuf
	log    *slog.Logger
	opts   Options
	s      *Store
	faults []*faultyDrive // by slot, wrapping the store's drives
}

func testIndexOptions() objindex.Options {
	// Durability is not under test here; fsync would only slow the suite.
	return objindex.Options{NoSync: true, GCInterval: -1}
}

// newEnv opens a store over n fresh drive folders. Every drive is wrapped
// in a faultyDrive so tests can take drives down.
func newEnv(t testing.TB, n int, opts Options) *env {
	t.Helper()
	root := t.TempDir()
	e := &env{t: t, logs: &logBuf{}, opts: opts}
	for i := 0; i < n; i++ {
		e.paths = append(e.paths, filepath.Join(root, fmt.Sprintf("d%d", i)))
	}
	e.log = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.open()
	return e
}

func (e *env) open() {
	e.t.Helper()
	drives, err := OpenLocal(e.paths, LocalOptions{Logger: e.log, Index: testIndexOptions()})
	if err != nil {
		e.t.Fatal(err)
	}
	e.faults = make([]*faultyDrive, len(drives))
	wrapped := make([]Drive, len(drives))
	for i, d := range drives {
		e.faults[i] = &faultyDrive{Drive: d}
		wrapped[i] = e.faults[i]
	}
	opts := e.opts
	opts.Logger = e.log
	s, err := NewStore(wrapped, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.s = s
	e.t.Cleanup(func() { s.Close() })
}

func (e *env) reopen() {
	e.t.Helper()
	if err := e.s.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

// drivePath is the folder of the drive in slot.
func (e *env) drivePath(slot int) string { return e.s.drives[slot].Info().Endpoint }

func randBytes(seed int64, n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func md5Seal(body []byte) func() (Sealed, error) {
	sum := md5.Sum(body)
	return func() (Sealed, error) { return Sealed{ETag: hex.EncodeToString(sum[:])}, nil }
}

func (e *env) put(bucket, key string, body []byte) ObjectInfo {
	e.t.Helper()
	info, err := e.s.PutObject(context.Background(), bucket, key, bytes.NewReader(body), int64(len(body)), PutOptions{Seal: md5Seal(body)})
	if err != nil {
		e.t.Fatalf("put %s/%s (%d bytes): %v", bucket, key, len(body), err)
	}
	return info
}

func (e *env) get(bucket, key string) ([]byte, error) {
	o, err := e.s.OpenObject(context.Background(), bucket, key, GetOptions{})
	if err != nil {
		return nil, err
	}
	rc, err := o.Range(context.Background(), 0, o.Info().Size)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func (e *env) mustGet(bucket, key string, want []byte) {
	e.t.Helper()
	got, err := e.get(bucket, key)
	if err != nil {
		e.t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	if !bytes.Equal(got, want) {
		e.t.Fatalf("get %s/%s: %d bytes differ from the %d written", bucket, key, len(got), len(want))
	}
}

// wipe removes everything inside a drive folder, as a replaced disk would be.
func wipe(t testing.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if err := os.RemoveAll(filepath.Join(dir, en.Name())); err != nil {
			t.Fatal(err)
		}
	}
}

// shardFiles lists the committed shard files of a drive folder.
func shardFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(dir, objectsDir), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func dirEntries(t testing.TB, dir string) []string {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// faultyDrive wraps a Drive; when down, every call fails as a dead drive's would.
type faultyDrive struct {
	Drive
	down atomic.Bool
	// failCommit makes only Commit fail.
	failCommit atomic.Bool
	// failRemoveUpload makes only RemoveUpload fail.
	failRemoveUpload atomic.Bool
	// failWriteAfter makes shard writers fail once this many bytes were
	// written (0 = never).
	failWriteAfter atomic.Int64
	// corruptInline flips a byte of inline data returned by reads.
	corruptInline atomic.Bool

	mu     sync.Mutex
	opened []string // "dataID part off len" of OpenShard calls
}

func (f *faultyDrive) err() error { return fmt.Errorf("%w: injected", ErrDriveOffline) }

func (f *faultyDrive) Stat(ctx context.Context) (DriveStat, error) {
	if f.down.Load() {
		return DriveStat{}, f.err()
	}
	return f.Drive.Stat(ctx)
}

func (f *faultyDrive) CreateShard(ctx context.Context, stageID string, part int) (ShardWriter, error) {
	if f.down.Load() {
		return nil, f.err()
	}
	w, err := f.Drive.CreateShard(ctx, stageID, part)
	if err != nil {
		return nil, err
	}
	if lim := f.failWriteAfter.Load(); lim > 0 {
		return &failingWriter{ShardWriter: w, left: lim}, nil
	}
	return w, nil
}

type failingWriter struct {
	ShardWriter
	left int64
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > w.left {
		return 0, fmt.Errorf("injected write failure")
	}
	w.left -= int64(len(p))
	return w.ShardWriter.Write(p)
}

func (f *faultyDrive) OpenShard(ctx context.Context, dataID string, part int, off, n int64) (io.ReadCloser, error) {
	if f.down.Load() {
		return nil, f.err()
	}
	f.mu.Lock()
	f.opened = append(f.opened, fmt.Sprintf("%s %d %d %d", dataID, part, off, n))
	f.mu.Unlock()
	return f.Drive.OpenShard(ctx, dataID, part, off, n)
}

func (f *faultyDrive) takeOpened() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.opened
	f.opened = nil
	return o
}

func (f *faultyDrive) Commit(ctx context.Context, stageID string, rec *objindex.Record) (objindex.PutResult, error) {
	if f.down.Load() || f.failCommit.Load() {
		return objindex.PutResult{}, f.err()
	}
	return f.Drive.Commit(ctx, stageID, rec)
}

func (f *faultyDrive) ReadVersion(ctx context.Context, bucket, key, vid string, withInline bool) (*objindex.Record, error) {
	if f.down.Load() {
		return nil, f.err()
	}
	r, err := f.Drive.ReadVersion(ctx, bucket, key, vid, withInline)
	if err == nil && f.corruptInline.Load() && len(r.Inline) > hashSize {
		r.Inline[hashSize] ^= 0xFF
	}
	return r, err
}

func (f *faultyDrive) Versions(ctx context.Context, bucket, key string) ([]*objindex.Record, error) {
	if f.down.Load() {
		return nil, f.err()
	}
	return f.Drive.Versions(ctx, bucket, key)
}

func (f *faultyDrive) DeleteVersion(ctx context.Context, bucket, key, vid string, notAfter int64) (*objindex.Record, error) {
	if f.down.Load() {
		return nil, f.err()
	}
	return f.Drive.DeleteVersion(ctx, bucket, key, vid, notAfter)
}

func (f *faultyDrive) List(ctx context.Context, bucket string, q objindex.ListQuery) (objindex.ListPage, error) {
	if f.down.Load() {
		return objindex.ListPage{}, f.err()
	}
	return f.Drive.List(ctx, bucket, q)
}

func (f *faultyDrive) Walk(ctx context.Context, after objindex.ObjectRef, limit int) ([]objindex.ObjectRef, bool, error) {
	if f.down.Load() {
		return nil, false, f.err()
	}
	return f.Drive.Walk(ctx, after, limit)
}

func (f *faultyDrive) HasObjects(ctx context.Context, bucket string) (bool, error) {
	if f.down.Load() {
		return false, f.err()
	}
	return f.Drive.HasObjects(ctx, bucket)
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func (f *faultyDrive) SweepOrphans(ctx context.Context, minAge time.Duration) (int, error) {
	if f.down.Load() {
		return 0, f.err()
	}
	return f.Drive.(OrphanSweeper).SweepOrphans(ctx, minAge)
}
