// Package objindex is the object index of one drive: a badger DB under the
// drive folder holding the metadata of every object version whose shards the
// drive stores, and the shard bytes of small objects (inline data).
//
// # Keys (schema version 1, declared in schema.go)
//
//	'o' bucket 0x00 key 0x00 ^modTime(8 bytes, big endian) versionID  → record
//	'i' <same suffix>                                                 → inline shard bytes
//	'd' dataID                                                        → the 'o' suffix owning dataID
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
// A value starts with an encoding version byte (1 = recordV1, see
// record.go); decoders keep every version they ever wrote, so a new field
// means a new version byte and no migration pass. Maps are encoded with
// sorted keys so equal records encode to equal bytes.
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
