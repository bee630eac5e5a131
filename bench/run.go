package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Config is one benchmark run.
type Config struct {
	Client ClientConfig
	Bucket string
	Prefix string // keys are Prefix + a name; include a trailing '/' for a folder
	Op     Op     // one operation, or OpMixed with Mix
	Mix    Mix
	Size   SizeDist
	// PartSize is the part size of OpMultipart.
	PartSize    int64
	Concurrency int
	// Duration bounds the measured phase; Ops bounds it by operation count
	// instead (both may be set: whichever ends first).
	Duration time.Duration
	Ops      int64
	// Warmup runs the workload for this long before measuring.
	Warmup time.Duration
	// Objects is how many objects are uploaded before a run that reads,
	// stats, deletes or lists them; negative picks a default (up to 1,000
	// and 1 GiB in all). For list, 0 lists what is already under Prefix.
	Objects int
	// Sequential names new keys in order (prefix + 10-digit counter) and
	// reads the object pool round robin; otherwise keys are random.
	Sequential bool
	// Keep leaves the objects (and a bucket the run created) in place.
	Keep bool
	// ListDelimiter and ListMaxKeys shape each ListObjectsV2 page.
	ListDelimiter string
	ListMaxKeys   int
	// Progress receives a live line about once a second; nil for none.
	Progress io.Writer
	// Log receives notes (preparation, cleanup); nil for none.
	Log io.Writer
}

func (c *Config) normalize() error {
	if c.Bucket == "" {
		return errors.New("no bucket")
	}
	if c.Concurrency < 1 {
		c.Concurrency = 1
	}
	if c.Duration <= 0 && c.Ops <= 0 {
		return errors.New("neither a duration nor an operation count")
	}
	if c.Op == OpMixed && len(c.Mix) == 0 {
		return errors.New("mixed run without a mix")
	}
	if c.Op != OpMixed {
		c.Mix = Mix{{Op: c.Op, Weight: 1}}
	}
	if c.PartSize <= 0 {
		c.PartSize = 5 << 20
	}
	if c.ListMaxKeys <= 0 {
		c.ListMaxKeys = 1000
	}
	if c.Objects < 0 {
		c.Objects = 0
		if c.Mix.Has(OpGet) || c.Mix.Has(OpStat) || c.Mix.Has(OpDelete) || c.Mix.Has(OpList) {
			mean := max(c.Size.Mean(), 1)
			c.Objects = int(min(1000, max(int64(c.Concurrency), (1<<30)/mean)))
		}
		if c.Op == OpDelete && c.Ops > int64(c.Objects) {
			c.Objects = int(c.Ops)
		}
	}
	return nil
}

// keyPool holds the keys that exist for reads and deletes. Its lock is taken
// per operation by get/stat/delete; that costs far less than the request.
//
// A key being read is not handed to a delete until the read is over
// (release), so a mixed run never counts a NoSuchKey of its own making.
type keyPool struct {
	mu      sync.Mutex
	keys    []string
	reading map[string]int // readers per key
}

func (p *keyPool) add(k string) {
	p.mu.Lock()
	p.keys = append(p.keys, k)
	p.mu.Unlock()
}

// pick returns a random key, or the n-th modulo the pool for round robin,
// to read; the caller releases it when the read is over.
func (p *keyPool) pick(r *mrand.Rand, seq int, sequential bool) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.keys) == 0 {
		return "", false
	}
	i := seq % len(p.keys)
	if !sequential {
		i = r.IntN(len(p.keys))
	}
	k := p.keys[i]
	if p.reading == nil {
		p.reading = map[string]int{}
	}
	p.reading[k]++
	return k, true
}

func (p *keyPool) release(k string) {
	p.mu.Lock()
	if p.reading[k]--; p.reading[k] <= 0 {
		delete(p.reading, k)
	}
	p.mu.Unlock()
}

// take removes and returns a key that nobody is reading (the oldest such
// when sequential). It reports false when none is free.
func (p *keyPool) take(r *mrand.Rand, sequential bool) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.keys)
	i := -1
	if sequential {
		for j := 0; j < n && i < 0; j++ {
			if p.reading[p.keys[j]] == 0 {
				i = j
			}
		}
	} else {
		for range 8 { // a few tries: readers hold few keys of many
			if j := r.IntN(max(n, 1)); n > 0 && p.reading[p.keys[j]] == 0 {
				i = j
				break
			}
		}
	}
	if i < 0 {
		return "", false
	}
	k := p.keys[i]
	switch {
	case sequential && i == 0:
		p.keys = p.keys[1:]
	case sequential:
		p.keys = append(p.keys[:i], p.keys[i+1:]...)
	default:
		p.keys[i] = p.keys[n-1]
		p.keys = p.keys[:n-1]
	}
	return k, true
}

// opStats is one worker's figures for one operation.
type opStats struct {
	lat, ttfb    *Histogram
	ops, bytes   int64
	items        int64 // keys listed
	errors       int64
	errorsByCode map[string]int64
}

func newOpStats(op Op) *opStats {
	s := &opStats{lat: NewHistogram(), errorsByCode: map[string]int64{}}
	if op == OpGet {
		s.ttfb = NewHistogram()
	}
	return s
}

