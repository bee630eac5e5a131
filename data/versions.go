package data

import (
	"context"
	"errors"
	"fmt"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// versionSource is one drive's paged versions listing inside a merge.
type versionSource struct {
	d     Drive
	page  []objindex.ListEntry
	i     int
	after objindex.VersionPos
	more  bool
	begun bool
}

func (src *versionSource) peek(ctx context.Context, bucket string, q objindex.VersionQuery) (*objindex.ListEntry, error) {
	for src.i >= len(src.page) {
		if src.begun && !src.more {
			return nil, nil
		}
		q.After = src.after
		page, err := src.d.ListVersions(ctx, bucket, q)
		if err != nil {
			return nil, err
		}
		src.page, src.i, src.more, src.begun = page.Entries, 0, page.More, true
		if n := len(page.Entries); n > 0 {
			src.after = entryPos(&page.Entries[n-1])
		} else if src.more {
			return nil, fmt.Errorf("data: drive %s returned an empty page with more to come", src.d.Info().Endpoint)
		}
	}
	return &src.page[src.i], nil
}

// entryPos is the listing position just after e.
func entryPos(e *objindex.ListEntry) objindex.VersionPos {
	if e.IsPrefix {
		return objindex.VersionPos{Key: e.Name}
	}
	return objindex.VersionPos{Key: e.Name, HasVersion: true, ModTime: e.Record.ModTime, VersionID: e.Record.VersionID}
}

// entryLess orders entries of a versions listing: by name, then newest
// version first.
func entryLess(a, b *objindex.ListEntry) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	if a.IsPrefix || b.IsPrefix {
		return false
	}
	return objindex.Newer(a.Record, b.Record)
}

// sameEntry reports whether a and b are the same prefix or the same version.
func sameEntry(a, b *objindex.ListEntry) bool {
	if a.Name != b.Name || a.IsPrefix != b.IsPrefix {
		return false
	}
	return a.IsPrefix || a.Record.VersionID == b.Record.VersionID && a.Record.ModTime == b.Record.ModTime
}

