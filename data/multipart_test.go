package data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// threeParts uploads the standard multipart object of the tests: 5 MiB,
// 5 MiB and 1 MiB + 123 bytes.
func (e *env) threeParts(bucket, key string) (Upload, []PartInfo, [][]byte) {
	e.t.Helper()
	u := e.create(bucket, key)
	bodies := [][]byte{randBytes(1, 5*mib), randBytes(2, 5*mib), randBytes(3, mib+123)}
	var parts []PartInfo
	for i, b := range bodies {
		parts = append(parts, e.putPart(u, i+1, b))
	}
	return u, parts, bodies
}

func TestMultipartRoundTrip(t *testing.T) {
	e := newEnv(t, 4, Options{})
	u, parts, bodies := e.threeParts("b", "big")
	if len(u.UploadID) != uploadIDLen || u.Initiated.IsZero() {
		t.Fatalf("upload %+v", u)
	}
	if parts[0].ETag != hexMD5(bodies[0]) || parts[2].Size != mib+123 || parts[1].ModTime.IsZero() {
		t.Fatalf("parts %+v", parts)
	}
	info, err := e.complete(u, parts...)
	if err != nil {
		t.Fatal(err)
	}
	whole := bytes.Join(bodies, nil)
	if info.ETag != multipartETag(bodies...) || info.Size != int64(len(whole)) || info.VersionID != "null" || !info.IsLatest {
		t.Fatalf("completed %+v, want ETag %s", info, multipartETag(bodies...))
	}
	e.mustGet("b", "big", whole)
	st, err := e.s.StatObject(context.Background(), "b", "big", GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.ETag != info.ETag || len(st.Parts) != 3 || st.Parts[1].Size != 5*mib || st.Parts[2].ETag != parts[2].ETag {
		t.Fatalf("stat %+v", st)
	}
	// One folder per drive holding the three parts' files, nothing copied,
	// nothing left in tmp.
	for slot := range 4 {
		files := shardFiles(t, e.drivePath(slot))
		if len(files) != 3 {
			t.Fatalf("drive %d: %v", slot, files)
		}
		for _, f := range files[1:] {
			if filepath.Dir(f) != filepath.Dir(files[0]) {
				t.Fatalf("parts in different folders: %v", files)
			}
		}
		if tmp := dirEntries(t, e.drivePath(slot)+"/tmp"); len(tmp) != 0 {
			t.Fatalf("tmp of drive %d: %v", slot, tmp)
		}
	}
	// The upload is gone.
	if _, err := e.s.ListParts(context.Background(), "b", "big", u.UploadID, 0, 0); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("list parts after complete: %v", err)
	}
	// Completing it again is answered like the first time (see
	// multipart_retry_test.go).
	if again, err := e.complete(u, parts...); err != nil || again.ETag != info.ETag || again.VersionID != info.VersionID {
		t.Fatalf("second complete: %+v, %v", again, err)
	}
}

func hexMD5(b []byte) string {
	s, _ := md5Seal(b)()
	return s.ETag
}

func TestMultipartRanges(t *testing.T) {
	e := newEnv(t, 4, Options{})
	u, parts, bodies := e.threeParts("b", "k")
	if _, err := e.complete(u, parts...); err != nil {
		t.Fatal(err)
	}
	whole := bytes.Join(bodies, nil)
	n := int64(len(whole))
	p1 := int64(5 * mib)
	cases := []struct{ off, length int64 }{
		{0, n}, {p1 - 10, 20}, {p1 - 1, 1}, {p1, 1}, {p1 - 1, p1 + 2}, {2*p1 - 5, 10},
		{123, 2*p1 + 77}, {n - 1, 1}, {2 * p1, n - 2*p1}, {7, 0},
	}
	for _, c := range cases {
		got, err := e.readRange("b", "k", GetOptions{}, c.off, c.length)
		if err != nil {
			t.Fatalf("range %d+%d: %v", c.off, c.length, err)
		}
		if !bytes.Equal(got, whole[c.off:c.off+c.length]) {
			t.Fatalf("range %d+%d: wrong bytes", c.off, c.length)
		}
	}
	if _, err := e.readRange("b", "k", GetOptions{}, n-1, 2); !errors.Is(err, ErrInvalidRange) {
		t.Fatalf("range past the end: %v", err)
	}
}

