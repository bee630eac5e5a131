package data

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func lockedMeta() VersionMeta {
	return VersionMeta{
		Tags:      map[string]string{"project": "cairn", "tier": "gold"},
		Retention: Retention{Mode: "COMPLIANCE", Until: time.Date(2031, 5, 6, 7, 8, 9, 0, time.FixedZone("x", 3600))},
		LegalHold: true,
		ACL:       []byte(`{"v":1,"owner":"writer","grants":[]}`),
	}
}

func sameMeta(a, b VersionMeta) bool {
	return reflect.DeepEqual(a.Tags, b.Tags) && a.Retention.Mode == b.Retention.Mode &&
		a.Retention.Until.Equal(b.Retention.Until) && a.LegalHold == b.LegalHold && bytes.Equal(a.ACL, b.ACL)
}

// TestMetaRoundTrip: PutOptions.Meta is returned by every read path, also
// after a restart, for inline and shard-file objects.
func TestMetaRoundTrip(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	want := lockedMeta()
	small, large := []byte("small"), randBytes(3, 300<<10)
	for _, o := range []struct {
		key  string
		body []byte
	}{{"small", small}, {"large", large}} {
		info, err := e.putOpts("b", o.key, o.body, PutOptions{Meta: want, Versioned: true})
		if err != nil {
			t.Fatal(err)
		}
		if !sameMeta(info.Meta, want) {
			t.Fatalf("PutObject info meta %+v", info.Meta)
		}
	}
	// The caller's map and ACL are not shared with the store.
	want.Tags["project"] = "changed"
	want.ACL[0] = 'X'
	want = lockedMeta()
	check := func(when string) {
		t.Helper()
		for _, key := range []string{"small", "large"} {
			st, err := e.s.StatObject(ctx, "b", key, GetOptions{})
			if err != nil || !sameMeta(st.Meta, want) {
				t.Fatalf("%s: stat %s meta %+v, %v", when, key, st.Meta, err)
			}
			o, err := e.s.OpenObject(ctx, "b", key, GetOptions{})
			if err != nil || !sameMeta(o.Info().Meta, want) {
				t.Fatalf("%s: open %s: %v", when, key, err)
			}
		}
		l, err := e.s.ListObjects(ctx, "b", ListOptions{})
		if err != nil || len(l.Objects) != 2 {
			t.Fatalf("%s: list %+v %v", when, l, err)
		}
		for _, o := range l.Objects {
			if !sameMeta(o.Meta, want) {
				t.Fatalf("%s: list meta of %s: %+v", when, o.Key, o.Meta)
			}
		}
		v, err := e.s.ListObjectVersions(ctx, "b", ListVersionsOptions{})
		if err != nil || len(v.Versions) != 2 || !sameMeta(v.Versions[0].Meta, want) {
			t.Fatalf("%s: versions %+v %v", when, v, err)
		}
	}
	check("before restart")
	e.reopen()
	check("after restart")
	e.mustGet("b", "small", small)
	e.mustGet("b", "large", large)
}

