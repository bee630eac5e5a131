package data

import (
	"context"
	"fmt"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// The LocalDrive side of version listings and metadata updates.

func (d *LocalDrive) ListVersions(ctx context.Context, bucket string, q objindex.VersionQuery) (objindex.ListPage, error) {
	if d.closed.Load() {
		return objindex.ListPage{}, fmt.Errorf("%w: %s closed", ErrDriveOffline, d.root)
	}
	return d.idx.ListVersions(ctx, bucket, q)
}

func (d *LocalDrive) SetVersionMeta(ctx context.Context, bucket, key, versionID string, modTime int64, u objindex.MetaUpdate) (*objindex.Record, error) {
	if err := d.alive(); err != nil {
		return nil, err
	}
	return d.idx.SetMeta(bucket, key, versionID, modTime, u)
}
