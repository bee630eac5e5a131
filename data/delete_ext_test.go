package data

import (
	"context"
	"errors"
	"testing"
)

func (e *env) versions(key string) []item {
	e.t.Helper()
	res, err := e.s.ListObjectVersions(context.Background(), "b", ListVersionsOptions{Prefix: key})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []item
	for _, it := range resultItems(res) {
		if it.name == key {
			out = append(out, it)
		}
	}
	return out
}

// TestNullVersionSemantics: unversioned writes and suspended deletes
// replace only the null version; other versions stay.
func TestNullVersionSemantics(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	v1, _ := e.putOpts("b", "k", []byte("v1"), PutOptions{Versioned: true})
	e.putOpts("b", "k", randBytes(1, 200<<10), PutOptions{}) // null A, shard files
	v2, _ := e.putOpts("b", "k", []byte("v2"), PutOptions{Versioned: true})
	e.putOpts("b", "k", []byte("null B"), PutOptions{}) // replaces null A
	want := "k@null* k@" + v2.VersionID + " k@" + v1.VersionID
	if got := itemsString(e.versions("k")); got != want {
		t.Fatalf("after null overwrite:\n got %s\nwant %s", got, want)
	}
	e.mustGet("b", "k", []byte("null B"))

	// Suspended delete: a null marker replaces null B.
	dm, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{Suspended: true})
	if err != nil || dm.VersionID != "null" || !dm.DeleteMarker || !dm.IsLatest {
		t.Fatalf("suspended delete: %+v %v", dm, err)
	}
	want = "k@null(DM)* k@" + v2.VersionID + " k@" + v1.VersionID
	if got := itemsString(e.versions("k")); got != want {
		t.Fatalf("after suspended delete:\n got %s\nwant %s", got, want)
	}
	if info, err := e.s.StatObject(ctx, "b", "k", GetOptions{}); !errors.Is(err, ErrObjectNotFound) || !info.DeleteMarker || info.VersionID != "null" {
		t.Fatalf("stat behind null marker: %+v %v", info, err)
	}
	// Again: still one null marker.
	if _, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{Suspended: true}); err != nil {
		t.Fatal(err)
	}
	if got := itemsString(e.versions("k")); got != want {
		t.Fatalf("after second suspended delete:\n got %s\nwant %s", got, want)
	}
	// An unversioned write replaces the null marker.
	e.putOpts("b", "k", []byte("null C"), PutOptions{})
	want = "k@null* k@" + v2.VersionID + " k@" + v1.VersionID
	if got := itemsString(e.versions("k")); got != want {
		t.Fatalf("after null write over marker:\n got %s\nwant %s", got, want)
	}
	// A versioned marker on top keeps the null version.
	dm2, _ := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{Versioned: true})
	want = "k@" + dm2.VersionID + "(DM)* k@null k@" + v2.VersionID + " k@" + v1.VersionID
	if got := itemsString(e.versions("k")); got != want {
		t.Fatalf("after versioned marker:\n got %s\nwant %s", got, want)
	}
	// Deleting the marker by version ID brings the null version back.
	if _, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{VersionID: dm2.VersionID}); err != nil {
		t.Fatal(err)
	}
	e.mustGet("b", "k", []byte("null C"))
	// A suspended delete of a key without a null version adds a null marker.
	e.putOpts("b", "only-versions", []byte("x"), PutOptions{Versioned: true})
	if _, err := e.s.DeleteObject(ctx, "b", "only-versions", DeleteOptions{Suspended: true}); err != nil {
		t.Fatal(err)
	}
	if its := e.versions("only-versions"); len(its) != 2 || its[0].vid != "null" || !its[0].marker || its[1].marker {
		t.Fatalf("suspended delete without null: %s", itemsString(its))
	}
}

