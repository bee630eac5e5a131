package data

import (
	"context"
	"io"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// DriveInfo is a drive's identity. It never does I/O.
type DriveInfo struct {
	// Endpoint names the drive in logs and health: its folder for a local
	// drive, a URL for a remote one.
	Endpoint string
	Format   Format
	// Fresh is true when the drive was formatted at this start into an
	// existing deployment (a replaced or wiped drive): it needs refilling.
	Fresh bool
}

// DriveStat is a drive's health and capacity.
type DriveStat struct {
	TotalBytes uint64
	FreeBytes  uint64
}

// ShardWriter receives one shard file of one part in a drive's tmp area.
type ShardWriter interface {
	io.Writer
	// Close finishes writing the file. It is neither durable nor
	// visible yet: Drive.Commit (or the part commit of a multipart upload)
	// makes it both, before the index refers to it.
	Close() error
	// Abort discards the file. It is safe to call after Close or twice.
	Abort()
}

// ShardStore is the shard-file half of a drive. Committed shard files are
// named by a version's DataID and part number; files being written live in
// a staging folder of tmp named by a stage ID chosen by the writer, so two
// writers (a PUT and a heal, or heals from two nodes) never collide. IDs are
// 8–64 characters of [0-9a-f-].
type ShardStore interface {
	// CreateShard starts writing the shard file of part into stage stageID.
	CreateShard(ctx context.Context, stageID string, part int) (ShardWriter, error)
	// AbortStage removes stage stageID from tmp. Idempotent.
	AbortStage(ctx context.Context, stageID string) error
	// OpenShard reads length bytes at offset of a committed shard file. The
	// reader reports io.EOF early if the file is short; verifying the bytes
	// is the caller's job.
	OpenShard(ctx context.Context, dataID string, part int, offset, length int64) (io.ReadCloser, error)
}

// IndexStore is the object-index half of a drive. Lookups that find nothing
// return an error wrapping objindex.ErrNotFound.
type IndexStore interface {
	// ReadVersion returns one version ("" = this drive's newest), with its
	// inline bytes when withInline.
	ReadVersion(ctx context.Context, bucket, key, versionID string, withInline bool) (*objindex.Record, error)
	// Versions returns all versions of a key, newest first, without inline bytes.
	Versions(ctx context.Context, bucket, key string) ([]*objindex.Record, error)
	// DeleteVersion removes a version whose ModTime ≤ notAfter, then its
	// shard files, and returns the removed record.
	DeleteVersion(ctx context.Context, bucket, key, versionID string, notAfter int64) (*objindex.Record, error)
	List(ctx context.Context, bucket string, q objindex.ListQuery) (objindex.ListPage, error)
	Walk(ctx context.Context, after objindex.ObjectRef, limit int) ([]objindex.ObjectRef, bool, error)
	// HasObjects reports whether any version of any key of bucket exists.
	HasObjects(ctx context.Context, bucket string) (bool, error)
	// ListVersions returns one page of every version of the keys of a
	// bucket (delete markers included), by key then newest first.
	ListVersions(ctx context.Context, bucket string, q objindex.VersionQuery) (objindex.ListPage, error)
	// SetVersionMeta replaces the mutable metadata (tags, retention, legal
	// hold, ACL) of the version (versionID, modTime) atomically and returns the
	// stored record.
	SetVersionMeta(ctx context.Context, bucket, key, versionID string, modTime int64, u objindex.MetaUpdate) (*objindex.Record, error)
}

// Drive is one drive of an erasure set. LocalDrive implements it over a
// folder; a remote drive will implement it over the internal RPC. All
// methods are safe for concurrent use.
type Drive interface {
	Info() DriveInfo
	// Stat checks that the drive is usable (its format is still the one it
	// was opened with) and reports capacity.
	Stat(ctx context.Context) (DriveStat, error)
	ShardStore
	IndexStore
	UploadStore // multipart uploads in progress (multipart_drive.go)
	// Commit publishes one version on this drive: it moves the shard files
	// of stage stageID (none when stageID is empty) into the shard folder of
	// rec.DataID, then stores rec. The record is the commit point. Versions the record
	// replaces (an older null version) or a commit that is superseded (a
	// newer null version exists) have their shard files removed after the
	// index no longer references them.
	Commit(ctx context.Context, stageID string, rec *objindex.Record) (objindex.PutResult, error)
	// Close releases the drive. Calls after Close fail with ErrDriveOffline.
	Close() error
}
