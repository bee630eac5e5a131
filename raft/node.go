package raft

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	hraft "github.com/hashicorp/raft"

	"github.com/cairn-s3/cairn/meta"
)

// Peer is one member of the initial voter set.
type Peer struct {
	ID   string // Raft server ID, unique and stable across restarts
	Addr string // host:port of its Raft transport
}

// Config configures a Node.
type Config struct {
	// Dir holds the node's Raft data: raft.db (log and stable store) and
	// snapshots/. Required.
	Dir string
	// NodeID is this node's Raft server ID. Required.
	NodeID string
	// BindAddr is the TCP address of the Raft transport. Empty: an
	// in-memory transport, valid only for a single voter.
	BindAddr string
	// AdvertiseAddr is the address peers dial; empty means BindAddr's
	// listener address (which must then not be a wildcard).
	AdvertiseAddr string
	// Peers is the initial voter set, identical on every node and
	// including this node. Empty: a single voter, this node.
	Peers []Peer
	// Logger receives the node's and hashicorp/raft's logs; nil discards.
	Logger *slog.Logger
	// State is the state machine, opened by the caller and closed by the
	// caller after Node.Close. Required.
	State *meta.State

	// SnapshotThreshold is how many new entries trigger a snapshot
	// (default 8192); SnapshotInterval how often that is checked
	// (default 2 min); TrailingLogs how many entries a snapshot leaves in
	// the log for slow followers (default 10240).
	SnapshotThreshold uint64
	SnapshotInterval  time.Duration
	TrailingLogs      uint64
	// HeartbeatTimeout and ElectionTimeout default to 1 s with peers. A
	// single voter has nobody to wait for, so its defaults are 100 ms:
	// a restart then elects itself in a fraction of a second.
	HeartbeatTimeout time.Duration
	ElectionTimeout  time.Duration
}

// Errors of Node.
var (
	// ErrNotLeader: this node cannot accept writes; Leader tells who can.
	ErrNotLeader = errors.New("raft: not the leader")
	// ErrClosed: the node is shut down.
	ErrClosed = errors.New("raft: node closed")
)

// Node is one member of the control-plane Raft group, applying committed
// commands to a meta.State.
type Node struct {
	id     string
	log    *slog.Logger
	state  *meta.State
	raft   *hraft.Raft
	store  *Store
	trans  hraft.Transport
	closed chan struct{}

	closeOnce sync.Once
	closeErr  error
}

const snapshotsRetained = 2

// Open starts a node: it opens the stores, brings the state up to the latest
// snapshot if it is behind, starts Raft and, on first start, bootstraps the
// initial configuration. It does not wait for a leader (see WaitLeader).
func Open(cfg Config) (*Node, error) {
	if cfg.Dir == "" || cfg.NodeID == "" || cfg.State == nil {
		return nil, errors.New("raft: Config needs Dir, NodeID and State")
	}
	if len(cfg.Peers) > 0 && cfg.BindAddr == "" {
		return nil, errors.New("raft: a node with peers needs a BindAddr")
	}
	if len(cfg.Peers) > 0 && !hasPeer(cfg.Peers, cfg.NodeID) {
		return nil, fmt.Errorf("raft: Peers does not list this node %q", cfg.NodeID)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("node", cfg.NodeID)
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("raft: %w", err)
	}

	n := &Node{id: cfg.NodeID, log: logger, state: cfg.State, closed: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			n.closeResources()
		}
	}()

	var err error
	if n.store, err = OpenStore(filepath.Join(cfg.Dir, "raft.db"), logger.With("component", "raft-store")); err != nil {
		return nil, err
	}
	snaps, err := hraft.NewFileSnapshotStoreWithLogger(cfg.Dir, snapshotsRetained, newHCLog(logger, "raft.snapshot"))
	if err != nil {
		return nil, fmt.Errorf("raft: snapshot store: %w", err)
	}
	existing, err := hraft.HasExistingState(n.store, n.store, snaps)
	if err != nil {
		return nil, fmt.Errorf("raft: %w", err)
	}
	if !existing && cfg.State.LastApplied() > 0 {
		// Raft would replay a new log from index 1 and the state would
		// skip those entries as already applied: refuse instead.
		return nil, fmt.Errorf("raft: state is at index %d but the Raft log in %s is empty; the directories do not belong together", cfg.State.LastApplied(), cfg.Dir)
	}
	if err := catchUp(snaps, cfg.State, logger); err != nil {
		return nil, err
	}
	if n.trans, err = newTransport(cfg, logger); err != nil {
		return nil, err
	}

	rc := raftConfig(cfg, logger)
	if n.raft, err = hraft.NewRaft(rc, &fsm{state: cfg.State, log: logger}, n.store, n.store, snaps, n.trans); err != nil {
		return nil, fmt.Errorf("raft: start: %w", err)
	}
	if !existing {
		err := n.raft.BootstrapCluster(bootstrapConfig(cfg, n.trans)).Error()
		if err != nil && !errors.Is(err, hraft.ErrCantBootstrap) {
			return nil, fmt.Errorf("raft: bootstrap: %w", err)
		}
	}
	ok = true
	return n, nil
}

func hasPeer(peers []Peer, id string) bool {
	for _, p := range peers {
		if p.ID == id {
			return true
		}
	}
	return false
}

