package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// Buckets is the worker's view of the control plane: every bucket with its
// versioning status and configurations (meta.ConfigLifecycle holds the
// Encode'd configuration). Buckets must be safe for concurrent use.
type Buckets interface {
	Buckets() []meta.Bucket
}

// Objects is the part of the object layer the worker drives. data.Store
// satisfies it. Methods must be safe for concurrent use; listings must
// continue correctly from a marker whose version was deleted meanwhile.
type Objects interface {
	ListObjectVersions(ctx context.Context, bucket string, opts data.ListVersionsOptions) (data.ListVersionsResult, error)
	DeleteObject(ctx context.Context, bucket, key string, opts data.DeleteOptions) (data.ObjectInfo, error)
	ListMultipartUploads(ctx context.Context, bucket string, opts data.ListUploadsOptions) (data.ListUploadsResult, error)
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
}

// Options configure a Worker. Zero fields take their defaults.
type Options struct {
	// DayLength is the length of a lifecycle "day" (default 24h); tests
	// shorten it to run rules in seconds.
	DayLength time.Duration
	// Interval is the time between two scans (default DayLength/24, at
	// least min(1s, DayLength)).
	Interval time.Duration
	Logger   *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Stats count what one scan did.
type Stats struct {
	Buckets           int // buckets with a lifecycle configuration scanned
	Expired           int // current versions removed (unversioned bucket)
	MarkersAdded      int // current versions expired by a delete marker
	NoncurrentDeleted int
	MarkersRemoved    int
	UploadsAborted    int
	Skipped           int // due but protected by object lock or changed meanwhile
	Errors            int
}

func (s *Stats) add(o Stats) {
	s.Buckets += o.Buckets
	s.Expired += o.Expired
	s.MarkersAdded += o.MarkersAdded
	s.NoncurrentDeleted += o.NoncurrentDeleted
	s.MarkersRemoved += o.MarkersRemoved
	s.UploadsAborted += o.UploadsAborted
	s.Skipped += o.Skipped
	s.Errors += o.Errors
}

// errChanged refuses a delete whose version is not the one evaluated.
var errChanged = errors.New("lifecycle: version changed since it was evaluated")

// Worker applies the buckets' lifecycle configurations in the background.
type Worker struct {
	buckets Buckets
	objects Objects
	opts    Options
	log     *slog.Logger

	// mu guards cancel and done: set by Start, cleared by Stop.
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewWorker returns a stopped worker over buckets and objects.
func NewWorker(buckets Buckets, objects Objects, opts Options) *Worker {
	if opts.DayLength <= 0 {
		opts.DayLength = 24 * time.Hour
	}
	if opts.Interval <= 0 {
		opts.Interval = max(opts.DayLength/24, min(time.Second, opts.DayLength))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{buckets: buckets, objects: objects, opts: opts, log: log.With("component", "lifecycle")}
}

// Start runs a scan now and then every Interval until ctx ends or Stop is
// called. Starting a started worker does nothing.
func (w *Worker) Start(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	w.cancel, w.done = cancel, make(chan struct{})
	go w.loop(ctx, w.done)
}

// Stop ends the background scans and waits for the current one to return.
func (w *Worker) Stop() {
	w.mu.Lock()
	cancel, done := w.cancel, w.done
	w.cancel, w.done = nil, nil
	w.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

func (w *Worker) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(w.opts.Interval)
	defer t.Stop()
	for {
		st, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Warn("lifecycle scan failed", "err", err)
		}
		if st.Expired+st.MarkersAdded+st.NoncurrentDeleted+st.MarkersRemoved+st.UploadsAborted > 0 {
			w.log.Info("lifecycle scan", "buckets", st.Buckets, "expired", st.Expired,
				"markersAdded", st.MarkersAdded, "noncurrentDeleted", st.NoncurrentDeleted,
				"markersRemoved", st.MarkersRemoved, "uploadsAborted", st.UploadsAborted,
				"skipped", st.Skipped, "errors", st.Errors)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce scans every bucket with a lifecycle configuration once and
// applies the due actions. A failing bucket does not stop the scan of the
// others; the errors are joined.
func (w *Worker) RunOnce(ctx context.Context) (Stats, error) {
	var total Stats
	var errs []error
	for _, b := range w.buckets.Buckets() {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		raw, ok := b.Configs[meta.ConfigLifecycle]
		if !ok {
			continue
		}
		cfg, err := Decode(raw)
		if err != nil {
			// Stored configurations were validated by the API; a decode
			// failure is a bug or a newer encoding: leave the bucket alone.
			errs = append(errs, fmt.Errorf("bucket %s: %w", b.Name, err))
			total.Errors++
			continue
		}
		st, err := w.scanBucket(ctx, b, cfg)
		st.Buckets = 1
		total.add(st)
		if err != nil {
			errs = append(errs, fmt.Errorf("bucket %s: %w", b.Name, err))
		}
	}
	return total, errors.Join(errs...)
}
