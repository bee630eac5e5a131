package s3api

import (
	"context"
	"io"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// Buckets is the control-plane view the API needs. Reads are served from
// memory; writes return once the change is applied on this node, so a
// client reads its own writes.
type Buckets interface {
	Bucket(name string) (meta.Bucket, bool)
	Buckets() []meta.Bucket
	// CreateBucket fails with meta.ErrBucketExists if the name is taken.
	CreateBucket(ctx context.Context, b meta.Bucket) error
	// DeleteBucket fails with meta.ErrNoSuchBucket if it does not exist.
	DeleteBucket(ctx context.Context, name string) error
	// PutBucketVersioning sets meta.VersioningEnabled or
	// meta.VersioningSuspended (meta.ErrInvalidArgument when object lock
	// forbids suspending).
	PutBucketVersioning(ctx context.Context, name, status string) error
	// SetBucketConfig stores value as the bucket's configuration of kind
	// (meta.Config*), or removes it when del is set.
	SetBucketConfig(ctx context.Context, name, kind, value string, del bool) error
}

// Objects is the data plane the API needs.
type Objects interface {
	// PutObject streams body (exactly size bytes) into a new version.
	PutObject(ctx context.Context, bucket, key string, body io.Reader, size int64, opts data.PutOptions) (data.ObjectInfo, error)
	// StatObject returns the version's record without reading data.
	StatObject(ctx context.Context, bucket, key string, opts data.GetOptions) (data.ObjectInfo, error)
	// OpenObject reads the version's record once (from a read quorum); the
	// caller then evaluates preconditions and ranges on Info and reads
	// bytes from the same version.
	OpenObject(ctx context.Context, bucket, key string, opts data.GetOptions) (data.Object, error)
	DeleteObject(ctx context.Context, bucket, key string, opts data.DeleteOptions) (data.ObjectInfo, error)
	ListObjects(ctx context.Context, bucket string, opts data.ListOptions) (data.ListResult, error)
	// BucketEmpty reports whether a bucket holds no object version.
	BucketEmpty(ctx context.Context, bucket string) (bool, error)

	// Multipart uploads, version listing and metadata updates.
	data.MultipartObjects
}
