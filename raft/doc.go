// Package raft runs Cairn's control plane on hashicorp/raft (imported as
// hraft): a badger-backed LogStore and StableStore (Store), a file snapshot
// store, a thin FSM that hands committed commands to meta.State, and Node,
// which starts, bootstraps and stops the group and applies commands with
// read-your-writes semantics on the proposing node.
//
// # On disk (Config.Dir)
//
//	raft.db/     badger DB: the Raft log and stable store (schema.go lists
//	             its keys and the versioned log-entry encoding)
//	snapshots/   hraft.FileSnapshotStore, 2 retained; each snapshot's body
//	             is meta's snapshot stream (versioned, checksummed)
//
// The state machine's own DB is elsewhere (meta.OpenState on the caller's
// directory); the node wiring keeps the pair together.
//
// # Choices
//
//   - Transport: TCP (hraft.NetworkTransport) when Config.BindAddr is set,
//     required with peers. A single voter without BindAddr uses hraft's
//     in-memory transport: it never sends an RPC, so it needs no port, and
//     its address ("inmem:<id>") is stable across restarts.
//   - Bootstrap: every node of a new group bootstraps the same
//     configuration (Config.Peers, or this node alone); a restart sees
//     existing state and skips it, and hraft.ErrCantBootstrap is ignored.
//   - Start-up: the state machine is durable and idempotent, so Raft is told
//     not to restore its snapshot at start (NoSnapshotRestoreOnStart).
//     Instead Open compares the state's LastApplied with the latest
//     snapshot's index and restores only when the state is behind (a new
//     or lost state directory, an interrupted restore). Raft then replays
//     the log after the snapshot; entries the state already holds are
//     no-ops.
//   - The FSM implements hraft.BatchingFSM: a Raft batch of commands is one
//     badger commit. The Store does not implement MonotonicLogStore: it
//     tolerates gaps (it answers FirstIndex/LastIndex from keys present).
//   - A single voter uses 100 ms heartbeat/election timeouts (it waits for
//     nobody); with peers, hashicorp's 1 s defaults. Both are settable.
//   - hashicorp's hclog output goes to the Config.Logger slog logger, level
//     for level, with a "logger" attribute naming the raft subsystem.
//   - Writes are accepted only on the leader (ErrNotLeader elsewhere);
//     forwarding to the leader is a later addition on top of Node.Leader.
//
// # Invariants
//
//   - INVARIANT: Store's cached FirstIndex/LastIndex equal the smallest and
//     largest log keys in the DB; they change only under the writer lock
//     after the badger commit that makes them true.
//   - INVARIANT: a missing StableStore key yields an error whose text is
//     exactly "not found" (ErrKeyNotFound): hashicorp/raft tests the text.
//   - INVARIANT: the state given to Open is at or past the latest
//     snapshot's index before Raft starts, and is never ahead of an empty
//     log (Open refuses a state with history next to an empty Raft dir).
//   - Node.Apply returns only after the entry is applied on this node, so
//     the caller reads its own write from meta.State immediately.
package raft
