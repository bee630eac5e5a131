package meta

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// This file is the schema of the control-plane badger DB: every key prefix
// is declared here once, with the encoding of its values. Every value
// starts with a version byte so that a later release can migrate records
// in place; a reader refuses versions it does not know rather than guess.
//
// Layout:
//
//	m/schema     schema version of the whole DB (one byte)
//	m/applied    last applied Raft index: version byte + uint64 big-endian
//	m/restoring  present only while Restore is rewriting the DB
//	b/<name>     a Bucket: version byte + JSON
//	iu/<name>    an iam.User: version byte + JSON
//	ik/<id>      an access key (secret sealed): version byte + JSON
//	ig/<name>    an iam.Group: version byte + JSON
//	ip/<name>    an iam.ManagedPolicy (builtins are not stored): version byte + JSON
//	is/<key>     a service account (secret sealed): version byte + JSON
//	ir/<name>    an iam.Role: version byte + JSON
//	it/<id>      an STS signing key (key sealed): version byte + JSON
//
// IAM record types and their sealing are in iam_store.go and secret.go.
//
// Later kinds (ACLs, bucket policies, node membership) each get a prefix
// here, a map in view, and an entry in dataPrefixes. Session revocation
// needs no record of its own: it is the SessionGeneration of a user or role.

// schemaVersion is the version of the DB layout as a whole. A DB written by
// a newer layout is refused at open.
const schemaVersion = 1

// Meta keys: bookkeeping that is not replicated state and therefore not
// part of a snapshot's records.
const (
	keySchema    = "m/schema"
	keyApplied   = "m/applied"
	keyRestoring = "m/restoring"
)

// Data prefixes: replicated state, streamed by snapshots.
const (
	prefixBucket = "b/"

	prefixIAMUser           = "iu/"
	prefixIAMAccessKey      = "ik/"
	prefixIAMGroup          = "ig/"
	prefixIAMPolicy         = "ip/"
	prefixIAMServiceAccount = "is/"
	prefixIAMRole           = "ir/"
	prefixIAMSTSKey         = "it/"
)

// dataPrefixes lists every prefix whose records belong in a snapshot.
// INVARIANT: every data prefix declared above is listed here, or snapshots
// silently drop that kind.
func dataPrefixes() []string {
	return []string{
		prefixBucket,
		prefixIAMUser, prefixIAMAccessKey, prefixIAMGroup, prefixIAMPolicy,
		prefixIAMServiceAccount, prefixIAMRole, prefixIAMSTSKey,
	}
}

// isDataKey reports whether key belongs to a declared data prefix.
func isDataKey(key []byte) bool {
	for _, p := range dataPrefixes() {
		if len(key) > len(p) && string(key[:len(p)]) == p {
			return true
		}
	}
	return false
}

// Value encoding versions.
const (
	appliedV1 = 1
	bucketV1  = 1
	// iamRecordV1 is the encoding of every IAM record kind.
	iamRecordV1 = 1
)

func bucketKey(name string) []byte { return []byte(prefixBucket + name) }

func encodeApplied(index uint64) []byte {
	b := make([]byte, 9)
	b[0] = appliedV1
	binary.BigEndian.PutUint64(b[1:], index)
	return b
}

func decodeApplied(v []byte) (uint64, error) {
	if len(v) != 9 || v[0] != appliedV1 {
		return 0, fmt.Errorf("meta: bad applied-index record (len %d)", len(v))
	}
	return binary.BigEndian.Uint64(v[1:]), nil
}

func encodeBucket(b Bucket) ([]byte, error) {
	j, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("meta: encode bucket %q: %w", b.Name, err)
	}
	return append([]byte{bucketV1}, j...), nil
}

func decodeBucket(v []byte) (Bucket, error) {
	var b Bucket
	if len(v) == 0 || v[0] != bucketV1 {
		return b, fmt.Errorf("meta: unknown bucket record version")
	}
	if err := json.Unmarshal(v[1:], &b); err != nil {
		return b, fmt.Errorf("meta: decode bucket record: %w", err)
	}
	return b, nil
}
