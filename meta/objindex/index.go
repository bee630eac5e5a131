package objindex

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// ErrNotFound means the requested key or version is not in this index.
var ErrNotFound = errors.New("objindex: not found")

// Index is the object index of one drive. It is safe for concurrent use.
type Index struct {
	db   *badger.DB
	seed maphash.Seed
	// locks serialize read-modify-write of one key (striped by hash).
	locks [64]sync.Mutex

	stop chan struct{}
	done chan struct{}
}

// Open opens (creating if needed) the index stored in dir.
func Open(dir string, opts Options) (*Index, error) {
	db, err := badger.Open(opts.badger(dir))
	if err != nil {
		return nil, fmt.Errorf("objindex: open %s: %w", dir, err)
	}
	ix := &Index{db: db, seed: maphash.MakeSeed(), stop: make(chan struct{}), done: make(chan struct{})}
	if err := ix.checkSchema(); err != nil {
		db.Close()
		return nil, err
	}
	interval := opts.GCInterval
	if interval == 0 {
		interval = 10 * time.Minute
	}
	if interval > 0 {
		go ix.gcLoop(interval)
	} else {
		close(ix.done)
	}
	return ix, nil
}

func (ix *Index) checkSchema() error {
	return ix.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(schemaKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return txn.Set(schemaKey, []byte{SchemaVersion})
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			if len(v) != 1 || v[0] != SchemaVersion {
				return fmt.Errorf("objindex: unsupported schema version %v", v)
			}
			return nil
		})
	})
}

func (ix *Index) gcLoop(interval time.Duration) {
	defer close(ix.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ix.stop:
			return
		case <-t.C:
			// Each successful call rewrote one value-log file; stop when
			// there is nothing left worth rewriting.
			for ix.db.RunValueLogGC(0.5) == nil {
				select {
				case <-ix.stop:
					return
				default:
				}
			}
		}
	}
}

// Close stops background work and closes the DB.
func (ix *Index) Close() error {
	select {
	case <-ix.stop:
		return nil
	default:
	}
	close(ix.stop)
	<-ix.done
	return ix.db.Close()
}

func (ix *Index) lock(bucket, key string) *sync.Mutex {
	var h maphash.Hash
	h.SetSeed(ix.seed)
	h.WriteString(bucket)
	h.WriteByte(0)
	h.WriteString(key)
	return &ix.locks[h.Sum64()%uint64(len(ix.locks))]
}

// PutResult says what a Put did besides storing the record.
type PutResult struct {
	// Superseded is true when a newer null version already exists: the
	// record was not stored and its data must be discarded.
	Superseded bool
	// Replaced are older versions the put removed (older null versions of
	// the key); the caller removes their shard data.
	Replaced []*Record
}

// Put stores rec (and rec.Inline under its own key) in one transaction.
//
// INVARIANT: a key has at most one NullVersion record, the newest one ever
// put: a null put removes older null records and is dropped if a newer one
// exists. Putting a version that already exists (same VersionID and
// ModTime) overwrites it; healing relies on that. Such an overwrite keeps
// the stored mutable metadata (tags, retention, legal hold, ACL) when its
// MetaTime is newer than rec's, copying it into rec, so a heal that read
// the version before a SetMeta cannot roll the update back.
func (ix *Index) Put(rec *Record) (PutResult, error) {
	if err := checkNames(rec.Bucket, rec.Key); err != nil {
		return PutResult{}, err
	}
	mu := ix.lock(rec.Bucket, rec.Key)
	mu.Lock()
	defer mu.Unlock()

	var res PutResult
	err := ix.db.Update(func(txn *badger.Txn) error {
		res = PutResult{}
		prefix := objectPrefix(rec.Bucket, rec.Key)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		var stale [][]byte
		var err error
		overwrite := false
		for it.Seek(prefix); it.Valid(); it.Next() {
			item := it.Item()
			pk, perr := parseVersionKey(item.Key())
			if perr != nil {
				err = perr
				break
			}
			if pk.versionID != rec.VersionID {
				continue
			}
			if pk.modTime == rec.ModTime {
				overwrite = true // same version: overwritten below
				cur := &Record{Bucket: rec.Bucket, Key: rec.Key}
				if err = item.Value(func(v []byte) error { return decodeRecord(v, cur) }); err != nil {
					break
				}
				if cur.MetaTime > rec.MetaTime {
					rec.Tags, rec.RetentionMode, rec.RetainUntil = cloneMap(cur.Tags), cur.RetentionMode, cur.RetainUntil
					rec.LegalHold, rec.MetaTime = cur.LegalHold, cur.MetaTime
					rec.ACL = cloneBytes(cur.ACL)
				}
				continue
			}
			if rec.VersionID == NullVersion && pk.modTime > rec.ModTime {
				res.Superseded = true
				break
			}
			old := &Record{Bucket: rec.Bucket, Key: rec.Key}
			if err = item.Value(func(v []byte) error { return decodeRecord(v, old) }); err != nil {
				break
			}
			res.Replaced = append(res.Replaced, old)
			stale = append(stale, item.KeyCopy(nil))
		}
		it.Close()
		if err != nil || res.Superseded {
			return err
		}
		for i, k := range stale {
			if err := ix.deleteVersionTxn(txn, k, res.Replaced[i]); err != nil {
				return err
			}
		}
		return ix.setVersionTxn(txn, rec, overwrite)
	})
	if err != nil {
		return PutResult{}, fmt.Errorf("objindex: put %s/%s: %w", rec.Bucket, rec.Key, err)
	}
	return res, nil
}

