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

func BenchmarkEncode2p2(b *testing.B) {
	enc, _ := reedsolomon.New(2, 2)
	lay := partLayout{size: mib, blockSize: mib, k: 2}
	buf := make([]byte, blockBufSize(lay, 4))
	copy(buf, randBytes(1, mib))
	shards := blockShards(nil, buf, 4, lay.chunkLen(0))
	b.SetBytes(mib)
	for i := 0; i < b.N; i++ {
		if err := enc.Encode(shards); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReconstructData2p2(b *testing.B) {
	enc, _ := reedsolomon.New(2, 2)
	cl := int64(mib / 2)
	buf := make([]byte, 4*cl)
	copy(buf, randBytes(1, mib))
	shards := blockShards(nil, buf, 4, cl)
	enc.Encode(shards)
	b.SetBytes(mib)
	for i := 0; i < b.N; i++ {
		shards = blockShards(shards, buf, 4, cl)
		shards[0] = shards[0][:0] // lose both data shards
		shards[1] = shards[1][:0]
		if err := enc.ReconstructSome(shards, []bool{true, true, false, false}); err != nil {
			b.Fatal(err)
		}
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
