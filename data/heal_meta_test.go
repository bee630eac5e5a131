package data

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// indexRecord reads a version straight from one drive's index, bypassing
// the Store and the fault wrapper.
func (e *env) indexRecord(slot int, bucket, key, versionID string) *objindex.Record {
	e.t.Helper()
	r, err := e.faults[slot].Drive.(*LocalDrive).idx.Get(bucket, key, versionID, false)
	if err != nil {
		e.t.Fatalf("drive %d: %s/%s %s: %v", slot, bucket, key, versionID, err)
	}
	return r
}

// metaUpdate is the update of the tests below: new tags, retention, hold
// and ACL.
func metaUpdate(_ ObjectInfo, m *VersionMeta) error {
	m.Tags = map[string]string{"state": "updated"}
	m.Retention = Retention{Mode: "GOVERNANCE", Until: time.Date(2033, 3, 3, 0, 0, 0, 0, time.UTC)}
	m.LegalHold = true
	m.ACL = []byte("acl-updated")
	return nil
}

func hasUpdate(r *objindex.Record) bool {
	return reflect.DeepEqual(r.Tags, map[string]string{"state": "updated"}) && r.RetentionMode == "GOVERNANCE" &&
		r.RetainUntil.Equal(time.Date(2033, 3, 3, 0, 0, 0, 0, time.UTC)) && r.LegalHold && string(r.ACL) == "acl-updated" &&
		r.MetaTime != 0
}

// TestHealAllConvergesMetadata: metadata updates that missed a drive
// (inline object, shard-file object, an older version) are pushed to it by
// HealAll, checked in every drive's own index; a second pass finds nothing;
// reads that need the healed drive serve the new metadata.
func TestHealAllConvergesMetadata(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	orig := VersionMeta{Tags: map[string]string{"state": "original"}, ACL: []byte("acl-original")}
	large := randBytes(5, 300<<10)
	old, err := e.putOpts("b", "versioned", []byte("old"), PutOptions{Versioned: true, Meta: orig})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.putOpts("b", "versioned", []byte("new"), PutOptions{Versioned: true, Meta: orig}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"small", "large"} {
		body := []byte("small body")
		if k == "large" {
			body = large
		}
		if _, err := e.putOpts("b", k, body, PutOptions{Meta: orig}); err != nil {
			t.Fatal(err)
		}
	}
	type target struct{ key, vid string }
	targets := []target{{"small", "null"}, {"large", "null"}, {"versioned", old.VersionID}}
	const stale = 1
	e.faults[stale].down.Store(true)
	for _, tg := range targets {
		vid := tg.vid
		if vid == "null" {
			vid = ""
		}
		if _, err := e.s.UpdateVersionMeta(ctx, "b", tg.key, vid, metaUpdate); err != nil {
			t.Fatal(err)
		}
	}
	e.s.healer.wait() // the heals the updates queued ran with the drive down
	e.faults[stale].down.Store(false)
	for _, tg := range targets {
		if r := e.indexRecord(stale, "b", tg.key, tg.vid); hasUpdate(r) || r.Tags["state"] != "original" || string(r.ACL) != "acl-original" {
			t.Fatalf("drive %d should have missed the update of %s: %+v", stale, tg.key, r)
		}
	}

	rep, err := e.s.HealAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Meta != len(targets) || rep.Healed != len(targets) || rep.Shards != 0 || rep.Failed != 0 {
		t.Fatalf("heal report %+v", rep)
	}
	for _, tg := range targets {
		want := e.indexRecord(0, "b", tg.key, tg.vid)
		for slot := range 4 {
			r := e.indexRecord(slot, "b", tg.key, tg.vid)
			if !hasUpdate(r) || r.MetaTime != want.MetaTime {
				t.Fatalf("drive %d, %s after heal: %+v", slot, tg.key, r)
			}
		}
	}
	// The newest version of "versioned" was never updated: untouched.
	for slot := range 4 {
		if r := e.indexRecord(slot, "b", "versioned", ""); r.Tags["state"] != "original" || string(r.ACL) != "acl-original" || r.MetaTime != 0 {
			t.Fatalf("drive %d: latest version changed: %+v", slot, r)
		}
	}
	if rep, err := e.s.HealAll(ctx); err != nil || rep.Meta != 0 || rep.Healed != 0 {
		t.Fatalf("second heal %+v, %v", rep, err)
	}

	// Reads that must use the healed drive: drives 0 and 2 down.
	e.faults[0].down.Store(true)
	e.faults[2].down.Store(true)
	for _, tg := range targets {
		vid := tg.vid
		if vid == "null" {
			vid = ""
		}
		st, err := e.s.StatObject(ctx, "b", tg.key, GetOptions{VersionID: vid})
		if err != nil || st.Meta.Tags["state"] != "updated" || !st.Meta.LegalHold || st.Meta.Retention.Mode != "GOVERNANCE" ||
			string(st.Meta.ACL) != "acl-updated" {
			t.Fatalf("stat %s: %+v, %v", tg.key, st.Meta, err)
		}
	}
	e.mustGet("b", "large", large)
	l, err := e.s.ListObjects(ctx, "b", ListOptions{})
	if err != nil || len(l.Objects) != 3 {
		t.Fatalf("list %+v, %v", l, err)
	}
	for _, o := range l.Objects {
		if want := map[bool]string{true: "original", false: "updated"}[o.Key == "versioned"]; o.Meta.Tags["state"] != want {
			t.Fatalf("list: %s has %v", o.Key, o.Meta.Tags)
		}
	}
}

