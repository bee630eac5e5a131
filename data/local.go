package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// Folder names inside a drive (see doc.go).
const (
	indexDir   = "index"
	tmpDir     = "tmp"
	objectsDir = "objects"
	trashDir   = "trash"
)

// DefaultTrashGrace is how long the shard files of a removed version stay
// readable (see LocalDrive.removeData).
const DefaultTrashGrace = 10 * time.Minute

// LocalDrive is a Drive over a local folder.
type LocalDrive struct {
	root   string
	fs     FS
	info   DriveInfo
	idx    *objindex.Index
	log    *slog.Logger
	closed atomic.Bool
	grace  time.Duration

	// bufs recycles the shard writers' aligned buffers.
	bufs alignedPool

	trashMu sync.Mutex
	trash   []trashEntry // oldest first; guarded by trashMu
}

type trashEntry struct {
	dataID string
	at     time.Time
}

var _ Drive = (*LocalDrive)(nil)

// openLocalDrive opens a drive whose format.json is already written: it
// empties tmp (writes in flight when the process stopped never committed),
// and opens the index.
func openLocalDrive(root string, fm Format, fresh bool, fsys FS, log *slog.Logger, iopts objindex.Options, grace time.Duration) (*LocalDrive, error) {
	d := &LocalDrive{root: root, fs: fsys, log: log, grace: grace,
		info: DriveInfo{Endpoint: root, Format: fm, Fresh: fresh}}
	// Nobody reads or writes these across a restart.
	for _, dir := range []string{tmpDir, trashDir} {
		if err := fsys.RemoveAll(filepath.Join(root, dir)); err != nil {
			return nil, fmt.Errorf("data: clean %s of %s: %w", dir, root, err)
		}
	}
	for _, dir := range []string{tmpDir, objectsDir, trashDir} {
		if err := fsys.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			return nil, fmt.Errorf("data: %s: %w", root, err)
		}
	}
	if iopts.Logger == nil {
		iopts.Logger = log.With("drive", root)
	}
	idx, err := objindex.Open(filepath.Join(root, indexDir), iopts)
	if err != nil {
		return nil, fmt.Errorf("data: drive %s: %w", root, err)
	}
	d.idx = idx
	return d, nil
}

func (d *LocalDrive) Info() DriveInfo { return d.info }

func (d *LocalDrive) tmpPath(dataID string) string { return filepath.Join(d.root, tmpDir, dataID) }

func (d *LocalDrive) dataPath(dataID string) string {
	return filepath.Join(d.root, objectsDir, dataID[:2], dataID)
}

func partFile(part int) string { return "part." + strconv.Itoa(part) }

// validDataID keeps remote callers from naming paths outside the drive.
func validDataID(id string) error {
	if len(id) < 8 || len(id) > 64 {
		return fmt.Errorf("data: invalid data ID %q", id)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == '-') {
			return fmt.Errorf("data: invalid data ID %q", id)
		}
	}
	return nil
}

// alive fails when the drive was closed or its format.json vanished (the
// folder was wiped or unmounted while we run). Writes check it so a wiped
// drive is not counted towards a write quorum; it costs one stat.
func (d *LocalDrive) alive() error {
	if d.closed.Load() {
		return fmt.Errorf("%w: %s closed", ErrDriveOffline, d.root)
	}
	if _, err := d.fs.Stat(filepath.Join(d.root, formatFile)); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrDriveOffline, d.root, err)
	}
	return nil
}

func (d *LocalDrive) Stat(ctx context.Context) (DriveStat, error) {
	if err := d.alive(); err != nil {
		return DriveStat{}, err
	}
	fm, err := readFormat(d.fs, d.root)
	if err != nil {
		return DriveStat{}, fmt.Errorf("%w: %v", ErrDriveOffline, err)
	}
	if fm.DriveID != d.info.Format.DriveID || fm.Deployment != d.info.Format.Deployment {
		return DriveStat{}, fmt.Errorf("%w: %s was reformatted while open", ErrDriveOffline, d.root)
	}
	d.sweepTrash()
	return diskUsage(d.root)
}

func (d *LocalDrive) CreateShard(ctx context.Context, stageID string, part int) (ShardWriter, error) {
	if err := validDataID(stageID); err != nil {
		return nil, err
	}
	if err := d.alive(); err != nil {
		return nil, err
	}
	dir := d.tmpPath(stageID)
	// Mkdir, not MkdirAll: a missing tmp folder means the drive is gone.
	if err := d.fs.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%w: %s: %v", ErrDriveOffline, d.root, err)
	}
	name := filepath.Join(dir, partFile(part))
	f, err := d.fs.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("data: create shard on %s: %w", d.root, err)
	}
	return &localShardWriter{f: f, name: name, fs: d.fs, pool: &d.bufs}, nil
}

