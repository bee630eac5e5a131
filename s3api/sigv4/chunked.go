package sigv4

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	sha256 "github.com/minio/sha256-simd"
)

// The aws-chunked body format:
//
//	<hex size>[;chunk-signature=<64 hex>]\r\n
//	<size bytes>\r\n
//	… more chunks …
//	0[;chunk-signature=<64 hex>]\r\n
//	[trailer lines, each "name:value" ending in \n or \r\n]
//	[x-amz-trailer-signature:<64 hex>\r\n]
//	\r\n
//
// Chunk signatures chain: each signs the previous signature (the request
// signature for the first chunk) and its data's SHA-256. The trailer
// signature chains from the final (empty) chunk's and signs the trailer
// lines as "name:value\n". Clients differ in how they end trailer lines
// (the AWS SDKs use \r\n, minio-go \n followed by a blank \r\n), so the
// trailer section is read to the end of the body and blank lines ignored.

const (
	// chunkLineMax bounds a chunk header line (and sizes the read buffer).
	chunkLineMax = 4096
	// trailerMax bounds everything after the final chunk.
	trailerMax = 16 << 10
	// chunkSizeMax keeps size arithmetic far from overflow.
	chunkSizeMax = 1 << 50

	chunkSignaturePrefix = "chunk-signature="
	trailerSignatureName = "x-amz-trailer-signature"
	chunkAlgorithm       = "AWS4-HMAC-SHA256-PAYLOAD"
	trailerAlgorithm     = "AWS4-HMAC-SHA256-TRAILER"
)

// chunkReader decodes and verifies aws-chunked framing.
type chunkReader struct {
	br            *bufio.Reader
	signed        bool // chunks carry signatures
	trailer       bool // a trailer section may follow the final chunk
	signedTrailer bool // the trailer section is signed

	key       [32]byte
	ts, scope string
	// prev is the signature the next chunk's chains from.
	prev [32]byte
	// claimed is the signature the current chunk's header claims.
	claimed [32]byte
	// h hashes the current chunk's data (signed modes).
	h hash.Hash
	// sts is hmacScratch bytes of room, then a string to sign.
	sts []byte
	// sum receives chunk hashes; a field so hash.Hash.Sum does not make
	// a local escape on every chunk.
	sum [32]byte

	inData bool
	left   int64 // data bytes left in the current chunk
}

func newChunkReader(body io.Reader, a *Auth) *chunkReader {
	c := &chunkReader{br: bufio.NewReaderSize(body, chunkLineMax)}
	switch a.Payload {
	case PayloadStreamingSigned:
		c.signed = true
	case PayloadStreamingSignedTrailer:
		c.signed, c.trailer, c.signedTrailer = true, true, true
	case PayloadStreamingUnsignedTrailer:
		c.trailer = true
	}
	if c.signed {
		c.key, c.prev = a.st.key, a.st.seed
		c.ts, c.scope = a.st.timestamp, a.st.scope
		c.h = sha256.New()
		c.sts = make([]byte, 0, 512)
	}
	return c
}

func (p *Payload) readChunked(b []byte) (int, error) {
	st, c := &p.p, p.p.chunk
	if !c.inData {
		size, err := c.readHeader()
		if err != nil {
			return 0, st.fail(err)
		}
		if size == 0 {
			if err := p.endChunked(); err != nil {
				return 0, err
			}
			return 0, io.EOF
		}
		if size > st.size-st.n {
			return 0, st.fail(fmt.Errorf("%w: chunks hold more than the declared %d bytes", ErrChunkMalformed, st.size))
		}
		c.left, c.inData = size, true
		if c.signed {
			c.h.Reset()
		}
	}
	if len(b) == 0 {
		return 0, nil
	}
	if int64(len(b)) > c.left {
		b = b[:c.left]
	}
	n, err := c.br.Read(b)
	if n > 0 {
		st.write(b[:n])
		if c.signed {
			c.h.Write(b[:n])
		}
		c.left -= int64(n)
	}
	if c.left == 0 {
		if err := c.endData(); err != nil {
			return 0, st.fail(err)
		}
		c.inData = false
		if st.n == st.size {
			// Every declared byte is in. Verify the rest of the stream
			// (final chunk, trailer, whole-body checks) before handing
			// over the last bytes.
			size, err := c.readHeader()
			if err != nil {
				return 0, st.fail(err)
			}
			if size != 0 {
				return 0, st.fail(fmt.Errorf("%w: chunks hold more than the declared %d bytes", ErrChunkMalformed, st.size))
			}
			if err := p.endChunked(); err != nil {
				return 0, err
			}
		}
		return n, nil
	}
	switch {
	case n > 0:
		return n, nil
	case err == io.EOF:
		return 0, st.fail(fmt.Errorf("%w: the body ended inside a chunk, after %d of %d bytes", ErrIncompleteBody, st.n, st.size))
	case err != nil:
		return 0, st.fail(err)
	}
	return 0, nil
}

