package objindex

import (
	"bytes"
	"errors"
	"reflect"
	"sort"
	"testing"
)

func TestRecordRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		rec  Record
	}{
		{"empty", Record{}},
		{"delete marker", Record{VersionID: "v1", ModTime: 42, DeleteMarker: true}},
		{"full", Record{
			VersionID: NullVersion, ModTime: 1_700_000_000_123_456_789, Size: 5 << 30,
			ETag: "d41d8cd98f00b204e9800998ecf8427e", Owner: "owner-id",
			Headers:    map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-A": "b"},
			Checksums:  map[string]string{"CRC32": "AAAAAA=="},
			Tags:       map[string]string{"k": "v"},
			ACL:        []byte{1, 2, 3},
			DataID:     "0123456789abcdef0123456789abcdef",
			Erasure:    Erasure{DataShards: 2, ParityShards: 2, BlockSize: 1 << 20, ShardIndex: 3, Bitrot: BitrotHighwayHash256},
			Parts:      []Part{{Number: 1, Size: 5 << 30, ETag: "x"}, {Number: 2, Size: 1}},
			InlineSize: 7,
			PosixUID:   u32(1001),
			PosixGID:   u32(0),
			UploadID:   "0000018f2a3b4c5d0123456789abcdef0123456789abcdef",
		}},
		{"uid only", Record{VersionID: "v2", PosixUID: u32(4294967295)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			enc := encodeRecord(nil, &tc.rec)
			if enc[0] != recordV4 {
				t.Fatalf("version byte %d", enc[0])
			}
			var got Record
			if err := decodeRecord(enc, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.rec) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, tc.rec)
			}
			// Every strict prefix must be rejected, never mis-decoded.
			for i := 0; i < len(enc); i++ {
				var r Record
				if err := decodeRecord(enc[:i], &r); err == nil {
					t.Fatalf("truncated at %d decoded without error", i)
				}
			}
			var r Record
			if err := decodeRecord(append(enc, 0), &r); !errors.Is(err, errCorrupt) {
				t.Fatalf("trailing byte: %v", err)
			}
		})
	}
}

func u32(v uint32) *uint32 { return &v }

func TestRecordEncodingDeterministic(t *testing.T) {
	m := map[string]string{}
	for _, k := range []string{"z", "a", "m", "b", "y"} {
		m[k] = k + k
	}
	a := encodeRecord(nil, &Record{Headers: m})
	for i := 0; i < 20; i++ {
		if b := encodeRecord(nil, &Record{Headers: cloneMap(m)}); !bytes.Equal(a, b) {
			t.Fatal("map encoding depends on iteration order")
		}
	}
}

func TestUnknownVersionRejected(t *testing.T) {
	var r Record
	if err := decodeRecord([]byte{99, 0}, &r); !errors.Is(err, errCorrupt) {
		t.Fatalf("got %v", err)
	}
}

func TestVersionKeyOrder(t *testing.T) {
	type kv struct {
		bucket, key string
		mt          int64
		vid         string
	}
	// Listed in the order the index must return them.
	want := []kv{
		{"a", "", 5, "x"},
		{"a", "k", 30, "v3"},
		{"a", "k", 20, "v2"},
		{"a", "k", 10, "v1"},
		{"a", "k/", 1, NullVersion},
		{"a", "k0", 99, NullVersion},
		{"a", "kk", 1, NullVersion},
		{"ab", "a", 1, NullVersion},
	}
	keys := make([][]byte, len(want))
	for i, w := range want {
		keys[i] = versionKey(w.bucket, w.key, w.mt, w.vid)
	}
	shuffled := append([][]byte(nil), keys...)
	sort.Slice(shuffled, func(i, j int) bool { return bytes.Compare(shuffled[i], shuffled[j]) < 0 })
	for i := range keys {
		if !bytes.Equal(shuffled[i], keys[i]) {
			t.Fatalf("position %d: got %q want %q", i, shuffled[i], keys[i])
		}
		pk, err := parseVersionKey(keys[i])
		if err != nil {
			t.Fatal(err)
		}
		w := want[i]
		if pk.bucket != w.bucket || pk.key != w.key || pk.modTime != w.mt || pk.versionID != w.vid {
			t.Fatalf("parse %d: %+v want %+v", i, pk, w)
		}
	}
}

func TestSuccessor(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a/", "a0"}, {"a", "b"}, {"a\xff", "b"}, {"\xff\xff", ""}, {"", ""},
	} {
		if got := successor(tc.in); got != tc.want {
			t.Errorf("successor(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
