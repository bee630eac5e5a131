package data

import (
	"context"
	"errors"
	"io"
	"time"
)

// ObjectInfo describes one object version as the index records it.
type ObjectInfo struct {
	Bucket    string
	Key       string
	VersionID string // "null" for the version of an unversioned bucket
	IsLatest  bool
	// DeleteMarker is true for a version that records a deletion.
	DeleteMarker bool

	Size    int64
	ModTime time.Time
	// ETag is the hex MD5 of the body (no quotes), or "<md5-of-md5s>-N" for multipart.
	ETag string
	// Headers are the stored standard headers and user metadata, keyed as the
	// client sent them: Content-Type, Content-Encoding, Content-Disposition,
	// Content-Language, Cache-Control, Expires and X-Amz-Meta-*.
	Headers map[string]string
	// Checksums maps an algorithm ("CRC32", "CRC32C", "CRC64NVME", "SHA1",
	// "SHA256") to its base64 value, as S3 returns it.
	Checksums map[string]string
	// Owner is the canonical ID of the writer.
	Owner string
	// PosixUID and PosixGID are the writer's POSIX identity, if it has one.
	PosixUID *uint32
	PosixGID *uint32
	// Meta is the version's tags, retention, legal hold and ACL.
	Meta VersionMeta
	// Parts lists the parts of a multipart object (nil for a single PUT).
	Parts []PartInfo
}

// Object is an opened object version: its record, and its bytes on demand.
type Object interface {
	Info() ObjectInfo
	// Range returns a reader of length bytes from offset. It verifies bitrot
	// per chunk, reads only the blocks the range touches, and reconstructs
	// from parity when a shard is missing or corrupt.
	Range(ctx context.Context, offset, length int64) (io.ReadCloser, error)
}

// Sealed is what the caller of PutObject learns about a body only once it has
// been read to the end: its ETag and verified checksums.
type Sealed struct {
	ETag      string
	Checksums map[string]string
}

// PutOptions carries everything about a write besides its body.
type PutOptions struct {
	Headers map[string]string
	Owner   string
	// PosixUID and PosixGID stamp the version with the writer's POSIX
	// identity (nil: none).
	PosixUID *uint32
	PosixGID *uint32
	// Versioned makes the write create a new version instead of replacing
	// the "null" version.
	Versioned bool
	// ParityShards overrides the set's parity for this object (storage
	// class); zero means the set's default.
	ParityShards int
	// Meta sets the new version's tags, retention, legal hold and ACL.
	Meta VersionMeta
	// Pre makes the write conditional (If-None-Match / If-Match).
	Pre Preconditions
	// Seal is called after the body has been read to EOF and before anything
	// is committed; an error aborts the write and nothing becomes visible.
	// A nil Seal records no ETag and no checksums.
	Seal func() (Sealed, error)
}

// GetOptions selects the version to read.
type GetOptions struct {
	VersionID string // empty: the latest version
	// PartNumber, when > 0, selects one part of a multipart object: Info
	// describes the whole object but Range offsets are within the part
	// (see ObjectInfo.Parts).
	PartNumber int
}

// DeleteOptions selects what a delete removes.
type DeleteOptions struct {
	VersionID string
	Versioned bool // put a delete marker instead of removing the null version
	// Suspended (versioning suspended): replace the null version with a
	// null delete marker, keeping other versions.
	Suspended bool
	// Guard, when set, is called with the version about to be removed
	// (under the key's lock); an error (e.g. ErrObjectLocked) refuses it.
	Guard func(ObjectInfo) error
}

// ListOptions is a listing request over one bucket.
type ListOptions struct {
	Prefix    string
	Delimiter string
	// After lists keys strictly after this one (marker / start-after /
	// decoded continuation token).
	After   string
	MaxKeys int
}

// ListResult is one page of a listing. Entries and CommonPrefixes are each
// sorted; together they hold at most MaxKeys items.
type ListResult struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// NextAfter is the last key or common prefix returned, to continue from.
	NextAfter string
}

// Errors returned by the object layer. The S3 API maps them to AWS codes.
var (
	ErrObjectNotFound  = errors.New("data: object not found")
	ErrVersionNotFound = errors.New("data: version not found")
	// ErrIncompleteBody means the body ended before its declared size.
	ErrIncompleteBody = errors.New("data: body shorter than declared size")
	// ErrBodyTooLong means the body continued past its declared size.
	ErrBodyTooLong  = errors.New("data: body longer than declared size")
	ErrReadQuorum   = errors.New("data: not enough drives online to read")
	ErrWriteQuorum  = errors.New("data: not enough drives online to write")
	ErrDriveForeign = errors.New("data: drive belongs to another deployment")
)
