package objindex

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"
)

func TestUploadEncodingRoundTrip(t *testing.T) {
	uid, gid := uint32(1000), uint32(0)
	uploads := []Upload{
		{},
		{Initiated: 42, DataID: "0123456789abcdef", Erasure: Erasure{DataShards: 2, ParityShards: 2, BlockSize: 1 << 20, ShardIndex: 3, Bitrot: BitrotHighwayHash256}},
		{Initiated: -1, Owner: "o", Headers: map[string]string{"Content-Type": "a/b", "X-Amz-Meta-X": "y"},
			PosixUID: &uid, PosixGID: &gid, Versioned: true, Tags: map[string]string{"t": "v"},
			RetentionMode: "GOVERNANCE", RetainUntil: time.Date(2300, 1, 2, 3, 4, 5, 6, time.UTC), LegalHold: true,
			ACL: []byte(`{"v":1,"owner":"o"}`)},
		{Owner: "o", ACL: []byte{0, 1, 0xff}},
	}
	for i, want := range uploads {
		enc := encodeUpload(nil, &want)
		var got Upload
		if err := decodeUpload(enc, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%d: got %+v, %v\nwant %+v", i, got, err, want)
		}
		for n := 0; n < len(enc); n++ {
			if decodeUpload(enc[:n], &Upload{}) == nil {
				t.Fatalf("%d: truncated at %d decoded", i, n)
			}
		}
		if err := decodeUpload(append(enc, 0), &Upload{}); !errors.Is(err, errCorrupt) {
			t.Fatalf("%d: trailing byte: %v", i, err)
		}
	}
	parts := []UploadPart{{}, {File: 1 << 61, ModTime: 7, Size: 5 << 30, ETag: "e", Checksums: map[string]string{"CRC32": "AAAAAA=="}}}
	for i, want := range parts {
		enc := encodePart(nil, &want)
		var got UploadPart
		if err := decodePart(enc, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("part %d: got %+v, %v", i, got, err)
		}
		for n := 0; n < len(enc); n++ {
			if decodePart(enc[:n], &UploadPart{}) == nil {
				t.Fatalf("part %d: truncated at %d decoded", i, n)
			}
		}
	}
}

// TestUploadV1Decodes: records written before uploads carried an ACL
// (encoding v1) still decode, with no ACL; v2 is what is written now.
func TestUploadV1Decodes(t *testing.T) {
	v1 := []byte{
		1,      // version
		4,      // flags: versioned
		10,     // initiated 5 (zigzag)
		1, 'd', // dataID
		2, 1, // k, m
		0x80, 1, // blockSize 128
		2, 1, // shardIndex, bitrot
		1, 'o', // owner
		1, 1, 'h', 1, 'v', // headers {h: v}
		0, // tags
		0, // retentionMode
	}
	want := Upload{Initiated: 5, DataID: "d", Versioned: true, Owner: "o", Headers: map[string]string{"h": "v"},
		Erasure: Erasure{DataShards: 2, ParityShards: 1, BlockSize: 128, ShardIndex: 2, Bitrot: BitrotHighwayHash256}}
	var got Upload
	if err := decodeUpload(v1, &got); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("v1: got %+v, %v\nwant %+v", got, err, want)
	}
	// The same fields written now are v2: the v1 bytes plus an ACL.
	want.ACL = []byte("acl")
	enc := encodeUpload(nil, &want)
	if enc[0] != uploadV2 || string(enc[1:len(enc)-4]) != string(v1[1:]) || string(enc[len(enc)-4:]) != "\x03acl" {
		t.Fatalf("v2 encoding %x, v1 %x", enc, v1)
	}
	// A v1 value has no ACL field: one found there is trailing garbage.
	if err := decodeUpload(append(append([]byte(nil), v1...), 3, 'a', 'c', 'l'), &Upload{}); !errors.Is(err, errCorrupt) {
		t.Fatalf("v1 with an ACL tail: %v", err)
	}
	for _, b := range []byte{0, 3} {
		bad := append([]byte{b}, enc[1:]...)
		if err := decodeUpload(bad, &Upload{}); !errors.Is(err, errCorrupt) {
			t.Fatalf("version %d: %v", b, err)
		}
	}
}

func TestRecordPartFileRoundTrip(t *testing.T) {
	want := Record{VersionID: "v", ETag: "x-2", Parts: []Part{{Number: 1, Size: 1, File: 1 << 40}, {Number: 7, Size: 2}}}
	var got Record
	if err := decodeRecord(encodeRecord(nil, &want), &got); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v", got, err)
	}
	if got.Parts[0].FileNumber() != 1<<40 || got.Parts[1].FileNumber() != 7 {
		t.Fatalf("file numbers %d %d", got.Parts[0].FileNumber(), got.Parts[1].FileNumber())
	}
}

