package raft

import (
	"errors"
	"io"
	"log/slog"

	hraft "github.com/hashicorp/raft"

	"github.com/cairn-s3/cairn/meta"
)

// fsm adapts meta.State to hashicorp/raft. It is deliberately thin: decode,
// hand to the state, return the verdict. All apply logic lives in meta.
//
// The response raft delivers to the proposer's ApplyFuture is the command's
// error (nil on success), unchanged, so errors.Is works on the proposer.
type fsm struct {
	state *meta.State
	log   *slog.Logger
}

var (
	_ hraft.FSM         = (*fsm)(nil)
	_ hraft.BatchingFSM = (*fsm)(nil)
)

// Apply applies one committed entry.
func (f *fsm) Apply(l *hraft.Log) any {
	return f.ApplyBatch([]*hraft.Log{l})[0]
}

// ApplyBatch applies committed entries in one state batch (one badger
// commit, one fsync). Entries other than commands (configuration changes)
// have no effect on the state and get a nil response.
func (f *fsm) ApplyBatch(logs []*hraft.Log) []any {
	out := make([]any, len(logs))
	entries := make([]meta.Entry, 0, len(logs))
	pos := make([]int, 0, len(logs))
	for i, l := range logs {
		if l.Type != hraft.LogCommand {
			continue
		}
		cmd, err := meta.UnmarshalCommand(l.Data)
		if err != nil {
			// Deterministic: every replica fails to decode the same bytes.
			out[i] = err
			continue
		}
		entries = append(entries, meta.Entry{Index: l.Index, Cmd: cmd})
		pos = append(pos, i)
	}
	if len(entries) == 0 {
		return out
	}
	for j, err := range f.state.ApplyBatch(entries) {
		if err == nil {
			continue
		}
		out[pos[j]] = err
		if errors.Is(err, meta.ErrStateFailed) {
			f.log.Error("raft: state machine cannot apply; restart the node", "index", entries[j].Index, "err", err)
		}
	}
	return out
}

// Snapshot captures the state; raft persists it off the apply goroutine.
func (f *fsm) Snapshot() (hraft.FSMSnapshot, error) {
	sn, err := f.state.Snapshot()
	if err != nil {
		return nil, err
	}
	return &fsmSnapshot{sn: sn}, nil
}

// Restore replaces the state with a snapshot.
func (f *fsm) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	return f.state.Restore(rc)
}

type fsmSnapshot struct{ sn *meta.Snapshot }

func (s *fsmSnapshot) Persist(sink hraft.SnapshotSink) error {
	if _, err := s.sn.WriteTo(sink); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}

func (s *fsmSnapshot) Release() { s.sn.Release() }
