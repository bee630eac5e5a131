package bench

import (
	"bytes"
	"io"
)

// maxPayloadBuffer caps the random bytes a run keeps in memory: larger
// objects repeat them, so a 5 GiB PUT costs the client 64 MiB, not 5 GiB.
const maxPayloadBuffer = 64 << 20

// Payload is the random bytes object bodies are cut from.
type Payload []byte

// Section is n bytes of the payload starting at off, wrapping around at
// its end. The returned reader is new and owned by the caller.
func (p Payload) Section(off, n int64) io.Reader {
	if len(p) == 0 || n == 0 {
		return bytes.NewReader(nil)
	}
	start := off % int64(len(p))
	if start+n <= int64(len(p)) {
		return bytes.NewReader(p[start : start+n])
	}
	return &cycleReader{p: p, pos: start, left: n}
}

type cycleReader struct {
	p    Payload
	pos  int64 // next byte of p
	left int64
}

func (c *cycleReader) Read(b []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > c.left {
		b = b[:c.left]
	}
	n := copy(b, c.p[c.pos:])
	c.pos = (c.pos + int64(n)) % int64(len(c.p))
	c.left -= int64(n)
	return n, nil
}