func raftConfig(cfg Config, logger *slog.Logger) *hraft.Config {
	rc := hraft.DefaultConfig()
	rc.LocalID = hraft.ServerID(cfg.NodeID)
	rc.Logger = newHCLog(logger, "raft")
	// The state machine is durable and idempotent: at start it is already
	// at or past the latest snapshot (catchUp made sure), so re-reading
	// the snapshot would only rewrite the same state.
	rc.NoSnapshotRestoreOnStart = true
	rc.BatchApplyCh = true
	if len(cfg.Peers) <= 1 {
		rc.HeartbeatTimeout = 100 * time.Millisecond
		rc.ElectionTimeout = 100 * time.Millisecond
		rc.LeaderLeaseTimeout = 100 * time.Millisecond
	}
	if cfg.HeartbeatTimeout > 0 {
		rc.HeartbeatTimeout = cfg.HeartbeatTimeout
		rc.LeaderLeaseTimeout = min(rc.LeaderLeaseTimeout, cfg.HeartbeatTimeout)
	}
	if cfg.ElectionTimeout > 0 {
		rc.ElectionTimeout = cfg.ElectionTimeout
	}
	rc.ElectionTimeout = max(rc.ElectionTimeout, rc.HeartbeatTimeout) // hraft requires it
	if cfg.SnapshotThreshold > 0 {
		rc.SnapshotThreshold = cfg.SnapshotThreshold
	}
	if cfg.SnapshotInterval > 0 {
		rc.SnapshotInterval = cfg.SnapshotInterval
	}
	if cfg.TrailingLogs > 0 {
		rc.TrailingLogs = cfg.TrailingLogs
	}
	return rc
}

// catchUp restores the latest snapshot into state if state is behind it
// (a fresh or lost state directory, an interrupted restore). Raft itself is
// told not to restore at start, because normally the state is already
// there.
func catchUp(snaps *hraft.FileSnapshotStore, state *meta.State, logger *slog.Logger) error {
	list, err := snaps.List()
	if err != nil {
		return fmt.Errorf("raft: list snapshots: %w", err)
	}
	if len(list) == 0 {
		if err := state.Err(); err != nil {
			return fmt.Errorf("raft: state needs a snapshot and none exists: %w", err)
		}
		return nil
	}
	latest := list[0] // newest first
	_, rc, err := snaps.Open(latest.ID)
	if err != nil {
		return fmt.Errorf("raft: open snapshot %s: %w", latest.ID, err)
	}
	at, err := meta.SnapshotIndex(rc)
	rc.Close()
	if err != nil {
		return fmt.Errorf("raft: snapshot %s: %w", latest.ID, err)
	}
	if state.LastApplied() >= at && state.Err() == nil {
		return nil
	}
	logger.Info("raft: restoring state from snapshot", "snapshot", latest.ID, "state-index", state.LastApplied(), "snapshot-index", at)
	if _, rc, err = snaps.Open(latest.ID); err != nil {
		return fmt.Errorf("raft: open snapshot %s: %w", latest.ID, err)
	}
	defer rc.Close()
	if err := state.Restore(rc); err != nil {
		return fmt.Errorf("raft: restore snapshot %s: %w", latest.ID, err)
	}
	return nil
}

func newTransport(cfg Config, logger *slog.Logger) (hraft.Transport, error) {
	if cfg.BindAddr == "" {
		// A single voter never sends an RPC; the in-memory transport
		// needs no port. The address is stable so the configuration
		// stored in the log stays true across restarts.
		_, t := hraft.NewInmemTransport(hraft.ServerAddress("inmem:" + cfg.NodeID))
		return t, nil
	}
	var adv net.Addr
	if cfg.AdvertiseAddr != "" {
		a, err := net.ResolveTCPAddr("tcp", cfg.AdvertiseAddr)
		if err != nil {
			return nil, fmt.Errorf("raft: advertise address: %w", err)
		}
		adv = a
	}
	t, err := hraft.NewTCPTransportWithLogger(cfg.BindAddr, adv, 3, 10*time.Second, newHCLog(logger, "raft.transport"))
	if err != nil {
		return nil, fmt.Errorf("raft: transport on %s: %w", cfg.BindAddr, err)
	}
	return t, nil
}

func bootstrapConfig(cfg Config, trans hraft.Transport) hraft.Configuration {
	if len(cfg.Peers) == 0 {
		return hraft.Configuration{Servers: []hraft.Server{{
			Suffrage: hraft.Voter,
			ID:       hraft.ServerID(cfg.NodeID),
			Address:  trans.LocalAddr(),
		}}}
	}
	var c hraft.Configuration
	for _, p := range cfg.Peers {
		c.Servers = append(c.Servers, hraft.Server{
			Suffrage: hraft.Voter,
			ID:       hraft.ServerID(p.ID),
			Address:  hraft.ServerAddress(p.Addr),
		})
	}
	return c
}

// Close shuts Raft down (waiting for the apply loop to stop), then closes
// the transport and the store. The State stays open: its owner closes it.
// Close is idempotent.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		close(n.closed)
		n.closeErr = n.closeResources()
	})
	return n.closeErr
}

func (n *Node) closeResources() error {
	var errs []error
	if n.raft != nil {
		if err := n.raft.Shutdown().Error(); err != nil {
			errs = append(errs, fmt.Errorf("raft: shutdown: %w", err))
		}
	}
	if c, ok := n.trans.(interface{ Close() error }); ok {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("raft: close transport: %w", err))
		}
	}
	if n.store != nil {
		if err := n.store.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
