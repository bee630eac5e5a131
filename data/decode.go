package data

import (
	"bytes"
	"context"
	"fmt"
	"hash"
	"io"

	"github.com/klauspost/reedsolomon"
)

// shardSource is where one shard of one part can be read from.
type shardSource struct {
	shard int // shard index
	slot  int // drive slot in the set
	// open returns length bytes at offset of the shard file.
	open func(ctx context.Context, offset, length int64) (io.ReadCloser, error)
}

func inlineSource(shard, slot int, b []byte) *shardSource {
	return &shardSource{shard: shard, slot: slot, open: func(_ context.Context, off, length int64) (io.ReadCloser, error) {
		if off > int64(len(b)) {
			off = int64(len(b))
		}
		end := min(off+length, int64(len(b)))
		return io.NopCloser(bytes.NewReader(b[off:end])), nil
	}}
}

// blockDecoder reads the blocks [first, end) of one part from its shard
// sources, verifying every chunk and reconstructing from parity. A source
// that fails (missing, short, corrupt) is dropped for the rest of the part
// and reported through onBad; the decoder then opens another one.
type blockDecoder struct {
	ctx     context.Context
	lay     partLayout
	k, n    int
	enc     reedsolomon.Encoder
	sources []*shardSource // by shard index; nil when unavailable
	first   int64
	end     int64
	onBad   func(src *shardSource, err error)

	streams []io.ReadCloser // by shard index
	next    []int64         // block each open stream is positioned at
	bad     []bool          // by shard index
	present []bool
	h       hash.Hash
	sum     [hashSize]byte

	pool   *bufPool
	buf    []byte
	shards [][]byte
}

func newBlockDecoder(ctx context.Context, lay partLayout, m int, enc reedsolomon.Encoder, sources []*shardSource,
	first, end int64, pool *bufPool, onBad func(*shardSource, error)) *blockDecoder {
	n := lay.k + m
	return &blockDecoder{
		ctx: ctx, lay: lay, k: lay.k, n: n, enc: enc, sources: sources, first: first, end: end, onBad: onBad,
		streams: make([]io.ReadCloser, n), next: make([]int64, n), bad: make([]bool, n), present: make([]bool, n),
		h: newBitrotHash(), pool: pool, buf: pool.get(blockBufSize(lay, n)), shards: make([][]byte, 0, n),
	}
}

// decode fills the shards of block b and returns them (valid until the next
// call). Data shards 0..k-1 are always filled, concatenated they are the
// block (zero-padded); want[i] also asks for parity shard i. With all set
// to true in readAll, every available shard is read and verified rather
// than the first k, so a verifying pass finds every bad one.
func (d *blockDecoder) decode(b int64, want []bool, readAll bool) ([][]byte, error) {
	if err := d.ctx.Err(); err != nil {
		return nil, err
	}
	cl := d.lay.chunkLen(b)
	d.shards = blockShards(d.shards, d.buf, d.n, cl)
	have := 0
	for i := range d.present {
		d.present[i] = false
	}
	// Data shards first: when they are all good no decoding is needed.
	for idx := 0; idx < d.n && (readAll || have < d.k); idx++ {
		src := d.sources[idx]
		if src == nil || d.bad[idx] {
			continue
		}
		if err := d.readChunk(idx, b, d.shards[idx]); err != nil {
			d.drop(idx, fmt.Errorf("block %d: %w", b, err))
			continue
		}
		d.present[idx] = true
		have++
	}
	if have < d.k {
		return nil, fmt.Errorf("%w: %d of %d shards readable, %d needed", ErrReadQuorum, have, d.n, d.k)
	}
	missing := false
	for i := 0; i < d.n; i++ {
		if !d.present[i] {
			d.shards[i] = d.shards[i][:0]
			if i < d.k || (want != nil && want[i]) {
				missing = true
			}
		}
	}
	if missing {
		required := make([]bool, d.n)
		for i := range required {
			required[i] = i < d.k || (want != nil && want[i])
		}
		if err := d.enc.ReconstructSome(d.shards, required); err != nil {
			return nil, fmt.Errorf("data: reconstruct block %d: %w", b, err)
		}
	}
	return d.shards, nil
}

func (d *blockDecoder) readChunk(idx int, b int64, dst []byte) error {
	if d.streams[idx] == nil || d.next[idx] != b {
		if d.streams[idx] != nil {
			d.streams[idx].Close()
		}
		off := d.lay.chunkOffset(b)
		r, err := d.sources[idx].open(d.ctx, off, d.lay.spanEnd(d.end-1)-off)
		if err != nil {
			d.streams[idx] = nil
			return err
		}
		d.streams[idx], d.next[idx] = r, b
	}
	d.next[idx]++
	return readChunk(d.streams[idx], d.h, &d.sum, dst)
}

func (d *blockDecoder) drop(idx int, err error) {
	d.bad[idx] = true
	if d.streams[idx] != nil {
		d.streams[idx].Close()
		d.streams[idx] = nil
	}
	if d.onBad != nil {
		d.onBad(d.sources[idx], err)
	}
}

// close releases streams and the block buffer.
func (d *blockDecoder) close() {
	for i, s := range d.streams {
		if s != nil {
			s.Close()
			d.streams[i] = nil
		}
	}
	if d.buf != nil {
		d.pool.put(d.buf)
		d.buf = nil
	}
}

// block returns block b's bytes after decode: the data shards laid end to
// end in the decoder's buffer (moved there if the codec allocated).
func (d *blockDecoder) block(b int64, shards [][]byte) []byte {
	cl := d.lay.chunkLen(b)
	for i := 0; i < d.k; i++ {
		dst := d.buf[int64(i)*cl : int64(i+1)*cl]
		if len(shards[i]) > 0 && &shards[i][0] != &dst[0] {
			copy(dst, shards[i])
		}
	}
	return d.buf[:d.lay.blockLen(b)]
}
