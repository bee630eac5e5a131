package s3api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// Multipart uploads (CreateMultipartUpload, UploadPart,
// CompleteMultipartUpload, AbortMultipartUpload, ListParts,
// ListMultipartUploads). The object layer stores parts erasure-coded like
// objects and commits them at completion without copying; this file
// parses, checks S3's limits and writes AWS's XML.

// maxCompleteBody bounds a CompleteMultipartUpload body: 10,000 parts,
// each with its number, ETag and up to five checksums.
const maxCompleteBody = 8 << 20

// dispatchMultipartAndCopy routes the operations of this file, copy.go
// and attributes.go.
func (s *Server) dispatchMultipartAndCopy(rq *request) (*response, error) {
	switch rq.op.Kind {
	case OpCreateMultipartUpload:
		return s.createMultipartUpload(rq)
	case OpUploadPart:
		return s.uploadPart(rq)
	case OpUploadPartCopy:
		return s.uploadPartCopy(rq)
	case OpCompleteMultipartUpload:
		return s.completeMultipartUpload(rq)
	case OpAbortMultipartUpload:
		return s.abortMultipartUpload(rq)
	case OpListParts:
		return s.listParts(rq)
	case OpListMultipartUploads:
		return s.listMultipartUploads(rq)
	case OpCopyObject:
		return s.copyObject(rq)
	case OpGetObjectAttributes:
		return s.getObjectAttributes(rq)
	}
	return nil, s3errf(ErrNotImplemented, "%s is not implemented.", rq.op.Kind)
}

func (s *Server) createMultipartUpload(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	if err := checkPutHeaders(rq.hdr); err != nil {
		return nil, err
	}
	alg := rq.hdr.get("x-amz-checksum-algorithm")
	if alg != "" && !knownChecksum(alg) {
		return nil, s3errf(ErrInvalidRequest, "Checksum algorithm %q is not one of CRC32, CRC32C, CRC64NVME, SHA1, SHA256.", alg)
	}
	// Parts' checksums combine into a composite checksum ("<b64>-N");
	// a full-object checksum of a multipart upload is not computed.
	if ct := rq.hdr.get("x-amz-checksum-type"); ct != "" && !strings.EqualFold(ct, "COMPOSITE") {
		return nil, s3errf(ErrNotImplemented, "The checksum type %q is not implemented for multipart uploads.", ct)
	}
	hdrs, err := objectHeadersFromRequest(rq.hdr)
	if err != nil {
		return nil, err
	}
	// Object lock headers (else the bucket's default retention) and tags
	// are the completed version's.
	vmeta, err := s.lockMetaFromHeaders(rq, b)
	if err != nil {
		return nil, err
	}
	if vmeta.Tags, err = parseTagQuery(rq.hdr.get("x-amz-tagging")); err != nil {
		return nil, err
	}
	// The owner and ACL of the completed version (acl_write.go).
	owner, acl, err := s.newVersionACL(rq, rq.hdr, b)
	if err != nil {
		return nil, err
	}
	vmeta.ACL = acl
	up, err := s.deps.Objects.CreateMultipartUpload(rq.ctx, b.Name, rq.op.Key, data.PutOptions{
		Headers:   hdrs,
		Owner:     owner,
		Versioned: putVersioned(b),
		PosixUID:  rq.ident.PosixUID,
		PosixGID:  rq.ident.PosixGID,
		Meta:      vmeta,
	})
	if err != nil {
		return nil, err
	}
	w := newXMLWriter(256)
	w.openNS("InitiateMultipartUploadResult", s3NS)
	w.elem("Bucket", b.Name)
	w.elem("Key", rq.op.Key)
	w.elem("UploadId", up.UploadID)
	w.close("InitiateMultipartUploadResult")
	r := xmlResponse(http.StatusOK, w.bytes())
	if alg != "" {
		r.set("x-amz-checksum-algorithm", strings.ToUpper(alg))
	}
	return r, nil
}

func (s *Server) uploadPart(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	if err := checkPartHeaders(rq.hdr); err != nil {
		return nil, err
	}
	p, size, err := rq.openSizedPayload(maxPartSize, "part")
	if err != nil {
		return nil, err
	}
	part, err := s.deps.Objects.PutObjectPart(rq.ctx, b.Name, rq.op.Key, rq.op.UploadID, rq.op.PartNumber, p, size,
		func() (data.Sealed, error) {
			// As for PutObject: nothing is committed unverified.
			if err := ensureEOF(p); err != nil {
				return data.Sealed{}, err
			}
			return data.Sealed{ETag: p.ETag(), Checksums: p.Checksums()}, nil
		})
	if err != nil {
		return nil, err
	}
	r := newResponse(http.StatusOK)
	etag := part.ETag
	if etag == "" {
		etag = p.ETag()
	}
	r.set("ETag", quoteETag(etag))
	sums := part.Checksums
	if len(sums) == 0 {
		sums = p.Checksums()
	}
	setChecksumHeaders(r, sums)
	return r, nil
}

