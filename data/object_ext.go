package data

import (
	"context"
	"errors"
	"io"
	"time"
)

// This file declares the object-layer API of multipart uploads, versions,
// metadata updates and conditional writes (issue 4). The S3 layer consumes
// it through s3api.Objects.

// Retention is an object-lock retention of one version.
type Retention struct {
	Mode  string    // "GOVERNANCE" or "COMPLIANCE"; "" = none
	Until time.Time // retain-until date
}

// VersionMeta is the mutable metadata of a version: what PutObjectTagging,
// PutObjectRetention, PutObjectLegalHold and PutObjectAcl change without
// rewriting data. It is also set at write time through PutOptions.Meta.
type VersionMeta struct {
	Tags      map[string]string
	Retention Retention
	LegalHold bool
	// ACL is the version's access control list in an encoding owned by
	// package iam (iam.ACL.Encode); the data layer stores it opaquely.
	// nil means none stored (the layer above applies its default).
	ACL []byte
}

// PartInfo describes one part of an upload or of a completed object.
type PartInfo struct {
	Number    int
	Size      int64
	ETag      string // hex MD5 of the part, no quotes
	Checksums map[string]string
	ModTime   time.Time
}

// CompletePart is one part named in CompleteMultipartUpload.
type CompletePart struct {
	Number    int
	ETag      string // as the client sent it, quotes stripped
	Checksums map[string]string
}

// Upload is one multipart upload in progress.
type Upload struct {
	Bucket, Key, UploadID string
	Initiated             time.Time
	Owner                 string
	// Options are the PutOptions given at creation (headers, owner, tags,
	// versioning...), applied to the object at completion.
	Options PutOptions
}

// ListUploadsOptions is a ListMultipartUploads request.
type ListUploadsOptions struct {
	Prefix, Delimiter         string
	KeyMarker, UploadIDMarker string
	MaxUploads                int // default and cap 1000
}

// ListUploadsResult is one page of uploads, sorted by key then initiation.
type ListUploadsResult struct {
	Uploads                           []Upload
	CommonPrefixes                    []string
	IsTruncated                       bool
	NextKeyMarker, NextUploadIDMarker string
}

// ListPartsResult is one page of an upload's parts, by part number.
type ListPartsResult struct {
	Upload               Upload
	Parts                []PartInfo
	IsTruncated          bool
	NextPartNumberMarker int
}

// ListVersionsOptions is a ListObjectVersions request.
type ListVersionsOptions struct {
	Prefix, Delimiter          string
	KeyMarker, VersionIDMarker string
	MaxKeys                    int // default and cap 1000
}

// ListVersionsResult is one page of versions: by key, newest first within
// a key, delete markers included (DeleteMarker set), IsLatest set.
type ListVersionsResult struct {
	Versions                           []ObjectInfo
	CommonPrefixes                     []string
	IsTruncated                        bool
	NextKeyMarker, NextVersionIDMarker string
}

// Preconditions of a conditional write, checked atomically with the commit
// (under the key's lock), against the latest version.
type Preconditions struct {
	// IfNoneMatch "*": fail if the key has a current (non-delete-marker)
	// version.
	IfNoneMatchAny bool
	// IfMatch: fail unless the current version's ETag equals it (quotes
	// stripped) — also when there is no current version.
	IfMatch string
}

// Errors of the issue-4 object API.
var (
	ErrNoSuchUpload       = errors.New("data: no such multipart upload")
	ErrInvalidPart        = errors.New("data: a listed part was not uploaded or its ETag does not match")
	ErrInvalidPartOrder   = errors.New("data: parts are not in ascending order")
	ErrEntityTooSmall     = errors.New("data: a part other than the last is smaller than 5 MiB")
	ErrPreconditionFailed = errors.New("data: precondition failed")
	// ErrConditionalConflict means a conditional write raced another write
	// to the same key that committed first.
	ErrConditionalConflict = errors.New("data: conflicting conditional write")
	// ErrObjectLocked means a version is protected by retention or a legal
	// hold (returned by a guarded delete).
	ErrObjectLocked = errors.New("data: version is protected by object lock")
)

// MultipartObjects is the multipart and versioning part of the object layer.
type MultipartObjects interface {
	CreateMultipartUpload(ctx context.Context, bucket, key string, opts PutOptions) (Upload, error)
	// PutObjectPart stores part partNumber (1–10000) of size bytes, read to
	// EOF like PutObject; seal yields its ETag and checksums. Re-uploading a
	// part number replaces it.
	PutObjectPart(ctx context.Context, bucket, key, uploadID string, partNumber int, body io.Reader, size int64, seal func() (Sealed, error)) (PartInfo, error)
	ListParts(ctx context.Context, bucket, key, uploadID string, marker, maxParts int) (ListPartsResult, error)
	// CompleteMultipartUpload commits the listed parts as one version
	// without copying data. ETag is "<hex md5 of the part MD5s>-N".
	CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletePart, pre Preconditions) (ObjectInfo, error)
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
	ListMultipartUploads(ctx context.Context, bucket string, opts ListUploadsOptions) (ListUploadsResult, error)

	ListObjectVersions(ctx context.Context, bucket string, opts ListVersionsOptions) (ListVersionsResult, error)
	// UpdateVersionMeta applies fn to the mutable metadata of a version
	// ("" = latest) on every drive holding it, atomically per drive.
	UpdateVersionMeta(ctx context.Context, bucket, key, versionID string, fn func(info ObjectInfo, m *VersionMeta) error) (ObjectInfo, error)
}
