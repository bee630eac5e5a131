package s3api

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"

	"github.com/cairn-s3/cairn/data"
)

// crc64NVME is the CRC-64/NVME table (polynomial 0xAD93D23594C93659,
// bit-reversed as hash/crc64 takes it).
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

var crc32C = crc32.MakeTable(crc32.Castagnoli)

// newChecksumHash returns the hash of an S3 additional checksum algorithm
// (upper case), nil for an unknown one.
func newChecksumHash(alg string) hash.Hash {
	switch alg {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32C)
	case "CRC64NVME":
		return crc64.New(crc64NVME)
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

// copyDigest reads a copy's source bytes and computes, as they pass, the
// MD5 (the new ETag) and the checksums the copy records. The source was
// verified against its bitrot hashes by the object layer; these digests
// describe the new object or part.
type copyDigest struct {
	r    io.Reader
	n    int64
	md5  hash.Hash
	algs []string
	sums []hash.Hash
}

func newCopyDigest(r io.Reader, algs []string) *copyDigest {
	d := &copyDigest{r: r, md5: md5.New()}
	for _, a := range algs {
		if h := newChecksumHash(a); h != nil {
			d.algs = append(d.algs, a)
			d.sums = append(d.sums, h)
		}
	}
	return d
}

func (d *copyDigest) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if n > 0 {
		d.n += int64(n)
		d.md5.Write(p[:n])
		for _, h := range d.sums {
			h.Write(p[:n])
		}
	}
	return n, err
}

func (d *copyDigest) etag() string { return hex.EncodeToString(d.md5.Sum(nil)) }

// seal is the PutOptions.Seal of a copy: the digests of what was read.
// The object layer calls it after reading exactly the declared size.
func (d *copyDigest) seal() (data.Sealed, error) {
	if err := ensureEOF(d); err != nil {
		return data.Sealed{}, fmt.Errorf("s3api: copy source after %d bytes: %w", d.n, err)
	}
	s := data.Sealed{ETag: d.etag()}
	if len(d.sums) > 0 {
		s.Checksums = make(map[string]string, len(d.sums))
		for i, h := range d.sums {
			s.Checksums[d.algs[i]] = base64.StdEncoding.EncodeToString(h.Sum(nil))
		}
	}
	return s, nil
}
