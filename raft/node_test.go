package raft

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/meta"
)

// testNode is a Node with its own State, reopenable on the same dirs.
type testNode struct {
	t                  *testing.T
	raftDir, stateDir  string
	cfg                func(*Config)
	n                  *Node
	st                 *meta.State
	closedNode, closed bool
}

func newTestNode(t *testing.T, cfg func(*Config)) *testNode {
	tn := &testNode{t: t, raftDir: t.TempDir(), stateDir: t.TempDir(), cfg: cfg}
	tn.open()
	return tn
}

func (tn *testNode) open() {
	tn.t.Helper()
	st, err := meta.OpenState(tn.stateDir, nil)
	if err != nil {
		tn.t.Fatal(err)
	}
	c := Config{Dir: tn.raftDir, NodeID: "n1", State: st}
	if tn.cfg != nil {
		tn.cfg(&c)
	}
	n, err := Open(c)
	if err != nil {
		st.Close()
		tn.t.Fatal(err)
	}
	tn.n, tn.st = n, st
	tn.t.Cleanup(tn.close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.WaitLeader(ctx); err != nil {
		tn.t.Fatal(err)
	}
}

func (tn *testNode) close() {
	if tn.n == nil {
		return
	}
	if err := tn.n.Close(); err != nil {
		tn.t.Error(err)
	}
	if err := tn.st.Close(); err != nil {
		tn.t.Error(err)
	}
	tn.n, tn.st = nil, nil
}

func (tn *testNode) reopen() {
	tn.t.Helper()
	tn.close()
	tn.open()
}

// model is what the state must hold, maintained by the test.
type model map[string]string // bucket name → versioning

// workload drives n commands through the node: creates, deletes,
// versioning changes and deliberate duplicates, checking each verdict
// against the model.
func workload(t *testing.T, n *Node, m model, from, count int) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < from+count; i++ {
		name := fmt.Sprintf("bucket-%04d", i%997)
		_, exists := m[name]
		var cmd meta.Command
		var want error
		var err error
		switch {
		case i%50 == 0 && exists:
			cmd, err = meta.CreateBucketCommand(meta.Bucket{Name: name})
			want = meta.ErrBucketExists
		case i%13 == 0:
			cmd, err = meta.DeleteBucketCommand(name)
			if exists {
				delete(m, name)
			} else {
				want = meta.ErrNoSuchBucket
			}
		case exists && i%3 == 0:
			status := meta.VersioningEnabled
			if m[name] == meta.VersioningEnabled {
				status = meta.VersioningSuspended
			}
			cmd, err = meta.PutBucketVersioningCommand(name, status)
			m[name] = status
		case exists:
			cmd, err = meta.DeleteBucketCommand(name)
			delete(m, name)
		default:
			cmd, err = meta.CreateBucketCommand(meta.Bucket{Name: name, Owner: "o"})
			m[name] = ""
		}
		if err != nil {
			t.Fatal(err)
		}
		got := n.Apply(ctx, cmd)
		if want == nil && got != nil || want != nil && !errors.Is(got, want) {
			t.Fatalf("command %d (%s %s): %v, want %v", i, cmd.Op, name, got, want)
		}
	}
}

func checkModel(t *testing.T, st *meta.State, m model) {
	t.Helper()
	got := model{}
	for _, b := range st.Buckets() {
		got[b.Name] = b.Versioning
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("state holds %d buckets, model %d; first differences: %v", len(got), len(m), firstDiff(got, m))
	}
}

func firstDiff(got, want model) []string {
	var out []string
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			out = append(out, fmt.Sprintf("%s: got %q,%v want %q", k, g, ok, v))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			out = append(out, "extra "+k)
		}
	}
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

func TestNodeThousandsOfCommandsSurviveRestart(t *testing.T) {
	tn := newTestNode(t, nil)
	m := model{}
	workload(t, tn.n, m, 0, 3000)
	checkModel(t, tn.st, m) // read-your-writes: Apply returned after apply
	if err := tn.n.Snapshot(); err != nil {
		t.Fatal(err)
	}
	workload(t, tn.n, m, 3000, 500)
	applied := tn.st.LastApplied()
	want := tn.st.Buckets()

	tn.reopen()
	if got := tn.st.LastApplied(); got != applied {
		t.Errorf("LastApplied after restart = %d, want %d", got, applied)
	}
	if got := tn.st.Buckets(); !reflect.DeepEqual(got, want) {
		t.Errorf("buckets differ after restart (%d vs %d)", len(got), len(want))
	}
	checkModel(t, tn.st, m)
	// And the group keeps working from there.
	workload(t, tn.n, m, 3500, 100)
	checkModel(t, tn.st, m)
	if tn.st.LastApplied() <= applied {
		t.Errorf("LastApplied did not advance: %d", tn.st.LastApplied())
	}
	// A snapshot with nothing new is not an error.
	if err := tn.n.Snapshot(); err != nil {
		t.Fatal(err)
	}
	if err := tn.n.Snapshot(); err != nil {
		t.Errorf("second Snapshot: %v", err)
	}
}

