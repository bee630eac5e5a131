package node

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/data/lifecycle"
	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/raft"
	"github.com/cairn-s3/cairn/s3api"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

// ShutdownGrace is how long a stopping node lets in-flight requests finish.
const ShutdownGrace = 60 * time.Second

// Node is one running Cairn process.
type Node struct {
	cfg   Config
	log   *slog.Logger
	store *data.Store
	state *meta.State
	raft  *raft.Node
	api   *s3api.Server
	// lifecycle applies bucket lifecycle rules in the background.
	lifecycle *lifecycle.Worker
	ln        net.Listener
	served    chan error
	// debug serves pprof when Config.DebugAddress is set; nil otherwise.
	debug *debugServer
}

// Run starts a node from cfg, serves until ctx is cancelled, then stops it
// gracefully. Operator-facing output (the generated root credentials) goes
// to stdout; logs go to stderr.
func Run(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	log, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	n, err := Start(cfg, log, stdout)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down: draining in-flight requests", "grace", ShutdownGrace)
	case err := <-n.served:
		log.Error("S3 server stopped unexpectedly", "err", err)
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	return n.Stop(stopCtx)
}

// Start opens everything cfg names and begins serving. cfg must have its
// defaults applied and be valid.
func Start(cfg Config, log *slog.Logger, stdout io.Writer) (_ *Node, err error) {
	n := &Node{cfg: cfg, log: log, served: make(chan error, 1)}
	defer func() {
		if err != nil {
			n.closeBelowAPI()
		}
	}()
	system := filepath.Join(cfg.DataDir, "system")
	if err := os.MkdirAll(system, 0o700); err != nil {
		return nil, fmt.Errorf("create system folder: %w", err)
	}
	root, err := loadRootCredentials(cfg, filepath.Join(system, "root.json"))
	if err != nil {
		return nil, err
	}
	if root.generated {
		fmt.Fprintf(stdout, "Root credentials (generated; shown once, kept in %s):\n  AccessKey: %s\n  SecretKey: %s\n",
			filepath.Join(system, "root.json"), root.AccessKey, root.SecretKey)
	}

	n.store, err = data.Open(cfg.Drives, data.LocalOptions{Logger: log.With("component", "data"), TrashGrace: cfg.TrashGrace}, data.Options{
		Parity:          cfg.Parity,
		InlineThreshold: cfg.InlineThreshold,
		Logger:          log.With("component", "data"),
	})
	if err != nil {
		return nil, fmt.Errorf("open drives: %w", err)
	}
	n.state, err = meta.OpenState(filepath.Join(system, "state"), log.With("component", "meta"))
	if err != nil {
		return nil, fmt.Errorf("open control-plane state: %w", err)
	}
	n.raft, err = raft.Open(raft.Config{
		Dir:    filepath.Join(system, "raft"),
		NodeID: "node1",
		Logger: log.With("component", "raft"),
		State:  n.state,
	})
	if err != nil {
		return nil, fmt.Errorf("start raft: %w", err)
	}
	waitCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.raft.WaitLeader(waitCtx); err != nil {
		return nil, fmt.Errorf("raft elected no leader: %w", err)
	}

	iamSvc, err := n.startIAM(cfg, root, system)
	if err != nil {
		return nil, err
	}
	// Loaded per request: a new Directory is published after every IAM change.
	dir := s3api.LiveDirectory(n.state.Directory)
	bks := buckets{state: n.state, raft: n.raft, store: n.store}
	verifier := sigv4.NewVerifier(dir)
	n.api = s3api.New(s3api.Config{Region: cfg.Region, HostID: "node1", Domain: cfg.Domain, DefaultObjectOwnership: cfg.DefaultObjectOwnership}, s3api.Deps{
		Buckets:    bks,
		Objects:    n.store,
		Verifier:   verifier,
		Authorizer: dir,
		IAM:        iamSvc,
		Health:     health{n},
		Logger:     log.With("component", "s3"),
	})
	n.lifecycle = lifecycle.NewWorker(bks, n.store, lifecycle.Options{
		DayLength: cfg.LifecycleDay, Interval: cfg.LifecycleInterval, Logger: log.With("component", "lifecycle"),
	})
	n.lifecycle.Start(context.Background())
	if cfg.DebugAddress != "" {
		if n.debug, err = startDebug(cfg.DebugAddress, log); err != nil {
			return nil, err
		}
	}
	if n.ln, err = listen(cfg); err != nil {
		return nil, err
	}
	go func() { n.served <- n.api.Serve(n.ln) }()
	log.Info("cairn serving S3", "address", n.ln.Addr().String(), "tls", cfg.TLSCert != "", "drives", len(cfg.Drives),
		"data_shards", len(cfg.Drives)-cfg.Parity, "parity_shards", cfg.Parity, "root_access_key", root.AccessKey)
	return n, nil
}