func (d *LocalDrive) AbortStage(ctx context.Context, stageID string) error {
	if err := validDataID(stageID); err != nil {
		return err
	}
	return d.fs.RemoveAll(d.tmpPath(stageID))
}

func (d *LocalDrive) OpenShard(ctx context.Context, dataID string, part int, offset, length int64) (io.ReadCloser, error) {
	if err := validDataID(dataID); err != nil {
		return nil, err
	}
	if d.closed.Load() {
		return nil, fmt.Errorf("%w: %s closed", ErrDriveOffline, d.root)
	}
	f, err := d.fs.OpenFile(filepath.Join(d.dataPath(dataID), partFile(part)), os.O_RDONLY, 0)
	if isNotExist(err) {
		// Replaced or deleted after the reader chose its version.
		f, err = d.fs.OpenFile(filepath.Join(d.root, trashDir, dataID, partFile(part)), os.O_RDONLY, 0)
	}
	if err != nil {
		return nil, err
	}
	return sectionReadCloser{io.NewSectionReader(f, offset, length), f}, nil
}

type sectionReadCloser struct {
	*io.SectionReader
	io.Closer
}

// Commit implements Drive.Commit.
//
// INVARIANT: shard files are renamed into objects/ and fsynced before the
// record naming them is stored, and a shard directory is removed only after
// the index stopped referencing it. A crash in between leaves an orphan
// directory, never a record without data.
func (d *LocalDrive) Commit(ctx context.Context, stageID string, rec *objindex.Record) (objindex.PutResult, error) {
	if err := d.alive(); err != nil {
		return objindex.PutResult{}, err
	}
	hasFiles := stageID != ""
	if hasFiles {
		if err := validDataID(stageID); err != nil {
			return objindex.PutResult{}, err
		}
		if err := validDataID(rec.DataID); err != nil {
			return objindex.PutResult{}, err
		}
		if err := d.publish(stageID, rec.DataID); err != nil {
			return objindex.PutResult{}, fmt.Errorf("data: commit on %s: %w", d.root, err)
		}
	}
	res, err := d.idx.Put(rec)
	if err != nil {
		return res, fmt.Errorf("data: commit on %s: %w", d.root, err)
	}
	if res.Superseded && hasFiles {
		d.removeData(rec.DataID)
	}
	for _, old := range res.Replaced {
		if old.DataID != "" && old.DataID != rec.DataID {
			d.removeData(old.DataID)
		}
	}
	return res, nil
}

