package meta

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
)

// Sealed secret format, version 1 (what commands carry and badger stores in
// place of every IAM secret):
//
//	version      1 byte (sealedV1)
//	fingerprint  4 bytes: SHA-256("cairn-master-key\x00" || key)[:4]
//	nonce        12 random bytes
//	ciphertext   AES-256-GCM(plaintext) with its 16-byte tag
//
// The additional data is the 5 header bytes plus the record's context
// (e.g. "access-key/AKIA…"): a sealed secret cannot be moved to another
// record, nor its header altered, without failing to open. The fingerprint
// only lets Open say "sealed under another master key" instead of a bare
// authentication failure; it reveals nothing useful about the key.
const (
	sealedV1        = 1
	sealedHeaderLen = 1 + 4
	sealedNonceLen  = 12
	sealedTagLen    = 16
	// sealedMinLen is the length of a sealed empty secret.
	sealedMinLen = sealedHeaderLen + sealedNonceLen + sealedTagLen
	// MasterKeySize is the size of the key a SecretBox is made from.
	MasterKeySize = 32
)

// ErrSecretKeyMismatch is returned by Open for a secret sealed under another
// master key: the node was started with the wrong CAIRN_MASTER_KEY or
// master.key file.
var ErrSecretKeyMismatch = errors.New("meta: secret sealed under a different master key")

// ErrSecretCorrupt is returned by Open for a sealed secret that is
// malformed or fails authentication.
var ErrSecretCorrupt = errors.New("meta: sealed secret is corrupt")

// SecretBox seals and opens IAM secrets (access-key and service-account
// secrets, STS keys) with AES-256-GCM under the node's master key. It is
// safe for concurrent use. Secrets are sealed by the proposer before a
// command enters the Raft log and opened only to build the in-memory
// iam.Directory, so neither the log nor the state DB ever holds plaintext.
type SecretBox struct {
	aead cipher.AEAD
	fp   [4]byte
}

// NewSecretBox returns a box sealing under key, which must be 32 bytes of
// uniform randomness (the node's master key).
func NewSecretBox(key []byte) (*SecretBox, error) {
	if len(key) != MasterKeySize {
		return nil, fmt.Errorf("meta: master key of %d bytes, want %d", len(key), MasterKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("meta: master key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("meta: master key: %w", err)
	}
	b := &SecretBox{aead: aead}
	sum := sha256.Sum256(append([]byte("cairn-master-key\x00"), key...))
	copy(b.fp[:], sum[:4])
	return b, nil
}

// Seal encrypts plaintext for the record named by context. Each call uses
// a fresh random nonce; 2^32 seals under one key keep the GCM nonce
// collision risk negligible, far beyond any IAM workload.
func (b *SecretBox) Seal(plaintext []byte, context string) ([]byte, error) {
	out := make([]byte, sealedHeaderLen+sealedNonceLen, sealedMinLen+len(plaintext))
	out[0] = sealedV1
	copy(out[1:sealedHeaderLen], b.fp[:])
	if _, err := rand.Read(out[sealedHeaderLen:]); err != nil {
		return nil, fmt.Errorf("meta: seal secret: %w", err)
	}
	nonce := out[sealedHeaderLen:]
	return b.aead.Seal(out, nonce, plaintext, additionalData(out[:sealedHeaderLen], context)), nil
}

// Open decrypts a secret sealed by Seal for the same context. It returns an
// error wrapping ErrSecretKeyMismatch or ErrSecretCorrupt on failure; the
// error never includes secret material.
func (b *SecretBox) Open(sealed []byte, context string) ([]byte, error) {
	if err := checkSealed(sealed); err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(sealed[1:sealedHeaderLen], b.fp[:]) != 1 {
		return nil, fmt.Errorf("%w (%s)", ErrSecretKeyMismatch, context)
	}
	nonce := sealed[sealedHeaderLen : sealedHeaderLen+sealedNonceLen]
	pt, err := b.aead.Open(nil, nonce, sealed[sealedHeaderLen+sealedNonceLen:], additionalData(sealed[:sealedHeaderLen], context))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed (%s)", ErrSecretCorrupt, context)
	}
	return pt, nil
}

// checkSealed checks the shape of a sealed secret without a key: what a
// command's pure check can verify, so a command carrying a plaintext (or
// empty) secret is refused by every replica.
func checkSealed(sealed []byte) error {
	switch {
	case len(sealed) == 0:
		return fmt.Errorf("%w: missing", ErrSecretCorrupt)
	case sealed[0] != sealedV1:
		return fmt.Errorf("%w: unknown format version %d", ErrSecretCorrupt, sealed[0])
	case len(sealed) < sealedMinLen:
		return fmt.Errorf("%w: %d bytes is too short", ErrSecretCorrupt, len(sealed))
	}
	return nil
}

func additionalData(header []byte, context string) []byte {
	ad := make([]byte, 0, len(header)+len(context)+16)
	ad = append(ad, "cairn-secret\x00"...)
	ad = append(ad, header...)
	return append(ad, context...)
}

// Contexts of the sealed secrets, one per record kind, binding each
// ciphertext to the record that owns it.
func accessKeyContext(id string) string      { return "access-key/" + id }
func serviceAccountContext(ak string) string { return "service-account/" + ak }
func stsKeyContext(id string) string         { return "sts-key/" + id }
