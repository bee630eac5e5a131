package objindex

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"time"
)

// NullVersion is the version ID of the single version of a key in an
// unversioned (or versioning-suspended) bucket.
const NullVersion = "null"

// BitrotAlgo names the per-chunk hash protecting shard bytes.
type BitrotAlgo uint8

const (
	// BitrotHighwayHash256 is HighwayHash-256 with the data package's fixed
	// key (see data/doc.go): 32 bytes before every shard chunk.
	BitrotHighwayHash256 BitrotAlgo = 1
)

// Erasure is the coding layout of a version and this drive's place in it.
type Erasure struct {
	DataShards   int
	ParityShards int
	// BlockSize is the size of the object blocks that are split into
	// DataShards chunks (the last block of a part may be shorter).
	BlockSize int64
	// ShardIndex is the shard this drive stores: 0..DataShards-1 are data,
	// the rest parity.
	ShardIndex int
	Bitrot     BitrotAlgo
}

// Part is one independently erasure-coded piece of an object. A simple PUT
// has one part, number 1; a completed multipart upload has one per part.
type Part struct {
	Number int
	Size   int64
	ETag   string
	// Checksums are the part's own checksums (algorithm → base64), for
	// multipart objects; nil for a simple PUT (see Record.Checksums). v3.
	Checksums map[string]string
	// ModTime is when the part was uploaded (Unix nanoseconds); 0 unknown. v3.
	ModTime int64
	// File numbers the part's shard file (part.<File>) in the version's
	// data folder; 0 means Number. Parts of multipart uploads get a fresh
	// one per upload attempt so re-uploading a part never overwrites a
	// file another record may name. v3.
	File int
}

// Record is one version of one object as one drive stores it. Records of the
// same version on different drives differ only in Erasure.ShardIndex and
// Inline.
type Record struct {
	// Bucket and Key come from the index key; they are not in the value.
	Bucket string
	Key    string

	VersionID string // NullVersion or a unique ID
	// ModTime is the hybrid-logical-clock time of the write in Unix
	// nanoseconds; the newest ModTime wins everywhere.
	ModTime      int64
	DeleteMarker bool

	Size      int64
	ETag      string
	Owner     string
	Headers   map[string]string
	Checksums map[string]string
	// ACL is the version's access control list, an encoding owned by the
	// layer above (package iam); nil means none stored. It is mutable
	// metadata like Tags (changed by SetMeta, stamped by MetaTime).
	ACL []byte

	// Tags, RetentionMode, RetainUntil and LegalHold (with ACL) are the
	// version's mutable metadata (object tagging, object lock, ACL), changed
	// in place by SetMeta without rewriting data. MetaTime is the HLC time of the
	// last such change (0: none since the write), so that a reader finding
	// copies that differ can prefer the newest.
	Tags          map[string]string
	RetentionMode string    // "GOVERNANCE", "COMPLIANCE" or "" (none). v3.
	RetainUntil   time.Time // zero: none. v3.
	LegalHold     bool      // v3.
	MetaTime      int64     // v3.
	// PosixUID and PosixGID are the writer's POSIX identity, when it has
	// one (nil otherwise), for files that represent objects.
	PosixUID *uint32
	PosixGID *uint32

	// DataID names the shard directory of the version on every drive; empty
	// when the shards are inline (or for a delete marker).
	DataID  string
	Erasure Erasure
	Parts   []Part
	// UploadID names the multipart upload this version completed (empty
	// for any other write), so a repeated CompleteMultipartUpload of that
	// upload finds its result for as long as the version exists. v4.
	UploadID string

	// Inline holds this drive's shard bytes for a small object (DataID is
	// empty). It is stored apart from the record and only filled by reads
	// that ask for it.
	Inline []byte
	// InlineSize is len(Inline) as stored; set by Put.
	InlineSize int

	// Latest is set by reads: true when no newer version of the key exists
	// on this drive. It is not stored.
	Latest bool
}

// Clone returns a deep copy of r.
func (r *Record) Clone() *Record {
	c := *r
	c.Headers = cloneMap(r.Headers)
	c.Checksums = cloneMap(r.Checksums)
	c.Tags = cloneMap(r.Tags)
	if r.ACL != nil {
		c.ACL = append([]byte(nil), r.ACL...)
	}
	if r.Parts != nil {
		c.Parts = append([]Part(nil), r.Parts...)
		for i := range c.Parts {
			c.Parts[i].Checksums = cloneMap(c.Parts[i].Checksums)
		}
	}
	if r.Inline != nil {
		c.Inline = append([]byte(nil), r.Inline...)
	}
	if r.PosixUID != nil {
		v := *r.PosixUID
		c.PosixUID = &v
	}
	if r.PosixGID != nil {
		v := *r.PosixGID
		c.PosixGID = &v
	}
	return &c
}

