package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const mib = 1 << 20

func TestRoundTripSizes(t *testing.T) {
	e := newEnv(t, 4, Options{})
	sizes := []int{0, 1, DefaultInlineThreshold - 1, DefaultInlineThreshold, DefaultInlineThreshold + 1,
		mib - 1, mib, mib + 1, 3*mib + 12345}
	for i, size := range sizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			key := fmt.Sprintf("obj-%d", size)
			body := randBytes(int64(i), size)
			before := 0
			for slot := range 4 {
				before += len(shardFiles(t, e.drivePath(slot)))
			}
			info := e.put("bkt", key, body)
			if info.Size != int64(size) || info.VersionID != "null" || !info.IsLatest || info.ModTime.IsZero() {
				t.Fatalf("put info: %+v", info)
			}
			e.mustGet("bkt", key, body)
			st, err := e.s.StatObject(context.Background(), "bkt", key, GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want, _ := md5Seal(body)()
			if st.ETag != want.ETag || st.Size != int64(size) || !st.ModTime.Equal(info.ModTime) {
				t.Fatalf("stat %+v, want etag %s", st, want.ETag)
			}
			after := 0
			for slot := range 4 {
				after += len(shardFiles(t, e.drivePath(slot)))
			}
			wantFiles := 4
			if size <= DefaultInlineThreshold {
				wantFiles = 0 // inline: the records hold the shards
			}
			if after-before != wantFiles {
				t.Fatalf("%d new shard files, want %d", after-before, wantFiles)
			}
		})
	}
}