// publish moves tmp/<stageID>/* into objects/xx/<dataID>/ file by file, so
// a heal can replace one corrupt part of an existing version atomically.
func (d *LocalDrive) publish(stageID, dataID string) error {
	src, dst := d.tmpPath(stageID), d.dataPath(dataID)
	entries, err := d.fs.ReadDir(src)
	if err != nil {
		return err
	}
	if err := d.fs.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if err := d.fs.Rename(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
		names = append(names, filepath.Join(dst, e.Name()))
	}
	// The files' bytes, their names in dst and dst's name in its parent
	// become durable together: the syncs run at once, so the filesystem can
	// serve them with one journal commit instead of one after another.
	// Nothing refers to the files until the index commit that follows.
	syncs := append(names, dst, filepath.Dir(dst))
	errs := make([]error, len(syncs))
	var wg sync.WaitGroup
	slots := make(chan struct{}, 16) // a healed upload can have thousands of parts
	for i, name := range syncs {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			errs[i] = syncPath(d.fs, name)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return d.fs.Remove(src)
}

// removeData retires the shard folder of a version the index no longer
// references. It is moved to trash and deleted after the grace period, not
// at once: a GET that resolved the version just before it was replaced or
// deleted opens its shards afterwards (OpenShard looks in trash too), and
// readers that already hold the files open are unaffected either way.
func (d *LocalDrive) removeData(dataID string) {
	if validDataID(dataID) != nil {
		return
	}
	dst := filepath.Join(d.root, trashDir, dataID)
	d.fs.RemoveAll(dst) // a same-version heal may retire a folder twice
	if err := d.fs.Rename(d.dataPath(dataID), dst); err != nil {
		if !isNotExist(err) {
			d.log.Warn("cannot retire shard directory", "drive", d.root, "data", dataID, "err", err)
		}
		return
	}
	d.trashMu.Lock()
	d.trash = append(d.trash, trashEntry{dataID: dataID, at: time.Now()})
	d.trashMu.Unlock()
	d.sweepTrash()
}

// sweepTrash deletes trash older than the grace period. It runs on every
// removal and every Stat, so no goroutine is needed.
func (d *LocalDrive) sweepTrash() {
	cutoff := time.Now().Add(-d.grace)
	d.trashMu.Lock()
	var expired []string
	for len(d.trash) > 0 && !d.trash[0].at.After(cutoff) {
		expired = append(expired, d.trash[0].dataID)
		d.trash = d.trash[1:]
	}
	d.trashMu.Unlock()
	for _, id := range expired {
		if err := d.fs.RemoveAll(filepath.Join(d.root, trashDir, id)); err != nil {
			d.log.Warn("cannot remove trash", "drive", d.root, "data", id, "err", err)
		}
	}
}

func (d *LocalDrive) ReadVersion(ctx context.Context, bucket, key, versionID string, withInline bool) (*objindex.Record, error) {
	if d.closed.Load() {
		return nil, fmt.Errorf("%w: %s closed", ErrDriveOffline, d.root)
	}
	return d.idx.Get(bucket, key, versionID, withInline)
}

func (d *LocalDrive) Versions(ctx context.Context, bucket, key string) ([]*objindex.Record, error) {
	if d.closed.Load() {
		return nil, fmt.Errorf("%w: %s closed", ErrDriveOffline, d.root)
	}
	return d.idx.Versions(bucket, key)
}

func (d *LocalDrive) DeleteVersion(ctx context.Context, bucket, key, versionID string, notAfter int64) (*objindex.Record, error) {
	if err := d.alive(); err != nil {
		return nil, err
	}
	rec, err := d.idx.Delete(bucket, key, versionID, notAfter)
	if err != nil {
		return nil, err
	}
	if rec.DataID != "" {
		d.removeData(rec.DataID)
	}
	return rec, nil
}

func (d *LocalDrive) List(ctx context.Context, bucket string, q objindex.ListQuery) (objindex.ListPage, error) {
	if d.closed.Load() {
		return objindex.ListPage{}, fmt.Errorf("%w: %s closed", ErrDriveOffline, d.root)
	}
	return d.idx.List(ctx, bucket, q)
}

func (d *LocalDrive) Walk(ctx context.Context, after objindex.ObjectRef, limit int) ([]objindex.ObjectRef, bool, error) {
	if d.closed.Load() {
		return nil, false, fmt.Errorf("%w: %s closed", ErrDriveOffline, d.root)
	}
	return d.idx.Walk(ctx, after, limit)
}

func (d *LocalDrive) HasObjects(ctx context.Context, bucket string) (bool, error) {
	if d.closed.Load() {
		return false, fmt.Errorf("%w: %s closed", ErrDriveOffline, d.root)
	}
	return d.idx.HasObjects(bucket)
}

// Close closes the index. It is idempotent.
func (d *LocalDrive) Close() error {
	_, statErr := d.fs.Stat(filepath.Join(d.root, formatFile))
	if d.closed.Swap(true) {
		return nil
	}
	if statErr == nil {
		return d.idx.Close()
	}
	// The folder was wiped under us. badger retries a failed memtable flush
	// forever, so give it a folder to flush into, then remove what it wrote:
	// the drive must look empty to be reformatted at the next start.
	indexPath := filepath.Join(d.root, indexDir)
	d.fs.MkdirAll(indexPath, 0o755)
	done := make(chan error, 1)
	go func() { done <- d.idx.Close() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		err = errors.New("index close timed out")
	}
	d.fs.RemoveAll(indexPath)
	return fmt.Errorf("%w: %s closed after losing its format: %v", ErrDriveOffline, d.root, err)
}

// OrphanSweeper is an optional Drive capability (found by type assertion):
// removing shard folders that no record references, left by a crash
// between publishing shard files and committing their record.
type OrphanSweeper interface {
	// SweepOrphans removes unreferenced shard folders not modified for
	// minAge (younger ones may belong to a commit under way) and returns
	// how many it removed.
	SweepOrphans(ctx context.Context, minAge time.Duration) (int, error)
}

var _ OrphanSweeper = (*LocalDrive)(nil)

func (d *LocalDrive) SweepOrphans(ctx context.Context, minAge time.Duration) (int, error) {
	if err := d.alive(); err != nil {
		return 0, err
	}
	cutoff := time.Now().Add(-minAge)
	fans, err := d.fs.ReadDir(filepath.Join(d.root, objectsDir))
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, fan := range fans {
		dirs, err := d.fs.ReadDir(filepath.Join(d.root, objectsDir, fan.Name()))
		if err != nil {
			continue
		}
		for _, dir := range dirs {
			if err := ctx.Err(); err != nil {
				return removed, err
			}
			id := dir.Name()
			if validDataID(id) != nil || len(id) < 2 || id[:2] != fan.Name() {
				continue
			}
			info, err := dir.Info()
			if err != nil || info.ModTime().After(cutoff) {
				continue
			}
			if ok, err := d.idx.HasData(id); err != nil || ok {
				continue
			}
			d.log.Info("removing orphaned shard folder", "drive", d.root, "data", id)
			d.removeData(id)
			removed++
		}
	}
	return removed, nil
}
