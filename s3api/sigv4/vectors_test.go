package sigv4

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// AWS's published Signature Version 4 examples for S3
// (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html,
// sigv4-query-string-auth.html, sigv4-streaming.html). The signatures are
// the documented ones; the requests are rebuilt from the documentation.

func exampleHeaders(h map[string]string) func(string) string {
	return func(name string) string { return h[name] }
}

func TestAWSHeaderExamples(t *testing.T) {
	cases := []struct {
		name, method, path, query, signed, sig string
		headers                                map[string]string
	}{
		{
			name: "GET object", method: "GET", path: "/test.txt",
			signed: "host;range;x-amz-content-sha256;x-amz-date",
			sig:    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
			headers: map[string]string{
				"host": "examplebucket.s3.amazonaws.com", "range": "bytes=0-9",
				"x-amz-content-sha256": emptySHA256, "x-amz-date": "20130524T000000Z",
			},
		},
		{
			name: "PUT object", method: "PUT", path: "/test%24file.text",
			signed: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
			sig:    "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
			headers: map[string]string{
				"host": "examplebucket.s3.amazonaws.com", "date": "Fri, 24 May 2013 00:00:00 GMT",
				"x-amz-date": "20130524T000000Z", "x-amz-storage-class": "REDUCED_REDUNDANCY",
				"x-amz-content-sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
			},
		},
		{
			name: "GET bucket lifecycle", method: "GET", path: "/", query: "lifecycle",
			signed: "host;x-amz-content-sha256;x-amz-date",
			sig:    "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
			headers: map[string]string{
				"host": "examplebucket.s3.amazonaws.com", "x-amz-content-sha256": emptySHA256, "x-amz-date": "20130524T000000Z",
			},
		},
		{
			name: "list objects", method: "GET", path: "/", query: "max-keys=2&prefix=J",
			signed: "host;x-amz-content-sha256;x-amz-date",
			sig:    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
			headers: map[string]string{
				"host": "examplebucket.s3.amazonaws.com", "x-amz-content-sha256": emptySHA256, "x-amz-date": "20130524T000000Z",
			},
		},
		{
			// The same request with the query in another order on the wire.
			name: "list objects, query reordered", method: "GET", path: "/", query: "prefix=J&max-keys=2",
			signed: "host;x-amz-content-sha256;x-amz-date",
			sig:    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
			headers: map[string]string{
				"host": "examplebucket.s3.amazonaws.com", "x-amz-content-sha256": emptySHA256, "x-amz-date": "20130524T000000Z",
			},
		},
	}
	v := newTestVerifier(exampleTime)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{}
			for k, val := range c.headers {
				h[k] = val
			}
			h["authorization"] = "AWS4-HMAC-SHA256 Credential=" + exampleAK + "/20130524/us-east-1/s3/aws4_request,SignedHeaders=" + c.signed + ",Signature=" + c.sig
			r := &Request{Method: c.method, RawPath: c.path, RawQuery: c.query, Header: exampleHeaders(h)}
			a := mustVerify(t, v, r)
			if a.Anonymous || a.Presigned || a.Region != "us-east-1" || a.Service != "s3" || a.Credential.AccessKey != exampleAK {
				t.Fatalf("auth = %+v", a)
			}
			// One flipped signature digit must fail.
			h["authorization"] = strings.Replace(h["authorization"], c.sig, flipHex(c.sig), 1)
			if _, err := v.Verify(r); !errors.Is(err, ErrSignatureDoesNotMatch) {
				t.Fatalf("tampered signature: %v", err)
			}
		})
	}
}

func flipHex(s string) string {
	b := []byte(s)
	if b[10] == '0' {
		b[10] = '1'
	} else {
		b[10] = '0'
	}
	return string(b)
}