// readHeader reads "<hex size>[;chunk-signature=<sig>]\r\n".
func (c *chunkReader) readHeader() (int64, error) {
	line, err := c.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return 0, fmt.Errorf("%w: chunk header line too long", ErrChunkMalformed)
	case err == io.EOF:
		return 0, fmt.Errorf("%w: the body ended before its final chunk", ErrIncompleteBody)
	case err != nil:
		return 0, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return 0, fmt.Errorf("%w: chunk header must end in CRLF", ErrChunkMalformed)
	}
	line = line[:len(line)-2]
	sizePart, ext, hasExt := bytes.Cut(line, []byte{';'})
	size, ok := parseChunkSize(sizePart)
	if !ok {
		return 0, fmt.Errorf("%w: chunk size is not a hexadecimal number", ErrChunkMalformed)
	}
	if c.signed {
		if !hasExt || !bytes.HasPrefix(ext, []byte(chunkSignaturePrefix)) ||
			!decodeHex32(ext[len(chunkSignaturePrefix):], &c.claimed) {
			return 0, fmt.Errorf("%w: chunk header lacks a valid chunk-signature", ErrChunkSignature)
		}
	}
	return size, nil
}

func parseChunkSize(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		d, ok := unhex(c)
		if !ok {
			return 0, false
		}
		n = n<<4 | int64(d)
		if n > chunkSizeMax {
			return 0, false
		}
	}
	return n, true
}

// endData consumes the CRLF after a chunk's data and checks its signature.
func (c *chunkReader) endData() error {
	for _, want := range [2]byte{'\r', '\n'} {
		b, err := c.br.ReadByte()
		switch {
		case err == io.EOF:
			return fmt.Errorf("%w: the body ended inside chunk framing", ErrIncompleteBody)
		case err != nil:
			return err
		case b != want:
			return fmt.Errorf("%w: chunk data must be followed by CRLF", ErrChunkMalformed)
		}
	}
	if !c.signed {
		return nil
	}
	c.h.Sum(c.sum[:0])
	if !c.verifyChunk(&c.sum) {
		return fmt.Errorf("%w: a chunk is not signed correctly", ErrChunkSignature)
	}
	return nil
}

// verifyChunk checks c.claimed against
// HMAC(key, "AWS4-HMAC-SHA256-PAYLOAD\n<ts>\n<scope>\n<prev>\n<sha256("")>\n<sha256(data)>")
// and advances the chain.
func (c *chunkReader) verifyChunk(dataHash *[32]byte) bool {
	b := c.stsPrefix(chunkAlgorithm)
	b = append(b, emptySHA256...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, dataHash[:])
	return c.verify(b)
}

// trailerSignature computes the signature of the trailer lines, canonical
// form "name:value\n" each.
func (c *chunkReader) trailerSignature(canon []byte) [32]byte {
	sum := sha256.Sum256(canon)
	b := c.stsPrefix(trailerAlgorithm)
	b = hex.AppendEncode(b, sum[:])
	c.sts = b
	return hmacSign(&c.key, b)
}

// stsPrefix starts a chunk string to sign: room for hmacSign, then
// "<algorithm>\n<ts>\n<scope>\n<hex prev>\n".
func (c *chunkReader) stsPrefix(alg string) []byte {
	b := c.sts[:0]
	for len(b) < hmacScratch {
		b = append(b, 0)
	}
	b = append(b, alg...)
	b = append(b, '\n')
	b = append(b, c.ts...)
	b = append(b, '\n')
	b = append(b, c.scope...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, c.prev[:])
	return append(b, '\n')
}

