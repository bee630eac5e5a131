package md5lanes

import (
	"crypto/md5"
	"encoding/binary"
)

// Digest is an MD5 hash.Hash on Lanes. Write copies into a chunk buffer and
// hands full chunks to the lanes without waiting: the caller receives the
// next bytes while the lanes hash the last. Up to maxChunks chunks wait;
// Write blocks only when all of them do. Sum waits for every chunk.
type Digest struct {
	l     *Lanes
	s     *stream
	state [4]uint32 // the lanes' while chunks are out
	len   uint64
	buf   []byte   // filling; nil until the first Write
	free  [][]byte // chunk buffers back from the lanes
	out   int      // chunks handed over and not back
}

func (d *Digest) Size() int      { return md5.Size }
func (d *Digest) BlockSize() int { return blockSize }

func (d *Digest) Reset() {
	d.waitAll()
	d.state = [4]uint32{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}
	d.len = 0
	if d.buf != nil {
		d.buf = d.buf[:0]
	}
}

func (d *Digest) waitAll() {
	if d.out == 0 {
		return
	}
	d.l.urgent.Add(1)
	d.l.poke()
	for ; d.out > 0; d.out-- {
		d.free = append(d.free, <-d.s.back)
	}
	d.l.urgent.Add(-1)
}

func (d *Digest) Write(p []byte) (int, error) {
	n := len(p)
	d.len += uint64(n)
	for len(p) > 0 {
		if d.buf == nil {
			d.buf = d.l.getBuf()
		}
		c := copy(d.buf[len(d.buf):cap(d.buf)], p)
		d.buf = d.buf[:len(d.buf)+c]
		p = p[c:]
		if len(d.buf) == cap(d.buf) {
			d.send()
		}
	}
	return n, nil
}

// send hands the buffer's whole blocks to the lanes and continues in
// another buffer with the rest.
func (d *Digest) send() {
	whole := len(d.buf) &^ (blockSize - 1)
	var next []byte
	switch {
	case len(d.free) > 0:
		next, d.free = d.free[len(d.free)-1], d.free[:len(d.free)-1]
	case d.out < maxChunks:
		next = d.l.getBuf()
	default:
		d.l.urgent.Add(1)
		d.l.poke()
		next = <-d.s.back
		d.l.urgent.Add(-1)
		d.out--
	}
	next = append(next[:0], d.buf[whole:]...)
	d.out++
	d.l.push(d.s, d.buf[:whole])
	d.buf = next
}

// Sum appends the digest of what was written; the Digest can go on. It
// hashes what is buffered into the state itself and gives the buffers back
// to the lanes' pool (a later Write takes new ones): a payload's last act
// is its Sum.
func (d *Digest) Sum(in []byte) []byte {
	d.waitAll()
	if whole := len(d.buf) &^ (blockSize - 1); whole > 0 {
		soloBlocks(d.s.solo, &d.state, d.buf[:whole])
		d.buf = d.buf[:copy(d.buf, d.buf[whole:])]
	}
	s := d.state
	var tail [2 * blockSize]byte
	t := copy(tail[:], d.buf)
	tail[t] = 0x80
	end := blockSize
	if t >= blockSize-8 {
		end = 2 * blockSize
	}
	binary.LittleEndian.PutUint64(tail[end-8:], d.len<<3)
	blockScalar(&s, tail[:end])
	for _, w := range s {
		in = binary.LittleEndian.AppendUint32(in, w)
	}
	for _, b := range d.free {
		d.l.putBuf(b)
	}
	d.free = nil
	if len(d.buf) == 0 && d.buf != nil {
		d.l.putBuf(d.buf)
		d.buf = nil
	}
	return in
}
