package raft

import (
	"context"
	"errors"
	"fmt"
	"time"

	hraft "github.com/hashicorp/raft"

	"github.com/cairn-s3/cairn/meta"
)

// Apply proposes cmd and waits until this node has applied it. It returns
// the command's own verdict (nil, or an error wrapping meta.ErrBucketExists,
// meta.ErrNoSuchBucket...), ErrNotLeader if this node cannot accept writes,
// ErrClosed, or another Raft error.
//
// A command that fails Validate is rejected here without reaching the log.
// If ctx ends first, Apply returns ctx's error and the command may or may
// not still be applied: the caller must treat the outcome as unknown.
func (n *Node) Apply(ctx context.Context, cmd meta.Command) error {
	if err := cmd.Validate(); err != nil {
		return err
	}
	data, err := cmd.Marshal()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-n.closed:
		return ErrClosed
	default:
	}
	if n.raft.State() != hraft.Leader {
		return n.notLeader()
	}
	var timeout time.Duration // 0: wait as long as it takes to enqueue
	if dl, ok := ctx.Deadline(); ok {
		if timeout = time.Until(dl); timeout <= 0 {
			return context.DeadlineExceeded
		}
	}
	f := n.raft.Apply(data, timeout)
	// ApplyFuture has no channel; wait for it aside so ctx can win. The
	// goroutine ends when raft responds, at the latest at shutdown.
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		return fmt.Errorf("raft: %s outcome unknown: %w", cmd.Op, ctx.Err())
	}
	if err != nil {
		return n.mapError(cmd.Op, err)
	}
	if verdict, ok := f.Response().(error); ok {
		return verdict
	}
	return nil
}

func (n *Node) notLeader() error {
	addr, id := n.raft.LeaderWithID()
	if id == "" {
		return fmt.Errorf("%w (no leader known)", ErrNotLeader)
	}
	return fmt.Errorf("%w (leader %s at %s)", ErrNotLeader, id, addr)
}

func (n *Node) mapError(op meta.Op, err error) error {
	switch {
	case errors.Is(err, hraft.ErrNotLeader):
		return n.notLeader()
	case errors.Is(err, hraft.ErrRaftShutdown):
		return ErrClosed
	case errors.Is(err, hraft.ErrEnqueueTimeout):
		return fmt.Errorf("raft: %s: %w: %w", op, context.DeadlineExceeded, err)
	default:
		// ErrLeadershipLost lands here: the outcome is unknown.
		return fmt.Errorf("raft: %s: %w", op, err)
	}
}

// WaitLeader blocks until the group has a known leader, ctx ends, or the
// node closes.
func (n *Node) WaitLeader(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		if n.HasLeader() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("raft: waiting for a leader: %w", ctx.Err())
		case <-n.closed:
			return ErrClosed
		case <-t.C:
		}
	}
}

// HasLeader reports whether the group has a known leader. With Err, it is
// the node's readiness: a node with a leader and a healthy state can serve
// control-plane writes.
func (n *Node) HasLeader() bool {
	select {
	case <-n.closed:
		return false
	default:
	}
	_, id := n.raft.LeaderWithID()
	return id != ""
}

// IsLeader reports whether this node is the leader.
func (n *Node) IsLeader() bool { return n.raft.State() == hraft.Leader }

// Leader returns the leader's ID and transport address, or empty strings
// if none is known. Leader forwarding will dial it.
func (n *Node) Leader() (id, addr string) {
	a, i := n.raft.LeaderWithID()
	return string(i), string(a)
}

// Err returns the state machine's sticky failure (wrapping
// meta.ErrStateFailed), nil when healthy. A node with a failed state must
// restart; readiness checks should report it.
func (n *Node) Err() error { return n.state.Err() }

// Snapshot takes a snapshot now and compacts the log. Nothing new since the
// last snapshot is not an error.
func (n *Node) Snapshot() error {
	err := n.raft.Snapshot().Error()
	switch {
	case err == nil, errors.Is(err, hraft.ErrNothingNewToSnapshot):
		return nil
	case errors.Is(err, hraft.ErrRaftShutdown):
		return ErrClosed
	default:
		return fmt.Errorf("raft: snapshot: %w", err)
	}
}
