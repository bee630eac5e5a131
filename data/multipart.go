package data

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// Multipart uploads (see doc.go): creation, part writes and abort. An
// upload is a record on the drives of the set, written and removed with the
// same quorums as a version; its parts are erasure-coded into the upload's
// own data folder, which the completed version keeps (multipart_complete.go).

// Limits of S3 multipart uploads.
const (
	// MinPartSize is the smallest size of a part other than the last.
	MinPartSize = 5 << 20
	// MaxPartNumber is the largest part number.
	MaxPartNumber = 10000
	// MaxListParts and MaxListUploads are the largest (and default) pages
	// of ListParts and ListMultipartUploads.
	MaxListParts   = 1000
	MaxListUploads = 1000
)

// ErrInvalidPartNumber means a part number outside 1–10000, or (for a
// read) one the version does not have. Read errors also wrap
// ErrInvalidRange: S3 answers 416 either way.
var ErrInvalidPartNumber = errors.New("data: invalid part number")

// uploadIDLen is the length of an upload ID: the initiation time (16 hex
// digits, so IDs of one key sort by initiation as S3 lists them) and 128
// random bits (32 hex digits), which make it unguessable.
const uploadIDLen = 48

func newUploadID(initiated int64) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return fmt.Sprintf("%016x", uint64(initiated)) + hex.EncodeToString(b[:])
}

func validUploadID(id string) bool {
	if len(id) != uploadIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// newPartFile picks the shard file number of one part attempt: 62 random
// bits above MaxPartNumber, so attempts never share a file (and never take
// the number of a simple PUT's part.1).
func newPartFile() int {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	v := int(binary.BigEndian.Uint64(b[:]) >> 2)
	if v <= MaxPartNumber {
		v += MaxPartNumber + 1
	}
	return v
}

// lockUpload serializes the commit steps of one upload in this Store (part
// commits, completion, abort), so a completion sees a stable set of parts
// and no part lands after it. The key-lock table is shared with key locks:
// no object key holds a NUL, so the names cannot collide.
func (s *Store) lockUpload(bucket, key, uploadID string) (unlock func()) {
	return s.keyLocks.lock(objindex.ObjectRef{Bucket: bucket, Key: key + "\x00" + uploadID})
}

// CreateMultipartUpload starts an upload: its record, holding opts and the
// erasure layout of every part, is stored on a write quorum of drives.
func (s *Store) CreateMultipartUpload(ctx context.Context, bucket, key string, opts PutOptions) (Upload, error) {
	if err := checkName(bucket, key); err != nil {
		return Upload{}, err
	}
	m, err := s.parityFor(opts.ParityShards)
	if err != nil {
		return Upload{}, err
	}
	k, wq := s.quorums(m)
	now := s.clock.Now()
	u := &objindex.Upload{
		Bucket: bucket, Key: key, UploadID: newUploadID(now), Initiated: now, DataID: newDataID(),
		Erasure: objindex.Erasure{DataShards: k, ParityShards: m, BlockSize: s.blockSize, Bitrot: objindex.BitrotHighwayHash256},
		Owner:   opts.Owner, Headers: cloneStrMap(opts.Headers),
		PosixUID: cloneU32(opts.PosixUID), PosixGID: cloneU32(opts.PosixGID), Versioned: opts.Versioned,
		Tags: cloneStrMap(opts.Meta.Tags), RetentionMode: opts.Meta.Retention.Mode,
		RetainUntil: utcOrZero(opts.Meta.Retention.Until), LegalHold: opts.Meta.LegalHold,
		ACL: cloneACL(opts.Meta.ACL),
	}
	dist := distribution(bucket, key, s.n)
	ctx = context.WithoutCancel(ctx) // a half-done creation must finish or roll back
	errs := make([]error, s.n)
	s.each(func(slot int, d Drive) {
		c := *u
		c.Erasure.ShardIndex = dist[slot]
		errs[slot] = d.CreateUpload(ctx, &c)
	})
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		}
	}
	if ok < wq {
		s.each(func(slot int, d Drive) {
			if errs[slot] == nil {
				d.RemoveUpload(ctx, bucket, key, u.UploadID)
			}
		})
		return Upload{}, fmt.Errorf("%w: upload created on %d of %d drives, %d needed: %w", ErrWriteQuorum, ok, s.n, wq, s.driveErrors(errs))
	}
	if ok < s.n {
		s.log.Warn("upload created below full width", "bucket", bucket, "key", key, "upload", u.UploadID,
			"created", ok, "drives", s.n, "err", s.driveErrors(errs))
	}
	return uploadFromRecord(u), nil
}