// checkPartHeaders refuses part headers Cairn does not implement
// (customer-provided encryption keys).
func checkPartHeaders(h *headers) error {
	for _, kv := range h.kv {
		if strings.HasPrefix(kv.lower, "x-amz-server-side-encryption") {
			return s3errf(ErrNotImplemented, "Server-side encryption is not implemented.")
		}
	}
	return nil
}

func (s *Server) completeMultipartUpload(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	pre, err := writePreconditions(rq.hdr)
	if err != nil {
		return nil, err
	}
	body, err := rq.readBody(maxCompleteBody)
	if err != nil {
		return nil, err
	}
	parts, err := parseCompleteMultipart(body)
	if err != nil {
		return nil, err
	}
	info, err := s.deps.Objects.CompleteMultipartUpload(rq.ctx, b.Name, rq.op.Key, rq.op.UploadID, parts, pre)
	if err != nil {
		return nil, s.writeConditionError(rq, b, pre, err)
	}
	w := newXMLWriter(512)
	w.openNS("CompleteMultipartUploadResult", s3NS)
	w.elem("Location", s.objectLocation(rq))
	w.elem("Bucket", b.Name)
	w.elem("Key", rq.op.Key)
	w.elem("ETag", quoteETag(info.ETag))
	writeChecksumElems(w, info.Checksums)
	w.close("CompleteMultipartUploadResult")
	r := xmlResponse(http.StatusOK, w.bytes())
	setBucketVersionHeader(r, b, info)
	return r, nil
}

// objectLocation is the URL of the request's object, as the client
// addressed the server (CompleteMultipartUpload's Location).
func (s *Server) objectLocation(rq *request) string {
	scheme := "http://"
	if rq.tls {
		scheme = "https://"
	}
	host := rq.hdr.get("host")
	if _, vhost := s.router.virtualHostBucket(host); vhost {
		return scheme + host + "/" + escapeURL(rq.op.Key)
	}
	return scheme + host + "/" + escapeURL(rq.op.Bucket) + "/" + escapeURL(rq.op.Key)
}

