package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// driveRecord is one drive's answer to a record read.
type driveRecord struct {
	slot int
	rec  *objindex.Record
	err  error
}

func (s *Store) readRecords(ctx context.Context, bucket, key, versionID string, withInline bool) []driveRecord {
	out := make([]driveRecord, s.n)
	s.each(func(slot int, d Drive) {
		r, err := d.ReadVersion(ctx, bucket, key, versionID, withInline)
		out[slot] = driveRecord{slot: slot, rec: r, err: err}
	})
	return out
}

// versionGroup is one version and the drives holding it.
type versionGroup struct {
	rec     *objindex.Record
	holders []driveRecord
}

func groupVersions(recs []driveRecord) []versionGroup {
	var groups []versionGroup
next:
	for _, dr := range recs {
		if dr.rec == nil {
			continue
		}
		for i := range groups {
			if objindex.SameVersion(groups[i].rec, dr.rec) {
				groups[i].holders = append(groups[i].holders, dr)
				// A drive that missed a metadata update (tags, retention,
				// legal hold) holds an older MetaTime: serve the newest.
				if dr.rec.MetaTime > groups[i].rec.MetaTime {
					groups[i].rec = dr.rec
				}
				continue next
			}
		}
		groups = append(groups, versionGroup{rec: dr.rec, holders: []driveRecord{dr}})
	}
	sort.SliceStable(groups, func(i, j int) bool { return objindex.Newer(groups[i].rec, groups[j].rec) })
	return groups
}

// readable is how many holders a version needs to be served.
func readable(r *objindex.Record) int {
	if r.DeleteMarker {
		return 1
	}
	return r.Erasure.DataShards
}

// pickVersion chooses the version a read serves: the newest one held by
// enough drives to read it. A newer version held by too few drives is a
// failed write when every drive answered (skipped, and queued so healing
// purges it); otherwise it may be readable once drives return, so the read
// fails with ErrReadQuorum rather than serve older data.
//
// skipped reports that such a version was passed over.
func (s *Store) pickVersion(bucket, key, versionID string, recs []driveRecord) (g versionGroup, skipped bool, err error) {
	answered := 0
	var errs []error
	for _, dr := range recs {
		if dr.err == nil || errors.Is(dr.err, objindex.ErrNotFound) {
			answered++
		} else {
			errs = append(errs, fmt.Errorf("%s: %w", s.drives[dr.slot].Info().Endpoint, dr.err))
		}
	}
	if answered < s.readQuorum() {
		return versionGroup{}, false, fmt.Errorf("%w: %d of %d drives answered: %w", ErrReadQuorum, answered, s.n, errors.Join(errs...))
	}
	groups := groupVersions(recs)
	for _, g := range groups {
		if len(g.holders) >= readable(g.rec) {
			for _, o := range groups {
				s.clock.Observe(o.rec.ModTime)
			}
			// Drives that answered without this version, or with metadata
			// older than another's (a missed UpdateVersionMeta), need healing.
			if len(g.holders) < answered || staleMeta(g) {
				s.healer.enqueue(bucket, key)
			}
			return g, skipped, nil
		}
		if answered < s.n {
			return versionGroup{}, skipped, fmt.Errorf("%w: newest version of %s/%s is on %d drives, %d needed",
				ErrReadQuorum, bucket, key, len(g.holders), readable(g.rec))
		}
		skipped = true
		s.healer.enqueue(bucket, key)
	}
	if versionID != "" {
		return versionGroup{}, skipped, fmt.Errorf("%s/%s version %s: %w", bucket, key, versionID, ErrVersionNotFound)
	}
	return versionGroup{}, skipped, fmt.Errorf("%s/%s: %w", bucket, key, ErrObjectNotFound)
}

