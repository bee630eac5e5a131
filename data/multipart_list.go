package data

import (
	"context"
	"errors"
	"fmt"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// uploadSource is one drive's paged upload listing inside a merge.
type uploadSource struct {
	slot          int
	d             Drive
	page          []objindex.UploadEntry
	i             int
	afterKey      string
	afterUploadID string
	more, begun   bool
}

func (src *uploadSource) peek(ctx context.Context, bucket string, q objindex.UploadQuery) (*objindex.UploadEntry, error) {
	for src.i >= len(src.page) {
		if src.begun && !src.more {
			return nil, nil
		}
		q.AfterKey, q.AfterUploadID = src.afterKey, src.afterUploadID
		page, err := src.d.ListUploads(ctx, bucket, q)
		if err != nil {
			return nil, err
		}
		src.page, src.i, src.more, src.begun = page.Entries, 0, page.More, true
		if n := len(page.Entries); n > 0 {
			src.afterKey, src.afterUploadID = uploadPos(&page.Entries[n-1])
		} else if src.more {
			return nil, fmt.Errorf("data: drive %s returned an empty page with more to come", src.d.Info().Endpoint)
		}
	}
	return &src.page[src.i], nil
}

// uploadPos is where an entry sorts: (key, upload ID), or (prefix, "").
func uploadPos(e *objindex.UploadEntry) (name, uploadID string) {
	if e.IsPrefix {
		return e.Name, ""
	}
	return e.Name, e.Upload.UploadID
}

func posLess(an, au, bn, bu string) bool {
	if an != bn {
		return an < bn
	}
	return au < bu
}

// ListMultipartUploads lists the uploads of a bucket by key, then by
// initiation (upload IDs sort by it), folding keys with the delimiter
// after the prefix into common prefixes. KeyMarker alone skips every
// upload of keys up to it; with UploadIDMarker, uploads of KeyMarker with
// greater IDs are listed too.
//
// Every drive is listed and the listings merged: an upload is shown when
// at least k drives hold it, or when drives that did not answer could make
// up k (a removed upload is left on fewer than k drives).
func (s *Store) ListMultipartUploads(ctx context.Context, bucket string, opts ListUploadsOptions) (ListUploadsResult, error) {
	if err := checkName(bucket, ""); err != nil {
		return ListUploadsResult{}, err
	}
	maxUploads := opts.MaxUploads
	if maxUploads <= 0 || maxUploads > MaxListUploads {
		maxUploads = MaxListUploads
	}
	q := objindex.UploadQuery{Prefix: opts.Prefix, Delimiter: opts.Delimiter, Limit: min(maxUploads+1, MaxListUploads)}
	var srcs []*uploadSource
	for slot, d := range s.drives {
		src := &uploadSource{slot: slot, d: d, afterKey: opts.KeyMarker}
		if opts.KeyMarker != "" {
			src.afterUploadID = opts.UploadIDMarker
		}
		srcs = append(srcs, src)
	}
	failed := 0
	var failures []error
	var res ListUploadsResult
	for {
		// Sources whose page is used up fetch the next one in parallel.
		var need []*uploadSource
		for _, src := range srcs {
			if src.i >= len(src.page) && (!src.begun || src.more) {
				need = append(need, src)
			}
		}
		errs := make([]error, len(need))
		s.eachOf(len(need), func(i int) {
			_, errs[i] = need[i].peek(ctx, bucket, q)
		})
		if err := ctx.Err(); err != nil {
			return ListUploadsResult{}, err
		}
		for i, err := range errs {
			if err == nil {
				continue
			}
			failures = append(failures, fmt.Errorf("%s: %w", need[i].d.Info().Endpoint, err))
			failed++
			for j, src := range srcs {
				if src == need[i] {
					srcs = append(srcs[:j], srcs[j+1:]...)
					break
				}
			}
		}
		if s.n-failed < s.readQuorum() {
			return ListUploadsResult{}, fmt.Errorf("%w: listing uploads: %w", ErrReadQuorum, errors.Join(failures...))
		}
		heads := make([]*objindex.UploadEntry, len(srcs))
		for i, src := range srcs {
			if src.i < len(src.page) {
				heads[i] = &src.page[src.i]
			}
		}
		var minE *objindex.UploadEntry
		for _, h := range heads {
			if h == nil {
				continue
			}
			if minE == nil {
				minE = h
				continue
			}
			hn, hu := uploadPos(h)
			mn, mu := uploadPos(minE)
			if posLess(hn, hu, mn, mu) {
				minE = h
			}
		}
		if minE == nil {
			return res, nil
		}
		mn, mu := uploadPos(minE)
		count := 0
		for i, h := range heads {
			if h == nil {
				continue
			}
			if hn, hu := uploadPos(h); hn == mn && hu == mu {
				count++
				srcs[i].i++
			}
		}
		k, _ := s.quorums(s.parity)
		if !minE.IsPrefix {
			k = minE.Upload.Erasure.DataShards
		}
		if count < k && count+failed < k {
			continue // a removed upload's leftovers
		}
		if len(res.Uploads)+len(res.CommonPrefixes) == maxUploads {
			res.IsTruncated = true
			return res, nil
		}
		if minE.IsPrefix {
			res.CommonPrefixes = append(res.CommonPrefixes, mn)
		} else {
			res.Uploads = append(res.Uploads, uploadFromRecord(minE.Upload))
		}
		res.NextKeyMarker, res.NextUploadIDMarker = mn, mu
	}
}

// eachOf runs fn(0..n-1) in parallel and waits.
func (s *Store) eachOf(n int, fn func(i int)) {
	done := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			fn(i)
		}()
	}
	for i := 0; i < n; i++ {
		<-done
	}
}
