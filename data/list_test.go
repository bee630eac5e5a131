package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// listModel is the expected listing computed the obvious way.
func listModel(keys []string, o ListOptions) (objs, cps []string) {
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	seen := map[string]bool{}
	for _, k := range sorted {
		if !strings.HasPrefix(k, o.Prefix) {
			continue
		}
		if o.Delimiter != "" {
			if i := strings.Index(k[len(o.Prefix):], o.Delimiter); i >= 0 {
				cp := k[:len(o.Prefix)+i+len(o.Delimiter)]
				if cp > o.After && !seen[cp] {
					seen[cp] = true
					cps = append(cps, cp)
				}
				continue
			}
		}
		if k > o.After {
			objs = append(objs, k)
		}
	}
	return objs, cps
}

func listPaged(t *testing.T, s *Store, o ListOptions) (objs, cps []string) {
	t.Helper()
	for page := 0; ; page++ {
		res, err := s.ListObjects(context.Background(), "b", o)
		if err != nil {
			t.Fatal(err)
		}
		max := o.MaxKeys
		if max == 0 || max > MaxListKeys {
			max = MaxListKeys
		}
		if n := len(res.Objects) + len(res.CommonPrefixes); n > max || (res.IsTruncated && n != max) {
			t.Fatalf("page of %d items with MaxKeys %d, truncated %v", n, max, res.IsTruncated)
		}
		if !sort.SliceIsSorted(res.Objects, func(i, j int) bool { return res.Objects[i].Key < res.Objects[j].Key }) ||
			!sort.StringsAreSorted(res.CommonPrefixes) {
			t.Fatal("page not sorted")
		}
		for _, oi := range res.Objects {
			if !oi.IsLatest || oi.DeleteMarker || oi.ETag == "" {
				t.Fatalf("listed object %+v", oi)
			}
			objs = append(objs, oi.Key)
		}
		cps = append(cps, res.CommonPrefixes...)
		if !res.IsTruncated {
			return objs, cps
		}
		o.After = res.NextAfter
		if page > 5000 {
			t.Fatal("pagination does not end")
		}
	}
}

func TestListing(t *testing.T) {
	e := newEnv(t, 4, Options{})
	var keys []string
	for i := 0; i < 1500; i++ {
		var k string
		switch i % 5 {
		case 0:
			k = fmt.Sprintf("photos/%04d/img-%d.jpg", 2000+i%7, i)
		case 1:
			k = fmt.Sprintf("docs/%d.txt", i)
		case 2:
			k = fmt.Sprintf("top-%04d", i)
		case 3:
			k = fmt.Sprintf("a/b/c/%d", i)
		default:
			k = fmt.Sprintf("photos/%d", i)
		}
		keys = append(keys, k)
		e.put("b", k, []byte(k))
	}
	// Overwrites do not duplicate; deleted keys disappear; delete markers hide.
	e.put("b", keys[0], []byte("again"))
	if _, err := e.s.DeleteObject(context.Background(), "b", keys[1], DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.DeleteObject(context.Background(), "b", keys[2], DeleteOptions{Versioned: true}); err != nil {
		t.Fatal(err)
	}
	// A prefix whose only key is hidden by a delete marker is not listed.
	e.put("b", "ghost/x", []byte("x"))
	if _, err := e.s.DeleteObject(context.Background(), "b", "ghost/x", DeleteOptions{Versioned: true}); err != nil {
		t.Fatal(err)
	}
	e.put("other", "not-in-b", []byte("x"))
	keys = append(keys[:1], keys[3:]...)

	cases := []ListOptions{
		{},
		{MaxKeys: 7},
		{Delimiter: "/"},
		{Delimiter: "/", MaxKeys: 1},
		{Prefix: "photos/", Delimiter: "/", MaxKeys: 3},
		{Prefix: "photos/2003/", MaxKeys: 50},
		{Prefix: "a/", Delimiter: "/"},
		{Prefix: "top-", After: "top-0700", MaxKeys: 100},
		{Delimiter: "/", After: "docs/"},
		{Prefix: "nope"},
		{MaxKeys: 5000}, // capped at 1000
	}
	for _, o := range cases {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			gotO, gotC := listPaged(t, e.s, o)
			wantO, wantC := listModel(keys, o)
			if !reflect.DeepEqual(gotO, wantO) || !reflect.DeepEqual(gotC, wantC) {
				t.Fatalf("objects %d (want %d), prefixes %v (want %v)", len(gotO), len(wantO), gotC, wantC)
			}
		})
	}
	// The default page is 1000 keys.
	res, err := e.s.ListObjects(context.Background(), "b", ListOptions{})
	if err != nil || len(res.Objects) != 1000 || !res.IsTruncated || res.NextAfter != res.Objects[999].Key {
		t.Fatalf("default page: %d objects, truncated %v, next %q (%v)", len(res.Objects), res.IsTruncated, res.NextAfter, err)
	}
	// Listings survive losing parity drives and see writes made meanwhile.
	e.faults[0].down.Store(true)
	e.put("b", "zz-new", []byte("x"))
	e.faults[0].down.Store(false)
	e.faults[1].down.Store(true)
	e.faults[2].down.Store(true)
	for range 4 { // every rotation of the starting drive
		got, _ := listPaged(t, e.s, ListOptions{Prefix: "zz"})
		if !reflect.DeepEqual(got, []string{"zz-new"}) {
			t.Fatalf("listing missed an acknowledged write: %v", got)
		}
	}
}

