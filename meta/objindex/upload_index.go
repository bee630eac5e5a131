package objindex

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// ErrUploadSealed means a part arrived after a completed version took over
// the upload's data folder: the upload accepts no more parts.
var ErrUploadSealed = errors.New("objindex: upload is being completed")

// PutUpload stores a new upload and claims its data folder (the nsData
// entry of u.DataID names the upload), in one transaction.
func (ix *Index) PutUpload(u *Upload) error {
	if err := checkNames(u.Bucket, u.Key); err != nil {
		return err
	}
	if u.UploadID == "" || bytes.IndexByte([]byte(u.UploadID), 0) >= 0 || u.DataID == "" {
		return fmt.Errorf("%w: upload %q data %q", ErrInvalidName, u.UploadID, u.DataID)
	}
	mu := ix.lock(u.Bucket, u.Key)
	mu.Lock()
	defer mu.Unlock()
	uk := uploadKey(u.Bucket, u.Key, u.UploadID)
	err := ix.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(uk, encodeUpload(nil, u)); err != nil {
			return err
		}
		return txn.Set(dataKey(u.DataID), uk)
	})
	if err != nil {
		return fmt.Errorf("objindex: put upload %s/%s %s: %w", u.Bucket, u.Key, u.UploadID, err)
	}
	return nil
}

func dataKey(dataID string) []byte { return append([]byte{nsData}, dataID...) }

// getUploadTxn reads an upload; ErrNotFound when absent.
func getUploadTxn(txn *badger.Txn, bucket, key, uploadID string) (*Upload, error) {
	item, err := txn.Get(uploadKey(bucket, key, uploadID))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	u := &Upload{Bucket: bucket, Key: key, UploadID: uploadID}
	if err := item.Value(func(v []byte) error { return decodeUpload(v, u) }); err != nil {
		return nil, err
	}
	return u, nil
}

// getTxn returns a copy of the value of k, or nil when absent.
func getTxn(txn *badger.Txn, k []byte) ([]byte, error) {
	item, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf(format+": %w", append(args, ErrNotFound)...)
	}
	return fmt.Errorf("objindex: "+format+": %w", append(args, err)...)
}

// GetUpload returns one upload, or ErrNotFound.
func (ix *Index) GetUpload(bucket, key, uploadID string) (*Upload, error) {
	if err := checkNames(bucket, key); err != nil {
		return nil, err
	}
	var u *Upload
	err := ix.db.View(func(txn *badger.Txn) error {
		var err error
		u, err = getUploadTxn(txn, bucket, key, uploadID)
		return err
	})
	if err != nil {
		return nil, notFound(err, "upload %s/%s %s", bucket, key, uploadID)
	}
	return u, nil
}

// PartResult says what PutPart did.
type PartResult struct {
	// DataID is the upload's data folder.
	DataID string
	// Superseded is true when a newer attempt of the part is stored: p was
	// not, and its file must be discarded.
	Superseded bool
	// Replaced is the older attempt p replaced (nil if none, or if it was
	// the same attempt); its file must be discarded.
	Replaced *UploadPart
}

