package data

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// Mutable version metadata: tags, retention, legal hold and the ACL. They are set at
// write time (PutOptions.Meta) and changed in place by UpdateVersionMeta,
// which rewrites only the index records (objindex.Index.SetMeta), never data.

// setRecordMeta stores m on a record about to be written.
func setRecordMeta(r *objindex.Record, m VersionMeta) {
	r.Tags = cloneStrMap(m.Tags)
	r.RetentionMode = m.Retention.Mode
	r.RetainUntil = utcOrZero(m.Retention.Until)
	r.LegalHold = m.LegalHold
	r.ACL = cloneACL(m.ACL)
}

// cloneACL copies an opaque ACL; nil when empty, as the index stores it.
func cloneACL(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// utcOrZero normalizes a date so that it round-trips the index unchanged.
func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func metaFromRecord(r *objindex.Record) VersionMeta {
	return VersionMeta{
		Tags:      cloneStrMap(r.Tags),
		Retention: Retention{Mode: r.RetentionMode, Until: r.RetainUntil},
		LegalHold: r.LegalHold,
		ACL:       cloneACL(r.ACL),
	}
}

// multipartParts lists the parts of a multipart object (ETag "<hex>-N");
// nil for a single PUT, whose one internal part is no S3 part.
func multipartParts(r *objindex.Record) []PartInfo {
	i := strings.LastIndexByte(r.ETag, '-')
	if i < 0 || len(r.Parts) == 0 {
		return nil
	}
	if _, err := strconv.Atoi(r.ETag[i+1:]); err != nil {
		return nil
	}
	out := make([]PartInfo, len(r.Parts))
	for j, p := range r.Parts {
		out[j] = PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, Checksums: cloneStrMap(p.Checksums)}
		if p.ModTime != 0 {
			out[j].ModTime = timeFromHLC(p.ModTime)
		}
	}
	return out
}

// freshestCopy returns, among copies of one version held by several
// drives, the one whose metadata changed last (a drive may have missed an
// update).
func freshestCopy(holders []driveRecord) *objindex.Record {
	var best *objindex.Record
	for _, h := range holders {
		if h.rec != nil && (best == nil || h.rec.MetaTime > best.MetaTime) {
			best = h.rec
		}
	}
	return best
}

// UpdateVersionMeta implements MultipartObjects.UpdateVersionMeta: under
// the key's lock it resolves the version ("" = latest) from a read quorum,
// calls fn with its info and a copy of its metadata, and stores what fn
// left in the copy on every drive holding the version, each drive
// atomically. It succeeds when the version's write quorum was updated.
//
// Errors, returned with the version's info when there is one: the latest
// version is a delete marker → ErrObjectNotFound; a named version is a
// delete marker → ErrDeleteMarker (S3 refuses tags on markers); no such
// key or version → ErrObjectNotFound / ErrVersionNotFound; fn's error as is
// (nothing is written).
func (s *Store) UpdateVersionMeta(ctx context.Context, bucket, key, versionID string, fn func(info ObjectInfo, m *VersionMeta) error) (ObjectInfo, error) {
	if err := checkName(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	defer s.lockKey(bucket, key)()
	g, info, err := s.resolve(ctx, bucket, key, GetOptions{VersionID: versionID}, false)
	if err != nil {
		return info, err
	}
	cur := freshestCopy(g.holders)
	info.Meta = metaFromRecord(cur)
	m := metaFromRecord(cur)
	if err := fn(info, &m); err != nil {
		return info, err
	}
	u := objindex.MetaUpdate{
		Tags: cloneStrMap(m.Tags), RetentionMode: m.Retention.Mode, RetainUntil: utcOrZero(m.Retention.Until),
		LegalHold: m.LegalHold, ACL: cloneACL(m.ACL), MetaTime: s.clock.Now(),
	}
	recs := make([]*objindex.Record, s.n)
	errs := make([]error, s.n)
	s.each(func(slot int, d Drive) {
		recs[slot], errs[slot] = d.SetVersionMeta(ctx, bucket, key, cur.VersionID, cur.ModTime, u)
	})
	ok := 0
	var updated *objindex.Record
	var failed []error
	for slot, err := range errs {
		switch {
		case err == nil:
			ok++
			updated = recs[slot]
		case errors.Is(err, objindex.ErrNotFound):
			// Not on this drive (a failed write or a drive being refilled):
			// healing copies the version with its new metadata.
		default:
			failed = append(failed, fmt.Errorf("%s: %w", s.drives[slot].Info().Endpoint, err))
		}
	}
	parity := cur.Erasure.ParityShards
	if parity == 0 {
		parity = s.parity
	}
	if _, wq := s.quorums(parity); ok < wq {
		return info, fmt.Errorf("%w: metadata of %s/%s updated on %d of %d drives, %d needed: %w",
			ErrWriteQuorum, bucket, key, ok, s.n, wq, errors.Join(failed...))
	}
	if ok < s.n {
		s.healer.enqueue(bucket, key)
	}
	out := infoFromRecord(updated)
	out.IsLatest = info.IsLatest
	return out, nil
}
