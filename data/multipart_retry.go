package data

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// Repeated completions. SDKs retry CompleteMultipartUpload after a network
// error, and S3 answers a repeated completion of an upload with the same
// parts like the first one. The upload's records are gone by then, but the
// completed version's record names the upload (objindex.Record.UploadID),
// so the answer lives exactly as long as the version: durable across
// restarts, healed and purged with the version, and nothing to expire.
// Once the version is gone (replaced null version, deleted version) the
// upload is gone for good: ErrNoSuchUpload, as S3 answers.

// completedUpload looks among the versions of the key for the one that
// completed uploadID, held by enough drives to be read. When there is one,
// done is true and the result is that of the repeated completion: the
// version's info when listed names exactly the parts the version has,
// ErrInvalidPart otherwise. st is the upload when it is still readable:
// the completion committed but fell short removing it, so it is removed
// now. Not done, with a nil error, means the upload was not completed.
//
// It reads every version of the key from every drive; completions are rare
// next to reads, and this keeps the index free of a second lookup table.
func (s *Store) completedUpload(ctx context.Context, bucket, key, uploadID string, st *uploadState, listed []CompletePart) (info ObjectInfo, done bool, err error) {
	var (
		mu       sync.Mutex
		recs     []driveRecord
		answered int
		errs     = make([]error, s.n)
	)
	s.each(func(slot int, d Drive) {
		vs, err := d.Versions(ctx, bucket, key)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs[slot] = err
			return
		}
		answered++
		for _, v := range vs {
			recs = append(recs, driveRecord{slot: slot, rec: v})
		}
	})
	if answered < s.readQuorum() {
		return ObjectInfo{}, false, fmt.Errorf("%w: %d of %d drives answered: %w", ErrReadQuorum, answered, s.n, s.driveErrors(errs))
	}
	latest := true
	for _, g := range groupVersions(recs) {
		ok := len(g.holders) >= readable(g.rec)
		if g.rec.UploadID != uploadID || g.rec.DeleteMarker {
			if ok {
				latest = false
			}
			continue
		}
		if !ok {
			// A completion that failed and was not fully reverted, or one
			// whose version is on drives that are down right now.
			if st == nil && len(g.holders)+s.n-answered >= readable(g.rec) {
				return ObjectInfo{}, false, fmt.Errorf("%w: %s/%s completed by upload %s is on %d drives, %d needed",
					ErrReadQuorum, bucket, key, uploadID, len(g.holders), readable(g.rec))
			}
			continue
		}
		if st != nil {
			if err := s.removeUpload(ctx, st); err != nil {
				s.log.Warn("completed upload not fully removed", "bucket", bucket, "key", key, "upload", uploadID, "err", err)
			}
		}
		if err := sameParts(g.rec, listed); err != nil {
			return ObjectInfo{}, true, fmt.Errorf("%w: %s/%s upload %s was completed with other parts: %w",
				ErrInvalidPart, bucket, key, uploadID, err)
		}
		info := infoFromRecord(g.rec)
		info.IsLatest = latest
		return info, true, nil
	}
	return ObjectInfo{}, false, nil
}

// sameParts checks a repeated completion's part list against the parts of
// the version the first one committed, as completedRecord checked it
// against the uploaded parts.
func sameParts(rec *objindex.Record, listed []CompletePart) error {
	if len(listed) != len(rec.Parts) {
		return fmt.Errorf("%d parts listed, %d completed", len(listed), len(rec.Parts))
	}
	for i, lp := range listed {
		p := rec.Parts[i]
		if lp.Number != p.Number {
			return fmt.Errorf("part %d listed where part %d was completed", lp.Number, p.Number)
		}
		if !strings.EqualFold(strings.Trim(lp.ETag, `"`), p.ETag) {
			return fmt.Errorf("part %d has ETag %q, not %q", p.Number, p.ETag, lp.ETag)
		}
		for alg, v := range lp.Checksums {
			if v != "" && p.Checksums[alg] != v {
				return fmt.Errorf("part %d has %s checksum %q, not %q", p.Number, alg, p.Checksums[alg], v)
			}
		}
	}
	return nil
}
