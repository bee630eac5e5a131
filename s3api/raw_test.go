package s3api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
)

// allowAll lets anonymous requests through so raw HTTP tests need no
// signatures.
type allowAll struct{}

func (allowAll) Authorize(iam.Request) iam.Decision {
	return iam.Decision{Allowed: true, Reason: "test"}
}

// rawConn speaks HTTP/1.1 by hand on one connection, so tests control
// every byte (paths, header case, framing) and see every byte back.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

type rawResponse struct {
	status  int
	rawHead string // status line and headers exactly as sent
	header  http.Header
	body    []byte
}

// do sends req (a request head without the final blank line) and body,
// and reads one response. head is true for HEAD requests.
func (rc *rawConn) do(req string, body []byte, head bool) rawResponse {
	rc.t.Helper()
	rc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(rc.c, req+"\r\n"); err != nil {
		rc.t.Fatal(err)
	}
	if _, err := rc.c.Write(body); err != nil {
		rc.t.Fatal(err)
	}
	return rc.read(head)
}

func (rc *rawConn) read(head bool) rawResponse {
	rc.t.Helper()
	var raw strings.Builder
	for {
		line, err := rc.br.ReadString('\n')
		if err != nil {
			rc.t.Fatalf("reading response head: %v (got %q)", err, raw.String())
		}
		raw.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw.String())), nil)
	if err != nil {
		rc.t.Fatal(err)
	}
	r := rawResponse{status: resp.StatusCode, rawHead: raw.String(), header: resp.Header}
	if !head && resp.StatusCode != 204 && resp.StatusCode != 304 {
		n := resp.ContentLength
		if n < 0 {
			rc.t.Fatalf("response without Content-Length: %q", raw.String())
		}
		r.body = make([]byte, n)
		if _, err := io.ReadFull(rc.br, r.body); err != nil {
			rc.t.Fatal(err)
		}
	}
	return r
}