func (ix *Index) setVersionTxn(txn *badger.Txn, rec *Record, overwrite bool) error {
	rec.InlineSize = len(rec.Inline)
	k := versionKey(rec.Bucket, rec.Key, rec.ModTime, rec.VersionID)
	var meta byte
	if rec.DeleteMarker {
		meta = userMetaDeleteMarker
	}
	if err := txn.SetEntry(badger.NewEntry(k, encodeRecord(nil, rec)).WithMeta(meta)); err != nil {
		return err
	}
	ik := withNamespace(k, nsInline)
	if len(rec.Inline) > 0 {
		if err := txn.Set(ik, rec.Inline); err != nil {
			return err
		}
	} else if overwrite {
		// Only an overwrite can leave inline bytes behind; a tombstone on
		// every put would just be compaction work.
		if err := txn.Delete(ik); err != nil {
			return err
		}
	}
	if rec.DataID != "" {
		return txn.Set(append([]byte{nsData}, rec.DataID...), k[1:])
	}
	return nil
}

func (ix *Index) deleteVersionTxn(txn *badger.Txn, k []byte, old *Record) error {
	if err := txn.Delete(k); err != nil {
		return err
	}
	if old.InlineSize > 0 {
		if err := txn.Delete(withNamespace(k, nsInline)); err != nil {
			return err
		}
	}
	if old.DataID != "" {
		return txn.Delete(append([]byte{nsData}, old.DataID...))
	}
	return nil
}

// Get returns one version of a key: the newest when versionID is empty.
// withInline also loads the inline shard bytes. It returns ErrNotFound when
// the key or version is absent.
func (ix *Index) Get(bucket, key, versionID string, withInline bool) (*Record, error) {
	if err := checkNames(bucket, key); err != nil {
		return nil, err
	}
	var rec *Record
	err := ix.db.View(func(txn *badger.Txn) error {
		prefix := objectPrefix(bucket, key)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		first := true
		for it.Seek(prefix); it.Valid(); it.Next() {
			item := it.Item()
			pk, err := parseVersionKey(item.Key())
			if err != nil {
				return err
			}
			if versionID == "" || pk.versionID == versionID {
				r := &Record{Bucket: bucket, Key: key, Latest: first}
				if err := item.Value(func(v []byte) error { return decodeRecord(v, r) }); err != nil {
					return err
				}
				if withInline && r.InlineSize > 0 {
					in, err := txn.Get(withNamespace(item.Key(), nsInline))
					if err != nil {
						return fmt.Errorf("inline bytes: %w", err)
					}
					if r.Inline, err = in.ValueCopy(nil); err != nil {
						return err
					}
				}
				rec = r
				return nil
			}
			first = false
		}
		return ErrNotFound
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%s/%s version %q: %w", bucket, key, versionID, ErrNotFound)
		}
		return nil, fmt.Errorf("objindex: get %s/%s: %w", bucket, key, err)
	}
	return rec, nil
}