func TestMultipartPartNumberReads(t *testing.T) {
	e := newEnv(t, 4, Options{})
	u, parts, bodies := e.threeParts("b", "k")
	// Complete with parts 1 and 3 only: part numbers are kept, not renumbered.
	if _, err := e.complete(u, parts[0], parts[2]); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		part      int
		off, n    int64
		wantBytes []byte
	}{
		{1, 0, 5 * mib, bodies[0]},
		{3, 0, mib + 123, bodies[2]},
		{3, 100, 50, bodies[2][100:150]},
	} {
		got, err := e.readRange("b", "k", GetOptions{PartNumber: c.part}, c.off, c.n)
		if err != nil || !bytes.Equal(got, c.wantBytes) {
			t.Fatalf("part %d %d+%d: %v", c.part, c.off, c.n, err)
		}
	}
	if _, err := e.readRange("b", "k", GetOptions{PartNumber: 3}, 0, mib+124); !errors.Is(err, ErrInvalidRange) {
		t.Fatalf("range past the part: %v", err)
	}
	for _, n := range []int{2, 4} {
		_, err := e.s.OpenObject(context.Background(), "b", "k", GetOptions{PartNumber: n})
		if !errors.Is(err, ErrInvalidPartNumber) || !errors.Is(err, ErrInvalidRange) {
			t.Fatalf("open part %d: %v", n, err)
		}
		if _, err := e.s.StatObject(context.Background(), "b", "k", GetOptions{PartNumber: n}); !errors.Is(err, ErrInvalidPartNumber) {
			t.Fatalf("stat part %d: %v", n, err)
		}
	}
	// A simple PUT is one part, number 1.
	body := randBytes(9, 300<<10)
	e.put("b", "simple", body)
	if got, err := e.readRange("b", "simple", GetOptions{PartNumber: 1}, 0, int64(len(body))); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("part 1 of a simple object: %v", err)
	}
	if _, err := e.s.StatObject(context.Background(), "b", "simple", GetOptions{PartNumber: 2}); !errors.Is(err, ErrInvalidPartNumber) {
		t.Fatalf("part 2 of a simple object: %v", err)
	}
	if st, _ := e.s.StatObject(context.Background(), "b", "simple", GetOptions{}); st.Parts != nil {
		t.Fatalf("a simple object lists parts: %+v", st.Parts)
	}
}

func TestMultipartPartReplacedAndUnlistedRemoved(t *testing.T) {
	e := newEnv(t, 4, Options{})
	u := e.create("b", "k")
	first := randBytes(1, 5*mib)
	second := randBytes(2, 5*mib+1)
	old := e.putPart(u, 1, first)
	p1 := e.putPart(u, 1, second)
	p2 := e.putPart(u, 2, []byte("tail"))
	e.putPart(u, 3, randBytes(3, 1000)) // never listed
	if got := e.partFiles(); !reflect.DeepEqual(got, []int{3, 3, 3, 3}) {
		t.Fatalf("the replaced attempt's files were not removed: %v", got)
	}
	lp, err := e.s.ListParts(context.Background(), "b", "k", u.UploadID, 0, 0)
	if err != nil || len(lp.Parts) != 3 || lp.Parts[0].ETag != p1.ETag || lp.Parts[0].Size != 5*mib+1 {
		t.Fatalf("list parts %+v, %v", lp, err)
	}
	if _, err := e.complete(u, old, p2); !errors.Is(err, ErrInvalidPart) {
		t.Fatalf("complete with the replaced ETag: %v", err)
	}
	info, err := e.complete(u, p1, p2)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte(nil), second...), "tail"...)
	e.mustGet("b", "k", want)
	if info.ETag != multipartETag(second, []byte("tail")) {
		t.Fatalf("ETag %s", info.ETag)
	}
	if got := e.partFiles(); !reflect.DeepEqual(got, []int{2, 2, 2, 2}) {
		t.Fatalf("unlisted part's files left: %v", got)
	}
	// Overwriting the object retires all its parts' files.
	e.put("b", "k", []byte("small"))
	if got := e.partFiles(); !reflect.DeepEqual(got, []int{0, 0, 0, 0}) {
		t.Fatalf("files after overwrite: %v", got)
	}
	e.mustGet("b", "k", []byte("small"))
}