func testUpload(key, id, dataID string) *Upload {
	return &Upload{Bucket: "b", Key: key, UploadID: id, Initiated: 1, DataID: dataID,
		Erasure: Erasure{DataShards: 2, ParityShards: 2, BlockSize: 1 << 20}}
}

func hasData(t *testing.T, ix *Index, id string) bool {
	t.Helper()
	ok, err := ix.HasData(id)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestUploadPartsLifecycle(t *testing.T) {
	ix := openTest(t)
	if _, err := ix.GetUpload("b", "k", "u1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing upload: %v", err)
	}
	if _, err := ix.PutPart(&UploadPart{Bucket: "b", Key: "k", UploadID: "u1", Number: 1}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("part of a missing upload: %v", err)
	}
	u := testUpload("k", "u1", "data0001")
	if err := ix.PutUpload(u); err != nil {
		t.Fatal(err)
	}
	if !hasData(t, ix, "data0001") {
		t.Fatal("the upload does not claim its data folder")
	}
	got, err := ix.GetUpload("b", "k", "u1")
	if err != nil || !reflect.DeepEqual(got, u) {
		t.Fatalf("get upload = %+v, %v", got, err)
	}
	put := func(n, file int, mod int64) PartResult {
		t.Helper()
		res, err := ix.PutPart(&UploadPart{Bucket: "b", Key: "k", UploadID: "u1", Number: n, File: file, ModTime: mod, ETag: fmt.Sprint(file)})
		if err != nil {
			t.Fatal(err)
		}
		if res.DataID != "data0001" {
			t.Fatalf("data ID %q", res.DataID)
		}
		return res
	}
	put(1, 101, 10)
	put(2, 201, 10)
	if res := put(2, 202, 20); res.Replaced == nil || res.Replaced.File != 201 || res.Superseded {
		t.Fatalf("newer attempt: %+v", res)
	}
	if res := put(2, 203, 15); !res.Superseded || res.Replaced != nil {
		t.Fatalf("older attempt: %+v", res)
	}
	if res := put(2, 202, 20); res.Superseded || res.Replaced != nil {
		t.Fatalf("same attempt again: %+v", res)
	}
	put(3, 301, 10)
	parts, more, err := ix.Parts("b", "k", "u1", 0, 0)
	if err != nil || more || len(parts) != 3 || parts[1].File != 202 || parts[2].Number != 3 {
		t.Fatalf("parts = %+v, %v, %v", parts, more, err)
	}
	parts, more, _ = ix.Parts("b", "k", "u1", 1, 1)
	if len(parts) != 1 || parts[0].Number != 2 || !more {
		t.Fatalf("page after 1: %+v more=%v", parts, more)
	}
	if _, err := ix.DeletePart("b", "k", "u1", 3, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete of another attempt: %v", err)
	}
	if id, err := ix.DeletePart("b", "k", "u1", 3, 301); err != nil || id != "data0001" {
		t.Fatalf("delete part = %q, %v", id, err)
	}

	// Completion: a version takes the folder; parts are refused afterwards.
	put(4, 401, 10)
	v := Record{Bucket: "b", Key: "k", VersionID: NullVersion, ModTime: 50, DataID: "data0001",
		Parts: []Part{{Number: 1, File: 101}, {Number: 2, File: 202}}}
	if _, err := ix.Put(&v); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.PutPart(&UploadPart{Bucket: "b", Key: "k", UploadID: "u1", Number: 5, File: 501}); !errors.Is(err, ErrUploadSealed) {
		t.Fatalf("part after completion: %v", err)
	}
	// A failed completion is reverted: the folder is the upload's again.
	if err := ix.RevertCompletion("b", "k", NullVersion, 50, "u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Get("b", "k", "", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("reverted version still there: %v", err)
	}
	if !hasData(t, ix, "data0001") {
		t.Fatal("reverted upload lost its data folder")
	}
	put(5, 501, 10)
	if _, err := ix.Put(&v); err != nil {
		t.Fatal(err)
	}
	rm, err := ix.DeleteUpload("b", "k", "u1")
	if err != nil {
		t.Fatal(err)
	}
	if rm.Owned || !reflect.DeepEqual(rm.Keep, []int{101, 202}) || rm.Upload.DataID != "data0001" {
		t.Fatalf("removal after completion: %+v", rm)
	}
	if !hasData(t, ix, "data0001") {
		t.Fatal("removing the upload dropped the version's data claim")
	}
	if parts, _, _ := ix.Parts("b", "k", "u1", 0, 0); len(parts) != 0 {
		t.Fatalf("parts left: %+v", parts)
	}
	if _, err := ix.DeleteUpload("b", "k", "u1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second removal: %v", err)
	}

	// Abort: the upload owns its folder, which becomes garbage.
	if err := ix.PutUpload(testUpload("k", "u2", "data0002")); err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= partBatch+5; n++ { // more than one deletion batch
		if _, err := ix.PutPart(&UploadPart{Bucket: "b", Key: "k", UploadID: "u2", Number: n, File: n}); err != nil {
			t.Fatal(err)
		}
	}
	rm, err = ix.DeleteUpload("b", "k", "u2")
	if err != nil || !rm.Owned || rm.Keep != nil {
		t.Fatalf("abort removal: %+v, %v", rm, err)
	}
	if hasData(t, ix, "data0002") {
		t.Fatal("aborted upload still claims its folder")
	}
	if parts, _, _ := ix.Parts("b", "k", "u2", 0, 0); len(parts) != 0 {
		t.Fatalf("%d parts left", len(parts))
	}
}

