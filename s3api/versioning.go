package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strings"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// dispatchVersioningAndConfig runs the versioning, tagging, object-lock
// and lifecycle operations.
func (s *Server) dispatchVersioningAndConfig(rq *request) (*response, error) {
	switch rq.op.Kind {
	case OpGetBucketVersioning:
		return s.getBucketVersioning(rq)
	case OpPutBucketVersioning:
		return s.putBucketVersioning(rq)
	case OpListObjectVersions:
		return s.listObjectVersions(rq)
	case OpGetBucketTagging:
		return s.getBucketTagging(rq)
	case OpPutBucketTagging:
		return s.putBucketTagging(rq)
	case OpDeleteBucketTagging:
		return s.deleteBucketTagging(rq)
	case OpGetObjectTagging:
		return s.getObjectTagging(rq)
	case OpPutObjectTagging:
		return s.putObjectTagging(rq)
	case OpDeleteObjectTagging:
		return s.deleteObjectTagging(rq)
	case OpGetObjectLockConfiguration:
		return s.getObjectLockConfig(rq)
	case OpPutObjectLockConfiguration:
		return s.putObjectLockConfig(rq)
	case OpGetObjectRetention:
		return s.getObjectRetention(rq)
	case OpPutObjectRetention:
		return s.putObjectRetention(rq)
	case OpGetObjectLegalHold:
		return s.getObjectLegalHold(rq)
	case OpPutObjectLegalHold:
		return s.putObjectLegalHold(rq)
	case OpGetBucketLifecycle:
		return s.getBucketLifecycle(rq)
	case OpPutBucketLifecycle:
		return s.putBucketLifecycle(rq)
	case OpDeleteBucketLifecycle:
		return s.deleteBucketLifecycle(rq)
	}
	return nil, s3errf(ErrNotImplemented, "%s is not implemented.", rq.op.Kind)
}

// versioningConfiguration is PutBucketVersioning's body.
type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Status    *string  `xml:"Status"`
	MfaDelete *string  `xml:"MfaDelete"`
}

// parseVersioningConfig returns the status a PutBucketVersioning body asks
// for ("" = leave unchanged). Status must be Enabled or Suspended
// (MalformedXML otherwise); MFA delete cannot be enabled (NotImplemented:
// Cairn has no MFA devices), "Disabled" is accepted.
func parseVersioningConfig(body []byte) (string, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return "", s3err(ErrMalformedXML)
	}
	var c versioningConfiguration
	if err := decodeXMLStrict(body, &c); err != nil {
		return "", err
	}
	if c.MfaDelete != nil {
		switch strings.TrimSpace(*c.MfaDelete) {
		case "Disabled":
		case "Enabled":
			return "", s3errf(ErrNotImplemented, "MFA delete is not implemented.")
		default:
			return "", s3err(ErrMalformedXML)
		}
	}
	if c.Status == nil {
		return "", nil
	}
	switch st := strings.TrimSpace(*c.Status); st {
	case meta.VersioningEnabled, meta.VersioningSuspended:
		return st, nil
	default:
		return "", s3err(ErrMalformedXML)
	}
}

