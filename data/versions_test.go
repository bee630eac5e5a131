package data

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

// versionModel is the reference model of a bucket's versions: per key, the
// versions newest first, as S3 defines them.
type versionModel struct {
	keys map[string][]modelVersion
}

type modelVersion struct {
	vid    string
	marker bool
}

func (m *versionModel) add(key string, v modelVersion) {
	vs := m.keys[key]
	if v.vid == "null" {
		vs = removeVID(vs, "null")
	}
	m.keys[key] = append([]modelVersion{v}, vs...)
}

func (m *versionModel) remove(key, vid string) {
	m.keys[key] = removeVID(m.keys[key], vid)
	if len(m.keys[key]) == 0 {
		delete(m.keys, key)
	}
}

func removeVID(vs []modelVersion, vid string) []modelVersion {
	var out []modelVersion
	for _, v := range vs {
		if v.vid != vid {
			out = append(out, v)
		}
	}
	return out
}

// item is one entry of a versions listing: a version or a common prefix.
type item struct {
	name   string
	prefix bool
	vid    string
	marker bool
	latest bool
}

func (it item) String() string {
	if it.prefix {
		return "P:" + it.name
	}
	s := it.name + "@" + it.vid
	if it.marker {
		s += "(DM)"
	}
	if it.latest {
		s += "*"
	}
	return s
}

// items lists the model under prefix/delimiter in S3 order.
func (m *versionModel) items(prefix, delim string) []item {
	var keys []string
	for k := range m.keys {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []item
	for _, k := range keys {
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				if len(out) == 0 || !out[len(out)-1].prefix || out[len(out)-1].name != cp {
					out = append(out, item{name: cp, prefix: true})
				}
				continue
			}
		}
		for i, v := range m.keys[k] {
			out = append(out, item{name: k, vid: v.vid, marker: v.marker, latest: i == 0})
		}
	}
	return out
}

// page computes what ListObjectVersions must return.
func (m *versionModel) page(o ListVersionsOptions) (items []item, truncated bool, nextKey, nextVID string) {
	all := m.items(o.Prefix, o.Delimiter)
	start := 0
	switch {
	case o.KeyMarker == "":
	case o.VersionIDMarker == "":
		for start < len(all) && all[start].name <= o.KeyMarker {
			start++
		}
	default:
		for start < len(all) && all[start].name < o.KeyMarker {
			start++
		}
		for i := start; i < len(all) && all[i].name == o.KeyMarker; i++ {
			if !all[i].prefix && all[i].vid == o.VersionIDMarker {
				start = i + 1
				break
			}
		}
	}
	rest := all[start:]
	if len(rest) > o.MaxKeys {
		last := rest[o.MaxKeys-1]
		nextKey = last.name
		if !last.prefix {
			nextVID = last.vid
		}
		return rest[:o.MaxKeys], true, nextKey, nextVID
	}
	return rest, false, "", ""
}