// copyDir copies a closed badger directory.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		in, err := os.Open(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		out.Close()
	}
}

// barrier applies a marker command: once Apply returns, every earlier
// entry has been applied too.
func barrier(t *testing.T, n *Node, m model, name string) {
	t.Helper()
	cmd, err := meta.CreateBucketCommand(meta.Bucket{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Apply(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	m[name] = ""
}

// The state is rebuilt from snapshot + log replay whatever it lost: a
// state directory behind the log catches up by replay alone; an empty one
// by snapshot restore, then replay.
func TestNodeReplaysLogAfterSnapshot(t *testing.T) {
	tn := newTestNode(t, nil)
	m := model{}
	workload(t, tn.n, m, 0, 400)
	if err := tn.n.Snapshot(); err != nil {
		t.Fatal(err)
	}
	atSnapshot := tn.st.LastApplied()
	tn.close()
	stale := t.TempDir()
	copyDir(t, tn.stateDir, stale)
	tn.open()
	workload(t, tn.n, m, 400, 400)
	tn.close()

	cases := []struct {
		desc     string
		stateDir string
		wantFrom uint64 // LastApplied right after Open
	}{
		{"state at the snapshot", stale, atSnapshot},
		{"empty state", t.TempDir(), atSnapshot}, // restored from the snapshot
	}
	for i, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			tn.stateDir = tc.stateDir
			st, err := meta.OpenState(tc.stateDir, nil)
			if err != nil {
				t.Fatal(err)
			}
			n, err := Open(Config{Dir: tn.raftDir, NodeID: "n1", State: st})
			if err != nil {
				t.Fatal(err)
			}
			tn.n, tn.st = n, st
			defer tn.close()
			if got := st.LastApplied(); got < tc.wantFrom {
				t.Errorf("LastApplied right after Open = %d, want >= %d", got, tc.wantFrom)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := n.WaitLeader(ctx); err != nil {
				t.Fatal(err)
			}
			// The marker joins the shared log, so the model keeps it.
			barrier(t, n, m, fmt.Sprintf("marker-%d", i))
			checkModel(t, st, m)
		})
	}
}

// Without any snapshot, a fresh state replays the whole log.
func TestNodeFullReplayWithoutSnapshot(t *testing.T) {
	tn := newTestNode(t, nil)
	m := model{}
	workload(t, tn.n, m, 0, 300)
	tn.close()
	tn.stateDir = t.TempDir()
	tn.open()
	barrier(t, tn.n, m, "marker")
	checkModel(t, tn.st, m)
}

// A state with history next to an empty Raft directory is refused: Raft
// would replay a new log into it and the state would skip those entries.
func TestNodeRefusesForeignState(t *testing.T) {
	tn := newTestNode(t, nil)
	workload(t, tn.n, model{}, 0, 10)
	tn.close()
	st, err := meta.OpenState(tn.stateDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := Open(Config{Dir: t.TempDir(), NodeID: "n1", State: st}); err == nil {
		n.Close()
		t.Fatal("Open accepted a state with history and an empty Raft dir")
	}
}

func TestNodeApplyVerdicts(t *testing.T) {
	tn := newTestNode(t, nil)
	mk := func(c meta.Command, err error) meta.Command {
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	tests := []struct {
		desc       string
		ctx        context.Context
		cmd        meta.Command
		want       error
		logsEntry  bool // the command reaches the log (LastApplied moves)
		wantBucket bool
	}{
		{"create", bg, mk(meta.CreateBucketCommand(meta.Bucket{Name: "abc"})), nil, true, true},
		{"create duplicate", bg, mk(meta.CreateBucketCommand(meta.Bucket{Name: "abc"})), meta.ErrBucketExists, true, true},
		{"invalid name", bg, mk(meta.CreateBucketCommand(meta.Bucket{Name: "A_B"})), meta.ErrInvalidBucketName, false, true},
		{"bad versioning", bg, mk(meta.PutBucketVersioningCommand("abc", "On")), meta.ErrInvalidArgument, false, true},
		{"unknown op", bg, meta.Command{Op: "Frobnicate", Args: []byte(`{}`)}, meta.ErrInvalidCommand, false, true},
		{"canceled", canceled, mk(meta.DeleteBucketCommand("abc")), context.Canceled, false, true},
		{"delete", bg, mk(meta.DeleteBucketCommand("abc")), nil, true, false},
		{"delete missing", bg, mk(meta.DeleteBucketCommand("abc")), meta.ErrNoSuchBucket, true, false},
		{"versioning missing", bg, mk(meta.PutBucketVersioningCommand("abc", meta.VersioningEnabled)), meta.ErrNoSuchBucket, true, false},
	}
	for _, tc := range tests {
		before := tn.st.LastApplied()
		err := tn.n.Apply(tc.ctx, tc.cmd)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: Apply = %v, want %v", tc.desc, err, tc.want)
		}
		if moved := tn.st.LastApplied() > before; moved != tc.logsEntry {
			t.Errorf("%s: LastApplied %d → %d, reached log %v, want %v", tc.desc, before, tn.st.LastApplied(), moved, tc.logsEntry)
		}
		if _, ok := tn.st.Bucket("abc"); ok != tc.wantBucket {
			t.Errorf("%s: bucket exists %v, want %v", tc.desc, ok, tc.wantBucket)
		}
	}
	if !tn.n.HasLeader() || !tn.n.IsLeader() || tn.n.Err() != nil {
		t.Errorf("single voter: HasLeader %v IsLeader %v Err %v", tn.n.HasLeader(), tn.n.IsLeader(), tn.n.Err())
	}
	if id, _ := tn.n.Leader(); id != "n1" {
		t.Errorf("Leader() = %q, want n1", id)
	}
	n := tn.n
	tn.close()
	if n.HasLeader() {
		t.Error("HasLeader after Close")
	}
	if err := n.Apply(bg, mk(meta.CreateBucketCommand(meta.Bucket{Name: "late"}))); !errors.Is(err, ErrClosed) {
		t.Errorf("Apply after Close = %v, want ErrClosed", err)
	}
	if err := n.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// Concurrent proposers race for the same names: exactly one create of each
// wins, and raft batches reach the state as batches.
func TestNodeConcurrentApply(t *testing.T) {
	tn := newTestNode(t, nil)
	const workers, names = 6, 60
	wins := make([][]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range names {
				cmd, err := meta.CreateBucketCommand(meta.Bucket{Name: fmt.Sprintf("race-%03d", i)})
				if err != nil {
					t.Error(err)
					return
				}
				switch err := tn.n.Apply(context.Background(), cmd); {
				case err == nil:
					wins[w] = append(wins[w], i)
				case !errors.Is(err, meta.ErrBucketExists):
					t.Errorf("worker %d: %v", w, err)
				}
			}
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, ws := range wins {
		for _, i := range ws {
			count[i]++
		}
	}
	for i := range names {
		if count[i] != 1 {
			t.Errorf("race-%03d created %d times", i, count[i])
		}
	}
	if got := len(tn.st.Buckets()); got != names {
		t.Errorf("%d buckets, want %d", got, names)
	}
}

// Automatic snapshots compact the log; a restart after compaction still
// has everything.
func TestNodeAutoSnapshotCompacts(t *testing.T) {
	tn := newTestNode(t, func(c *Config) {
		c.SnapshotThreshold = 100
		c.SnapshotInterval = 20 * time.Millisecond
		c.TrailingLogs = 10
	})
	m := model{}
	workload(t, tn.n, m, 0, 600)
	deadline := time.Now().Add(10 * time.Second)
	for {
		first, _ := tn.n.store.FirstIndex()
		if first > 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log never compacted: FirstIndex %d", first)
		}
		time.Sleep(20 * time.Millisecond)
	}
	tn.reopen()
	checkModel(t, tn.st, m)
	// And a lost state directory comes back from snapshot + log.
	tn.close()
	tn.stateDir = t.TempDir()
	tn.open()
	barrier(t, tn.n, m, "marker")
	checkModel(t, tn.st, m)
}

func TestOpenRejectsBadConfig(t *testing.T) {
	st, err := meta.OpenState(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := t.TempDir()
	bad := []Config{
		{NodeID: "n1", State: st},
		{Dir: dir, State: st},
		{Dir: dir, NodeID: "n1"},
		{Dir: dir, NodeID: "n1", State: st, Peers: []Peer{{"n1", "127.0.0.1:1"}}},                          // peers without BindAddr
		{Dir: dir, NodeID: "n1", State: st, BindAddr: "127.0.0.1:0", Peers: []Peer{{"n2", "127.0.0.1:1"}}}, // self not a peer
	}
	for i, c := range bad {
		if n, err := Open(c); err == nil {
			n.Close()
			t.Errorf("case %d: Open accepted %+v", i, c)
		}
	}
	// Odd but valid timeouts are reconciled, not rejected.
	n, err := Open(Config{Dir: dir, NodeID: "n1", State: st, HeartbeatTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
}