func (s *Store) resolve(ctx context.Context, bucket, key string, opts GetOptions, withInline bool) (versionGroup, ObjectInfo, error) {
	if err := checkName(bucket, key); err != nil {
		return versionGroup{}, ObjectInfo{}, err
	}
	var g versionGroup
	for attempt := 1; ; attempt++ {
		var skipped bool
		var err error
		g, skipped, err = s.pickVersion(bucket, key, opts.VersionID, s.readRecords(ctx, bucket, key, opts.VersionID, withInline))
		if err == nil {
			break
		}
		// Versions on too few drives and nothing else: concurrent commits
		// may be replacing each other right now. Look again before saying
		// the object does not exist.
		if !skipped || attempt == 3 || errors.Is(err, ErrReadQuorum) {
			return g, ObjectInfo{}, err
		}
		select {
		case <-ctx.Done():
			return g, ObjectInfo{}, ctx.Err()
		case <-time.After(time.Duration(attempt) * 5 * time.Millisecond):
		}
	}
	info := infoFromRecord(g.rec)
	if opts.VersionID == "" {
		info.IsLatest = true
	}
	if g.rec.DeleteMarker {
		if opts.VersionID == "" {
			return g, info, fmt.Errorf("%s/%s: latest version is a delete marker: %w", bucket, key, ErrObjectNotFound)
		}
		return g, info, fmt.Errorf("%s/%s version %s: %w", bucket, key, opts.VersionID, ErrDeleteMarker)
	}
	return g, info, nil
}

// StatObject returns a version's record from a read quorum. For a delete
// marker it returns the marker's info with ErrObjectNotFound (latest) or
// ErrDeleteMarker (named version). With opts.PartNumber it also checks that
// the part exists (ErrInvalidPartNumber).
func (s *Store) StatObject(ctx context.Context, bucket, key string, opts GetOptions) (ObjectInfo, error) {
	g, info, err := s.resolve(ctx, bucket, key, opts, false)
	if err == nil {
		_, err = partIndex(g.rec, opts.PartNumber)
	}
	return info, err
}

// OpenObject resolves the version once; Range then reads that version (or,
// with opts.PartNumber, that part of it).
func (s *Store) OpenObject(ctx context.Context, bucket, key string, opts GetOptions) (Object, error) {
	g, info, err := s.resolve(ctx, bucket, key, opts, true)
	if err != nil {
		return nil, err
	}
	part, err := partIndex(g.rec, opts.PartNumber)
	if err != nil {
		return nil, err
	}
	return &object{s: s, info: info, rec: g.rec, holders: g.holders, part: part + 1}, nil
}

// partIndex finds part number n (> 0) of a version: its index in
// rec.Parts; -1 for n == 0 (the whole version). A simple PUT has one part,
// number 1, as in S3.
func partIndex(rec *objindex.Record, n int) (int, error) {
	if n <= 0 {
		return -1, nil
	}
	for i, p := range rec.Parts {
		if p.Number == n {
			return i, nil
		}
	}
	return -1, fmt.Errorf("%w: %s/%s has no part %d: %w", ErrInvalidPartNumber, rec.Bucket, rec.Key, n, ErrInvalidRange)
}

// object is an opened version.
type object struct {
	s       *Store
	info    ObjectInfo
	rec     *objindex.Record
	holders []driveRecord
	part    int // 1 + the index in rec.Parts Range reads within; 0: the whole version
}

func (o *object) Info() ObjectInfo { return o.info }

// segment is the piece of a range that lies in one part.
type segment struct {
	part   int // index in rec.Parts
	offset int64
	length int64
}

func (o *object) Range(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
	size, base := o.rec.Size, int64(0)
	if o.part > 0 {
		// Offsets are within the part: base moves them to the version.
		for _, p := range o.rec.Parts[:o.part-1] {
			base += p.Size
		}
		size = o.rec.Parts[o.part-1].Size
	}
	if offset < 0 || length < 0 || offset+length > size {
		return nil, fmt.Errorf("%w: %d+%d of %d bytes", ErrInvalidRange, offset, length, size)
	}
	offset += base
	var segs []segment
	start := int64(0)
	for i, p := range o.rec.Parts {
		end := start + p.Size
		if lo, hi := max(offset, start), min(offset+length, end); lo < hi {
			segs = append(segs, segment{part: i, offset: lo - start, length: hi - lo})
		}
		start = end
	}
	return &objectReader{ctx: ctx, o: o, segs: segs}, nil
}