func (s *opStats) merge(o *opStats) {
	s.lat.Merge(o.lat)
	if s.ttfb != nil {
		s.ttfb.Merge(o.ttfb)
	}
	s.ops += o.ops
	s.items += o.items
	s.bytes += o.bytes
	s.errors += o.errors
	for k, v := range o.errorsByCode {
		s.errorsByCode[k] += v
	}
}

// worker is one load-generating goroutine. Everything but the atomic
// progress counters is private to it until the run merges it.
type worker struct {
	r       *mrand.Rand
	conn    *Conn
	stats   map[Op]*opStats
	created []string
	seq     int
	token   string // list continuation
	items   int64  // keys listed by the current operation, moved into stats
	end     time.Time
	// Progress counters, read by the progress goroutine.
	doneOps, doneBytes, doneErrs atomic.Int64
}

// runState is what the workers share.
type runState struct {
	cfg          *Config
	data         Payload // random bytes; shared read-only
	pool         keyPool
	keySeq       atomic.Int64
	measureStart time.Time
	stop         atomic.Bool
	remaining    atomic.Int64 // measured operations left when cfg.Ops > 0
	exhausted    atomic.Bool  // a delete run ran out of objects
}

func (st *runState) newKey(w *worker) string {
	if st.cfg.Sequential {
		return fmt.Sprintf("%sobj%010d", st.cfg.Prefix, st.keySeq.Add(1))
	}
	var b [8]byte
	for i := range b {
		b[i] = byte(w.r.Uint32())
	}
	return st.cfg.Prefix + hex.EncodeToString(b[:])
}

// Run executes the benchmark described by cfg and returns its report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	client, err := NewClient(ClientConfig{Endpoint: cfg.Client.Endpoint, AccessKey: cfg.Client.AccessKey,
		SecretKey: cfg.Client.SecretKey, Region: cfg.Client.Region, Conns: cfg.Concurrency})
	if err != nil {
		return nil, err
	}
	defer client.Close()
	st := &runState{cfg: &cfg, data: make(Payload, min(max(cfg.Size.Max, 1), maxPayloadBuffer))}
	if _, err := rand.Read(st.data); err != nil {
		return nil, err
	}
	var seed [16]byte
	_, _ = rand.Read(seed[:])
	workers := make([]*worker, cfg.Concurrency)
	for i := range workers {
		workers[i] = &worker{
			r:     mrand.New(mrand.NewPCG(uint64(seed[0])<<56^uint64(i), uint64(seed[8])<<56^uint64(i)*7919)),
			conn:  client.NewConn(),
			stats: map[Op]*opStats{},
			seq:   i,
		}
	}
	started := time.Now()
	createdBucket, err := workers[0].conn.EnsureBucket(ctx, cfg.Bucket)
	if err != nil {
		return nil, err
	}
	defer func() {
		if !cfg.Keep {
			cleanup(&cfg, workers, createdBucket)
		}
	}()
	if cfg.Objects > 0 {
		logf(cfg.Log, "preparing %d objects of %s under %s/%s\n", cfg.Objects, cfg.Size, cfg.Bucket, cfg.Prefix)
		if err := prepare(ctx, st, workers); err != nil {
			return nil, fmt.Errorf("preparing objects: %w", err)
		}
	}
	st.measureStart = time.Now().Add(cfg.Warmup)
	st.remaining.Store(cfg.Ops)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Duration > 0 {
		t := time.AfterFunc(cfg.Warmup+cfg.Duration, func() { st.stop.Store(true) })
		defer t.Stop()
	}
	go func() { <-runCtx.Done(); st.stop.Store(true) }()
	progressDone := make(chan struct{})
	if cfg.Progress != nil {
		go progress(runCtx, st, workers, progressDone)
	} else {
		close(progressDone)
	}
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx, st)
		}()
	}
	wg.Wait()
	cancel()
	<-progressDone
	return buildReport(&cfg, st, workers, started), nil
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}

// prepare uploads cfg.Objects objects with all workers and adds them to the
// pool.
func prepare(ctx context.Context, st *runState, workers []*worker) error {
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(st.cfg.Objects) {
				key := fmt.Sprintf("%sobj%010d", st.cfg.Prefix, st.keySeq.Add(1))
				size := st.cfg.Size.Pick(w.r)
				if err := w.conn.Put(ctx, st.cfg.Bucket, key, st.data, size); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				w.created = append(w.created, key)
				st.pool.add(key)
			}
		}()
	}
	wg.Wait()
	return firstErr
}

