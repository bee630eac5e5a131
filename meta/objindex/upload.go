package objindex

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"
)

// Upload is a multipart upload in progress as one drive stores it. Records
// of the same upload on different drives differ only in Erasure.ShardIndex.
type Upload struct {
	// Bucket, Key and UploadID come from the index key.
	Bucket, Key, UploadID string

	// Initiated is the HLC time of the creation (Unix nanoseconds).
	Initiated int64
	// DataID names the shard folder the parts are written into; the
	// completed version keeps it, so completion copies no data.
	DataID string
	// Erasure is the layout of every part; ShardIndex is this drive's shard.
	Erasure Erasure

	// What the completed version will carry (the options of the creation).
	Owner         string
	Headers       map[string]string
	PosixUID      *uint32
	PosixGID      *uint32
	Versioned     bool
	Tags          map[string]string
	RetentionMode string
	RetainUntil   time.Time
	LegalHold     bool
	// ACL is the completed version's ACL (Record.ACL; opaque here). v2.
	ACL []byte
}

// UploadPart is the current attempt of one part of an upload on one drive.
type UploadPart struct {
	// Bucket, Key, UploadID and Number come from the index key.
	Bucket, Key, UploadID string
	Number                int

	// File numbers the shard file (part.<File>) in the upload's folder;
	// every attempt has its own, so an attempt never overwrites another's.
	File int
	// ModTime is the HLC time of the attempt's commit: the newest wins.
	ModTime   int64
	Size      int64
	ETag      string
	Checksums map[string]string
}

// FileNumber is the number of the part's shard file: File, or Number for
// records written before parts had their own (simple PUTs).
func (p Part) FileNumber() int {
	if p.File != 0 {
		return p.File
	}
	return p.Number
}

// Encoding versions of upload and part values.
const (
	uploadV1 byte = 1
	// uploadV2 is v1 plus the ACL of the version to be completed.
	uploadV2 byte = 2
	partV1   byte = 1
)

const (
	uflagPosixUID    = 1 << 0
	uflagPosixGID    = 1 << 1
	uflagVersioned   = 1 << 2
	uflagLegalHold   = 1 << 3
	uflagRetainUntil = 1 << 4
)

// encodeUpload appends the value encoding of u (v2):
//
//	version byte (2)
//	flags uvarint (bit 0 POSIX uid, 1 POSIX gid, 2 versioned, 3 legal hold, 4 retain-until)
//	initiated varint | dataID str
//	k uvarint | m uvarint | blockSize uvarint | shardIndex uvarint | bitrot uvarint
//	owner str | headers map | tags map | retentionMode str
//	untilSeconds varint | untilNanos uvarint (if bit 4)
//	uid uvarint (if bit 0) | gid uvarint (if bit 1)
//	acl bytes                                          — absent in v1
func encodeUpload(dst []byte, u *Upload) []byte {
	dst = append(dst, uploadV2)
	var flags uint64
	if u.PosixUID != nil {
		flags |= uflagPosixUID
	}
	if u.PosixGID != nil {
		flags |= uflagPosixGID
	}
	if u.Versioned {
		flags |= uflagVersioned
	}
	if u.LegalHold {
		flags |= uflagLegalHold
	}
	if !u.RetainUntil.IsZero() {
		flags |= uflagRetainUntil
	}
	dst = binary.AppendUvarint(dst, flags)
	dst = binary.AppendVarint(dst, u.Initiated)
	dst = appendStr(dst, u.DataID)
	e := u.Erasure
	dst = binary.AppendUvarint(dst, uint64(e.DataShards))
	dst = binary.AppendUvarint(dst, uint64(e.ParityShards))
	dst = binary.AppendUvarint(dst, uint64(e.BlockSize))
	dst = binary.AppendUvarint(dst, uint64(e.ShardIndex))
	dst = binary.AppendUvarint(dst, uint64(e.Bitrot))
	dst = appendStr(dst, u.Owner)
	dst = appendMap(dst, u.Headers)
	dst = appendMap(dst, u.Tags)
	dst = appendStr(dst, u.RetentionMode)
	if !u.RetainUntil.IsZero() {
		dst = binary.AppendVarint(dst, u.RetainUntil.Unix())
		dst = binary.AppendUvarint(dst, uint64(u.RetainUntil.Nanosecond()))
	}
	if u.PosixUID != nil {
		dst = binary.AppendUvarint(dst, uint64(*u.PosixUID))
	}
	if u.PosixGID != nil {
		dst = binary.AppendUvarint(dst, uint64(*u.PosixGID))
	}
	return appendStr(dst, string(u.ACL))
}

