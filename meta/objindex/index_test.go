package objindex

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
)

func openTest(t testing.TB) *Index {
	t.Helper()
	ix, err := Open(t.TempDir(), Options{NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func put(t testing.TB, ix *Index, r Record) PutResult {
	t.Helper()
	res, err := ix.Put(&r)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPutGetInline(t *testing.T) {
	ix := openTest(t)
	put(t, ix, Record{Bucket: "b", Key: "k", VersionID: NullVersion, ModTime: 10, Size: 3, Inline: []byte("abc!")})
	r, err := ix.Get("b", "k", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Inline != nil || r.InlineSize != 4 || !r.Latest || r.Size != 3 {
		t.Fatalf("without inline: %+v", r)
	}
	r, err = ix.Get("b", "k", NullVersion, true)
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Inline) != "abc!" {
		t.Fatalf("inline = %q", r.Inline)
	}
	if _, err := ix.Get("b", "other", "", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing key: %v", err)
	}
	if _, err := ix.Get("b", "k", "v9", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing version: %v", err)
	}
	if _, err := ix.Get("b", "bad\x00key", "", false); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("NUL in key: %v", err)
	}
}

func TestNullVersionNewestWins(t *testing.T) {
	ix := openTest(t)
	put(t, ix, Record{Bucket: "b", Key: "k", VersionID: NullVersion, ModTime: 10, DataID: "d10"})
	res := put(t, ix, Record{Bucket: "b", Key: "k", VersionID: NullVersion, ModTime: 20, DataID: "d20"})
	if res.Superseded || len(res.Replaced) != 1 || res.Replaced[0].DataID != "d10" {
		t.Fatalf("newer put: %+v", res)
	}
	res = put(t, ix, Record{Bucket: "b", Key: "k", VersionID: NullVersion, ModTime: 15, DataID: "d15"})
	if !res.Superseded || len(res.Replaced) != 0 {
		t.Fatalf("older put: %+v", res)
	}
	vs, err := ix.Versions("b", "k")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].DataID != "d20" {
		t.Fatalf("versions: %+v", vs)
	}
	for id, want := range map[string]bool{"d10": false, "d15": false, "d20": true} {
		if got, _ := ix.HasData(id); got != want {
			t.Errorf("HasData(%s) = %v", id, got)
		}
	}
	// Same version again (a heal) overwrites in place.
	res = put(t, ix, Record{Bucket: "b", Key: "k", VersionID: NullVersion, ModTime: 20, DataID: "d20", Size: 7})
	if res.Superseded || len(res.Replaced) != 0 {
		t.Fatalf("overwrite: %+v", res)
	}
	if r, _ := ix.Get("b", "k", "", false); r.Size != 7 {
		t.Fatalf("overwrite not stored: %+v", r)
	}
}

func TestVersionsNewestFirstAndDelete(t *testing.T) {
	ix := openTest(t)
	for i, mt := range []int64{30, 10, 20} {
		put(t, ix, Record{Bucket: "b", Key: "k", VersionID: fmt.Sprintf("v%d", mt), ModTime: mt, Size: int64(i)})
	}
	put(t, ix, Record{Bucket: "b", Key: "k", VersionID: NullVersion, ModTime: 25})
	vs, err := ix.Versions("b", "k")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.VersionID)
	}
	if want := []string{"v30", NullVersion, "v20", "v10"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("order %v want %v", ids, want)
	}
	if !vs[0].Latest || vs[1].Latest {
		t.Fatal("Latest flag wrong")
	}
	r, err := ix.Get("b", "k", "v20", false)
	if err != nil || r.Latest || r.ModTime != 20 {
		t.Fatalf("get v20: %+v %v", r, err)
	}
	// notAfter protects a newer write from an older delete.
	if _, err := ix.Delete("b", "k", NullVersion, 24); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete with old notAfter: %v", err)
	}
	if r, err := ix.Delete("b", "k", NullVersion, 25); err != nil || r.ModTime != 25 {
		t.Fatalf("delete: %+v %v", r, err)
	}
	if _, err := ix.Get("b", "k", NullVersion, false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestDeleteRemovesInlineAndDataRef(t *testing.T) {
	ix := openTest(t)
	put(t, ix, Record{Bucket: "b", Key: "k", VersionID: "v1", ModTime: 1, Inline: []byte("x")})
	put(t, ix, Record{Bucket: "b", Key: "j", VersionID: "v1", ModTime: 1, DataID: "dd"})
	if _, err := ix.Delete("b", "k", "v1", 1<<62); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Delete("b", "j", "v1", 1<<62); err != nil {
		t.Fatal(err)
	}
	if ok, _ := ix.HasData("dd"); ok {
		t.Fatal("data ref left behind")
	}
	if ok, _ := ix.HasObjects("b"); ok {
		t.Fatal("bucket not empty")
	}
	// No stray inline key either: a full scan sees only the schema key.
	n := 0
	ix.db.View(func(txn *badgerTxn) error {
		it := txn.NewIterator(badgerIterOpts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if n != 1 {
		t.Fatalf("%d keys left, want only the schema key", n)
	}
}

func TestPersistenceAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	put(t, ix, Record{Bucket: "b", Key: "k", VersionID: NullVersion, ModTime: 1, Inline: []byte("persist")})
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	r, err := ix.Get("b", "k", "", true)
	if err != nil || string(r.Inline) != "persist" {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestConcurrentNullPuts(t *testing.T) {
	ix := openTest(t)
	var wg sync.WaitGroup
	replaced := make(chan string, 200)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				mt := int64(i*8 + g + 1)
				res, err := ix.Put(&Record{Bucket: "b", Key: "k", VersionID: NullVersion, ModTime: mt, DataID: fmt.Sprint(mt)})
				if err != nil {
					t.Error(err)
					return
				}
				for _, r := range res.Replaced {
					replaced <- r.DataID
				}
			}
		}(g)
	}
	wg.Wait()
	vs, err := ix.Versions("b", "k")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].ModTime != 160 {
		t.Fatalf("want one null version at 160, got %+v", vs)
	}
	close(replaced)
	seen := map[string]bool{}
	for id := range replaced {
		if seen[id] {
			t.Fatalf("version %s replaced twice", id)
		}
		seen[id] = true
	}
}

func TestWalk(t *testing.T) {
	ix := openTest(t)
	want := []ObjectRef{{"a", "x"}, {"a", "y"}, {"b", ""}, {"b", "z"}, {"c", "q"}}
	for _, r := range want {
		put(t, ix, Record{Bucket: r.Bucket, Key: r.Key, VersionID: "v1", ModTime: 1})
		put(t, ix, Record{Bucket: r.Bucket, Key: r.Key, VersionID: "v2", ModTime: 2})
	}
	var got []ObjectRef
	after := ObjectRef{}
	for {
		refs, more, err := ix.Walk(context.Background(), after, 2)
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
		t.Fatalf("walk %v want %v", got, want)
	}
}