func cloneU32(p *uint32) *uint32 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// driveErrors joins the non-nil errors of errs (by slot), naming drives.
func (s *Store) driveErrors(errs []error) error {
	var out []error
	for slot, err := range errs {
		if err != nil {
			out = append(out, fmt.Errorf("%s: %w", s.drives[slot].Info().Endpoint, err))
		}
	}
	return errors.Join(out...)
}

func uploadFromRecord(u *objindex.Upload) Upload {
	return Upload{
		Bucket: u.Bucket, Key: u.Key, UploadID: u.UploadID, Initiated: timeFromHLC(u.Initiated), Owner: u.Owner,
		Options: PutOptions{
			Headers: cloneStrMap(u.Headers), Owner: u.Owner,
			PosixUID: cloneU32(u.PosixUID), PosixGID: cloneU32(u.PosixGID),
			Versioned: u.Versioned, ParityShards: u.Erasure.ParityShards,
			Meta: uploadMeta(u),
		},
	}
}

// uploadMeta is the metadata the version completing u will carry.
func uploadMeta(u *objindex.Upload) VersionMeta {
	return VersionMeta{
		Tags: cloneStrMap(u.Tags), Retention: Retention{Mode: u.RetentionMode, Until: u.RetainUntil},
		LegalHold: u.LegalHold, ACL: cloneACL(u.ACL),
	}
}

// uploadState is an upload as the drives hold it.
type uploadState struct {
	rec *objindex.Upload
	// shard is, by slot, the shard index the drive holds for every part,
	// or -1 when the drive does not hold the upload (or did not answer).
	shard   []int
	holders int
}

func (st *uploadState) ref() string {
	return st.rec.Bucket + "/" + st.rec.Key + " upload " + st.rec.UploadID
}

// readUpload reads an upload's record from every drive. The upload exists
// when at least k drives hold it (it was created on a write quorum, and a
// removal leaves it on fewer than k); when fewer do but the drives that did
// not answer could make up k, the answer is ErrReadQuorum.
func (s *Store) readUpload(ctx context.Context, bucket, key, uploadID string) (*uploadState, error) {
	if err := checkName(bucket, key); err != nil {
		return nil, err
	}
	if !validUploadID(uploadID) {
		return nil, fmt.Errorf("%w: %s/%s upload %q", ErrNoSuchUpload, bucket, key, uploadID)
	}
	st, answered, errs := s.scanUpload(ctx, bucket, key, uploadID)
	if answered < s.readQuorum() {
		return nil, fmt.Errorf("%w: %d of %d drives answered: %w", ErrReadQuorum, answered, s.n, s.driveErrors(errs))
	}
	if st.rec == nil {
		return nil, fmt.Errorf("%w: %s/%s upload %s", ErrNoSuchUpload, bucket, key, uploadID)
	}
	k := st.rec.Erasure.DataShards
	switch {
	case st.holders >= k:
		return st, nil
	case st.holders+s.n-answered >= k:
		return nil, fmt.Errorf("%w: %s is on %d drives, %d needed", ErrReadQuorum, st.ref(), st.holders, k)
	default:
		return nil, fmt.Errorf("%w: %s/%s upload %s", ErrNoSuchUpload, bucket, key, uploadID)
	}
}

