package sigv4

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchGetRequest is a GET as aws-sdk-go-v2 sends it, with the header
// accessors a fasthttp-style server would give.
func benchGetRequest(b *testing.B) *Request {
	r, _ := http.NewRequest("GET", "http://127.0.0.1:9000/bucket/photos/2026/03/img_0042.jpg", nil)
	r.Header.Set("User-Agent", "aws-sdk-go-v2/1.41.0 ua/2.1 os/linux lang/go#1.26 md/GOOS#linux api/s3#1.114.8 m/E,Z,g")
	r.Header.Set("Amz-Sdk-Invocation-Id", "2f9d1d36-8a43-4b0b-9f3e-3a2b5a3f1c11")
	r.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	r.Header.Set("Accept-Encoding", "identity")
	r.Header.Set("Range", "bytes=0-1023")
	userSigner().sign(r, emptySHA256)
	// Lower-case lookups without allocation, as a server would do.
	hdr := map[string]string{"host": r.Host}
	type kv struct{ k, v string }
	var all []kv
	all = append(all, kv{"Host", r.Host})
	for k, vs := range r.Header {
		hdr[strings.ToLower(k)] = vs[0]
		all = append(all, kv{k, vs[0]})
	}
	req := toRequest(r, false)
	req.Header = func(name string) string { return hdr[name] }
	req.EachHeader = func(fn func(name, value string)) {
		for _, h := range all {
			fn(h.k, h.v)
		}
	}
	return req
}

func BenchmarkVerifyHeader(b *testing.B) {
	v := newTestVerifier(testNow)
	req := benchGetRequest(b)
	if _, err := v.Verify(req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Verify(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyHeaderParallel(b *testing.B) {
	v := newTestVerifier(testNow)
	req := benchGetRequest(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerifyPresigned(b *testing.B) {
	r := newGet("http://127.0.0.1:9000/bucket/photos/img.jpg")
	userSigner().presign(r, time.Hour)
	req := toRequest(r, false)
	v := newTestVerifier(testNow)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := v.Verify(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPayloadChunked decodes and verifies a 4 MiB signed aws-chunked
// body in 64 KiB chunks (minio-go's framing), with a CRC32C trailer.
func BenchmarkPayloadChunked(b *testing.B) {
	data := randomData(4 << 20)
	u := newStreamingUpload(b, streamingSignedTrailer, data, "x-amz-checksum-crc32c", nil)
	body := u.body(64<<10, u.seed, refChecksum("CRC32C", data), styleMinio)
	buf := make([]byte, 256<<10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := u.auth.NewPayload(bytes.NewReader(body), u.header)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, onlyReader{p}, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPayloadPlain is the non-chunked signed path: SHA-256 + MD5.
func BenchmarkPayloadPlain(b *testing.B) {
	data := randomData(4 << 20)
	a := plainAuth(PayloadSigned, data)
	hdr := exampleHeaders(map[string]string{"content-length": strconv.Itoa(len(data))})
	buf := make([]byte, 256<<10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p, _ := a.NewPayload(bytes.NewReader(data), hdr)
		if _, err := io.CopyBuffer(io.Discard, onlyReader{p}, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// onlyReader hides WriterTo/ReaderFrom so CopyBuffer uses our buffer.
type onlyReader struct{ io.Reader }