func TestDeleteAndVersions(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	if _, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{}); !errors.Is(err, ErrObjectNotFound) {
		t.Fatalf("delete of nothing: %v", err)
	}
	big := randBytes(1, 2*mib)
	info := e.put("b", "k", big)
	got, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{})
	if err != nil || got.VersionID != "null" || got.ModTime != info.ModTime {
		t.Fatalf("delete: %+v %v", got, err)
	}
	if _, err := e.s.StatObject(ctx, "b", "k", GetOptions{}); !errors.Is(err, ErrObjectNotFound) {
		t.Fatalf("stat after delete: %v", err)
	}
	for slot := range 4 {
		if f := shardFiles(t, e.drivePath(slot)); len(f) != 0 {
			t.Fatalf("shard files after delete: %v", f)
		}
	}
	if empty, err := e.s.BucketEmpty(ctx, "b"); !empty || err != nil {
		t.Fatalf("BucketEmpty = %v, %v", empty, err)
	}

	// Versioned writes keep every version; a delete marker hides them.
	v1, _ := e.s.PutObject(ctx, "b", "v", bytes.NewReader([]byte("one")), 3, PutOptions{Versioned: true})
	v2, _ := e.s.PutObject(ctx, "b", "v", bytes.NewReader([]byte("two!")), 4, PutOptions{Versioned: true})
	if v1.VersionID == v2.VersionID || v1.VersionID == "null" {
		t.Fatalf("version IDs %q %q", v1.VersionID, v2.VersionID)
	}
	dm, err := e.s.DeleteObject(ctx, "b", "v", DeleteOptions{Versioned: true})
	if err != nil || !dm.DeleteMarker || dm.VersionID == "" {
		t.Fatalf("delete marker: %+v %v", dm, err)
	}
	st, err := e.s.StatObject(ctx, "b", "v", GetOptions{})
	if !errors.Is(err, ErrObjectNotFound) || !st.DeleteMarker || st.VersionID != dm.VersionID {
		t.Fatalf("stat latest = marker: %+v %v", st, err)
	}
	if _, err := e.s.StatObject(ctx, "b", "v", GetOptions{VersionID: dm.VersionID}); !errors.Is(err, ErrDeleteMarker) {
		t.Fatalf("stat marker by id: %v", err)
	}
	o, err := e.s.OpenObject(ctx, "b", "v", GetOptions{VersionID: v1.VersionID})
	if err != nil || o.Info().Size != 3 || o.Info().IsLatest {
		t.Fatalf("old version: %v", err)
	}
	if empty, _ := e.s.BucketEmpty(ctx, "b"); empty {
		t.Fatal("bucket with versions reported empty")
	}
	// Removing the marker by ID brings back v2.
	if _, err := e.s.DeleteObject(ctx, "b", "v", DeleteOptions{VersionID: dm.VersionID}); err != nil {
		t.Fatal(err)
	}
	st, err = e.s.StatObject(ctx, "b", "v", GetOptions{})
	if err != nil || st.VersionID != v2.VersionID || st.Size != 4 {
		t.Fatalf("after removing marker: %+v %v", st, err)
	}
	if _, err := e.s.DeleteObject(ctx, "b", "v", DeleteOptions{VersionID: "no-such"}); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("delete unknown version: %v", err)
	}
	if _, err := e.s.StatObject(ctx, "b", "v", GetOptions{VersionID: "no-such"}); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("stat unknown version: %v", err)
	}
	// Deletes need the write quorum.
	e.faults[0].down.Store(true)
	e.faults[1].down.Store(true)
	if _, err := e.s.DeleteObject(ctx, "b", "v", DeleteOptions{VersionID: v1.VersionID}); !errors.Is(err, ErrWriteQuorum) {
		t.Fatalf("delete below quorum: %v", err)
	}
}

func TestDeleteDoesNotRemoveNewerWrite(t *testing.T) {
	e := newEnv(t, 4, Options{})
	body := []byte("newer")
	e.put("b", "k", body)
	// A delete stamped before the write (a slow request) must not remove it.
	for _, d := range e.s.drives {
		if _, err := d.DeleteVersion(context.Background(), "b", "k", "null", 1); err == nil {
			t.Fatal("older delete removed a newer version")
		}
	}
	e.mustGet("b", "k", body)
}
