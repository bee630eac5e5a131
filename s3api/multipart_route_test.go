package s3api

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestParseMultipartRequests(t *testing.T) {
	signed := hdrs("authorization", "AWS4-HMAC-SHA256 Credential=x", "host", "localhost:9000")
	copyHdr := hdrs("authorization", "AWS4-HMAC-SHA256 Credential=x", "host", "localhost:9000", "x-amz-copy-source", "src/key")
	tests := []struct {
		name   string
		method string
		path   string
		query  string
		h      headerFunc
		want   OpKind
		code   ErrorCode // when want == OpUnknown
		check  func(t *testing.T, op Operation)
	}{
		{name: "create", method: "POST", path: "/bkt/k", query: "uploads", want: OpCreateMultipartUpload},
		{name: "create with value", method: "POST", path: "/bkt/k", query: "uploads=", want: OpCreateMultipartUpload},
		{name: "upload part", method: "PUT", path: "/bkt/k", query: "partNumber=7&uploadId=abc", want: OpUploadPart,
			check: func(t *testing.T, op Operation) {
				if op.PartNumber != 7 || op.UploadID != "abc" {
					t.Errorf("%+v", op)
				}
			}},
		{name: "upload part copy", method: "PUT", path: "/bkt/k", query: "partNumber=10000&uploadId=abc", h: copyHdr, want: OpUploadPartCopy},
		{name: "part number zero", method: "PUT", path: "/bkt/k", query: "partNumber=0&uploadId=abc", code: ErrInvalidArgument},
		{name: "part number 10001", method: "PUT", path: "/bkt/k", query: "partNumber=10001&uploadId=abc", code: ErrInvalidArgument},
		{name: "part number text", method: "PUT", path: "/bkt/k", query: "partNumber=one&uploadId=abc", code: ErrInvalidArgument},
		{name: "part number missing", method: "PUT", path: "/bkt/k", query: "uploadId=abc", code: ErrInvalidArgument},
		{name: "part without upload", method: "PUT", path: "/bkt/k", query: "partNumber=1", code: ErrInvalidRequest},
		{name: "complete", method: "POST", path: "/bkt/k", query: "uploadId=abc", want: OpCompleteMultipartUpload},
		{name: "abort", method: "DELETE", path: "/bkt/k", query: "uploadId=abc", want: OpAbortMultipartUpload},
		{name: "list parts", method: "GET", path: "/bkt/k", query: "uploadId=abc&max-parts=5&part-number-marker=3", want: OpListParts,
			check: func(t *testing.T, op Operation) {
				if op.Parts != (PartsParams{Max: 5, Marker: 3}) || op.UploadID != "abc" {
					t.Errorf("%+v", op.Parts)
				}
			}},
		{name: "list parts defaults", method: "GET", path: "/bkt/k", query: "uploadId=abc", want: OpListParts,
			check: func(t *testing.T, op Operation) {
				if op.Parts != (PartsParams{Max: 1000}) {
					t.Errorf("%+v", op.Parts)
				}
			}},
		{name: "list parts clamp", method: "GET", path: "/bkt/k", query: "uploadId=abc&max-parts=5000", want: OpListParts,
			check: func(t *testing.T, op Operation) {
				if op.Parts.Max != 1000 {
					t.Errorf("%+v", op.Parts)
				}
			}},
		{name: "list parts bad max", method: "GET", path: "/bkt/k", query: "uploadId=abc&max-parts=-1", code: ErrInvalidArgument},
		{name: "list parts bad marker", method: "GET", path: "/bkt/k", query: "uploadId=abc&part-number-marker=x", code: ErrInvalidArgument},
		{name: "head upload", method: "HEAD", path: "/bkt/k", query: "uploadId=abc", code: ErrMethodNotAllowed},
		{name: "get uploads on object", method: "GET", path: "/bkt/k", query: "uploads", code: ErrMethodNotAllowed},
		{name: "list uploads", method: "GET", path: "/bkt", query: "uploads&prefix=p%2F&delimiter=%2F&key-marker=km&upload-id-marker=um&max-uploads=3&encoding-type=url",
			want: OpListMultipartUploads, check: func(t *testing.T, op Operation) {
				l := op.List
				if l.Prefix != "p/" || l.Delimiter != "/" || l.Marker != "km" || l.MaxKeys != 3 || !l.URLEncode || op.UploadIDMarker != "um" {
					t.Errorf("%+v %q", l, op.UploadIDMarker)
				}
			}},
		{name: "list uploads id marker without key marker", method: "GET", path: "/bkt", query: "uploads&upload-id-marker=um", want: OpListMultipartUploads,
			check: func(t *testing.T, op Operation) {
				if op.UploadIDMarker != "" || op.List.MaxKeys != 1000 {
					t.Errorf("%+v %q", op.List, op.UploadIDMarker)
				}
			}},
		{name: "list uploads bad max", method: "GET", path: "/bkt", query: "uploads&max-uploads=x", code: ErrInvalidArgument},
		{name: "list uploads bad encoding", method: "GET", path: "/bkt", query: "uploads&encoding-type=base64", code: ErrInvalidArgument},
		{name: "copy object", method: "PUT", path: "/bkt/k", h: copyHdr, want: OpCopyObject},
		{name: "attributes", method: "GET", path: "/bkt/k", query: "attributes&versionId=v1", want: OpGetObjectAttributes,
			check: func(t *testing.T, op Operation) {
				if op.VersionID != "v1" || op.Kind.spec().action(&op) != "s3:GetObjectVersionAttributes" {
					t.Errorf("%+v", op)
				}
			}},
		{name: "attributes put", method: "PUT", path: "/bkt/k", query: "attributes", code: ErrMethodNotAllowed},
		{name: "get part", method: "GET", path: "/bkt/k", query: "partNumber=2", want: OpGetObject,
			check: func(t *testing.T, op Operation) {
				if op.PartNumber != 2 {
					t.Errorf("%+v", op)
				}
			}},
		{name: "head part", method: "HEAD", path: "/bkt/k", query: "partNumber=1&versionId=x", want: OpHeadObject},
		{name: "get part zero", method: "GET", path: "/bkt/k", query: "partNumber=0", code: ErrInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.h
			if h == nil {
				h = signed
			}
			op, err := router{}.parseRequest(tc.method, tc.path, tc.query, h)
			if tc.want == OpUnknown {
				if e := toS3Error(err); e == nil || e.Code != tc.code {
					t.Fatalf("got %v, %v; want %s", op.Kind, err, tc.code.spec().Code)
				}
				return
			}
			if err != nil || op.Kind != tc.want {
				t.Fatalf("got %v, %v; want %v", op.Kind, err, tc.want)
			}
			if tc.check != nil {
				tc.check(t, op)
			}
		})
	}
}