// PutPart stores p as the current attempt of its part number, unless a
// newer attempt (greater ModTime) is stored. It fails with ErrNotFound when
// the upload is not in this index and with ErrUploadSealed when a version
// owns the upload's data folder (the upload is being completed).
func (ix *Index) PutPart(p *UploadPart) (PartResult, error) {
	if err := checkNames(p.Bucket, p.Key); err != nil {
		return PartResult{}, err
	}
	mu := ix.lock(p.Bucket, p.Key)
	mu.Lock()
	defer mu.Unlock()
	var res PartResult
	err := ix.db.Update(func(txn *badger.Txn) error {
		res = PartResult{}
		u, err := getUploadTxn(txn, p.Bucket, p.Key, p.UploadID)
		if err != nil {
			return err
		}
		res.DataID = u.DataID
		owner, err := getTxn(txn, dataKey(u.DataID))
		if err != nil {
			return err
		}
		if !bytes.Equal(owner, uploadKey(p.Bucket, p.Key, p.UploadID)) {
			return ErrUploadSealed
		}
		pk := partKey(p.Bucket, p.Key, p.UploadID, p.Number)
		v, err := getTxn(txn, pk)
		if err != nil {
			return err
		}
		if v != nil {
			old := &UploadPart{Bucket: p.Bucket, Key: p.Key, UploadID: p.UploadID, Number: p.Number}
			if err := decodePart(v, old); err != nil {
				return err
			}
			switch {
			case old.File == p.File: // the same attempt again: overwrite
			case old.ModTime > p.ModTime:
				res.Superseded = true
				return nil
			default:
				res.Replaced = old
			}
		}
		return txn.Set(pk, encodePart(nil, p))
	})
	if err != nil {
		return PartResult{}, notFound(err, "put part %d of %s/%s %s", p.Number, p.Bucket, p.Key, p.UploadID)
	}
	return res, nil
}

// DeletePart removes the attempt (number, file) of a part if it is the
// stored one, and returns the upload's data folder. ErrNotFound otherwise.
func (ix *Index) DeletePart(bucket, key, uploadID string, number, file int) (dataID string, err error) {
	if err := checkNames(bucket, key); err != nil {
		return "", err
	}
	mu := ix.lock(bucket, key)
	mu.Lock()
	defer mu.Unlock()
	err = ix.db.Update(func(txn *badger.Txn) error {
		u, err := getUploadTxn(txn, bucket, key, uploadID)
		if err != nil {
			return err
		}
		dataID = u.DataID
		pk := partKey(bucket, key, uploadID, number)
		v, err := getTxn(txn, pk)
		if err != nil {
			return err
		}
		if v == nil {
			return ErrNotFound
		}
		var old UploadPart
		if err := decodePart(v, &old); err != nil {
			return err
		}
		if old.File != file {
			return ErrNotFound
		}
		return txn.Delete(pk)
	})
	if err != nil {
		return "", notFound(err, "delete part %d of %s/%s %s", number, bucket, key, uploadID)
	}
	return dataID, nil
}

