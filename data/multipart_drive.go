package data

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// UploadStore is the multipart half of a drive: uploads in progress, their
// parts' records, and the parts' shard files in the upload's data folder.
// Lookups that find nothing return an error wrapping objindex.ErrNotFound.
type UploadStore interface {
	// CreateUpload stores a new upload and claims its data folder.
	CreateUpload(ctx context.Context, u *objindex.Upload) error
	ReadUpload(ctx context.Context, bucket, key, uploadID string) (*objindex.Upload, error)
	// CommitPart moves the shard file of stage stageID into the upload's
	// data folder (as part.<p.File>) and stores p as the part's current
	// attempt. The file of the attempt it replaces is removed, or its own
	// when a newer attempt is stored (Superseded). It fails, removing its
	// file, when the upload is not on this drive (objindex.ErrNotFound) or
	// is being completed (objindex.ErrUploadSealed).
	CommitPart(ctx context.Context, stageID string, p *objindex.UploadPart) (objindex.PartResult, error)
	// RemovePart removes the attempt p (its record, if still current, and
	// its file): the rollback of a part write that missed its quorum.
	RemovePart(ctx context.Context, p *objindex.UploadPart) error
	// UploadParts returns up to limit (≤ 0: all) current parts numbered
	// above after, by number; more is true when some remain.
	UploadParts(ctx context.Context, bucket, key, uploadID string, after, limit int) ([]*objindex.UploadPart, bool, error)
	// RemoveUpload removes an upload and its parts' records. If a completed
	// version now owns the data folder, the files that version does not
	// name are removed; otherwise the whole folder is.
	RemoveUpload(ctx context.Context, bucket, key, uploadID string) error
	// RevertCompletion removes the version rec that completed uploadID (if
	// stored) and gives the data folder back to the upload, keeping every
	// file: the rollback of a completion that missed its quorum.
	RevertCompletion(ctx context.Context, rec *objindex.Record, uploadID string) error
	ListUploads(ctx context.Context, bucket string, q objindex.UploadQuery) (objindex.UploadPage, error)
	// WalkUploads returns up to limit uploads of all buckets after after.
	WalkUploads(ctx context.Context, after objindex.UploadRef, limit int) ([]objindex.UploadRef, bool, error)
}

var _ UploadStore = (*LocalDrive)(nil)

func (d *LocalDrive) checkOpen() error {
	if d.closed.Load() {
		return fmt.Errorf("%w: %s closed", ErrDriveOffline, d.root)
	}
	return nil
}

func (d *LocalDrive) CreateUpload(ctx context.Context, u *objindex.Upload) error {
	if err := validDataID(u.DataID); err != nil {
		return err
	}
	if err := d.alive(); err != nil {
		return err
	}
	return d.idx.PutUpload(u)
}

func (d *LocalDrive) ReadUpload(ctx context.Context, bucket, key, uploadID string) (*objindex.Upload, error) {
	if err := d.checkOpen(); err != nil {
		return nil, err
	}
	return d.idx.GetUpload(bucket, key, uploadID)
}

func (d *LocalDrive) CommitPart(ctx context.Context, stageID string, p *objindex.UploadPart) (objindex.PartResult, error) {
	if err := validDataID(stageID); err != nil {
		return objindex.PartResult{}, err
	}
	if err := d.alive(); err != nil {
		return objindex.PartResult{}, err
	}
	u, err := d.idx.GetUpload(p.Bucket, p.Key, p.UploadID)
	if err != nil {
		return objindex.PartResult{}, err
	}
	if err := validDataID(u.DataID); err != nil {
		return objindex.PartResult{}, err
	}
	if err := d.publish(stageID, u.DataID); err != nil {
		return objindex.PartResult{}, fmt.Errorf("data: commit part on %s: %w", d.root, err)
	}
	res, err := d.idx.PutPart(p)
	if err != nil {
		// Aborted or completed meanwhile: the file is nobody's.
		d.removePartFile(u.DataID, p.File)
		d.fs.Remove(d.dataPath(u.DataID)) // only if now empty
		return res, fmt.Errorf("data: commit part on %s: %w", d.root, err)
	}
	if res.Superseded {
		d.removePartFile(u.DataID, p.File)
	}
	if res.Replaced != nil {
		d.removePartFile(u.DataID, res.Replaced.File)
	}
	return res, nil
}