func TestMultipartErrors(t *testing.T) {
	e := newEnv(t, 4, Options{})
	u := e.create("b", "k")
	big := randBytes(1, 5*mib)
	p1 := e.putPart(u, 1, big)
	p2 := e.putPart(u, 2, []byte("small"))
	p3 := e.putPart(u, 3, []byte("last"))
	other := "0000000000000001" + strings.Repeat("ab", 16)
	ctx := context.Background()
	cases := []struct {
		name  string
		parts []CompletePart
		id    string
		want  error
	}{
		{"descending", []CompletePart{{Number: 2, ETag: p2.ETag}, {Number: 1, ETag: p1.ETag}}, u.UploadID, ErrInvalidPartOrder},
		{"duplicate", []CompletePart{{Number: 1, ETag: p1.ETag}, {Number: 1, ETag: p1.ETag}}, u.UploadID, ErrInvalidPartOrder},
		{"missing part", []CompletePart{{Number: 1, ETag: p1.ETag}, {Number: 4, ETag: p3.ETag}}, u.UploadID, ErrInvalidPart},
		{"wrong ETag", []CompletePart{{Number: 1, ETag: p2.ETag}}, u.UploadID, ErrInvalidPart},
		{"wrong checksum", []CompletePart{{Number: 1, ETag: p1.ETag, Checksums: map[string]string{"CRC32": "AAAAAA=="}}}, u.UploadID, ErrInvalidPart},
		{"no parts", nil, u.UploadID, ErrInvalidPart},
		{"small part not last", []CompletePart{{Number: 1, ETag: p1.ETag}, {Number: 2, ETag: p2.ETag}, {Number: 3, ETag: p3.ETag}}, u.UploadID, ErrEntityTooSmall},
		{"unknown upload", []CompletePart{{Number: 1, ETag: p1.ETag}}, other, ErrNoSuchUpload},
		{"malformed upload ID", []CompletePart{{Number: 1, ETag: p1.ETag}}, "../../etc", ErrNoSuchUpload},
	}
	for _, c := range cases {
		_, err := e.s.CompleteMultipartUpload(ctx, "b", "k", c.id, c.parts, Preconditions{})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := e.s.PutObjectPart(ctx, "b", "k", other, 1, strings.NewReader("x"), 1, nil); !errors.Is(err, ErrNoSuchUpload) {
		t.Errorf("part of an unknown upload: %v", err)
	}
	if _, err := e.s.PutObjectPart(ctx, "b", "other-key", u.UploadID, 1, strings.NewReader("x"), 1, nil); !errors.Is(err, ErrNoSuchUpload) {
		t.Errorf("upload ID under another key: %v", err)
	}
	for _, n := range []int{0, MaxPartNumber + 1} {
		if _, err := e.s.PutObjectPart(ctx, "b", "k", u.UploadID, n, strings.NewReader("x"), 1, nil); !errors.Is(err, ErrInvalidPartNumber) {
			t.Errorf("part number %d: %v", n, err)
		}
	}
	if _, err := e.s.PutObjectPart(ctx, "b", "k", u.UploadID, 5, strings.NewReader("xy"), 3, nil); !errors.Is(err, ErrIncompleteBody) {
		t.Errorf("short part body: %v", err)
	}
	if err := e.s.AbortMultipartUpload(ctx, "b", "k", other); !errors.Is(err, ErrNoSuchUpload) {
		t.Errorf("abort unknown: %v", err)
	}
	// The failed completions left the upload intact: the last part may be small.
	if _, err := e.complete(u, p1, p3); err != nil {
		t.Fatal(err)
	}
	e.mustGet("b", "k", append(append([]byte(nil), big...), "last"...))
}

func TestAbortLeavesNoFiles(t *testing.T) {
	e := newEnv(t, 4, Options{})
	u := e.create("b", "k")
	e.putPart(u, 1, randBytes(1, 2*mib))
	e.putPart(u, 2, randBytes(2, 100))
	e.putPart(u, 2, randBytes(3, 200))
	ctx := context.Background()
	if err := e.s.AbortMultipartUpload(ctx, "b", "k", u.UploadID); err != nil {
		t.Fatal(err)
	}
	for slot := range 4 {
		if files := allFiles(t, e.drivePath(slot), objectsDir); len(files) != 0 {
			t.Fatalf("drive %d objects: %v", slot, files)
		}
		if files := allFiles(t, e.drivePath(slot), tmpDir); len(files) != 0 {
			t.Fatalf("drive %d tmp: %v", slot, files)
		}
		if files := allFiles(t, e.drivePath(slot), trashDir); len(files) != 0 {
			t.Fatalf("drive %d trash: %v", slot, files)
		}
	}
	if err := e.s.AbortMultipartUpload(ctx, "b", "k", u.UploadID); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("second abort: %v", err)
	}
	if _, err := e.s.PutObjectPart(ctx, "b", "k", u.UploadID, 1, strings.NewReader("x"), 1, nil); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("part after abort: %v", err)
	}
	if _, err := e.s.ListParts(ctx, "b", "k", u.UploadID, 0, 0); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("list parts after abort: %v", err)
	}
	if res, err := e.s.ListMultipartUploads(ctx, "b", ListUploadsOptions{}); err != nil || len(res.Uploads) != 0 {
		t.Fatalf("uploads after abort: %+v, %v", res, err)
	}
	// An orphan sweep and heal find nothing either.
	if rep, err := e.s.HealAll(ctx); err != nil || rep != (HealReport{}) {
		t.Fatalf("heal after abort: %+v, %v", rep, err)
	}
}

