// Package meta holds Cairn's badger-backed stores. This package is the
// control-plane state machine — buckets and their configuration, and the
// IAM records (users, access keys, groups, managed policies, service
// accounts, roles, STS keys); ACLs and membership in later issues. The
// per-drive object index lives in meta/objindex.
//
// The package knows nothing of Raft. A State is fed commands with their log
// index (Apply/ApplyBatch) and can stream and reload its whole content
// (WriteSnapshot/Restore); the raft package adapts that to hashicorp/raft.
//
// # Commands
//
// A Command is an Op name plus JSON arguments, carried as versioned JSON
// ({"v":1,"op":...,"args":...}). Each op has a pure check (decode strictly,
// validate) and an applier that reads and stages writes through a tx; ops.go
// holds the table. A new command kind is a new file plus one table line.
// Command verdicts (ErrBucketExists, ErrNoSuchBucket, ErrInvalidBucketName,
// ErrInvalidArgument, ErrInvalidCommand) are values returned to the
// proposer: deterministic, identical on every replica, and a rejected
// command changes nothing but LastApplied.
//
// # IAM
//
// IAM mutations are ops like any other (ops_iam_*.go): appliers enforce
// existence, conflicts (AWS DeleteConflict), quotas (2 access keys per
// user, 100 service accounts per parent, 10 managed policies per entity)
// and service-account ownership, with the sentinels of iam_types.go.
// IAMService (iam_service*.go) is the proposer side: it validates input
// with the node's configured policy limits (the appliers only apply a hard
// 64 KiB bound, since node configuration is not replicated state), picks
// IDs, times and initial session generations, seals secrets and proposes.
// STS issuance proposes nothing: session tokens are sealed claims.
//
// Secrets never reach the log or the DB in plaintext: IAMService seals them
// with a SecretBox (AES-256-GCM under the node's master key, format in
// secret.go) before proposing, the pure checks refuse anything that is not
// a sealed secret, and secrets are opened only to build the in-memory
// iam.Directory. After every commit that touches IAM records, and at open,
// Restore and SetIAMConfig, the State rebuilds the Directory from its view
// and publishes it atomically (Directory()), before Apply returns. A
// secret that does not open (wrong master key) leaves its credential out
// and is reported by IAMErr; SetIAMConfig fails in that case so a node
// with the wrong key does not start.
//
// # On disk
//
// One badger DB per State (options tuned down in BadgerOptions; sync writes
// on). schema.go declares every key prefix and value encoding; every value
// begins with a version byte, and the DB carries a schema version checked
// at open. The snapshot stream format is documented in snapshot.go.
//
// # Invariants
//
//   - INVARIANT: the effects of the commands up to index N and the record
//     m/applied = N are written in the same badger transaction, so the DB
//     never holds effects without their index or the reverse.
//   - INVARIANT: Apply at an index <= LastApplied is a no-op, so Raft may
//     replay any suffix of its log after a restart.
//   - INVARIANT: the in-memory view changes only after the badger
//     transaction carrying the same change commits; reads never touch disk.
//   - Apply never reads the clock or any other local input: values like a
//     bucket's creation time are chosen by the proposer and carried in the
//     command. Likewise it never reads node configuration (root key, policy
//     limits, master key); the Directory, which does, is derived state.
//   - INVARIANT: IAM record values in the view are never modified in place
//     (appliers clone before changing), so published Directories may share
//     their slices and maps.
//   - A storage failure (not a command verdict) makes the state refuse every
//     later command (ErrStateFailed) until a successful Restore or a
//     restart; the log replay after a restart then repairs it. Snapshots
//     are refused meanwhile, so a stale DB is never published.
//   - Restore drops and rewrites the DB under an m/restoring marker; a DB
//     found with the marker opens with LastApplied 0 and refuses commands
//     until restored. A stream rejected at its header touches nothing.
//   - A Snapshot taken before a Restore can never be written after it
//     (its read transaction would see the dropped DB); Restore waits for
//     snapshot streams in progress.
package meta
