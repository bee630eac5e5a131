package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"strings"
	"sync"

	"github.com/cairn-s3/cairn/meta/objindex"
)

func checkName(bucket, key string) error {
	if bucket == "" || strings.IndexByte(bucket, 0) >= 0 || strings.IndexByte(key, 0) >= 0 {
		return fmt.Errorf("%w: %q/%q", ErrInvalidObjectName, bucket, key)
	}
	return nil
}

// parityFor validates a per-object parity override (0 = the set default).
func (s *Store) parityFor(m int) (int, error) {
	if m == 0 {
		return s.parity, nil
	}
	if m < 0 || m > s.n/2 {
		return 0, fmt.Errorf("%w: %d parity shards with %d drives", ErrInvalidParity, m, s.n)
	}
	return m, nil
}

// distribution maps each drive slot to the shard index it stores for a
// key: a rotation chosen by a hash of the name, so data shards (the ones
// reads prefer) spread over all drives.
func distribution(bucket, key string, n int) []int {
	h := fnv.New32a()
	h.Write([]byte(bucket))
	h.Write([]byte{0})
	h.Write([]byte(key))
	off := int(h.Sum32() % uint32(n))
	d := make([]int, n)
	for slot := range d {
		d[slot] = (slot + off) % n
	}
	return d
}

// sink is where one drive's shard of a write goes.
type sink struct {
	slot, shard int
	w           ShardWriter
	mem         *memShardWriter // for inline writes
	err         error
	h           hash.Hash
	sum         [hashSize]byte
}

func (k *sink) writeChunk(chunk []byte) {
	if k.err != nil {
		return
	}
	k.h.Reset()
	k.h.Write(chunk)
	if _, err := k.w.Write(k.h.Sum(k.sum[:0])); err != nil {
		k.err = err
		return
	}
	if _, err := k.w.Write(chunk); err != nil {
		k.err = err
	}
}

// memShardWriter collects an inline shard.
type memShardWriter struct{ bytes.Buffer }

func (*memShardWriter) Close() error { return nil }
func (*memShardWriter) Abort()       {}

