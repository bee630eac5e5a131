package sigv4

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"

	sha256 "github.com/minio/sha256-simd"
)

// payloadState is the Payload's private state.
//
// INVARIANT: done is set only after every check that applies to the body
// passed; err, once set, is returned by every later Read. The last bytes
// of a body are handed to the caller only in the same Read that verified
// the whole body, so even a caller that stops at Size bytes without
// waiting for io.EOF never sees an unverified body end.
type payloadState struct {
	mode PayloadMode
	// size is the decoded length the client declared, -1 if unknown.
	size int64
	// n counts decoded bytes read so far.
	n int64

	md5 hash.Hash
	// sha is the body SHA-256 for PayloadSigned, nil otherwise.
	sha     hash.Hash
	wantSHA [32]byte
	// wantMD5 is the Content-MD5, nil when absent.
	wantMD5 []byte
	ck      *checksumState
	chunk   *chunkReader

	done bool
	err  error
	etag string
	sums map[string]string
}

// NewPayload wraps a request body for reading, according to how the
// request was signed. header gives the request headers by lower-case name.
// It fails at once on malformed body headers (Content-MD5, checksums,
// lengths); everything about the content itself is checked while reading.
//
// body must end (io.EOF) where the request body ends: NewPayload reads an
// aws-chunked body up to its end to verify the trailer.
func (a *Auth) NewPayload(body io.Reader, header func(name string) string) (*Payload, error) {
	p := &Payload{r: body}
	st := &p.p
	st.mode = a.Payload

	size, err := parseLength(header("content-length"), "Content-Length")
	if err != nil {
		return nil, err
	}
	streaming := false
	switch a.Payload {
	case PayloadSigned:
		st.sha = sha256.New()
		st.wantSHA = a.st.contentSHA256
	case PayloadStreamingSigned, PayloadStreamingSignedTrailer, PayloadStreamingUnsignedTrailer:
		streaming = true
		dl := header("x-amz-decoded-content-length")
		if dl == "" {
			return nil, fmt.Errorf("%w: aws-chunked bodies need x-amz-decoded-content-length", ErrMissingContentLength)
		}
		if size, err = parseLength(dl, "x-amz-decoded-content-length"); err != nil {
			return nil, err
		}
	}
	st.size = size
	st.md5 = md5.New()
	if size < 0 || size >= lanesMinBody {
		st.md5 = a.lanes.New()
	}

	if s := header("content-md5"); s != "" {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil || len(b) != md5.Size {
			return nil, fmt.Errorf("%w: Content-MD5 must be the base64 of a 16-byte MD5 digest", ErrInvalidDigest)
		}
		st.wantMD5 = b
	}
	if st.ck, err = parseChecksums(header, a.Payload); err != nil {
		return nil, err
	}
	if streaming {
		st.chunk = newChunkReader(body, a)
	}
	return p, nil
}

// lanesMinBody is the smallest body hashed on the MD5 lanes: smaller ones
// take microseconds alone and would only pay the hand-offs.
const lanesMinBody = 256 << 10

func parseLength(s, name string) (int64, error) {
	if s == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s %q is not a non-negative integer", ErrMissingContentLength, name, clip(s))
	}
	return n, nil
}

// Read reads decoded body bytes. At the end of the body it returns io.EOF
// only if every check passed, and otherwise an error wrapping the failed
// check's sentinel.
func (p *Payload) Read(b []byte) (int, error) {
	st := &p.p
	if st.err != nil {
		return 0, st.err
	}
	if st.done {
		return 0, io.EOF
	}
	if st.chunk != nil {
		return p.readChunked(b)
	}
	return p.readPlain(b)
}

// Size is the decoded length the client declared: x-amz-decoded-content-length
// for aws-chunked bodies, else Content-Length; -1 when unknown.
func (p *Payload) Size() int64 { return p.p.size }

// ETag is the hex MD5 of the decoded body, once Read has returned io.EOF;
// "" before.
func (p *Payload) ETag() string { return p.p.etag }

// Checksums maps each additional checksum the request asked for
// ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256") to its base64 value,
// verified against the client's value when it sent one. Valid once Read
// has returned io.EOF; nil before and when none was asked for.
func (p *Payload) Checksums() map[string]string { return p.p.sums }

func (st *payloadState) fail(err error) error {
	st.err = err
	return err
}

// write feeds decoded body bytes to every running hash.
func (st *payloadState) write(b []byte) {
	st.md5.Write(b)
	if st.sha != nil {
		st.sha.Write(b)
	}
	if st.ck != nil {
		st.ck.h.Write(b)
	}
	st.n += int64(len(b))
}

func (p *Payload) readPlain(b []byte) (int, error) {
	st := &p.p
	if st.size >= 0 {
		rem := st.size - st.n
		if rem == 0 {
			if err := st.finish(); err != nil {
				return 0, err
			}
			return 0, io.EOF
		}
		if int64(len(b)) > rem {
			b = b[:rem]
		}
	}
	if len(b) == 0 {
		return 0, nil
	}
	n, err := p.r.Read(b)
	if n > 0 {
		st.write(b[:n])
	}
	if st.size >= 0 && st.n == st.size {
		// The body is complete: verify before handing over its end.
		if ferr := st.finish(); ferr != nil {
			return 0, ferr
		}
		return n, nil
	}
	if err == io.EOF {
		if st.size >= 0 {
			return 0, st.fail(fmt.Errorf("%w: got %d of %d bytes", ErrIncompleteBody, st.n, st.size))
		}
		if ferr := st.finish(); ferr != nil {
			return 0, ferr
		}
		if n > 0 {
			return n, nil
		}
		return 0, io.EOF
	}
	return n, err
}

// finish runs the end-of-body checks and records the results.
func (st *payloadState) finish() error {
	if st.done || st.err != nil {
		return st.err
	}
	var buf [64]byte
	if st.sha != nil {
		if got := st.sha.Sum(buf[:0]); !bytes.Equal(got, st.wantSHA[:]) {
			return st.fail(fmt.Errorf("%w: the body does not hash to x-amz-content-sha256", ErrContentSHA256Mismatch))
		}
	}
	sum := st.md5.Sum(buf[:0])
	if st.wantMD5 != nil && !bytes.Equal(sum, st.wantMD5) {
		return st.fail(fmt.Errorf("%w: the Content-MD5 you specified did not match what we received", ErrBadDigest))
	}
	st.etag = hex.EncodeToString(sum)
	if ck := st.ck; ck != nil {
		if ck.trailer && ck.want == nil {
			// The chunk reader fails first; this guards the invariant.
			return st.fail(fmt.Errorf("%w: the %s trailer never arrived", ErrChunkMalformed, ck.alg.header()))
		}
		got := ck.h.Sum(buf[:0])
		if ck.want != nil && !bytes.Equal(got, ck.want) {
			return st.fail(fmt.Errorf("%w: the %s you specified did not match the calculated checksum", ErrChecksumMismatch, ck.alg.name()))
		}
		st.sums = map[string]string{ck.alg.name(): base64.StdEncoding.EncodeToString(got)}
	}
	st.done = true
	return nil
}
