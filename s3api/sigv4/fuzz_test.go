package sigv4

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Fuzz targets: go test -fuzz=FuzzParseAuthorization ./s3api/sigv4/ (and
// the others). The seeds below run as ordinary tests.

func FuzzParseAuthorization(f *testing.F) {
	r := newGet("http://h/b/k")
	userSigner().sign(r, emptySHA256)
	f.Add(r.Header.Get("Authorization"))
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
	f.Add("AWS4-HMAC-SHA256 Credential=a//////aws4_request, SignedHeaders=;, Signature=")
	f.Add("AWS AK:sig")
	f.Add("AWS4-HMAC-SHA256 ,,,Credential=,=,")
	f.Add("AWS4-HMAC-SHA256 Credential=USERKEY/20260314//s3/aws4_request, SignedHeaders=host;HOST;x-amz-date, Signature=" + strings.Repeat("A", 64))
	v := newTestVerifier(testNow)
	f.Fuzz(func(t *testing.T, h string) {
		a, err := parseAuthorization(h)
		if err == nil {
			if a.accessKey == "" || a.service == "" || !isDate(a.date) {
				t.Fatalf("accepted an invalid credential: %+v", a)
			}
		}
		hdr := map[string]string{"authorization": h, "host": "h", "x-amz-date": "20260314T150926Z", "x-amz-content-sha256": emptySHA256}
		auth, err := v.Verify(&Request{Method: "GET", RawPath: "/b/k", Header: exampleHeaders(hdr)})
		if err == nil && !auth.Anonymous && h != r.Header.Get("Authorization") {
			// Only the real signature may pass (or an equivalent
			// spelling of the same header).
			if auth.Credential.AccessKey != "USERKEY" {
				t.Fatalf("verified a forged header %q", h)
			}
		}
		if err != nil {
			assertSafeError(t, err)
		}
	})
}

func FuzzPresignQuery(f *testing.F) {
	r := newGet("http://h/b/k?x=1")
	userSigner().presign(r, time.Hour)
	f.Add(r.URL.RawQuery)
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
	f.Add("X-Amz-Algorithm=&X-Amz-Algorithm=%zz")
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1&&=&%")
	v := newTestVerifier(testNow)
	f.Fuzz(func(t *testing.T, q string) {
		_, _ = appendCanonicalQuery(nil, q, true, nil)
		_, _ = parsePresign(q)
		hdr := map[string]string{"host": "h"}
		a, err := v.Verify(&Request{Method: "GET", RawPath: "/b/k", RawQuery: q, Header: exampleHeaders(hdr)})
		if err != nil {
			assertSafeError(t, err)
			return
		}
		if !a.Anonymous && q != r.URL.RawQuery && a.Credential.AccessKey != "USERKEY" {
			t.Fatalf("verified a forged query %q", q)
		}
	})
}

// FuzzChunkedReader feeds arbitrary bytes to every aws-chunked mode: it
// must never panic, never return more than the declared length, and never
// reach io.EOF unless the decoded bytes are exactly the declared length.
func FuzzChunkedReader(f *testing.F) {
	data := []byte("hello, chunked world")
	u := newStreamingUpload(f, streamingSignedTrailer, data, "x-amz-checksum-crc32", nil)
	f.Add(u.body(7, u.seed, refChecksum("CRC32", data), styleAWS), uint8(1), uint16(len(data)))
	f.Add(u.body(7, "", refChecksum("CRC32", data), styleMinio), uint8(2), uint16(len(data)))
	f.Add(u.body(64, u.seed, "", styleAWS), uint8(0), uint16(len(data)))
	f.Add(exampleChunkedBody(nil)[:300], uint8(0), uint16(300))
	f.Add([]byte("0\r\n\r\n"), uint8(2), uint16(0))
	f.Add([]byte("ffffffffffffffff\r\n"), uint8(2), uint16(10))
	f.Fuzz(func(t *testing.T, body []byte, mode uint8, declared uint16) {
		a := &Auth{st: u.auth.st}
		hdr := map[string]string{"x-amz-decoded-content-length": strconv.Itoa(int(declared))}
		switch mode % 3 {
		case 0:
			a.Payload = PayloadStreamingSigned
		case 1:
			a.Payload = PayloadStreamingSignedTrailer
			hdr["x-amz-trailer"] = "x-amz-checksum-crc32"
		case 2:
			a.Payload = PayloadStreamingUnsignedTrailer
			hdr["x-amz-trailer"] = "x-amz-checksum-crc32"
		}
		p, err := a.NewPayload(bytes.NewReader(body), exampleHeaders(hdr))
		if err != nil {
			t.Fatal(err)
		}
		var total int
		buf := make([]byte, 13)
		for i := 0; ; i++ {
			n, err := p.Read(buf)
			total += n
			if total > int(declared) {
				t.Fatalf("returned %d bytes, declared %d", total, declared)
			}
			if err == io.EOF {
				if total != int(declared) {
					t.Fatalf("EOF after %d of %d bytes", total, declared)
				}
				return
			}
			if err != nil {
				if !isPayloadError(err) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if i > len(body)+10 {
				t.Fatal("no progress")
			}
		}
	})
}

func isPayloadError(err error) bool {
	for _, e := range []error{ErrChunkMalformed, ErrChunkSignature, ErrIncompleteBody, ErrChecksumMismatch, ErrInvalidChecksum} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
