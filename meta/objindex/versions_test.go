package objindex

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSetMeta(t *testing.T) {
	ix := openTest(t)
	put(t, ix, Record{Bucket: "b", Key: "k", VersionID: "v1", ModTime: 10, Size: 4, ETag: "e", Inline: []byte("data"),
		Tags: map[string]string{"old": "1"}, ACL: []byte("acl-put")})
	put(t, ix, Record{Bucket: "b", Key: "k", VersionID: "v2", ModTime: 20, DeleteMarker: true})
	until := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
	u := MetaUpdate{Tags: map[string]string{"a": "b"}, RetentionMode: "GOVERNANCE", RetainUntil: until, LegalHold: true,
		ACL: []byte("acl-set"), MetaTime: 100}
	r, err := ix.SetMeta("b", "k", "v1", 10, u)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Tags, u.Tags) || r.RetentionMode != "GOVERNANCE" || !r.RetainUntil.Equal(until) || !r.LegalHold ||
		string(r.ACL) != "acl-set" || r.MetaTime != 100 {
		t.Fatalf("returned %+v", r)
	}
	u.ACL[0] = 'X' // the index must not alias the caller's slice
	got, err := ix.Get("b", "k", "v1", true)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Inline) != "data" || got.ETag != "e" || got.Size != 4 || !reflect.DeepEqual(got.Tags, u.Tags) || !got.LegalHold ||
		string(got.ACL) != "acl-set" {
		t.Fatalf("stored %+v", got)
	}
	// An older update loses.
	if r, err := ix.SetMeta("b", "k", "v1", 10, MetaUpdate{MetaTime: 50}); err != nil || !r.LegalHold || string(r.ACL) != "acl-set" || r.MetaTime != 100 {
		t.Fatalf("stale update: %+v %v", r, err)
	}
	// A newer update without an ACL removes it.
	if r, err := ix.SetMeta("b", "k", "v1", 10, MetaUpdate{Tags: u.Tags, LegalHold: true, MetaTime: 150}); err != nil || r.ACL != nil {
		t.Fatalf("ACL removal: %+v %v", r, err)
	}
	if got, err := ix.Get("b", "k", "v1", false); err != nil || got.ACL != nil || got.MetaTime != 150 {
		t.Fatalf("stored after ACL removal: %+v %v", got, err)
	}
	// Wrong ModTime or version: not found.
	for _, tc := range []struct {
		vid string
		mt  int64
	}{{"v1", 11}, {"nope", 10}} {
		if _, err := ix.SetMeta("b", "k", tc.vid, tc.mt, u); !errors.Is(err, ErrNotFound) {
			t.Fatalf("%s@%d: %v", tc.vid, tc.mt, err)
		}
	}
	// The delete marker keeps hiding the key from listings after an update.
	if _, err := ix.SetMeta("b", "k", "v2", 20, MetaUpdate{MetaTime: 101}); err != nil {
		t.Fatal(err)
	}
	page, err := ix.List(context.Background(), "b", ListQuery{Delimiter: "/"})
	if err != nil || len(page.Entries) != 1 || !page.Entries[0].Record.DeleteMarker {
		t.Fatalf("list after marker update: %+v %v", page, err)
	}
}

// TestOverwriteKeepsNewerMeta: re-putting an existing version (a heal)
// with metadata older than the stored keeps the stored metadata; with
// newer metadata it replaces it.
func TestOverwriteKeepsNewerMeta(t *testing.T) {
	ix := openTest(t)
	base := Record{Bucket: "b", Key: "k", VersionID: "v", ModTime: 10, Size: 1, Tags: map[string]string{"t": "put"}, ACL: []byte("put")}
	put(t, ix, base)
	until := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := ix.SetMeta("b", "k", "v", 10, MetaUpdate{Tags: map[string]string{"t": "set"}, RetentionMode: "GOVERNANCE",
		RetainUntil: until, LegalHold: true, ACL: []byte("set"), MetaTime: 50}); err != nil {
		t.Fatal(err)
	}
	stale := base
	stale.Tags = map[string]string{"t": "put"}
	put(t, ix, stale) // MetaTime 0 < 50
	got, err := ix.Get("b", "k", "v", false)
	if err != nil || got.Tags["t"] != "set" || !got.LegalHold || got.RetentionMode != "GOVERNANCE" || !got.RetainUntil.Equal(until) ||
		string(got.ACL) != "set" || got.MetaTime != 50 {
		t.Fatalf("stale overwrite rolled metadata back: %+v %v", got, err)
	}
	fresh := base
	fresh.Tags, fresh.ACL, fresh.MetaTime = map[string]string{"t": "newer"}, []byte("newer"), 60
	put(t, ix, fresh)
	if got, err := ix.Get("b", "k", "v", false); err != nil || got.Tags["t"] != "newer" || got.LegalHold || string(got.ACL) != "newer" || got.MetaTime != 60 {
		t.Fatalf("newer overwrite: %+v %v", got, err)
	}
}

type verRef struct {
	name   string
	prefix bool
	mt     int64
	vid    string
}