// scanUpload asks every drive for an upload's record. answered counts the
// drives that answered (with the record or without); errs holds, by slot,
// the errors of the others.
func (s *Store) scanUpload(ctx context.Context, bucket, key, uploadID string) (st *uploadState, answered int, errs []error) {
	recs := make([]*objindex.Upload, s.n)
	errs = make([]error, s.n)
	s.each(func(slot int, d Drive) {
		recs[slot], errs[slot] = d.ReadUpload(ctx, bucket, key, uploadID)
	})
	st = &uploadState{shard: make([]int, s.n)}
	for slot, r := range recs {
		st.shard[slot] = -1
		if errs[slot] == nil || errors.Is(errs[slot], objindex.ErrNotFound) {
			answered++
			errs[slot] = nil
		}
		if r == nil {
			continue
		}
		if st.rec == nil {
			st.rec = r
		} else if r.DataID != st.rec.DataID || r.Initiated != st.rec.Initiated {
			continue // cannot happen: upload IDs are unique
		}
		st.shard[slot] = r.Erasure.ShardIndex
		st.holders++
	}
	return st, answered, errs
}

// PutObjectPart writes part partNumber of an upload like PutObject writes
// an object (blocks, erasure coding, bitrot hashes, tmp then fsync), into a
// shard file of its own in the upload's data folder, then commits the
// part's record on a write quorum of the drives holding the upload. A
// re-uploaded part number replaces the earlier attempt once committed.
func (s *Store) PutObjectPart(ctx context.Context, bucket, key, uploadID string, partNumber int, body io.Reader, size int64, seal func() (Sealed, error)) (PartInfo, error) {
	if partNumber < 1 || partNumber > MaxPartNumber {
		return PartInfo{}, fmt.Errorf("%w: %d is not in 1–%d", ErrInvalidPartNumber, partNumber, MaxPartNumber)
	}
	if size < 0 {
		return PartInfo{}, fmt.Errorf("data: negative part size %d", size)
	}
	st, err := s.readUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return PartInfo{}, err
	}
	e := st.rec.Erasure
	_, wq := s.quorums(e.ParityShards)
	enc, err := s.codecs.get(e.DataShards, e.ParityShards)
	if err != nil {
		return PartInfo{}, err
	}
	stage := newDataID()
	p := &objindex.UploadPart{Bucket: bucket, Key: key, UploadID: uploadID, Number: partNumber, File: newPartFile(), Size: size}
	sinks := make([]*sink, s.n)
	for slot := range sinks {
		sinks[slot] = &sink{slot: slot, shard: st.shard[slot], h: newBitrotHash()}
		if st.shard[slot] < 0 {
			sinks[slot].err = fmt.Errorf("upload not on this drive: %w", objindex.ErrNotFound)
		}
	}
	s.each(func(slot int, d Drive) {
		if sinks[slot].err == nil {
			sinks[slot].w, sinks[slot].err = d.CreateShard(ctx, stage, p.File)
		}
	})
	// The stage doubles as DataID so putWrite streams and aborts it.
	w := &putWrite{s: s, ctx: ctx, rec: &objindex.Record{Bucket: bucket, Key: key, DataID: stage}, wq: wq, sinks: sinks}
	if err := w.checkQuorum(); err != nil {
		w.abort()
		return PartInfo{}, err
	}
	if err := w.stream(body, partLayout{size: size, blockSize: e.BlockSize, k: e.DataShards}, e.ParityShards, enc); err != nil {
		w.abort()
		return PartInfo{}, err
	}
	if seal != nil {
		sealed, err := seal()
		if err != nil {
			w.abort()
			return PartInfo{}, err
		}
		p.ETag, p.Checksums = sealed.ETag, cloneStrMap(sealed.Checksums)
	}
	if err := w.closeSinks(); err != nil {
		w.abort()
		return PartInfo{}, err
	}
	if err := s.commitPart(ctx, w, stage, p); err != nil {
		return PartInfo{}, err
	}
	return partInfo(p), nil
}