// startIAM configures the control plane's IAM view (root, account, limits,
// the key that seals secrets at rest) and makes sure an STS signing key
// exists. Raft must already lead.
func (n *Node) startIAM(cfg Config, root rootCredentials, system string) (*meta.IAMService, error) {
	key, err := loadMasterKey(cfg.MasterKey, filepath.Join(system, "master.key"))
	if err != nil {
		return nil, err
	}
	rootCred := iam.Credential{AccessKey: root.AccessKey, SecretKey: root.SecretKey,
		Identity: iam.NewRootCredentials(root.AccessKey, root.SecretKey).Root()}
	if err := n.state.SetIAMConfig(meta.IAMConfig{Account: cfg.AccountID, Root: rootCred, Limits: cfg.PolicyLimits, MasterKey: key}); err != nil {
		return nil, fmt.Errorf("configure IAM: %w", err)
	}
	svc := meta.NewIAMService(n.state, n.raft, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := svc.EnsureSTSKey(ctx); err != nil {
		return nil, fmt.Errorf("create STS signing key: %w", err)
	}
	return svc, nil
}

var _ s3api.IAM = (*meta.IAMService)(nil)

// listen opens the S3 port, with TLS when a certificate is configured.
func listen(cfg Config) (net.Listener, error) {
	var tlsConf *tls.Config
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("load TLS certificate: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Address, err)
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	return ln, nil
}

// Addr is the address the S3 server listens on.
func (n *Node) Addr() string { return n.ln.Addr().String() }

// DebugAddr is the address of the profiling endpoints, "" when disabled.
func (n *Node) DebugAddr() string {
	if n.debug == nil {
		return ""
	}
	return n.debug.Addr()
}

// Stop drains the S3 server, then closes Raft, the state and the drives.
func (n *Node) Stop(ctx context.Context) error {
	var errs []error
	if n.api != nil {
		if err := n.api.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("drain S3 server: %w", err))
		}
	}
	errs = append(errs, n.closeBelowAPI())
	if err := errors.Join(errs...); err != nil {
		return err
	}
	n.log.Info("stopped cleanly")
	return nil
}

// closeBelowAPI closes what Start opened before the S3 server, in reverse.
func (n *Node) closeBelowAPI() error {
	var errs []error
	if n.debug != nil {
		errs = append(errs, n.debug.Close())
	}
	if n.lifecycle != nil {
		n.lifecycle.Stop()
	}
	if n.raft != nil {
		errs = append(errs, n.raft.Close())
	}
	if n.state != nil {
		errs = append(errs, n.state.Close())
	}
	if n.store != nil {
		errs = append(errs, n.store.Close())
	}
	return errors.Join(errs...)
}

// buckets serves bucket reads from the control plane's memory and sends
// writes through Raft, returning once they are applied here.
type buckets struct {
	state *meta.State
	raft  *raft.Node
	store *data.Store
}

func (b buckets) Bucket(name string) (meta.Bucket, bool) { return b.state.Bucket(name) }
func (b buckets) Buckets() []meta.Bucket                 { return b.state.Buckets() }

func (b buckets) CreateBucket(ctx context.Context, bk meta.Bucket) error {
	cmd, err := meta.CreateBucketCommand(bk)
	if err != nil {
		return err
	}
	return b.raft.Apply(ctx, cmd)
}

// DeleteBucket removes the bucket, then the multipart uploads left in it,
// so a bucket created later under the same name does not inherit them.
func (b buckets) DeleteBucket(ctx context.Context, name string) error {
	cmd, err := meta.DeleteBucketCommand(name)
	if err != nil {
		return err
	}
	if err := b.raft.Apply(ctx, cmd); err != nil {
		return err
	}
	if _, err := b.store.AbortBucketUploads(ctx, name); err != nil {
		return fmt.Errorf("bucket %s deleted, but its multipart uploads were not all removed: %w", name, err)
	}
	return nil
}

func (b buckets) PutBucketVersioning(ctx context.Context, name, status string) error {
	cmd, err := meta.PutBucketVersioningCommand(name, status)
	if err != nil {
		return err
	}
	return b.raft.Apply(ctx, cmd)
}

func (b buckets) SetBucketConfig(ctx context.Context, name, kind, value string, del bool) error {
	cmd, err := meta.SetBucketConfigCommand(name, kind, value, del)
	if err != nil {
		return err
	}
	return b.raft.Apply(ctx, cmd)
}

// health answers the health endpoints: live while the process serves; ready
// when Raft has a leader and the drives hold a write quorum.
type health struct{ n *Node }

func (h health) Live() error { return nil }

func (h health) Ready() error {
	if !h.n.raft.HasLeader() {
		return errors.New("raft has no leader")
	}
	if err := h.n.raft.Err(); err != nil {
		return fmt.Errorf("control plane failed: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if hs := h.n.store.Health(ctx); !hs.Ready {
		return fmt.Errorf("%d of %d drives online, write quorum is %d", hs.Online, len(hs.Drives), hs.WriteQuorum)
	}
	return nil
}

func newLogger(cfg Config, w io.Writer) (*slog.Logger, error) {
	level, err := parseLevel(cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}