// TestHealConvergesACLOnlyUpdate: an update that changes nothing but the
// ACL and misses one drive is stamped like any metadata change, so HealAll
// finds the stale copy and pushes the ACL (and only it) to it; reads that
// need the healed drive then return the new ACL.
func TestHealConvergesACLOnlyUpdate(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	tags := map[string]string{"keep": "me"}
	if _, err := e.putOpts("b", "k", randBytes(9, 200<<10), PutOptions{Meta: VersionMeta{Tags: tags, ACL: []byte("acl-old")}}); err != nil {
		t.Fatal(err)
	}
	const stale = 3
	e.faults[stale].down.Store(true)
	if _, err := e.s.UpdateVersionMeta(ctx, "b", "k", "", func(_ ObjectInfo, m *VersionMeta) error {
		m.ACL = []byte("acl-new")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	e.s.healer.wait() // the heal the update queued ran with the drive down
	e.faults[stale].down.Store(false)
	if r := e.indexRecord(stale, "b", "k", "null"); string(r.ACL) != "acl-old" || r.MetaTime != 0 {
		t.Fatalf("drive %d should have missed the update: %+v", stale, r)
	}
	rep, err := e.s.HealAll(ctx)
	if err != nil || rep.Meta != 1 || rep.Shards != 0 {
		t.Fatalf("heal %+v, %v", rep, err)
	}
	want := e.indexRecord(0, "b", "k", "null")
	for slot := range 4 {
		r := e.indexRecord(slot, "b", "k", "null")
		if string(r.ACL) != "acl-new" || !reflect.DeepEqual(r.Tags, tags) || r.MetaTime == 0 || r.MetaTime != want.MetaTime {
			t.Fatalf("drive %d after heal: %+v", slot, r)
		}
	}
	for _, down := range []int{0, 1} {
		e.faults[down].down.Store(true)
	}
	if st, err := e.s.StatObject(ctx, "b", "k", GetOptions{}); err != nil || string(st.Meta.ACL) != "acl-new" {
		t.Fatalf("stat through the healed drive: %+v, %v", st.Meta, err)
	}
}

// TestReadQueuesMetadataHeal: a read that finds copies with different
// MetaTimes queues the key, and the background heal converges it.
func TestReadQueuesMetadataHeal(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	e.put("b", "k", randBytes(6, 200<<10))
	e.faults[2].down.Store(true)
	if _, err := e.s.UpdateVersionMeta(ctx, "b", "k", "", metaUpdate); err != nil {
		t.Fatal(err)
	}
	e.s.healer.wait()
	e.faults[2].down.Store(false)
	if hasUpdate(e.indexRecord(2, "b", "k", "null")) {
		t.Fatal("drive 2 should have missed the update")
	}
	st, err := e.s.StatObject(ctx, "b", "k", GetOptions{})
	if err != nil || st.Meta.Tags["state"] != "updated" {
		t.Fatalf("stat: %+v, %v", st.Meta, err)
	}
	e.s.healer.wait()
	if r := e.indexRecord(2, "b", "k", "null"); !hasUpdate(r) || r.MetaTime != e.indexRecord(0, "b", "k", "null").MetaTime {
		t.Fatalf("drive 2 after heal-on-read: %+v", r)
	}
}

// TestHealMetaNeverRollsBack: a heal that pushes metadata or rewrites a
// copy from a record read before a newer update does not undo the update.
func TestHealMetaNeverRollsBack(t *testing.T) {
	e := newEnv(t, 4, Options{NoBackgroundHeal: true})
	ctx := context.Background()
	body := randBytes(7, 200<<10) // shard files: re-committing the record keeps them
	e.put("b", "k", body)
	e.faults[3].down.Store(true)
	if _, err := e.s.UpdateVersionMeta(ctx, "b", "k", "", metaUpdate); err != nil {
		t.Fatal(err)
	}
	e.faults[3].down.Store(false)
	e.s.healer.wait()
	// The group a heal would have read before a newer update.
	var recs []driveRecord
	for slot := range 4 {
		recs = append(recs, driveRecord{slot: slot, rec: e.indexRecord(slot, "b", "k", "null")})
	}
	g := groupVersions(recs)[0]
	newer, err := e.s.UpdateVersionMeta(ctx, "b", "k", "", func(_ ObjectInfo, m *VersionMeta) error {
		m.Tags = map[string]string{"state": "newest"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.healMeta(ctx, g); err != nil {
		t.Fatal(err)
	}
	// A rebuild commits the stale record over an existing copy.
	stale := g.rec.Clone()
	stale.Erasure.ShardIndex = e.indexRecord(3, "b", "k", "null").Erasure.ShardIndex
	if _, err := e.faults[3].Drive.Commit(ctx, "", stale); err != nil {
		t.Fatal(err)
	}
	for slot := range 4 {
		if r := e.indexRecord(slot, "b", "k", "null"); r.Tags["state"] != "newest" {
			t.Fatalf("drive %d rolled back to %+v (newest update %+v)", slot, r.Tags, newer.Meta)
		}
	}
	e.mustGet("b", "k", body)
}