// commitPart commits a streamed part on every drive whose shard is intact,
// under the upload's lock, after checking the upload still exists. Below
// the write quorum it rolls back.
func (s *Store) commitPart(ctx context.Context, w *putWrite, stage string, p *objindex.UploadPart) error {
	defer s.lockUpload(p.Bucket, p.Key, p.UploadID)()
	if _, err := s.readUpload(ctx, p.Bucket, p.Key, p.UploadID); err != nil {
		w.abort() // aborted or completed while the part streamed
		return err
	}
	ctx = context.WithoutCancel(ctx) // a half-done commit must finish or roll back
	p.ModTime = s.clock.Now()        // the last committed attempt wins
	committed := make([]bool, s.n)
	errs := make([]error, s.n)
	s.each(func(slot int, d Drive) {
		k := w.sinks[slot]
		if k.err == nil {
			if _, k.err = d.CommitPart(ctx, stage, p); k.err == nil {
				committed[slot] = true
				return
			}
		}
		errs[slot] = k.err
		if k.w != nil {
			k.w.Abort()
		}
		d.AbortStage(ctx, stage)
	})
	ok := 0
	for _, c := range committed {
		if c {
			ok++
		}
	}
	if ok >= w.wq {
		if ok < s.n {
			s.log.Warn("part written below full width", "bucket", p.Bucket, "key", p.Key, "upload", p.UploadID,
				"part", p.Number, "committed", ok, "drives", s.n, "err", s.driveErrors(errs))
		}
		return nil
	}
	s.each(func(slot int, d Drive) {
		if committed[slot] {
			d.RemovePart(ctx, p)
		}
	})
	return fmt.Errorf("%w: part %d committed on %d of %d drives, %d needed: %w", ErrWriteQuorum, p.Number, ok, s.n, w.wq, s.driveErrors(errs))
}

// AbortMultipartUpload removes an upload, its parts and their shard files
// from every drive. It succeeds when a write quorum removed it (it is then
// on fewer than k drives: gone for readUpload).
func (s *Store) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	if err := checkName(bucket, key); err != nil {
		return err
	}
	defer s.lockUpload(bucket, key, uploadID)()
	st, err := s.readUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return err
	}
	return s.removeUpload(ctx, st)
}

// removeUpload removes an upload's records from every drive, and its shard
// files except those a completed version names.
func (s *Store) removeUpload(ctx context.Context, st *uploadState) error {
	ctx = context.WithoutCancel(ctx)
	errs := make([]error, s.n)
	s.each(func(slot int, d Drive) {
		if err := d.RemoveUpload(ctx, st.rec.Bucket, st.rec.Key, st.rec.UploadID); err != nil && !errors.Is(err, objindex.ErrNotFound) {
			errs[slot] = err
		}
	})
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		}
	}
	if _, wq := s.quorums(st.rec.Erasure.ParityShards); ok < wq {
		return fmt.Errorf("%w: %s removed from %d of %d drives, %d needed: %w", ErrWriteQuorum, st.ref(), ok, s.n, wq, s.driveErrors(errs))
	}
	if ok < s.n {
		s.log.Warn("upload removal below full width; healing will purge the rest", "bucket", st.rec.Bucket, "key", st.rec.Key,
			"upload", st.rec.UploadID, "removed", ok, "drives", s.n, "err", s.driveErrors(errs))
	}
	return nil
}

// AbortBucketUploads aborts every upload of a bucket and returns how many
// it aborted. Deleting a bucket should call it: S3 drops a deleted
// bucket's uploads, and a bucket re-created under the name must not
// inherit them.
func (s *Store) AbortBucketUploads(ctx context.Context, bucket string) (int, error) {
	n := 0
	var opts ListUploadsOptions
	for {
		res, err := s.ListMultipartUploads(ctx, bucket, opts)
		if err != nil {
			return n, err
		}
		for _, u := range res.Uploads {
			if err := s.AbortMultipartUpload(ctx, bucket, u.Key, u.UploadID); err != nil && !errors.Is(err, ErrNoSuchUpload) {
				return n, err
			}
			n++
		}
		if !res.IsTruncated {
			return n, nil
		}
		opts.KeyMarker, opts.UploadIDMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}