func decodeUpload(b []byte, u *Upload) error {
	if len(b) == 0 {
		return errCorrupt
	}
	version := b[0]
	if version != uploadV1 && version != uploadV2 {
		return fmt.Errorf("%w: unknown upload encoding version %d", errCorrupt, b[0])
	}
	d := decoder{b: b[1:]}
	flags := d.uvarint()
	u.Versioned = flags&uflagVersioned != 0
	u.LegalHold = flags&uflagLegalHold != 0
	u.Initiated = d.varint()
	u.DataID = d.str()
	u.Erasure.DataShards = d.int()
	u.Erasure.ParityShards = d.int()
	u.Erasure.BlockSize = int64(d.uvarint())
	u.Erasure.ShardIndex = d.int()
	u.Erasure.Bitrot = BitrotAlgo(d.uvarint())
	u.Owner = d.str()
	u.Headers = d.strMap()
	u.Tags = d.strMap()
	u.RetentionMode = d.str()
	if flags&uflagRetainUntil != 0 {
		sec, nsec := d.varint(), d.uvarint()
		if nsec >= 1e9 {
			d.fail()
		} else {
			u.RetainUntil = time.Unix(sec, int64(nsec)).UTC()
		}
	}
	if flags&uflagPosixUID != 0 {
		v := uint32(d.uvarint())
		u.PosixUID = &v
	}
	if flags&uflagPosixGID != 0 {
		v := uint32(d.uvarint())
		u.PosixGID = &v
	}
	if version >= uploadV2 {
		if acl := d.str(); acl != "" {
			u.ACL = []byte(acl)
		}
	}
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(d.b))
	}
	return nil
}

// encodePart appends the value encoding of p (v1):
//
//	version byte (1) | file uvarint | modTime varint | size varint | etag str | checksums map
func encodePart(dst []byte, p *UploadPart) []byte {
	dst = append(dst, partV1)
	dst = binary.AppendUvarint(dst, uint64(p.File))
	dst = binary.AppendVarint(dst, p.ModTime)
	dst = binary.AppendVarint(dst, p.Size)
	dst = appendStr(dst, p.ETag)
	return appendMap(dst, p.Checksums)
}

func decodePart(b []byte, p *UploadPart) error {
	if len(b) == 0 {
		return errCorrupt
	}
	if b[0] != partV1 {
		return fmt.Errorf("%w: unknown part encoding version %d", errCorrupt, b[0])
	}
	d := decoder{b: b[1:]}
	p.File = d.fileNumber()
	p.ModTime = d.varint()
	p.Size = d.varint()
	p.ETag = d.str()
	p.Checksums = d.strMap()
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(d.b))
	}
	return nil
}

// fileNumber reads a shard file number: up to 62 bits (random ones, see
// Part.File), where int() caps counts at 2^40.
func (d *decoder) fileNumber() int {
	v := d.uvarint()
	if v >= 1<<62 {
		d.fail()
		return 0
	}
	return int(v)
}

// uploadPrefix is nsUpload | bucket | 0x00 | key | 0x00: all uploads of a key.
func uploadPrefix(bucket, key string) []byte {
	b := objectPrefix(bucket, key)
	b[0] = nsUpload
	return b
}

// uploadKey is the nsUpload key of one upload.
func uploadKey(bucket, key, uploadID string) []byte {
	return append(uploadPrefix(bucket, key), uploadID...)
}

// partPrefix is nsPart | bucket | 0x00 | key | 0x00 | uploadID | 0x00.
func partPrefix(bucket, key, uploadID string) []byte {
	b := uploadKey(bucket, key, uploadID)
	b[0] = nsPart
	return append(b, 0)
}

// partKey is the nsPart key of one part number.
func partKey(bucket, key, uploadID string, number int) []byte {
	return binary.BigEndian.AppendUint32(partPrefix(bucket, key, uploadID), uint32(number))
}

// UploadRef names one upload.
type UploadRef struct {
	Bucket, Key, UploadID string
}

// Less orders refs as the index does.
func (r UploadRef) Less(o UploadRef) bool {
	if r.Bucket != o.Bucket {
		return r.Bucket < o.Bucket
	}
	if r.Key != o.Key {
		return r.Key < o.Key
	}
	return r.UploadID < o.UploadID
}

// parseUploadKey decodes an nsUpload key.
func parseUploadKey(k []byte) (UploadRef, error) {
	if len(k) < 1 || k[0] != nsUpload {
		return UploadRef{}, fmt.Errorf("objindex: not an upload key: %q", k)
	}
	rest := k[1:]
	var parts [2]string
	for i := range parts {
		j := bytes.IndexByte(rest, 0)
		if j < 0 {
			return UploadRef{}, fmt.Errorf("objindex: corrupt upload key: %q", k)
		}
		parts[i], rest = string(rest[:j]), rest[j+1:]
	}
	return UploadRef{Bucket: parts[0], Key: parts[1], UploadID: string(rest)}, nil
}
