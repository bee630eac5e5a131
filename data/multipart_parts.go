package data

import (
	"context"
	"fmt"
	"sort"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// partChoice is the attempt of one part number the drives agree on.
type partChoice struct {
	rec *objindex.UploadPart
	// holders is how many drives store this attempt as the part.
	holders int
}

// choosePart picks, among the records of one part number from several
// drives, the newest attempt held by at least k drives (so its data can be
// read); ok is false when there is none (a failed write, or a part that
// was never uploaded).
func choosePart(recs []*objindex.UploadPart, k int) (c partChoice, ok bool) {
	var groups []partChoice
next:
	for _, r := range recs {
		for i := range groups {
			if g := groups[i].rec; g.File == r.File && g.ModTime == r.ModTime {
				groups[i].holders++
				continue next
			}
		}
		groups = append(groups, partChoice{rec: r, holders: 1})
	}
	for _, g := range groups {
		if g.holders < k {
			continue
		}
		if !ok || g.rec.ModTime > c.rec.ModTime || g.rec.ModTime == c.rec.ModTime && g.rec.File > c.rec.File {
			c, ok = g, true
		}
	}
	return c, ok
}

// readParts merges the part records of the drives holding an upload and
// returns the parts numbered above after, by number, at most limit (≤ 0:
// all); more is true when parts remain. Drives are read in pages; numbers
// up to the smallest last number of a cut-short page are complete on every
// drive, the rest waits for the next round.
func (s *Store) readParts(ctx context.Context, st *uploadState, after, limit int) (parts []partChoice, more bool, err error) {
	k := st.rec.Erasure.DataShards
	batch := MaxListParts
	if limit > 0 && limit+1 < batch {
		batch = limit + 1
	}
	u := st.rec
	cursor := after
	for {
		pages := make([][]*objindex.UploadPart, s.n)
		cut := make([]bool, s.n)
		errs := make([]error, s.n)
		s.each(func(slot int, d Drive) {
			if st.shard[slot] >= 0 {
				pages[slot], cut[slot], errs[slot] = d.UploadParts(ctx, u.Bucket, u.Key, u.UploadID, cursor, batch)
			}
		})
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		answered := 0
		bound := -1
		for slot := range errs {
			if st.shard[slot] < 0 || errs[slot] != nil {
				continue
			}
			answered++
			if cut[slot] && len(pages[slot]) > 0 {
				if last := pages[slot][len(pages[slot])-1].Number; bound < 0 || last < bound {
					bound = last
				}
			}
		}
		if answered < k {
			return nil, false, fmt.Errorf("%w: parts of %s: %d drives answered, %d needed: %w", ErrReadQuorum, st.ref(), answered, k, s.driveErrors(errs))
		}
		byNum := map[int][]*objindex.UploadPart{}
		for slot, page := range pages {
			if errs[slot] != nil {
				continue
			}
			for _, p := range page {
				if bound < 0 || p.Number <= bound {
					byNum[p.Number] = append(byNum[p.Number], p)
				}
			}
		}
		nums := make([]int, 0, len(byNum))
		for n := range byNum {
			nums = append(nums, n)
		}
		sort.Ints(nums)
		for _, n := range nums {
			c, ok := choosePart(byNum[n], k)
			if !ok {
				continue
			}
			if limit > 0 && len(parts) == limit {
				return parts, true, nil
			}
			parts = append(parts, c)
		}
		if bound < 0 {
			return parts, false, nil
		}
		cursor = bound
	}
}

func partInfo(p *objindex.UploadPart) PartInfo {
	return PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, Checksums: cloneStrMap(p.Checksums), ModTime: timeFromHLC(p.ModTime)}
}

// ListParts returns the parts of an upload numbered above marker, by
// number, at most maxParts (default and cap MaxListParts).
func (s *Store) ListParts(ctx context.Context, bucket, key, uploadID string, marker, maxParts int) (ListPartsResult, error) {
	if maxParts <= 0 || maxParts > MaxListParts {
		maxParts = MaxListParts
	}
	marker = max(marker, 0)
	st, err := s.readUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return ListPartsResult{}, err
	}
	parts, more, err := s.readParts(ctx, st, marker, maxParts)
	if err != nil {
		return ListPartsResult{}, err
	}
	res := ListPartsResult{Upload: uploadFromRecord(st.rec), IsTruncated: more}
	for _, c := range parts {
		res.Parts = append(res.Parts, partInfo(c.rec))
	}
	if n := len(res.Parts); n > 0 {
		res.NextPartNumberMarker = res.Parts[n-1].Number
	}
	return res, nil
}