// Versions returns every version of a key, newest first, without inline bytes.
func (ix *Index) Versions(bucket, key string) ([]*Record, error) {
	if err := checkNames(bucket, key); err != nil {
		return nil, err
	}
	var out []*Record
	err := ix.db.View(func(txn *badger.Txn) error {
		prefix := objectPrefix(bucket, key)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 16})
		defer it.Close()
		for it.Seek(prefix); it.Valid(); it.Next() {
			r := &Record{Bucket: bucket, Key: key, Latest: len(out) == 0}
			if err := it.Item().Value(func(v []byte) error { return decodeRecord(v, r) }); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("objindex: versions %s/%s: %w", bucket, key, err)
	}
	return out, nil
}

// Delete removes one version whose ModTime is not after notAfter (so a
// delete never removes a newer concurrent write) and returns it. It returns
// ErrNotFound if there is no such version.
func (ix *Index) Delete(bucket, key, versionID string, notAfter int64) (*Record, error) {
	if err := checkNames(bucket, key); err != nil {
		return nil, err
	}
	mu := ix.lock(bucket, key)
	mu.Lock()
	defer mu.Unlock()
	var removed *Record
	err := ix.db.Update(func(txn *badger.Txn) error {
		removed = nil
		prefix := objectPrefix(bucket, key)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		var k []byte
		var err error
		for it.Seek(prefix); it.Valid(); it.Next() {
			item := it.Item()
			pk, perr := parseVersionKey(item.Key())
			if perr != nil {
				err = perr
				break
			}
			if pk.versionID != versionID || pk.modTime > notAfter {
				continue
			}
			r := &Record{Bucket: bucket, Key: key}
			if err = item.Value(func(v []byte) error { return decodeRecord(v, r) }); err != nil {
				break
			}
			removed, k = r, item.KeyCopy(nil)
			break
		}
		it.Close()
		if err != nil {
			return err
		}
		if removed == nil {
			return ErrNotFound
		}
		return ix.deleteVersionTxn(txn, k, removed)
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%s/%s version %q: %w", bucket, key, versionID, ErrNotFound)
		}
		return nil, fmt.Errorf("objindex: delete %s/%s: %w", bucket, key, err)
	}
	return removed, nil
}

// HasObjects reports whether any version (delete markers included) of any
// key of bucket is in the index.
func (ix *Index) HasObjects(bucket string) (bool, error) {
	found := false
	err := ix.db.View(func(txn *badger.Txn) error {
		prefix := bucketPrefix(bucket)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		it.Seek(prefix)
		found = it.Valid()
		return nil
	})
	return found, err
}

// HasData reports whether a version referencing shard directory dataID is
// indexed. Used to find orphaned shard directories.
func (ix *Index) HasData(dataID string) (bool, error) {
	err := ix.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(append([]byte{nsData}, dataID...))
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ObjectRef names one key of one bucket.
type ObjectRef struct {
	Bucket string
	Key    string
}

// Less orders refs as the index does: by bucket, then key.
func (r ObjectRef) Less(o ObjectRef) bool {
	if r.Bucket != o.Bucket {
		return r.Bucket < o.Bucket
	}
	return r.Key < o.Key
}

// Walk returns up to limit distinct keys (of all buckets) strictly after
// after, in index order; more is true if the walk was cut by limit.
func (ix *Index) Walk(ctx context.Context, after ObjectRef, limit int) (refs []ObjectRef, more bool, err error) {
	if limit <= 0 {
		limit = 1000
	}
	err = ix.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{nsVersion}})
		defer it.Close()
		seek := []byte{nsVersion}
		if after.Bucket != "" {
			// Past every version of after: its versions sort below key+0x01.
			seek = objectPrefix(after.Bucket, after.Key)
			seek[len(seek)-1] = 1
		}
		for it.Seek(seek); it.Valid(); {
			if err := ctx.Err(); err != nil {
				return err
			}
			pk, err := parseVersionKey(it.Item().Key())
			if err != nil {
				return err
			}
			if len(refs) == limit {
				more = true
				return nil
			}
			refs = append(refs, ObjectRef{Bucket: pk.bucket, Key: pk.key})
			next := objectPrefix(pk.bucket, pk.key)
			next[len(next)-1] = 1
			it.Seek(next)
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("objindex: walk: %w", err)
	}
	return refs, more, nil
}

// Sync flushes the index to disk (a no-op cost when SyncWrites is on).
func (ix *Index) Sync() error { return ix.db.Sync() }