func TestAWSExamplePutBody(t *testing.T) {
	// The PUT example's body hashes to its x-amz-content-sha256.
	h := map[string]string{
		"host": "examplebucket.s3.amazonaws.com", "date": "Fri, 24 May 2013 00:00:00 GMT",
		"x-amz-date": "20130524T000000Z", "x-amz-storage-class": "REDUCED_REDUNDANCY",
		"x-amz-content-sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
		"authorization":        "AWS4-HMAC-SHA256 Credential=" + exampleAK + "/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
		"content-length":       "21",
	}
	r := &Request{Method: "PUT", RawPath: "/test%24file.text", Header: exampleHeaders(h)}
	a := mustVerify(t, newTestVerifier(exampleTime), r)
	if a.Payload != PayloadSigned {
		t.Fatalf("payload mode %v", a.Payload)
	}
	for _, body := range []string{"Welcome to Amazon S3.", "Welcome to Amazon S4."} {
		p, err := a.NewPayload(strings.NewReader(body), exampleHeaders(h))
		if err != nil {
			t.Fatal(err)
		}
		got, err := readPayload(p, 7)
		if body[len(body)-2] == '3' {
			if err != nil || string(got) != body {
				t.Fatalf("good body: %q %v", got, err)
			}
			sum := md5.Sum([]byte(body))
			if p.ETag() != hex.EncodeToString(sum[:]) {
				t.Fatalf("ETag %s", p.ETag())
			}
		} else if !errors.Is(err, ErrContentSHA256Mismatch) {
			t.Fatalf("tampered body: %v", err)
		}
	}
}

func TestAWSPresignExample(t *testing.T) {
	const q = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	h := exampleHeaders(map[string]string{"host": "examplebucket.s3.amazonaws.com"})
	r := &Request{Method: "GET", RawPath: "/test.txt", RawQuery: q, Header: h}
	a := mustVerify(t, newTestVerifier(exampleTime.Add(23*time.Hour)), r)
	if !a.Presigned || a.Payload != PayloadUnsigned {
		t.Fatalf("auth = %+v", a)
	}
	if _, err := newTestVerifier(exampleTime.Add(24*time.Hour + time.Second)).Verify(r); !errors.Is(err, ErrPresignExpired) {
		t.Fatalf("after expiry: %v", err)
	}
	r.RawPath = "/test.txu"
	if _, err := newTestVerifier(exampleTime).Verify(r); !errors.Is(err, ErrSignatureDoesNotMatch) {
		t.Fatalf("other path: %v", err)
	}
}

// AWS's chunked upload example: 66560 bytes of 'a' in chunks of 65536, 1024
// and 0, seed signature 4f232c43….
const (
	exampleSeed   = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	exampleChunk1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	exampleChunk2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
	exampleFinal  = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
)

func exampleChunkedHeaders() map[string]string {
	return map[string]string{
		"host":                         "s3.amazonaws.com",
		"x-amz-date":                   "20130524T000000Z",
		"x-amz-storage-class":          "REDUCED_REDUNDANCY",
		"content-encoding":             "aws-chunked",
		"content-length":               "66824",
		"x-amz-decoded-content-length": "66560",
		"x-amz-content-sha256":         streamingSigned,
		"authorization": "AWS4-HMAC-SHA256 Credential=" + exampleAK + "/20130524/us-east-1/s3/aws4_request,SignedHeaders=" +
			"content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=" + exampleSeed,
	}
}