func resultItems(r ListVersionsResult) []item {
	var out []item
	for _, v := range r.Versions {
		out = append(out, item{name: v.Key, vid: v.VersionID, marker: v.DeleteMarker, latest: v.IsLatest})
	}
	for _, p := range r.CommonPrefixes {
		out = append(out, item{name: p, prefix: true})
	}
	// Versions and prefixes come in two lists; S3 order interleaves them by name.
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func itemsString(its []item) string {
	s := make([]string, len(its))
	for i, it := range its {
		s[i] = it.String()
	}
	return strings.Join(s, " ")
}

// buildVersions applies a random mix of versioned and null writes, delete
// markers (versioned and suspended), version deletes and null deletes to
// the store and the model.
func buildVersions(t *testing.T, e *env, seed int64, ops int) *versionModel {
	t.Helper()
	ctx := context.Background()
	m := &versionModel{keys: map[string][]modelVersion{}}
	keys := []string{"a", "a/b", "a/c/d", "a/c/e", "ab", "b/x", "b/y/z", "c", "dir/1", "dir/2", "dir/sub/3", "z"}
	rnd := rand.New(rand.NewSource(seed))
	for i := 0; i < ops; i++ {
		key := keys[rnd.Intn(len(keys))]
		switch op := rnd.Intn(10); {
		case op < 4:
			info, err := e.putOpts("b", key, []byte(fmt.Sprint(i)), PutOptions{Versioned: true})
			if err != nil {
				t.Fatal(err)
			}
			m.add(key, modelVersion{vid: info.VersionID})
		case op < 6:
			if _, err := e.putOpts("b", key, []byte(fmt.Sprint(i)), PutOptions{}); err != nil {
				t.Fatal(err)
			}
			m.add(key, modelVersion{vid: "null"})
		case op == 6:
			info, err := e.s.DeleteObject(ctx, "b", key, DeleteOptions{Versioned: true})
			if err != nil {
				t.Fatal(err)
			}
			m.add(key, modelVersion{vid: info.VersionID, marker: true})
		case op == 7:
			if _, err := e.s.DeleteObject(ctx, "b", key, DeleteOptions{Suspended: true}); err != nil {
				t.Fatal(err)
			}
			m.add(key, modelVersion{vid: "null", marker: true})
		case op == 8:
			vs := m.keys[key]
			if len(vs) == 0 {
				continue
			}
			v := vs[rnd.Intn(len(vs))]
			if _, err := e.s.DeleteObject(ctx, "b", key, DeleteOptions{VersionID: v.vid}); err != nil {
				t.Fatal(err)
			}
			m.remove(key, v.vid)
		default:
			if _, err := e.s.DeleteObject(ctx, "b", key, DeleteOptions{}); err == nil {
				m.remove(key, "null")
			}
		}
	}
	return m
}

// TestListObjectVersionsModel pages through a random history with every
// prefix/delimiter and page size and compares each page with the model.
func TestListObjectVersionsModel(t *testing.T) {
	e := newEnv(t, 4, Options{})
	m := buildVersions(t, e, 42, 150)
	ctx := context.Background()
	type q struct{ prefix, delim string }
	queries := []q{{"", ""}, {"", "/"}, {"a", ""}, {"a/", "/"}, {"a/c/", "/"}, {"dir/", ""}, {"dir/", "/"}, {"b", "/"}, {"nothing", ""}, {"", "c"}}
	for _, qq := range queries {
		full := m.items(qq.prefix, qq.delim)
		for _, maxKeys := range []int{1, 2, 3, 7, 1000} {
			opts := ListVersionsOptions{Prefix: qq.prefix, Delimiter: qq.delim, MaxKeys: maxKeys}
			var walked []item
			for pages := 0; ; pages++ {
				if pages > len(full)+2 {
					t.Fatalf("%+v: no progress", opts)
				}
				res, err := e.s.ListObjectVersions(ctx, "b", opts)
				if err != nil {
					t.Fatal(err)
				}
				want, trunc, nk, nv := m.page(opts)
				if got := resultItems(res); itemsString(got) != itemsString(want) {
					t.Fatalf("%+v:\n got %s\nwant %s", opts, itemsString(got), itemsString(want))
				}
				if res.IsTruncated != trunc || res.NextKeyMarker != nk || res.NextVersionIDMarker != nv {
					t.Fatalf("%+v: truncated %v next %q/%q, want %v %q/%q", opts, res.IsTruncated, res.NextKeyMarker, res.NextVersionIDMarker, trunc, nk, nv)
				}
				walked = append(walked, resultItems(res)...)
				if !res.IsTruncated {
					break
				}
				opts.KeyMarker, opts.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
			}
			if itemsString(walked) != itemsString(full) {
				t.Fatalf("%+v walk:\n got %s\nwant %s", qq, itemsString(walked), itemsString(full))
			}
		}
	}
	// Explicit markers: after each version and after each key.
	full := m.items("", "")
	for _, it := range full {
		for _, opts := range []ListVersionsOptions{
			{KeyMarker: it.name, VersionIDMarker: it.vid, MaxKeys: 3},
			{KeyMarker: it.name, MaxKeys: 2},
		} {
			res, err := e.s.ListObjectVersions(ctx, "b", opts)
			if err != nil {
				t.Fatal(err)
			}
			want, trunc, _, _ := m.page(opts)
			if got := resultItems(res); itemsString(got) != itemsString(want) || res.IsTruncated != trunc {
				t.Fatalf("%+v:\n got %s\nwant %s", opts, itemsString(got), itemsString(want))
			}
		}
	}
	// A version marker that no longer exists restarts its key.
	res, err := e.s.ListObjectVersions(ctx, "b", ListVersionsOptions{KeyMarker: full[0].name, VersionIDMarker: "00000000-0000-4000-8000-000000000000", MaxKeys: 1})
	if err != nil || len(res.Versions) != 1 || res.Versions[0].Key != full[0].name || res.Versions[0].VersionID != full[0].vid || !res.Versions[0].IsLatest {
		t.Fatalf("vanished marker: %+v %v", res, err)
	}
}

// TestListObjectVersionsDrives: versions committed on only a write quorum
// are listed once, and a drive failing mid-listing is replaced.
func TestListObjectVersionsDrives(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	m := &versionModel{keys: map[string][]modelVersion{}}
	for i := 0; i < 12; i++ {
		key := fmt.Sprintf("k%02d", i%5)
		f := e.faults[i%4]
		f.failCommit.Store(true) // committed on 3 of 4 drives
		info, err := e.putOpts("b", key, []byte{byte(i)}, PutOptions{Versioned: true})
		f.failCommit.Store(false)
		if err != nil {
			t.Fatal(err)
		}
		m.add(key, modelVersion{vid: info.VersionID})
	}
	want := m.items("", "")
	for down := -1; down < 4; down++ {
		for slot, f := range e.faults {
			f.down.Store(slot == down)
		}
		for turn := 0; turn < 4; turn++ { // every rotation of the first drive
			var got []item
			opts := ListVersionsOptions{MaxKeys: 4}
			for {
				res, err := e.s.ListObjectVersions(ctx, "b", opts)
				if err != nil {
					t.Fatalf("drive %d down: %v", down, err)
				}
				got = append(got, resultItems(res)...)
				if !res.IsTruncated {
					break
				}
				opts.KeyMarker, opts.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
			}
			if itemsString(got) != itemsString(want) {
				t.Fatalf("drive %d down:\n got %s\nwant %s", down, itemsString(got), itemsString(want))
			}
		}
	}
	for _, f := range e.faults {
		f.down.Store(false)
	}
	e.faults[0].down.Store(true)
	e.faults[1].down.Store(true)
	e.faults[2].down.Store(true)
	if _, err := e.s.ListObjectVersions(ctx, "b", ListVersionsOptions{}); err == nil {
		t.Fatal("listing with 3 of 4 drives down succeeded")
	}
}