func TestMultipartOperationTable(t *testing.T) {
	tests := []struct {
		op       OpKind
		action   string
		resource resourceKind
	}{
		{OpCreateMultipartUpload, "s3:PutObject", resObject},
		{OpUploadPart, "s3:PutObject", resObject},
		{OpUploadPartCopy, "s3:PutObject", resObject},
		{OpCompleteMultipartUpload, "s3:PutObject", resObject},
		{OpAbortMultipartUpload, "s3:AbortMultipartUpload", resObject},
		{OpListParts, "s3:ListMultipartUploadParts", resObject},
		{OpListMultipartUploads, "s3:ListBucketMultipartUploads", resBucket},
		{OpCopyObject, "s3:PutObject", resObject},
		{OpGetObjectAttributes, "s3:GetObjectAttributes", resObject},
	}
	for _, tc := range tests {
		sp := tc.op.spec()
		if sp.Action != tc.action || sp.Resource != tc.resource || sp.Name == "" || sp.Name == "Unknown" {
			t.Errorf("%v: %+v", tc.op, sp)
		}
	}
}

func TestRawMultipartLimits(t *testing.T) {
	ss := startStoreServer(t, allowAll{})
	ss.createBucket(t, "raw", "")
	// A part declared above 5 GiB is refused before its body is read.
	rc := dialRaw(t, ss.addr)
	if _, err := io.WriteString(rc.c, "PUT /raw/k?partNumber=1&uploadId=x HTTP/1.1\r\nHost: x\r\nContent-Length: 5368709121\r\n\r\n"+strings.Repeat("x", 64<<10)); err != nil {
		t.Fatal(err)
	}
	r := rc.read(false)
	if r.status != 400 || !bytes.Contains(r.body, []byte("EntityTooLarge")) {
		t.Errorf("part above 5 GiB: %d %s", r.status, r.body)
	}
	// Complete with a body that is not XML.
	rc = dialRaw(t, ss.addr)
	r = rc.do("POST /raw/k?uploadId=x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n", []byte("hello"), false)
	if r.status != 400 || !bytes.Contains(r.body, []byte("MalformedXML")) {
		t.Errorf("complete with a non-XML body: %d %s", r.status, r.body)
	}
	// Create answers with the upload's XML; a PUT of part 1 and complete
	// work without signatures here (allowAll).
	r = rc.do("POST /raw/a%20b?uploads HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nx-amz-checksum-algorithm: crc32\r\n", nil, false)
	if r.status != 200 || !bytes.Contains(r.body, []byte("<InitiateMultipartUploadResult")) || !bytes.Contains(r.body, []byte("<Key>a b</Key>")) ||
		r.header.Get("x-amz-checksum-algorithm") != "CRC32" {
		t.Fatalf("create: %d %s %v", r.status, r.body, r.header)
	}
	r = rc.do("POST /raw/a?uploads HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nx-amz-checksum-algorithm: md5\r\n", nil, false)
	if r.status != 400 || !bytes.Contains(r.body, []byte("InvalidRequest")) {
		t.Errorf("create with an unknown checksum algorithm: %d %s", r.status, r.body)
	}

	id := between(string(r0body(rc, "POST /raw/parts?uploads HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n")), "<UploadId>", "</UploadId>")
	if id == "" {
		t.Fatal("no upload ID")
	}
	// A part whose Content-MD5 does not match is refused and not stored.
	bad := base64.StdEncoding.EncodeToString(make([]byte, 16))
	r = rc.do("PUT /raw/parts?partNumber=1&uploadId="+id+" HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-MD5: "+bad+"\r\n", []byte("hello"), false)
	if r.status != 400 || !bytes.Contains(r.body, []byte("BadDigest")) {
		t.Errorf("part with a wrong Content-MD5: %d %s", r.status, r.body)
	}
	r = rc.do("GET /raw/parts?uploadId="+id+" HTTP/1.1\r\nHost: x\r\n", nil, false)
	if r.status != 200 || bytes.Contains(r.body, []byte("<Part>")) {
		t.Errorf("parts after a refused part: %d %s", r.status, r.body)
	}
	sum := md5.Sum([]byte("hello"))
	good := base64.StdEncoding.EncodeToString(sum[:])
	r = rc.do("PUT /raw/parts?partNumber=1&uploadId="+id+" HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-MD5: "+good+"\r\n", []byte("hello"), false)
	etag := hex.EncodeToString(sum[:])
	if r.status != 200 || r.header.Get("ETag") != `"`+etag+`"` {
		t.Fatalf("part: %d %s %v", r.status, r.body, r.header)
	}
	body := []byte("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"" + etag + "\"</ETag></Part></CompleteMultipartUpload>")
	r = rc.do(fmt.Sprintf("POST /raw/parts?uploadId=%s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n", id, len(body)), body, false)
	if r.status != 200 || !bytes.Contains(r.body, []byte("<ETag>&quot;"+multipartETag([]byte("hello"))+"&quot;</ETag>")) ||
		!bytes.Contains(r.body, []byte("<Location>http://x/raw/parts</Location>")) {
		t.Errorf("complete: %d %s", r.status, r.body)
	}
	r = rc.do("GET /raw/parts HTTP/1.1\r\nHost: x\r\n", nil, false)
	if r.status != 200 || string(r.body) != "hello" {
		t.Errorf("completed object: %d %q", r.status, r.body)
	}
}

// r0body sends a bodiless request and returns the response body.
func r0body(rc *rawConn, req string) []byte { return rc.do(req, nil, false).body }

// between returns the text of s between the first start and the next end.
func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}
