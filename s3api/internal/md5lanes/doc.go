// Package md5lanes computes many MD5 digests at once on the 16 32-bit lanes
// of AVX-512 registers.
//
// MD5 is a serial chain within one message, so one upload's ETag cannot be
// hashed faster than a core runs MD5 (~0.85 GB/s here, the most expensive
// per-byte step of a PUT). Sixteen uploads can be hashed together, one per
// lane, at ~3 GB/s on one core. A Digest copies what it is given into a
// 128 KiB chunk and hands full chunks to its Lanes without waiting; one
// hasher goroutine per Lanes hashes the chunks of up to sixteen Digests
// side by side, each Digest's chunks in order in one lane. Because the
// hasher is faster than uploads arrive, it waits up to 2 ms for half the
// lanes to have work unless a writer is blocked on it (all its chunks out,
// or in Sum). A lane with no company is hashed with crypto/md5's assembly.
// The hasher goroutine ends after a second without work; the next chunk
// starts another, so there is nothing to close.
//
// Lanes need GOEXPERIMENT=simd at build time (the Makefile sets it; the
// vector code is simd/archsimd, experimental in Go 1.26) and a CPU with
// AVX-512; otherwise NewLanes returns nil and New gives crypto/md5's hash.
// The vector block function is generated (gen.go) because its rotations
// must be constants.
//
// Measured (BenchmarkLanes16 against BenchmarkCryptoMD5, 16 writers on the
// 2-core VM): 2.7–2.9 GB/s on one core against 1.7 GB/s on two.
//
// Invariants: a stream (one Digest) is in at most one lane or queue slot at
// a time, so its chunks are hashed in order into one state; the Digest
// reads its state only after every chunk it handed over came back (the
// hasher stores the state before returning the last chunk); a chunk's
// buffer belongs to the hasher from push until it comes back.
package md5lanes

//go:generate go run gen.go
