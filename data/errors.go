package data

import "errors"

// Errors added to the seam set of object.go. The S3 API maps them too.
var (
	// ErrInvalidRange means Object.Range was asked for bytes outside the object.
	ErrInvalidRange = errors.New("data: range outside the object")
	// ErrDeleteMarker is returned (with the marker's ObjectInfo) by
	// StatObject/OpenObject when the requested version ID names a delete
	// marker; S3 answers 405 MethodNotAllowed. When the latest version is a
	// marker the error is ErrObjectNotFound, also with the marker's info.
	ErrDeleteMarker = errors.New("data: version is a delete marker")
	// ErrInvalidObjectName means a bucket or key cannot be stored (a NUL
	// byte, or an empty bucket name).
	ErrInvalidObjectName = errors.New("data: invalid bucket or object name")
	// ErrInvalidParity means a parity count that the set cannot honour.
	ErrInvalidParity = errors.New("data: invalid parity for this erasure set")
	// ErrBitrot means shard bytes did not match their hash.
	ErrBitrot = errors.New("data: shard bytes do not match their bitrot hash")
	// ErrDriveOffline means a drive cannot serve requests (its folder was
	// wiped or unmounted under us, or it was closed).
	ErrDriveOffline = errors.New("data: drive offline")
	// ErrDriveNotEmpty means an unformatted drive folder holds files that
	// are not Cairn's; Cairn refuses to format over them.
	ErrDriveNotEmpty = errors.New("data: unformatted drive folder is not empty")
	// ErrDriveFormat means a drive's format.json is unreadable or
	// inconsistent with the other drives.
	ErrDriveFormat = errors.New("data: bad drive format")
)
