package data

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/klauspost/reedsolomon"
)

// erasureConfigs are the data+parity layouts the default parity gives
// sets of 4, 6, 8, 12 and 16 drives (see Store.parity).
var erasureConfigs = [][2]int{{2, 2}, {3, 3}, {4, 4}, {8, 4}, {12, 4}}

// encodedBlock is one full 1 MiB block of random bytes, encoded, for k+m.
func encodedBlock(b *testing.B, k, m int) (reedsolomon.Encoder, []byte, [][]byte, int64) {
	enc, err := reedsolomon.New(k, m)
	if err != nil {
		b.Fatal(err)
	}
	lay := partLayout{size: mib, blockSize: mib, k: k}
	buf := make([]byte, blockBufSize(lay, k+m))
	copy(buf, randBytes(1, mib))
	shards := blockShards(nil, buf, k+m, lay.chunkLen(0))
	if err := enc.Encode(shards); err != nil {
		b.Fatal(err)
	}
	return enc, buf, shards, lay.chunkLen(0)
}

// BenchmarkEncode encodes one full 1 MiB block per configuration (the
// work a PUT does per block).
func BenchmarkEncode(b *testing.B) {
	for _, c := range erasureConfigs {
		b.Run(fmt.Sprintf("%d+%d", c[0], c[1]), func(b *testing.B) {
			enc, _, shards, _ := encodedBlock(b, c[0], c[1])
			b.SetBytes(mib)
			for b.Loop() {
				if err := enc.Encode(shards); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReconstructData rebuilds a block's data shards with as many of
// them lost as there are parity shards (the worst degraded read).
func BenchmarkReconstructData(b *testing.B) {
	for _, c := range erasureConfigs {
		k, m := c[0], c[1]
		b.Run(fmt.Sprintf("%d+%d", k, m), func(b *testing.B) {
			enc, buf, shards, cl := encodedBlock(b, k, m)
			want := make([]bool, k+m)
			for i := range k {
				want[i] = true
			}
			b.SetBytes(mib)
			for b.Loop() {
				shards = blockShards(shards, buf, k+m, cl)
				for i := range m {
					shards[i] = shards[i][:0] // lose m data shards
				}
				if err := enc.ReconstructSome(shards, want); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBitrotHash(b *testing.B) {
	for _, size := range []int{4 << 10, 512 << 10} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			h := newBitrotHash()
			data := randBytes(1, size)
			var sum [hashSize]byte
			b.SetBytes(int64(size))
			for i := 0; i < b.N; i++ {
				h.Reset()
				h.Write(data)
				h.Sum(sum[:0])
			}
		})
	}
}

// BenchmarkPut measures whole PUTs through four local drives with fsync on.
func BenchmarkPut(b *testing.B) {
	for _, size := range []int{4 << 10, 4 * mib} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			root := b.TempDir()
			var paths []string
			for i := range 4 {
				paths = append(paths, fmt.Sprintf("%s/d%d", root, i))
			}
			s, err := Open(paths, LocalOptions{}, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			body := randBytes(1, size)
			var n atomic.Int64
			b.SetBytes(int64(size))
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					key := fmt.Sprintf("k%d", n.Add(1))
					if _, err := s.PutObject(context.Background(), "b", key, bytes.NewReader(body), int64(size), PutOptions{}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

func BenchmarkGet(b *testing.B) {
	for _, size := range []int{4 << 10, 4 * mib} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			e := newEnv(b, 4, Options{})
			e.put("b", "k", randBytes(1, size))
			b.SetBytes(int64(size))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				o, err := e.s.OpenObject(context.Background(), "b", "k", GetOptions{})
				if err != nil {
					b.Fatal(err)
				}
				rc, _ := o.Range(context.Background(), 0, int64(size))
				io.Copy(io.Discard, rc)
				rc.Close()
			}
		})
	}
}