// ListObjectVersions implements MultipartObjects.ListObjectVersions with S3's
// semantics: every version and delete marker by key, newest first within a
// key, IsLatest on each key's newest; a common prefix counts as one entry.
// KeyMarker alone resumes after every version of that key (or after the
// whole sub-tree of a common prefix); with VersionIDMarker it resumes after
// that version of KeyMarker. VersionIDMarker without KeyMarker is ignored
// (the S3 layer rejects it). A VersionIDMarker no drive holds any more (it
// was deleted between pages) resumes at the first version of KeyMarker, so
// a paging client sees some versions twice rather than miss any.
// NextKeyMarker and NextVersionIDMarker (empty after a common prefix) are
// set when IsTruncated.
//
// Like ListObjects it merges n − writeQuorum + 1 drives, so it sees every
// acknowledged write, and replaces a failing drive on the fly.
func (s *Store) ListObjectVersions(ctx context.Context, bucket string, opts ListVersionsOptions) (ListVersionsResult, error) {
	if err := checkName(bucket, ""); err != nil {
		return ListVersionsResult{}, err
	}
	maxKeys := opts.MaxKeys
	if maxKeys <= 0 || maxKeys > MaxListKeys {
		maxKeys = MaxListKeys
	}
	start, midKey, err := s.versionsStart(ctx, bucket, opts)
	if err != nil {
		return ListVersionsResult{}, err
	}
	q := objindex.VersionQuery{Prefix: opts.Prefix, Delimiter: opts.Delimiter, Limit: min(maxKeys+1, MaxListKeys)}

	first := int(s.listTurn.Add(1) % uint64(s.n))
	nextDrive := 0
	var srcs []*versionSource
	addSource := func(after objindex.VersionPos) bool {
		if nextDrive == s.n {
			return false
		}
		srcs = append(srcs, &versionSource{d: s.drives[(first+nextDrive)%s.n], after: after})
		nextDrive++
		return true
	}
	for range s.readQuorum() {
		addSource(start)
	}

	var res ListVersionsResult
	pos := start // just after the last entry the merge consumed
	lastKey, haveLast := "", false
	if midKey {
		// The versions of the marker's key that follow are not its latest.
		lastKey, haveLast = start.Key, true
	}
	var failures []error
	for {
		var next *objindex.ListEntry
		for i := 0; i < len(srcs); i++ {
			e, err := srcs[i].peek(ctx, bucket, q)
			if err != nil {
				if ctx.Err() != nil {
					return ListVersionsResult{}, ctx.Err()
				}
				failures = append(failures, fmt.Errorf("%s: %w", srcs[i].d.Info().Endpoint, err))
				srcs = append(srcs[:i], srcs[i+1:]...)
				i--
				if !addSource(pos) {
					return ListVersionsResult{}, fmt.Errorf("%w: listing versions: %w", ErrReadQuorum, errors.Join(failures...))
				}
				continue
			}
			if e != nil && (next == nil || entryLess(e, next)) {
				next = e
			}
		}
		if next == nil {
			break
		}
		// Consume every copy of this entry, keeping the freshest metadata.
		cur := *next
		for _, src := range srcs {
			e, _ := src.peek(ctx, bucket, q) // already fetched above
			if e == nil || !sameEntry(e, &cur) {
				continue
			}
			if !e.IsPrefix && e.Record.MetaTime > cur.Record.MetaTime {
				cur.Record = e.Record
			}
			src.i++
		}
		pos = entryPos(&cur)
		if len(res.Versions)+len(res.CommonPrefixes) == maxKeys {
			res.IsTruncated = true
			break
		}
		if cur.IsPrefix {
			res.CommonPrefixes = append(res.CommonPrefixes, cur.Name)
			res.NextKeyMarker, res.NextVersionIDMarker = cur.Name, ""
			continue
		}
		info := infoFromRecord(cur.Record)
		info.IsLatest = !haveLast || lastKey != cur.Name
		lastKey, haveLast = cur.Name, true
		res.Versions = append(res.Versions, info)
		res.NextKeyMarker, res.NextVersionIDMarker = cur.Name, cur.Record.VersionID
	}
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextVersionIDMarker = "", ""
	}
	return res, nil
}

// versionsStart turns the markers into a listing position. midKey is true
// when the listing resumes after a version of KeyMarker that still exists.
func (s *Store) versionsStart(ctx context.Context, bucket string, opts ListVersionsOptions) (pos objindex.VersionPos, midKey bool, err error) {
	if opts.KeyMarker == "" {
		return objindex.VersionPos{}, false, nil
	}
	if opts.VersionIDMarker == "" {
		return objindex.VersionPos{Key: opts.KeyMarker}, false, nil
	}
	if err := checkName(bucket, opts.KeyMarker); err != nil {
		return pos, false, err
	}
	recs := s.readRecords(ctx, bucket, opts.KeyMarker, opts.VersionIDMarker, false)
	answered := 0
	var errs []error
	var found *objindex.Record
	for _, dr := range recs {
		switch {
		case dr.err == nil:
			answered++
			if found == nil || objindex.Newer(dr.rec, found) {
				found = dr.rec
			}
		case errors.Is(dr.err, objindex.ErrNotFound):
			answered++
		default:
			errs = append(errs, fmt.Errorf("%s: %w", s.drives[dr.slot].Info().Endpoint, dr.err))
		}
	}
	if answered < s.readQuorum() {
		return pos, false, fmt.Errorf("%w: %d of %d drives answered: %w", ErrReadQuorum, answered, s.n, errors.Join(errs...))
	}
	if found == nil {
		return objindex.FirstOf(opts.KeyMarker), false, nil
	}
	return objindex.VersionPos{Key: opts.KeyMarker, HasVersion: true, ModTime: found.ModTime, VersionID: found.VersionID}, true, nil
}