func (rc *rawConn) closedByPeer() bool {
	rc.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	// Anything still sent (an error response) is skipped; then EOF, or a
	// reset when the server closed with our body unread.
	_, err := io.Copy(io.Discard, rc.br)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func seedBucket(ts *testServer, name string) {
	_ = ts.buckets.CreateBucket(context.Background(), meta.Bucket{Name: name, Created: time.Now(), Owner: "owner-id", OwnerName: "owner"})
}

func TestRawPathsAndHeaderCase(t *testing.T) {
	ts := startServerWith(t, allowAll{})
	seedBucket(ts, "raw")
	rc := dialRaw(t, ts.addr)
	body := []byte("hello world")
	r := rc.do("PUT /raw/a//b/./../%2e%2e/c%2Fd%20e+f HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n"+
		"X-Amz-Meta-CamelCase: v1\r\nx-amz-meta-lower: v2\r\ncontent-type: text/x-test\r\nCache-Control: max-age=1\r\n"+
		"Content-Encoding: gzip\r\nExpires: Wed, 21 Oct 2037 07:28:00 GMT\r\n", body, false)
	if r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	sum := md5.Sum(body)
	wantETag := fmt.Sprintf(`"%x"`, sum)
	if !strings.Contains(r.rawHead, "\r\nETag: "+wantETag+"\r\n") {
		t.Errorf("PUT response head %q lacks ETag in AWS case", r.rawHead)
	}
	if !strings.Contains(r.rawHead, "\r\nx-amz-request-id: ") || !strings.Contains(r.rawHead, "\r\nx-amz-id-2: ") || !strings.Contains(r.rawHead, "\r\nServer: Cairn\r\n") {
		t.Errorf("PUT response head %q", r.rawHead)
	}
	key := "a//b/./../../c/d e+f"
	if _, ok := ts.objects.m["raw"][key]; !ok {
		t.Fatalf("key not stored literally; have %v", ts.objects.m["raw"])
	}

	r = rc.do("GET /raw/a//b/./../%2E%2E/c/d%20e%2Bf HTTP/1.1\r\nHost: x\r\n", nil, false)
	if r.status != 200 || string(r.body) != "hello world" {
		t.Fatalf("GET: %d %q", r.status, r.body)
	}
	for _, want := range []string{
		"\r\nETag: " + wantETag + "\r\n",
		"\r\nX-Amz-Meta-CamelCase: v1\r\n",
		"\r\nx-amz-meta-lower: v2\r\n",
		"\r\nContent-Type: text/x-test\r\n",
		"\r\nCache-Control: max-age=1\r\n",
		"\r\nContent-Encoding: gzip\r\n",
		"\r\nExpires: Wed, 21 Oct 2037 07:28:00 GMT\r\n",
		"\r\nAccept-Ranges: bytes\r\n",
		"\r\nContent-Length: 11\r\n",
		"\r\nLast-Modified: ",
	} {
		if !strings.Contains(r.rawHead, want) {
			t.Errorf("GET head lacks %q:\n%s", want, r.rawHead)
		}
	}
	if strings.Contains(r.rawHead, "x-amz-version-id") {
		t.Errorf("version id sent for a null version:\n%s", r.rawHead)
	}

	// HEAD: same headers, Content-Length of the object, no body.
	r = rc.do("HEAD /raw/a//b/./../%2E%2E/c/d%20e%2Bf HTTP/1.1\r\nHost: x\r\nRange: bytes=0-4\r\n", nil, true)
	if r.status != 206 || r.header.Get("Content-Length") != "5" || r.header.Get("Content-Range") != "bytes 0-4/11" {
		t.Errorf("HEAD range: %d\n%s", r.status, r.rawHead)
	}
	// HEAD errors carry no body, and the connection stays in sync.
	r = rc.do("HEAD /raw/missing HTTP/1.1\r\nHost: x\r\n", nil, true)
	if r.status != 404 || r.header.Get("Content-Length") != "0" && r.header.Get("Content-Length") != "" {
		t.Errorf("HEAD missing: %d\n%s", r.status, r.rawHead)
	}
	r = rc.do("GET /raw/missing HTTP/1.1\r\nHost: x\r\n", nil, false)
	if r.status != 404 || !bytes.Contains(r.body, []byte("<Code>NoSuchKey</Code>")) || !bytes.Contains(r.body, []byte("<Key>missing</Key>")) ||
		!bytes.Contains(r.body, []byte("<RequestId>"+r.header.Get("X-Amz-Request-Id")+"</RequestId>")) {
		t.Errorf("GET missing: %d %s", r.status, r.body)
	}

	// Anonymous requests may not override response headers.
	r = rc.do("GET /raw/a//b/./../%2E%2E/c/d%20e%2Bf?response-content-type=x HTTP/1.1\r\nHost: x\r\n", nil, false)
	if r.status != 400 || !bytes.Contains(r.body, []byte("InvalidRequest")) {
		t.Errorf("anonymous override: %d %s", r.status, r.body)
	}
	// Multi-range: the whole object, 200.
	r = rc.do("GET /raw/a//b/./../%2E%2E/c/d%20e%2Bf HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,3-4\r\n", nil, false)
	if r.status != 200 || string(r.body) != "hello world" {
		t.Errorf("multi-range: %d %q", r.status, r.body)
	}
	r = rc.do("GET /raw/a//b/./../%2E%2E/c/d%20e%2Bf HTTP/1.1\r\nHost: x\r\nRange: bytes=20-\r\n", nil, false)
	if r.status != 416 || r.header.Get("Content-Range") != "bytes */11" {
		t.Errorf("416: %d\n%s", r.status, r.rawHead)
	}
	r = rc.do("GET /raw/a//b/./../%2E%2E/c/d%20e%2Bf HTTP/1.1\r\nHost: x\r\nIf-None-Match: "+wantETag+"\r\n", nil, false)
	if r.status != 304 || r.header.Get("ETag") != wantETag {
		t.Errorf("304: %d\n%s", r.status, r.rawHead)
	}
}

func TestRawPutValidation(t *testing.T) {
	ts := startServerWith(t, allowAll{})
	seedBucket(ts, "raw")
	rc := dialRaw(t, ts.addr)

	// No Content-Length and no chunked framing.
	r := rc.do("PUT /raw/k HTTP/1.1\r\nHost: x\r\n", nil, false)
	if r.status != 411 || !bytes.Contains(r.body, []byte("MissingContentLength")) {
		t.Errorf("missing length: %d %s", r.status, r.body)
	}
	// An empty object with an explicit Content-Length: 0 is fine.
	r = rc.do("PUT /raw/empty HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n", nil, false)
	if r.status != 200 || r.header.Get("ETag") != `"d41d8cd98f00b204e9800998ecf8427e"` {
		t.Errorf("empty: %d %v %s", r.status, r.header, r.body)
	}
	if ct := headerFold(ts.objects.m["raw"]["empty"].info.Headers, "content-type"); ct != defaultContentType {
		t.Errorf("default content type %q", ct)
	}
	// A bad Content-MD5 fails and stores nothing.
	r = rc.do("PUT /raw/md5 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-MD5: "+
		base64.StdEncoding.EncodeToString(make([]byte, 16))+"\r\n", []byte("hello"), false)
	if r.status != 400 || !bytes.Contains(r.body, []byte("<Code>BadDigest</Code>")) {
		t.Errorf("bad md5: %d %s", r.status, r.body)
	}
	if _, ok := ts.objects.m["raw"]["md5"]; ok {
		t.Error("object with a bad Content-MD5 was stored")
	}
	// A good x-amz-checksum-crc32 is stored and returned with checksum mode.
	crc := make([]byte, 4)
	v := crc32.ChecksumIEEE([]byte("hello"))
	crc[0], crc[1], crc[2], crc[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	sum := base64.StdEncoding.EncodeToString(crc)
	r = rc.do("PUT /raw/crc HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nx-amz-checksum-crc32: "+sum+"\r\n", []byte("hello"), false)
	if r.status != 200 || r.header.Get("x-amz-checksum-crc32") != sum {
		t.Fatalf("crc put: %d\n%s%s", r.status, r.rawHead, r.body)
	}
	r = rc.do("GET /raw/crc HTTP/1.1\r\nHost: x\r\nx-amz-checksum-mode: ENABLED\r\n", nil, false)
	if r.status != 200 || !strings.Contains(r.rawHead, "\r\nx-amz-checksum-crc32: "+sum+"\r\n") {
		t.Errorf("crc get:\n%s", r.rawHead)
	}
	r = rc.do("GET /raw/crc HTTP/1.1\r\nHost: x\r\nx-amz-checksum-mode: ENABLED\r\nRange: bytes=0-1\r\n", nil, false)
	if r.status != 206 || r.header.Get("x-amz-checksum-crc32") != "" {
		t.Errorf("checksum sent with a range:\n%s", r.rawHead)
	}
	// Unsupported semantics are refused, not ignored.
	for _, h := range []string{"x-amz-server-side-encryption: AES256", `If-None-Match: "abc"`, "x-amz-storage-class: GLACIER"} {
		r = rc.do("PUT /raw/k HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"+h+"\r\n", []byte("x"), false)
		if r.status != 501 {
			t.Errorf("%s: %d %s", h, r.status, r.body)
		}
	}
	// ACL headers are parsed: an unknown canned ACL, or canned and grant
	// headers together, are refused before anything is stored.
	for _, h := range []string{"x-amz-acl: public-everything", "x-amz-acl: private\r\nx-amz-grant-read: uri=\"" + iam.AllUsersURI + "\""} {
		r = rc.do("PUT /raw/acl HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"+h+"\r\n", []byte("x"), false)
		if r.status != 400 {
			t.Errorf("%s: %d %s", h, r.status, r.body)
		}
	}
	if _, ok := ts.objects.m["raw"]["acl"]; ok {
		t.Error("object with a refused ACL was stored")
	}
	// Metadata over 2 KiB.
	r = rc.do("PUT /raw/k HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nx-amz-meta-big: "+strings.Repeat("v", 2100)+"\r\n", []byte("x"), false)
	if r.status != 400 || !bytes.Contains(r.body, []byte("MetadataTooLarge")) {
		t.Errorf("metadata too large: %d %s", r.status, r.body)
	}
	// Large request headers (20 KiB) are accepted, not 431.
	r = rc.do("GET /raw/crc HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("b", 20<<10)+"\r\n", nil, false)
	if r.status != 200 {
		t.Errorf("big header: %d", r.status)
	}
	// Key too long.
	r = rc.do("PUT /raw/"+strings.Repeat("k", 1025)+" HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n", []byte("x"), false)
	if r.status != 400 || !bytes.Contains(r.body, []byte("KeyTooLongError")) {
		t.Errorf("key too long: %d %s", r.status, r.body)
	}
}

// A handler that answers without reading the body must not desync the
// connection: small bodies are drained, large ones close the connection.
func TestUnreadBodyKeepsConnectionInSync(t *testing.T) {
	ts := startServerWith(t, allowAll{})
	rc := dialRaw(t, ts.addr)
	small := bytes.Repeat([]byte("GET / HTTP/1.1\r\n\r\n"), 1000) // would be parsed as requests if not drained
	r := rc.do(fmt.Sprintf("PUT /nobucket/k HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n", len(small)), small, false)
	if r.status != 404 {
		t.Fatalf("PUT to missing bucket: %d %s", r.status, r.body)
	}
	r = rc.do("GET /health/live HTTP/1.1\r\nHost: x\r\n", nil, false)
	if r.status != 200 || string(r.body) != "OK\n" {
		t.Fatalf("next request on the connection: %d %q", r.status, r.body)
	}

	rc2 := dialRaw(t, ts.addr)
	// (fasthttp reads the first 8 KiB of a body before the handler runs,
	// so the client sends some of it, as a real one would.)
	if _, err := io.WriteString(rc2.c, "PUT /nobucket/k HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n"+strings.Repeat("x", 64<<10)); err != nil {
		t.Fatal(err)
	}
	r = rc2.read(false)
	if r.status != 404 || !strings.Contains(r.rawHead, "\r\nConnection: close\r\n") {
		t.Errorf("large unread body: %d\n%s", r.status, r.rawHead)
	}
	if !rc2.closedByPeer() {
		t.Error("connection with a large unread body was kept open")
	}

	// A declared size over the single-PUT limit is refused before reading.
	seedBucket(ts, "raw")
	rc3 := dialRaw(t, ts.addr)
	if _, err := io.WriteString(rc3.c, "PUT /raw/huge HTTP/1.1\r\nHost: x\r\nContent-Length: 6000000000\r\n\r\n"+strings.Repeat("x", 64<<10)); err != nil {
		t.Fatal(err)
	}
	r = rc3.read(false)
	if r.status != 400 || !bytes.Contains(r.body, []byte("EntityTooLarge")) {
		t.Errorf("huge: %d %s", r.status, r.body)
	}
}

func TestRawDeleteObjects(t *testing.T) {
	ts := startServerWith(t, allowAll{})
	seedBucket(ts, "raw")
	rc := dialRaw(t, ts.addr)
	for _, k := range []string{"a", "b&c"} {
		if r := rc.do("PUT /raw/"+k+" HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n", []byte("x"), false); r.status != 200 {
			t.Fatalf("put %s: %d", k, r.status)
		}
	}
	send := func(body string, extra string) rawResponse {
		sum := md5.Sum([]byte(body))
		return rc.do(fmt.Sprintf("POST /raw?delete HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nContent-MD5: %s\r\n%s",
			len(body), base64.StdEncoding.EncodeToString(sum[:]), extra), []byte(body), false)
	}
	r := send(`<Delete><Object><Key>a</Key></Object><Object><Key>b&amp;c</Key></Object><Object><Key>`+strings.Repeat("z", 1025)+`</Key></Object></Delete>`, "")
	if r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	for _, want := range []string{"<Deleted><Key>a</Key></Deleted>", "<Deleted><Key>b&amp;c</Key></Deleted>", "<Code>KeyTooLongError</Code>"} {
		if !bytes.Contains(r.body, []byte(want)) {
			t.Errorf("result lacks %s: %s", want, r.body)
		}
	}
	if len(ts.objects.m["raw"]) != 0 {
		t.Errorf("left %v", ts.objects.m["raw"])
	}
	r = send(`<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>`, "")
	if r.status != 200 || bytes.Contains(r.body, []byte("<Deleted>")) {
		t.Errorf("quiet: %s", r.body)
	}
	r = send(`<Delete><Object>`, "")
	if r.status != 400 || !bytes.Contains(r.body, []byte("MalformedXML")) {
		t.Errorf("malformed: %d %s", r.status, r.body)
	}
	// Without Content-MD5 or a checksum (and unsigned): refused.
	body := `<Delete><Object><Key>a</Key></Object></Delete>`
	r = rc.do(fmt.Sprintf("POST /raw?delete HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n", len(body)), []byte(body), false)
	if r.status != 400 || !bytes.Contains(r.body, []byte("Content-MD5")) {
		t.Errorf("no integrity: %d %s", r.status, r.body)
	}
	// The connection is still in sync after the unread body.
	if r = rc.do("GET /health/live HTTP/1.1\r\nHost: x\r\n", nil, false); r.status != 200 {
		t.Errorf("after: %d", r.status)
	}
}

// exactObjects reads exactly the declared size and never sees EOF.
type exactObjects struct{ *memObjects }

func (o exactObjects) PutObject(ctx context.Context, bucket, key string, body io.Reader, size int64, opts data.PutOptions) (data.ObjectInfo, error) {
	buf := make([]byte, size)
	if _, err := io.ReadFull(body, buf); err != nil {
		return data.ObjectInfo{}, err
	}
	return o.memObjects.PutObject(ctx, bucket, key, bytes.NewReader(buf), size, opts)
}

// Seal verifies the body's end even when the object layer stops reading
// at the declared size: a bad Content-MD5 is still caught.
func TestSealVerifiesEnd(t *testing.T) {
	ts := startServerObjs(t, Config{}, allowAll{}, func(m *memObjects) Objects { return exactObjects{m} })
	seedBucket(ts, "raw")
	rc := dialRaw(t, ts.addr)
	r := rc.do("PUT /raw/md5 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-MD5: "+
		base64.StdEncoding.EncodeToString(make([]byte, 16))+"\r\n", []byte("hello"), false)
	if r.status != 400 || !bytes.Contains(r.body, []byte("<Code>BadDigest</Code>")) {
		t.Errorf("bad md5: %d %s", r.status, r.body)
	}
	sum := md5.Sum([]byte("hello"))
	r = rc.do("PUT /raw/md5 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-MD5: "+
		base64.StdEncoding.EncodeToString(sum[:])+"\r\n", []byte("hello"), false)
	if r.status != 200 || r.header.Get("ETag") != fmt.Sprintf(`"%x"`, sum) {
		t.Errorf("good md5: %d %v", r.status, r.header)
	}
}
