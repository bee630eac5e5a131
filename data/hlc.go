package data

import (
	"sync"
	"time"
)

// HLC is a hybrid logical clock: Unix nanoseconds from the wall clock, made
// strictly increasing on this node, and pushed forward by times observed
// from elsewhere so a node never stamps a write older than one it has seen.
// Newest-wins between concurrent writers relies on it.
type HLC struct {
	now func() time.Time
	mu  sync.Mutex
	// last is the greatest time issued or observed (guarded by mu).
	last int64
}

// NewHLC returns a clock over now (time.Now when nil).
func NewHLC(now func() time.Time) *HLC {
	if now == nil {
		now = time.Now
	}
	return &HLC{now: now}
}

// Now returns a time greater than every earlier Now or Observe.
func (c *HLC) Now() int64 {
	t := c.now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	if t <= c.last {
		t = c.last + 1
	}
	c.last = t
	return t
}

// Observe moves the clock past ts (a time read from a record or a peer).
func (c *HLC) Observe(ts int64) {
	c.mu.Lock()
	if ts > c.last {
		c.last = ts
	}
	c.mu.Unlock()
}

func timeFromHLC(ts int64) time.Time { return time.Unix(0, ts).UTC() }