func exampleChunkedBody(mutate func(chunk int, data []byte)) []byte {
	var b bytes.Buffer
	for i, c := range []struct {
		size int
		sig  string
	}{{65536, exampleChunk1}, {1024, exampleChunk2}, {0, exampleFinal}} {
		data := bytes.Repeat([]byte{'a'}, c.size)
		if mutate != nil {
			mutate(i, data)
		}
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", c.size, c.sig)
		b.Write(data)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func TestAWSChunkedExample(t *testing.T) {
	h := exampleChunkedHeaders()
	r := &Request{Method: "PUT", RawPath: "/examplebucket/chunkObject.txt", Header: exampleHeaders(h)}
	a := mustVerify(t, newTestVerifier(exampleTime), r)
	if a.Payload != PayloadStreamingSigned {
		t.Fatalf("payload mode %v", a.Payload)
	}
	body := exampleChunkedBody(nil)
	if len(body) != 66824 {
		t.Fatalf("example body is %d bytes, the documented Content-Length is 66824", len(body))
	}
	want := bytes.Repeat([]byte{'a'}, 66560)
	wantMD5 := md5.Sum(want)
	for _, bufSize := range []int{1, 1000, 65536, 1 << 20} {
		p, err := a.NewPayload(bytes.NewReader(body), exampleHeaders(h))
		if err != nil {
			t.Fatal(err)
		}
		if p.Size() != 66560 {
			t.Fatalf("Size = %d", p.Size())
		}
		got, err := readPayload(p, bufSize)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("buf %d: %d bytes, %v", bufSize, len(got), err)
		}
		if p.ETag() != hex.EncodeToString(wantMD5[:]) {
			t.Fatalf("ETag %s", p.ETag())
		}
	}

	// Any change to the data breaks the chain.
	for chunk := 0; chunk < 2; chunk++ {
		tampered := exampleChunkedBody(func(i int, d []byte) {
			if i == chunk {
				d[len(d)/2] = 'b'
			}
		})
		p, _ := a.NewPayload(bytes.NewReader(tampered), exampleHeaders(h))
		if _, err := readPayload(p, 4096); !errors.Is(err, ErrChunkSignature) {
			t.Fatalf("tampered chunk %d: %v", chunk, err)
		}
	}
	// Reordering the signatures also breaks it.
	swapped := bytes.Replace(exampleChunkedBody(nil), []byte(exampleFinal), []byte(exampleChunk2), 1)
	p, _ := a.NewPayload(bytes.NewReader(swapped), exampleHeaders(h))
	if _, err := readPayload(p, 4096); !errors.Is(err, ErrChunkSignature) {
		t.Fatalf("wrong final signature: %v", err)
	}
}

// The AWS common runtime's published trailer vector: trailers first:1st,
// second:2nd, third:3rd after the example's final chunk.
func TestAWSTrailerSignatureVector(t *testing.T) {
	h := exampleChunkedHeaders()
	r := &Request{Method: "PUT", RawPath: "/examplebucket/chunkObject.txt", Header: exampleHeaders(h)}
	a := mustVerify(t, newTestVerifier(exampleTime), r)
	c := newChunkReader(nil, &Auth{Payload: PayloadStreamingSignedTrailer, st: a.st})
	decodeHex32(exampleFinal, &c.prev)
	got := c.trailerSignature([]byte("first:1st\nsecond:2nd\nthird:3rd\n"))
	if hex.EncodeToString(got[:]) != "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c" {
		t.Fatalf("trailer signature %x", got)
	}
}

// The naive test signer agrees with the AWS examples, so the tests that
// use it rest on the same ground.
func TestNaiveSignerMatchesAWS(t *testing.T) {
	req, _ := http.NewRequest("GET", "http://examplebucket.s3.amazonaws.com/test.txt", nil)
	req.Header.Set("Range", "bytes=0-9")
	s := naiveSigner{ak: exampleAK, secret: exampleSecret, region: "us-east-1", service: "s3", t: exampleTime}
	if sig := s.sign(req, emptySHA256); sig != "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41" {
		t.Fatalf("naive signer: %s", sig)
	}
	if got := s.chunkSig(exampleSeed, bytes.Repeat([]byte{'a'}, 65536)); got != exampleChunk1 {
		t.Fatalf("naive chunk signature: %s", got)
	}
	if got := s.trailerSig(exampleFinal, "first:1st\nsecond:2nd\nthird:3rd\n"); got != "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c" {
		t.Fatalf("naive trailer signature: %s", got)
	}
}