func (c *chunkReader) verify(sts []byte) bool {
	c.sts = sts
	sig := hmacSign(&c.key, sts)
	ok := subtle.ConstantTimeCompare(sig[:], c.claimed[:]) == 1
	c.prev = c.claimed
	return ok
}

// endChunked runs after the final chunk header: it checks the final
// chunk's signature and the length, reads and verifies the trailer, then
// the whole-body checks.
func (p *Payload) endChunked() error {
	st, c := &p.p, p.p.chunk
	if c.signed {
		var empty [32]byte
		decodeHex32(emptySHA256, &empty)
		if !c.verifyChunk(&empty) {
			return st.fail(fmt.Errorf("%w: the final chunk is not signed correctly", ErrChunkSignature))
		}
	}
	if st.n != st.size {
		return st.fail(fmt.Errorf("%w: got %d of %d bytes", ErrIncompleteBody, st.n, st.size))
	}
	rest, err := io.ReadAll(io.LimitReader(c.br, trailerMax+1))
	if err != nil {
		return st.fail(err)
	}
	if len(rest) > trailerMax {
		return st.fail(fmt.Errorf("%w: more than %d bytes after the final chunk", ErrChunkMalformed, trailerMax))
	}
	if err := c.parseTrailer(rest, st.ck); err != nil {
		return st.fail(err)
	}
	return st.finish()
}

// parseTrailer checks what follows the final chunk: nothing but blank
// lines without a trailer; else the announced checksum trailer and, for
// signed trailers, a valid x-amz-trailer-signature last.
func (c *chunkReader) parseTrailer(rest []byte, ck *checksumState) error {
	var canon []byte
	var value string
	var haveValue, haveSig bool
	var sig [32]byte
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			continue
		}
		if !c.trailer {
			return fmt.Errorf("%w: unexpected data after the final chunk", ErrChunkMalformed)
		}
		if haveSig {
			return fmt.Errorf("%w: data after %s", ErrChunkMalformed, trailerSignatureName)
		}
		n, v, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			return fmt.Errorf("%w: trailer line is not name:value", ErrChunkMalformed)
		}
		name := strings.TrimSpace(string(n))
		val := strings.TrimSpace(string(v))
		if strings.EqualFold(name, trailerSignatureName) {
			if !c.signedTrailer {
				return fmt.Errorf("%w: %s in an unsigned-trailer body", ErrChunkMalformed, trailerSignatureName)
			}
			if !decodeHex32(val, &sig) {
				return fmt.Errorf("%w: %s is not 64 hexadecimal characters", ErrChunkSignature, trailerSignatureName)
			}
			haveSig = true
			continue
		}
		if ck == nil || !ck.trailer || !strings.EqualFold(name, ck.alg.header()) {
			return fmt.Errorf("%w: trailer %q was not announced in x-amz-trailer", ErrChunkMalformed, clip(name))
		}
		if haveValue {
			return fmt.Errorf("%w: trailer %s is repeated", ErrChunkMalformed, ck.alg.header())
		}
		haveValue, value = true, val
		canon = append(canon, ck.alg.header()...)
		canon = append(canon, ':')
		canon = append(canon, val...)
		canon = append(canon, '\n')
	}
	if ck != nil && ck.trailer && !haveValue {
		return fmt.Errorf("%w: trailer %s was announced but not sent", ErrChunkMalformed, ck.alg.header())
	}
	if c.signedTrailer {
		if !haveSig {
			return fmt.Errorf("%w: missing %s", ErrChunkSignature, trailerSignatureName)
		}
		want := c.trailerSignature(canon)
		if subtle.ConstantTimeCompare(want[:], sig[:]) != 1 {
			return fmt.Errorf("%w: the trailer is not signed correctly", ErrChunkSignature)
		}
	}
	if haveValue {
		want, err := decodeChecksum(ck.alg, value)
		if err != nil {
			return err
		}
		ck.want = want
	}
	return nil
}
