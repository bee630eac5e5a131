package data

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// shardPath returns the committed file of the given shard index of a key.
func (e *env) shardPath(bucket, key string, shard int) (path string, slot int) {
	e.t.Helper()
	for slot, d := range e.s.drives {
		r, err := d.ReadVersion(context.Background(), bucket, key, "", false)
		if err != nil {
			e.t.Fatal(err)
		}
		if r.Erasure.ShardIndex == shard {
			return d.(*faultyDrive).Drive.(*LocalDrive).dataPath(r.DataID) + "/part.1", slot
		}
	}
	e.t.Fatalf("no drive holds shard %d", shard)
	return "", 0
}

func TestBitrotDetectedLoggedAndHealed(t *testing.T) {
	e := newEnv(t, 4, Options{})
	body := randBytes(11, 2*mib+100)
	e.put("b", "k", body)
	// Corrupt a data shard: reads use data shards first, so it is read.
	path, slot := e.shardPath("b", "k", 1)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), orig...)
	bad[hashSize+5000] ^= 0x01 // one bit in the first chunk
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustGet("b", "k", body)
	logs := e.logs.String()
	if !containsAll(logs, "bitrot detected", "bucket=b", "key=k", "drive="+e.drivePath(slot)) {
		t.Fatalf("corruption not logged as expected:\n%s", logs)
	}
	e.s.healer.wait()
	healed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(healed, orig) {
		t.Fatal("corrupt shard was not rewritten by heal-on-read")
	}
	// The healed shard is good: reading with both parity drives down works.
	for s, d := range e.s.drives {
		r, _ := d.ReadVersion(context.Background(), "b", "k", "", false)
		if r.Erasure.ShardIndex >= 2 {
			e.faults[s].down.Store(true)
		}
	}
	e.mustGet("b", "k", body)
}

func TestCorruptInlineShardHealed(t *testing.T) {
	e := newEnv(t, 4, Options{})
	body := randBytes(12, 4096)
	e.put("b", "k", body)
	// Store a corrupt copy on the drive holding shard 0.
	var slot int
	var rec *objindex.Record
	for s, d := range e.s.drives {
		r, err := d.ReadVersion(context.Background(), "b", "k", "", true)
		if err != nil {
			t.Fatal(err)
		}
		if r.Erasure.ShardIndex == 0 {
			slot, rec = s, r
		}
	}
	good := append([]byte(nil), rec.Inline...)
	rec.Inline[hashSize+10] ^= 0x80
	if _, err := e.s.drives[slot].Commit(context.Background(), "", rec); err != nil {
		t.Fatal(err)
	}
	e.mustGet("b", "k", body)
	if !strings.Contains(e.logs.String(), "bitrot detected") {
		t.Fatal("inline corruption not logged")
	}
	e.s.healer.wait()
	r, err := e.s.drives[slot].ReadVersion(context.Background(), "b", "k", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.Inline, good) {
		t.Fatal("inline shard not healed")
	}
}

func TestHealAllFindsSilentCorruption(t *testing.T) {
	e := newEnv(t, 4, Options{})
	body := randBytes(13, mib+1)
	e.put("b", "k", body)
	// Corrupt a parity shard: normal reads never touch it.
	path, _ := e.shardPath("b", "k", 3)
	orig, _ := os.ReadFile(path)
	bad := append([]byte(nil), orig...)
	bad[len(bad)-1] ^= 0xFF // last chunk
	os.WriteFile(path, bad, 0o644)
	rep, err := e.s.HealAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Shards != 1 {
		t.Fatalf("report %+v", rep)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Fatal("parity shard not rewritten")
	}
	// Truncated and deleted shard files are found too.
	os.Truncate(path, int64(len(orig)/2))
	p2, _ := e.shardPath("b", "k", 0)
	os.Remove(p2)
	if rep, err := e.s.HealAll(context.Background()); err != nil || rep.Shards != 2 {
		t.Fatalf("report %+v err %v", rep, err)
	}
	for _, p := range []string{path, p2} {
		if _, err := os.Stat(p); err != nil {
			t.Fatal(err)
		}
	}
	e.mustGet("b", "k", body)
}

