package md5lanes

import (
	"crypto/md5"
	"encoding"
	"encoding/binary"
	"hash"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

const (
	blockSize = 64
	lanes     = 16
	// minLanes is the fewest streams worth a 16-lane pass: with two, a
	// pass costs what two scalar blocks cost; a lone stream is hashed with
	// crypto/md5's assembly.
	minLanes = 2
	// chunk is the unit a Digest hands over; maxChunks of them may wait
	// per Digest, so a lane rarely runs dry while its writer reads on.
	chunk     = 128 << 10
	maxChunks = 3
	// idleExit is how long the hasher goroutine waits for work before it
	// ends; the next chunk starts a new one.
	idleExit = time.Second
	// The hasher is several times faster than uploads arrive, so left to
	// itself it would hash each chunk as it comes, mostly alone. It waits
	// up to gather for fill streams to have chunks, unless a writer is
	// waiting for the lanes (urgent).
	fill   = lanes / 2
	gather = 2 * time.Millisecond
)

// Lanes hashes the streams of many Digests on one goroutine, sixteen at a
// time. The zero value is not usable; see NewLanes.
type Lanes struct {
	mu      sync.Mutex
	queue   []*stream // streams with chunks and no lane
	running bool      // the hasher goroutine is alive
	queued  atomic.Int32
	// urgent counts Digests blocked on the lanes (all their chunks out,
	// or in Sum): the hasher stops gathering for them.
	urgent atomic.Int32
	wake   chan struct{}
	bufs   sync.Pool // *[]byte of cap chunk
}

// stream is one Digest as the hasher sees it: its state and its chunks in
// order. INVARIANT: a stream is in at most one place — the queue or one
// lane — while busy is set; only that owner hashes into state.
type stream struct {
	state *[4]uint32
	solo  hash.Hash // crypto/md5 for a stream hashed alone
	// back returns each hashed chunk's buffer to the Digest; its capacity
	// is maxChunks, so the hasher never blocks on it.
	back chan []byte

	mu     sync.Mutex
	chunks [][]byte // waiting, in order
	busy   bool     // queued or in a lane
}

// NewLanes returns lanes, or nil when this build or CPU has none; New on
// nil Lanes returns crypto/md5's hash.
func NewLanes() *Lanes {
	if !available() {
		return nil
	}
	return &Lanes{wake: make(chan struct{}, 1)}
}

// New returns an MD5 hash.Hash whose bytes are hashed on the lanes.
func (l *Lanes) New() hash.Hash {
	if l == nil {
		return md5.New()
	}
	d := &Digest{l: l}
	d.s = &stream{state: &d.state, solo: md5.New(), back: make(chan []byte, maxChunks)}
	d.Reset()
	return d
}

// push appends a chunk to s and queues s unless it is queued or hashing.
func (l *Lanes) push(s *stream, c []byte) {
	s.mu.Lock()
	s.chunks = append(s.chunks, c)
	idle := !s.busy
	s.busy = true
	s.mu.Unlock()
	if !idle {
		return
	}
	l.mu.Lock()
	l.queue = append(l.queue, s)
	l.queued.Store(int32(len(l.queue)))
	start := !l.running
	l.running = true
	l.mu.Unlock()
	if start {
		go l.hasher()
		return
	}
	l.poke()
}

// poke wakes the hasher if it waits.
func (l *Lanes) poke() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// take moves up to room queued streams out of the queue.
func (l *Lanes) take(room int) []*stream {
	if room <= 0 || l.queued.Load() == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	n := min(room, len(l.queue))
	got := append([]*stream(nil), l.queue[:n]...)
	l.queue = append(l.queue[:0], l.queue[n:]...)
	l.queued.Store(int32(len(l.queue)))
	return got
}

// next pops s's next chunk, or, when there is none, stores state into s
// and marks it idle.
func (s *stream) next(state [4]uint32) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.chunks) > 0 {
		c := s.chunks[0]
		s.chunks = s.chunks[1:]
		return c
	}
	*s.state = state
	s.busy = false
	return nil
}

// hasher runs streams until none has come for idleExit.
func (l *Lanes) hasher() {
	var ls laneSet
	timer := time.NewTimer(gather)
	defer timer.Stop()
	gathered := false
	for {
		for _, s := range l.take(lanes - ls.n) {
			ls.load(s)
		}
		if ls.n > 0 && ls.n < fill && !gathered && l.urgent.Load() == 0 {
			timer.Reset(gather)
			select {
			case <-l.wake:
			case <-timer.C:
				gathered = true
			}
			continue
		}
		gathered = false
		switch {
		case ls.n == 0:
			select {
			case <-l.wake:
			case <-time.After(idleExit):
				l.mu.Lock()
				if len(l.queue) == 0 {
					l.running = false
					l.mu.Unlock()
					return
				}
				l.mu.Unlock()
			}
		case ls.n < minLanes:
			ls.alone()
		default:
			ls.run(l)
		}
	}
}

