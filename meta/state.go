package meta

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/dgraph-io/badger/v4"
)

// State is the control-plane state machine: a badger DB that is the
// durable truth, and an in-memory view that serves every read.
//
// Apply, ApplyBatch, Restore, Snapshot and Close are serialised by applyMu
// (Raft calls them from one goroutine anyway, except Snapshot). Reads take
// only mu.RLock and never touch disk.
type State struct {
	db  *badger.DB
	log *slog.Logger

	// applyMu serialises every writer of db and of mu's fields.
	applyMu sync.Mutex
	// Fields below are guarded by applyMu.
	closed bool
	// commitHook, when set (tests only), runs before each badger commit
	// and may fail it: the failpoint for "crash between staging and commit".
	commitHook func() error

	// restoreMu keeps Restore and snapshot streaming apart: a snapshot's
	// read transaction would see a half-dropped DB. Streams hold RLock;
	// Restore holds Lock (after applyMu) and bumps gen, which invalidates
	// every snapshot taken before it.
	restoreMu sync.RWMutex
	gen       uint64 // guarded by restoreMu

	// mu guards the view. Lock rules:
	//   - Writers hold applyMu, then mu.Lock, and only swap or update
	//     entries after the badger transaction holding the same change
	//     has committed.
	//   - Readers hold mu.RLock only.
	//   - Code holding applyMu may read mu's fields without mu, because
	//     every writer holds applyMu too.
	mu struct {
		sync.RWMutex
		view
		// failed is sticky: once set, every Apply returns it until a
		// Restore succeeds or the process restarts.
		failed error
	}

	// iamc is the compiled IAM Directory and its configuration
	// (iam_state.go); rebuilt under applyMu after every IAM change.
	iamc iamRuntime
}

// view is the in-memory copy of everything in the DB.
// INVARIANT: after each commit, view equals the decoded DB content and
// view.applied equals the DB's m/applied.
type view struct {
	buckets map[string]Bucket
	iam     iamView
	applied uint64
}

// OpenState opens (creating if needed) the state DB in dir and loads the
// view. logger receives badger's messages (nil discards them).
func OpenState(dir string, logger *slog.Logger) (*State, error) {
	if dir == "" {
		return nil, errors.New("meta: OpenState: empty directory")
	}
	db, err := badger.Open(BadgerOptions(dir, logger))
	if err != nil {
		return nil, fmt.Errorf("meta: open state DB %s: %w", dir, err)
	}
	s := &State{db: db, log: orDiscard(logger)}
	if err := s.checkSchema(); err != nil {
		db.Close()
		return nil, err
	}
	v, restoring, err := s.load()
	if err != nil {
		db.Close()
		return nil, err
	}
	if restoring {
		// A Restore was cut short: the DB is a mix of old and new state.
		// Serve nothing and accept no command until a Restore completes;
		// LastApplied 0 makes the Raft layer restore the latest snapshot.
		s.log.Warn("meta: state DB holds an interrupted restore; waiting for a snapshot restore", "dir", dir)
		s.mu.failed = fmt.Errorf("%w: interrupted restore", ErrStateFailed)
		v = view{buckets: map[string]Bucket{}, iam: newIAMView()}
	}
	s.mu.view = v
	if err := s.rebuildDirectory(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// checkSchema stamps a new DB with schemaVersion and refuses a DB written
// by another layout version.
func (s *State) checkSchema() error {
	return s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keySchema))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return txn.Set([]byte(keySchema), []byte{schemaVersion})
		}
		if err != nil {
			return fmt.Errorf("meta: read schema version: %w", err)
		}
		return item.Value(func(v []byte) error {
			if len(v) != 1 || v[0] != schemaVersion {
				return fmt.Errorf("meta: state DB schema %v, this release reads %d", v, schemaVersion)
			}
			return nil
		})
	})
}

// load decodes the whole DB into a fresh view. restoring reports a
// leftover m/restoring marker.
func (s *State) load() (v view, restoring bool, err error) {
	v.buckets = map[string]Bucket{}
	err = s.db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get([]byte(keyRestoring)); err == nil {
			restoring = true
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		item, err := txn.Get([]byte(keyApplied))
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
		case err != nil:
			return err
		default:
			if err := item.Value(func(b []byte) (err error) {
				v.applied, err = decodeApplied(b)
				return err
			}); err != nil {
				return err
			}
		}
		err = scanPrefix(txn, prefixBucket, func(key, val []byte) error {
			b, err := decodeBucket(val)
			if err != nil {
				return err
			}
			if name := string(key[len(prefixBucket):]); b.Name != name {
				return fmt.Errorf("meta: bucket record %q holds name %q", name, b.Name)
			}
			v.buckets[b.Name] = b
			return nil
		})
		if err != nil {
			return err
		}
		v.iam, err = loadIAM(txn)
		return err
	})
	if err != nil {
		return view{}, false, fmt.Errorf("meta: load state: %w", err)
	}
	return v, restoring, nil
}

// scanPrefix calls fn for every key under prefix, in key order. key and val
// are valid only during the call.
func scanPrefix(txn *badger.Txn, prefix string, fn func(key, val []byte) error) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = []byte(prefix)
	opts.PrefetchSize = 64
	it := txn.NewIterator(opts)
	defer it.Close() // before the txn is discarded: badger requires it
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		if err := item.Value(func(val []byte) error { return fn(item.Key(), val) }); err != nil {
			return err
		}
	}
	return nil
}

// Bucket returns the named bucket from memory.
func (s *State) Bucket(name string) (Bucket, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.mu.buckets[name]
	return b, ok
}

// Buckets returns every bucket, sorted by name.
func (s *State) Buckets() []Bucket {
	s.mu.RLock()
	out := make([]Bucket, 0, len(s.mu.buckets))
	for _, b := range s.mu.buckets {
		out = append(out, b)
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b Bucket) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// LastApplied returns the index of the last command applied (accepted or
// rejected). Entries at or below it are no-ops on replay.
func (s *State) LastApplied() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.mu.applied
}

// Err returns the sticky failure of the state, if any (it wraps
// ErrStateFailed). A ready check should treat non-nil as not ready.
func (s *State) Err() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.mu.failed
}

// Close closes the DB. Reads keep answering from memory; Apply, Snapshot
// and Restore fail with ErrClosed.
func (s *State) Close() error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("meta: close state DB: %w", err)
	}
	return nil
}
