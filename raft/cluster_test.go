package raft

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/meta"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Three voters over TCP bootstrap the same configuration, elect one leader,
// refuse writes on followers and replicate the leader's writes.
func TestClusterTCP(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node")
	}
	const size = 3
	var peers []Peer
	for i := range size {
		peers = append(peers, Peer{ID: fmt.Sprintf("n%d", i+1), Addr: freeAddr(t)})
	}
	nodes := make([]*Node, size)
	states := make([]*meta.State, size)
	for i, p := range peers {
		st, err := meta.OpenState(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		n, err := Open(Config{
			Dir: t.TempDir(), NodeID: p.ID, BindAddr: p.Addr, Peers: peers, State: st,
			HeartbeatTimeout: 200 * time.Millisecond, ElectionTimeout: 200 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		nodes[i], states[i] = n, st
		t.Cleanup(func() { n.Close(); st.Close() })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, n := range nodes {
		if err := n.WaitLeader(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Wait until one node knows it leads (others may learn first).
	leader := -1
	for leader < 0 {
		for i, n := range nodes {
			if n.IsLeader() {
				leader = i
			}
		}
		if ctx.Err() != nil {
			t.Fatal("no node became leader")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := range 20 {
		cmd, _ := meta.CreateBucketCommand(meta.Bucket{Name: fmt.Sprintf("bucket-%02d", i)})
		if err := nodes[leader].Apply(ctx, cmd); err != nil {
			t.Fatalf("leader apply: %v", err)
		}
	}
	if got := len(states[leader].Buckets()); got != 20 {
		t.Fatalf("leader state holds %d buckets right after Apply, want 20", got)
	}
	follower := (leader + 1) % size
	cmd, _ := meta.CreateBucketCommand(meta.Bucket{Name: "on-follower"})
	if err := nodes[follower].Apply(ctx, cmd); !errors.Is(err, ErrNotLeader) {
		t.Errorf("follower Apply = %v, want ErrNotLeader", err)
	}
	if id, _ := nodes[follower].Leader(); id != peers[leader].ID {
		t.Errorf("follower sees leader %q, want %q", id, peers[leader].ID)
	}
	for i, st := range states {
		for len(st.Buckets()) != 20 {
			if ctx.Err() != nil {
				t.Fatalf("node %d holds %d buckets, want 20", i, len(st.Buckets()))
			}
			time.Sleep(10 * time.Millisecond)
		}
		if st.LastApplied() == 0 {
			t.Errorf("node %d LastApplied 0", i)
		}
	}
}