func (w *worker) loop(ctx context.Context, st *runState) {
	total := st.cfg.Mix.Total()
	defer func() { w.end = time.Now() }()
	warming := true
	for !st.stop.Load() {
		start := time.Now()
		measured := !start.Before(st.measureStart)
		if measured && warming {
			// Signatures of the warm-up and preparation do not count.
			warming = false
			w.conn.signing = NewHistogram()
		}
		if measured && st.cfg.Ops > 0 && st.remaining.Add(-1) < 0 {
			st.stop.Store(true)
			return
		}
		op := st.cfg.Mix.Pick(w.r.IntN(total))
		n, ttfb, err, ok := w.exec(ctx, st, op, start)
		if !ok {
			return
		}
		lat := time.Since(start)
		if err != nil && ctx.Err() != nil {
			return // interrupted, not a server error
		}
		if !measured {
			w.items = 0
			continue
		}
		s := w.stats[op]
		if s == nil {
			s = newOpStats(op)
			w.stats[op] = s
		}
		if err != nil {
			s.errors++
			s.errorsByCode[ErrorCode(err)]++
			w.doneErrs.Add(1)
			continue
		}
		s.ops++
		s.bytes += n
		s.items += w.items
		w.items = 0
		s.lat.Record(lat)
		if s.ttfb != nil {
			s.ttfb.Record(ttfb)
		}
		w.doneOps.Add(1)
		w.doneBytes.Add(n)
	}
}

// exec runs one operation; ok is false when the worker must stop (a delete
// run out of objects).
func (w *worker) exec(ctx context.Context, st *runState, op Op, start time.Time) (n int64, ttfb time.Duration, err error, ok bool) {
	cfg := st.cfg
	w.seq++
	switch op {
	case OpGet, OpStat, OpDelete:
		var key string
		var found bool
		if op == OpDelete {
			key, found = st.pool.take(w.r, cfg.Sequential)
		} else {
			key, found = st.pool.pick(w.r, w.seq, cfg.Sequential)
		}
		if !found {
			if cfg.Op != OpMixed {
				st.exhausted.Store(true)
				st.stop.Store(true)
				return 0, 0, nil, false
			}
			op = OpPut // a mix with nothing left to read writes instead
			break
		}
		switch op {
		case OpGet:
			n, ttfb, err = w.conn.Get(ctx, cfg.Bucket, key, start)
			st.pool.release(key)
		case OpStat:
			err = w.conn.Stat(ctx, cfg.Bucket, key)
			st.pool.release(key)
		case OpDelete:
			err = w.conn.Delete(ctx, cfg.Bucket, key)
		}
		return n, ttfb, err, true
	case OpList:
		page, err := w.conn.List(ctx, cfg.Bucket, cfg.Prefix, cfg.ListDelimiter, w.token, cfg.ListMaxKeys)
		w.token = page.NextToken
		w.items += int64(page.Keys)
		return page.Bytes, 0, err, true
	}
	// put and multipart
	key := st.newKey(w)
	size := cfg.Size.Pick(w.r)
	if op == OpMultipart {
		err = w.conn.Multipart(ctx, cfg.Bucket, key, st.data, size, cfg.PartSize)
	} else {
		err = w.conn.Put(ctx, cfg.Bucket, key, st.data, size)
	}
	if err == nil || ctx.Err() == nil {
		// A failed put may still have landed; cleanup deletes it anyway.
		w.created = append(w.created, key)
	}
	if err == nil {
		st.pool.add(key)
	}
	return size, 0, err, true
}

// cleanup deletes every key the run created, with all workers, and the
// bucket if the run created it. It runs after an interrupt too, so it
// has a context of its own.
func cleanup(cfg *Config, workers []*worker, deleteBucket bool) {
	total := 0
	for _, w := range workers {
		total += len(w.created)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if total > 0 {
		logf(cfg.Log, "cleanup: deleting %d objects\n", total)
	}
	var failed atomic.Int64
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, k := range w.created {
				if err := w.conn.Delete(ctx, cfg.Bucket, k); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		logf(cfg.Log, "cleanup: %d deletes failed\n", f)
	}
	if deleteBucket {
		if err := workers[0].conn.DeleteBucket(ctx, cfg.Bucket); err != nil {
			logf(cfg.Log, "cleanup: bucket %s kept: %v\n", cfg.Bucket, err)
		}
	}
}

// progress writes a carriage-return line once a second until ctx ends.
func progress(ctx context.Context, st *runState, workers []*worker, done chan struct{}) {
	defer close(done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var lastOps, lastBytes int64
	last := time.Now()
	label := string(st.cfg.Op)
	for {
		select {
		case <-ctx.Done():
			fmt.Fprint(st.cfg.Progress, "\r\033[K")
			return
		case now := <-tick.C:
			var ops, bytes, errs int64
			for _, w := range workers {
				ops += w.doneOps.Load()
				bytes += w.doneBytes.Load()
				errs += w.doneErrs.Load()
			}
			dt := now.Sub(last).Seconds()
			if now.Before(st.measureStart) {
				fmt.Fprintf(st.cfg.Progress, "\r\033[K%s: warming up, %.0fs left", label, st.measureStart.Sub(now).Seconds())
			} else {
				fmt.Fprintf(st.cfg.Progress, "\r\033[K%s: %5.0fs  %10d ops  %9.1f ops/s  %9.2f MiB/s  %d errors",
					label, now.Sub(st.measureStart).Seconds(), ops, float64(ops-lastOps)/dt,
					float64(bytes-lastBytes)/dt/(1<<20), errs)
			}
			lastOps, lastBytes, last = ops, bytes, now
		}
	}
}
