package sigv4

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"

	sha256 "github.com/minio/sha256-simd"
)

// checksumAlg is one of the S3 additional checksum algorithms.
type checksumAlg int

const (
	algNone checksumAlg = iota
	algCRC32
	algCRC32C
	algCRC64NVME
	algSHA1
	algSHA256
	algCount
)

// crc64NVMEPoly is the CRC-64/NVME polynomial 0xAD93D23594C93659 in the
// bit-reversed form hash/crc64 takes (CRC-64/NVME is reflected, with
// all-ones init and final xor, which hash/crc64 applies).
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

// name is the algorithm as S3 spells it in x-amz-checksum-algorithm.
func (a checksumAlg) name() string {
	switch a {
	case algCRC32:
		return "CRC32"
	case algCRC32C:
		return "CRC32C"
	case algCRC64NVME:
		return "CRC64NVME"
	case algSHA1:
		return "SHA1"
	case algSHA256:
		return "SHA256"
	}
	return ""
}

// header is the lower-case header (or trailer) carrying the value.
func (a checksumAlg) header() string {
	return "x-amz-checksum-" + strings.ToLower(a.name())
}

func (a checksumAlg) size() int {
	switch a {
	case algCRC32, algCRC32C:
		return 4
	case algCRC64NVME:
		return 8
	case algSHA1:
		return 20
	case algSHA256:
		return 32
	}
	return 0
}

func (a checksumAlg) newHash() hash.Hash {
	switch a {
	case algCRC32:
		return crc32.NewIEEE()
	case algCRC32C:
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case algCRC64NVME:
		return crc64.New(crc64.MakeTable(crc64NVMEPoly))
	case algSHA1:
		return sha1.New()
	case algSHA256:
		return sha256.New()
	}
	return nil
}

func parseChecksumAlg(s string) (checksumAlg, bool) {
	for a := algCRC32; a < algCount; a++ {
		if strings.EqualFold(s, a.name()) {
			return a, true
		}
	}
	return algNone, false
}

// checksumFromHeaderName maps "x-amz-checksum-crc32" (any case) to its
// algorithm.
func checksumFromHeaderName(s string) (checksumAlg, bool) {
	const prefix = "x-amz-checksum-"
	if len(s) <= len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return algNone, false
	}
	return parseChecksumAlg(s[len(prefix):])
}

// decodeChecksum decodes a base64 checksum value of the algorithm's size.
func decodeChecksum(a checksumAlg, v string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || len(b) != a.size() {
		return nil, fmt.Errorf("%w: %s value is not the base64 of a %d-byte checksum", ErrInvalidChecksum, a.header(), a.size())
	}
	return b, nil
}

// checksumState is the additional checksum a body is verified against.
type checksumState struct {
	alg checksumAlg
	h   hash.Hash
	// want is the expected value; nil while it has still to come in a
	// trailer, or when the client only asked the server to compute it.
	want []byte
	// trailer reports that the value comes in the aws-chunked trailer.
	trailer bool
}

// parseChecksums reads the checksum the client asks for, from
// x-amz-sdk-checksum-algorithm / x-amz-checksum-algorithm, an
// x-amz-checksum-* header or an x-amz-trailer announcement. At most one
// algorithm may be named, consistently. It returns nil when no checksum
// is requested.
func parseChecksums(header func(string) string, mode PayloadMode) (*checksumState, error) {
	alg := algNone
	for _, h := range [...]string{"x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"} {
		s := header(h)
		if s == "" {
			continue
		}
		a, ok := parseChecksumAlg(s)
		if !ok {
			return nil, fmt.Errorf("%w: %s %q is not one of CRC32, CRC32C, CRC64NVME, SHA1, SHA256", ErrInvalidChecksum, h, clip(s))
		}
		if alg != algNone && a != alg {
			return nil, fmt.Errorf("%w: conflicting checksum algorithms %s and %s", ErrInvalidChecksum, alg.name(), a.name())
		}
		alg = a
	}
	var valueAlg checksumAlg
	var value string
	for a := algCRC32; a < algCount; a++ {
		v := header(a.header())
		if v == "" {
			continue
		}
		if valueAlg != algNone {
			return nil, fmt.Errorf("%w: expecting a single x-amz-checksum- header, got %s and %s", ErrInvalidChecksum, valueAlg.header(), a.header())
		}
		valueAlg, value = a, v
	}
	st := &checksumState{}
	if valueAlg != algNone {
		if alg != algNone && alg != valueAlg {
			return nil, fmt.Errorf("%w: checksum algorithm %s does not match header %s", ErrInvalidChecksum, alg.name(), valueAlg.header())
		}
		want, err := decodeChecksum(valueAlg, value)
		if err != nil {
			return nil, err
		}
		alg, st.want = valueAlg, want
	}
	if t := header("x-amz-trailer"); t != "" {
		if mode != PayloadStreamingSignedTrailer && mode != PayloadStreamingUnsignedTrailer {
			return nil, fmt.Errorf("%w: x-amz-trailer needs x-amz-content-sha256 %s or %s", ErrInvalidChecksum, streamingSignedTrailer, streamingUnsignedTrailer)
		}
		name := strings.TrimSpace(t)
		ta, ok := checksumFromHeaderName(name)
		if !ok {
			return nil, fmt.Errorf("%w: x-amz-trailer %q must name one x-amz-checksum- header", ErrInvalidChecksum, clip(t))
		}
		if valueAlg != algNone {
			return nil, fmt.Errorf("%w: checksum sent both as header %s and as trailer", ErrInvalidChecksum, valueAlg.header())
		}
		if alg != algNone && alg != ta {
			return nil, fmt.Errorf("%w: checksum algorithm %s does not match trailer %s", ErrInvalidChecksum, alg.name(), ta.header())
		}
		alg, st.trailer = ta, true
	}
	if alg == algNone {
		return nil, nil
	}
	st.alg, st.h = alg, alg.newHash()
	return st, nil
}
