package data

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// Conditional writes (If-None-Match: * and If-Match on PutObject and
// CompleteMultipartUpload).
//
// Every write that commits a version of a key — PUT, complete, delete
// marker, delete, metadata update — takes the key's lock in this Store
// (lockKey) for its commit step only, never while streaming a body, and
// stamps its record's ModTime inside that step. So within a Store commits of
// one key are serialized and versions order exactly as they committed. A
// conditional write evaluates its preconditions twice:
//
//  1. early, without the lock, before any byte is stored
//     (checkPreconditions): a failure is ErrPreconditionFailed (412);
//  2. again under the lock, immediately before the commit (commitKey): a
//     failure now means a write that raced this one committed first —
//     ErrConditionalConflict (409), as S3 answers.
//
// Of two If-None-Match: * writers of a new key exactly one succeeds.
//
// Limitation: the lock is per Store (per node). When several nodes
// coordinate writes to one erasure set (clustering), the re-check must move
// into the drives' commit as a compare step.

// lockKey locks one key for the commit step of a write and returns the
// unlock function.
func (s *Store) lockKey(bucket, key string) (unlock func()) {
	return s.keyLocks.lock(objindex.ObjectRef{Bucket: bucket, Key: key})
}

// active reports whether p makes a write conditional.
func (p Preconditions) active() bool { return p.IfNoneMatchAny || p.IfMatch != "" }

// checkPreconditions evaluates pre against the key's latest version, read
// from a read quorum. It returns nil when the write may proceed,
// ErrPreconditionFailed (wrapped) when it may not, or the read error
// (ErrReadQuorum...). A latest version that is a delete marker counts as no
// current version. It takes no lock: call it early to fail fast; commitKey
// repeats it under the key's lock.
func (s *Store) checkPreconditions(ctx context.Context, bucket, key string, pre Preconditions) error {
	if !pre.active() {
		return nil
	}
	_, info, err := s.resolve(ctx, bucket, key, GetOptions{}, false)
	exists := true
	switch {
	case err == nil:
	case errors.Is(err, ErrObjectNotFound):
		exists = false
	default:
		return fmt.Errorf("data: checking preconditions of %s/%s: %w", bucket, key, err)
	}
	if pre.IfNoneMatchAny && exists {
		return fmt.Errorf("%w: %s/%s exists (If-None-Match: *)", ErrPreconditionFailed, bucket, key)
	}
	if pre.IfMatch != "" {
		if !exists {
			return fmt.Errorf("%w: %s/%s does not exist (If-Match)", ErrPreconditionFailed, bucket, key)
		}
		if !etagMatches(pre.IfMatch, info.ETag) {
			return fmt.Errorf("%w: %s/%s has ETag %q, If-Match %s", ErrPreconditionFailed, bucket, key, info.ETag, pre.IfMatch)
		}
	}
	return nil
}

// etagMatches compares an If-Match value (one ETag or a comma-separated
// list, quoted or not, or "*") with a stored ETag (unquoted).
func etagMatches(cond, etag string) bool {
	for _, c := range strings.Split(cond, ",") {
		c = strings.TrimSpace(c)
		if c == "*" {
			return true
		}
		c = strings.TrimPrefix(c, "W/")
		if strings.Trim(c, `"`) == etag {
			return true
		}
	}
	return false
}

// commitKey runs commit under the key's lock. When pre is active it is
// re-checked first, and a failure is reported as ErrConditionalConflict:
// the caller checked it early, so a write committed in between. commit must
// stamp the record's ModTime (s.clock.Now()) itself, so versions order as
// their commits do. Every writer of new versions (PutObject, delete markers,
// CompleteMultipartUpload) goes through here, conditional or not.
func (s *Store) commitKey(ctx context.Context, bucket, key string, pre Preconditions, commit func() error) error {
	defer s.lockKey(bucket, key)()
	if pre.active() {
		if err := s.checkPreconditions(ctx, bucket, key, pre); err != nil {
			if errors.Is(err, ErrPreconditionFailed) {
				// Not wrapping ErrPreconditionFailed: the answer is 409, not 412.
				return fmt.Errorf("%w: a racing write committed first: %v", ErrConditionalConflict, err)
			}
			return err
		}
	}
	return commit()
}