// TestDeleteMarkerByVersionDriveDown: removing a delete marker needs a
// write quorum, not every drive.
func TestDeleteMarkerByVersionDriveDown(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	e.putOpts("b", "k", []byte("x"), PutOptions{Versioned: true})
	dm, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{Versioned: true})
	if err != nil {
		t.Fatal(err)
	}
	e.faults[3].down.Store(true)
	if _, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{VersionID: dm.VersionID}); err != nil {
		t.Fatalf("delete marker with one drive down: %v", err)
	}
	e.faults[3].down.Store(false)
}

func TestGuardedDelete(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	held, _ := e.putOpts("b", "k", []byte("held"), PutOptions{Versioned: true, Meta: VersionMeta{LegalHold: true}})
	free, _ := e.putOpts("b", "k", []byte("free"), PutOptions{Versioned: true})
	var calls []ObjectInfo
	guard := func(i ObjectInfo) error {
		calls = append(calls, i)
		if i.Meta.LegalHold {
			return ErrObjectLocked
		}
		return nil
	}
	// A protected version is refused, with its info.
	info, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{VersionID: held.VersionID, Guard: guard})
	if !errors.Is(err, ErrObjectLocked) || info.VersionID != held.VersionID || len(calls) != 1 || calls[0].VersionID != held.VersionID {
		t.Fatalf("held: %+v %v calls %d", info, err, len(calls))
	}
	if _, err := e.s.StatObject(ctx, "b", "k", GetOptions{VersionID: held.VersionID}); err != nil {
		t.Fatalf("held version gone: %v", err)
	}
	// A delete without version ID only adds a marker: the guard is not asked.
	calls = nil
	dm, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{Versioned: true, Guard: guard})
	if err != nil || !dm.DeleteMarker || len(calls) != 0 {
		t.Fatalf("versioned delete: %+v %v calls %d", dm, err, len(calls))
	}
	// Unprotected versions and markers go, after the guard saw them.
	for _, v := range []ObjectInfo{free, dm} {
		calls = nil
		if _, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{VersionID: v.VersionID, Guard: guard}); err != nil {
			t.Fatal(err)
		}
		if len(calls) != 1 || calls[0].VersionID != v.VersionID || calls[0].DeleteMarker != v.DeleteMarker {
			t.Fatalf("guard saw %+v for %s", calls, v.VersionID)
		}
	}
	// Lifting the hold lets the delete through.
	if _, err := e.s.UpdateVersionMeta(ctx, "b", "k", held.VersionID, func(_ ObjectInfo, m *VersionMeta) error {
		m.LegalHold = false
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{VersionID: held.VersionID, Guard: guard}); err != nil {
		t.Fatal(err)
	}
	if its := e.versions("k"); len(its) != 0 {
		t.Fatalf("left: %s", itemsString(its))
	}
	// Missing version: not found, guard not called.
	calls = nil
	if _, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{VersionID: held.VersionID, Guard: guard}); !errors.Is(err, ErrVersionNotFound) || len(calls) != 0 {
		t.Fatalf("missing: %v calls %d", err, len(calls))
	}
	// Null version: unversioned and suspended deletes ask the guard.
	e.putOpts("b", "n", []byte("null"), PutOptions{Meta: VersionMeta{LegalHold: true}})
	for _, opts := range []DeleteOptions{{Guard: guard}, {Suspended: true, Guard: guard}} {
		calls = nil
		if _, err := e.s.DeleteObject(ctx, "b", "n", opts); !errors.Is(err, ErrObjectLocked) || len(calls) != 1 || calls[0].VersionID != "null" {
			t.Fatalf("%+v: %v calls %+v", opts, err, calls)
		}
	}
	e.mustGet("b", "n", []byte("null"))
	// A guard needs a read quorum to decide.
	e.faults[0].down.Store(true)
	e.faults[1].down.Store(true)
	e.faults[2].down.Store(true)
	if _, err := e.s.DeleteObject(ctx, "b", "n", DeleteOptions{Guard: func(ObjectInfo) error { return nil }}); !errors.Is(err, ErrReadQuorum) {
		t.Fatalf("guard without quorum: %v", err)
	}
}
