package meta

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// fill applies n creates, deleting every third, and a versioning change,
// starting at index from; it returns the next free index.
func fill(t *testing.T, s *State, from uint64, n int, prefix string) uint64 {
	t.Helper()
	idx := from
	apply := func(c Command) {
		t.Helper()
		if err := s.Apply(idx, c); err != nil {
			t.Fatalf("Apply(%d, %s): %v", idx, c.Op, err)
		}
		idx++
	}
	for i := range n {
		name := fmt.Sprintf("%s-%05d", prefix, i)
		apply(mkCreate(t, name))
		if i%3 == 0 {
			apply(mkDelete(t, name))
		} else if i%5 == 0 {
			apply(mkVersioning(t, name, VersioningEnabled))
		}
	}
	return idx
}

func sameState(t *testing.T, got, want *State) {
	t.Helper()
	if g, w := got.LastApplied(), want.LastApplied(); g != w {
		t.Errorf("LastApplied = %d, want %d", g, w)
	}
	g, w := got.Buckets(), want.Buckets()
	if len(g) != len(w) {
		t.Fatalf("%d buckets, want %d", len(g), len(w))
	}
	for i := range g {
		if !reflect.DeepEqual(g[i], w[i]) && !(g[i].Name == w[i].Name && g[i].Created.Equal(w[i].Created) &&
			g[i].Versioning == w[i].Versioning && g[i].Owner == w[i].Owner) {
			t.Fatalf("bucket %d = %+v, want %+v", i, g[i], w[i])
		}
	}
}

func TestSnapshotRestore(t *testing.T) {
	src := openTest(t, t.TempDir())
	fill(t, src, 1, 500, "src")
	var buf bytes.Buffer
	if err := src.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	idx, err := SnapshotIndex(bytes.NewReader(buf.Bytes()))
	if err != nil || idx != src.LastApplied() {
		t.Fatalf("SnapshotIndex = %d, %v; want %d", idx, err, src.LastApplied())
	}

	// Restore into a fresh state, and into one holding other buckets
	// (which must disappear).
	fresh := openTest(t, t.TempDir())
	dirty := openTest(t, t.TempDir())
	fill(t, dirty, 1, 50, "other")
	fill(t, dirty, dirty.LastApplied()+1, 2000, "more")
	for _, dst := range []*State{fresh, dirty} {
		if err := dst.Restore(bytes.NewReader(buf.Bytes())); err != nil {
			t.Fatal(err)
		}
		sameState(t, dst, src)
		// Applying continues from the snapshot's index.
		next := src.LastApplied() + 1
		if err := dst.Apply(next, mkCreate(t, "after-restore")); err != nil {
			t.Fatal(err)
		}
	}
	// And it is durable.
	dir := t.TempDir()
	d := openTest(t, dir)
	if err := d.Restore(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	d.Close()
	sameState(t, openTest(t, dir), src)
}

// A snapshot is a point in time: applies after it do not leak in.
func TestSnapshotIsConsistent(t *testing.T) {
	src := openTest(t, t.TempDir())
	next := fill(t, src, 1, 100, "a")
	snap, err := src.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Release()
	at := src.LastApplied()
	want := src.Buckets()
	fill(t, src, next, 100, "b")

	var buf bytes.Buffer
	if _, err := snap.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	dst := openTest(t, t.TempDir())
	if err := dst.Restore(&buf); err != nil {
		t.Fatal(err)
	}
	if dst.LastApplied() != at || snap.Index() != at {
		t.Errorf("restored at %d (snapshot says %d), want %d", dst.LastApplied(), snap.Index(), at)
	}
	if got := bucketNames(dst.Buckets()); !reflect.DeepEqual(got, bucketNames(want)) {
		t.Errorf("restored %d buckets, want %d", len(got), len(want))
	}
}

func TestRestoreRejectsDamage(t *testing.T) {
	src := openTest(t, t.TempDir())
	fill(t, src, 1, 40, "x")
	var buf bytes.Buffer
	if err := src.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	hdr := len(snapshotMagic) + 9
	damage := []struct {
		desc string
		data func() []byte
	}{
		{"flipped body byte", func() []byte { b := bytes.Clone(good); b[hdr+10] ^= 0x40; return b }},
		{"flipped checksum", func() []byte { b := bytes.Clone(good); b[len(b)-1] ^= 1; return b }},
		{"truncated", func() []byte { return good[:len(good)/2] }},
		{"no trailer", func() []byte { return good[:len(good)-4] }},
		{"bad magic", func() []byte { b := bytes.Clone(good); b[0] = 'X'; return b }},
		{"future version", func() []byte { b := bytes.Clone(good); b[len(snapshotMagic)] = 9; return b }},
		{"empty", func() []byte { return nil }},
	}
	for _, tc := range damage {
		t.Run(tc.desc, func(t *testing.T) {
			dir := t.TempDir()
			dst := openTest(t, dir)
			fill(t, dst, 1, 5, "keep")
			if err := dst.Restore(bytes.NewReader(tc.data())); err == nil {
				t.Fatal("Restore accepted a damaged snapshot")
			}
			if tc.desc == "bad magic" || tc.desc == "future version" || tc.desc == "empty" {
				// Rejected at the header: nothing was dropped.
				if len(dst.Buckets()) == 0 || dst.Err() != nil {
					t.Errorf("header rejection harmed the state: %d buckets, Err %v", len(dst.Buckets()), dst.Err())
				}
				if err := dst.Apply(100, mkCreate(t, "still-works")); err != nil {
					t.Errorf("Apply after a rejected header: %v", err)
				}
				return
			}
			if !errors.Is(dst.Err(), ErrStateFailed) {
				t.Errorf("Err() = %v after a failed restore", dst.Err())
			}
			if err := dst.Apply(100, mkCreate(t, "nope")); !errors.Is(err, ErrStateFailed) {
				t.Errorf("Apply after failed restore = %v", err)
			}
			// After a crash the DB is recognised as incomplete.
			dst.Close()
			dst = openTest(t, dir)
			if dst.LastApplied() != 0 || !errors.Is(dst.Err(), ErrStateFailed) || len(dst.Buckets()) != 0 {
				t.Errorf("reopened incomplete restore: applied %d, err %v, %d buckets", dst.LastApplied(), dst.Err(), len(dst.Buckets()))
			}
			// A good restore heals it.
			if err := dst.Restore(bytes.NewReader(good)); err != nil {
				t.Fatal(err)
			}
			if dst.Err() != nil {
				t.Errorf("Err() = %v after a good restore", dst.Err())
			}
			sameState(t, dst, src)
		})
	}
}

// A snapshot taken before a Restore must not be written after it: its read
// transaction would see the dropped DB, not the state it promised.
func TestSnapshotInvalidatedByRestore(t *testing.T) {
	src := openTest(t, t.TempDir())
	fill(t, src, 1, 30, "s")
	var good bytes.Buffer
	if err := src.WriteSnapshot(&good); err != nil {
		t.Fatal(err)
	}
	dst := openTest(t, t.TempDir())
	fill(t, dst, 1, 10, "d")
	old, err := dst.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer old.Release()
	if err := dst.Restore(bytes.NewReader(good.Bytes())); err != nil {
		t.Fatal(err)
	}
	if _, err := old.WriteTo(&bytes.Buffer{}); err == nil {
		t.Fatal("a snapshot taken before Restore was written after it")
	}
	// Snapshots taken after the restore work.
	var again bytes.Buffer
	if err := dst.WriteSnapshot(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), good.Bytes()) {
		t.Error("snapshot of a restored state differs from the snapshot restored")
	}
}
