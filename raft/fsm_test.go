package raft

import (
	"bytes"
	"errors"
	"log/slog"
	"testing"

	hraft "github.com/hashicorp/raft"

	"github.com/cairn-s3/cairn/meta"
)

type memSink struct {
	bytes.Buffer
	canceled, closed bool
}

func (m *memSink) ID() string    { return "mem" }
func (m *memSink) Cancel() error { m.canceled = true; return nil }
func (m *memSink) Close() error  { m.closed = true; return nil }

func TestFSMAdapter(t *testing.T) {
	st, err := meta.OpenState(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := &fsm{state: st, log: slog.New(slog.DiscardHandler)}
	enc := func(c meta.Command, err error) []byte {
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	logs := []*hraft.Log{
		{Index: 1, Type: hraft.LogConfiguration, Data: []byte("not a command")},
		{Index: 2, Type: hraft.LogCommand, Data: enc(meta.CreateBucketCommand(meta.Bucket{Name: "abc"}))},
		{Index: 3, Type: hraft.LogCommand, Data: []byte("garbage")},
		{Index: 4, Type: hraft.LogCommand, Data: enc(meta.CreateBucketCommand(meta.Bucket{Name: "abc"}))},
		{Index: 5, Type: hraft.LogNoop},
		{Index: 6, Type: hraft.LogCommand, Data: enc(meta.PutBucketVersioningCommand("abc", meta.VersioningEnabled))},
	}
	want := []error{nil, nil, meta.ErrInvalidCommand, meta.ErrBucketExists, nil, nil}
	got := f.ApplyBatch(logs)
	if len(got) != len(logs) {
		t.Fatalf("%d responses for %d logs", len(got), len(logs))
	}
	for i, w := range want {
		err, _ := got[i].(error)
		if w == nil && got[i] != nil || w != nil && !errors.Is(err, w) {
			t.Errorf("log %d: response %v, want %v", logs[i].Index, got[i], w)
		}
	}
	if st.LastApplied() != 6 {
		t.Errorf("LastApplied = %d, want 6", st.LastApplied())
	}
	// The single-entry path goes through the same code.
	if r := f.Apply(&hraft.Log{Index: 7, Type: hraft.LogCommand, Data: enc(meta.DeleteBucketCommand("abc"))}); r != nil {
		t.Errorf("Apply: %v", r)
	}

	// Snapshot → Persist → Restore round trip through the adapter.
	snap, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var sink memSink
	if err := snap.Persist(&sink); err != nil || !sink.closed || sink.canceled {
		t.Fatalf("Persist: %v closed %v canceled %v", err, sink.closed, sink.canceled)
	}
	snap.Release()
	st2, err := meta.OpenState(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	f2 := &fsm{state: st2, log: slog.New(slog.DiscardHandler)}
	if err := f2.Restore(readCloser{bytes.NewReader(sink.Bytes())}); err != nil {
		t.Fatal(err)
	}
	if st2.LastApplied() != 7 || len(st2.Buckets()) != 0 {
		t.Errorf("restored: applied %d, %d buckets", st2.LastApplied(), len(st2.Buckets()))
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