func TestUpdateVersionMeta(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	oldBody, newBody := randBytes(4, 200<<10), []byte("new and small")
	old, err := e.putOpts("b", "k", oldBody, PutOptions{Versioned: true, Meta: VersionMeta{Tags: map[string]string{"v": "old"}}})
	if err != nil {
		t.Fatal(err)
	}
	latest, err := e.putOpts("b", "k", newBody, PutOptions{Versioned: true})
	if err != nil {
		t.Fatal(err)
	}
	setTags := func(tags map[string]string) func(ObjectInfo, *VersionMeta) error {
		return func(_ ObjectInfo, m *VersionMeta) error { m.Tags = tags; return nil }
	}

	// Latest version.
	info, err := e.s.UpdateVersionMeta(ctx, "b", "k", "", setTags(map[string]string{"a": "1"}))
	if err != nil || info.VersionID != latest.VersionID || !info.IsLatest || info.Meta.Tags["a"] != "1" {
		t.Fatalf("update latest: %+v %v", info, err)
	}
	// A specific, older version; fn sees its current metadata.
	var seen ObjectInfo
	info, err = e.s.UpdateVersionMeta(ctx, "b", "k", old.VersionID, func(i ObjectInfo, m *VersionMeta) error {
		seen = i
		m.Tags["v"] = "older"
		m.LegalHold = true
		m.Retention = Retention{Mode: "GOVERNANCE", Until: time.Unix(2_000_000_000, 0)}
		return nil
	})
	if err != nil || seen.VersionID != old.VersionID || seen.Meta.Tags["v"] != "old" || seen.Size != int64(len(oldBody)) {
		t.Fatalf("update old: seen %+v, %v", seen, err)
	}
	if info.IsLatest {
		t.Fatal("older version reported latest")
	}
	st, err := e.s.StatObject(ctx, "b", "k", GetOptions{VersionID: old.VersionID})
	if err != nil || st.Meta.Tags["v"] != "older" || !st.Meta.LegalHold || st.Meta.Retention.Mode != "GOVERNANCE" ||
		!st.Meta.Retention.Until.Equal(time.Unix(2_000_000_000, 0)) {
		t.Fatalf("stat old: %+v %v", st.Meta, err)
	}
	if st, _ := e.s.StatObject(ctx, "b", "k", GetOptions{}); !reflect.DeepEqual(st.Meta.Tags, map[string]string{"a": "1"}) || st.Meta.LegalHold {
		t.Fatalf("latest meta disturbed: %+v", st.Meta)
	}
	// Data and identity untouched.
	e.mustGet("b", "k", newBody)
	o, err := e.s.OpenObject(ctx, "b", "k", GetOptions{VersionID: old.VersionID})
	if err != nil {
		t.Fatal(err)
	}
	if o.Info().ETag != old.ETag || !o.Info().ModTime.Equal(old.ModTime) {
		t.Fatalf("identity changed: %+v vs %+v", o.Info(), old)
	}
	// fn's error refuses and writes nothing.
	refuse := errors.New("refused")
	if _, err := e.s.UpdateVersionMeta(ctx, "b", "k", "", func(_ ObjectInfo, m *VersionMeta) error {
		m.Tags = nil
		return refuse
	}); !errors.Is(err, refuse) {
		t.Fatalf("fn error: %v", err)
	}
	if st, _ := e.s.StatObject(ctx, "b", "k", GetOptions{}); st.Meta.Tags["a"] != "1" {
		t.Fatal("refused update was written")
	}
	// Removing all tags.
	if info, err := e.s.UpdateVersionMeta(ctx, "b", "k", "", setTags(nil)); err != nil || info.Meta.Tags != nil {
		t.Fatalf("delete tags: %+v %v", info.Meta, err)
	}
	e.reopen()
	if st, _ := e.s.StatObject(ctx, "b", "k", GetOptions{VersionID: old.VersionID}); st.Meta.Tags["v"] != "older" || !st.Meta.LegalHold {
		t.Fatalf("after restart: %+v", st.Meta)
	}
	o, err = e.s.OpenObject(ctx, "b", "k", GetOptions{VersionID: old.VersionID})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := o.Range(ctx, 0, o.Info().Size)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
}

// TestUpdateVersionMetaACL: the ACL is set at write time, changed by
// UpdateVersionMeta on its own or left alone by other updates, removed,
// and every change survives a restart and shows in every read path.
func TestUpdateVersionMetaACL(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	tags := map[string]string{"t": "1"}
	if _, err := e.putOpts("b", "k", randBytes(8, 100<<10), PutOptions{Meta: VersionMeta{Tags: tags, ACL: []byte("acl-put")}}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name     string
		fn       func(m *VersionMeta)
		wantACL  string
		wantTags map[string]string
	}{
		{"tags only keep the ACL", func(m *VersionMeta) { m.Tags = map[string]string{"t": "2"} }, "acl-put", map[string]string{"t": "2"}},
		{"ACL only keeps the tags", func(m *VersionMeta) { m.ACL = []byte("acl-updated") }, "acl-updated", map[string]string{"t": "2"}},
		{"ACL removed", func(m *VersionMeta) { m.ACL = nil }, "", map[string]string{"t": "2"}},
		{"ACL set again", func(m *VersionMeta) { m.ACL = []byte("acl-again") }, "acl-again", map[string]string{"t": "2"}},
	}
	check := func(when, wantACL string, wantTags map[string]string) {
		t.Helper()
		st, err := e.s.StatObject(ctx, "b", "k", GetOptions{})
		if err != nil || string(st.Meta.ACL) != wantACL || !reflect.DeepEqual(st.Meta.Tags, wantTags) {
			t.Fatalf("%s: stat %+v, %v", when, st.Meta, err)
		}
		o, err := e.s.OpenObject(ctx, "b", "k", GetOptions{})
		if err != nil || string(o.Info().Meta.ACL) != wantACL {
			t.Fatalf("%s: open %+v, %v", when, o.Info().Meta, err)
		}
		l, err := e.s.ListObjects(ctx, "b", ListOptions{})
		if err != nil || len(l.Objects) != 1 || string(l.Objects[0].Meta.ACL) != wantACL {
			t.Fatalf("%s: list %+v, %v", when, l, err)
		}
		v, err := e.s.ListObjectVersions(ctx, "b", ListVersionsOptions{})
		if err != nil || len(v.Versions) != 1 || string(v.Versions[0].Meta.ACL) != wantACL {
			t.Fatalf("%s: versions %+v, %v", when, v, err)
		}
	}
	check("after put", "acl-put", tags)
	prev := "acl-put"
	for _, s := range steps {
		var seen []byte
		info, err := e.s.UpdateVersionMeta(ctx, "b", "k", "", func(i ObjectInfo, m *VersionMeta) error {
			seen = i.Meta.ACL
			s.fn(m)
			return nil
		})
		if err != nil || string(info.Meta.ACL) != s.wantACL || string(seen) != prev {
			t.Fatalf("%s: returned %+v (fn saw ACL %q, want %q), %v", s.name, info.Meta, seen, prev, err)
		}
		check(s.name, s.wantACL, s.wantTags)
		prev = s.wantACL
	}
	e.reopen()
	check("after restart", prev, map[string]string{"t": "2"})
}

