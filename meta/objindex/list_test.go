package objindex

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// modelList is the reference: the listing semantics written the slow, obvious way.
func modelList(live map[string]bool, q ListQuery) []string {
	var names []string
	for k := range live {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []string
	seen := map[string]bool{}
	for _, k := range names {
		if !strings.HasPrefix(k, q.Prefix) {
			continue
		}
		name, isCP := k, false
		if q.Delimiter != "" {
			if i := strings.Index(k[len(q.Prefix):], q.Delimiter); i >= 0 {
				name, isCP = k[:len(q.Prefix)+i+len(q.Delimiter)], true
			}
		}
		if q.After != "" && name <= q.After {
			continue
		}
		if isCP {
			// A common prefix needs one live key under it, and appears once.
			if live[k] && !seen[name] {
				seen[name] = true
				out = append(out, name+"/CP")
			}
			continue
		}
		// plain key: listed with its marker state
		if live[k] {
			out = append(out, name)
		} else {
			out = append(out, name+"/DM")
		}
	}
	return out
}

func pageNames(p ListPage) []string {
	var out []string
	for _, e := range p.Entries {
		switch {
		case e.IsPrefix:
			out = append(out, e.Name+"/CP")
		case e.Record.DeleteMarker:
			out = append(out, e.Name+"/DM")
		default:
			out = append(out, e.Name)
		}
	}
	return out
}

func listAll(t *testing.T, ix *Index, q ListQuery) []string {
	t.Helper()
	var out []string
	for i := 0; ; i++ {
		p, err := ix.List(context.Background(), "b", q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pageNames(p)...)
		if !p.More {
			return out
		}
		if len(p.Entries) == 0 {
			t.Fatal("More with an empty page")
		}
		q.After = p.Entries[len(p.Entries)-1].Name
		if i > 10000 {
			t.Fatal("pagination does not end")
		}
	}
}

func TestListCases(t *testing.T) {
	ix := openTest(t)
	live := map[string]bool{}
	add := func(key string, marker bool) {
		put(t, ix, Record{Bucket: "b", Key: key, VersionID: "old", ModTime: 1})
		put(t, ix, Record{Bucket: "b", Key: key, VersionID: "new", ModTime: 2, DeleteMarker: marker})
		live[key] = !marker
	}
	for _, k := range []string{"a", "a/", "a/b", "a/b/c", "a/c", "b/x", "c", "d/e/f", "photos/2024/x.jpg", "photos/2025/y.jpg", "z\xff"} {
		add(k, false)
	}
	add("dead/1", true) // a prefix with only a delete marker under it
	add("gone", true)
	put(t, ix, Record{Bucket: "other", Key: "a", VersionID: NullVersion, ModTime: 1})

	cases := []ListQuery{
		{},
		{Prefix: "a"},
		{Prefix: "a/"},
		{Delimiter: "/"},
		{Prefix: "a/", Delimiter: "/"},
		{Prefix: "photos/", Delimiter: "/"},
		{Delimiter: "/", After: "a/"},
		{Delimiter: "/", After: "b"},
		{After: "a/b"},
		{Prefix: "a/", After: "a/b/c"},
		{Prefix: "nothing"},
		{Delimiter: "b"},
		{Prefix: "photos/", Delimiter: "/2024/"},
		{After: "zzz"},
	}
	for _, q := range cases {
		for _, limit := range []int{1, 2, 1000} {
			q := q
			q.Limit = limit
			t.Run(fmt.Sprintf("%+v", q), func(t *testing.T) {
				got := listAll(t, ix, q)
				want := modelList(live, q)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("got  %q\nwant %q", got, want)
				}
			})
		}
	}
}

func TestListRandomAgainstModel(t *testing.T) {
	ix := openTest(t)
	rng := rand.New(rand.NewSource(1))
	live := map[string]bool{}
	parts := []string{"a", "b", "c/", "d/", "/", "e"}
	for i := 0; i < 600; i++ {
		var sb strings.Builder
		for j := 0; j < 1+rng.Intn(5); j++ {
			sb.WriteString(parts[rng.Intn(len(parts))])
		}
		k := sb.String()
		marker := rng.Intn(5) == 0
		put(t, ix, Record{Bucket: "b", Key: k, VersionID: fmt.Sprint(i), ModTime: int64(i + 1), DeleteMarker: marker})
		live[k] = !marker
	}
	for i := 0; i < 60; i++ {
		q := ListQuery{Limit: 1 + rng.Intn(50)}
		if rng.Intn(2) == 0 {
			q.Prefix = parts[rng.Intn(len(parts))]
		}
		if rng.Intn(2) == 0 {
			q.Delimiter = []string{"/", "c", "d/"}[rng.Intn(3)]
		}
		if rng.Intn(3) == 0 {
			q.After = parts[rng.Intn(len(parts))] + parts[rng.Intn(len(parts))]
		}
		got := listAll(t, ix, q)
		want := modelList(live, q)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%+v:\ngot  %q\nwant %q", q, got, want)
		}
	}
}