// PutObject implements the S3 layer's Objects.PutObject: it streams body in
// blocks, erasure-codes and bitrot-hashes each, writes shards to all drives
// in parallel, reads body to io.EOF, calls opts.Seal, makes the shards
// durable, then commits the record on every drive. It succeeds when a
// write quorum committed. On any error nothing is visible (commits that
// happened are rolled back).
//
// opts.Meta is stored on the new version. opts.Pre is checked before the
// body is read (ErrPreconditionFailed) and again atomically with the commit
// (ErrConditionalConflict), see conditional.go. Without opts.Versioned the
// write replaces only the null version; other versions stay.
func (s *Store) PutObject(ctx context.Context, bucket, key string, body io.Reader, size int64, opts PutOptions) (ObjectInfo, error) {
	if err := checkName(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if err := s.checkPreconditions(ctx, bucket, key, opts.Pre); err != nil {
		return ObjectInfo{}, err
	}
	if size < 0 {
		return ObjectInfo{}, fmt.Errorf("data: negative object size %d", size)
	}
	m, err := s.parityFor(opts.ParityShards)
	if err != nil {
		return ObjectInfo{}, err
	}
	k, wq := s.quorums(m)
	enc, err := s.codecs.get(k, m)
	if err != nil {
		return ObjectInfo{}, err
	}
	rec := &objindex.Record{
		Bucket: bucket, Key: key, VersionID: objindex.NullVersion, ModTime: s.clock.Now(),
		Size: size, Owner: opts.Owner, Headers: cloneStrMap(opts.Headers),
		PosixUID: opts.PosixUID, PosixGID: opts.PosixGID,
		Erasure: objindex.Erasure{DataShards: k, ParityShards: m, BlockSize: s.blockSize, Bitrot: objindex.BitrotHighwayHash256},
	}
	setRecordMeta(rec, opts.Meta)
	if opts.Versioned {
		rec.VersionID = newUUID()
	}
	inline := size == 0 || size <= s.inline
	if !inline {
		rec.DataID = newDataID()
	}
	w := &putWrite{s: s, ctx: ctx, rec: rec, wq: wq, sinks: s.openSinks(ctx, rec.DataID, bucket, key, inline)}
	if err := w.checkQuorum(); err != nil {
		w.abort()
		return ObjectInfo{}, err
	}
	if err := w.stream(body, partLayout{size: size, blockSize: s.blockSize, k: k}, m, enc); err != nil {
		w.abort()
		return ObjectInfo{}, err
	}
	if opts.Seal != nil {
		sealed, err := opts.Seal()
		if err != nil {
			w.abort()
			return ObjectInfo{}, err
		}
		rec.ETag, rec.Checksums = sealed.ETag, cloneStrMap(sealed.Checksums)
	}
	rec.Parts = []objindex.Part{{Number: 1, Size: size, ETag: rec.ETag}}
	if err := w.closeSinks(); err != nil {
		w.abort()
		return ObjectInfo{}, err
	}
	committing := false
	err = s.commitKey(ctx, bucket, key, opts.Pre, func() error {
		committing = true
		rec.ModTime = s.clock.Now() // versions order as they commit
		return w.commit()
	})
	if err != nil {
		if !committing {
			w.abort()
		}
		return ObjectInfo{}, err
	}
	info := infoFromRecord(rec)
	info.IsLatest = true
	return info, nil
}

func (s *Store) openSinks(ctx context.Context, dataID, bucket, key string, inline bool) []*sink {
	dist := distribution(bucket, key, s.n)
	sinks := make([]*sink, s.n)
	for slot := range sinks {
		sinks[slot] = &sink{slot: slot, shard: dist[slot], h: newBitrotHash()}
		if inline {
			sinks[slot].mem = &memShardWriter{}
			sinks[slot].w = sinks[slot].mem
		}
	}
	if !inline {
		s.each(func(slot int, d Drive) {
			sinks[slot].w, sinks[slot].err = d.CreateShard(ctx, dataID, 1) // stage = data ID: both fresh
		})
	}
	return sinks
}

// putWrite is the state of one PutObject after its sinks are open.
type putWrite struct {
	s     *Store
	ctx   context.Context
	rec   *objindex.Record
	wq    int
	sinks []*sink
}

func (w *putWrite) live() int {
	n := 0
	for _, k := range w.sinks {
		if k.err == nil {
			n++
		}
	}
	return n
}

func (w *putWrite) checkQuorum() error {
	if w.live() >= w.wq {
		return nil
	}
	var errs []error
	for _, k := range w.sinks {
		if k.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", w.s.drives[k.slot].Info().Endpoint, k.err))
		}
	}
	return fmt.Errorf("%w: %d of %d drives writable, %d needed: %w", ErrWriteQuorum, w.live(), len(w.sinks), w.wq, errors.Join(errs...))
}

// stream reads the body block by block into one pooled buffer, encodes and
// writes each block, then checks that the body ends exactly at size.
func (w *putWrite) stream(body io.Reader, lay partLayout, m int, enc interface{ Encode([][]byte) error }) error {
	n := lay.k + m
	buf := w.s.bufs.get(blockBufSize(lay, n))
	defer w.s.bufs.put(buf)
	shards := make([][]byte, 0, n)
	parallel := w.rec.DataID != ""
	for b := int64(0); b < lay.blocks(); b++ {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		bl, cl := lay.blockLen(b), lay.chunkLen(b)
		if _, err := io.ReadFull(body, buf[:bl]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return ErrIncompleteBody
			}
			return err
		}
		clear(buf[bl : int64(lay.k)*cl])
		shards = blockShards(shards, buf, n, cl)
		if err := enc.Encode(shards); err != nil {
			return fmt.Errorf("data: encode: %w", err)
		}
		w.writeBlock(shards, parallel)
		if err := w.checkQuorum(); err != nil {
			return err
		}
	}
	return expectEOF(body)
}