func (s *Server) putBucketVersioning(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	if rq.hdr.has("x-amz-mfa") {
		return nil, s3errf(ErrNotImplemented, "MFA delete is not implemented.")
	}
	body, err := rq.readBody(maxConfigBody)
	if err != nil {
		return nil, err
	}
	status, err := parseVersioningConfig(body)
	if err != nil {
		return nil, err
	}
	if status == "" || status == b.Versioning {
		return ok200(), nil
	}
	if b.ObjectLock && status != meta.VersioningEnabled {
		return nil, s3errf(ErrInvalidBucketState, "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
	}
	if err := s.deps.Buckets.PutBucketVersioning(rq.ctx, b.Name, status); err != nil {
		return nil, err
	}
	return ok200(), nil
}

func (s *Server) getBucketVersioning(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	w := newXMLWriter(160)
	w.openNS("VersioningConfiguration", s3NS)
	// A bucket never versioned answers an empty configuration, as AWS does.
	if b.Versioning != "" {
		w.elem("Status", b.Versioning)
	}
	w.close("VersioningConfiguration")
	return xmlResponse(http.StatusOK, w.bytes()), nil
}

// putVersioned reports whether a write to b creates a new version (Enabled);
// otherwise it replaces the null version (never versioned, or Suspended).
func putVersioned(b meta.Bucket) bool { return b.Versioning == meta.VersioningEnabled }

// setBucketVersionHeader adds x-amz-version-id for a version of bucket b:
// the null version's "null" is shown only in a bucket that has versioning
// (Enabled or Suspended), as S3 does.
func setBucketVersionHeader(r *response, b meta.Bucket, info data.ObjectInfo) {
	v := info.VersionID
	if v == "" || v == "null" && b.Versioning == "" {
		return
	}
	r.set("x-amz-version-id", v)
}

// deleteOptions is how a DELETE of key (version vid, "" = latest) in b
// behaves: a delete marker in an Enabled bucket, a null marker replacing
// the null version in a Suspended one, and object lock guarding whatever
// version would be removed.
func (s *Server) deleteOptions(rq *request, b meta.Bucket, key, vid string) data.DeleteOptions {
	o := data.DeleteOptions{VersionID: vid}
	if vid == "" {
		switch b.Versioning {
		case meta.VersioningEnabled:
			o.Versioned = true
		case meta.VersioningSuspended:
			o.Suspended = true
		}
	}
	if b.ObjectLock {
		o.Guard = s.lockGuard(rq, key)
	}
	return o
}

// setDeleteHeaders adds DeleteObject's x-amz-delete-marker and
// x-amz-version-id: the addressed version (echoed, as S3 does even when
// it did not exist), else the marker the delete created.
func setDeleteHeaders(r *response, b meta.Bucket, vid string, info data.ObjectInfo) {
	if info.DeleteMarker {
		r.set("x-amz-delete-marker", "true")
	}
	if vid != "" {
		r.set("x-amz-version-id", vid)
		return
	}
	setBucketVersionHeader(r, b, info)
}

// latestDeleteMarker returns the marker's record when the latest version
// of key is a delete marker (for GET's 404 headers); ok is false otherwise.
func (s *Server) latestDeleteMarker(rq *request, b meta.Bucket, key string) (data.ObjectInfo, bool) {
	if b.Versioning == "" {
		return data.ObjectInfo{}, false
	}
	info, err := s.deps.Objects.StatObject(rq.ctx, b.Name, key, data.GetOptions{})
	if errors.Is(err, data.ErrObjectNotFound) && info.DeleteMarker {
		return info, true
	}
	return data.ObjectInfo{}, false
}

func (s *Server) listObjectVersions(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	lp := rq.op.List
	var res data.ListVersionsResult
	if lp.MaxKeys > 0 {
		// A key marker that is a common prefix resumes after its whole
		// sub-tree: the object layer knows (it has the delimiter).
		res, err = s.deps.Objects.ListObjectVersions(rq.ctx, b.Name, data.ListVersionsOptions{
			Prefix:          lp.Prefix,
			Delimiter:       lp.Delimiter,
			KeyMarker:       lp.Marker,
			VersionIDMarker: lp.VersionIDMarker,
			MaxKeys:         lp.MaxKeys,
		})
		if err != nil {
			return nil, err
		}
	}
	return xmlResponse(http.StatusOK, listVersionsXML(b, lp, res)), nil
}

// listVersionsXML writes a ListVersionsResult directly, like the object
// listings: Version and DeleteMarker elements in the order the object
// layer returns them (by key, newest first).
func listVersionsXML(b meta.Bucket, lp ListParams, res data.ListVersionsResult) []byte {
	enc := encoder(lp.URLEncode)
	w := newXMLWriter(512 + 400*len(res.Versions) + 96*len(res.CommonPrefixes))
	w.openNS("ListVersionsResult", s3NS)
	w.elem("Name", b.Name)
	w.elem("Prefix", enc(lp.Prefix))
	w.elem("KeyMarker", enc(lp.Marker))
	w.elem("VersionIdMarker", lp.VersionIDMarker)
	if res.IsTruncated {
		w.elem("NextKeyMarker", enc(res.NextKeyMarker))
		if res.NextVersionIDMarker != "" {
			w.elem("NextVersionIdMarker", res.NextVersionIDMarker)
		}
	}
	w.elemInt("MaxKeys", int64(lp.MaxKeys))
	if lp.Delimiter != "" {
		w.elem("Delimiter", enc(lp.Delimiter))
	}
	if lp.URLEncode {
		w.elem("EncodingType", "url")
	}
	w.elemBool("IsTruncated", res.IsTruncated)
	for i := range res.Versions {
		v := &res.Versions[i]
		vid := v.VersionID
		if vid == "" {
			vid = "null"
		}
		if v.DeleteMarker {
			w.open("DeleteMarker")
			w.elem("Key", enc(v.Key))
			w.elem("VersionId", vid)
			w.elemBool("IsLatest", v.IsLatest)
			w.elemTime("LastModified", v.ModTime)
			writeVersionOwner(w, b, v.Owner)
			w.close("DeleteMarker")
			continue
		}
		w.open("Version")
		w.elem("Key", enc(v.Key))
		w.elem("VersionId", vid)
		w.elemBool("IsLatest", v.IsLatest)
		w.elemTime("LastModified", v.ModTime)
		w.elem("ETag", quoteETag(v.ETag))
		for _, a := range sortedKeys(v.Checksums) {
			w.elem("ChecksumAlgorithm", a)
		}
		w.elemInt("Size", v.Size)
		w.elem("StorageClass", "STANDARD")
		writeVersionOwner(w, b, v.Owner)
		w.close("Version")
	}
	writePrefixes(w, res.CommonPrefixes, enc)
	w.close("ListVersionsResult")
	return w.bytes()
}

// writeVersionOwner writes an Owner element; the display name is known only for
// the bucket owner (the index records canonical IDs).
func writeVersionOwner(w *xmlWriter, b meta.Bucket, id string) {
	if id == "" {
		id = b.Owner
	}
	w.open("Owner")
	w.elem("ID", id)
	if id == b.Owner {
		w.elem("DisplayName", b.OwnerName)
	}
	w.close("Owner")
}
