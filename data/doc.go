// Package data is Cairn's data plane: drives, erasure sets, Reed–Solomon
// coding, bitrot protection, shard files and healing. A Store is one
// erasure set of n drives serving the S3 layer's Objects interface.
//
// # Drives
//
// Drive (drive.go) is the seam a remote drive will implement over the
// internal RPC; LocalDrive implements it over a folder. Shard-file I/O goes
// through the small FS interface so tests can inject faults; the per-drive
// badger index (package meta/objindex) opens its own files.
//
// # On-disk layout of a drive (LayoutVersion 1)
//
//	<drive>/format.json                   identity, see Format (FormatVersion 1)
//	<drive>/index/                        badger object index (meta/objindex)
//	<drive>/tmp/<stageID>/part.N          shard files being written
//	<drive>/objects/<id[0:2]>/<id>/part.N committed shard files of DataID id
//	                                      (N: the part's file number, see below)
//	<drive>/trash/<id>/                   retired shard folders, kept for a grace period
//
// format.json holds the deployment ID, drive ID, set index, the drive's slot
// in its set (which decides which drive is which, not the order of the
// configured paths), the set size and the layout version. OpenLocal formats
// all drives of a new deployment, verifies them on restart, refuses a drive
// of another deployment (ErrDriveForeign, naming its path) or an
// unformatted folder holding foreign files (ErrDriveNotEmpty), and formats
// an empty folder among formatted drives into its free slot, marked Fresh:
// NewStore then refills it with a background HealAll. tmp and trash are
// emptied at every open.
//
// # Shard file format
//
// An object part is cut into blocks of BlockSize (1 MiB) bytes; each block
// is split into k chunks of ceil(len/k) bytes (zero-padded) and encoded to
// m parity chunks. The shard file of shard i is, for every block in order,
//
//	HighwayHash-256(chunk) (32 bytes) | chunk
//
// so block b starts at b × (32 + ceil(BlockSize/k)) and a range read opens
// each shard once at its first block and stops after its last. The hash is
// keyed with the fixed, public key bitrotKey ("cairn/bitrot/highwayhash256/v1.\x00");
// it detects corruption and is not a MAC. Objects of at most
// InlineThreshold (128 KiB) bytes store exactly these bytes inline in the
// drive's index record instead of in a file. Which shard a drive holds is a
// rotation by a hash of bucket/key (distribution) so data shards, the ones
// reads prefer, spread over all drives; each record states its shard index.
//
// # Write, read, heal
//
// PUT streams the body through one pooled block buffer (memory does not
// grow with the object), writes every block's shards to all drives in
// parallel, reads the body to io.EOF, calls Seal, then commits the
// record on every drive and succeeds on the write quorum (k, or k+1 when
// k == m). A failed PUT aborts its stage and rolls back the commits that
// happened. Reads ask every drive for the record, need n − writeQuorum + 1
// answers, and serve the newest version held by at least k drives; chunks
// are verified and missing or corrupt shards reconstructed from parity,
// logged (slog Warn with bucket, key, drive) and the key queued for healing.
// HealObject and HealAll verify every shard of every version and rewrite
// what is missing or corrupt on online drives, converge stale metadata
// (below), purge versions that too few drives hold to ever read (failed
// writes, once older than PurgeGrace, with all drives online), and sweep
// unreferenced shard folders.
//
// # Versions, metadata, conditional writes
//
// A write with PutOptions.Versioned adds a version with a fresh UUID;
// without it the write replaces only the "null" version (objindex keeps at
// most one), other versions stay. DeleteObject adds a delete marker
// (Versioned: new ID; Suspended: a "null" marker replacing the null
// version), or removes one version or the null version; a Guard sees the
// version about to be removed and can refuse (object lock). Tags,
// retention, legal hold (objindex v3) and the ACL (VersionMeta.ACL, an iam
// encoding stored opaquely in Record.ACL) live in the record and change in
// place through UpdateVersionMeta, atomically per drive, stamped with a
// MetaTime so that readers of copies that differ take the newest. A drive
// that missed an update converges: HealObject/HealAll push the newest
// metadata (highest MetaTime) to holders with an older one through
// SetVersionMeta, and a read that sees copies differ queues the key for
// healing. A drive ignores metadata older than its own, in SetMeta and
// when a heal re-commits an existing version, so healing never rolls an
// update back.
// ListObjectVersions merges n − writeQuorum + 1 drives' version listings
// like ListObjects, with S3's key/version-id markers (versions.go).
//
// Every commit of one key — PUT, complete, delete, delete marker, metadata
// update — runs under the key's lock in this Store (conditional.go) and
// stamps its ModTime there, so versions order as they commit and
// If-None-Match / If-Match are re-checked atomically with the commit: a
// precondition that held when the write started but not at its commit is
// ErrConditionalConflict (409), one that failed at the start is
// ErrPreconditionFailed (412).
//
// # Multipart uploads
//
// An upload (multipart*.go) is a record on each drive's index (objindex
// upload.go, its own key space), created, and removed at abort or
// completion, on a write quorum; it exists for a read when k drives hold
// it. It carries the creation's options, the ACL included (upload encoding
// v2), which completion puts on the version. It fixes the erasure layout of
// every part and names the upload's data
// folder objects/<dataID>/, which the index marks as the upload's so the
// orphan sweep leaves it alone. Upload IDs are the initiation time in hex
// then 128 random bits: unique, unguessable, sorted by initiation.
//
// A part is written exactly like an object (blocks, erasure coding,
// bitrot hashes, tmp, fsync) into a shard file of its own, part.<F> with F
// random above 10,000, and its record (size, ETag, checksums, F) is
// committed on a write quorum; the newest committed attempt of a number
// wins on each drive, and the drive deletes the file of the attempt it
// replaces. No file is ever overwritten, so a failed or racing re-upload
// can never mix shards of two attempts. A part is listed when k drives
// agree on its attempt.
//
// Completion validates the listed parts and commits one version whose
// DataID is the upload's folder and whose parts name the attempts' files
// (objindex.Part.File): no byte is copied. The version takes the folder
// over in the index (the drive then refuses parts), then the upload's
// records and the files of unlisted or replaced parts are removed. A
// completion below quorum is reverted, handing the folder back to the
// upload. Part commits, completion and abort of one upload are serialized
// by a lock in the Store.
//
// Completion is idempotent, as S3's is for SDK retries: the version's
// record names the upload it completed (objindex Record.UploadID, v4), and
// a completion first looks among the key's versions for one completing its
// upload ID (multipart_retry.go). If there is one (readable), the same
// parts list gets that version's info again, without re-checking
// preconditions, and if the upload's records are still readable (the
// first completion fell short removing them) they are removed now, never
// committed twice; another parts list is ErrInvalidPart. The memory lives
// exactly as long as the version — it survives restarts, is healed with
// the version, needs no expiry or purge — and once the version is replaced
// or deleted the upload is gone for good (ErrNoSuchUpload). Abort, parts
// and ListParts of a completed upload stay ErrNoSuchUpload. Reads of multi-part versions, ranges across part
// boundaries, GetOptions.PartNumber and healing work part by part; HealAll
// also purges the leftovers of removed uploads (on fewer than k drives).
//
// # Invariants
//
//   - INVARIANT: the index record is the commit point. Shard files are
//     renamed into objects/ and then fsynced together with their folder
//     and its parent (one grouped journal commit, see LocalDrive.publish)
//     before the record naming them is stored; nothing is visible before
//     that, and a crash leaves only tmp (emptied at open) or an
//     unreferenced folder (swept by HealAll).
//   - Shard files are written through aligned 1 MiB buffers and, once a
//     shard is larger than 128 KiB, with O_DIRECT where the filesystem
//     allows it (shardwriter.go): a PUT never reads back what it wrote, and
//     copying it through the page cache cost more CPU than hashing it.
//   - INVARIANT: a shard folder is retired only after no record references
//     it, and then lives in trash for TrashGrace, so a GET that resolved a
//     version just before it was replaced or deleted can still read it.
//   - INVARIANT: concurrent writers of one key need no lock: every drive
//     keeps the null version with the newest HLC time, whatever order the
//     commits arrive in, so all drives converge on one winner.
//   - A delete succeeds on a write quorum, which leaves fewer than k copies
//     elsewhere: healing can never resurrect a deleted version.
//   - INVARIANT: within a Store, commits of one key are serialized by its
//     key lock and stamped under it; nothing streams data while holding it.
//   - INVARIANT: a shard file is never overwritten with other content: part
//     attempts have their own file numbers; heal rewrites identical bytes.
//     Every data folder is claimed in the index by one version or upload.
//
// Where this differs from DESIGN.md: listings merge n − writeQuorum + 1
// drives starting from a rotating drive and replace a failing drive on the
// fly; a drive-level common prefix is only emitted when a key under it is
// live on that drive, so a stale drive can at worst show an empty prefix.
// The HLC is only pushed forward by records read; a wall clock that jumps
// back across a restart can make new writes lose to older ones until it
// catches up.
package data
