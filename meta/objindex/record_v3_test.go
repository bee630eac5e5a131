package objindex

import (
	"encoding/binary"
	"reflect"
	"testing"
	"time"
)

// legacyRecord builds the bytes of a v1 or v2 record field by field, as the
// code of those versions wrote them, independently of encodeRecord.
type legacyRecord struct{ b []byte }

func (l *legacyRecord) u(v uint64) *legacyRecord { l.b = binary.AppendUvarint(l.b, v); return l }
func (l *legacyRecord) i(v int64) *legacyRecord  { l.b = binary.AppendVarint(l.b, v); return l }
func (l *legacyRecord) s(v string) *legacyRecord {
	l.u(uint64(len(v)))
	l.b = append(l.b, v...)
	return l
}

func legacyBytes(version byte, flags uint64, uid *uint32) []byte {
	l := &legacyRecord{b: []byte{version}}
	l.u(flags).s("vid").i(1234).i(10).s("etag").s("owner")
	l.u(1).s("Content-Type").s("text/plain") // headers
	l.u(0)                                   // checksums
	l.u(1).s("tk").s("tv")                   // tags
	l.s("")                                  // acl
	l.s("0123456789abcdef")                  // dataID
	l.u(2).u(2).u(1 << 20).u(1).u(1)         // erasure
	l.u(2).u(1).i(6).s("p1").u(2).i(4).s("") // parts
	l.u(0)                                   // inline size
	if uid != nil {
		l.u(uint64(*uid))
	}
	return l.b
}

// TestRecordOldVersionsDecode: v1 and v2 records (hand-built bytes) decode
// with the v3 fields at their zero values; a v2 flag for POSIX ids is only
// honoured from v2 on.
func TestRecordOldVersionsDecode(t *testing.T) {
	base := func() Record {
		return Record{
			VersionID: "vid", ModTime: 1234, Size: 10, ETag: "etag", Owner: "owner",
			Headers: map[string]string{"Content-Type": "text/plain"}, Tags: map[string]string{"tk": "tv"},
			DataID:  "0123456789abcdef",
			Erasure: Erasure{DataShards: 2, ParityShards: 2, BlockSize: 1 << 20, ShardIndex: 1, Bitrot: BitrotHighwayHash256},
			Parts:   []Part{{Number: 1, Size: 6, ETag: "p1"}, {Number: 2, Size: 4}},
		}
	}
	withUID := base()
	withUID.PosixUID = u32(501)
	marker := base()
	marker.DeleteMarker = true
	cases := []struct {
		name string
		enc  []byte
		want Record
	}{
		{"v1", legacyBytes(recordV1, 0, nil), base()},
		{"v1 delete marker", legacyBytes(recordV1, flagDeleteMarker, nil), marker},
		{"v2 no posix", legacyBytes(recordV2, 0, nil), base()},
		{"v2 uid", legacyBytes(recordV2, flagPosixUID, u32(501)), withUID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got Record
			if err := decodeRecord(tc.enc, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decode:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
	// A v2 record carrying a uid cannot be read as v1: the uid is trailing.
	enc := legacyBytes(recordV2, flagPosixUID, u32(501))
	enc[0] = recordV1
	var r Record
	if err := decodeRecord(enc, &r); err == nil {
		t.Fatal("v1 with trailing uid decoded")
	}
}

// TestRecordV3Fields: object-lock metadata, MetaTime and per-part extras
// round-trip, and a v3 record differs from the v2 layout only by its tail.
func TestRecordV3Fields(t *testing.T) {
	until := time.Date(2299, 12, 31, 23, 59, 59, 123456789, time.UTC) // beyond int64 nanoseconds
	cases := []Record{
		{VersionID: "a", LegalHold: true},
		{VersionID: "b", RetentionMode: "COMPLIANCE", RetainUntil: until, MetaTime: 99},
		{VersionID: "c", RetentionMode: "GOVERNANCE", RetainUntil: time.Unix(-5, 7).UTC()},
		{VersionID: "d", ETag: "x-2", Parts: []Part{
			{Number: 1, Size: 5 << 20, ETag: "p1", Checksums: map[string]string{"CRC32": "AAAAAA=="}, ModTime: 17},
			{Number: 3, Size: 1, ETag: "p3", ModTime: -1},
		}},
	}
	for _, want := range cases {
		enc := encodeRecord(nil, &want)
		if enc[0] != recordV4 {
			t.Fatalf("version byte %d", enc[0])
		}
		var got Record
		if err := decodeRecord(enc, &got); err != nil {
			t.Fatalf("%s: %v", want.VersionID, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
		}
		for i := 1; i < len(enc); i++ {
			var r Record
			if decodeRecord(enc[:i], &r) == nil {
				t.Fatalf("%s: truncated at %d decoded", want.VersionID, i)
			}
		}
	}
	// Nanoseconds out of range are corrupt, not silently normalized.
	r := Record{VersionID: "e", RetainUntil: time.Unix(1, 0).UTC()}
	enc := encodeRecord(nil, &r)
	// tail: mode "" (0x00) | seconds varint(1)=0x02 | nanos uvarint(0)=0x00 | metaTime 0x00 | uploadID "" (0x00)
	n := len(enc)
	if enc[n-5] != 0 || enc[n-4] != 2 || enc[n-3] != 0 || enc[n-2] != 0 || enc[n-1] != 0 {
		t.Fatalf("unexpected tail % x", enc[n-6:])
	}
	bad := append(append([]byte(nil), enc[:n-3]...), 0x80, 0x94, 0xeb, 0xdc, 0x03, 0, 0) // nanos 1e9
	if err := decodeRecord(bad, &Record{}); err == nil {
		t.Fatal("nanos ≥ 1e9 decoded")
	}
}

func TestRecordCloneDeepCopiesPartChecksums(t *testing.T) {
	r := &Record{Parts: []Part{{Number: 1, Checksums: map[string]string{"CRC32": "a"}}}}
	c := r.Clone()
	c.Parts[0].Checksums["CRC32"] = "b"
	if r.Parts[0].Checksums["CRC32"] != "a" {
		t.Fatal("Clone shares part checksums")
	}
}

// TestRecordV4UploadID: the completing upload's ID round-trips; a v3
// record (the v4 bytes without the last field, version byte 3) decodes
// with no upload ID, and v3 bytes followed by an upload ID are corrupt.
func TestRecordV4UploadID(t *testing.T) {
	want := Record{VersionID: "v", ETag: "x-1", DataID: "0123456789abcdef", UploadID: "upload-id",
		Parts: []Part{{Number: 1, Size: 3, ETag: "p", File: 12345}}, MetaTime: 7}
	enc := encodeRecord(nil, &want)
	var got Record
	if err := decodeRecord(enc, &got); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	tail := 1 + len(want.UploadID)
	if string(enc[len(enc)-len(want.UploadID):]) != want.UploadID {
		t.Fatalf("upload ID is not the last field: % x", enc)
	}
	v3 := append([]byte{recordV3}, enc[1:len(enc)-tail]...)
	got = Record{}
	if err := decodeRecord(v3, &got); err != nil {
		t.Fatal(err)
	}
	want.UploadID = ""
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("v3 decode:\n got %+v\nwant %+v", got, want)
	}
	withID := append([]byte{recordV3}, enc[1:]...)
	if err := decodeRecord(withID, &Record{}); err == nil {
		t.Fatal("v3 with a trailing upload ID decoded")
	}
	if c := (&Record{UploadID: "u"}).Clone(); c.UploadID != "u" {
		t.Fatal("Clone drops the upload ID")
	}
}