// SameVersion reports whether a and b describe the same version.
func SameVersion(a, b *Record) bool {
	return a.VersionID == b.VersionID && a.ModTime == b.ModTime && a.DataID == b.DataID
}

// Newer reports whether a is newer than b: later ModTime, ties broken by
// VersionID so every node orders versions the same way. The order is the
// index's own (newest first, then VersionID ascending; see versionKey), so
// a merge of drive listings can compare entries with it.
func Newer(a, b *Record) bool {
	if a.ModTime != b.ModTime {
		return a.ModTime > b.ModTime
	}
	return a.VersionID < b.VersionID
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// recordV1 is the first value encoding. A decoder must keep reading every
// version it ever wrote; a new field means a new version byte.
const (
	recordV1 byte = 1
	// recordV2 is v1 plus the writer's optional POSIX uid and gid.
	recordV2 byte = 2
	// recordV3 is v2 plus object-lock metadata, MetaTime and per-part
	// checksums and times.
	recordV3 byte = 3
	// recordV4 is v3 plus the ID of the multipart upload the version
	// completed.
	recordV4 byte = 4
)

const (
	flagDeleteMarker = 1 << 0
	flagPosixUID     = 1 << 1
	flagPosixGID     = 1 << 2
	flagLegalHold    = 1 << 3 // v3
	flagRetainUntil  = 1 << 4 // v3
)

var errCorrupt = errors.New("objindex: corrupt record")

// encodeRecord appends the value encoding of r (v4):
//
//	version byte (4)
//	flags uvarint (bit 0 delete marker, bit 1 POSIX uid, bit 2 POSIX gid,
//	               bit 3 legal hold, bit 4 retain-until)
//	versionID str | modTime varint | size varint | etag str | owner str
//	headers map | checksums map | tags map | acl bytes
//	dataID str | k uvarint | m uvarint | blockSize uvarint | shardIndex uvarint | bitrot uvarint
//	nparts uvarint, then per part: number uvarint | size varint | etag str
//	inlineSize uvarint
//	uid uvarint (if bit 1) | gid uvarint (if bit 2)    — absent in v1
//	retentionMode str                                  — this line and below absent in v1, v2
//	untilSeconds varint | untilNanos uvarint (if bit 4)
//	metaTime varint
//	per part (nparts as above): checksums map | modTime varint | file uvarint
//	uploadID str                                       — absent in v1–v3
//
// str and bytes are uvarint length + bytes; map is uvarint count + sorted
// (key str, value str) pairs so equal records encode equally.
func encodeRecord(dst []byte, r *Record) []byte {
	dst = append(dst, recordV4)
	var flags uint64
	if r.DeleteMarker {
		flags |= flagDeleteMarker
	}
	if r.PosixUID != nil {
		flags |= flagPosixUID
	}
	if r.PosixGID != nil {
		flags |= flagPosixGID
	}
	if r.LegalHold {
		flags |= flagLegalHold
	}
	if !r.RetainUntil.IsZero() {
		flags |= flagRetainUntil
	}
	dst = binary.AppendUvarint(dst, flags)
	dst = appendStr(dst, r.VersionID)
	dst = binary.AppendVarint(dst, r.ModTime)
	dst = binary.AppendVarint(dst, r.Size)
	dst = appendStr(dst, r.ETag)
	dst = appendStr(dst, r.Owner)
	dst = appendMap(dst, r.Headers)
	dst = appendMap(dst, r.Checksums)
	dst = appendMap(dst, r.Tags)
	dst = appendStr(dst, string(r.ACL))
	dst = appendStr(dst, r.DataID)
	e := r.Erasure
	dst = binary.AppendUvarint(dst, uint64(e.DataShards))
	dst = binary.AppendUvarint(dst, uint64(e.ParityShards))
	dst = binary.AppendUvarint(dst, uint64(e.BlockSize))
	dst = binary.AppendUvarint(dst, uint64(e.ShardIndex))
	dst = binary.AppendUvarint(dst, uint64(e.Bitrot))
	dst = binary.AppendUvarint(dst, uint64(len(r.Parts)))
	for _, p := range r.Parts {
		dst = binary.AppendUvarint(dst, uint64(p.Number))
		dst = binary.AppendVarint(dst, p.Size)
		dst = appendStr(dst, p.ETag)
	}
	dst = binary.AppendUvarint(dst, uint64(r.InlineSize))
	if r.PosixUID != nil {
		dst = binary.AppendUvarint(dst, uint64(*r.PosixUID))
	}
	if r.PosixGID != nil {
		dst = binary.AppendUvarint(dst, uint64(*r.PosixGID))
	}
	dst = appendStr(dst, r.RetentionMode)
	if !r.RetainUntil.IsZero() {
		dst = binary.AppendVarint(dst, r.RetainUntil.Unix())
		dst = binary.AppendUvarint(dst, uint64(r.RetainUntil.Nanosecond()))
	}
	dst = binary.AppendVarint(dst, r.MetaTime)
	for _, p := range r.Parts {
		dst = appendMap(dst, p.Checksums)
		dst = binary.AppendVarint(dst, p.ModTime)
		dst = binary.AppendUvarint(dst, uint64(p.File))
	}
	return appendStr(dst, r.UploadID)
}

func appendStr(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendMap(dst []byte, m map[string]string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(m)))
	if len(m) == 0 {
		return dst
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		dst = appendStr(dst, k)
		dst = appendStr(dst, m[k])
	}
	return dst
}