func (s *Server) abortMultipartUpload(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	if err := s.deps.Objects.AbortMultipartUpload(rq.ctx, b.Name, rq.op.Key, rq.op.UploadID); err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

func (s *Server) listParts(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	pp := rq.op.Parts
	res, err := s.deps.Objects.ListParts(rq.ctx, b.Name, rq.op.Key, rq.op.UploadID, pp.Marker, pp.Max)
	if err != nil {
		return nil, err
	}
	w := newXMLWriter(512 + 256*len(res.Parts))
	w.openNS("ListPartsResult", s3NS)
	w.elem("Bucket", b.Name)
	w.elem("Key", rq.op.Key)
	w.elem("UploadId", rq.op.UploadID)
	writeUploadOwner(w, b, res.Upload.Owner)
	w.elem("StorageClass", "STANDARD")
	w.elemInt("PartNumberMarker", int64(pp.Marker))
	next := res.NextPartNumberMarker
	if next == 0 && len(res.Parts) > 0 {
		next = res.Parts[len(res.Parts)-1].Number
	}
	w.elemInt("NextPartNumberMarker", int64(next))
	w.elemInt("MaxParts", int64(pp.Max))
	w.elemBool("IsTruncated", res.IsTruncated)
	if alg := partsChecksumAlgorithm(res.Parts); alg != "" {
		w.elem("ChecksumAlgorithm", alg)
	}
	for _, p := range res.Parts {
		w.open("Part")
		w.elemInt("PartNumber", int64(p.Number))
		w.elemTime("LastModified", p.ModTime)
		w.elem("ETag", quoteETag(p.ETag))
		w.elemInt("Size", p.Size)
		writeChecksumElems(w, p.Checksums)
		w.close("Part")
	}
	w.close("ListPartsResult")
	return xmlResponse(http.StatusOK, w.bytes()), nil
}

// partsChecksumAlgorithm is the additional checksum algorithm an upload's
// parts carry ("" when none): the upload's ChecksumAlgorithm.
func partsChecksumAlgorithm(parts []data.PartInfo) string {
	for _, p := range parts {
		for alg := range p.Checksums {
			return alg
		}
	}
	return ""
}

// writeUploadOwner writes the Initiator and Owner of an upload: both are
// the account that created it.
func writeUploadOwner(w *xmlWriter, b meta.Bucket, owner string) {
	name := owner
	if owner == b.Owner && b.OwnerName != "" {
		name = b.OwnerName
	}
	for _, el := range [...]string{"Initiator", "Owner"} {
		w.open(el)
		w.elem("ID", owner)
		w.elem("DisplayName", name)
		w.close(el)
	}
}

func (s *Server) listMultipartUploads(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	lp := rq.op.List
	var res data.ListUploadsResult
	if lp.MaxKeys > 0 {
		res, err = s.deps.Objects.ListMultipartUploads(rq.ctx, b.Name, data.ListUploadsOptions{
			Prefix:         lp.Prefix,
			Delimiter:      lp.Delimiter,
			KeyMarker:      lp.Marker,
			UploadIDMarker: rq.op.UploadIDMarker,
			MaxUploads:     lp.MaxKeys,
		})
		if err != nil {
			return nil, err
		}
	}
	enc := encoder(lp.URLEncode)
	w := newXMLWriter(512 + 384*len(res.Uploads) + 96*len(res.CommonPrefixes))
	w.openNS("ListMultipartUploadsResult", s3NS)
	w.elem("Bucket", b.Name)
	w.elem("KeyMarker", enc(lp.Marker))
	w.elem("UploadIdMarker", rq.op.UploadIDMarker)
	w.elem("NextKeyMarker", enc(res.NextKeyMarker))
	w.elem("NextUploadIdMarker", res.NextUploadIDMarker)
	if lp.Delimiter != "" {
		w.elem("Delimiter", enc(lp.Delimiter))
	}
	w.elem("Prefix", enc(lp.Prefix))
	w.elemInt("MaxUploads", int64(lp.MaxKeys))
	w.elemBool("IsTruncated", res.IsTruncated)
	if lp.URLEncode {
		w.elem("EncodingType", "url")
	}
	for _, u := range res.Uploads {
		w.open("Upload")
		w.elem("Key", enc(u.Key))
		w.elem("UploadId", u.UploadID)
		writeUploadOwner(w, b, u.Owner)
		w.elem("StorageClass", "STANDARD")
		w.elemTime("Initiated", u.Initiated)
		w.close("Upload")
	}
	for _, p := range res.CommonPrefixes {
		w.open("CommonPrefixes")
		w.elem("Prefix", enc(p))
		w.close("CommonPrefixes")
	}
	w.close("ListMultipartUploadsResult")
	return xmlResponse(http.StatusOK, w.bytes()), nil
}

// writePreconditions reads the conditional-write headers of PutObject and
// CompleteMultipartUpload: If-None-Match: * (fail if the key exists) and
// If-Match: <etag> (fail unless the current version has that ETag). Any
// other If-None-Match value is NotImplemented, as AWS answers it.
func writePreconditions(h *headers) (data.Preconditions, error) {
	var pre data.Preconditions
	if v := h.get("if-none-match"); v != "" {
		if strings.TrimSpace(v) != "*" {
			return pre, s3errf(ErrNotImplemented, "A header you provided implies functionality that is not implemented").
				with("Header", "If-None-Match")
		}
		pre.IfNoneMatchAny = true
	}
	if v := h.get("if-match"); v != "" {
		pre.IfMatch = strings.TrimSpace(v)
	}
	return pre, nil
}

// writeConditionError refines the error of a conditional write: a failed
// precondition names its header (Condition), and If-Match on a key
// without a current version is NoSuchKey, as AWS answers.
func (s *Server) writeConditionError(rq *request, b meta.Bucket, pre data.Preconditions, err error) error {
	if !errors.Is(err, data.ErrPreconditionFailed) {
		return err
	}
	// Which condition failed is not carried by the error: look again.
	info, serr := s.deps.Objects.StatObject(rq.ctx, b.Name, rq.op.Key, data.GetOptions{})
	exists := serr == nil && !info.DeleteMarker
	absent := (serr == nil && info.DeleteMarker) || errors.Is(serr, data.ErrObjectNotFound)
	cond := "If-Match"
	switch {
	case pre.IfNoneMatchAny && (exists || pre.IfMatch == ""):
		cond = "If-None-Match"
	case pre.IfMatch != "" && absent:
		return &Error{Code: ErrNoSuchKey, Err: err}
	}
	return (&Error{Code: ErrPreconditionFailed, Err: err}).with("Condition", cond)
}

// knownChecksum reports whether alg is an S3 additional checksum algorithm.
func knownChecksum(alg string) bool {
	switch strings.ToUpper(alg) {
	case "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256":
		return true
	}
	return false
}

// checksumElems are the XML elements of the additional checksums, by
// algorithm, in the order AWS writes them.
var checksumElems = [...]struct{ Alg, Elem string }{
	{"CRC32", "ChecksumCRC32"},
	{"CRC32C", "ChecksumCRC32C"},
	{"CRC64NVME", "ChecksumCRC64NVME"},
	{"SHA1", "ChecksumSHA1"},
	{"SHA256", "ChecksumSHA256"},
}

// writeChecksumElems writes <ChecksumXXX> for each checksum in sums.
func writeChecksumElems(w *xmlWriter, sums map[string]string) {
	for _, c := range checksumElems {
		if v, ok := sums[c.Alg]; ok {
			w.elem(c.Elem, v)
		}
	}
}
