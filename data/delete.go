package data

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// DeleteObject implements the S3 layer's Objects.DeleteObject. It runs
// under the key's lock (lockKey), so a Guard's decision holds until the
// removal is done:
//
//   - VersionID set: that version (object or delete marker) is removed from
//     every drive. ErrVersionNotFound if no drive had it.
//   - Suspended (and no VersionID): a delete marker with version ID "null"
//     replaces the null version, if any (versioning suspended); other
//     versions stay. Its info is returned.
//   - Versioned (and no VersionID): a delete marker with a new version ID
//     becomes the latest version; nothing is removed. Its info is returned.
//   - otherwise: the null version is removed from every drive, unless a
//     drive holds a null version newer than the delete (a concurrent PUT
//     that must win). ErrObjectNotFound if no drive had one; S3 answers 204
//     either way, so the API layer treats it as success.
//
// Guard, when set, is called with the version about to be removed or
// replaced (none for Versioned); its error refuses the delete and is
// returned as is, with that version's info.
//
// A removal succeeds on a write quorum of drives (not found counts), which
// also leaves fewer than k copies elsewhere, so healing can never bring a
// deleted version back.
func (s *Store) DeleteObject(ctx context.Context, bucket, key string, opts DeleteOptions) (ObjectInfo, error) {
	if err := checkName(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	defer s.lockKey(bucket, key)()
	if opts.VersionID == "" && opts.Suspended {
		if opts.Guard != nil {
			info, err := s.versionToRemove(ctx, bucket, key, objindex.NullVersion)
			if err == nil {
				if err := opts.Guard(info); err != nil {
					return info, err
				}
			} else if !errors.Is(err, ErrObjectNotFound) {
				return ObjectInfo{}, err
			}
		}
		return s.putDeleteMarker(ctx, bucket, key, objindex.NullVersion)
	}
	if opts.VersionID == "" && opts.Versioned {
		return s.putDeleteMarker(ctx, bucket, key, newUUID())
	}
	vid, notAfter := opts.VersionID, int64(math.MaxInt64)
	if vid == "" {
		vid, notAfter = objindex.NullVersion, s.clock.Now()
	}
	if opts.Guard != nil {
		info, err := s.versionToRemove(ctx, bucket, key, vid)
		if err != nil {
			if opts.VersionID != "" && errors.Is(err, ErrObjectNotFound) {
				return ObjectInfo{}, fmt.Errorf("%s/%s version %s: %w", bucket, key, vid, ErrVersionNotFound)
			}
			return ObjectInfo{}, err
		}
		if err := opts.Guard(info); err != nil {
			return info, err
		}
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
	if newest != nil && newest.Erasure.ParityShards > 0 {
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

// versionToRemove reads one version from a read quorum for a Guard: the
// newest copy any drive holds, with the freshest metadata. ErrObjectNotFound
// when no drive holds it.
func (s *Store) versionToRemove(ctx context.Context, bucket, key, versionID string) (ObjectInfo, error) {
	recs := s.readRecords(ctx, bucket, key, versionID, false)
	answered := 0
	var errs []error
	var best *objindex.Record
	for _, dr := range recs {
		switch {
		case dr.err == nil:
			answered++
			if best == nil || objindex.Newer(dr.rec, best) ||
				objindex.SameVersion(dr.rec, best) && dr.rec.MetaTime > best.MetaTime {
				best = dr.rec
			}
		case errors.Is(dr.err, objindex.ErrNotFound):
			answered++
		default:
			errs = append(errs, fmt.Errorf("%s: %w", s.drives[dr.slot].Info().Endpoint, dr.err))
		}
	}
	// Fewer answers could miss a protected version: refuse rather than guess.
	if answered < s.readQuorum() {
		return ObjectInfo{}, fmt.Errorf("%w: %d of %d drives answered: %w", ErrReadQuorum, answered, s.n, errors.Join(errs...))
	}
	if best == nil {
		return ObjectInfo{}, fmt.Errorf("%s/%s version %s: %w", bucket, key, versionID, ErrObjectNotFound)
	}
	return infoFromRecord(best), nil
}

// putDeleteMarker commits a delete marker as version versionID on a write
// quorum. The caller holds the key's lock. A "null" marker replaces the
// null version on every drive it reaches (objindex.Index.Put).
func (s *Store) putDeleteMarker(ctx context.Context, bucket, key, versionID string) (ObjectInfo, error) {
	_, wq := s.quorums(s.parity)
	rec := &objindex.Record{Bucket: bucket, Key: key, VersionID: versionID, ModTime: s.clock.Now(), DeleteMarker: true}
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
