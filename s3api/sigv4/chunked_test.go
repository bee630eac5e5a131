package sigv4

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// streamingUpload is a signed aws-chunked PUT built by the naive signer.
type streamingUpload struct {
	auth    *Auth
	header  func(string) string
	seed    string
	signer  naiveSigner
	data    []byte
	trailer string // announced trailer name, "" for none
}

// newStreamingUpload signs a PUT whose body will be aws-chunked in mode
// (one of the STREAMING-* values), announcing trailer if not empty.
func newStreamingUpload(t testing.TB, mode string, data []byte, trailer string, extra map[string]string) *streamingUpload {
	t.Helper()
	s := userSigner()
	r, _ := http.NewRequest("PUT", "http://cairn.local:9000/bucket/obj", nil)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	if trailer != "" {
		r.Header.Set("X-Amz-Trailer", trailer)
	}
	for k, v := range extra {
		r.Header.Set(k, v)
	}
	seed := s.sign(r, mode)
	u := &streamingUpload{header: bodyHeader(r), seed: seed, signer: s, data: data, trailer: trailer}
	u.auth = mustVerify(t, newTestVerifier(testNow), toRequest(r, true))
	return u
}

// body frames the upload's data; seed "" for unsigned chunks.
func (u *streamingUpload) body(chunk int, seed, trailerValue string, style chunkStyle) []byte {
	return u.signer.chunkedBody(u.data, chunk, seed, u.trailer, trailerValue, style)
}

func (u *streamingUpload) read(t testing.TB, body io.Reader, bufSize int) (*Payload, []byte, error) {
	t.Helper()
	p, err := u.auth.NewPayload(body, u.header)
	if err != nil {
		t.Fatalf("NewPayload: %v", err)
	}
	got, err := readPayload(p, bufSize)
	return p, got, err
}

func randomData(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestStreamingSigned(t *testing.T) {
	for _, n := range []int{0, 1, 8191, 8192, 100000} {
		data := randomData(n)
		u := newStreamingUpload(t, streamingSigned, data, "", nil)
		if u.auth.Payload != PayloadStreamingSigned {
			t.Fatalf("mode %v", u.auth.Payload)
		}
		body := u.body(8192, u.seed, "", styleAWS)
		for _, bs := range []int{1, 777, 1 << 20} {
			p, got, err := u.read(t, iotest.OneByteReader(bytes.NewReader(body)), bs)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("n=%d buf=%d: %d bytes, %v", n, bs, len(got), err)
			}
			sum := md5.Sum(data)
			if p.ETag() != hex.EncodeToString(sum[:]) || p.Size() != int64(n) {
				t.Fatalf("ETag %s Size %d", p.ETag(), p.Size())
			}
		}
	}
}

func TestStreamingSignedErrors(t *testing.T) {
	data := randomData(20000)
	u := newStreamingUpload(t, streamingSigned, data, "", nil)
	good := u.body(8192, u.seed, "", styleAWS)
	other := randomData(20001)[1:]
	cases := []struct {
		name string
		body []byte
		want error
	}{
		{"chained from a wrong seed", u.body(8192, strings.Repeat("0", 64), "", styleAWS), ErrChunkSignature},
		{"other data, same framing", u.signer.chunkedBody(other, 8192, strings.Repeat("1", 64), "", "", styleAWS), ErrChunkSignature},
		{"flipped data byte", flipAt(good, 9000), ErrChunkSignature},
		{"truncated in data", good[:5000], ErrIncompleteBody},
		{"truncated before final chunk", good[:bytes.LastIndex(good, []byte("0;chunk-signature"))], ErrIncompleteBody},
		{"no chunk signature", []byte("4e20\r\n"), ErrChunkSignature},
		{"bad size", []byte("zz;chunk-signature=" + strings.Repeat("0", 64) + "\r\n"), ErrChunkMalformed},
		{"header without CR", bytes.Replace(good, []byte("\r\n"), []byte("\n"), 1), ErrChunkMalformed},
		{"data not followed by CRLF", bytes.Replace(good, []byte("\r\n2000;"), []byte("XX2000;"), 1), ErrChunkMalformed},
		{"huge header line", append([]byte("2000;"), bytes.Repeat([]byte("x"), 5000)...), ErrChunkMalformed},
		{"junk after final chunk", append(append([]byte{}, good...), "x-amz-checksum-crc32:AAAAAA==\r\n"...), ErrChunkMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, got, err := u.read(t, bytes.NewReader(c.body), 4096)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if len(got) >= len(data) {
				t.Fatal("the whole body was delivered despite the failure")
			}
			if _, err2 := p.Read(make([]byte, 1)); !errors.Is(err2, c.want) {
				t.Fatalf("error not sticky: %v", err2)
			}
		})
	}
}

// hexTwiddle changes the hex digit at i to another hex digit.
func hexTwiddle(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	if c[i] == '0' {
		c[i] = '1'
	} else {
		c[i] = '0'
	}
	return c
}

