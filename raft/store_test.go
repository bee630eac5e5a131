package raft

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	hraft "github.com/hashicorp/raft"
)

// logStableStore is what the conformance suite checks. It runs against
// hashicorp's InmemStore too, so the suite itself is known to encode
// hraft's expectations rather than ours.
type logStableStore interface {
	hraft.LogStore
	hraft.StableStore
}

type storeImpl struct {
	name string
	open func(t *testing.T) logStableStore
	// reopen returns the store as found after a restart, or nil if the
	// implementation is not durable.
	reopen func(t *testing.T, s logStableStore) logStableStore
}

func storeImpls() []storeImpl {
	return []storeImpl{
		{
			name: "badger",
			open: func(t *testing.T) logStableStore {
				s, err := OpenStore(t.TempDir(), nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			},
			reopen: func(t *testing.T, s logStableStore) logStableStore {
				dir := s.(*Store).db.Opts().Dir
				if err := s.(*Store).Close(); err != nil {
					t.Fatal(err)
				}
				s2, err := OpenStore(dir, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s2.Close() })
				return s2
			},
		},
		{
			name: "hraft-inmem",
			open: func(*testing.T) logStableStore { return hraft.NewInmemStore() },
		},
	}
}

func mkLog(i uint64) *hraft.Log {
	l := &hraft.Log{Index: i, Term: i/10 + 1, Type: hraft.LogCommand, Data: []byte(fmt.Sprintf("cmd-%d", i))}
	if i%3 == 0 {
		l.Extensions = []byte{byte(i), 0, 1}
	}
	if i%2 == 0 {
		l.AppendedAt = time.Unix(1700000000, int64(i)*1000)
	}
	if i%7 == 0 {
		l.Type = hraft.LogConfiguration
	}
	return l
}

func storeRange(t *testing.T, s hraft.LogStore, lo, hi uint64) {
	t.Helper()
	var logs []*hraft.Log
	for i := lo; i <= hi; i++ {
		logs = append(logs, mkLog(i))
	}
	if err := s.StoreLogs(logs); err != nil {
		t.Fatal(err)
	}
}

func wantBounds(t *testing.T, s hraft.LogStore, first, last uint64) {
	t.Helper()
	f, err := s.FirstIndex()
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.LastIndex()
	if err != nil {
		t.Fatal(err)
	}
	if f != first || l != last {
		t.Fatalf("FirstIndex, LastIndex = %d, %d; want %d, %d", f, l, first, last)
	}
}

