package raft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
	hraft "github.com/hashicorp/raft"

	"github.com/cairn-s3/cairn/meta"
)

// ErrKeyNotFound is what Store's StableStore methods return for a missing
// key. hashicorp/raft compares the error's text with "not found" (see
// raft's api.go and raft.go), so the text must stay exactly that.
var ErrKeyNotFound = errors.New("not found")

// Store is hashicorp/raft's LogStore and StableStore on one badger DB.
//
// Concurrency: hashicorp/raft appends from its main goroutine and compacts
// (DeleteRange) from its snapshot goroutine, and reads from replication
// goroutines. Writers serialise on wmu so the cached first/last indexes
// always match the DB; readers use the atomics and badger's own
// isolation.
type Store struct {
	db *badger.DB

	wmu sync.Mutex // serialises StoreLogs, DeleteRange and Close
	// first and last cache FirstIndex/LastIndex (0, 0 when empty). Written
	// only under wmu, after the badger commit that makes them true.
	first, last atomic.Uint64
}

var (
	_ hraft.LogStore    = (*Store)(nil)
	_ hraft.StableStore = (*Store)(nil)
)

// OpenStore opens (creating if needed) the store in dir. logger receives
// badger's messages (nil discards them).
func OpenStore(dir string, logger *slog.Logger) (*Store, error) {
	db, err := badger.Open(meta.BadgerOptions(dir, logger))
	if err != nil {
		return nil, fmt.Errorf("raft: open store %s: %w", dir, err)
	}
	s := &Store{db: db}
	if err := s.checkSchema(); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.View(func(txn *badger.Txn) error {
		first, err := seekIndex(txn, 0, false)
		if err != nil {
			return err
		}
		last, err := seekIndex(txn, math.MaxUint64, true)
		s.first.Store(first)
		s.last.Store(last)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("raft: scan log: %w", err)
	}
	return s, nil
}

func (s *Store) checkSchema() error {
	return s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keySchema))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return txn.Set([]byte(keySchema), []byte{storeSchemaVersion})
		}
		if err != nil {
			return fmt.Errorf("raft: read store schema: %w", err)
		}
		return item.Value(func(v []byte) error {
			if len(v) != 1 || v[0] != storeSchemaVersion {
				return fmt.Errorf("raft: store schema %v, this release reads %d", v, storeSchemaVersion)
			}
			return nil
		})
	})
}

// seekIndex returns the index of the first log entry at or after from
// (reverse: at or before), or 0 if there is none.
func seekIndex(txn *badger.Txn, from uint64, reverse bool) (uint64, error) {
	opts := badger.IteratorOptions{Prefix: []byte(prefixLog), Reverse: reverse}
	it := txn.NewIterator(opts)
	defer it.Close()
	it.Seek(logKey(from))
	if !it.Valid() {
		return 0, nil
	}
	return logIndex(it.Item().Key()), nil
}

// Close closes the DB.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("raft: close store: %w", err)
	}
	return nil
}

// FirstIndex returns the first index written, 0 for an empty log.
func (s *Store) FirstIndex() (uint64, error) { return s.first.Load(), nil }

// LastIndex returns the last index written, 0 for an empty log.
func (s *Store) LastIndex() (uint64, error) { return s.last.Load(), nil }

// GetLog reads the entry at index into l, or returns hraft.ErrLogNotFound.
func (s *Store) GetLog(index uint64, l *hraft.Log) error {
	return s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(logKey(index))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return hraft.ErrLogNotFound
		}
		if err != nil {
			return fmt.Errorf("raft: get log %d: %w", index, err)
		}
		return item.Value(func(v []byte) error { return decodeLog(index, v, l) })
	})
}

// StoreLog stores one entry.
func (s *Store) StoreLog(l *hraft.Log) error { return s.StoreLogs([]*hraft.Log{l}) }

// StoreLogs stores entries durably (synced) before returning. Normally one
// transaction; a batch too big for one is split in order, so a crash keeps
// a prefix of it, which Raft tolerates like any unacknowledged append.
func (s *Store) StoreLogs(logs []*hraft.Log) error {
	if len(logs) == 0 {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	txn := s.db.NewTransaction(true)
	defer func() { txn.Discard() }()
	lo, hi := uint64(math.MaxUint64), uint64(0)
	publish := func() {
		if f := s.first.Load(); f == 0 || lo < f {
			s.first.Store(lo)
		}
		if hi > s.last.Load() {
			s.last.Store(hi)
		}
	}
	for _, l := range logs {
		key, val := logKey(l.Index), encodeLog(l)
		err := txn.Set(key, val)
		if errors.Is(err, badger.ErrTxnTooBig) {
			if err := txn.Commit(); err != nil {
				return fmt.Errorf("raft: store logs: %w", err)
			}
			publish()
			txn = s.db.NewTransaction(true)
			err = txn.Set(key, val)
		}
		if err != nil {
			return fmt.Errorf("raft: store log %d: %w", l.Index, err)
		}
		lo, hi = min(lo, l.Index), max(hi, l.Index)
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("raft: store logs: %w", err)
	}
	publish()
	return nil
}

// DeleteRange deletes the entries from lo to hi inclusive. Only existing
// keys are visited, so a wide range over a sparse log is cheap.
func (s *Store) DeleteRange(lo, hi uint64) error {
	if lo > hi {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var keys [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixLog)})
		defer it.Close()
		for it.Seek(logKey(lo)); it.Valid(); it.Next() {
			k := it.Item().KeyCopy(nil)
			if logIndex(k) > hi {
				break
			}
			keys = append(keys, k)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("raft: delete range %d-%d: %w", lo, hi, err)
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			return fmt.Errorf("raft: delete range %d-%d: %w", lo, hi, err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("raft: delete range %d-%d: %w", lo, hi, err)
	}
	// Recompute the bounds the deletion may have moved, seeking from the
	// edge of the deleted range so the tombstones are never scanned.
	return s.db.View(func(txn *badger.Txn) error {
		first, last := s.first.Load(), s.last.Load()
		var err error
		if lo <= first && hi < math.MaxUint64 {
			if first, err = seekIndex(txn, hi+1, false); err != nil {
				return err
			}
		} else if lo <= first {
			first = 0
		}
		if hi >= last && lo > 0 {
			if last, err = seekIndex(txn, lo-1, true); err != nil {
				return err
			}
		} else if hi >= last {
			last = 0
		}
		if first == 0 || last == 0 {
			first, last = 0, 0
		}
		s.first.Store(first)
		s.last.Store(last)
		return nil
	})
}

// Set stores a StableStore value.
func (s *Store) Set(key, val []byte) error {
	err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(stableKey(key), val) })
	if err != nil {
		return fmt.Errorf("raft: stable set %q: %w", key, err)
	}
	return nil
}

// Get returns a StableStore value, or ErrKeyNotFound ("not found").
func (s *Store) Get(key []byte) ([]byte, error) {
	var out []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(stableKey(key))
		if err != nil {
			return err
		}
		out, err = item.ValueCopy(nil)
		if out == nil {
			out = []byte{}
		}
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("raft: stable get %q: %w", key, err)
	}
	return out, nil
}

// SetUint64 stores a StableStore integer.
func (s *Store) SetUint64(key []byte, val uint64) error {
	return s.Set(key, binary.BigEndian.AppendUint64(nil, val))
}

// GetUint64 returns a StableStore integer, or 0 and ErrKeyNotFound.
func (s *Store) GetUint64(key []byte) (uint64, error) {
	v, err := s.Get(key)
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("raft: stable value %q is %d bytes, not a uint64", key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}