func flipAt(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 1
	return c
}

// Declared lengths that disagree with the chunks.
func TestStreamingDeclaredLength(t *testing.T) {
	data := randomData(10000)
	for _, c := range []struct {
		name     string
		declared int
		want     error
	}{
		{"declared more", 10001, ErrIncompleteBody},
		{"declared less", 9999, ErrChunkMalformed},
		{"declared zero", 0, ErrChunkMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := newStreamingUpload(t, streamingSigned, data, "", map[string]string{"X-Amz-Decoded-Content-Length": strconv.Itoa(c.declared)})
			body := u.body(4096, u.seed, "", styleAWS)
			_, got, err := u.read(t, bytes.NewReader(body), 1<<16)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if len(got) > c.declared {
				t.Fatalf("returned %d bytes, more than the declared %d", len(got), c.declared)
			}
		})
	}
	u := newStreamingUpload(t, streamingSigned, data, "", nil)
	hdr := func(name string) string {
		if name == "x-amz-decoded-content-length" {
			return ""
		}
		return u.header(name)
	}
	if _, err := u.auth.NewPayload(bytes.NewReader(nil), hdr); !errors.Is(err, ErrMissingContentLength) {
		t.Fatalf("missing decoded length: %v", err)
	}
}

func TestStreamingTrailers(t *testing.T) {
	data := randomData(70000)
	for _, alg := range checksumAlgs {
		name := "x-amz-checksum-" + strings.ToLower(alg)
		good := refChecksum(alg, data)
		bad := refChecksum(alg, data[1:])
		for _, style := range []chunkStyle{styleAWS, styleMinio} {
			t.Run(alg+"/signed/"+strconv.Itoa(int(style)), func(t *testing.T) {
				u := newStreamingUpload(t, streamingSignedTrailer, data, name, map[string]string{"X-Amz-Sdk-Checksum-Algorithm": alg})
				if u.auth.Payload != PayloadStreamingSignedTrailer {
					t.Fatalf("mode %v", u.auth.Payload)
				}
				p, got, err := u.read(t, bytes.NewReader(u.body(65536, u.seed, good, style)), 10000)
				if err != nil || !bytes.Equal(got, data) || p.Checksums()[alg] != good {
					t.Fatalf("good: %d bytes, %v, %v", len(got), err, p.Checksums())
				}
				// A wrong value, correctly signed: a checksum mismatch.
				if _, _, err := u.read(t, bytes.NewReader(u.body(65536, u.seed, bad, style)), 10000); !errors.Is(err, ErrChecksumMismatch) {
					t.Fatalf("bad value: %v", err)
				}
				// The right value swapped in without re-signing: a
				// signature failure.
				forged := bytes.Replace(u.body(65536, u.seed, bad, style), []byte(bad), []byte(good), 1)
				if _, _, err := u.read(t, bytes.NewReader(forged), 10000); !errors.Is(err, ErrChunkSignature) {
					t.Fatalf("forged trailer: %v", err)
				}
			})
			t.Run(alg+"/unsigned/"+strconv.Itoa(int(style)), func(t *testing.T) {
				u := newStreamingUpload(t, streamingUnsignedTrailer, data, name, nil)
				if u.auth.Payload != PayloadStreamingUnsignedTrailer {
					t.Fatalf("mode %v", u.auth.Payload)
				}
				p, got, err := u.read(t, iotest.HalfReader(bytes.NewReader(u.body(8192, "", good, style))), 3000)
				if err != nil || !bytes.Equal(got, data) || p.Checksums()[alg] != good {
					t.Fatalf("good: %d bytes, %v, %v", len(got), err, p.Checksums())
				}
				if _, _, err := u.read(t, bytes.NewReader(u.body(8192, "", bad, style)), 3000); !errors.Is(err, ErrChecksumMismatch) {
					t.Fatalf("bad value: %v", err)
				}
				if _, _, err := u.read(t, bytes.NewReader(u.body(8192, "", "AAAA", style)), 3000); !errors.Is(err, ErrInvalidChecksum) {
					t.Fatalf("malformed value: %v", err)
				}
			})
		}
	}
}

