package objindex

import (
	"bytes"
	"context"

	badger "github.com/dgraph-io/badger/v4"
)

// delimitedScan is the walk List, ListVersions and ListUploads share: the
// keys under base+prefix from seek, in index order, where a name that
// contains delim after prefix stands for its common prefix — visited once
// (when it sorts after after), its whole subtree then skipped — and every
// other key is an entry of its own. base is the encoded namespace and
// bucket; names follow it up to a 0x00.
type delimitedScan struct {
	base   []byte
	prefix string
	delim  string
	after  string
	seek   []byte
	limit  int
}

// run visits at most limit entries and reports whether more remained.
// onPrefix decides whether a common prefix counts as an entry (it may move
// the iterator inside the subtree); onKey must take one entry and leave the
// iterator past what it consumed.
func (s delimitedScan) run(ctx context.Context, txn *badger.Txn,
	onPrefix func(it *badger.Iterator, cp string) bool,
	onKey func(it *badger.Iterator, item *badger.Item, name []byte) error,
) (more bool, err error) {
	under := func(name string) []byte { return append(append([]byte(nil), s.base...), name...) }
	bp := len(s.base)
	delim := []byte(s.delim)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: under(s.prefix)})
	defer it.Close()
	n := 0
	for it.Seek(s.seek); it.Valid(); {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		item := it.Item()
		name := keyName(item.Key(), bp)
		if len(delim) > 0 {
			if i := bytes.Index(name[len(s.prefix):], delim); i >= 0 {
				cp := string(name[:len(s.prefix)+i+len(delim)])
				if s.after == "" || cp > s.after {
					if n == s.limit {
						return true, nil
					}
					if onPrefix(it, cp) {
						n++
					}
				}
				succ := successor(cp)
				if succ == "" {
					return false, nil
				}
				it.Seek(under(succ))
				continue
			}
		}
		if n == s.limit {
			return true, nil
		}
		if err := onKey(it, item, name); err != nil {
			return false, err
		}
		n++
	}
	return false, nil
}

// pageLimit is a query's Limit, 1000 when unset.
func pageLimit(limit int) int {
	if limit <= 0 {
		return 1000
	}
	return limit
}
