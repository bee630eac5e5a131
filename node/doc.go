// Package node wires one Cairn process together: it turns configuration
// (flags, CAIRN_* environment, defaults) into opened drives, the control
// plane and the S3 server, starts them in dependency order and stops them in
// reverse.
//
// Start order: logger → root credentials → drives and object store →
// control-plane state and Raft → S3 server. Stop order is the reverse, and
// the S3 server drains in-flight requests before anything below it closes,
// so an acknowledged write is never cut off by shutdown.
//
// On-disk layout under the data directory (default ./data):
//
//	drive1 … driveN   drive folders (unless --drives names others)
//	system/           control plane: raft/ (log, stable store, snapshots),
//	                  state/ (FSM badger DB) and root.json (generated root
//	                  credentials, mode 0600; absent when they come from env)
//
// Invariants: secrets (root secret, signatures) never reach a log record; the
// generated root secret is printed once, on the start that created it.
package node