func TestStreamingTrailerErrors(t *testing.T) {
	data := randomData(3000)
	crc := refChecksum("CRC32", data)
	signed := newStreamingUpload(t, streamingSignedTrailer, data, "x-amz-checksum-crc32", nil)
	unsigned := newStreamingUpload(t, streamingUnsignedTrailer, data, "x-amz-checksum-crc32", nil)
	good := signed.body(1024, signed.seed, crc, styleAWS)
	sigLine := good[bytes.Index(good, []byte("x-amz-trailer-signature")):]
	withoutSig := append(append([]byte{}, good[:len(good)-len(sigLine)]...), "\r\n"...)
	ugood := unsigned.body(1024, "", crc, styleAWS)
	cases := []struct {
		name string
		u    *streamingUpload
		body []byte
		want error
	}{
		{"missing trailer signature", signed, withoutSig, ErrChunkSignature},
		{"bad trailer signature", signed, append(append([]byte{}, good[:len(good)-len(sigLine)]...), hexTwiddle(sigLine, 30)...), ErrChunkSignature},
		{"data after trailer signature", signed, append(append([]byte{}, good...), "x-amz-checksum-crc32:AAAAAA==\r\n"...), ErrChunkMalformed},
		{"trailer never sent", unsigned, unsigned.signer.chunkedBody(data, 1024, "", "", "", styleAWS), ErrChunkMalformed},
		{"trailer not announced", unsigned, bytes.Replace(ugood, []byte("x-amz-checksum-crc32:"), []byte("x-amz-checksum-sha1:"), 1), ErrChunkMalformed},
		{"trailer repeated", unsigned, bytes.Replace(ugood, []byte("\r\n\r\n"), []byte("\r\nx-amz-checksum-crc32:"+crc+"\r\n\r\n"), 1), ErrChunkMalformed},
		{"signature in unsigned trailer", unsigned, bytes.Replace(ugood, []byte("\r\n\r\n"), []byte("\r\nx-amz-trailer-signature:"+strings.Repeat("0", 64)+"\r\n\r\n"), 1), ErrChunkMalformed},
		{"trailer line without colon", unsigned, bytes.Replace(ugood, []byte("x-amz-checksum-crc32:"), []byte("x-amz-checksum-crc32="), 1), ErrChunkMalformed},
		{"oversized trailer", unsigned, append(append([]byte{}, ugood...), bytes.Repeat([]byte("\r\n"), trailerMax)...), ErrChunkMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, got, err := c.u.read(t, bytes.NewReader(c.body), 1<<16)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if len(got) >= len(data) {
				t.Fatal("the whole body was delivered despite the failure")
			}
		})
	}
}

// Announcements that cannot work are refused before any byte is read.
func TestTrailerAnnouncements(t *testing.T) {
	for _, c := range []struct {
		name, mode, trailer string
		extra               map[string]string
	}{
		{"two trailers", streamingUnsignedTrailer, "x-amz-checksum-crc32,x-amz-checksum-sha1", nil},
		{"not a checksum", streamingUnsignedTrailer, "x-amz-meta-a", nil},
		{"header and trailer", streamingUnsignedTrailer, "x-amz-checksum-crc32", map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA=="}},
		{"algorithm differs", streamingUnsignedTrailer, "x-amz-checksum-crc32", map[string]string{"X-Amz-Sdk-Checksum-Algorithm": "SHA256"}},
		{"trailer in a non-trailer mode", streamingSigned, "x-amz-checksum-crc32", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := newStreamingUpload(t, c.mode, []byte("abc"), c.trailer, c.extra)
			if _, err := u.auth.NewPayload(bytes.NewReader(nil), u.header); !errors.Is(err, ErrInvalidChecksum) {
				t.Fatalf("NewPayload: %v", err)
			}
		})
	}
}

// A header checksum also applies to aws-chunked bodies, and Content-MD5.
func TestStreamingHeaderChecksumAndMD5(t *testing.T) {
	data := randomData(5000)
	sum := md5.Sum(data)
	for _, c := range []struct {
		name  string
		extra map[string]string
		want  error
	}{
		{"good", map[string]string{"X-Amz-Checksum-Sha256": refChecksum("SHA256", data), "Content-Md5": b64(sum[:])}, nil},
		{"bad checksum", map[string]string{"X-Amz-Checksum-Sha256": refChecksum("SHA256", data[1:])}, ErrChecksumMismatch},
		{"bad md5", map[string]string{"Content-Md5": b64(make([]byte, 16))}, ErrBadDigest},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := newStreamingUpload(t, streamingSigned, data, "", c.extra)
			_, _, err := u.read(t, bytes.NewReader(u.body(1000, u.seed, "", styleAWS)), 4096)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// A caller that reads exactly Size bytes (io.ReadFull) and never waits for
// io.EOF still sees a failure in the trailer, which follows the last byte.
func TestChunkedReadFullSeesTrailerFailure(t *testing.T) {
	data := randomData(30000)
	u := newStreamingUpload(t, streamingUnsignedTrailer, data, "x-amz-checksum-crc32", nil)
	for _, c := range []struct {
		value string
		want  error
	}{
		{refChecksum("CRC32", data), nil},
		{refChecksum("CRC32", data[1:]), ErrChecksumMismatch},
	} {
		p, err := u.auth.NewPayload(bytes.NewReader(u.body(8192, "", c.value, styleAWS)), u.header)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, p.Size())
		_, err = io.ReadFull(p, buf)
		if !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
			t.Fatalf("ReadFull: %v, want %v", err, c.want)
		}
		if c.want == nil && (p.Checksums()["CRC32"] != c.value || p.ETag() == "") {
			t.Fatalf("results not ready once the last byte is read: %v %q", p.Checksums(), p.ETag())
		}
	}
}