// laneSet is the hasher's lanes: the streams in them, the chunk and
// position each is at, and the lanes' state words.
type laneSet struct {
	state  [4][lanes]uint32
	words  [lanes][lanes]uint32
	active [lanes]*stream
	data   [lanes][]byte
	pos    [lanes]int
	n      int
}

func (ls *laneSet) load(s *stream) {
	for i, a := range ls.active {
		if a != nil {
			continue
		}
		s.mu.Lock()
		c := s.chunks[0] // queued streams have a chunk
		s.chunks = s.chunks[1:]
		s.mu.Unlock()
		ls.active[i], ls.data[i], ls.pos[i] = s, c, 0
		for w := range 4 {
			ls.state[w][i] = s.state[w]
		}
		ls.n++
		return
	}
	panic("md5lanes: no free lane")
}

// advance is called when lane i finished its chunk: the chunk goes back
// and the lane moves on to the stream's next chunk or falls idle.
func (ls *laneSet) advance(i int) {
	s, done := ls.active[i], ls.data[i]
	c := s.next([4]uint32{ls.state[0][i], ls.state[1][i], ls.state[2][i], ls.state[3][i]})
	s.back <- done // after next: a Digest that got all chunks back sees the state
	if c != nil {
		ls.data[i], ls.pos[i] = c, 0
		return
	}
	ls.active[i], ls.data[i] = nil, nil
	ls.n--
}

// alone hashes the rest of the current chunk of the lanes' few streams
// with crypto/md5, then lets the hasher look for company again.
func (ls *laneSet) alone() {
	for i, s := range ls.active {
		if s == nil {
			continue
		}
		state := [4]uint32{ls.state[0][i], ls.state[1][i], ls.state[2][i], ls.state[3][i]}
		soloBlocks(s.solo, &state, ls.data[i][ls.pos[i]:])
		for w := range 4 {
			ls.state[w][i] = state[w]
		}
		ls.pos[i] = len(ls.data[i])
		ls.advance(i)
	}
}

// run hashes blocks on all lanes until fewer than minLanes streams are
// left and none is waiting, taking waiting streams into idle lanes.
func (ls *laneSet) run(l *Lanes) {
	for round := 0; ls.n > 0; round++ {
		if round%8 == 0 && ls.n < lanes {
			for _, s := range l.take(lanes - ls.n) {
				ls.load(s)
			}
		}
		if ls.n < minLanes {
			return
		}
		for i, s := range ls.active {
			if s == nil {
				continue // an idle lane hashes stale words into a state nobody reads
			}
			// Transpose lane i's words into words[w][i]. Only built for
			// amd64 (block16_simd.go), which is little-endian.
			m := (*[16]uint32)(unsafe.Pointer(&ls.data[i][ls.pos[i]]))
			w := &ls.words
			w[0][i], w[1][i], w[2][i], w[3][i] = m[0], m[1], m[2], m[3]
			w[4][i], w[5][i], w[6][i], w[7][i] = m[4], m[5], m[6], m[7]
			w[8][i], w[9][i], w[10][i], w[11][i] = m[8], m[9], m[10], m[11]
			w[12][i], w[13][i], w[14][i], w[15][i] = m[12], m[13], m[14], m[15]
		}
		block16(&ls.state, &ls.words)
		for i, s := range ls.active {
			if s == nil {
				continue
			}
			if ls.pos[i] += blockSize; ls.pos[i] == len(ls.data[i]) {
				ls.advance(i)
			}
		}
	}
}

// soloBlocks hashes whole blocks into state with crypto/md5's assembly:
// the state goes in and comes back out through crypto/md5's documented
// binary form ("md5\x01", four big-endian state words, the buffer, the
// length).
func soloBlocks(h hash.Hash, state *[4]uint32, p []byte) {
	const size = 4 + 16 + blockSize + 8
	var st [size]byte
	b := append(st[:0], "md5\x01"...)
	for _, w := range state {
		b = binary.BigEndian.AppendUint32(b, w)
	}
	if h.(encoding.BinaryUnmarshaler).UnmarshalBinary(st[:]) != nil {
		blockScalar(state, p)
		return
	}
	h.Write(p)
	out, err := h.(encoding.BinaryAppender).AppendBinary(st[:0])
	if err != nil || len(out) != size {
		panic("md5lanes: crypto/md5 state form changed") // TestScalarPaths guards this
	}
	for i := range state {
		state[i] = binary.BigEndian.Uint32(out[4+4*i:])
	}
}

func (l *Lanes) getBuf() []byte {
	if b, ok := l.bufs.Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, chunk)
}

func (l *Lanes) putBuf(b []byte) {
	if cap(b) == chunk {
		b = b[:0]
		l.bufs.Put(&b)
	}
}