func (v verRef) String() string {
	if v.prefix {
		return v.name + "/*"
	}
	return fmt.Sprintf("%s@%d:%s", v.name, v.mt, v.vid)
}

// TestListVersionsPaging lists every version through pages of every size
// and compares with the expected order computed from the records.
func TestListVersionsPaging(t *testing.T) {
	ix := openTest(t)
	recs := []Record{
		{Key: "a", VersionID: "a1", ModTime: 1},
		{Key: "a", VersionID: "a2", ModTime: 5},
		{Key: "a", VersionID: NullVersion, ModTime: 3},
		{Key: "dir/x", VersionID: "x1", ModTime: 2, DeleteMarker: true},
		{Key: "dir/y", VersionID: "y1", ModTime: 2},
		{Key: "dir/y", VersionID: "y2", ModTime: 4},
		{Key: "dir/z/q", VersionID: "q1", ModTime: 7},
		{Key: "e", VersionID: "e1", ModTime: 9, DeleteMarker: true},
		{Key: "e", VersionID: "e0", ModTime: 9},
	}
	for _, r := range recs {
		r.Bucket = "b"
		put(t, ix, r)
	}
	put(t, ix, Record{Bucket: "other", Key: "a", VersionID: "o", ModTime: 1})
	cases := []struct {
		prefix, delim string
		want          []string
	}{
		{"", "", []string{"a@5:a2", "a@3:null", "a@1:a1", "dir/x@2:x1", "dir/y@4:y2", "dir/y@2:y1", "dir/z/q@7:q1", "e@9:e0", "e@9:e1"}},
		{"", "/", []string{"a@5:a2", "a@3:null", "a@1:a1", "dir//*", "e@9:e0", "e@9:e1"}},
		{"dir/", "/", []string{"dir/x@2:x1", "dir/y@4:y2", "dir/y@2:y1", "dir/z//*"}},
		{"dir/y", "", []string{"dir/y@4:y2", "dir/y@2:y1"}},
		{"zz", "", nil},
	}
	for _, tc := range cases {
		for limit := 1; limit <= len(tc.want)+1; limit++ {
			var got []string
			var after VersionPos
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatal("no progress")
				}
				page, err := ix.ListVersions(context.Background(), "b", VersionQuery{Prefix: tc.prefix, Delimiter: tc.delim, After: after, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Entries) > limit {
					t.Fatalf("page of %d entries, limit %d", len(page.Entries), limit)
				}
				for _, e := range page.Entries {
					if e.IsPrefix {
						got = append(got, verRef{name: e.Name, prefix: true}.String())
						after = VersionPos{Key: e.Name}
					} else {
						got = append(got, verRef{name: e.Name, mt: e.Record.ModTime, vid: e.Record.VersionID}.String())
						after = VersionPos{Key: e.Name, HasVersion: true, ModTime: e.Record.ModTime, VersionID: e.Record.VersionID}
					}
				}
				if !page.More {
					break
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("prefix %q delim %q limit %d:\n got %v\nwant %v", tc.prefix, tc.delim, limit, got, tc.want)
			}
		}
	}
	// Resume points: after a key, after a version, before a key's first.
	for _, tc := range []struct {
		after VersionPos
		first string
	}{
		{VersionPos{Key: "a"}, "dir/x@2:x1"},
		{VersionPos{Key: "a", HasVersion: true, ModTime: 3, VersionID: NullVersion}, "a@1:a1"},
		{FirstOf("dir/y"), "dir/y@4:y2"},
		{VersionPos{Key: "e", HasVersion: true, ModTime: 9, VersionID: "e0"}, "e@9:e1"},
	} {
		page, err := ix.ListVersions(context.Background(), "b", VersionQuery{After: tc.after, Limit: 1})
		if err != nil || len(page.Entries) != 1 {
			t.Fatalf("%+v: %+v %v", tc.after, page, err)
		}
		e := page.Entries[0]
		if got := (verRef{name: e.Name, mt: e.Record.ModTime, vid: e.Record.VersionID}).String(); got != tc.first {
			t.Fatalf("after %+v: first %s, want %s", tc.after, got, tc.first)
		}
	}
}

// TestNewerMatchesIndexOrder: Newer orders versions of one key exactly as
// the index lists them, ties in ModTime included, so merges agree with it.
func TestNewerMatchesIndexOrder(t *testing.T) {
	ix := openTest(t)
	var recs []*Record
	for _, v := range []struct {
		mt  int64
		vid string
	}{{5, "b"}, {5, "a"}, {5, NullVersion}, {7, "z"}, {1, "c"}} {
		r := &Record{Bucket: "b", Key: "k", VersionID: v.vid, ModTime: v.mt}
		put(t, ix, *r)
		recs = append(recs, r)
	}
	listed, err := ix.Versions("b", "k")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(listed); i++ {
		if !Newer(listed[i-1], listed[i]) || Newer(listed[i], listed[i-1]) {
			t.Fatalf("index lists %s@%d before %s@%d but Newer disagrees",
				listed[i-1].VersionID, listed[i-1].ModTime, listed[i].VersionID, listed[i].ModTime)
		}
	}
	if len(listed) != len(recs) {
		t.Fatalf("%d versions listed", len(listed))
	}
}