func TestMetadataStored(t *testing.T) {
	e := newEnv(t, 4, Options{})
	body := []byte("hello")
	_, err := e.s.PutObject(context.Background(), "b", "k", bytes.NewReader(body), 5, PutOptions{
		Headers:  map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-Color": "blue"},
		Owner:    "owner-1",
		PosixUID: func() *uint32 { v := uint32(1001); return &v }(),
		PosixGID: func() *uint32 { v := uint32(100); return &v }(),
		Seal: func() (Sealed, error) {
			return Sealed{ETag: "abc", Checksums: map[string]string{"CRC32": "xyz="}}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.reopen()
	st, err := e.s.StatObject(context.Background(), "b", "k", GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Headers["Content-Type"] != "text/plain" || st.Headers["X-Amz-Meta-Color"] != "blue" ||
		st.Owner != "owner-1" || st.ETag != "abc" || st.Checksums["CRC32"] != "xyz=" ||
		st.PosixUID == nil || *st.PosixUID != 1001 || st.PosixGID == nil || *st.PosixGID != 100 {
		t.Fatalf("metadata not kept: %+v", st)
	}
}

func TestRangeReads(t *testing.T) {
	e := newEnv(t, 4, Options{})
	size := int64(3*mib + 1000)
	body := randBytes(7, int(size))
	e.put("b", "big", body)
	small := randBytes(8, 5000)
	e.put("b", "small", small)

	ranges := []struct{ off, n int64 }{
		{0, 0}, {0, 1}, {0, size}, {mib - 1, 1}, {mib - 1, 2}, {mib, mib}, {mib - 1, mib + 2},
		{2 * mib, mib + 1000}, {size - 1, 1}, {12345, 3}, {3 * mib, 1000},
	}
	for _, r := range ranges {
		t.Run(fmt.Sprintf("%d+%d", r.off, r.n), func(t *testing.T) {
			o, err := e.s.OpenObject(context.Background(), "b", "big", GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range e.faults {
				f.takeOpened()
			}
			rc, err := o.Range(context.Background(), r.off, r.n)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, body[r.off:r.off+r.n]) {
				t.Fatalf("range bytes differ")
			}
			// Only the blocks of the range are read: every shard stream
			// starts at the first block and ends with the last one.
			lay := partLayout{size: size, blockSize: mib, k: 2}
			if r.n == 0 {
				return
			}
			first, last := r.off/mib, (r.off+r.n-1)/mib
			wantSpan := fmt.Sprintf("%d %d", lay.chunkOffset(first), lay.spanEnd(last)-lay.chunkOffset(first))
			streams := 0
			for _, f := range e.faults {
				for _, op := range f.takeOpened() {
					streams++
					if !strings.HasSuffix(op, wantSpan) {
						t.Fatalf("stream %q, want span %q", op, wantSpan)
					}
				}
			}
			if streams != 2 {
				t.Fatalf("%d shard streams opened, want k=2", streams)
			}
		})
	}
	o, err := e.s.OpenObject(context.Background(), "b", "small", GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := o.Range(context.Background(), 4000, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, small[4000:]) {
		t.Fatal("inline range differs")
	}
	for _, bad := range []struct{ off, n int64 }{{-1, 1}, {0, 5001}, {5000, 1}, {1, -1}} {
		if _, err := o.Range(context.Background(), bad.off, bad.n); !errors.Is(err, ErrInvalidRange) {
			t.Fatalf("range %v: %v", bad, err)
		}
	}
}

func TestLoseAnyParityDrives(t *testing.T) {
	e := newEnv(t, 4, Options{})
	objs := map[string][]byte{
		"empty": {}, "inline": randBytes(1, 1000), "large": randBytes(2, 2*mib+7),
	}
	for k, v := range objs {
		e.put("b", k, v)
	}
	for a := 0; a < 4; a++ {
		for b := a + 1; b < 4; b++ {
			t.Run(fmt.Sprintf("down-%d-%d", a, b), func(t *testing.T) {
				e.faults[a].down.Store(true)
				e.faults[b].down.Store(true)
				defer e.faults[a].down.Store(false)
				defer e.faults[b].down.Store(false)
				for k, v := range objs {
					e.mustGet("b", k, v)
				}
				res, err := e.s.ListObjects(context.Background(), "b", ListOptions{})
				if err != nil || len(res.Objects) != len(objs) {
					t.Fatalf("list: %d objects, %v", len(res.Objects), err)
				}
				// Two of four drives are below the write quorum of 3.
				_, err = e.s.PutObject(context.Background(), "b", "new", bytes.NewReader([]byte("x")), 1, PutOptions{})
				if !errors.Is(err, ErrWriteQuorum) {
					t.Fatalf("put with 2 drives down: %v", err)
				}
				h := e.s.Health(context.Background())
				if h.Online != 2 || h.Ready || h.WriteQuorum != 3 {
					t.Fatalf("health %+v", h)
				}
			})
		}
	}
	// Three drives down: reads must fail, not return wrong data.
	for i := 0; i < 3; i++ {
		e.faults[i].down.Store(true)
	}
	if _, err := e.get("b", "large"); !errors.Is(err, ErrReadQuorum) {
		t.Fatalf("read with 3 drives down: %v", err)
	}
}

func TestWriteWithOneDriveDownThenHeal(t *testing.T) {
	e := newEnv(t, 4, Options{})
	e.faults[2].down.Store(true)
	big, small := randBytes(3, mib+10), randBytes(4, 100)
	e.put("b", "big", big)
	e.put("b", "small", small)
	e.s.healer.wait() // the queued heals run while the drive is still down
	e.faults[2].down.Store(false)
	rep, err := e.s.HealAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Healed != 2 || rep.Shards != 2 {
		t.Fatalf("heal report %+v, want 2 versions on 1 drive each", rep)
	}
	// Drive 2 now carries its part: reads survive losing two other drives.
	e.faults[0].down.Store(true)
	e.faults[1].down.Store(true)
	e.mustGet("b", "big", big)
	e.mustGet("b", "small", small)
	if rep, _ := e.s.HealAll(context.Background()); rep.Shards != 0 {
		t.Fatalf("second heal with drives down wrote %d shards", rep.Shards)
	}
}

func TestShardWriteFailureMidStream(t *testing.T) {
	e := newEnv(t, 4, Options{})
	e.faults[1].failWriteAfter.Store(100 << 10)
	body := randBytes(5, 3*mib)
	e.put("b", "k", body) // quorum 3 of 4 still holds
	e.faults[1].failWriteAfter.Store(0)
	e.mustGet("b", "k", body)
	e.s.healer.wait()
	if n := len(shardFiles(t, e.drivePath(1))); n != 1 {
		t.Fatalf("drive 1 has %d shard files after the queued heal, want 1", n)
	}
	if names := dirEntries(t, filepath.Join(e.drivePath(1), tmpDir)); len(names) != 0 {
		t.Fatalf("tmp left behind: %v", names)
	}
	// Two failing drives break the quorum; nothing may become visible.
	e.faults[1].failWriteAfter.Store(100 << 10)
	e.faults[3].failWriteAfter.Store(100 << 10)
	_, err := e.s.PutObject(context.Background(), "b", "k2", bytes.NewReader(body), int64(len(body)), PutOptions{})
	if !errors.Is(err, ErrWriteQuorum) {
		t.Fatalf("got %v", err)
	}
	e.assertInvisible("b", "k2")
}

// assertInvisible checks that key has no record and no tmp or shard leftovers.
func (e *env) assertInvisible(bucket, key string) {
	e.t.Helper()
	if _, err := e.s.StatObject(context.Background(), bucket, key, GetOptions{}); !errors.Is(err, ErrObjectNotFound) {
		e.t.Fatalf("stat after failed put: %v", err)
	}
	for slot, d := range e.s.drives {
		if _, err := d.ReadVersion(context.Background(), bucket, key, "", false); err == nil {
			e.t.Fatalf("drive %d holds a record", slot)
		}
		if names := dirEntries(e.t, filepath.Join(e.drivePath(slot), tmpDir)); len(names) != 0 {
			e.t.Fatalf("drive %d tmp holds %v", slot, names)
		}
	}
}

func TestCommitQuorumFailureRollsBack(t *testing.T) {
	e := newEnv(t, 4, Options{})
	old := randBytes(9, 300)
	e.put("b", "k", old)
	e.faults[0].failCommit.Store(true)
	e.faults[3].failCommit.Store(true)
	for _, size := range []int{10, 2 * mib} {
		_, err := e.s.PutObject(context.Background(), "b", "new", bytes.NewReader(randBytes(1, size)), int64(size), PutOptions{})
		if !errors.Is(err, ErrWriteQuorum) {
			t.Fatalf("size %d: %v", size, err)
		}
		e.assertInvisible("b", "new")
	}
	for slot := range 4 {
		for _, f := range shardFiles(t, e.drivePath(slot)) {
			t.Fatalf("shard file left: %s", f)
		}
	}
}

func TestBodyErrors(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	for _, size := range []int{0, 10, 2*mib + 5} {
		body := randBytes(int64(size), size)
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			if size > 0 {
				_, err := e.s.PutObject(ctx, "b", "short", bytes.NewReader(body[:size-1]), int64(size), PutOptions{})
				if !errors.Is(err, ErrIncompleteBody) {
					t.Fatalf("short body: %v", err)
				}
				e.assertInvisible("b", "short")
			}
			_, err := e.s.PutObject(ctx, "b", "long", bytes.NewReader(append(body, 'x')), int64(size), PutOptions{})
			if !errors.Is(err, ErrBodyTooLong) {
				t.Fatalf("long body: %v", err)
			}
			e.assertInvisible("b", "long")

			// The reader sees EOF before Seal runs, and a Seal error aborts.
			sealErr := errors.New("checksum mismatch")
			r := &eofTracker{r: bytes.NewReader(body)}
			_, err = e.s.PutObject(ctx, "b", "sealed", r, int64(size), PutOptions{Seal: func() (Sealed, error) {
				if !r.sawEOF {
					t.Error("Seal called before the body reached EOF")
				}
				return Sealed{}, sealErr
			}})
			if !errors.Is(err, sealErr) {
				t.Fatalf("seal error: %v", err)
			}
			e.assertInvisible("b", "sealed")

			// A reader failing at EOF (a bad signature) is returned as is.
			readErr := errors.New("signature mismatch")
			_, err = e.s.PutObject(ctx, "b", "badsig", io.MultiReader(bytes.NewReader(body), errReader{readErr}), int64(size), PutOptions{})
			if !errors.Is(err, readErr) {
				t.Fatalf("reader error: %v", err)
			}
			e.assertInvisible("b", "badsig")
		})
	}
	for slot := range 4 {
		if f := shardFiles(t, e.drivePath(slot)); len(f) != 0 {
			t.Fatalf("shard files left: %v", f)
		}
	}
}

type eofTracker struct {
	r      io.Reader
	sawEOF bool
}

func (t *eofTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err == io.EOF {
		t.sawEOF = true
	}
	return n, err
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestInvalidNamesAndParity(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	if _, err := e.s.PutObject(ctx, "b", "a\x00b", bytes.NewReader(nil), 0, PutOptions{}); !errors.Is(err, ErrInvalidObjectName) {
		t.Fatal(err)
	}
	if _, err := e.s.PutObject(ctx, "", "a", bytes.NewReader(nil), 0, PutOptions{}); !errors.Is(err, ErrInvalidObjectName) {
		t.Fatal(err)
	}
	if _, err := e.s.PutObject(ctx, "b", "a", bytes.NewReader(nil), 0, PutOptions{ParityShards: 3}); !errors.Is(err, ErrInvalidParity) {
		t.Fatal(err)
	}
	// Parity 1 (storage class) on 4 drives: 3+1, write quorum 3.
	body := randBytes(1, 2*mib)
	if _, err := e.s.PutObject(ctx, "b", "p1", bytes.NewReader(body), int64(len(body)), PutOptions{ParityShards: 1}); err != nil {
		t.Fatal(err)
	}
	e.faults[0].down.Store(true)
	e.mustGet("b", "p1", body)
}

func TestTmpCleanedAtOpen(t *testing.T) {
	e := newEnv(t, 4, Options{})
	junk := filepath.Join(e.drivePath(0), tmpDir, "0123456789abcdef0123456789abcdef")
	if err := os.MkdirAll(junk, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(junk, "part.1"), []byte("half a shard"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.reopen()
	if names := dirEntries(t, filepath.Join(e.drivePath(0), tmpDir)); len(names) != 0 {
		t.Fatalf("tmp after reopen: %v", names)
	}
}

func TestHLCMonotonic(t *testing.T) {
	fixed := time.Unix(1000, 0)
	c := NewHLC(func() time.Time { return fixed })
	a, b := c.Now(), c.Now()
	if b <= a {
		t.Fatalf("not increasing: %d %d", a, b)
	}
	c.Observe(b + 1000)
	if d := c.Now(); d <= b+1000 {
		t.Fatalf("observe ignored: %d", d)
	}
}

// TestLargeObjectBoundedMemory checks that PUT and GET stream: the heap
// allocated while moving 48 MiB stays a small multiple of one block.
func TestLargeObjectBoundedMemory(t *testing.T) {
	e := newEnv(t, 4, Options{})
	const size = 48 * mib
	body := &patternReader{left: size}
	measure := func(fn func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		fn()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	put := measure(func() {
		if _, err := e.s.PutObject(context.Background(), "b", "big", body, size, PutOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	var n int64
	get := measure(func() {
		o, err := e.s.OpenObject(context.Background(), "b", "big", GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rc, _ := o.Range(context.Background(), 0, size)
		n, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	})
	if n != size {
		t.Fatalf("read %d bytes", n)
	}
	t.Logf("put %d KiB get %d KiB", put>>10, get>>10)
	if put > 16*mib || get > 16*mib {
		t.Fatalf("allocated %d MiB for PUT and %d MiB for GET of 48 MiB", put>>20, get>>20)
	}
}

// patternReader yields left bytes without holding them in memory.
type patternReader struct{ left int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(b)), p.left)
	for i := range b[:n] {
		b[i] = byte(p.left - int64(i))
	}
	p.left -= n
	return int(n), nil
}