func TestUploadsSurviveRestart(t *testing.T) {
	e := newEnv(t, 4, Options{})
	acl := []byte(`{"owner":"me","grants":["READ"]}`)
	opts := PutOptions{Headers: map[string]string{"Content-Type": "text/x"}, Owner: "me",
		Meta: VersionMeta{Tags: map[string]string{"t": "1"}, ACL: append([]byte(nil), acl...)}}
	u, err := e.s.CreateMultipartUpload(context.Background(), "b", "k", opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Meta.ACL[0] = 'X' // the upload keeps its own copy
	if !bytes.Equal(u.Options.Meta.ACL, acl) {
		t.Fatalf("created upload ACL %q", u.Options.Meta.ACL)
	}
	a, b := randBytes(1, 5*mib), randBytes(2, 10)
	p1 := e.putPart(u, 1, a)
	e.reopen()
	ctx := context.Background()
	res, err := e.s.ListMultipartUploads(ctx, "b", ListUploadsOptions{})
	if err != nil || len(res.Uploads) != 1 {
		t.Fatalf("uploads after restart: %+v, %v", res, err)
	}
	got := res.Uploads[0]
	if got.UploadID != u.UploadID || !got.Initiated.Equal(u.Initiated) || got.Owner != "me" ||
		got.Options.Headers["Content-Type"] != "text/x" || got.Options.Meta.Tags["t"] != "1" || !bytes.Equal(got.Options.Meta.ACL, acl) {
		t.Fatalf("upload after restart %+v, created %+v", got, u)
	}
	p2 := e.putPart(u, 2, b)
	lp, err := e.s.ListParts(ctx, "b", "k", u.UploadID, 0, 0)
	if err != nil || len(lp.Parts) != 2 || lp.Parts[0].ETag != p1.ETag || lp.Upload.UploadID != u.UploadID || !bytes.Equal(lp.Upload.Options.Meta.ACL, acl) {
		t.Fatalf("parts after restart %+v, %v", lp, err)
	}
	info, err := e.complete(u, p1, p2)
	if err != nil {
		t.Fatal(err)
	}
	if info.Owner != "me" || info.Headers["Content-Type"] != "text/x" || info.Meta.Tags["t"] != "1" || !bytes.Equal(info.Meta.ACL, acl) {
		t.Fatalf("options not applied at completion: %+v", info)
	}
	e.reopen()
	e.mustGet("b", "k", append(append([]byte(nil), a...), b...))
	if st, err := e.s.StatObject(ctx, "b", "k", GetOptions{}); err != nil || !bytes.Equal(st.Meta.ACL, acl) {
		t.Fatalf("completed version's ACL after restart %q, %v", st.Meta.ACL, err)
	}
}

func TestMultipartWithTwoDrivesLost(t *testing.T) {
	e := newEnv(t, 4, Options{})
	u, parts, bodies := e.threeParts("b", "k")
	if _, err := e.complete(u, parts...); err != nil {
		t.Fatal(err)
	}
	e.faults[0].down.Store(true)
	e.faults[3].down.Store(true)
	whole := bytes.Join(bodies, nil)
	e.mustGet("b", "k", whole)
	got, err := e.readRange("b", "k", GetOptions{}, 5*mib-3, 5*mib+6)
	if err != nil || !bytes.Equal(got, whole[5*mib-3:10*mib+3]) {
		t.Fatalf("range across parts with two drives down: %v", err)
	}
}

func TestMultipartWritesNeedQuorum(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	e.faults[1].down.Store(true)
	e.faults[2].down.Store(true)
	if _, err := e.s.CreateMultipartUpload(ctx, "b", "k", PutOptions{}); !errors.Is(err, ErrWriteQuorum) {
		t.Fatalf("create with two drives down: %v", err)
	}
	e.faults[2].down.Store(false)
	u := e.create("b", "k") // on three drives
	body := randBytes(1, 5*mib)
	p1 := e.putPart(u, 1, body)
	e.faults[3].failCommit.Store(true)
	if _, err := e.s.PutObjectPart(ctx, "b", "k", u.UploadID, 2, bytes.NewReader(body), int64(len(body)), md5Seal(body)); !errors.Is(err, ErrWriteQuorum) {
		t.Fatalf("part committed on two drives: %v", err)
	}
	e.faults[3].failCommit.Store(false)
	// The failed part was rolled back: not listed, no files beyond part 1's.
	lp, err := e.s.ListParts(ctx, "b", "k", u.UploadID, 0, 0)
	if err != nil || len(lp.Parts) != 1 {
		t.Fatalf("parts %+v, %v", lp, err)
	}
	if got := e.partFiles(); !reflect.DeepEqual(got, []int{1, 0, 1, 1}) {
		t.Fatalf("files %v", got)
	}
	e.faults[1].down.Store(false)
	p2 := e.putPart(u, 2, []byte("end")) // drive 1 lacks the upload: three drives
	if _, err := e.complete(u, p1, p2); err != nil {
		t.Fatal(err)
	}
	// The completion queued a heal that fills drive 1.
	e.s.healer.wait()
	if got := e.partFiles(); !reflect.DeepEqual(got, []int{2, 2, 2, 2}) {
		t.Fatalf("files after heal %v\n%s", got, e.logs.String())
	}
	e.faults[0].down.Store(true)
	e.faults[3].down.Store(true)
	e.mustGet("b", "k", append(append([]byte(nil), body...), "end"...))
}

func TestHealRebuildsWipedDrivePartShards(t *testing.T) {
	e := newEnv(t, 4, Options{NoBackgroundHeal: true})
	u, parts, bodies := e.threeParts("b", "k")
	if _, err := e.complete(u, parts...); err != nil {
		t.Fatal(err)
	}
	e.s.Close()
	wipe(t, e.paths[2])
	e.open()
	rep, err := e.s.HealAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Healed != 1 || rep.Shards != 1 {
		t.Fatalf("heal report %+v", rep)
	}
	if files := shardFiles(t, e.drivePath(2)); len(files) != 3 {
		t.Fatalf("wiped drive holds %v after heal", files)
	}
	// The healed drive serves: with two others down, it is needed.
	e.faults[0].down.Store(true)
	e.faults[1].down.Store(true)
	e.mustGet("b", "k", bytes.Join(bodies, nil))
}

func TestListUploadsPagination(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	keys := []string{"a/1", "a/2", "b", "c", "c", "d/x/y"}
	ids := map[string][]string{}
	for _, k := range keys {
		ids[k] = append(ids[k], e.create("bk", k).UploadID)
	}
	e.create("other", "a/1")
	type item struct{ key, id string }
	var want []item
	for _, k := range []string{"a/1", "a/2", "b", "c", "d/x/y"} {
		for _, id := range ids[k] {
			want = append(want, item{k, id})
		}
	}
	// Page through two at a time with the markers the results name.
	var got []item
	opts := ListUploadsOptions{MaxUploads: 2}
	for pages := 0; ; pages++ {
		res, err := e.s.ListMultipartUploads(ctx, "bk", opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range res.Uploads {
			got = append(got, item{u.Key, u.UploadID})
		}
		if !res.IsTruncated {
			break
		}
		if len(res.Uploads) != 2 || pages > 5 {
			t.Fatalf("page %d: %+v", pages, res)
		}
		opts.KeyMarker, opts.UploadIDMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("paged uploads %v, want %v", got, want)
	}
	// Uploads of one key come by initiation.
	if ids["c"][0] > ids["c"][1] {
		t.Fatalf("upload IDs of one key do not sort by initiation: %v", ids["c"])
	}
	res, err := e.s.ListMultipartUploads(ctx, "bk", ListUploadsOptions{Delimiter: "/"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.CommonPrefixes, []string{"a/", "d/"}) || len(res.Uploads) != 3 || res.IsTruncated {
		t.Fatalf("delimited %+v", res)
	}
	res, _ = ep(e.s.ListMultipartUploads(ctx, "bk", ListUploadsOptions{Delimiter: "/", MaxUploads: 1, KeyMarker: "a/"}))
	if len(res.Uploads) != 1 || res.Uploads[0].Key != "b" || !res.IsTruncated {
		t.Fatalf("after the prefix a/: %+v", res)
	}
	res, _ = ep(e.s.ListMultipartUploads(ctx, "bk", ListUploadsOptions{KeyMarker: "c", UploadIDMarker: ids["c"][0]}))
	if len(res.Uploads) != 2 || res.Uploads[0].UploadID != ids["c"][1] || res.Uploads[1].Key != "d/x/y" {
		t.Fatalf("after the first upload of c: %+v", res)
	}
	res, _ = ep(e.s.ListMultipartUploads(ctx, "bk", ListUploadsOptions{Prefix: "a/"}))
	if len(res.Uploads) != 2 {
		t.Fatalf("prefix a/: %+v", res)
	}
	// One drive down: the listing still sees everything.
	e.faults[1].down.Store(true)
	res, err = e.s.ListMultipartUploads(ctx, "bk", ListUploadsOptions{})
	if err != nil || len(res.Uploads) != len(want) {
		t.Fatalf("with a drive down: %d uploads, %v", len(res.Uploads), err)
	}
	e.faults[1].down.Store(false)
	if n, err := e.s.AbortBucketUploads(ctx, "bk"); err != nil || n != len(want) {
		t.Fatalf("abort bucket uploads = %d, %v", n, err)
	}
	if res, _ := e.s.ListMultipartUploads(ctx, "bk", ListUploadsOptions{}); len(res.Uploads) != 0 {
		t.Fatalf("uploads left: %+v", res)
	}
	if res, _ := e.s.ListMultipartUploads(ctx, "other", ListUploadsOptions{}); len(res.Uploads) != 1 {
		t.Fatalf("another bucket's upload was aborted: %+v", res)
	}
}

func ep[T any](v T, err error) (T, error) { return v, err }

func TestListPartsPagination(t *testing.T) {
	e := newEnv(t, 4, Options{})
	u := e.create("b", "k")
	nums := []int{1, 2, 5, 6, 9, 10000}
	for _, n := range nums {
		e.putPart(u, n, []byte{byte(n)})
	}
	ctx := context.Background()
	var got []int
	marker := 0
	for pages := 0; ; pages++ {
		res, err := e.s.ListParts(ctx, "b", "k", u.UploadID, marker, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range res.Parts {
			got = append(got, p.Number)
		}
		if !res.IsTruncated {
			break
		}
		if pages > 3 {
			t.Fatal("too many pages")
		}
		marker = res.NextPartNumberMarker
	}
	if !reflect.DeepEqual(got, nums) {
		t.Fatalf("paged parts %v", got)
	}
	res, err := e.s.ListParts(ctx, "b", "k", u.UploadID, 6, 2)
	if err != nil || len(res.Parts) != 2 || res.Parts[0].Number != 9 || res.IsTruncated || res.NextPartNumberMarker != 10000 {
		t.Fatalf("after 6: %+v, %v", res, err)
	}
}

func TestConcurrentPartUploads(t *testing.T) {
	e := newEnv(t, 4, Options{})
	u := e.create("b", "k")
	const parts = 4
	bodies := make([][]byte, parts)
	alt := make([][]byte, parts)
	for i := range bodies {
		bodies[i] = randBytes(int64(i), 5*mib+i)
		alt[i] = randBytes(int64(100+i), 5*mib+i)
	}
	errs := make(chan error, 2*parts)
	for i := range parts {
		for _, b := range [][]byte{bodies[i], alt[i]} { // two racing uploads of each part
			go func() {
				_, err := e.s.PutObjectPart(context.Background(), "b", "k", u.UploadID, i+1, bytes.NewReader(b), int64(len(b)), md5Seal(b))
				errs <- err
			}()
		}
	}
	for range 2 * parts {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	lp, err := e.s.ListParts(context.Background(), "b", "k", u.UploadID, 0, 0)
	if err != nil || len(lp.Parts) != parts {
		t.Fatalf("parts %+v, %v", lp, err)
	}
	if got := e.partFiles(); !reflect.DeepEqual(got, []int{parts, parts, parts, parts}) {
		t.Fatalf("losing attempts left files: %v", got)
	}
	var want [][]byte
	for i, p := range lp.Parts {
		switch p.ETag {
		case hexMD5(bodies[i]):
			want = append(want, bodies[i])
		case hexMD5(alt[i]):
			want = append(want, alt[i])
		default:
			t.Fatalf("part %d has ETag %s of neither upload", p.Number, p.ETag)
		}
	}
	if _, err := e.complete(u, lp.Parts...); err != nil {
		t.Fatal(err)
	}
	e.mustGet("b", "k", bytes.Join(want, nil))
}

func TestCompositeChecksums(t *testing.T) {
	e := newEnv(t, 4, Options{})
	u := e.create("b", "k")
	bodies := [][]byte{randBytes(1, 5*mib), []byte("tail")}
	var parts []PartInfo
	var crcCat, shaCat []byte
	for i, b := range bodies {
		crc := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(b))
		sha := sha256.Sum256(b)
		crcCat, shaCat = append(crcCat, crc...), append(shaCat, sha[:]...)
		sums := map[string]string{"CRC32": base64.StdEncoding.EncodeToString(crc), "SHA256": base64.StdEncoding.EncodeToString(sha[:])}
		seal := func() (Sealed, error) { return Sealed{ETag: hexMD5(b), Checksums: sums}, nil }
		p, err := e.s.PutObjectPart(context.Background(), "b", "k", u.UploadID, i+1, bytes.NewReader(b), int64(len(b)), seal)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p.Checksums, sums) {
			t.Fatalf("part checksums %v", p.Checksums)
		}
		parts = append(parts, p)
	}
	info, err := e.complete(u, parts...)
	if err != nil {
		t.Fatal(err)
	}
	crcAll := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(crcCat))
	shaAll := sha256.Sum256(shaCat)
	want := map[string]string{
		"CRC32":  base64.StdEncoding.EncodeToString(crcAll) + "-2",
		"SHA256": base64.StdEncoding.EncodeToString(shaAll[:]) + "-2",
	}
	if !reflect.DeepEqual(info.Checksums, want) {
		t.Fatalf("composite checksums %v, want %v", info.Checksums, want)
	}
	st, err := e.s.StatObject(context.Background(), "b", "k", GetOptions{})
	if err != nil || !reflect.DeepEqual(st.Checksums, want) || !reflect.DeepEqual(st.Parts[0].Checksums, parts[0].Checksums) {
		t.Fatalf("stat checksums %v parts %+v, %v", st.Checksums, st.Parts, err)
	}
}

func TestCompleteConditionalAndVersioned(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	e.put("b", "k", []byte("existing"))
	u := e.create("b", "k")
	p := e.putPart(u, 1, []byte("new"))
	_, err := e.s.CompleteMultipartUpload(ctx, "b", "k", u.UploadID, []CompletePart{{Number: 1, ETag: p.ETag}}, Preconditions{IfNoneMatchAny: true})
	if !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("If-None-Match on an existing key: %v", err)
	}
	e.mustGet("b", "k", []byte("existing"))
	_, err = e.s.CompleteMultipartUpload(ctx, "b", "k", u.UploadID, []CompletePart{{Number: 1, ETag: p.ETag}}, Preconditions{IfMatch: hexMD5([]byte("existing"))})
	if err != nil {
		t.Fatalf("If-Match the current ETag: %v", err)
	}
	e.mustGet("b", "k", []byte("new"))

	// A versioned upload creates a new version and keeps the old one.
	vu, err := e.s.CreateMultipartUpload(ctx, "b", "v", PutOptions{Versioned: true})
	if err != nil {
		t.Fatal(err)
	}
	v1 := e.put("b", "v", []byte("one"))
	vp := e.putPart(vu, 1, []byte("two"))
	info, err := e.complete(vu, vp)
	if err != nil {
		t.Fatal(err)
	}
	if info.VersionID == "null" || info.VersionID == "" {
		t.Fatalf("versioned completion got version %q", info.VersionID)
	}
	e.mustGet("b", "v", []byte("two"))
	if got, err := e.readRange("b", "v", GetOptions{VersionID: v1.VersionID}, 0, 3); err != nil || string(got) != "one" {
		t.Fatalf("old version: %q, %v", got, err)
	}
}

func TestUploadLeftoversPurged(t *testing.T) {
	e := newEnv(t, 4, Options{PurgeGrace: 1})
	ctx := context.Background()
	u := e.create("b", "k")
	e.putPart(u, 1, randBytes(1, 200<<10))
	// The abort misses drive 0: the upload stays there, on fewer than k drives.
	e.faults[0].down.Store(true)
	if err := e.s.AbortMultipartUpload(ctx, "b", "k", u.UploadID); err != nil {
		t.Fatal(err)
	}
	e.faults[0].down.Store(false)
	if _, err := e.s.ListParts(ctx, "b", "k", u.UploadID, 0, 0); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("leftover counts as an upload: %v", err)
	}
	if res, _ := e.s.ListMultipartUploads(ctx, "b", ListUploadsOptions{}); len(res.Uploads) != 0 {
		t.Fatalf("leftover listed: %+v", res)
	}
	if len(shardFiles(t, e.drivePath(0))) != 1 {
		t.Fatal("expected the leftover's part file on drive 0")
	}
	rep, err := e.s.HealAll(ctx)
	if err != nil || rep.Uploads != 1 {
		t.Fatalf("heal %+v, %v", rep, err)
	}
	if files := allFiles(t, e.drivePath(0), objectsDir); len(files) != 0 {
		t.Fatalf("leftover files: %v", files)
	}
	if refs, _, _ := e.s.drives[0].WalkUploads(ctx, objindex.UploadRef{}, 10); len(refs) != 0 {
		t.Fatalf("leftover upload records: %v", refs)
	}
}