func wantLog(t *testing.T, s hraft.LogStore, i uint64, present bool) {
	t.Helper()
	var got hraft.Log
	err := s.GetLog(i, &got)
	if !present {
		if !errors.Is(err, hraft.ErrLogNotFound) {
			t.Fatalf("GetLog(%d) = %v, want ErrLogNotFound", i, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("GetLog(%d): %v", i, err)
	}
	want := mkLog(i)
	if got.Index != want.Index || got.Term != want.Term || got.Type != want.Type ||
		!bytes.Equal(got.Data, want.Data) || !bytes.Equal(got.Extensions, want.Extensions) ||
		!got.AppendedAt.Equal(want.AppendedAt) {
		t.Fatalf("GetLog(%d) = %+v, want %+v", i, got, *want)
	}
}

func TestLogStoreConformance(t *testing.T) {
	steps := []struct {
		desc        string
		do          func(t *testing.T, s hraft.LogStore)
		first, last uint64
		present     []uint64
		absent      []uint64
	}{
		{"empty", func(*testing.T, hraft.LogStore) {}, 0, 0, nil, []uint64{0, 1, 2}},
		{"store one", func(t *testing.T, s hraft.LogStore) {
			if err := s.StoreLog(mkLog(1)); err != nil {
				t.Fatal(err)
			}
		}, 1, 1, []uint64{1}, []uint64{0, 2}},
		{"store batch", func(t *testing.T, s hraft.LogStore) { storeRange(t, s, 2, 300) }, 1, 300, []uint64{1, 2, 150, 300}, []uint64{301}},
		{"compact prefix", func(t *testing.T, s hraft.LogStore) { mustDelete(t, s, 1, 100) }, 101, 300, []uint64{101, 300}, []uint64{1, 50, 100}},
		{"truncate suffix", func(t *testing.T, s hraft.LogStore) { mustDelete(t, s, 251, 300) }, 101, 250, []uint64{250}, []uint64{251, 300}},
		{"overwrite after truncate", func(t *testing.T, s hraft.LogStore) { storeRange(t, s, 251, 260) }, 101, 260, []uint64{251, 260}, []uint64{261}},
		{"delete middle", func(t *testing.T, s hraft.LogStore) { mustDelete(t, s, 150, 160) }, 101, 260, []uint64{149, 161}, []uint64{150, 155, 160}},
		{"delete everything", func(t *testing.T, s hraft.LogStore) { mustDelete(t, s, 101, 260) }, 0, 0, nil, []uint64{101, 149, 260}},
		{"gap after restore", func(t *testing.T, s hraft.LogStore) { storeRange(t, s, 1000, 1010) }, 1000, 1010, []uint64{1000, 1010}, []uint64{999, 1011}},
	}
	for _, impl := range storeImpls() {
		t.Run(impl.name, func(t *testing.T) {
			s := impl.open(t)
			for _, st := range steps {
				st.do(t, s)
				check := func(s hraft.LogStore) {
					t.Helper()
					wantBounds(t, s, st.first, st.last)
					for _, i := range st.present {
						wantLog(t, s, i, true)
					}
					for _, i := range st.absent {
						wantLog(t, s, i, false)
					}
				}
				check(s)
				if impl.reopen != nil {
					s = impl.reopen(t, s)
					check(s)
				}
			}
		})
	}
}

func mustDelete(t *testing.T, s hraft.LogStore, lo, hi uint64) {
	t.Helper()
	if err := s.DeleteRange(lo, hi); err != nil {
		t.Fatal(err)
	}
}

// GetLog hands out copies: the caller may keep and mutate them.
func TestLogStoreNoAliasing(t *testing.T) {
	for _, impl := range storeImpls() {
		if impl.name == "hraft-inmem" {
			continue // InmemStore returns its own slices
		}
		t.Run(impl.name, func(t *testing.T) {
			s := impl.open(t)
			storeRange(t, s, 1, 3)
			var a hraft.Log
			if err := s.GetLog(3, &a); err != nil {
				t.Fatal(err)
			}
			a.Data[0] = 'X'
			a.Extensions[0] = 0xff
			wantLog(t, s, 3, true)
		})
	}
}

func TestStableStoreConformance(t *testing.T) {
	for _, impl := range storeImpls() {
		t.Run(impl.name, func(t *testing.T) {
			s := impl.open(t)
			// Missing keys: hraft accepts a nil/empty value with no error,
			// or an error whose text is exactly "not found".
			v, err := s.Get([]byte("CurrentTerm"))
			if err != nil && err.Error() != "not found" || len(v) != 0 {
				t.Fatalf("Get(missing) = %q, %v", v, err)
			}
			n, err := s.GetUint64([]byte("LastVoteTerm"))
			if err != nil && err.Error() != "not found" || n != 0 {
				t.Fatalf("GetUint64(missing) = %d, %v", n, err)
			}
			// hraft's own start-up check must accept the empty store.
			has, err := hraft.HasExistingState(s, s, hraft.NewInmemSnapshotStore())
			if err != nil || has {
				t.Fatalf("HasExistingState(empty) = %v, %v", has, err)
			}

			kv := map[string][]byte{"LastVoteCand": []byte("node-1"), "bin": {0, 1, 2, 0xff}}
			for k, v := range kv {
				if err := s.Set([]byte(k), v); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.SetUint64([]byte("CurrentTerm"), 42); err != nil {
				t.Fatal(err)
			}
			if err := s.SetUint64([]byte("CurrentTerm"), 43); err != nil {
				t.Fatal(err)
			}
			check := func(s logStableStore) {
				t.Helper()
				for k, want := range kv {
					got, err := s.Get([]byte(k))
					if err != nil || !reflect.DeepEqual(got, want) {
						t.Errorf("Get(%q) = %q, %v; want %q", k, got, err, want)
					}
				}
				if n, err := s.GetUint64([]byte("CurrentTerm")); err != nil || n != 43 {
					t.Errorf("GetUint64(CurrentTerm) = %d, %v; want 43", n, err)
				}
				if has, err := hraft.HasExistingState(s, s, hraft.NewInmemSnapshotStore()); err != nil || !has {
					t.Errorf("HasExistingState(with term) = %v, %v", has, err)
				}
			}
			check(s)
			if impl.reopen != nil {
				check(impl.reopen(t, s))
			}
		})
	}
}

func TestStoreMissingKeyText(t *testing.T) {
	s, err := OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Get([]byte("x")); err == nil || err.Error() != "not found" {
		t.Errorf("Get(missing) error = %v, want text %q", err, "not found")
	}
	if _, err := s.GetUint64([]byte("x")); err == nil || err.Error() != "not found" {
		t.Errorf("GetUint64(missing) error = %v, want text %q", err, "not found")
	}
}

func TestLogEncodingVersioned(t *testing.T) {
	l := mkLog(6)
	enc := encodeLog(l)
	if enc[0] != logV1 {
		t.Fatalf("encoding starts with %d, want version %d", enc[0], logV1)
	}
	var got hraft.Log
	if err := decodeLog(6, enc, &got); err != nil {
		t.Fatal(err)
	}
	bad := [][]byte{nil, {9, 0}, enc[:len(enc)-1], append(bytes.Clone(enc), 0)}
	for i, b := range bad {
		if err := decodeLog(6, b, &got); err == nil {
			t.Errorf("case %d: decodeLog accepted %x", i, b)
		}
	}
}
