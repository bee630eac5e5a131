package sigv4

import (
	"crypto/hmac"
	"strings"
	"sync"

	sha256 "github.com/minio/sha256-simd"
)

// keyCacheGeneration bounds one generation of the signing-key cache; the
// cache holds at most two generations. A key is valid for one day and one
// (secret, region, service), so a deployment with a few hundred active
// keys stays entirely cached.
const keyCacheGeneration = 512

// keyID names a derived signing key. The secret is part of the name so a
// rotated secret never finds the old key.
type keyID struct {
	secret, date, region, service string
}

// keyCache is a bounded, concurrency-safe cache of derived signing keys.
// It is two-generational: new keys go to cur; when cur is full it becomes
// old and the previous old is dropped. A key found only in old is
// re-remembered into cur after it verifies, so keys in use survive; that
// approximates LRU without per-entry bookkeeping.
//
// The zero value is ready to use.
type keyCache struct {
	mu struct {
		sync.RWMutex
		// cur and old are guarded by the RWMutex. Their keys are owned
		// copies: request strings may be views of reused buffers.
		cur, old map[keyID][32]byte
	}
}

// signingKey returns the SigV4 signing key for the scope, from the cache
// or freshly derived. It does not cache a derived key: the caller calls
// remember once a signature made with it verifies, so requests that fail
// authentication cannot churn the cache.
func (c *keyCache) signingKey(secret, date, region, service string) (key [32]byte, cached bool) {
	id := keyID{secret, date, region, service}
	c.mu.RLock()
	k, inCur := c.mu.cur[id]
	k2, inOld := c.mu.old[id]
	c.mu.RUnlock()
	switch {
	case inCur:
		return k, true
	case inOld:
		// Reported as not cached so that remember promotes it.
		return k2, false
	}
	return deriveSigningKey(secret, date, region, service), false
}

// remember caches a signing key that has just verified a signature.
func (c *keyCache) remember(secret, date, region, service string, k [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.cur == nil || len(c.mu.cur) >= keyCacheGeneration {
		c.mu.old = c.mu.cur
		c.mu.cur = make(map[keyID][32]byte, keyCacheGeneration)
	}
	// Request strings may be views of reused buffers: keep copies.
	owned := keyID{
		secret:  strings.Clone(secret),
		date:    strings.Clone(date),
		region:  strings.Clone(region),
		service: strings.Clone(service),
	}
	c.mu.cur[owned] = k
}

// len reports the number of cached keys (for tests).
func (c *keyCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.mu.cur) + len(c.mu.old)
}

// deriveSigningKey computes
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveSigningKey(secret, date, region, service string) [32]byte {
	k := hmacOnce([]byte("AWS4"+secret), date)
	k = hmacOnce(k, region)
	k = hmacOnce(k, service)
	k = hmacOnce(k, "aws4_request")
	var out [32]byte
	copy(out[:], k)
	return out
}

func hmacOnce(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// hmacScratch is the room hmacSign needs in front of a message.
const hmacScratch = 64

// hmacSign returns HMAC-SHA256(key, buf[hmacScratch:]) without allocating.
// The first hmacScratch bytes of buf are scratch space and are overwritten;
// callers build the message after them. It relies on the key (32 bytes)
// being shorter than the SHA-256 block, so no key hashing is needed.
func hmacSign(key *[32]byte, buf []byte) [32]byte {
	pad := buf[:hmacScratch]
	for i := range pad {
		pad[i] = 0x36
	}
	for i, b := range key {
		pad[i] ^= b
	}
	inner := sha256.Sum256(buf)
	var outer [hmacScratch + 32]byte
	for i := 0; i < hmacScratch; i++ {
		outer[i] = 0x5c
	}
	for i, b := range key {
		outer[i] ^= b
	}
	copy(outer[hmacScratch:], inner[:])
	return sha256.Sum256(outer[:])
}
