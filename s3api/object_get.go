package s3api

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/data"
)

// defaultContentType is what S3 reports for an object stored without one.
const defaultContentType = "binary/octet-stream"

// storedHeaders are the standard headers kept with an object, in the case
// S3 sends them back.
var storedHeaders = [...]string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires"}

// getObject serves GetObject and HeadObject: same lookup, conditionals,
// range and headers; HEAD sends no body.
func (s *Server) getObject(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	if rq.op.HasOverrides && rq.auth.Anonymous {
		return nil, s3errf(ErrInvalidRequest, "Request specific response headers cannot be used for anonymous GET requests.")
	}
	head := rq.op.Kind == OpHeadObject
	opts := data.GetOptions{VersionID: rq.op.VersionID}
	var (
		obj  data.Object
		info data.ObjectInfo
	)
	if head {
		info, err = s.deps.Objects.StatObject(rq.ctx, b.Name, rq.op.Key, opts)
	} else if obj, err = s.deps.Objects.OpenObject(rq.ctx, b.Name, rq.op.Key, opts); err == nil {
		info = obj.Info()
	}
	if !head && rq.op.VersionID == "" && errors.Is(err, data.ErrObjectNotFound) {
		// OpenObject returns no record with its not-found: learn whether
		// a delete marker is the latest version, for the 404's headers.
		if m, ok := s.latestDeleteMarker(rq, b, rq.op.Key); ok {
			info = m
		}
	}
	// The object layer reports a delete marker as ErrDeleteMarker (addressed
	// by version ID) or ErrObjectNotFound (latest version), with the
	// marker's record where it has one (StatObject).
	if errors.Is(err, data.ErrDeleteMarker) || (err == nil || errors.Is(err, data.ErrObjectNotFound)) && info.DeleteMarker {
		return nil, deleteMarkerError(rq, info, err)
	}
	if err != nil {
		return nil, err
	}

	notModified, err := checkPreconditions(rq.hdr, info.ETag, info.ModTime)
	if err != nil {
		return nil, err
	}
	if notModified {
		r := newResponse(http.StatusNotModified)
		r.set("Last-Modified", httpTime(info))
		r.set("ETag", quoteETag(info.ETag))
		setBucketVersionHeader(r, b, info)
		return r, nil
	}

	// A Range header, or one part (?partNumber=N, multipart.go).
	rng, partial, err := objectRange(rq, info)
	if err != nil {
		return nil, err
	}
	if !partial {
		rng = byteRange{Start: 0, Length: info.Size}
	}
	r := newResponse(http.StatusOK)
	r.set("Last-Modified", httpTime(info))
	r.set("ETag", quoteETag(info.ETag))
	r.set("Accept-Ranges", "bytes")
	setObjectHeaders(r, info)
	setBucketVersionHeader(r, b, info)
	s.setLockHeaders(rq, b, r, info)
	if partial {
		r.status = http.StatusPartialContent
		r.set("Content-Range", rng.contentRange(info.Size))
	} else if strings.EqualFold(rq.hdr.get("x-amz-checksum-mode"), "ENABLED") {
		// A checksum describes the whole object: never sent with a range.
		setChecksumHeaders(r, info.Checksums)
	}
	s.setPartAndTagHeaders(rq, r, info)
	applyOverrides(r, rq.op)

	if head {
		r.length = rng.Length
		return r, nil
	}
	body, err := obj.Range(rq.ctx, rng.Start, rng.Length)
	if err != nil {
		return nil, err
	}
	r.stream, r.streamLen = body, rng.Length
	return r, nil
}

// deleteMarkerError is the answer to reading a delete marker: NoSuchKey
// for the latest version, MethodNotAllowed when the marker was addressed
// by version ID (as S3 does). Both say x-amz-delete-marker: true.
func deleteMarkerError(rq *request, info data.ObjectInfo, cause error) *Error {
	e := &Error{Code: ErrNoSuchKey, Err: cause}
	if rq.op.VersionID != "" || errors.Is(cause, data.ErrDeleteMarker) {
		e.Code = ErrMethodNotAllowed
		e.withHeader("Allow", "DELETE")
	}
	e.withHeader("x-amz-delete-marker", "true")
	// A suspended bucket's null marker is reported as version "null".
	if v := info.VersionID; v != "" {
		e.withHeader("x-amz-version-id", v)
	}
	return e
}

func httpTime(info data.ObjectInfo) string {
	return info.ModTime.UTC().Format(http.TimeFormat)
}

// setObjectHeaders adds the stored Content-Type, standard headers (in S3's
// case) and user metadata (in the case it was stored).
func setObjectHeaders(r *response, info data.ObjectInfo) {
	r.contentType = defaultContentType
	meta := make([]string, 0, len(info.Headers))
	for k, v := range info.Headers {
		switch lk := strings.ToLower(k); {
		case lk == "content-type":
			if v != "" {
				r.contentType = v
			}
		case strings.HasPrefix(lk, "x-amz-meta-"):
			meta = append(meta, k)
		}
	}
	for _, name := range storedHeaders {
		if v := headerFold(info.Headers, name); v != "" {
			r.set(name, v)
		}
	}
	sort.Strings(meta)
	for _, k := range meta {
		r.set(k, info.Headers[k])
	}
	// The writer's POSIX identity, for tools that map objects to files.
	if info.PosixUID != nil {
		r.set("x-cairn-posix-uid", strconv.FormatUint(uint64(*info.PosixUID), 10))
	}
	if info.PosixGID != nil {
		r.set("x-cairn-posix-gid", strconv.FormatUint(uint64(*info.PosixGID), 10))
	}
}

// headerFold looks a header up in a stored map whatever case it was stored in.
func headerFold(m map[string]string, name string) string {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// setChecksumHeaders adds x-amz-checksum-<algorithm> for each checksum.
func setChecksumHeaders(r *response, sums map[string]string) {
	algs := make([]string, 0, len(sums))
	for alg := range sums {
		algs = append(algs, alg)
	}
	sort.Strings(algs)
	for _, alg := range algs {
		r.set("x-amz-checksum-"+strings.ToLower(alg), sums[alg])
	}
}

// applyOverrides replaces response headers with response-* parameters.
func applyOverrides(r *response, op Operation) {
	if !op.HasOverrides {
		return
	}
	for i, o := range responseOverrides {
		v := op.Overrides[i]
		if v == "" {
			continue
		}
		if o.Header == "Content-Type" {
			r.contentType = v
			continue
		}
		out := r.header[:0]
		for _, kv := range r.header {
			if kv.name != o.Header {
				out = append(out, kv)
			}
		}
		r.header = append(out, headerKV{name: o.Header, value: v})
	}
}
