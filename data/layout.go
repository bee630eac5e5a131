package data

import (
	"bytes"
	"fmt"
	"hash"
	"io"

	"github.com/minio/highwayhash"
)

// hashSize is the size of the bitrot hash that precedes every shard chunk.
const hashSize = highwayhash.Size

// bitrotKey keys HighwayHash-256 for bitrot hashes (objindex.
// BitrotHighwayHash256). It is public and fixed: the hash detects
// corruption, it does not authenticate. Changing it needs a new BitrotAlgo.
const bitrotKey = "cairn/bitrot/highwayhash256/v1.\x00"

func newBitrotHash() hash.Hash {
	h, err := highwayhash.New([]byte(bitrotKey))
	if err != nil {
		panic(fmt.Sprintf("data: bitrot key: %v", err)) // the key length is a constant
	}
	return h
}

// partLayout is the geometry of one part's shard file:
//
//	for each block b: hash(32 bytes) | chunk b (chunkLen(b) bytes)
//
// A block is blockSize bytes of the part (the last may be shorter); its
// chunk is ceil(blockLen/k) bytes, the block zero-padded to k chunks.
type partLayout struct {
	size      int64
	blockSize int64
	k         int
}

func (l partLayout) blocks() int64 {
	if l.size <= 0 {
		return 0
	}
	return (l.size + l.blockSize - 1) / l.blockSize
}

func (l partLayout) blockLen(b int64) int64 {
	if b < l.blocks()-1 {
		return l.blockSize
	}
	return l.size - b*l.blockSize
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

func (l partLayout) chunkLen(b int64) int64 { return ceilDiv(l.blockLen(b), int64(l.k)) }

func (l partLayout) fullChunk() int64 { return ceilDiv(l.blockSize, int64(l.k)) }

// chunkOffset is where block b starts in the shard file: every block
// before the last is full.
func (l partLayout) chunkOffset(b int64) int64 { return b * (hashSize + l.fullChunk()) }

// spanEnd is the end offset (exclusive) of block b in the shard file.
func (l partLayout) spanEnd(b int64) int64 { return l.chunkOffset(b) + hashSize + l.chunkLen(b) }

// shardSize is the size of the whole shard file.
func (l partLayout) shardSize() int64 {
	if l.blocks() == 0 {
		return 0
	}
	return l.spanEnd(l.blocks() - 1)
}

// readChunk reads one hash+chunk from r into dst (len(dst) = chunk length)
// and verifies it.
func readChunk(r io.Reader, h hash.Hash, sum *[hashSize]byte, dst []byte) error {
	var want [hashSize]byte
	if _, err := io.ReadFull(r, want[:]); err != nil {
		return err
	}
	if _, err := io.ReadFull(r, dst); err != nil {
		return err
	}
	h.Reset()
	h.Write(dst)
	if !bytes.Equal(h.Sum(sum[:0]), want[:]) {
		return ErrBitrot
	}
	return nil
}
