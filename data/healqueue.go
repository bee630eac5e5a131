package data

import (
	"context"
	"sync"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// healer runs heal-on-read requests one at a time in the background.
type healer struct {
	s  *Store
	ch chan objindex.ObjectRef

	mu      sync.Mutex
	pending map[objindex.ObjectRef]bool // queued, not yet started; guarded by mu
	busy    int                         // queued or running; guarded by mu
	idle    *sync.Cond                  // signalled when busy drops to 0
}

func newHealer(s *Store, queue int) *healer {
	h := &healer{s: s, ch: make(chan objindex.ObjectRef, queue), pending: map[objindex.ObjectRef]bool{}}
	h.idle = sync.NewCond(&h.mu)
	return h
}

// enqueue asks for a heal of one key. Duplicates of a queued key are
// dropped, and so is everything when the queue is full: the HealAll
// scanner catches what the queue missed.
func (h *healer) enqueue(bucket, key string) {
	ref := objindex.ObjectRef{Bucket: bucket, Key: key}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pending[ref] {
		return
	}
	select {
	case h.ch <- ref:
		h.pending[ref] = true
		h.busy++
	default:
	}
}

func (h *healer) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ref := <-h.ch:
			h.mu.Lock()
			delete(h.pending, ref)
			h.mu.Unlock()
			rep, err := h.s.HealObject(ctx, ref.Bucket, ref.Key)
			if err != nil && ctx.Err() == nil {
				h.s.log.Warn("heal failed", "bucket", ref.Bucket, "key", ref.Key, "err", err)
			} else if rep.Shards > 0 || rep.Purged > 0 || rep.Meta > 0 {
				h.s.log.Info("healed", "bucket", ref.Bucket, "key", ref.Key, "shards", rep.Shards, "purged", rep.Purged, "meta", rep.Meta)
			}
			h.mu.Lock()
			h.busy--
			if h.busy == 0 {
				h.idle.Broadcast()
			}
			h.mu.Unlock()
		}
	}
}

// wait blocks until the queue is empty and nothing is being healed.
func (h *healer) wait() {
	h.mu.Lock()
	for h.busy > 0 {
		h.idle.Wait()
	}
	h.mu.Unlock()
}

// keyLocks is a set of per-key mutexes, created on demand and dropped when
// unused.
type keyLocks struct {
	mu sync.Mutex
	m  map[objindex.ObjectRef]*keyLock // guarded by mu
}

type keyLock struct {
	mu   sync.Mutex
	refs int // guarded by keyLocks.mu
}

// lock locks ref and returns the unlock function.
func (l *keyLocks) lock(ref objindex.ObjectRef) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[objindex.ObjectRef]*keyLock{}
	}
	kl := l.m[ref]
	if kl == nil {
		kl = &keyLock{}
		l.m[ref] = kl
	}
	kl.refs++
	l.mu.Unlock()
	kl.mu.Lock()
	return func() {
		kl.mu.Unlock()
		l.mu.Lock()
		if kl.refs--; kl.refs == 0 {
			delete(l.m, ref)
		}
		l.mu.Unlock()
	}
}