// decodeRecord decodes a value written by encodeRecord (any version).
func decodeRecord(b []byte, r *Record) error {
	if len(b) == 0 {
		return errCorrupt
	}
	switch b[0] {
	case recordV1, recordV2, recordV3, recordV4:
		d := decoder{b: b[1:]}
		flags := d.v1(r)
		if b[0] >= recordV2 {
			d.posix(flags, r)
		}
		if b[0] >= recordV3 {
			d.v3(flags, r)
		}
		if b[0] >= recordV4 {
			r.UploadID = d.str()
		}
		if d.err != nil {
			return d.err
		}
		if len(d.b) != 0 {
			return fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(d.b))
		}
		return nil
	default:
		return fmt.Errorf("%w: unknown encoding version %d", errCorrupt, b[0])
	}
}

type decoder struct {
	b   []byte
	err error
}

// posix reads the v2 tail: the POSIX uid and gid the flags announce.
func (d *decoder) posix(flags uint64, r *Record) {
	if flags&flagPosixUID != 0 {
		v := uint32(d.uvarint())
		r.PosixUID = &v
	}
	if flags&flagPosixGID != 0 {
		v := uint32(d.uvarint())
		r.PosixGID = &v
	}
}

// v3 reads the v3 tail: object-lock metadata, MetaTime, per-part extras.
func (d *decoder) v3(flags uint64, r *Record) {
	r.LegalHold = flags&flagLegalHold != 0
	r.RetentionMode = d.str()
	if flags&flagRetainUntil != 0 {
		sec := d.varint()
		nsec := d.uvarint()
		if nsec >= 1e9 {
			d.fail()
			return
		}
		r.RetainUntil = time.Unix(sec, int64(nsec)).UTC()
	}
	r.MetaTime = d.varint()
	for i := range r.Parts {
		r.Parts[i].Checksums = d.strMap()
		r.Parts[i].ModTime = d.varint()
		r.Parts[i].File = d.fileNumber()
	}
}

// v1 reads the fields common to every version and returns the flags.
func (d *decoder) v1(r *Record) (flags uint64) {
	flags = d.uvarint()
	r.DeleteMarker = flags&flagDeleteMarker != 0
	r.VersionID = d.str()
	r.ModTime = d.varint()
	r.Size = d.varint()
	r.ETag = d.str()
	r.Owner = d.str()
	r.Headers = d.strMap()
	r.Checksums = d.strMap()
	r.Tags = d.strMap()
	if acl := d.str(); acl != "" {
		r.ACL = []byte(acl)
	}
	r.DataID = d.str()
	r.Erasure.DataShards = d.int()
	r.Erasure.ParityShards = d.int()
	r.Erasure.BlockSize = int64(d.uvarint())
	r.Erasure.ShardIndex = d.int()
	r.Erasure.Bitrot = BitrotAlgo(d.uvarint())
	n := d.int()
	if n > len(d.b) { // each part takes at least 3 bytes
		d.fail()
		return flags
	}
	if n > 0 {
		r.Parts = make([]Part, n)
		for i := range r.Parts {
			r.Parts[i].Number = d.int()
			r.Parts[i].Size = d.varint()
			r.Parts[i].ETag = d.str()
		}
	}
	r.InlineSize = d.int()
	return flags
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int {
	v := d.uvarint()
	if v > 1<<40 {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) strMap() map[string]string {
	n := d.uvarint()
	if n == 0 {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	m := make(map[string]string, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		k := d.str()
		m[k] = d.str()
	}
	return m
}
