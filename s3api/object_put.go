package s3api

import (
	"io"
	"net/http"
	"strings"

	"github.com/cairn-s3/cairn/data"
)

// maxUserMetadata is S3's limit on x-amz-meta-* names plus values, in bytes.
const maxUserMetadata = 2 << 10

// putHeaders are the standard headers PutObject stores with the object.
var putHeaders = [...]string{"content-type", "content-encoding", "content-disposition", "content-language", "cache-control", "expires"}

func (s *Server) putObject(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	if err := checkPutHeaders(rq.hdr); err != nil {
		return nil, err
	}
	p, size, err := rq.openSizedPayload(s.cfg.MaxObjectSize, "object")
	if err != nil {
		return nil, err
	}
	hdrs, err := objectHeadersFromRequest(rq.hdr)
	if err != nil {
		return nil, err
	}
	// The owner and ACL of the new version (acl_write.go).
	owner, acl, err := s.newVersionACL(rq, rq.hdr, b)
	if err != nil {
		return nil, err
	}
	// Object lock headers, else the bucket's default retention.
	vmeta, err := s.lockMetaFromHeaders(rq, b)
	if err != nil {
		return nil, err
	}
	vmeta.ACL = acl
	if vmeta.Tags, err = parseTagQuery(rq.hdr.get("x-amz-tagging")); err != nil {
		return nil, err
	}
	// If-None-Match: * / If-Match, checked by the object layer at commit.
	pre, err := writePreconditions(rq.hdr)
	if err != nil {
		return nil, err
	}
	info, err := s.deps.Objects.PutObject(rq.ctx, b.Name, rq.op.Key, p, size, data.PutOptions{
		Headers:   hdrs,
		Owner:     owner,
		Meta:      vmeta,
		Pre:       pre,
		Versioned: putVersioned(b),
		// The writer's POSIX identity (from its user, for service
		// accounts and sessions its parent) is stamped on the version.
		PosixUID: rq.ident.PosixUID,
		PosixGID: rq.ident.PosixGID,
		// The payload knows its ETag and verified checksums only at EOF,
		// and a body that fails verification never reaches EOF. The object
		// layer reads to EOF before sealing; Seal checks it anyway, so no
		// body is committed unverified whatever the caller read.
		Seal: func() (data.Sealed, error) {
			if err := ensureEOF(p); err != nil {
				return data.Sealed{}, err
			}
			return data.Sealed{ETag: p.ETag(), Checksums: p.Checksums()}, nil
		},
	})
	if err != nil {
		return nil, s.writeConditionError(rq, b, pre, err)
	}
	r := newResponse(http.StatusOK)
	etag := info.ETag
	if etag == "" {
		etag = p.ETag()
	}
	r.set("ETag", quoteETag(etag))
	sums := info.Checksums
	if len(sums) == 0 {
		sums = p.Checksums()
	}
	setChecksumHeaders(r, sums)
	setBucketVersionHeader(r, b, info)
	return r, nil
}

// ensureEOF reads r's end: nil if it is at EOF (every check passed),
// data.ErrBodyTooLong if bytes remain, or the verification error.
func ensureEOF(r io.Reader) error {
	var one [1]byte
	for range 8 {
		n, err := r.Read(one[:])
		switch {
		case n > 0:
			return data.ErrBodyTooLong
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
	}
	return io.ErrNoProgress
}

// checkPutHeaders refuses headers that ask for behaviour Cairn does not
// implement yet: ignoring them would silently store something other than
// what the client asked for (unencrypted, unlocked, untagged...).
func checkPutHeaders(h *headers) error {
	for _, kv := range h.kv {
		switch {
		case strings.HasPrefix(kv.lower, "x-amz-server-side-encryption"):
			return s3errf(ErrNotImplemented, "Server-side encryption is not implemented.")
		case kv.lower == "x-amz-website-redirect-location":
			return s3errf(ErrNotImplemented, "Website redirects are not implemented.")
		case kv.lower == "x-amz-storage-class" && kv.value != "STANDARD":
			return s3errf(ErrNotImplemented, "The storage class %q is not implemented.", kv.value)
		}
	}
	return nil
}

// objectHeadersFromRequest collects what PutObject stores besides the
// body: the standard headers and x-amz-meta-*, keyed in the client's case.
// Content-Type defaults to binary/octet-stream; "aws-chunked" is removed
// from Content-Encoding (it describes the transfer, not the object).
func objectHeadersFromRequest(h *headers) (map[string]string, error) {
	out := make(map[string]string, 8)
	metaSize := 0
	for _, kv := range h.kv {
		isMeta := strings.HasPrefix(kv.lower, "x-amz-meta-")
		if !isMeta && !isPutHeader(kv.lower) {
			continue
		}
		if _, dup := lookupFold(out, kv.lower); dup {
			continue // h.get below already joined repeated headers
		}
		v := h.get(kv.lower)
		if kv.lower == "content-encoding" {
			if v = stripAWSChunked(v); v == "" {
				continue
			}
		}
		if isMeta {
			metaSize += len(kv.name) - len("x-amz-meta-") + len(v)
		}
		out[kv.name] = v
	}
	if metaSize > maxUserMetadata {
		return nil, s3errf(ErrMetadataTooLarge, "Your metadata headers exceed the maximum allowed metadata size of %d bytes.", maxUserMetadata)
	}
	if _, ok := lookupFold(out, "content-type"); !ok {
		out["Content-Type"] = defaultContentType
	}
	return out, nil
}

func isPutHeader(lower string) bool {
	for _, n := range putHeaders {
		if n == lower {
			return true
		}
	}
	return false
}

func lookupFold(m map[string]string, lower string) (string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, lower) {
			return v, true
		}
	}
	return "", false
}

// stripAWSChunked removes the aws-chunked coding from a Content-Encoding list.
func stripAWSChunked(v string) string {
	if !strings.Contains(strings.ToLower(v), "aws-chunked") {
		return v
	}
	parts := strings.Split(v, ",")
	out := parts[:0]
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p != "" && !strings.EqualFold(p, "aws-chunked") {
			out = append(out, p)
		}
	}
	return strings.Join(out, ",")
}
