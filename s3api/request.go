package s3api

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

// request is everything a handler needs about one request. It lives for
// the duration of the handler call.
type request struct {
	ctx    context.Context
	id     string
	method string
	// rawPath and rawQuery are exactly as on the wire.
	rawPath  string
	rawQuery string
	hdr      *headers
	op       Operation
	now      time.Time

	auth  *sigv4.Auth
	ident iam.Identity

	// remoteIP and tls describe the connection, for aws:SourceIp and
	// aws:SecureTransport.
	remoteIP net.IP
	tls      bool
	// api is the protocol the request speaks; its errors are written in
	// that protocol's format. action is the Action of an IAM/STS request.
	api    apiKind
	action string
	// conds caches the request's authorization context (authz.go).
	conds     map[string][]string
	condsDone bool

	// bucket is the addressed bucket's record, when it exists.
	bucket   meta.Bucket
	bucketOK bool
	// access is the bucket's authorization configuration (policy, ACL,
	// ownership, public access block; authz_resource.go), nil without a
	// bucket.
	access *bucketAccess
	// objACL and objOwner cache the ACL of the version the request
	// addresses once a decision needed it (objACLDone); objACLFound is
	// false when that version does not exist.
	objACL                  iam.ACL
	objOwner                string
	objACLFound, objACLDone bool

	// body is the raw (still framed, unverified) request body.
	body *countingReader
	// contentLength is fasthttp's view of the framing: -1 for
	// Transfer-Encoding: chunked, -2 or 0 when there is no body, else the
	// Content-Length.
	contentLength int
}

// chunked reports whether the body is chunked on the wire (its length
// unknown until its end).
func (r *request) chunked() bool { return r.contentLength == -1 }

// noBody reports whether the request carries no body bytes at all.
func (r *request) noBody() bool { return r.contentLength == 0 || r.contentLength < -1 }

// requireBucket returns the addressed bucket, or NoSuchBucket.
func (r *request) requireBucket() (meta.Bucket, error) {
	if !r.bucketOK {
		return meta.Bucket{}, s3err(ErrNoSuchBucket).with("BucketName", r.op.Bucket)
	}
	return r.bucket, nil
}

// countingReader counts what is read from the raw body and notes its end.
type countingReader struct {
	r   io.Reader
	n   int64
	eof bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err == io.EOF {
		c.eof = true
	}
	return n, err
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// headers is a request's header list with case-insensitive lookup. Names
// keep the client's case (user metadata is stored as sent). fasthttp
// lookups are case-sensitive once header normalising is disabled, which
// is why the API reads headers only through this type.
type headers struct {
	kv []headerKV
}

type headerKV struct {
	name  string // as sent
	lower string
	value string
}

func collectHeaders(h *fasthttp.RequestHeader) *headers {
	hs := &headers{kv: make([]headerKV, 0, 24)}
	for k, v := range h.All() {
		name := string(k)
		hs.kv = append(hs.kv, headerKV{name: name, lower: strings.ToLower(name), value: string(v)})
	}
	// fasthttp reports a request without Content-Length or
	// Transfer-Encoding as Content-Length: 0. S3 distinguishes the two
	// (MissingContentLength), so drop the synthetic header.
	if h.ContentLength() == 0 && !hasRawHeader(h.RawHeaders(), "content-length") {
		hs.del("content-length")
	}
	return hs
}

// get returns the named header ("" if absent). Repeated headers are joined
// with ",", as SigV4 canonicalisation does.
func (h *headers) get(lower string) string {
	v, n := "", 0
	for i := range h.kv {
		if h.kv[i].lower == lower {
			if n == 0 {
				v = h.kv[i].value
			} else {
				v += "," + h.kv[i].value
			}
			n++
		}
	}
	return v
}

// each calls fn for every header line, name as sent.
func (h *headers) each(fn func(name, value string)) {
	for i := range h.kv {
		fn(h.kv[i].name, h.kv[i].value)
	}
}

func (h *headers) has(lower string) bool {
	for i := range h.kv {
		if h.kv[i].lower == lower {
			return true
		}
	}
	return false
}

func (h *headers) del(lower string) {
	out := h.kv[:0]
	for _, kv := range h.kv {
		if kv.lower != lower {
			out = append(out, kv)
		}
	}
	h.kv = out
}

// hasRawHeader reports whether raw (header lines as received) has a header
// named lower, compared case-insensitively.
func hasRawHeader(raw []byte, lower string) bool {
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		name, _, ok := bytes.Cut(line, []byte{':'})
		if ok && len(name) == len(lower) && strings.EqualFold(string(name), lower) {
			return true
		}
	}
	return false
}

// splitRequestURI splits a raw request-target into path and query. An
// absolute-form target ("http://host/path") is reduced to its path.
func splitRequestURI(uri string) (path, rawQuery string) {
	if i := strings.Index(uri, "://"); i >= 0 && !strings.HasPrefix(uri, "/") {
		rest := uri[i+3:]
		if j := strings.IndexAny(rest, "/?"); j >= 0 {
			uri = rest[j:]
		} else {
			uri = "/"
		}
		if strings.HasPrefix(uri, "?") {
			uri = "/" + uri
		}
	}
	path, rawQuery, _ = strings.Cut(uri, "?")
	return path, rawQuery
}
