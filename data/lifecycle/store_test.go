package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/meta/objindex"
)

// testClock is a settable clock shared by the store (version times) and
// the worker.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// openStore opens a real data.Store over 4 temporary drives.
func openStore(t *testing.T, now func() time.Time) *data.Store {
	t.Helper()
	root := t.TempDir()
	paths := make([]string, 4)
	for i := range paths {
		paths[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := data.Open(paths,
		data.LocalOptions{Logger: quiet, Index: objindex.Options{NoSync: true, GCInterval: -1}},
		data.Options{Logger: quiet, NoBackgroundHeal: true, Now: now})
	if err != nil {
		t.Fatalf("data.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func put(t *testing.T, s *data.Store, bucket, key, body string, versioned bool) data.ObjectInfo {
	t.Helper()
	info, err := s.PutObject(context.Background(), bucket, key, strings.NewReader(body), int64(len(body)),
		data.PutOptions{Versioned: versioned})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return info
}

// versions renders a bucket's versions as "key:size[M]" lists, newest first.
func versions(t *testing.T, s *data.Store, bucket string) []string {
	t.Helper()
	res, err := s.ListObjectVersions(context.Background(), bucket, data.ListVersionsOptions{})
	if err != nil {
		t.Fatalf("ListObjectVersions: %v", err)
	}
	var out []string
	for _, v := range res.Versions {
		e := fmt.Sprintf("%d", v.Size)
		if v.DeleteMarker {
			e = "M"
		}
		if n := len(out); n > 0 && strings.HasPrefix(out[n-1], v.Key+":") {
			out[n-1] += "," + e
		} else {
			out = append(out, v.Key+":"+e)
		}
	}
	return out
}

func skipIfPending(t *testing.T, err error) {
	if err != nil && strings.Contains(err.Error(), "not implemented yet") {
		t.Skipf("object layer method pending: %v", err)
	}
}

// TestWorkerStore runs the worker against a real data.Store whose version
// times come from the same controlled clock, with 1 ms days.
func TestWorkerStore(t *testing.T) {
	const d = time.Millisecond
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &testClock{t: start}
	s := openStore(t, clock.Now)
	ctx := context.Background()
	if _, err := s.ListObjectVersions(ctx, "probe", data.ListVersionsOptions{}); err != nil {
		skipIfPending(t, err)
	}

	plainCfg := mustEncode(t, Rule{ID: "tmp", Status: StatusEnabled, Filter: Filter{Prefix: "tmp/"}, Expiration: &Expiration{Days: 2}})
	verCfg := mustEncode(t,
		Rule{ID: "cur", Status: StatusEnabled, Filter: Filter{ObjectSizeGreaterThan: ptr(int64(3))}, Expiration: &Expiration{Days: 5}},
		Rule{ID: "nc", Status: StatusEnabled, Filter: Filter{Prefix: "k"}, NoncurrentVersionExpiration: &NoncurrentVersionExpiration{NoncurrentDays: 2, NewerNoncurrentVersions: 1}},
		Rule{ID: "nc-gone", Status: StatusEnabled, Filter: Filter{Prefix: "gone"}, NoncurrentVersionExpiration: &NoncurrentVersionExpiration{NoncurrentDays: 2}},
		Rule{ID: "edm", Status: StatusEnabled, Filter: Filter{Prefix: "gone"}, Expiration: &Expiration{ExpiredObjectDeleteMarker: true}})
	bk := &fakeBuckets{bs: []meta.Bucket{
		lcBucket("plain", "", plainCfg),
		lcBucket("ver", meta.VersioningEnabled, verCfg),
	}}

	// Times in days of 1 ms; writes happen mid-day so every due time is
	// the next day boundary: written at 0.5 with 2 days → due at 3.
	at := func(days float64) time.Time { return start.Add(time.Duration(days * float64(d))) }
	// The store's clock is a hybrid logical clock: writes happen in time
	// order.
	clock.Set(at(0.5))
	put(t, s, "plain", "tmp/a", "aaaa", false) // due 3
	put(t, s, "plain", "keep", "kkkk", false)

	// ver: k has four versions written at 0.5, 1.5, 2.5 and 3.5: version i
	// is noncurrent from i+1.5, due at i+4 (v0 4, v1 5, v2 6), and v2, the
	// newest noncurrent, is kept by NewerNoncurrentVersions 1. k's current
	// version is due at 9. small is too small for "cur". gone has one
	// version and a delete marker written at 3.5 (its version due at 6).
	for i := range 4 {
		clock.Set(at(float64(i) + 0.5))
		put(t, s, "ver", "k", strings.Repeat("v", 10+i), true)
		if i == 2 {
			put(t, s, "plain", "tmp/b", "bbbb", false) // due 5
		}
	}
	put(t, s, "ver", "small", "s", true)
	put(t, s, "ver", "gone", "gggg", true)
	if _, err := s.DeleteObject(ctx, "ver", "gone", data.DeleteOptions{Versioned: true}); err != nil {
		t.Fatal(err)
	}

	w := NewWorker(bk, s, Options{DayLength: d, Now: clock.Now})
	scan := func(days float64) Stats {
		t.Helper()
		clock.Set(at(days))
		st, err := w.RunOnce(ctx)
		if err != nil {
			t.Fatalf("RunOnce at %v: %v", days, err)
		}
		return st
	}
	expect := func(bucket, want string) {
		t.Helper()
		if got := fmt.Sprint(versions(t, s, bucket)); got != want {
			t.Errorf("%s at %v: %s, want %s", bucket, clock.Now().Sub(start), got, want)
		}
	}

	st := scan(4)
	expect("plain", "[keep:4 tmp/b:4]")
	expect("ver", "[gone:M,4 k:13,12,11 small:1]")
	if st.Expired != 1 || st.NoncurrentDeleted != 1 {
		t.Errorf("scan at 4: %+v", st)
	}

	scan(6)
	expect("plain", "[keep:4]")
	expect("ver", "[gone:M k:13,12 small:1]")
	// gone's marker is now alone: removed by the next scan.
	st = scan(6.1)
	expect("ver", "[k:13,12 small:1]")
	if st.MarkersRemoved != 1 {
		t.Errorf("scan at 6.1: %+v", st)
	}

	// At 9, k's current version expires behind a delete marker; small
	// stays (size filter). v2 had no newer noncurrent version when listed:
	// it goes on the next scan.
	st = scan(9)
	expect("ver", "[k:M,13,12 small:1]")
	if st.MarkersAdded != 1 {
		t.Errorf("scan at 9: %+v", st)
	}
	scan(9.1)
	expect("ver", "[k:M,13 small:1]")
	if _, err := s.StatObject(ctx, "ver", "k", data.GetOptions{}); !errors.Is(err, data.ErrObjectNotFound) && !errors.Is(err, data.ErrDeleteMarker) {
		t.Errorf("GET of an expired key: %v", err)
	}
}

// TestWorkerStoreUploads checks that incomplete uploads are aborted.
func TestWorkerStoreUploads(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &testClock{t: start}
	s := openStore(t, clock.Now)
	ctx := context.Background()
	old, err := s.CreateMultipartUpload(ctx, "b", "tmp/old", data.PutOptions{})
	skipIfPending(t, err)
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(start.Add(5 * time.Millisecond))
	young, err := s.CreateMultipartUpload(ctx, "b", "tmp/young", data.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateMultipartUpload(ctx, "b", "other", data.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustEncode(t, Rule{ID: "mpu", Status: StatusEnabled, Filter: Filter{Prefix: "tmp/"},
		AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{DaysAfterInitiation: 3}})
	w := NewWorker(&fakeBuckets{bs: []meta.Bucket{lcBucket("b", "", cfg)}}, s, Options{DayLength: time.Millisecond, Now: clock.Now})
	clock.Set(start.Add(6 * time.Millisecond))
	st, err := w.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.UploadsAborted != 1 {
		t.Errorf("stats %+v, want one upload aborted", st)
	}
	res, err := s.ListMultipartUploads(ctx, "b", data.ListUploadsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, u := range res.Uploads {
		left = append(left, u.UploadID)
	}
	if fmt.Sprint(left) != fmt.Sprint([]string{other.UploadID, young.UploadID}) {
		t.Errorf("uploads left %v, want %v and %v (not %v)", left, other.UploadID, young.UploadID, old.UploadID)
	}
}

// TestWorkerStoreBackground runs the background loop on the real clock
// with a 5 ms day: an unversioned object disappears within a few scans.
func TestWorkerStoreBackground(t *testing.T) {
	s := openStore(t, nil)
	ctx := context.Background()
	if _, err := s.ListObjectVersions(ctx, "probe", data.ListVersionsOptions{}); err != nil {
		skipIfPending(t, err)
	}
	put(t, s, "b", "x", "data", false)
	cfg := mustEncode(t, Rule{ID: "all", Status: StatusEnabled, Expiration: &Expiration{Days: 1}})
	w := NewWorker(&fakeBuckets{bs: []meta.Bucket{lcBucket("b", "", cfg)}}, s, Options{DayLength: 5 * time.Millisecond})
	w.Start(ctx)
	defer w.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := s.StatObject(ctx, "b", "x", data.GetOptions{})
		if errors.Is(err, data.ErrObjectNotFound) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("object still there after 10 s: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }

// data.Store is the object layer the node gives the worker.
var _ Objects = (*data.Store)(nil)