func TestUpdateVersionMetaErrors(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	v, _ := e.putOpts("b", "k", []byte("x"), PutOptions{Versioned: true})
	marker, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{Versioned: true})
	if err != nil {
		t.Fatal(err)
	}
	called := false
	fn := func(ObjectInfo, *VersionMeta) error { called = true; return nil }
	for _, tc := range []struct {
		name, key, vid string
		want           error
		wantMarker     bool
	}{
		{"latest is a marker", "k", "", ErrObjectNotFound, true},
		{"named marker", "k", marker.VersionID, ErrDeleteMarker, true},
		{"missing version", "k", "00000000-0000-4000-8000-000000000000", ErrVersionNotFound, false},
		{"missing key", "nokey", "", ErrObjectNotFound, false},
	} {
		info, err := e.s.UpdateVersionMeta(ctx, "b", tc.key, tc.vid, fn)
		if !errors.Is(err, tc.want) || info.DeleteMarker != tc.wantMarker || called {
			t.Fatalf("%s: %+v %v (fn called %v)", tc.name, info, err, called)
		}
	}
	// The version under the marker can still be tagged.
	if _, err := e.s.UpdateVersionMeta(ctx, "b", "k", v.VersionID, fn); err != nil || !called {
		t.Fatalf("version under marker: %v", err)
	}
}

// TestUpdateVersionMetaDriveDown: an update reaches a write quorum with one
// drive down; listings then prefer the updated copies; with too many
// drives down it fails.
func TestUpdateVersionMetaDriveDown(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	e.put("b", "k", []byte("body"))
	e.faults[1].down.Store(true)
	if _, err := e.s.UpdateVersionMeta(ctx, "b", "k", "", func(_ ObjectInfo, m *VersionMeta) error {
		m.Tags = map[string]string{"t": "new"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	e.faults[1].down.Store(false)
	for range 8 { // listings rotate their drives: every start must agree
		l, err := e.s.ListObjects(ctx, "b", ListOptions{})
		if err != nil || len(l.Objects) != 1 || l.Objects[0].Meta.Tags["t"] != "new" {
			t.Fatalf("list: %+v %v", l, err)
		}
		v, err := e.s.ListObjectVersions(ctx, "b", ListVersionsOptions{})
		if err != nil || len(v.Versions) != 1 || v.Versions[0].Meta.Tags["t"] != "new" {
			t.Fatalf("versions: %+v %v", v, err)
		}
	}
	e.faults[1].down.Store(true)
	e.faults[2].down.Store(true)
	if _, err := e.s.UpdateVersionMeta(ctx, "b", "k", "", func(_ ObjectInfo, m *VersionMeta) error { return nil }); !errors.Is(err, ErrReadQuorum) && !errors.Is(err, ErrWriteQuorum) {
		t.Fatalf("two drives down: %v", err)
	}
}
