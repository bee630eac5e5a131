package md5lanes

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"sync"
	"testing"
)

// message returns n pseudo-random bytes of a seed.
func message(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 99))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// hashInPieces writes msg to h in random-sized pieces.
func hashInPieces(h interface{ Write([]byte) (int, error) }, msg []byte, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	for len(msg) > 0 {
		n := min(len(msg), 1+r.IntN(3*chunk/2))
		if r.IntN(4) == 0 {
			n = min(len(msg), 1+r.IntN(130)) // around block edges
		}
		h.Write(msg[:n])
		msg = msg[n:]
	}
}

// TestDigestsMatchCryptoMD5: many concurrent digests of messages of every
// awkward length, written in random pieces, equal crypto/md5 — on the lanes
// when this build has them, and Sum does not disturb a running digest.
func TestDigestsMatchCryptoMD5(t *testing.T) {
	l := NewLanes()
	if l == nil {
		// New would be crypto/md5 compared with itself.
		t.Skip("no lanes in this build (GOEXPERIMENT=simd) or on this CPU (AVX-512)")
	}
	lengths := []int{0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 4096, chunk - 1, chunk + 64, 3*chunk + 17, 1 << 20}
	var wg sync.WaitGroup
	for w := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, n := range lengths {
				seed := uint64(w*100 + i)
				msg := message(seed, n)
				h := l.New()
				hashInPieces(h, msg[:n/2], seed)
				mid := h.Sum(nil)
				if want := md5.Sum(msg[:n/2]); hex.EncodeToString(mid) != hex.EncodeToString(want[:]) {
					t.Errorf("writer %d, %d bytes: half-way sum %x, want %x", w, n, mid, want)
					return
				}
				hashInPieces(h, msg[n/2:], seed+1)
				if got, want := h.Sum(nil), md5.Sum(msg); hex.EncodeToString(got) != hex.EncodeToString(want[:]) {
					t.Errorf("writer %d, %d bytes: %x, want %x", w, n, got, want)
					return
				}
				h.Reset()
				h.Write(msg)
				if got, want := h.Sum([]byte("x")), md5.Sum(msg); string(got[1:]) != string(want[:]) || got[0] != 'x' {
					t.Errorf("writer %d, %d bytes after Reset: %x", w, n, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestScalarPaths: the plain block function and the crypto/md5 path the
// hasher uses for lone jobs (through crypto/md5's state form) agree, and
// with padding give crypto/md5's sums.
func TestScalarPaths(t *testing.T) {
	for _, n := range []int{0, 64, 128, 4096, 64 * 1000} {
		msg := message(uint64(n), n)
		a := [4]uint32{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}
		b := a
		blockScalar(&a, msg)
		soloBlocks(md5.New(), &b, msg)
		if a != b {
			t.Fatalf("%d bytes: blockScalar %x, crypto/md5 path %x", n, a, b)
		}
		pad := append([]byte{0x80}, make([]byte, 55)...)
		pad = binary.LittleEndian.AppendUint64(pad, uint64(n)<<3)
		blockScalar(&a, pad)
		var got []byte
		for _, w := range a {
			got = binary.LittleEndian.AppendUint32(got, w)
		}
		if want := md5.Sum(msg); string(got) != string(want[:]) {
			t.Fatalf("%d bytes: %x, want %x", n, got, want)
		}
	}
}

func FuzzDigest(f *testing.F) {
	f.Add([]byte("abc"), uint8(1))
	f.Add(make([]byte, 300), uint8(64))
	l := NewLanes()
	if l == nil {
		f.Skip("no lanes in this build (GOEXPERIMENT=simd) or on this CPU (AVX-512)")
	}
	f.Fuzz(func(t *testing.T, msg []byte, piece uint8) {
		h := l.New()
		step := int(piece) + 1
		for i := 0; i < len(msg); i += step {
			h.Write(msg[i:min(len(msg), i+step)])
		}
		if got, want := h.Sum(nil), md5.Sum(msg); string(got) != string(want[:]) {
			t.Fatalf("%x, want %x", got, want)
		}
	})
}

// BenchmarkLanes16 hashes 1 MiB writes from 16 concurrent digests (16
// uploads); BenchmarkCryptoMD5 is the same with crypto/md5.
func BenchmarkLanes16(b *testing.B) { benchParallel(b, NewLanes().New) }

func BenchmarkCryptoMD5(b *testing.B) { benchParallel(b, md5.New) }

func benchParallel[H interface{ Write([]byte) (int, error) }](b *testing.B, newHash func() H) {
	buf := message(1, 1<<20)
	b.SetBytes(int64(len(buf)))
	b.SetParallelism(8) // 16 goroutines on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		h := newHash()
		for pb.Next() {
			h.Write(buf)
		}
	})
}

// BenchmarkLanesAlone is one digest with nobody to share the lanes with.
func BenchmarkLanesAlone(b *testing.B) {
	buf := message(1, 1<<20)
	h := NewLanes().New()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		h.Write(buf)
	}
}
