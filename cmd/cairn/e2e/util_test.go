package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"math/rand"
	"testing"

	"github.com/aws/smithy-go"
)

// errCode is the AWS error code of err ("" if it has none).
func errCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := errCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// randBytes is deterministic pseudo-random content, so a failure reproduces.
func randBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func readAll(t *testing.T, r io.ReadCloser) []byte {
	t.Helper()
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameBytes(t *testing.T, got, want []byte, what string) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes (md5 %s), want %d bytes (md5 %s)", what, len(got), md5hex(got), len(want), md5hex(want))
	}
}

// patternReader yields n deterministic bytes without holding them in memory,
// for uploads larger than a test wants to allocate.
type patternReader struct {
	n, off int64
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if rem := p.n - p.off; int64(len(b)) > rem {
		b = b[:rem]
	}
	for i := range b {
		x := uint64(p.off + int64(i))
		b[i] = byte(x*2654435761>>13) ^ byte(x>>8)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// ReadAt makes a pattern seekable through io.NewSectionReader, for clients
// that hash a body before sending it.
func (p *patternReader) ReadAt(b []byte, off int64) (int, error) {
	q := patternReader{n: p.n, off: off}
	n, err := q.Read(b)
	if err == nil && n < len(b) {
		err = io.EOF
	}
	return n, err
}

func patternSection(n int64) *io.SectionReader {
	return io.NewSectionReader(&patternReader{n: n}, 0, n)
}

func patternMD5(n int64) string {
	h := md5.New()
	io.Copy(h, &patternReader{n: n})
	return hex.EncodeToString(h.Sum(nil))
}
