// Package objindex is the object index of one drive: a badger DB under the
// drive folder holding the metadata of every object version whose shards the
// drive stores, and the shard bytes of small objects (inline data).
//
// # Keys (schema version 1, declared in schema.go)
//
//	'o' bucket 0x00 key 0x00 ^modTime(8 bytes, big endian) versionID  → record
//	'i' <same suffix>                                                 → inline shard bytes
//	'd' dataID                                                        → the 'o' suffix owning dataID, or the 'u' key
//	'u' bucket 0x00 key 0x00 uploadID                                 → multipart upload (upload.go)
//	'p' bucket 0x00 key 0x00 uploadID 0x00 partNumber(4 bytes BE)      → current attempt of one part
//	'm' "schema"                                                      → schema version byte
//
// Bucket names and keys never contain 0x00 (Put rejects it), so a prefix scan
// over 'o' bucket 0x00 prefix is a listing in key order, and the versions of
// one key follow each other newest first (inverted HLC time). Seeking to
// key+0x01 skips all versions of a key; seeking to successor(commonPrefix)
// skips a whole delimiter sub-tree. Delete markers also carry bit 0x01 in
// badger's UserMeta byte so listings can skip them without reading values.
//
// Inline bytes live under their own key so listings never read them; with
// ValueThreshold 1 KiB they sit in badger's value log, which a background
// loop garbage-collects.
//
// # Record encoding
//
// A value starts with an encoding version byte (see record.go): v1; v2 adds
// the writer's POSIX uid/gid; v3 adds object-lock retention and legal
// hold, MetaTime and per-part checksums and times; v4 (written now) adds
// the ID of the multipart upload a version completed. Decoders keep
// every version they ever wrote, so a new field means a new version byte
// and no migration pass. Maps are encoded with sorted keys so equal records
// encode to equal bytes. Newer orders versions exactly as the keys do
// (newest first, ties by VersionID ascending), so merges of drive listings
// agree with each drive's order.
//
// Tags, retention, legal hold and the ACL are mutable: SetMeta rewrites only the
// record value of one version (same key, same UserMeta, inline bytes
// untouched) in one transaction; a MetaTime older than the stored one is
// ignored. ListVersions lists every version (delete markers included) with
// the same prefix/delimiter rules as List, resuming after a VersionPos.
//
// # Multipart uploads
//
// An upload and its parts live under 'u' and 'p' with their own encodings
// (uploadV2 — v1 plus the ACL; v1 still decodes — and partV1, upload.go). PutUpload claims the upload's data folder
// ('d' → the 'u' key); completing stores a version with the same DataID,
// which moves the claim to the version, after which PutPart refuses parts
// (ErrUploadSealed). DeleteUpload removes the records and reports whether
// the folder is still the upload's (garbage) or which files the version
// names; RevertCompletion gives the claim back. Part.File (v3) names a
// part's shard file when it is not its number.
//
// # Invariants
//
//   - INVARIANT: a version's 'o', 'i' and 'd' keys are written and removed
//     in one transaction: a record never exists without its inline bytes.
//   - INVARIANT: a key has at most one NullVersion record: the newest put.
//     An older null put is dropped (PutResult.Superseded) so drives converge
//     on the newest write whatever order concurrent writers arrive in.
//   - Writers of one key are serialized by a striped mutex, so badger's
//     conflict detection is off; unrelated keys commit concurrently and
//     badger groups their fsyncs (SyncWrites is on unless Options.NoSync).
//
// Options are tuned down from badger's defaults (8 MiB memtables, two of
// them, 8 MiB block cache, 64 MiB value-log files, two compactors): a node
// opens one DB per drive, and badger's defaults use hundreds of MB each.
package objindex