func TestWipedDrivesRefilled(t *testing.T) {
	e := newEnv(t, 4, Options{NoBackgroundHeal: true})
	objs := map[string][]byte{}
	for i, size := range []int{0, 10, 5000, 200 << 10, 2*mib + 3} {
		k := "obj/" + string(rune('a'+i))
		objs[k] = randBytes(int64(i), size)
		e.put("b", k, objs[k])
	}
	// Versions and delete markers are refilled too.
	if _, err := e.s.DeleteObject(context.Background(), "b", "gone", DeleteOptions{Versioned: true}); err != nil {
		t.Fatal(err)
	}
	e.s.Close()
	wipe(t, e.paths[0])
	wipe(t, e.paths[3])
	e.open()
	if !e.s.drives[0].Info().Fresh || !e.s.drives[3].Info().Fresh || e.s.drives[1].Info().Fresh {
		t.Fatal("fresh flags wrong")
	}
	for k, v := range objs {
		e.mustGet("b", k, v) // from the two surviving drives
	}
	e.s.healer.wait() // the reads queued heals of what they read
	rep, err := e.s.HealAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Objects != len(objs)+1 || rep.Shards == 0 {
		t.Fatalf("heal report %+v", rep)
	}
	for _, slot := range []int{0, 3} {
		refs, _, err := e.s.drives[slot].Walk(context.Background(), objindex.ObjectRef{}, 100)
		if err != nil || len(refs) != len(objs)+1 {
			t.Fatalf("drive %d holds %d keys after heal (%v)", slot, len(refs), err)
		}
	}
	if rep, _ := e.s.HealAll(context.Background()); rep.Shards != 0 || rep.Failed != 0 {
		t.Fatalf("second heal %+v", rep)
	}
	// Now lose the two drives that were never wiped.
	e.s.Close()
	wipe(t, e.paths[1])
	wipe(t, e.paths[2])
	e.opts.NoBackgroundHeal = false // this time the store refills on its own
	e.open()
	for k, v := range objs {
		e.mustGet("b", k, v)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := 0
		for _, slot := range []int{1, 2} {
			n += len(shardFiles(t, e.drivePath(slot)))
		}
		if n == 2*2 { // the 200 KiB and 2 MiB objects have shard files
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("background refill did not finish: %d shard files\n%s", n, e.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDanglingVersionPurged(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	e := newEnv(t, 4, Options{Now: clock})
	body := randBytes(1, 100)
	e.put("b", "k", body)
	// A crash left a newer version committed on one drive only.
	r, _ := e.s.drives[0].ReadVersion(context.Background(), "b", "k", "", true)
	r.VersionID, r.ModTime = "crashed", r.ModTime+1000
	if _, err := e.s.drives[0].Commit(context.Background(), "", r); err != nil {
		t.Fatal(err)
	}
	// Reads skip it (every drive answered, one copy cannot be decoded).
	e.mustGet("b", "k", body)
	e.s.healer.wait()
	// Young: it may still be committing, so it is left alone.
	if _, err := e.s.drives[0].ReadVersion(context.Background(), "b", "k", "crashed", false); err != nil {
		t.Fatalf("young dangling version purged: %v", err)
	}
	now = now.Add(time.Hour)
	rep, err := e.s.HealAll(context.Background())
	if err != nil || rep.Purged != 1 {
		t.Fatalf("report %+v err %v", rep, err)
	}
	if _, err := e.s.drives[0].ReadVersion(context.Background(), "b", "k", "crashed", false); err == nil {
		t.Fatal("dangling version still there")
	}
	e.mustGet("b", "k", body)
}

func TestOrphanSweep(t *testing.T) {
	e := newEnv(t, 4, Options{})
	body := randBytes(1, mib+1)
	e.put("b", "k", body)
	ld := e.s.drives[1].(*faultyDrive).Drive.(*LocalDrive)
	oldID, youngID := "aa0123456789abcdef0123456789abcd", "ab0123456789abcdef0123456789abcd"
	for _, id := range []string{oldID, youngID} {
		if err := os.MkdirAll(ld.dataPath(id), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(ld.dataPath(id)+"/part.1", []byte("orphan"), 0o644)
	}
	past := time.Now().Add(-time.Hour)
	os.Chtimes(ld.dataPath(oldID), past, past)
	// Referenced folders are old too but must stay.
	for _, f := range shardFiles(t, e.drivePath(1)) {
		if dir := f[:strings.LastIndex(f, "/")]; !strings.HasSuffix(dir, youngID) {
			os.Chtimes(dir, past, past)
		}
	}
	rep, err := e.s.HealAll(context.Background())
	if err != nil || rep.Orphans != 1 {
		t.Fatalf("report %+v err %v", rep, err)
	}
	if _, err := os.Stat(ld.dataPath(oldID)); !os.IsNotExist(err) {
		t.Fatal("old orphan kept")
	}
	if _, err := os.Stat(ld.dataPath(youngID)); err != nil {
		t.Fatal("young folder removed: it may be a commit under way")
	}
	e.faults[0].down.Store(true)
	e.faults[2].down.Store(true)
	e.mustGet("b", "k", body)
}
