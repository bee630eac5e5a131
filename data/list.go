package data

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// MaxListKeys is the largest (and default) page of a listing.
const MaxListKeys = 1000

// listSource is one drive's paged listing inside a merge.
type listSource struct {
	d     Drive
	page  []objindex.ListEntry
	i     int
	after string
	more  bool
	begun bool
}

// peek returns the source's next entry, fetching a page when needed; nil
// when the drive has no more.
func (src *listSource) peek(ctx context.Context, bucket string, q objindex.ListQuery) (*objindex.ListEntry, error) {
	for src.i >= len(src.page) {
		if src.begun && !src.more {
			return nil, nil
		}
		q.After = src.after
		page, err := src.d.List(ctx, bucket, q)
		if err != nil {
			return nil, err
		}
		src.page, src.i, src.more, src.begun = page.Entries, 0, page.More, true
		if n := len(page.Entries); n > 0 {
			src.after = page.Entries[n-1].Name
		} else if src.more {
			return nil, fmt.Errorf("data: drive %s returned an empty page with more to come", src.d.Info().Endpoint)
		}
	}
	return &src.page[src.i], nil
}

// ListObjects implements the S3 layer's Objects.ListObjects. It merges the
// listings of n − writeQuorum + 1 drives (so it sees every acknowledged
// write), keeps each key's newest version, hides keys whose newest version
// is a delete marker, and returns at most MaxKeys keys and common prefixes.
// Every item returned sorts strictly after opts.After; continuing from a
// common prefix skips its whole sub-tree.
func (s *Store) ListObjects(ctx context.Context, bucket string, opts ListOptions) (ListResult, error) {
	if err := checkName(bucket, ""); err != nil {
		return ListResult{}, err
	}
	maxKeys := opts.MaxKeys
	if maxKeys <= 0 || maxKeys > MaxListKeys {
		maxKeys = MaxListKeys
	}
	q := objindex.ListQuery{Prefix: opts.Prefix, Delimiter: opts.Delimiter, Limit: min(maxKeys+1, MaxListKeys)}

	// Rotate the first drive so listings spread over the set.
	start := int(s.listTurn.Add(1) % uint64(s.n))
	nextDrive := 0
	var srcs []*listSource
	addSource := func(after string) bool {
		if nextDrive == s.n {
			return false
		}
		srcs = append(srcs, &listSource{d: s.drives[(start+nextDrive)%s.n], after: after})
		nextDrive++
		return true
	}
	for range s.readQuorum() {
		addSource(opts.After)
	}

	var res ListResult
	pos := opts.After // the last name the merge consumed
	var failures []error
	for {
		// Find the smallest next name over all sources.
		var minName string
		found := false
		for i := 0; i < len(srcs); i++ {
			e, err := srcs[i].peek(ctx, bucket, q)
			if err != nil {
				if ctx.Err() != nil {
					return ListResult{}, ctx.Err()
				}
				failures = append(failures, fmt.Errorf("%s: %w", srcs[i].d.Info().Endpoint, err))
				srcs = append(srcs[:i], srcs[i+1:]...)
				i--
				// A replacement resumes where the merge is: it would only
				// have added entries the merge has already passed.
				if !addSource(pos) {
					return ListResult{}, fmt.Errorf("%w: listing: %w", ErrReadQuorum, errors.Join(failures...))
				}
				continue
			}
			if e != nil && (!found || e.Name < minName) {
				minName, found = e.Name, true
			}
		}
		if !found {
			break
		}
		var newest *objindex.Record
		isPrefix := false
		for _, src := range srcs {
			e, _ := src.peek(ctx, bucket, q) // already fetched above
			if e == nil || e.Name != minName {
				continue
			}
			if e.IsPrefix {
				isPrefix = true
			} else if newest == nil || objindex.Newer(e.Record, newest) ||
				objindex.SameVersion(e.Record, newest) && e.Record.MetaTime > newest.MetaTime {
				// Of two copies of one version, the one whose metadata
				// changed last (a drive may have missed an update).
				newest = e.Record
			}
			src.i++
		}
		pos = minName
		if !isPrefix && newest.DeleteMarker {
			continue
		}
		if len(res.Objects)+len(res.CommonPrefixes) == maxKeys {
			res.IsTruncated = true
			break
		}
		if isPrefix {
			res.CommonPrefixes = append(res.CommonPrefixes, minName)
		} else {
			info := infoFromRecord(newest)
			info.IsLatest = true
			res.Objects = append(res.Objects, info)
		}
		res.NextAfter = minName
	}
	return res, nil
}

// BucketEmpty reports whether no drive of a read quorum holds any version
// (delete markers included) of any key of bucket.
func (s *Store) BucketEmpty(ctx context.Context, bucket string) (bool, error) {
	if err := checkName(bucket, ""); err != nil {
		return false, err
	}
	var found atomic.Bool
	var answered atomic.Int32
	s.each(func(_ int, d Drive) {
		has, err := d.HasObjects(ctx, bucket)
		if err == nil {
			answered.Add(1)
			if has {
				found.Store(true)
			}
		}
	})
	if found.Load() {
		return false, nil
	}
	if int(answered.Load()) < s.readQuorum() {
		return false, fmt.Errorf("%w: %d of %d drives answered", ErrReadQuorum, answered.Load(), s.n)
	}
	return true, nil
}