// removePartFile deletes one shard file of an upload at once: unlike a
// version's folder, the file of a replaced or unlisted part has no
// readers to wait for.
func (d *LocalDrive) removePartFile(dataID string, file int) {
	if validDataID(dataID) != nil {
		return
	}
	err := d.fs.Remove(filepath.Join(d.dataPath(dataID), partFile(file)))
	if err != nil && !isNotExist(err) {
		d.log.Warn("cannot remove part file", "drive", d.root, "data", dataID, "file", file, "err", err)
	}
}

func (d *LocalDrive) RemovePart(ctx context.Context, p *objindex.UploadPart) error {
	if err := d.alive(); err != nil {
		return err
	}
	dataID, err := d.idx.DeletePart(p.Bucket, p.Key, p.UploadID, p.Number, p.File)
	if err != nil {
		if !errors.Is(err, objindex.ErrNotFound) {
			return err
		}
		// Not the current attempt (or no upload): only the file is ours.
		u, uerr := d.idx.GetUpload(p.Bucket, p.Key, p.UploadID)
		if uerr != nil {
			return err
		}
		dataID = u.DataID
	}
	d.removePartFile(dataID, p.File)
	return nil
}

func (d *LocalDrive) UploadParts(ctx context.Context, bucket, key, uploadID string, after, limit int) ([]*objindex.UploadPart, bool, error) {
	if err := d.checkOpen(); err != nil {
		return nil, false, err
	}
	return d.idx.Parts(bucket, key, uploadID, after, limit)
}

func (d *LocalDrive) RemoveUpload(ctx context.Context, bucket, key, uploadID string) error {
	if err := d.alive(); err != nil {
		return err
	}
	rm, err := d.idx.DeleteUpload(bucket, key, uploadID)
	if err != nil {
		return err
	}
	dataID := rm.Upload.DataID
	if validDataID(dataID) != nil {
		return nil
	}
	if rm.Owned {
		// Nobody reads an upload's parts: no trash grace needed.
		if err := d.fs.RemoveAll(d.dataPath(dataID)); err != nil {
			return fmt.Errorf("data: remove upload data on %s: %w", d.root, err)
		}
		return nil
	}
	keep := map[string]bool{}
	for _, f := range rm.Keep {
		keep[partFile(f)] = true
	}
	entries, err := d.fs.ReadDir(d.dataPath(dataID))
	if err != nil {
		if isNotExist(err) {
			return nil
		}
		return fmt.Errorf("data: remove unlisted parts on %s: %w", d.root, err)
	}
	for _, e := range entries {
		if name := e.Name(); !keep[name] && isPartFile(name) {
			if err := d.fs.Remove(filepath.Join(d.dataPath(dataID), name)); err != nil && !isNotExist(err) {
				return fmt.Errorf("data: remove unlisted part on %s: %w", d.root, err)
			}
		}
	}
	return nil
}

func isPartFile(name string) bool {
	n, ok := strings.CutPrefix(name, "part.")
	if !ok {
		return false
	}
	_, err := strconv.ParseUint(n, 10, 63)
	return err == nil
}

func (d *LocalDrive) RevertCompletion(ctx context.Context, rec *objindex.Record, uploadID string) error {
	if err := d.alive(); err != nil {
		return err
	}
	return d.idx.RevertCompletion(rec.Bucket, rec.Key, rec.VersionID, rec.ModTime, uploadID)
}

func (d *LocalDrive) ListUploads(ctx context.Context, bucket string, q objindex.UploadQuery) (objindex.UploadPage, error) {
	if err := d.checkOpen(); err != nil {
		return objindex.UploadPage{}, err
	}
	return d.idx.ListUploads(ctx, bucket, q)
}

func (d *LocalDrive) WalkUploads(ctx context.Context, after objindex.UploadRef, limit int) ([]objindex.UploadRef, bool, error) {
	if err := d.checkOpen(); err != nil {
		return nil, false, err
	}
	return d.idx.WalkUploads(ctx, after, limit)
}
