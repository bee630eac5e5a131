package data

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// Fault injection for the drive methods of issue 4 (faultyDrive lives in
// helpers_test.go).

func (f *faultyDrive) ListVersions(ctx context.Context, bucket string, q objindex.VersionQuery) (objindex.ListPage, error) {
	if f.down.Load() {
		return objindex.ListPage{}, f.err()
	}
	return f.Drive.ListVersions(ctx, bucket, q)
}

func (f *faultyDrive) SetVersionMeta(ctx context.Context, bucket, key, versionID string, modTime int64, u objindex.MetaUpdate) (*objindex.Record, error) {
	if f.down.Load() {
		return nil, f.err()
	}
	return f.Drive.SetVersionMeta(ctx, bucket, key, versionID, modTime, u)
}

func (e *env) putOpts(bucket, key string, body []byte, opts PutOptions) (ObjectInfo, error) {
	opts.Seal = md5Seal(body)
	return e.s.PutObject(context.Background(), bucket, key, bytes.NewReader(body), int64(len(body)), opts)
}

func TestConditionalPut(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	v1 := []byte("first version")
	cur := e.put("b", "exists", v1)
	for _, k := range []string{"deleted", "deleted2"} {
		e.put("b", k, []byte("x"))
		if _, err := e.s.DeleteObject(ctx, "b", k, DeleteOptions{Versioned: true}); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		key  string
		pre  Preconditions
		want error
	}{
		{"if-none-match new key", "new1", Preconditions{IfNoneMatchAny: true}, nil},
		{"if-none-match existing key", "exists", Preconditions{IfNoneMatchAny: true}, ErrPreconditionFailed},
		{"if-none-match behind delete marker", "deleted", Preconditions{IfNoneMatchAny: true}, nil},
		{"if-match current etag", "exists", Preconditions{IfMatch: cur.ETag}, nil},
		{"if-match quoted etag", "exists", Preconditions{IfMatch: `"` + cur.ETag + `"`}, nil},
		{"if-match other etag", "exists", Preconditions{IfMatch: "0123456789abcdef0123456789abcdef"}, ErrPreconditionFailed},
		{"if-match missing key", "new2", Preconditions{IfMatch: cur.ETag}, ErrPreconditionFailed},
		{"if-match behind delete marker", "deleted2", Preconditions{IfMatch: "*"}, ErrPreconditionFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, beforeErr := e.s.StatObject(ctx, "b", tc.key, GetOptions{})
			body := []byte("written by " + tc.name)
			_, err := e.putOpts("b", tc.key, body, PutOptions{Pre: tc.pre})
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if errors.Is(err, ErrConditionalConflict) {
				t.Fatalf("no race here, got %v", err)
			}
			if err == nil {
				e.mustGet("b", tc.key, body)
				// Restore the key for the next cases.
				if tc.key == "exists" {
					cur = e.put("b", "exists", v1)
				}
				return
			}
			after, afterErr := e.s.StatObject(ctx, "b", tc.key, GetOptions{})
			if after.VersionID != before.VersionID || after.ETag != before.ETag || (afterErr == nil) != (beforeErr == nil) {
				t.Fatalf("a refused write changed the key: %+v/%v → %+v/%v", before, beforeErr, after, afterErr)
			}
		})
	}
}

// gateReader blocks its first Read until released, after signalling that
// the write has started (its early precondition check passed).
type gateReader struct {
	r       io.Reader
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gateReader) Read(p []byte) (int, error) {
	g.once.Do(func() {
		close(g.started)
		<-g.release
	})
	return g.r.Read(p)
}

// TestConditionalConflict: a conditional write whose precondition held when
// it started but not at its commit fails with ErrConditionalConflict (409),
// leaves the winner in place and no staged data behind.
func TestConditionalConflict(t *testing.T) {
	for _, tc := range []struct {
		name      string
		size      int // above the inline threshold: shard files are staged
		pre       func(cur ObjectInfo) Preconditions
		racerOpts PutOptions
	}{
		{"if-none-match vs create", 200 << 10, func(ObjectInfo) Preconditions { return Preconditions{IfNoneMatchAny: true} }, PutOptions{}},
		{"if-match vs overwrite", 200 << 10, func(c ObjectInfo) Preconditions { return Preconditions{IfMatch: c.ETag} }, PutOptions{}},
		{"if-match vs versioned overwrite inline", 10, func(c ObjectInfo) Preconditions { return Preconditions{IfMatch: c.ETag} }, PutOptions{Versioned: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 4, Options{})
			ctx := context.Background()
			var cur ObjectInfo
			if tc.name != "if-none-match vs create" {
				cur = e.put("b", "k", []byte("original"))
			}
			body := randBytes(1, tc.size)
			g := &gateReader{r: bytes.NewReader(body), started: make(chan struct{}), release: make(chan struct{})}
			done := make(chan error, 1)
			go func() {
				_, err := e.s.PutObject(ctx, "b", "k", g, int64(len(body)), PutOptions{Pre: tc.pre(cur), Seal: md5Seal(body)})
				done <- err
			}()
			<-g.started
			winner := []byte("the racer committed first")
			if _, err := e.putOpts("b", "k", winner, tc.racerOpts); err != nil {
				t.Fatal(err)
			}
			close(g.release)
			err := <-done
			if !errors.Is(err, ErrConditionalConflict) || errors.Is(err, ErrPreconditionFailed) {
				t.Fatalf("err = %v, want only ErrConditionalConflict", err)
			}
			e.mustGet("b", "k", winner)
			for slot := range e.paths {
				if n := dirEntries(t, filepath.Join(e.drivePath(slot), tmpDir)); len(n) != 0 {
					t.Fatalf("drive %d tmp holds %v after the refused write", slot, n)
				}
			}
		})
	}
}

// TestConditionalRace: of many If-None-Match: * writers of one new key
// exactly one wins; every other gets 412 or 409, and the key holds the
// winner's body.
func TestConditionalRace(t *testing.T) {
	e := newEnv(t, 4, Options{})
	const writers = 8
	for round := 0; round < 5; round++ {
		key := "race" + string(rune('a'+round))
		var wg sync.WaitGroup
		errs := make([]error, writers)
		bodies := make([][]byte, writers)
		start := make(chan struct{})
		for i := range writers {
			bodies[i] = randBytes(int64(round*writers+i), 1000+i)
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = e.putOpts("b", key, bodies[i], PutOptions{Pre: Preconditions{IfNoneMatchAny: true}})
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("round %d: writers %d and %d both won", round, winner, i)
				}
				winner = i
			case errors.Is(err, ErrPreconditionFailed), errors.Is(err, ErrConditionalConflict):
			default:
				t.Fatalf("round %d writer %d: %v", round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: nobody won: %v", round, errs)
		}
		e.mustGet("b", key, bodies[winner])
	}
}

func TestETagMatches(t *testing.T) {
	for _, tc := range []struct {
		cond, etag string
		want       bool
	}{
		{"abc", "abc", true},
		{`"abc"`, "abc", true},
		{`W/"abc"`, "abc", true},
		{`"x", "abc"`, "abc", true},
		{"*", "abc", true},
		{`"abd"`, "abc", false},
		{`"abc-2"`, "abc", false},
	} {
		if got := etagMatches(tc.cond, tc.etag); got != tc.want {
			t.Errorf("etagMatches(%q, %q) = %v", tc.cond, tc.etag, got)
		}
	}
}
