package s3api

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
)

// CopyObject and UploadPartCopy. A copy streams the source version's bytes
// (read through the object layer, verified per chunk) into a new write;
// nothing is buffered whole. The request is authorized for s3:PutObject on
// the destination by the operation table and here, in addition, for
// s3:GetObject (s3:GetObjectVersion for a specific version) on the source.

// copySource is a parsed x-amz-copy-source header.
type copySource struct {
	Bucket, Key string
	// VersionID is the source version ("" = latest).
	VersionID string
}

// copySourceError is AWS's answer to a copy source it cannot parse.
func copySourceError(v string) *Error {
	return s3errf(ErrInvalidArgument, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey").
		with("ArgumentName", "x-amz-copy-source").with("ArgumentValue", clipValue(v))
}

// parseCopySource parses x-amz-copy-source: "bucket/key" URL-encoded, with
// or without a leading slash, optionally followed by "?versionId=<id>".
// The '?' is taken literally (a '?' in a key arrives encoded as %3F).
func parseCopySource(v string) (copySource, error) {
	raw, rawQuery, _ := strings.Cut(v, "?")
	raw = strings.TrimPrefix(raw, "/")
	path, err := unescapePath(raw)
	if err != nil {
		return copySource{}, copySourceError(v)
	}
	bucket, key, ok := strings.Cut(path, "/")
	if !ok || bucket == "" || key == "" {
		return copySource{}, copySourceError(v)
	}
	if err := checkBucketName(bucket); err != nil {
		return copySource{}, copySourceError(v)
	}
	if err := checkKey(key); err != nil {
		return copySource{}, err
	}
	src := copySource{Bucket: bucket, Key: key}
	q, err := parseQuery(rawQuery)
	if err != nil {
		return copySource{}, copySourceError(v)
	}
	if id, ok := q.get("versionId"); ok {
		if id == "" {
			return copySource{}, s3errf(ErrInvalidArgument, "Invalid version id specified").
				with("ArgumentName", "versionId").with("ArgumentValue", id)
		}
		src.VersionID = id
	}
	return src, nil
}

// copyRangeError is AWS's answer to a malformed x-amz-copy-source-range.
func copyRangeError(v string) *Error {
	return s3errf(ErrInvalidArgument, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").
		with("ArgumentName", "x-amz-copy-source-range").with("ArgumentValue", clipValue(v))
}

// parseCopySourceRange parses x-amz-copy-source-range ("bytes=first-last",
// both given, first <= last) against a source of size bytes. Unlike a GET
// Range there are no suffix or open ranges, and a range past the end is
// refused rather than clipped.
func parseCopySourceRange(v string, size int64) (byteRange, error) {
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return byteRange{}, copyRangeError(v)
	}
	first, last, ok := strings.Cut(spec, "-")
	if !ok {
		return byteRange{}, copyRangeError(v)
	}
	a, okA := parseDigits(first)
	b, okB := parseDigits(last)
	if !okA || !okB || b < a {
		return byteRange{}, copyRangeError(v)
	}
	if b >= size {
		return byteRange{}, s3errf(ErrInvalidArgument, "Range specified is not valid for source object of size: %d", size).
			with("ArgumentName", "x-amz-copy-source-range").with("ArgumentValue", clipValue(v))
	}
	return byteRange{Start: a, Length: b - a + 1}, nil
}

// checkCopySourceConditions evaluates x-amz-copy-source-if-* against the
// source version. Unlike GET, every failure is 412: If-Match (else
// If-Unmodified-Since) must hold, and If-None-Match (else
// If-Modified-Since) must not match. When If-Match holds, a failing
// If-Unmodified-Since is ignored, and when If-None-Match holds a failing
// If-Modified-Since is ignored, as AWS documents.
func checkCopySourceConditions(h *headers, etag string, modTime time.Time) error {
	const p = "x-amz-copy-source-"
	mod := modTime.UTC().Truncate(time.Second)
	fail := func(name string) error {
		return s3err(ErrPreconditionFailed).with("Condition", name)
	}
	if v := h.get(p + "if-match"); v != "" {
		if !etagMatches(v, etag) {
			return fail("x-amz-copy-source-If-Match")
		}
	} else if t, ok := httpDate(h.get(p + "if-unmodified-since")); ok && mod.After(t) {
		return fail("x-amz-copy-source-If-Unmodified-Since")
	}
	if v := h.get(p + "if-none-match"); v != "" {
		if etagMatches(v, etag) {
			return fail("x-amz-copy-source-If-None-Match")
		}
	} else if t, ok := httpDate(h.get(p + "if-modified-since")); ok && !mod.After(t) {
		return fail("x-amz-copy-source-If-Modified-Since")
	}
	return nil
}

// authorizeCopySource asks for s3:GetObject (s3:GetObjectVersion when a
// version is named) on the source object, in the source bucket, with the
// source version's tags as s3:ExistingObjectTag/<k> when the caller's
// policies use them.
func (s *Server) authorizeCopySource(rq *request, src copySource, srcBucket meta.Bucket) error {
	action := "s3:GetObject"
	if src.VersionID != "" {
		action = "s3:GetObjectVersion"
	}
	req := s.authzRequest(rq, action, src.Key)
	req.Bucket = src.Bucket
	req.BucketOwner = srcBucket.Owner
	if req.Conditions != nil {
		// The request's context, but s3:VersionId is the source's, and
		// s3:ExistingObjectTag/<k> are the source version's tags
		// (authz_tags.go).
		c := maps.Clone(req.Conditions)
		delete(c, "s3:VersionId")
		if src.VersionID != "" {
			c["s3:VersionId"] = []string{src.VersionID}
		}
		if srcBucket.Name != "" && s.needsExistingTags(rq) {
			tags, err := s.existingTags(rq.ctx, src.Bucket, src.Key, src.VersionID)
			if err != nil {
				return err
			}
			addExistingTags(c, tags)
		}
		req.Conditions = c
	}
	// The source bucket's policy and ACLs decide too, and the source
	// version's ACL when it could allow.
	setRequestResource(&req, nil)
	if srcBucket.Name != "" {
		ba, err := s.bucketAccess(srcBucket)
		switch {
		case err == nil:
			setRequestResource(&req, &ba.rc)
		case rq.ident.Kind != iam.KindRoot:
			return &Error{Code: ErrInternalError, Err: err}
		}
	}
	d, err := s.decide(rq, req, objectTarget{bucket: src.Bucket, key: src.Key, versionID: src.VersionID})
	if err != nil {
		return err
	}
	if d.Allowed {
		return nil
	}
	s.logDenied(rq, action, src.Bucket, src.Key, d)
	return &Error{Code: ErrAccessDenied, Err: fmt.Errorf("%w: copy source: %s", errAuthzDenied, d.Reason)}
}

// openCopySource parses x-amz-copy-source, authorizes reading it, opens
// the source version and checks the copy-source conditions.
func (s *Server) openCopySource(rq *request) (copySource, data.Object, error) {
	src, err := parseCopySource(rq.hdr.get("x-amz-copy-source"))
	if err != nil {
		return src, nil, err
	}
	sb, ok := s.deps.Buckets.Bucket(src.Bucket)
	if err := s.authorizeCopySource(rq, src, sb); err != nil {
		return src, nil, err
	}
	if !ok {
		return src, nil, s3err(ErrNoSuchBucket).with("BucketName", src.Bucket)
	}
	obj, err := s.deps.Objects.OpenObject(rq.ctx, src.Bucket, src.Key, data.GetOptions{VersionID: src.VersionID})
	var info data.ObjectInfo
	if err == nil {
		info = obj.Info()
	}
	switch {
	case errors.Is(err, data.ErrDeleteMarker) || err == nil && info.DeleteMarker:
		if src.VersionID != "" {
			return src, nil, &Error{Code: ErrInvalidRequest, Message: "The source of a copy request may not specifically refer to a delete marker by version id.", Err: err}
		}
		return src, nil, (&Error{Code: ErrNoSuchKey, Err: err}).with("Key", src.Key)
	case errors.Is(err, data.ErrObjectNotFound):
		return src, nil, (&Error{Code: ErrNoSuchKey, Err: err}).with("Key", src.Key)
	case err != nil:
		return src, nil, err
	}
	if err := checkCopySourceConditions(rq.hdr, info.ETag, info.ModTime); err != nil {
		return src, nil, err
	}
	return src, obj, nil
}

// copyDirective reads x-amz-metadata-directive or x-amz-tagging-directive:
// COPY (the default) or REPLACE.
func copyDirective(h *headers, name string) (replace bool, err error) {
	switch v := h.get(name); v {
	case "", "COPY":
		return false, nil
	case "REPLACE":
		return true, nil
	default:
		return false, s3errf(ErrInvalidArgument, "Unknown %s.", strings.TrimPrefix(name, "x-amz-")).
			with("ArgumentName", name).with("ArgumentValue", clipValue(v))
	}
}

// copySizeError is AWS's answer to a copy source above the copy limit.
func copySizeError(limit int64) *Error {
	return s3errf(ErrInvalidRequest, "The specified copy source is larger than the maximum allowable size for a copy source: %d", limit)
}

func (s *Server) copyObject(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	if err := checkPutHeaders(rq.hdr); err != nil {
		return nil, err
	}
	replaceMeta, err := copyDirective(rq.hdr, "x-amz-metadata-directive")
	if err != nil {
		return nil, err
	}
	replaceTags, err := copyDirective(rq.hdr, "x-amz-tagging-directive")
	if err != nil {
		return nil, err
	}
	pre, err := writePreconditions(rq.hdr)
	if err != nil {
		return nil, err
	}
	hdrs, tags := map[string]string(nil), map[string]string(nil)
	if replaceMeta {
		if hdrs, err = objectHeadersFromRequest(rq.hdr); err != nil {
			return nil, err
		}
	}
	if replaceTags {
		if tags, err = parseTagQuery(rq.hdr.get("x-amz-tagging")); err != nil {
			return nil, err
		}
	}
	// Object lock of the new version: its headers, else the default. The
	// ACL is the request's (a copy never copies the source's ACL).
	vmeta, err := s.lockMetaFromHeaders(rq, b)
	if err != nil {
		return nil, err
	}
	owner, acl, err := s.newVersionACL(rq, rq.hdr, b)
	if err != nil {
		return nil, err
	}
	vmeta.ACL = acl
	src, obj, err := s.openCopySource(rq)
	if err != nil {
		return nil, err
	}
	info := obj.Info()
	if info.Size > s.cfg.MaxObjectSize {
		return nil, copySizeError(s.cfg.MaxObjectSize)
	}
	// A copy onto the same version must change something AWS counts.
	if src.Bucket == b.Name && src.Key == rq.op.Key && (src.VersionID == "" || info.IsLatest) &&
		!replaceMeta && !rq.hdr.has("x-amz-storage-class") && !rq.hdr.has("x-amz-website-redirect-location") {
		return nil, s3errf(ErrInvalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	if !replaceMeta {
		hdrs = maps.Clone(info.Headers)
	}
	if !replaceTags {
		tags = maps.Clone(info.Meta.Tags)
	}
	vmeta.Tags = tags

	body, err := obj.Range(rq.ctx, 0, info.Size)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	algs, err := copyChecksumAlgs(rq.hdr, info.Checksums)
	if err != nil {
		return nil, err
	}
	dg := newCopyDigest(body, algs)
	out, err := s.deps.Objects.PutObject(rq.ctx, b.Name, rq.op.Key, dg, info.Size, data.PutOptions{
		Headers:   hdrs,
		Owner:     owner,
		Versioned: putVersioned(b),
		PosixUID:  rq.ident.PosixUID,
		PosixGID:  rq.ident.PosixGID,
		Meta:      vmeta,
		Pre:       pre,
		Seal:      dg.seal,
	})
	if err != nil {
		return nil, copyWriteError(s.writeConditionError(rq, b, pre, err))
	}
	etag := out.ETag
	if etag == "" {
		etag = dg.etag()
	}
	w := newXMLWriter(256)
	w.openNS("CopyObjectResult", s3NS)
	w.elem("ETag", quoteETag(etag))
	w.elemTime("LastModified", out.ModTime)
	writeChecksumElems(w, out.Checksums)
	w.close("CopyObjectResult")
	r := xmlResponse(http.StatusOK, w.bytes())
	setCopySourceVersion(r, info)
	setBucketVersionHeader(r, b, out)
	return r, nil
}

// copyWriteError: the source's bytes come from the object layer, so a
// copy whose body ends short is the server's fault, not the client's.
func copyWriteError(err error) error {
	if errors.Is(err, data.ErrIncompleteBody) || errors.Is(err, data.ErrBodyTooLong) {
		return &Error{Code: ErrInternalError, Err: err}
	}
	return err
}

func setCopySourceVersion(r *response, src data.ObjectInfo) {
	if v := src.VersionID; v != "" && v != "null" {
		r.set("x-amz-copy-source-version-id", v)
	}
}

func (s *Server) uploadPartCopy(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	if err := checkPartHeaders(rq.hdr); err != nil {
		return nil, err
	}
	_, obj, err := s.openCopySource(rq)
	if err != nil {
		return nil, err
	}
	info := obj.Info()
	rng := byteRange{Start: 0, Length: info.Size}
	if v := rq.hdr.get("x-amz-copy-source-range"); v != "" {
		if rng, err = parseCopySourceRange(v, info.Size); err != nil {
			return nil, err
		}
	}
	if rng.Length > maxPartSize {
		return nil, copySizeError(maxPartSize)
	}
	// The part carries the checksum algorithm the upload's other parts
	// carry, so the completed object's composite checksum covers it.
	var algs []string
	if lp, err := s.deps.Objects.ListParts(rq.ctx, b.Name, rq.op.Key, rq.op.UploadID, 0, 1); err != nil {
		return nil, err
	} else if alg := partsChecksumAlgorithm(lp.Parts); alg != "" {
		algs = []string{alg}
	}
	body, err := obj.Range(rq.ctx, rng.Start, rng.Length)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	dg := newCopyDigest(body, algs)
	part, err := s.deps.Objects.PutObjectPart(rq.ctx, b.Name, rq.op.Key, rq.op.UploadID, rq.op.PartNumber, dg, rng.Length, dg.seal)
	if err != nil {
		return nil, copyWriteError(err)
	}
	etag := part.ETag
	if etag == "" {
		etag = dg.etag()
	}
	w := newXMLWriter(256)
	w.openNS("CopyPartResult", s3NS)
	w.elem("ETag", quoteETag(etag))
	mod := part.ModTime
	if mod.IsZero() {
		mod = rq.now
	}
	w.elemTime("LastModified", mod)
	writeChecksumElems(w, part.Checksums)
	w.close("CopyPartResult")
	r := xmlResponse(http.StatusOK, w.bytes())
	setCopySourceVersion(r, info)
	return r, nil
}

// copyChecksumAlgs are the checksums a copy computes: the one the request
// names (x-amz-checksum-algorithm), else those the source carries. A
// source's composite checksum (multipart) becomes a full-object checksum
// of the same algorithm: the copy is one part.
func copyChecksumAlgs(h *headers, srcSums map[string]string) ([]string, error) {
	if v := h.get("x-amz-checksum-algorithm"); v != "" {
		if !knownChecksum(v) {
			return nil, s3errf(ErrInvalidRequest, "Checksum algorithm %q is not one of CRC32, CRC32C, CRC64NVME, SHA1, SHA256.", v)
		}
		return []string{strings.ToUpper(v)}, nil
	}
	algs := make([]string, 0, len(srcSums))
	for _, c := range checksumElems {
		if _, ok := srcSums[c.Alg]; ok {
			algs = append(algs, c.Alg)
		}
	}
	return algs, nil
}

// ensure copyDigest is an io.Reader the object layer reads to EOF.
var _ io.Reader = (*copyDigest)(nil)