func TestFailedCompletionCanBeRetried(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	u, parts, bodies := e.threeParts("b", "k")
	e.faults[0].failCommit.Store(true)
	e.faults[1].failCommit.Store(true)
	if _, err := e.complete(u, parts...); !errors.Is(err, ErrWriteQuorum) {
		t.Fatalf("completion on two drives: %v", err)
	}
	if _, err := e.s.StatObject(ctx, "b", "k", GetOptions{}); !errors.Is(err, ErrObjectNotFound) {
		t.Fatalf("a failed completion is visible: %v", err)
	}
	e.faults[0].failCommit.Store(false)
	e.faults[1].failCommit.Store(false)
	if lp, err := e.s.ListParts(ctx, "b", "k", u.UploadID, 0, 0); err != nil || len(lp.Parts) != 3 {
		t.Fatalf("parts after the failed completion: %+v, %v", lp, err)
	}
	if got := e.partFiles(); !reflect.DeepEqual(got, []int{3, 3, 3, 3}) {
		t.Fatalf("files after the failed completion: %v", got)
	}
	if _, err := e.complete(u, parts...); err != nil {
		t.Fatal(err)
	}
	e.mustGet("b", "k", bytes.Join(bodies, nil))
}

func TestAbortWhilePartStreams(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	u := e.create("b", "k")
	body := randBytes(1, 3*mib)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := e.s.PutObjectPart(ctx, "b", "k", u.UploadID, 1, pr, int64(len(body)), md5Seal(body))
		done <- err
	}()
	if _, err := pw.Write(body[:mib]); err != nil { // the part is streaming
		t.Fatal(err)
	}
	if err := e.s.AbortMultipartUpload(ctx, "b", "k", u.UploadID); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Write(body[mib:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("part finished after the abort: %v", err)
	}
	for slot := range 4 {
		for _, dir := range []string{objectsDir, tmpDir} {
			if files := allFiles(t, e.drivePath(slot), dir); len(files) != 0 {
				t.Fatalf("drive %d %s: %v", slot, dir, files)
			}
		}
	}
}