// Parts returns up to limit parts (all when limit ≤ 0) with numbers
// greater than after, by number; more is true when some remain.
func (ix *Index) Parts(bucket, key, uploadID string, after, limit int) (parts []*UploadPart, more bool, err error) {
	if err := checkNames(bucket, key); err != nil {
		return nil, false, err
	}
	err = ix.db.View(func(txn *badger.Txn) error {
		prefix := partPrefix(bucket, key, uploadID)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Seek(partKey(bucket, key, uploadID, after+1)); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != len(prefix)+4 {
				return fmt.Errorf("%w: part key %q", errCorrupt, k)
			}
			if limit > 0 && len(parts) == limit {
				more = true
				return nil
			}
			p := &UploadPart{Bucket: bucket, Key: key, UploadID: uploadID, Number: int(binary.BigEndian.Uint32(k[len(prefix):]))}
			if err := it.Item().Value(func(v []byte) error { return decodePart(v, p) }); err != nil {
				return err
			}
			parts = append(parts, p)
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("objindex: parts of %s/%s %s: %w", bucket, key, uploadID, err)
	}
	return parts, more, nil
}

// UploadRemoval is what DeleteUpload removed and what the caller must do
// with the upload's data folder.
type UploadRemoval struct {
	Upload *Upload
	// Owned is true when the upload still owned its data folder (no version
	// took it over): the whole folder is garbage now.
	Owned bool
	// Keep, when a version owns the folder (its completion), lists the
	// shard files that version names: every other file is garbage.
	Keep []int
}

// partBatch bounds the part records deleted per transaction, well below
// badger's transaction size limit.
const partBatch = 1000

// DeleteUpload removes an upload and all its part records; ErrNotFound if
// the upload is not here. The upload record goes last, in the transaction
// that settles its data folder, so an interrupted removal can be repeated.
func (ix *Index) DeleteUpload(bucket, key, uploadID string) (UploadRemoval, error) {
	if err := checkNames(bucket, key); err != nil {
		return UploadRemoval{}, err
	}
	mu := ix.lock(bucket, key)
	mu.Lock()
	defer mu.Unlock()
	if err := ix.db.View(func(txn *badger.Txn) error {
		_, err := getUploadTxn(txn, bucket, key, uploadID)
		return err
	}); err != nil {
		return UploadRemoval{}, notFound(err, "delete upload %s/%s %s", bucket, key, uploadID)
	}
	prefix := partPrefix(bucket, key, uploadID)
	for {
		n := 0
		err := ix.db.Update(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
			var keys [][]byte
			for it.Seek(prefix); it.Valid() && len(keys) < partBatch; it.Next() {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			it.Close()
			n = len(keys)
			for _, k := range keys {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return UploadRemoval{}, fmt.Errorf("objindex: delete parts of %s/%s %s: %w", bucket, key, uploadID, err)
		}
		if n < partBatch {
			break
		}
	}
	var rm UploadRemoval
	err := ix.db.Update(func(txn *badger.Txn) error {
		rm = UploadRemoval{}
		u, err := getUploadTxn(txn, bucket, key, uploadID)
		if err != nil {
			return err
		}
		rm.Upload = u
		uk := uploadKey(bucket, key, uploadID)
		owner, err := getTxn(txn, dataKey(u.DataID))
		if err != nil {
			return err
		}
		switch {
		case bytes.Equal(owner, uk):
			rm.Owned = true
			if err := txn.Delete(dataKey(u.DataID)); err != nil {
				return err
			}
		case owner != nil:
			v, err := getTxn(txn, append([]byte{nsVersion}, owner...))
			if err != nil {
				return err
			}
			if v == nil {
				return fmt.Errorf("%w: data %s names a missing version", errCorrupt, u.DataID)
			}
			var r Record
			if err := decodeRecord(v, &r); err != nil {
				return err
			}
			rm.Keep = []int{}
			for _, p := range r.Parts {
				rm.Keep = append(rm.Keep, p.FileNumber())
			}
		default:
			// Nobody claims the folder (a version that took it over was
			// deleted since): it is garbage.
			rm.Owned = true
		}
		return txn.Delete(uk)
	})
	if err != nil {
		return UploadRemoval{}, notFound(err, "delete upload %s/%s %s", bucket, key, uploadID)
	}
	return rm, nil
}

// RevertCompletion undoes the commit of the version (versionID, modTime)
// that completed upload uploadID: the version is removed (if it was
// stored) and the data folder belongs to the upload again. ErrNotFound if
// the upload is not here.
func (ix *Index) RevertCompletion(bucket, key, versionID string, modTime int64, uploadID string) error {
	if err := checkNames(bucket, key); err != nil {
		return err
	}
	mu := ix.lock(bucket, key)
	mu.Lock()
	defer mu.Unlock()
	err := ix.db.Update(func(txn *badger.Txn) error {
		u, err := getUploadTxn(txn, bucket, key, uploadID)
		if err != nil {
			return err
		}
		vk := versionKey(bucket, key, modTime, versionID)
		v, err := getTxn(txn, vk)
		if err != nil {
			return err
		}
		if v != nil {
			r := &Record{Bucket: bucket, Key: key}
			if err := decodeRecord(v, r); err != nil {
				return err
			}
			if r.DataID != u.DataID {
				return fmt.Errorf("objindex: version %s of %s/%s does not complete upload %s", versionID, bucket, key, uploadID)
			}
			if err := ix.deleteVersionTxn(txn, vk, r); err != nil {
				return err
			}
		}
		return txn.Set(dataKey(u.DataID), uploadKey(bucket, key, uploadID))
	})
	if err != nil {
		return notFound(err, "revert completion of %s/%s %s", bucket, key, uploadID)
	}
	return nil
}

// UploadQuery selects one page of the uploads of a bucket.
type UploadQuery struct {
	Prefix    string
	Delimiter string
	// AfterKey and AfterUploadID skip every upload at or before
	// (AfterKey, AfterUploadID); with AfterUploadID empty, every upload of
	// AfterKey. A common prefix is returned only if it sorts after AfterKey.
	AfterKey, AfterUploadID string
	// Limit bounds the number of entries; zero means 1000.
	Limit int
}

// UploadEntry is an upload or a common prefix of upload keys.
type UploadEntry struct {
	Name     string // the key, or the common prefix
	IsPrefix bool
	Upload   *Upload // nil for a common prefix
}

// UploadPage is one page of a drive's uploads, by key then upload ID.
type UploadPage struct {
	Entries []UploadEntry
	More    bool
}

// ListUploads returns the uploads of bucket matching q, by key then
// upload ID, folding keys that contain the delimiter after the prefix into
// common prefixes.
func (ix *Index) ListUploads(ctx context.Context, bucket string, q UploadQuery) (UploadPage, error) {
	if err := checkNames(bucket, ""); err != nil {
		return UploadPage{}, err
	}
	base := uploadPrefix(bucket, "")
	base = base[:len(base)-1] // nsUpload | bucket | 0x00
	cat := func(parts ...[]byte) []byte { return bytes.Join(append([][]byte{base}, parts...), nil) }
	scan := delimitedScan{base: base, prefix: q.Prefix, delim: q.Delimiter, after: q.AfterKey, seek: cat([]byte(q.Prefix)), limit: pageLimit(q.Limit)}
	if q.AfterKey != "" {
		a := cat([]byte(q.AfterKey), []byte{1}) // past every upload of AfterKey
		if q.AfterUploadID != "" {
			a = cat([]byte(q.AfterKey), []byte{0}, []byte(q.AfterUploadID), []byte{0})
		}
		if bytes.Compare(a, scan.seek) > 0 {
			scan.seek = a
		}
	}
	var page UploadPage
	err := ix.db.View(func(txn *badger.Txn) error {
		var err error
		page.More, err = scan.run(ctx, txn,
			func(_ *badger.Iterator, cp string) bool {
				page.Entries = append(page.Entries, UploadEntry{Name: cp, IsPrefix: true})
				return true
			},
			func(it *badger.Iterator, item *badger.Item, _ []byte) error {
				ref, err := parseUploadKey(item.Key())
				if err != nil {
					return err
				}
				u := &Upload{Bucket: ref.Bucket, Key: ref.Key, UploadID: ref.UploadID}
				if err := item.Value(func(v []byte) error { return decodeUpload(v, u) }); err != nil {
					return fmt.Errorf("upload %s/%s %s: %w", bucket, ref.Key, ref.UploadID, err)
				}
				page.Entries = append(page.Entries, UploadEntry{Name: ref.Key, Upload: u})
				it.Next()
				return nil
			})
		return err
	})
	if err != nil {
		return UploadPage{}, fmt.Errorf("objindex: list uploads of %s: %w", bucket, err)
	}
	return page, nil
}

// WalkUploads returns up to limit uploads (of all buckets) strictly after
// after, in index order; more is true if the walk was cut by limit.
func (ix *Index) WalkUploads(ctx context.Context, after UploadRef, limit int) (refs []UploadRef, more bool, err error) {
	if limit <= 0 {
		limit = 1000
	}
	err = ix.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{nsUpload}})
		defer it.Close()
		seek := []byte{nsUpload}
		if after.Bucket != "" {
			seek = append(uploadKey(after.Bucket, after.Key, after.UploadID), 0)
		}
		for it.Seek(seek); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if len(refs) == limit {
				more = true
				return nil
			}
			ref, err := parseUploadKey(it.Item().Key())
			if err != nil {
				return err
			}
			refs = append(refs, ref)
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("objindex: walk uploads: %w", err)
	}
	return refs, more, nil
}
