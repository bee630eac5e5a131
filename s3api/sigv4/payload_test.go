package sigv4

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// refChecksum computes an S3 checksum with the standard library, as a
// reference independent of checksum.go.
func refChecksum(alg string, data []byte) string {
	var sum []byte
	switch alg {
	case "CRC32":
		sum = binaryBE32(crc32.ChecksumIEEE(data))
	case "CRC32C":
		sum = binaryBE32(crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
	case "CRC64NVME":
		v := crc64.Checksum(data, crc64.MakeTable(0x9a6c9329ac4bc9b5))
		sum = []byte{byte(v >> 56), byte(v >> 48), byte(v >> 40), byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	case "SHA1":
		s := sha1.Sum(data)
		sum = s[:]
	case "SHA256":
		s := sha256.Sum256(data)
		sum = s[:]
	}
	return base64.StdEncoding.EncodeToString(sum)
}

func binaryBE32(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

var checksumAlgs = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

// Published values for "hello world" (aws-sdk-go-v2's checksum tests) and
// the CRC-64/NVME check value of "123456789" (CRC catalogue: 0xAE8B14860A799888).
func TestChecksumVectors(t *testing.T) {
	want := map[string]string{
		"CRC32":     "DUoRhQ==",
		"CRC32C":    "yZRlqg==",
		"CRC64NVME": "jSnVw/bqjr4=",
		"SHA1":      "Kq5sNclPz7QV2+lfQIuc6R7oRu0=",
		"SHA256":    "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
	}
	for _, name := range checksumAlgs {
		a, ok := parseChecksumAlg(name)
		if !ok {
			t.Fatalf("%s unknown", name)
		}
		h := a.newHash()
		h.Write([]byte("hello world"))
		if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != want[name] {
			t.Errorf("%s: %s, want %s", name, got, want[name])
		}
	}
	h := algCRC64NVME.newHash()
	h.Write([]byte("123456789"))
	if got := hex.EncodeToString(h.Sum(nil)); got != "ae8b14860a799888" {
		t.Errorf("CRC-64/NVME check value %s", got)
	}
}

// plainAuth is an Auth for a non-chunked body in the given mode.
func plainAuth(mode PayloadMode, body []byte) *Auth {
	a := &Auth{Payload: mode}
	a.st.contentSHA256 = sha256.Sum256(body)
	return a
}

func TestPlainPayload(t *testing.T) {
	body := []byte(strings.Repeat("0123456789abcdef", 1000) + "tail")
	md5sum := md5.Sum(body)
	goodMD5 := base64.StdEncoding.EncodeToString(md5sum[:])
	badMD5 := base64.StdEncoding.EncodeToString(make([]byte, 16))
	type tc struct {
		name    string
		mode    PayloadMode
		headers map[string]string
		body    []byte // default: body
		newErr  error
		readErr error
		sums    map[string]string
	}
	cases := []tc{
		{name: "signed", mode: PayloadSigned},
		{name: "unsigned", mode: PayloadUnsigned},
		{name: "signed, unknown length", mode: PayloadSigned, headers: map[string]string{"content-length": ""}},
		{name: "signed, tampered", mode: PayloadSigned, body: append(append([]byte{}, body[:len(body)-1]...), 'X'), readErr: ErrContentSHA256Mismatch},
		{name: "unsigned, tampered passes", mode: PayloadUnsigned, body: append(append([]byte{}, body[:len(body)-1]...), 'X')},
		{name: "short body", mode: PayloadUnsigned, body: body[:100], readErr: ErrIncompleteBody},
		{name: "short body, signed", mode: PayloadSigned, body: body[:100], readErr: ErrIncompleteBody},
		{name: "content-md5", mode: PayloadUnsigned, headers: map[string]string{"content-md5": goodMD5}},
		{name: "content-md5 mismatch", mode: PayloadUnsigned, headers: map[string]string{"content-md5": badMD5}, readErr: ErrBadDigest},
		{name: "content-md5 not base64", mode: PayloadUnsigned, headers: map[string]string{"content-md5": "!!!"}, newErr: ErrInvalidDigest},
		{name: "content-md5 wrong size", mode: PayloadUnsigned, headers: map[string]string{"content-md5": "AAAA"}, newErr: ErrInvalidDigest},
		{name: "bad content-length", mode: PayloadUnsigned, headers: map[string]string{"content-length": "-5"}, newErr: ErrMissingContentLength},
		{name: "algorithm only", mode: PayloadUnsigned, headers: map[string]string{"x-amz-sdk-checksum-algorithm": "crc32c"},
			sums: map[string]string{"CRC32C": refChecksum("CRC32C", body)}},
		{name: "x-amz-checksum-algorithm only", mode: PayloadUnsigned, headers: map[string]string{"x-amz-checksum-algorithm": "SHA1"},
			sums: map[string]string{"SHA1": refChecksum("SHA1", body)}},
		{name: "unknown algorithm", mode: PayloadUnsigned, headers: map[string]string{"x-amz-sdk-checksum-algorithm": "MD5"}, newErr: ErrInvalidChecksum},
		{name: "conflicting algorithms", mode: PayloadUnsigned, headers: map[string]string{"x-amz-sdk-checksum-algorithm": "CRC32", "x-amz-checksum-crc32c": refChecksum("CRC32C", body)}, newErr: ErrInvalidChecksum},
		{name: "two checksum headers", mode: PayloadUnsigned, headers: map[string]string{"x-amz-checksum-crc32": refChecksum("CRC32", body), "x-amz-checksum-sha1": refChecksum("SHA1", body)}, newErr: ErrInvalidChecksum},
		{name: "trailer without trailer mode", mode: PayloadUnsigned, headers: map[string]string{"x-amz-trailer": "x-amz-checksum-crc32"}, newErr: ErrInvalidChecksum},
	}
	for _, alg := range checksumAlgs {
		h := "x-amz-checksum-" + strings.ToLower(alg)
		good := refChecksum(alg, body)
		bad := refChecksum(alg, []byte("other"))
		cases = append(cases,
			tc{name: alg + " header", mode: PayloadSigned, headers: map[string]string{h: good, "x-amz-sdk-checksum-algorithm": alg}, sums: map[string]string{alg: good}},
			tc{name: alg + " header mismatch", mode: PayloadUnsigned, headers: map[string]string{h: bad}, readErr: ErrChecksumMismatch},
			tc{name: alg + " header malformed", mode: PayloadUnsigned, headers: map[string]string{h: good[:len(good)-4]}, newErr: ErrInvalidChecksum},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			send := body
			if c.body != nil {
				send = c.body
			}
			hdr := map[string]string{"content-length": strconv.Itoa(len(body))}
			for k, v := range c.headers {
				hdr[k] = v
			}
			a := plainAuth(c.mode, body)
			p, err := a.NewPayload(iotest.HalfReader(bytes.NewReader(send)), exampleHeaders(hdr))
			if c.newErr != nil {
				if !errors.Is(err, c.newErr) {
					t.Fatalf("NewPayload: %v, want %v", err, c.newErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := readPayload(p, 1000)
			if c.readErr != nil {
				if !errors.Is(err, c.readErr) {
					t.Fatalf("read: %v, want %v", err, c.readErr)
				}
				if p.ETag() != "" && c.readErr != ErrBadDigest && c.readErr != ErrChecksumMismatch {
					t.Fatal("ETag set for a failed body")
				}
				// The error is sticky.
				if _, err2 := p.Read(make([]byte, 10)); !errors.Is(err2, c.readErr) {
					t.Fatalf("second read: %v", err2)
				}
				return
			}
			if err != nil || !bytes.Equal(got, send) {
				t.Fatalf("read %d bytes, %v", len(got), err)
			}
			sum := md5.Sum(send)
			if p.ETag() != hex.EncodeToString(sum[:]) {
				t.Fatalf("ETag %s", p.ETag())
			}
			if len(c.sums) != len(p.Checksums()) {
				t.Fatalf("checksums %v, want %v", p.Checksums(), c.sums)
			}
			for k, v := range c.sums {
				if p.Checksums()[k] != v {
					t.Fatalf("checksums %v, want %v", p.Checksums(), c.sums)
				}
			}
		})
	}
}

// A caller that reads exactly Size bytes (io.ReadFull) and never asks for
// io.EOF must still see a failed verification.
func TestReadFullSeesFailure(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 5000)
	hdr := exampleHeaders(map[string]string{"content-length": "5000", "content-md5": base64.StdEncoding.EncodeToString(make([]byte, 16))})
	p, err := plainAuth(PayloadUnsigned, body).NewPayload(bytes.NewReader(body), hdr)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, p.Size())
	if _, err := io.ReadFull(p, buf); !errors.Is(err, ErrBadDigest) {
		t.Fatalf("ReadFull: %v", err)
	}
}

// A body longer than Content-Length yields only the declared bytes.
func TestPlainNeverMoreThanDeclared(t *testing.T) {
	body := []byte("0123456789")
	hdr := exampleHeaders(map[string]string{"content-length": "4"})
	p, _ := plainAuth(PayloadUnsigned, nil).NewPayload(bytes.NewReader(body), hdr)
	got, err := readPayload(p, 3)
	if err != nil || string(got) != "0123" {
		t.Fatalf("%q %v", got, err)
	}
}

func TestEmptyBodies(t *testing.T) {
	for _, cl := range []string{"0", ""} {
		hdr := exampleHeaders(map[string]string{"content-length": cl})
		a := plainAuth(PayloadSigned, nil)
		p, err := a.NewPayload(strings.NewReader(""), hdr)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := readPayload(p, 10); err != nil || len(got) != 0 || p.ETag() != "d41d8cd98f00b204e9800998ecf8427e" {
			t.Fatalf("content-length %q: %q %v %s", cl, got, err, p.ETag())
		}
	}
	// Without x-amz-content-sha256 the body is taken to be empty, and
	// NewPayload holds the client to it.
	h := map[string]string{"host": "h"}
	r := newGet("http://h/b/k")
	userSigner().sign(r, "")
	for k, v := range r.Header {
		h[strings.ToLower(k)] = v[0]
	}
	a := mustVerify(t, newTestVerifier(testNow), &Request{Method: "GET", RawPath: "/b/k", Header: exampleHeaders(h)})
	p, _ := a.NewPayload(strings.NewReader("sneaky"), exampleHeaders(map[string]string{"content-length": "6"}))
	if _, err := readPayload(p, 10); !errors.Is(err, ErrContentSHA256Mismatch) {
		t.Fatalf("non-empty body without x-amz-content-sha256: %v", err)
	}
}

// IAM and STS clients sign the body hash without sending it.
func TestBufferedBodyForQueryAPIs(t *testing.T) {
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	s := userSigner()
	s.service = "sts"
	r, _ := http.NewRequest("POST", "http://cairn.local/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	r.Header.Set("X-Amz-Date", s.t.Format(iso8601Basic))
	r.Host = r.URL.Host
	canon, signed := s.canonical(r, hex.EncodeToString(sum[:]), "")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=USERKEY/"+s.scope()+", SignedHeaders="+signed+", Signature="+s.signString(canon))
	req := toRequest(r, true)
	v := newTestVerifier(testNow)
	if _, err := v.Verify(req); !errors.Is(err, ErrSignatureDoesNotMatch) {
		t.Fatalf("without Body: %v", err)
	}
	req.Body = []byte(body)
	a, err := v.Verify(req)
	if err != nil || a.Service != "sts" {
		t.Fatalf("with Body: %+v %v", a, err)
	}
	p, _ := a.NewPayload(strings.NewReader(body), req.Header)
	if got, err := readPayload(p, 100); err != nil || string(got) != body {
		t.Fatalf("%q %v", got, err)
	}
}
