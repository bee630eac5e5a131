package data

import (
	"fmt"
	"math/bits"
	"sync"

	"github.com/klauspost/reedsolomon"
)

// codecs caches one Reed–Solomon encoder per (k, m); encoders are safe for
// concurrent use.
type codecs struct {
	mu  sync.Mutex
	enc map[[2]int]reedsolomon.Encoder // guarded by mu
}

func (c *codecs) get(k, m int) (reedsolomon.Encoder, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.enc[[2]int{k, m}]; ok {
		return e, nil
	}
	e, err := reedsolomon.New(k, m)
	if err != nil {
		return nil, fmt.Errorf("data: reed-solomon %d+%d: %w", k, m, err)
	}
	if c.enc == nil {
		c.enc = map[[2]int]reedsolomon.Encoder{}
	}
	c.enc[[2]int{k, m}] = e
	return e, nil
}

// bufPool recycles block buffers (n chunks of one block, ≈ n/k × 1 MiB for
// large objects, much less for small ones) so streaming reuses the same few
// buffers. Buffers are pooled by power-of-two size class so small and large
// requests do not evict each other.
type bufPool struct{ classes [40]sync.Pool }

func sizeClass(size int) int { return bits.Len(uint(size - 1)) }

func (bp *bufPool) get(size int) []byte {
	if size <= 0 {
		return nil
	}
	c := sizeClass(size)
	if v, ok := bp.classes[c].Get().(*[]byte); ok {
		return (*v)[:size]
	}
	return make([]byte, size, 1<<c)
}

func (bp *bufPool) put(b []byte) {
	c := cap(b)
	if c == 0 || c&(c-1) != 0 {
		return // not one of ours
	}
	bp.classes[sizeClass(c)].Put(&b)
}

// blockBufSize is the buffer a part needs: n chunks of its largest block.
func blockBufSize(lay partLayout, n int) int {
	if lay.blocks() <= 1 {
		return n * int(lay.chunkLen(0))
	}
	return n * int(lay.fullChunk())
}

// blockShards slices buf into n shards of length cl laid out back to back,
// so the k data shards are the block's bytes in order.
func blockShards(shards [][]byte, buf []byte, n int, cl int64) [][]byte {
	shards = shards[:0]
	for i := 0; i < n; i++ {
		shards = append(shards, buf[int64(i)*cl:int64(i+1)*cl])
	}
	return shards
}
