package lifecycle

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

var t0 = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func mustEncode(t *testing.T, rules ...Rule) string {
	t.Helper()
	s, err := Encode(Configuration{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func lcBucket(name, versioning, cfg string) meta.Bucket {
	b := meta.Bucket{Name: name, Versioning: versioning}
	if cfg != "" {
		b.Configs = map[string]string{meta.ConfigLifecycle: cfg}
	}
	return b
}

// TestWorkerFake runs scans against the in-memory object layer with a
// controlled clock and checks every kind of action, paging (two entries a
// page, so a key's versions straddle pages) and object-lock refusals.
func TestWorkerFake(t *testing.T) {
	var clock atomic.Pointer[time.Time]
	now := t0.Add(10 * day)
	clock.Store(&now)
	nowFn := func() time.Time { return *clock.Load() }
	objs := newFakeObjects(nowFn)

	// Unversioned: expiration of tmp/ after 1 day, aborts after 3.
	plainCfg := mustEncode(t,
		Rule{ID: "tmp", Status: StatusEnabled, Filter: Filter{Prefix: "tmp/"}, Expiration: &Expiration{Days: 1},
			AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{DaysAfterInitiation: 3}})
	objs.add("plain", data.ObjectInfo{Key: "keep/old", VersionID: "null", ModTime: t0})
	objs.add("plain", data.ObjectInfo{Key: "tmp/new", VersionID: "null", ModTime: now.Add(-time.Hour)})
	objs.add("plain", data.ObjectInfo{Key: "tmp/old", VersionID: "null", ModTime: t0})
	objs.uploads["plain"] = []data.Upload{
		{Key: "keep/u", UploadID: "1", Initiated: t0},
		{Key: "tmp/u", UploadID: "2", Initiated: t0},
		{Key: "tmp/u", UploadID: "3", Initiated: now.Add(-time.Hour)},
	}

	// Versioned: current versions expire after 2 days, noncurrent after 1,
	// sole markers under m/ are removed.
	verCfg := mustEncode(t,
		Rule{ID: "m", Status: StatusEnabled, Filter: Filter{Prefix: "m/"}, Expiration: &Expiration{ExpiredObjectDeleteMarker: true}},
		Rule{ID: "cur", Status: StatusEnabled, Filter: Filter{Prefix: "a"}, Expiration: &Expiration{Days: 2}},
		Rule{ID: "nc", Status: StatusEnabled, NoncurrentVersionExpiration: &NoncurrentVersionExpiration{NoncurrentDays: 1}})
	objs.add("ver", data.ObjectInfo{Key: "a", ModTime: t0})          // v004: noncurrent since t0+1d
	objs.add("ver", data.ObjectInfo{Key: "a", ModTime: t0.Add(day)}) // v005: latest, expires
	objs.add("ver", data.ObjectInfo{Key: "lock", ModTime: t0, Meta: data.VersionMeta{LegalHold: true}})
	objs.add("ver", data.ObjectInfo{Key: "lock", ModTime: t0.Add(day)}) // latest, no expiration rule
	objs.add("ver", data.ObjectInfo{Key: "m/x", ModTime: t0, DeleteMarker: true})
	objs.add("ver", data.ObjectInfo{Key: "m/y", ModTime: t0})
	objs.add("ver", data.ObjectInfo{Key: "m/y", ModTime: t0.Add(day), DeleteMarker: true})
	objs.add("ver", data.ObjectInfo{Key: "m/z", ModTime: now.Add(-time.Minute), DeleteMarker: true})
	objs.add("ver", data.ObjectInfo{Key: "m/z2", ModTime: t0})
	objs.add("ver", data.ObjectInfo{Key: "retained", ModTime: t0,
		Meta: data.VersionMeta{Retention: data.Retention{Mode: "GOVERNANCE", Until: now.Add(day)}}})
	objs.add("ver", data.ObjectInfo{Key: "retained", ModTime: t0.Add(time.Hour)})
	// Sole markers under an Expiration in Days go once they are that old.
	objs.add("ver", data.ObjectInfo{Key: "a-marker-new", ModTime: now.Add(-time.Hour), DeleteMarker: true})
	objs.add("ver", data.ObjectInfo{Key: "a-marker-old", ModTime: t0, DeleteMarker: true})

	// Suspended: the null version is replaced by a null delete marker.
	suspCfg := mustEncode(t, Rule{ID: "s", Status: StatusEnabled, Expiration: &Expiration{Days: 1}})
	objs.add("susp", data.ObjectInfo{Key: "s", VersionID: "null", ModTime: t0})

	objs.add("noconf", data.ObjectInfo{Key: "tmp/old", VersionID: "null", ModTime: t0})
	objs.add("broken", data.ObjectInfo{Key: "tmp/old", VersionID: "null", ModTime: t0})
	objs.failList = "broken"

	buckets := &fakeBuckets{bs: []meta.Bucket{
		lcBucket("broken", "", plainCfg),
		lcBucket("noconf", "", ""),
		lcBucket("plain", "", plainCfg),
		lcBucket("susp", meta.VersioningSuspended, suspCfg),
		lcBucket("ver", meta.VersioningEnabled, verCfg),
	}}
	w := NewWorker(buckets, objs, Options{Now: nowFn})

	st, err := w.RunOnce(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bucket broken") {
		t.Fatalf("RunOnce error = %v, want the broken bucket's listing failure", err)
	}
	// MarkersAdded: a (enabled) and s (suspended).
	want := Stats{Buckets: 4, Expired: 1, MarkersAdded: 2, NoncurrentDeleted: 2, MarkersRemoved: 3, UploadsAborted: 1, Skipped: 2}
	st.Errors = 0
	if st != want {
		t.Errorf("stats = %+v\nwant    %+v", st, want)
	}
	check := func(bucket string, want ...string) {
		t.Helper()
		if got := objs.state(bucket); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: versions = %q\nwant %q", bucket, got, want)
		}
	}
	check("plain", "keep/old:null", "tmp/new:null")
	check("noconf", "tmp/old:null")
	check("broken", "tmp/old:null")
	check("susp", "s:nullM")
	// a: a marker was added over v005 and v004 (noncurrent for 9 days)
	// was deleted; lock's and retained's old versions are protected; m/x
	// and m/z (sole markers, whatever their age) are gone, as is the
	// sole marker older than 2 days; m/y's old version expired, leaving
	// its marker for the next scan; m/z2 is current and has no rule.
	check("ver", "a:v021M,v005", "a-marker-new:v015M", "lock:v007,v006", "m/y:v010M", "m/z2:v012",
		"retained:v014,v013")
	if got := objs.uploads["plain"]; len(got) != 2 || got[0].UploadID != "1" || got[1].UploadID != "3" {
		t.Errorf("uploads left = %+v, want 1 and 3", got)
	}

	// The next scan, an hour later, removes the markers that became sole.
	later := now.Add(time.Hour)
	clock.Store(&later)
	objs.failList = ""
	st, err = w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.MarkersRemoved != 1 || st.NoncurrentDeleted != 0 || st.Expired != 1 {
		t.Errorf("second scan stats = %+v", st)
	}
	check("ver", "a:v021M,v005", "a-marker-new:v015M", "lock:v007,v006", "m/z2:v012", "retained:v014,v013")
	check("broken")
}

func TestWorkerGuard(t *testing.T) {
	now := t0.Add(10 * day)
	w := NewWorker(&fakeBuckets{}, newFakeObjects(time.Now), Options{Now: func() time.Time { return now }})
	s := &bucketScan{w: w, started: now}
	evaluated := data.ObjectInfo{Key: "k", VersionID: "null", ModTime: t0, ETag: "e1"}
	g := s.guard(evaluated)
	tests := []struct {
		name string
		info data.ObjectInfo
		want error
	}{
		{"same", evaluated, nil},
		{"overwritten", data.ObjectInfo{Key: "k", VersionID: "null", ModTime: t0.Add(time.Second), ETag: "e2"}, errChanged},
		{"written after the scan began", data.ObjectInfo{Key: "k", VersionID: "v9", ModTime: now.Add(time.Millisecond)}, errChanged},
		{"other older version", data.ObjectInfo{Key: "k", VersionID: "v1", ModTime: t0.Add(-day)}, nil},
		{"legal hold", data.ObjectInfo{Key: "k", VersionID: "null", ModTime: t0, ETag: "e1", Meta: data.VersionMeta{LegalHold: true}}, data.ErrObjectLocked},
		{"retained", data.ObjectInfo{Key: "k", VersionID: "null", ModTime: t0, ETag: "e1", Meta: data.VersionMeta{Retention: data.Retention{Mode: "COMPLIANCE", Until: now.Add(time.Second)}}}, data.ErrObjectLocked},
		{"retention over", data.ObjectInfo{Key: "k", VersionID: "null", ModTime: t0, ETag: "e1", Meta: data.VersionMeta{Retention: data.Retention{Mode: "COMPLIANCE", Until: now.Add(-time.Second)}}}, nil},
	}
	for _, tc := range tests {
		if err := g(tc.info); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: guard = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestWorkerStartStop checks the background loop with real time and a
// day of a few milliseconds.
func TestWorkerStartStop(t *testing.T) {
	objs := newFakeObjects(time.Now)
	cfg := mustEncode(t, Rule{ID: "all", Status: StatusEnabled, Expiration: &Expiration{Days: 1}})
	objs.add("b", data.ObjectInfo{Key: "k", VersionID: "null", ModTime: time.Now()})
	w := NewWorker(&fakeBuckets{bs: []meta.Bucket{lcBucket("b", "", cfg)}}, objs,
		Options{DayLength: 5 * time.Millisecond, Interval: 2 * time.Millisecond})
	w.Start(context.Background())
	w.Start(context.Background()) // a second Start is a no-op
	deadline := time.Now().Add(5 * time.Second)
	for len(objs.state("b")) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the object was not expired by the background worker")
		}
		time.Sleep(time.Millisecond)
	}
	w.Stop()
	w.Stop()
	// Stopped: nothing more happens.
	objs.add("b", data.ObjectInfo{Key: "k2", VersionID: "null", ModTime: time.Now().Add(-time.Hour)})
	time.Sleep(20 * time.Millisecond)
	if got := objs.state("b"); len(got) != 1 {
		t.Fatalf("a stopped worker still expires objects: %q", got)
	}
}

func TestWorkerDefaults(t *testing.T) {
	tests := []struct {
		day, interval, want time.Duration
	}{
		{0, 0, time.Hour},
		{2 * time.Second, 0, time.Second},
		{10 * time.Millisecond, 0, 10 * time.Millisecond},
		{48 * time.Hour, 0, 2 * time.Hour},
		{0, time.Minute, time.Minute},
	}
	for _, tc := range tests {
		w := NewWorker(&fakeBuckets{}, newFakeObjects(time.Now), Options{DayLength: tc.day, Interval: tc.interval})
		if w.opts.Interval != tc.want {
			t.Errorf("day %v interval %v: Interval = %v, want %v", tc.day, tc.interval, w.opts.Interval, tc.want)
		}
	}
}
