package meta

import "fmt"

// Entry is one command at its Raft log index.
type Entry struct {
	Index uint64
	Cmd   Command
}

// Apply applies cmd at index. It returns the command's own verdict (nil,
// or an error wrapping ErrBucketExists, ErrNoSuchBucket,
// ErrInvalidBucketName, ErrInvalidArgument, ErrInvalidCommand...), or an
// error wrapping ErrStateFailed/ErrClosed if the state could not record it.
//
// An index at or below LastApplied is a replay and a no-op returning nil:
// the original verdict was already delivered, and the state already holds
// its effect.
func (s *State) Apply(index uint64, cmd Command) error {
	return s.ApplyBatch([]Entry{{Index: index, Cmd: cmd}})[0]
}

// ApplyBatch applies entries in order, as if by successive Apply calls, and
// returns one verdict per entry. The writes of the whole batch and the new
// last-applied index go to badger in as few transactions as the size
// budget allows (usually one): one fsync for up to a Raft batch.
//
// Indexes must increase along the batch. A rejected command changes nothing
// but still advances LastApplied.
func (s *State) ApplyBatch(entries []Entry) []error {
	errs := make([]error, len(entries))
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	if err := s.writable(); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	budget := s.db.MaxBatchSize() / 2 // headroom for badger's per-entry overhead
	b := newDelta()
	b.applied = s.mu.applied
	first := 0 // first entry whose verdict depends on b committing
	for i, e := range entries {
		if e.Index <= b.applied {
			continue // replay: already applied
		}
		t := &tx{s: s, batch: b, cmd: newDelta()}
		if spec, ok := opTable[e.Cmd.Op]; !ok {
			errs[i] = fmt.Errorf("%w: unknown op %q", ErrInvalidCommand, e.Cmd.Op)
		} else {
			errs[i] = spec.run(t, e.Cmd.Args)
		}
		if errs[i] == nil && len(b.writes) > 0 && b.size+t.cmd.size > budget {
			// Commit what precedes this command, then start afresh: the
			// command's staged reads saw b, which the view now holds.
			if err := s.commit(b); err != nil {
				return s.failFrom(errs, first, err)
			}
			applied := b.applied
			b = newDelta()
			b.applied = applied
			first = i
		}
		if errs[i] == nil {
			b.merge(t.cmd)
		}
		b.applied = e.Index
	}
	if err := s.commit(b); err != nil {
		return s.failFrom(errs, first, err)
	}
	return errs
}

// writable reports why the state cannot apply, if it cannot.
func (s *State) writable() error {
	if s.closed {
		return ErrClosed
	}
	return s.mu.failed
}

// failFrom records a storage failure: the state is now behind the log, so
// it refuses every further command until restarted or restored. Entries
// from first on get the failure as their verdict.
func (s *State) failFrom(errs []error, first int, cause error) []error {
	failed := fmt.Errorf("%w: %w", ErrStateFailed, cause)
	s.log.Error("meta: state failed; restart required", "err", cause)
	s.mu.Lock()
	s.mu.failed = failed
	s.mu.Unlock()
	for i := first; i < len(errs); i++ {
		errs[i] = failed
	}
	return errs
}

// commit writes d and its last-applied index in one badger transaction,
// then publishes d to the view.
func (s *State) commit(d *delta) error {
	if d.applied == s.mu.applied && len(d.writes) == 0 {
		return nil
	}
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	for _, w := range d.writes {
		var err error
		if w.val == nil {
			err = txn.Delete(w.key)
		} else {
			err = txn.Set(w.key, w.val)
		}
		if err != nil {
			return fmt.Errorf("stage %q: %w", w.key, err)
		}
	}
	if err := txn.Set([]byte(keyApplied), encodeApplied(d.applied)); err != nil {
		return fmt.Errorf("stage applied index: %w", err)
	}
	if s.commitHook != nil {
		if err := s.commitHook(); err != nil {
			return err
		}
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("commit at index %d: %w", d.applied, err)
	}
	s.mu.Lock()
	for name, b := range d.buckets {
		if b == nil {
			delete(s.mu.buckets, name)
		} else {
			s.mu.buckets[name] = *b
		}
	}
	s.mu.iam.publish(&d.iam)
	s.mu.applied = d.applied
	s.mu.Unlock()
	if d.iam.touched() {
		// A Directory that cannot be fully built is logged and reported by
		// IAMErr; it is not a storage failure.
		_ = s.rebuildDirectory()
	}
	return nil
}

// delta is a set of staged changes: badger writes in order, plus the same
// changes decoded for the view and for reads by later commands.
type delta struct {
	writes  []kv
	size    int64
	applied uint64
	// buckets overlays the view; a nil entry is a deletion.
	buckets overlay[Bucket]
	// iam overlays the IAM records likewise.
	iam iamDelta
}

type kv struct{ key, val []byte } // val nil: delete

func newDelta() *delta { return &delta{buckets: overlay[Bucket]{}, iam: newIAMDelta()} }

func (d *delta) stage(key, val []byte) {
	d.writes = append(d.writes, kv{key, val})
	d.size += int64(len(key) + len(val) + 16)
}

// merge appends o's changes after d's.
func (d *delta) merge(o *delta) {
	d.writes = append(d.writes, o.writes...)
	d.size += o.size
	for k, v := range o.buckets {
		d.buckets[k] = v
	}
	d.iam.merge(&o.iam)
}

// overlay is a layer of staged changes to one kind; nil is a deletion.
type overlay[T any] map[string]*T

// lookup reads name through the layers (newest first), then base.
func lookup[T any](name string, base map[string]T, layers ...overlay[T]) (T, bool) {
	for _, l := range layers {
		if v, ok := l[name]; ok {
			if v == nil {
				var zero T
				return zero, false
			}
			return *v, true
		}
	}
	v, ok := base[name]
	return v, ok
}

// tx is one command's access to the state during apply: reads see the view
// plus everything staged before it in the batch plus its own writes;
// writes are staged in cmd and reach badger and the view only if the
// command succeeds and the batch commits.
type tx struct {
	s     *State
	batch *delta
	cmd   *delta
}

// bucket reads a bucket. The view is read without mu: tx runs under
// applyMu, and every writer of the view holds applyMu.
func (t *tx) bucket(name string) (Bucket, bool) {
	return lookup(name, t.s.mu.buckets, t.cmd.buckets, t.batch.buckets)
}

func (t *tx) putBucket(b Bucket) error {
	val, err := encodeBucket(b)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidArgument, err)
	}
	t.cmd.stage(bucketKey(b.Name), val)
	t.cmd.buckets[b.Name] = &b
	return nil
}

func (t *tx) deleteBucket(name string) error {
	t.cmd.stage(bucketKey(name), nil)
	t.cmd.buckets[name] = nil
	return nil
}
