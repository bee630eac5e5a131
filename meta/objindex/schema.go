package objindex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Every key of the index starts with one namespace byte. They are declared
// here and nowhere else.
const (
	// nsVersion: nsVersion | bucket | 0x00 | key | 0x00 | ^modTime (8 bytes BE) | versionID
	// → encoded Record (without inline bytes). Sorting by this key lists
	// buckets, then keys in byte order, then versions newest first.
	nsVersion byte = 'o'
	// nsInline: same suffix as nsVersion → the drive's inline shard bytes.
	// Kept apart from the record so a listing never drags them through the
	// LSM tree (they go to the value log above ValueThreshold).
	nsInline byte = 'i'
	// nsData: nsData | dataID → the nsVersion suffix of the version owning
	// the shard directory dataID, or the whole nsUpload key of the
	// multipart upload writing into it (distinct: it starts with 'u' where
	// the suffix starts with the bucket of the same upload); lets a scanner
	// find orphaned shard files.
	nsData byte = 'd'
	// nsMeta: nsMeta | name → index-wide settings (schema version).
	nsMeta byte = 'm'
	// nsUpload: nsUpload | bucket | 0x00 | key | 0x00 | uploadID → encoded
	// Upload (upload.go): a multipart upload in progress. Upload IDs start
	// with the initiation time in fixed-width hex, so the uploads of a key
	// sort by initiation.
	nsUpload byte = 'u'
	// nsPart: nsPart | bucket | 0x00 | key | 0x00 | uploadID | 0x00 |
	// partNumber (4 bytes BE) → encoded UploadPart: the current attempt of
	// one part of an upload.
	nsPart byte = 'p'
)

// schemaKey holds the layout version of the index as one decimal byte string.
var schemaKey = []byte{nsMeta, 's', 'c', 'h', 'e', 'm', 'a'}

// SchemaVersion is the key layout written by this code.
const SchemaVersion = 1

// userMetaDeleteMarker is set in badger's per-entry UserMeta byte of an
// nsVersion entry that is a delete marker, so listings can skip markers
// without decoding values.
const userMetaDeleteMarker byte = 0x01

// ErrInvalidName means a bucket or key cannot be stored: empty bucket, or a
// NUL byte (the separator of the key encoding).
var ErrInvalidName = errors.New("objindex: invalid bucket or object name")

func checkNames(bucket, key string) error {
	if bucket == "" || strings.IndexByte(bucket, 0) >= 0 || strings.IndexByte(key, 0) >= 0 {
		return fmt.Errorf("%w: %q/%q", ErrInvalidName, bucket, key)
	}
	return nil
}

// bucketPrefix is nsVersion | bucket | 0x00.
func bucketPrefix(bucket string) []byte {
	b := make([]byte, 0, len(bucket)+2)
	b = append(b, nsVersion)
	b = append(b, bucket...)
	return append(b, 0)
}

// objectPrefix is nsVersion | bucket | 0x00 | key | 0x00: all versions of one key.
func objectPrefix(bucket, key string) []byte {
	b := make([]byte, 0, len(bucket)+len(key)+3)
	b = append(b, nsVersion)
	b = append(b, bucket...)
	b = append(b, 0)
	b = append(b, key...)
	return append(b, 0)
}

// versionKey is the nsVersion key of one version.
func versionKey(bucket, key string, modTime int64, versionID string) []byte {
	b := objectPrefix(bucket, key)
	b = binary.BigEndian.AppendUint64(b, ^uint64(modTime))
	return append(b, versionID...)
}

// withNamespace returns k with its namespace byte replaced by ns.
func withNamespace(k []byte, ns byte) []byte {
	out := make([]byte, len(k))
	copy(out, k)
	out[0] = ns
	return out
}

// parsedKey is a decoded nsVersion key.
type parsedKey struct {
	bucket, key string
	modTime     int64
	versionID   string
}

func parseVersionKey(k []byte) (parsedKey, error) {
	if len(k) < 1 || k[0] != nsVersion {
		return parsedKey{}, fmt.Errorf("objindex: not a version key: %q", k)
	}
	rest := k[1:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return parsedKey{}, fmt.Errorf("objindex: corrupt version key: %q", k)
	}
	bucket := string(rest[:i])
	rest = rest[i+1:]
	j := bytes.IndexByte(rest, 0)
	if j < 0 || len(rest) < j+1+8 {
		return parsedKey{}, fmt.Errorf("objindex: corrupt version key: %q", k)
	}
	key := string(rest[:j])
	rest = rest[j+1:]
	mt := int64(^binary.BigEndian.Uint64(rest[:8]))
	return parsedKey{bucket: bucket, key: key, modTime: mt, versionID: string(rest[8:])}, nil
}

// keyName returns the object key part of an nsVersion key within a bucket
// whose prefix (bucketPrefix) has length bp, without allocating a parse.
func keyName(k []byte, bp int) []byte {
	rest := k[bp:]
	if i := bytes.IndexByte(rest, 0); i >= 0 {
		return rest[:i]
	}
	return rest
}

// successor returns the smallest string greater than every string having p
// as a prefix, or "" when none exists (p is empty or all 0xFF).
func successor(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}
