package data

import (
	"context"
	"sort"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// healUploads walks every upload held by any drive and purges the
// leftovers of removed ones: an upload held by fewer than k drives, with
// every drive answering, initiated longer than PurgeGrace ago (younger ones
// may be creations under way) can never be read again. It returns how many
// it purged. Uploads that are live are left alone: their parts are healed
// as the completed version's once completed.
func (s *Store) healUploads(ctx context.Context) (int, error) {
	purged := 0
	cursor := objindex.UploadRef{}
	for {
		pages := make([][]objindex.UploadRef, s.n)
		more := make([]bool, s.n)
		errs := make([]error, s.n)
		s.each(func(slot int, d Drive) {
			pages[slot], more[slot], errs[slot] = d.WalkUploads(ctx, cursor, 1000)
		})
		if err := ctx.Err(); err != nil {
			return purged, err
		}
		var bound *objindex.UploadRef
		for slot := range pages {
			if errs[slot] == nil && more[slot] {
				if last := pages[slot][len(pages[slot])-1]; bound == nil || last.Less(*bound) {
					bound = &last
				}
			}
		}
		seen := map[objindex.UploadRef]bool{}
		var refs []objindex.UploadRef
		for slot, page := range pages {
			if errs[slot] != nil {
				continue
			}
			for _, r := range page {
				if (bound == nil || !bound.Less(r)) && !seen[r] {
					seen[r] = true
					refs = append(refs, r)
				}
			}
		}
		sort.Slice(refs, func(i, j int) bool { return refs[i].Less(refs[j]) })
		for _, r := range refs {
			if s.purgeUpload(ctx, r) {
				purged++
			}
		}
		if bound == nil {
			return purged, nil
		}
		cursor = *bound
	}
}

// purgeUpload removes one upload's leftovers if it is one (see healUploads).
func (s *Store) purgeUpload(ctx context.Context, r objindex.UploadRef) bool {
	defer s.lockUpload(r.Bucket, r.Key, r.UploadID)()
	st, answered, _ := s.scanUpload(ctx, r.Bucket, r.Key, r.UploadID)
	if st.rec == nil || answered < s.n || st.holders >= st.rec.Erasure.DataShards ||
		s.now().Sub(timeFromHLC(st.rec.Initiated)) < s.purgeGrace {
		return false
	}
	s.each(func(slot int, d Drive) {
		if st.shard[slot] >= 0 {
			if err := d.RemoveUpload(ctx, r.Bucket, r.Key, r.UploadID); err != nil {
				s.log.Warn("cannot purge upload leftovers", "bucket", r.Bucket, "key", r.Key, "upload", r.UploadID,
					"drive", d.Info().Endpoint, "err", err)
			}
		}
	})
	s.log.Info("purged leftovers of a removed upload", "bucket", r.Bucket, "key", r.Key, "upload", r.UploadID, "holders", st.holders)
	return true
}
