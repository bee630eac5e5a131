package meta

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

var testTime = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func openTest(t *testing.T, dir string) *State {
	t.Helper()
	s, err := OpenState(dir, nil)
	if err != nil {
		t.Fatalf("OpenState: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mkCreate(t testing.TB, name string) Command {
	t.Helper()
	c, err := CreateBucketCommand(Bucket{Name: name, Created: testTime, Owner: "owner-" + name})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mkDelete(t testing.TB, name string) Command {
	t.Helper()
	c, err := DeleteBucketCommand(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mkVersioning(t testing.TB, name, status string) Command {
	t.Helper()
	c, err := PutBucketVersioningCommand(name, status)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func bucketNames(bs []Bucket) []string {
	out := []string{}
	for _, b := range bs {
		out = append(out, b.Name)
	}
	return out
}

func TestApplySequence(t *testing.T) {
	type step struct {
		cmd  Command
		want error
	}
	tests := []struct {
		desc       string
		steps      []step
		buckets    []string
		versioning map[string]string
	}{
		{
			desc:    "create and list sorted",
			steps:   []step{{mkCreate(t, "zeta"), nil}, {mkCreate(t, "alpha"), nil}, {mkCreate(t, "mid"), nil}},
			buckets: []string{"alpha", "mid", "zeta"},
		},
		{
			desc:    "duplicate create",
			steps:   []step{{mkCreate(t, "abc"), nil}, {mkCreate(t, "abc"), ErrBucketExists}},
			buckets: []string{"abc"},
		},
		{
			desc:    "delete missing",
			steps:   []step{{mkDelete(t, "abc"), ErrNoSuchBucket}},
			buckets: []string{},
		},
		{
			desc:    "create delete recreate",
			steps:   []step{{mkCreate(t, "abc"), nil}, {mkDelete(t, "abc"), nil}, {mkDelete(t, "abc"), ErrNoSuchBucket}, {mkCreate(t, "abc"), nil}},
			buckets: []string{"abc"},
		},
		{
			desc: "versioning",
			steps: []step{
				{mkVersioning(t, "abc", VersioningEnabled), ErrNoSuchBucket},
				{mkCreate(t, "abc"), nil},
				{mkVersioning(t, "abc", VersioningEnabled), nil},
				{mkVersioning(t, "abc", VersioningEnabled), nil},
				{mkCreate(t, "def"), nil},
				{mkVersioning(t, "def", VersioningEnabled), nil},
				{mkVersioning(t, "def", VersioningSuspended), nil},
			},
			buckets:    []string{"abc", "def"},
			versioning: map[string]string{"abc": VersioningEnabled, "def": VersioningSuspended},
		},
		{
			desc:    "invalid commands are rejected",
			steps:   []step{{Command{Op: "Nope"}, ErrInvalidCommand}, {Command{Op: OpCreateBucket, Args: []byte(`{"name":"x"}`)}, ErrInvalidBucketName}},
			buckets: []string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			dir := t.TempDir()
			s := openTest(t, dir)
			for i, st := range tc.steps {
				err := s.Apply(uint64(i+1), st.cmd)
				if st.want == nil && err != nil || st.want != nil && !errors.Is(err, st.want) {
					t.Fatalf("step %d (%s): Apply = %v, want %v", i, st.cmd.Op, err, st.want)
				}
			}
			check := func(s *State) {
				t.Helper()
				if got := bucketNames(s.Buckets()); !reflect.DeepEqual(got, tc.buckets) {
					t.Errorf("Buckets() = %v, want %v", got, tc.buckets)
				}
				for name, want := range tc.versioning {
					b, ok := s.Bucket(name)
					if !ok || b.Versioning != want {
						t.Errorf("Bucket(%q) = %+v, %v; want versioning %q", name, b, ok, want)
					}
				}
				if got, want := s.LastApplied(), uint64(len(tc.steps)); got != want {
					t.Errorf("LastApplied = %d, want %d (rejected commands advance it too)", got, want)
				}
			}
			check(s)
			// The same state comes back from disk.
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			check(openTest(t, dir))
		})
	}
}

func TestApplyReplayIsNoop(t *testing.T) {
	s := openTest(t, t.TempDir())
	for i, c := range []Command{mkCreate(t, "abc"), mkCreate(t, "def"), mkDelete(t, "def")} {
		if err := s.Apply(uint64(i+1), c); err != nil {
			t.Fatal(err)
		}
	}
	// Replaying old indexes, even with other commands, changes nothing
	// and reports nothing: the verdict was delivered the first time.
	for i, c := range []Command{mkCreate(t, "abc"), mkDelete(t, "abc"), mkCreate(t, "def")} {
		if err := s.Apply(uint64(i+1), c); err != nil {
			t.Errorf("replay %d: %v", i+1, err)
		}
	}
	if got := bucketNames(s.Buckets()); !reflect.DeepEqual(got, []string{"abc"}) {
		t.Errorf("after replay Buckets() = %v", got)
	}
	if s.LastApplied() != 3 {
		t.Errorf("LastApplied = %d, want 3", s.LastApplied())
	}
	// A batch straddling LastApplied applies only its new part.
	errs := s.ApplyBatch([]Entry{{2, mkDelete(t, "abc")}, {3, mkCreate(t, "zzz")}, {4, mkCreate(t, "ghi")}})
	for i, err := range errs {
		if err != nil {
			t.Errorf("batch entry %d: %v", i, err)
		}
	}
	if got := bucketNames(s.Buckets()); !reflect.DeepEqual(got, []string{"abc", "ghi"}) {
		t.Errorf("after straddling batch Buckets() = %v", got)
	}
}

func TestApplyBatchSeesEarlierEntries(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	errs := s.ApplyBatch([]Entry{
		{1, mkCreate(t, "abc")},
		{2, mkCreate(t, "abc")},
		{3, mkVersioning(t, "abc", VersioningEnabled)},
		{4, mkCreate(t, "def")},
		{5, mkDelete(t, "def")},
		{6, mkDelete(t, "def")},
		{7, mkVersioning(t, "def", VersioningEnabled)},
	})
	want := []error{nil, ErrBucketExists, nil, nil, nil, ErrNoSuchBucket, ErrNoSuchBucket}
	for i := range want {
		if want[i] == nil && errs[i] != nil || want[i] != nil && !errors.Is(errs[i], want[i]) {
			t.Errorf("entry %d: %v, want %v", i, errs[i], want[i])
		}
	}
	b, ok := s.Bucket("abc")
	if !ok || b.Versioning != VersioningEnabled || b.Owner != "owner-abc" || !b.Created.Equal(testTime) {
		t.Errorf("Bucket(abc) = %+v, %v", b, ok)
	}
	if _, ok := s.Bucket("def"); ok {
		t.Error("def exists after create+delete in one batch")
	}
	s.Close()
	s = openTest(t, dir)
	if got := bucketNames(s.Buckets()); !reflect.DeepEqual(got, []string{"abc"}) || s.LastApplied() != 7 {
		t.Errorf("reopened: %v at %d", got, s.LastApplied())
	}
}

// A batch bigger than one badger transaction is split; every entry lands.
func TestApplyBatchSplits(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	const n = 12000 // ~1.7 MB of records: more than one badger transaction holds
	entries := make([]Entry, 0, n)
	for i := range n {
		entries = append(entries, Entry{uint64(i + 1), mkCreate(t, fmt.Sprintf("bucket-%05d", i))})
	}
	for i, err := range s.ApplyBatch(entries) {
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	s.Close()
	s = openTest(t, dir)
	if got := len(s.Buckets()); got != n || s.LastApplied() != n {
		t.Fatalf("reopened: %d buckets at %d, want %d at %d", got, s.LastApplied(), n, n)
	}
}

// A storage failure at commit leaves the DB at the previous commit and the
// state refusing commands; a reopen resumes from the durable index.
func TestCommitFailure(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.Apply(1, mkCreate(t, "abc")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	s.commitHook = func() error { return boom }
	if err := s.Apply(2, mkCreate(t, "def")); !errors.Is(err, ErrStateFailed) || !errors.Is(err, boom) {
		t.Fatalf("Apply with failing commit = %v", err)
	}
	s.commitHook = nil
	if err := s.Apply(3, mkCreate(t, "ghi")); !errors.Is(err, ErrStateFailed) {
		t.Fatalf("Apply after failure = %v, want sticky ErrStateFailed", err)
	}
	if s.Err() == nil {
		t.Error("Err() = nil after failure")
	}
	if _, err := s.Snapshot(); !errors.Is(err, ErrStateFailed) {
		t.Errorf("Snapshot of a failed state = %v", err)
	}
	if _, ok := s.Bucket("def"); ok {
		t.Error("view shows a bucket whose commit failed")
	}
	s.Close()
	s = openTest(t, dir)
	if s.LastApplied() != 1 || s.Err() != nil {
		t.Fatalf("reopened at %d, err %v; want 1, nil", s.LastApplied(), s.Err())
	}
	// Raft replays 2 and 3.
	for i, c := range []Command{mkCreate(t, "def"), mkCreate(t, "ghi")} {
		if err := s.Apply(uint64(i+2), c); err != nil {
			t.Fatal(err)
		}
	}
	if got := bucketNames(s.Buckets()); !reflect.DeepEqual(got, []string{"abc", "def", "ghi"}) {
		t.Errorf("after replay: %v", got)
	}
}

func TestClosedState(t *testing.T) {
	s := openTest(t, t.TempDir())
	if err := s.Apply(1, mkCreate(t, "abc")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Apply(2, mkCreate(t, "def")); !errors.Is(err, ErrClosed) {
		t.Errorf("Apply after Close = %v", err)
	}
	if _, ok := s.Bucket("abc"); !ok {
		t.Error("reads stop after Close")
	}
}

// Readers never block on, or race with, the applier (run with -race).
func TestConcurrentReads(t *testing.T) {
	s := openTest(t, t.TempDir())
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				bs := s.Buckets()
				for i := 1; i < len(bs); i++ {
					if bs[i-1].Name >= bs[i].Name {
						t.Error("Buckets() not sorted")
						return
					}
				}
				s.Bucket("b-00001")
				s.LastApplied()
			}
		}()
	}
	for i := range 300 {
		c := mkCreate(t, fmt.Sprintf("b-%05d", i/2))
		if i%2 == 1 {
			c = mkDelete(t, fmt.Sprintf("b-%05d", i/2))
		}
		if err := s.Apply(uint64(i+1), c); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

func TestSchemaVersionChecked(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(keySchema), []byte{99}) })
	s.Close()
	if s2, err := OpenState(dir, nil); err == nil {
		s2.Close()
		t.Fatal("OpenState accepted a DB of an unknown schema version")
	}
}