// listUploadsAll pages through ListUploads with a small limit, continuing
// from the last entry as the data layer does.
func listUploadsAll(t *testing.T, ix *Index, q UploadQuery, limit int) []string {
	t.Helper()
	var out []string
	for {
		q.Limit = limit
		page, err := ix.ListUploads(context.Background(), "b", q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entries {
			if e.IsPrefix {
				out = append(out, e.Name+"*")
				q.AfterKey, q.AfterUploadID = e.Name, ""
			} else {
				out = append(out, e.Name+"@"+e.Upload.UploadID)
				q.AfterKey, q.AfterUploadID = e.Name, e.Upload.UploadID
			}
		}
		if !page.More {
			return out
		}
		if len(page.Entries) == 0 {
			t.Fatal("empty page with more")
		}
	}
}

func TestListUploads(t *testing.T) {
	ix := openTest(t)
	ups := []struct{ key, id string }{
		{"a", "1"}, {"a", "2"}, {"a/b", "1"}, {"a/c", "1"}, {"a0", "1"}, {"b/x/y", "1"}, {"c", "3"}, {"c", "1"},
	}
	for i, u := range ups {
		if err := ix.PutUpload(testUpload(u.key, u.id, fmt.Sprintf("data%04d", i))); err != nil {
			t.Fatal(err)
		}
	}
	// Another bucket never shows.
	other := testUpload("a", "9", "data9999")
	other.Bucket = "bb"
	if err := ix.PutUpload(other); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		q    UploadQuery
		want []string
	}{
		{"all", UploadQuery{}, []string{"a@1", "a@2", "a/b@1", "a/c@1", "a0@1", "b/x/y@1", "c@1", "c@3"}},
		{"delimiter", UploadQuery{Delimiter: "/"}, []string{"a@1", "a@2", "a/*", "a0@1", "b/*", "c@1", "c@3"}},
		{"prefix", UploadQuery{Prefix: "a/"}, []string{"a/b@1", "a/c@1"}},
		{"prefix delimiter", UploadQuery{Prefix: "b/", Delimiter: "/"}, []string{"b/x/*"}},
		{"key marker skips the key", UploadQuery{AfterKey: "a"}, []string{"a/b@1", "a/c@1", "a0@1", "b/x/y@1", "c@1", "c@3"}},
		{"upload marker within the key", UploadQuery{AfterKey: "a", AfterUploadID: "1"}, []string{"a@2", "a/b@1", "a/c@1", "a0@1", "b/x/y@1", "c@1", "c@3"}},
		{"marker is a prefix", UploadQuery{AfterKey: "a/", Delimiter: "/"}, []string{"a0@1", "b/*", "c@1", "c@3"}},
		{"marker inside a prefix", UploadQuery{AfterKey: "a/b", Delimiter: "/"}, []string{"a0@1", "b/*", "c@1", "c@3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, limit := range []int{1, 2, 1000} {
				if got := listUploadsAll(t, ix, tc.q, limit); !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("limit %d: got %v, want %v", limit, got, tc.want)
				}
			}
		})
	}
}

func TestWalkUploads(t *testing.T) {
	ix := openTest(t)
	var want []UploadRef
	for i, b := range []string{"x", "b", "m"} {
		for j, k := range []string{"k2", "k1"} {
			u := testUpload(k, fmt.Sprintf("u%d", j), fmt.Sprintf("data%02d%02d", i, j))
			u.Bucket = b
			if err := ix.PutUpload(u); err != nil {
				t.Fatal(err)
			}
			want = append(want, UploadRef{Bucket: b, Key: k, UploadID: u.UploadID})
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i].Less(want[j]) })
	var got []UploadRef
	after := UploadRef{}
	for {
		refs, more, err := ix.WalkUploads(context.Background(), after, 4)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, refs...)
		if !more {
			break
		}
		after = refs[len(refs)-1]
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("walk = %v, want %v", got, want)
	}
}