func (w *putWrite) writeBlock(shards [][]byte, parallel bool) {
	if !parallel {
		for _, k := range w.sinks {
			k.writeChunk(shards[k.shard])
		}
		return
	}
	var wg sync.WaitGroup
	for _, k := range w.sinks {
		if k.err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			k.writeChunk(shards[k.shard])
		}()
	}
	wg.Wait()
}

// expectEOF reads until io.EOF so a verifying reader gets to check the body;
// any byte past the declared size is an error.
func expectEOF(r io.Reader) error {
	var one [1]byte
	for range 1000 {
		n, err := r.Read(one[:])
		if n > 0 {
			return ErrBodyTooLong
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// closeSinks makes the shard files durable on every drive in parallel.
func (w *putWrite) closeSinks() error {
	var wg sync.WaitGroup
	for _, k := range w.sinks {
		if k.err != nil || k.mem != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			k.err = k.w.Close()
		}()
	}
	wg.Wait()
	return w.checkQuorum()
}

// abort discards everything written so far.
func (w *putWrite) abort() {
	if w.rec.DataID == "" {
		return
	}
	ctx := context.WithoutCancel(w.ctx)
	w.s.each(func(slot int, d Drive) {
		if k := w.sinks[slot]; k.w != nil {
			k.w.Abort()
		}
		d.AbortStage(ctx, w.rec.DataID)
	})
}

// commit stores the record on every drive whose shard is intact. Below
// write quorum it rolls back the commits that happened.
func (w *putWrite) commit() error {
	ctx := context.WithoutCancel(w.ctx) // a half-done commit must finish or roll back
	committed := make([]bool, len(w.sinks))
	errs := make([]error, len(w.sinks))
	w.s.each(func(slot int, d Drive) {
		k := w.sinks[slot]
		if k.err != nil {
			errs[slot] = k.err
			if k.w != nil {
				k.w.Abort()
			}
			if w.rec.DataID != "" {
				d.AbortStage(ctx, w.rec.DataID)
			}
			return
		}
		r := w.rec.Clone()
		r.Erasure.ShardIndex = k.shard
		if k.mem != nil {
			r.Inline = k.mem.Bytes()
		}
		if _, err := d.Commit(ctx, w.rec.DataID, r); err != nil {
			errs[slot] = err
			return
		}
		committed[slot] = true
	})
	ok := 0
	for _, c := range committed {
		if c {
			ok++
		}
	}
	if ok >= w.wq {
		if ok < len(w.sinks) {
			w.s.log.Warn("write below full width; queued for healing",
				"bucket", w.rec.Bucket, "key", w.rec.Key, "committed", ok, "drives", len(w.sinks), "err", errors.Join(errs...))
			w.s.healer.enqueue(w.rec.Bucket, w.rec.Key)
		}
		return nil
	}
	w.s.each(func(slot int, d Drive) {
		if committed[slot] {
			d.DeleteVersion(ctx, w.rec.Bucket, w.rec.Key, w.rec.VersionID, w.rec.ModTime)
		} else if w.rec.DataID != "" {
			d.AbortStage(ctx, w.rec.DataID)
		}
	})
	return fmt.Errorf("%w: committed on %d of %d drives, %d needed: %w", ErrWriteQuorum, ok, len(w.sinks), w.wq, errors.Join(errs...))
}

func cloneStrMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func infoFromRecord(r *objindex.Record) ObjectInfo {
	return ObjectInfo{
		Bucket: r.Bucket, Key: r.Key, VersionID: r.VersionID, IsLatest: r.Latest,
		DeleteMarker: r.DeleteMarker, Size: r.Size, ModTime: timeFromHLC(r.ModTime),
		ETag: r.ETag, Headers: cloneStrMap(r.Headers), Checksums: cloneStrMap(r.Checksums), Owner: r.Owner,
		PosixUID: r.PosixUID, PosixGID: r.PosixGID,
		Meta: metaFromRecord(r), Parts: multipartParts(r),
	}
}
