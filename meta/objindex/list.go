package objindex

import (
	"bytes"
	"context"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// ListQuery selects one page of the newest versions of the keys of a bucket.
type ListQuery struct {
	Prefix string
	// Delimiter groups keys that contain it after Prefix into one common
	// prefix entry (up to and including the first delimiter).
	Delimiter string
	// After skips every entry (key or common prefix) that sorts at or
	// before it. Continuing from a returned common prefix therefore skips
	// its whole sub-tree.
	After string
	// Limit bounds the number of entries; zero means 1000.
	Limit int
}

// ListEntry is a key with its newest version on this drive, or a common prefix.
type ListEntry struct {
	Name     string
	IsPrefix bool
	// Record is the newest version (possibly a delete marker); nil for a
	// common prefix.
	Record *Record
}

// ListPage is one page of a drive's listing, sorted by Name.
type ListPage struct {
	Entries []ListEntry
	// More is true when entries remain after the last one.
	More bool
}

// List returns the newest version of each key matching q, delete markers
// included (a merge across drives needs them to hide older versions on
// other drives). A common prefix is only returned if at least one key under
// it is not hidden by a delete marker on this drive.
func (ix *Index) List(ctx context.Context, bucket string, q ListQuery) (ListPage, error) {
	if err := checkNames(bucket, ""); err != nil {
		return ListPage{}, err
	}
	base := bucketPrefix(bucket)
	bp := len(base)
	under := func(name string) []byte { return append(append([]byte(nil), base...), name...) }
	scan := delimitedScan{base: base, prefix: q.Prefix, delim: q.Delimiter, after: q.After, seek: under(q.Prefix), limit: pageLimit(q.Limit)}
	if q.After != "" {
		// Every version of After sorts below After+0x01.
		if a := append(under(q.After), 1); bytes.Compare(a, scan.seek) > 0 {
			scan.seek = a
		}
	}
	var page ListPage
	err := ix.db.View(func(txn *badger.Txn) error {
		var err error
		page.More, err = scan.run(ctx, txn,
			func(it *badger.Iterator, cp string) bool {
				if !anyLive(it, bp, under(cp)) {
					return false
				}
				page.Entries = append(page.Entries, ListEntry{Name: cp, IsPrefix: true})
				return true
			},
			func(it *badger.Iterator, item *badger.Item, name []byte) error {
				key := string(name)
				r := &Record{Bucket: bucket, Key: key, Latest: true}
				if err := item.Value(func(v []byte) error { return decodeRecord(v, r) }); err != nil {
					return fmt.Errorf("%s/%s: %w", bucket, key, err)
				}
				page.Entries = append(page.Entries, ListEntry{Name: key, Record: r})
				skipVersions(it, bp, key)
				return nil
			})
		return err
	})
	if err != nil {
		return ListPage{}, fmt.Errorf("objindex: list %s: %w", bucket, err)
	}
	return page, nil
}

// skipVersions advances it past the remaining (older) versions of key.
func skipVersions(it *badger.Iterator, bp int, key string) {
	for it.Next(); it.Valid() && string(keyName(it.Item().Key(), bp)) == key; it.Next() {
	}
}

// anyLive reports whether some key under cpKey (an encoded key prefix) has a
// newest version that is not a delete marker. It moves the iterator.
func anyLive(it *badger.Iterator, bp int, cpKey []byte) bool {
	for it.Valid() && bytes.HasPrefix(it.Item().Key(), cpKey) {
		item := it.Item()
		if item.UserMeta()&userMetaDeleteMarker == 0 {
			return true
		}
		skipVersions(it, bp, string(keyName(item.Key(), bp)))
	}
	return false
}
