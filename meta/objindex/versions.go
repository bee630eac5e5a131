package objindex

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// MetaUpdate is the new mutable metadata of one version (see Record).
type MetaUpdate struct {
	Tags          map[string]string
	RetentionMode string
	RetainUntil   time.Time
	LegalHold     bool
	// ACL replaces the version's ACL (nil or empty: none).
	ACL []byte
	// MetaTime stamps the change (HLC time). An update older than the one
	// stored is ignored, so replayed or reordered updates converge.
	MetaTime int64
}

// cloneBytes copies b; nil for an empty b, as the record decoder returns.
func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// SetMeta replaces the mutable metadata of one version — the one with
// versionID and modTime — in a single transaction under the key's lock, and
// returns the record as stored (without inline bytes). Nothing else of the
// record changes. It returns ErrNotFound when the index does not hold that
// version.
func (ix *Index) SetMeta(bucket, key, versionID string, modTime int64, u MetaUpdate) (*Record, error) {
	if err := checkNames(bucket, key); err != nil {
		return nil, err
	}
	mu := ix.lock(bucket, key)
	mu.Lock()
	defer mu.Unlock()
	var rec *Record
	err := ix.db.Update(func(txn *badger.Txn) error {
		k := versionKey(bucket, key, modTime, versionID)
		item, err := txn.Get(k)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		r := &Record{Bucket: bucket, Key: key}
		if err := item.Value(func(v []byte) error { return decodeRecord(v, r) }); err != nil {
			return err
		}
		rec = r
		if u.MetaTime < r.MetaTime {
			return nil // a newer update is already stored
		}
		r.Tags = cloneMap(u.Tags)
		if len(r.Tags) == 0 {
			r.Tags = nil
		}
		r.RetentionMode, r.RetainUntil, r.LegalHold, r.MetaTime = u.RetentionMode, u.RetainUntil, u.LegalHold, u.MetaTime
		r.ACL = cloneBytes(u.ACL)
		// The record keeps its InlineSize: the inline bytes are untouched.
		return txn.SetEntry(badger.NewEntry(k, encodeRecord(nil, r)).WithMeta(item.UserMeta()))
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%s/%s version %q: %w", bucket, key, versionID, ErrNotFound)
		}
		return nil, fmt.Errorf("objindex: set meta %s/%s: %w", bucket, key, err)
	}
	return rec, nil
}

// VersionPos is a position in a versions listing.
type VersionPos struct {
	// Key alone (HasVersion false) is the position after every version of
	// Key — and, when Key is a common prefix, after its whole sub-tree.
	// The zero VersionPos is the start.
	Key string
	// HasVersion makes the position the one just after the version
	// (ModTime, VersionID) of Key. FirstOf(key) is the position before the
	// first version of key.
	HasVersion bool
	ModTime    int64
	VersionID  string
}

// FirstOf is the position just before the newest version of key.
func FirstOf(key string) VersionPos {
	return VersionPos{Key: key, HasVersion: true, ModTime: math.MaxInt64}
}

// VersionQuery selects one page of every version of the keys of a bucket.
type VersionQuery struct {
	Prefix string
	// Delimiter groups keys as in ListQuery; a common prefix is returned
	// when any version (delete markers included) lies under it.
	Delimiter string
	// After skips every entry at or before this position.
	After VersionPos
	// Limit bounds the number of entries; zero means 1000.
	Limit int
}

// ListVersions returns every version of the keys matching q, by key and
// newest first within a key (the index order), delete markers included,
// one ListEntry per version (Record set, without inline bytes; Latest is
// not set: only a merge over drives knows it) or per common prefix.
func (ix *Index) ListVersions(ctx context.Context, bucket string, q VersionQuery) (ListPage, error) {
	if err := checkNames(bucket, ""); err != nil {
		return ListPage{}, err
	}
	base := bucketPrefix(bucket)
	scan := delimitedScan{base: base, prefix: q.Prefix, delim: q.Delimiter, after: q.After.Key, limit: pageLimit(q.Limit)}
	scan.seek = append(append([]byte(nil), base...), q.Prefix...)
	if a := q.After; a.Key != "" || a.HasVersion {
		var k []byte
		if a.HasVersion {
			k = append(versionKey(bucket, a.Key, a.ModTime, a.VersionID), 0)
		} else {
			// Every version of Key sorts below Key+0x01.
			k = append(append(append([]byte(nil), base...), a.Key...), 1)
		}
		if bytes.Compare(k, scan.seek) > 0 {
			scan.seek = k
		}
	}
	var page ListPage
	err := ix.db.View(func(txn *badger.Txn) error {
		var err error
		page.More, err = scan.run(ctx, txn,
			func(_ *badger.Iterator, cp string) bool {
				page.Entries = append(page.Entries, ListEntry{Name: cp, IsPrefix: true})
				return true
			},
			func(it *badger.Iterator, item *badger.Item, _ []byte) error {
				pk, err := parseVersionKey(item.Key())
				if err != nil {
					return err
				}
				r := &Record{Bucket: bucket, Key: pk.key}
				if err := item.Value(func(v []byte) error { return decodeRecord(v, r) }); err != nil {
					return fmt.Errorf("%s/%s: %w", bucket, pk.key, err)
				}
				page.Entries = append(page.Entries, ListEntry{Name: pk.key, Record: r})
				it.Next()
				return nil
			})
		return err
	})
	if err != nil {
		return ListPage{}, fmt.Errorf("objindex: list versions %s: %w", bucket, err)
	}
	return page, nil
}