// sources returns the shard sources of part i, by shard index.
func (o *object) sources(i int) []*shardSource {
	e := o.rec.Erasure
	src := make([]*shardSource, e.DataShards+e.ParityShards)
	num := o.rec.Parts[i].FileNumber()
	for _, h := range o.holders {
		idx := h.rec.Erasure.ShardIndex
		if idx < 0 || idx >= len(src) || src[idx] != nil {
			continue
		}
		if o.rec.DataID == "" {
			src[idx] = inlineSource(idx, h.slot, h.rec.Inline)
			continue
		}
		d := o.s.drives[h.slot]
		dataID := o.rec.DataID
		src[idx] = &shardSource{shard: idx, slot: h.slot, open: func(ctx context.Context, off, n int64) (io.ReadCloser, error) {
			return d.OpenShard(ctx, dataID, num, off, n)
		}}
	}
	return src
}

// onBad logs a failed shard and queues the object for healing.
func (o *object) onBad(src *shardSource, err error) {
	msg := "shard unreadable; reconstructing from parity"
	if errors.Is(err, ErrBitrot) {
		msg = "bitrot detected; reconstructing from parity"
	}
	o.s.log.Warn(msg, "bucket", o.rec.Bucket, "key", o.rec.Key, "version", o.rec.VersionID,
		"drive", o.s.drives[src.slot].Info().Endpoint, "shard", src.shard, "err", err)
	o.s.healer.enqueue(o.rec.Bucket, o.rec.Key)
}

// objectReader streams a range, decoding one block at a time.
type objectReader struct {
	ctx  context.Context
	o    *object
	segs []segment
	dec  *blockDecoder
	lay  partLayout
	b    int64 // next block of the current segment
	end  int64 // one past its last block
	cur  []byte
	err  error
}

func (r *objectReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.err = r.fill()
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// fill decodes the next block of the range into r.cur.
func (r *objectReader) fill() error {
	if r.dec != nil && r.b == r.end {
		r.dec.close()
		r.dec = nil
		r.segs = r.segs[1:]
	}
	if len(r.segs) == 0 {
		return io.EOF
	}
	seg := r.segs[0]
	e := r.o.rec.Erasure
	if r.dec == nil {
		enc, err := r.o.s.codecs.get(e.DataShards, e.ParityShards)
		if err != nil {
			return err
		}
		r.lay = partLayout{size: r.o.rec.Parts[seg.part].Size, blockSize: e.BlockSize, k: e.DataShards}
		r.b = seg.offset / e.BlockSize
		r.end = (seg.offset+seg.length-1)/e.BlockSize + 1
		r.dec = newBlockDecoder(r.ctx, r.lay, e.ParityShards, enc, r.o.sources(seg.part), r.b, r.end, &r.o.s.bufs, r.o.onBad)
	}
	shards, err := r.dec.decode(r.b, nil, false)
	if err != nil {
		return fmt.Errorf("data: read %s/%s: %w", r.o.rec.Bucket, r.o.rec.Key, err)
	}
	blk := r.dec.block(r.b, shards)
	blockStart := r.b * e.BlockSize
	lo := max(seg.offset, blockStart) - blockStart
	hi := min(seg.offset+seg.length, blockStart+int64(len(blk))) - blockStart
	r.cur = blk[lo:hi]
	r.b++
	return nil
}

func (r *objectReader) Close() error {
	if r.dec != nil {
		r.dec.close()
		r.dec = nil
	}
	r.cur = nil
	if r.err == nil {
		r.err = errors.New("data: read after close")
	}
	return nil
}
