package data

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// DeleteObject implements the S3 layer's Objects.DeleteObject:
//
//   - VersionID set: that version (object or delete marker) is removed from
//     every drive. ErrVersionNotFound if no drive had it.
//   - Versioned (and no VersionID): a delete marker with a new version ID
//     becomes the latest version; its info is returned.
//   - otherwise: the null version is removed from every drive, unless a
//     drive holds a null version newer than the delete (a concurrent PUT
//     that must win). ErrObjectNotFound if no drive had one; S3 answers 204
//     either way, so the API layer treats it as success.
//
// A removal succeeds on a write quorum of drives (not found counts), which
// also leaves fewer than k copies elsewhere, so healing can never bring a
// deleted version back.
func (s *Store) DeleteObject(ctx context.Context, bucket, key string, opts DeleteOptions) (ObjectInfo, error) {
	if err := checkName(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if opts.VersionID == "" && opts.Versioned {
		return s.putDeleteMarker(ctx, bucket, key)
	}
	vid, notAfter := opts.VersionID, int64(math.MaxInt64)
	if vid == "" {
		vid, notAfter = objindex.NullVersion, s.clock.Now()
	}
	removed := make([]*objindex.Record, s.n)
	errs := make([]error, s.n)
	s.each(func(slot int, d Drive) {
		removed[slot], errs[slot] = d.DeleteVersion(ctx, bucket, key, vid, notAfter)
	})
	ok := 0
	var newest *objindex.Record
	var failed []error
	for slot, err := range errs {
		switch {
		case err == nil:
			ok++
			if newest == nil || objindex.Newer(removed[slot], newest) {
				newest = removed[slot]
			}
		case errors.Is(err, objindex.ErrNotFound):
			ok++
		default:
			failed = append(failed, fmt.Errorf("%s: %w", s.drives[slot].Info().Endpoint, err))
		}
	}
	m := s.parity
	if newest != nil {
		m = newest.Erasure.ParityShards
	}
	if _, wq := s.quorums(m); ok < wq {
		return ObjectInfo{}, fmt.Errorf("%w: delete reached %d of %d drives, %d needed: %w", ErrWriteQuorum, ok, s.n, wq, errors.Join(failed...))
	}
	if newest == nil {
		if opts.VersionID != "" {
			return ObjectInfo{}, fmt.Errorf("%s/%s version %s: %w", bucket, key, vid, ErrVersionNotFound)
		}
		return ObjectInfo{}, fmt.Errorf("%s/%s: %w", bucket, key, ErrObjectNotFound)
	}
	if len(failed) > 0 {
		s.healer.enqueue(bucket, key) // purges the copies left on failed drives
	}
	return infoFromRecord(newest), nil
}

// putDeleteMarker commits a delete marker as a new version on a write quorum.
func (s *Store) putDeleteMarker(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	_, wq := s.quorums(s.parity)
	rec := &objindex.Record{Bucket: bucket, Key: key, VersionID: newUUID(), ModTime: s.clock.Now(), DeleteMarker: true}
	sinks := make([]*sink, s.n)
	for slot := range sinks {
		sinks[slot] = &sink{slot: slot, shard: 0, mem: &memShardWriter{}}
		sinks[slot].w = sinks[slot].mem
	}
	w := &putWrite{s: s, ctx: ctx, rec: rec, wq: wq, sinks: sinks}
	if err := w.commit(); err != nil {
		return ObjectInfo{}, err
	}
	info := infoFromRecord(rec)
	info.IsLatest = true
	return info, nil
}
