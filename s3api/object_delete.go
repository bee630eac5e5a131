package s3api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

// deleteParallelism bounds concurrent deletes of one DeleteObjects call.
const deleteParallelism = 8

func (s *Server) deleteObject(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	info, err := s.deps.Objects.DeleteObject(rq.ctx, b.Name, rq.op.Key, s.deleteOptions(rq, b, rq.op.Key, rq.op.VersionID))
	// S3 deletes are idempotent: deleting what is not there succeeds.
	if err != nil && !notFound(err) {
		return nil, err
	}
	r := newResponse(http.StatusNoContent)
	setDeleteHeaders(r, b, rq.op.VersionID, info)
	return r, nil
}

func notFound(err error) bool {
	return errors.Is(err, data.ErrObjectNotFound) || errors.Is(err, data.ErrVersionNotFound)
}

// deleteOutcome is the result of deleting one key of a DeleteObjects call.
type deleteOutcome struct {
	target deleteTarget
	info   data.ObjectInfo
	err    *Error
}

func (s *Server) deleteObjects(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	// AWS requires Content-MD5 or an x-amz-checksum on DeleteObjects. Cairn
	// accepts either, and also a body whose SHA-256 is signed: each
	// protects the list of keys about to be deleted.
	if !hasBodyIntegrity(rq) {
		return nil, s3errf(ErrInvalidRequest, "Missing required header for this request: Content-MD5 or x-amz-checksum-*")
	}
	body, err := rq.readBody(maxDeleteBody)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 {
		return nil, s3err(ErrMissingRequestBody)
	}
	targets, quiet, err := parseDeleteObjects(body)
	if err != nil {
		return nil, err
	}

	// Whether each key's tags are read for s3:ExistingObjectTag/<k> is
	// decided once, for the caller (authz_tags.go).
	tags := s.needsExistingTags(rq)
	out := make([]deleteOutcome, len(targets))
	sem := make(chan struct{}, deleteParallelism)
	var wg sync.WaitGroup
	for i, t := range targets {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() {
				// A panic here would take the process down: report it as
				// this key's InternalError instead.
				if p := recover(); p != nil {
					s.log.Error("s3 delete panic", "request_id", rq.id, "key", t.Key, "panic", fmt.Sprint(p))
					out[i] = deleteOutcome{target: t, err: s3err(ErrInternalError)}
				}
				<-sem
				wg.Done()
			}()
			out[i] = s.deleteOne(rq, b, t, tags)
		}()
	}
	wg.Wait()

	w := newXMLWriter(128 + 96*len(out))
	w.openNS("DeleteResult", s3NS)
	for _, o := range out {
		if o.err != nil {
			w.open("Error")
			w.elem("Key", o.target.Key)
			if o.target.VersionID != "" {
				w.elem("VersionId", o.target.VersionID)
			}
			w.elem("Code", o.err.Code.spec().Code)
			w.elem("Message", o.err.message())
			w.close("Error")
			continue
		}
		if quiet {
			continue
		}
		w.open("Deleted")
		w.elem("Key", o.target.Key)
		if o.target.VersionID != "" {
			w.elem("VersionId", o.target.VersionID)
		}
		if o.info.DeleteMarker {
			w.elemBool("DeleteMarker", true)
			if v := o.info.VersionID; v != "" {
				w.elem("DeleteMarkerVersionId", v)
			}
		}
		w.close("Deleted")
	}
	w.close("DeleteResult")
	return xmlResponse(http.StatusOK, w.bytes()), nil
}

// deleteOne deletes one key of a DeleteObjects call, authorizing
// s3:DeleteObject (s3:DeleteObjectVersion for a version) on that key as
// AWS does, with that key's s3:VersionId and, when tags is set, its
// version's tags as s3:ExistingObjectTag/<k>.
func (s *Server) deleteOne(rq *request, b meta.Bucket, t deleteTarget, tags bool) deleteOutcome {
	o := deleteOutcome{target: t}
	if err := checkKey(t.Key); err != nil {
		o.err = toS3Error(err)
		return o
	}
	rq, err := s.keyRequest(rq, t.Key, t.VersionID, tags)
	if err != nil {
		o.err = toS3Error(err)
		return o
	}
	action := opTable[OpDeleteObject].Action
	if t.VersionID != "" {
		action = opTable[OpDeleteObject].VersionAction
	}
	if err := s.authorize(rq, action, t.Key); err != nil {
		o.err = toS3Error(err)
		return o
	}
	info, err := s.deps.Objects.DeleteObject(rq.ctx, rq.op.Bucket, t.Key, s.deleteOptions(rq, b, t.Key, t.VersionID))
	if err != nil && !notFound(err) {
		o.err = toS3Error(err)
		if o.err.Status() >= 500 {
			s.log.Error("s3 delete failed", "request_id", rq.id, "bucket", rq.op.Bucket, "key", t.Key, "err", err.Error())
		}
		return o
	}
	o.info = info
	return o
}

// hasBodyIntegrity reports whether the request body is protected by a
// digest the payload verifies: Content-MD5, an x-amz-checksum header or
// trailer, or a signed SHA-256.
func hasBodyIntegrity(rq *request) bool {
	if rq.hdr.has("content-md5") || rq.hdr.has("x-amz-trailer") {
		return true
	}
	for _, kv := range rq.hdr.kv {
		if strings.HasPrefix(kv.lower, "x-amz-checksum-") {
			return true
		}
	}
	switch rq.auth.Payload {
	case sigv4.PayloadSigned, sigv4.PayloadStreamingSigned, sigv4.PayloadStreamingSignedTrailer:
		return !rq.auth.Anonymous
	}
	return false
}
