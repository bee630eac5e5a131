package data

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Store. Zero values choose the defaults.
type Options struct {
	// Parity is the default number of parity shards m; zero picks by set
	// size: 2 for 4–5 drives, 3 for 6–7, 4 for 8 or more, n/2 below 4.
	Parity int
	// InlineThreshold: objects of at most this many bytes keep their shards
	// in the index records (no shard files). Zero means 128 KiB; negative
	// disables inlining except for empty objects.
	InlineThreshold int64
	// BlockSize is the erasure-coding block; zero means 1 MiB.
	BlockSize int64
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Now is the wall clock under the HLC; nil means time.Now.
	Now func() time.Time
	// HealQueue bounds heal-on-read requests waiting for the healer; zero
	// means 1024. Requests beyond it are dropped (the scanner finds them).
	HealQueue int
	// PurgeGrace is how old a version held by too few drives to be read
	// must be before healing deletes it as a failed write; younger ones may
	// be writes still committing. Zero means 15 minutes.
	PurgeGrace time.Duration
	// NoBackgroundHeal disables the HealAll pass started when a drive was
	// found fresh (tests use it to control when healing happens).
	NoBackgroundHeal bool
}

// DefaultInlineThreshold is the default Options.InlineThreshold.
const DefaultInlineThreshold = 128 << 10

// DefaultBlockSize is the default Options.BlockSize.
const DefaultBlockSize = 1 << 20

// DefaultParity returns the default parity for a set of n drives.
func DefaultParity(n int) int {
	switch {
	case n >= 8:
		return 4
	case n >= 6:
		return 3
	case n >= 4:
		return 2
	default:
		return n / 2
	}
}

// Store is one erasure set of drives serving objects. It implements the S3
// layer's Objects interface. It is safe for concurrent use.
type Store struct {
	drives     []Drive // by slot
	n          int
	parity     int
	inline     int64
	blockSize  int64
	log        *slog.Logger
	clock      *HLC
	codecs     codecs
	bufs       bufPool
	healer     *healer
	healLocks  keyLocks
	keyLocks   keyLocks      // serialize the commit step of writes to one key (conditional.go)
	listTurn   atomic.Uint64 // rotates the drives a listing starts with
	now        func() time.Time
	purgeGrace time.Duration

	bg     sync.WaitGroup
	cancel context.CancelFunc
	ctx    context.Context // background work; cancelled by Close
}

// NewStore serves objects from drives (in slot order, as OpenLocal returns
// them). The Store owns the drives: Close closes them. If a drive is Fresh
// a background HealAll refills it.
func NewStore(drives []Drive, opts Options) (*Store, error) {
	n := len(drives)
	if n == 0 {
		return nil, errors.New("data: no drives")
	}
	if n > 256 {
		return nil, fmt.Errorf("data: %d drives in one set, at most 256", n)
	}
	parity := opts.Parity
	if parity == 0 {
		parity = DefaultParity(n)
	}
	if parity < 0 || parity > n/2 {
		return nil, fmt.Errorf("%w: parity %d with %d drives (0..%d)", ErrInvalidParity, parity, n, n/2)
	}
	s := &Store{
		drives: drives, n: n, parity: parity,
		inline: opts.InlineThreshold, blockSize: opts.BlockSize,
		log: opts.Logger, clock: NewHLC(opts.Now), now: opts.Now, purgeGrace: opts.PurgeGrace,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.purgeGrace <= 0 {
		s.purgeGrace = 15 * time.Minute
	}
	if s.inline == 0 {
		s.inline = DefaultInlineThreshold
	}
	if s.blockSize <= 0 {
		s.blockSize = DefaultBlockSize
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	q := opts.HealQueue
	if q <= 0 {
		q = 1024
	}
	s.healer = newHealer(s, q)
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.healer.run(s.ctx)
	}()
	var fresh []string
	for _, d := range drives {
		if d.Info().Fresh {
			fresh = append(fresh, d.Info().Endpoint)
		}
	}
	if len(fresh) > 0 && !opts.NoBackgroundHeal {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			s.log.Info("refilling fresh drives", "drives", fresh)
			rep, err := s.HealAll(s.ctx)
			s.log.Info("refill done", "report", rep, "err", err)
		}()
	}
	return s, nil
}

// Open is OpenLocal followed by NewStore: the one call a node needs.
func Open(paths []string, lopts LocalOptions, opts Options) (*Store, error) {
	if lopts.Logger == nil {
		lopts.Logger = opts.Logger
	}
	drives, err := OpenLocal(paths, lopts)
	if err != nil {
		return nil, err
	}
	s, err := NewStore(drives, opts)
	if err != nil {
		for _, d := range drives {
			d.Close()
		}
		return nil, err
	}
	return s, nil
}

// Close stops background healing and closes the drives.
func (s *Store) Close() error {
	s.cancel()
	s.bg.Wait()
	var errs []error
	for _, d := range s.drives {
		if err := d.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Drives returns the set's drives in slot order.
func (s *Store) Drives() []Drive { return append([]Drive(nil), s.drives...) }

// quorums returns k and the write quorum for m parity shards of this set.
func (s *Store) quorums(m int) (k, writeQ int) {
	k = s.n - m
	writeQ = k
	if k == m {
		writeQ++
	}
	return k, writeQ
}

// readQuorum is how many drives must answer a metadata read so that it
// meets every write quorum of the default parity: n − writeQuorum + 1.
func (s *Store) readQuorum() int {
	_, wq := s.quorums(s.parity)
	return s.n - wq + 1
}

// DriveHealth is one drive's line in Health.
type DriveHealth struct {
	Endpoint string
	Slot     int
	Online   bool
	Error    string `json:",omitempty"`
	DriveStat
}

// Health reports which drives are usable against the write quorum.
type Health struct {
	Drives      []DriveHealth
	Online      int
	WriteQuorum int
	ReadQuorum  int
	// Ready is true when enough drives are online to accept writes.
	Ready bool
}

// Health checks every drive (in parallel, bounded by ctx).
func (s *Store) Health(ctx context.Context) Health {
	_, wq := s.quorums(s.parity)
	h := Health{Drives: make([]DriveHealth, s.n), WriteQuorum: wq, ReadQuorum: s.readQuorum()}
	s.each(func(i int, d Drive) {
		st, err := d.Stat(ctx)
		dh := DriveHealth{Endpoint: d.Info().Endpoint, Slot: i, Online: err == nil, DriveStat: st}
		if err != nil {
			dh.Error = err.Error()
		}
		h.Drives[i] = dh
	})
	for _, d := range h.Drives {
		if d.Online {
			h.Online++
		}
	}
	h.Ready = h.Online >= wq
	return h
}

// each runs fn for every drive in parallel and waits.
func (s *Store) each(fn func(slot int, d Drive)) {
	var wg sync.WaitGroup
	wg.Add(s.n)
	for i, d := range s.drives {
		go func() {
			defer wg.Done()
			fn(i, d)
		}()
	}
	wg.Wait()
}
