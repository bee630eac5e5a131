package s3api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

// maxDrain is how much unread request body the server reads and discards
// to keep a connection usable; with more left it closes the connection.
const maxDrain = 256 << 10

// handle is the one wrapper every request goes through: it parses,
// authenticates and authorizes the request, runs the handler, writes the
// response value, and logs and counts the outcome.
func (s *Server) handle(fctx *fasthttp.RequestCtx) {
	start := time.Now()
	if dc, ok := fctx.Conn().(headerTimed); ok {
		dc.headerDone()
	}
	s.stats.inFlight.Add(1)
	ctx, cancel := context.WithCancel(s.base)
	rq := &request{
		ctx:           ctx,
		id:            s.nextRequestID(),
		method:        string(fctx.Method()),
		now:           s.now(),
		contentLength: fctx.Request.Header.ContentLength(),
		remoteIP:      fctx.RemoteIP(),
		tls:           fctx.IsTLS(),
	}
	rq.rawPath, rq.rawQuery = splitRequestURI(string(fctx.Request.Header.RequestURI()))
	rq.hdr = collectHeaders(&fctx.Request.Header)
	var raw io.Reader = http.NoBody
	if fctx.Request.IsBodyStream() {
		raw = fctx.RequestBodyStream()
	} else if b := fctx.Request.Body(); len(b) > 0 {
		raw = bytesReader(b)
	}
	rq.body = &countingReader{r: raw}

	resp, err := s.serve(rq)
	var s3e *Error
	if err != nil {
		s3e = toS3Error(err)
		resp = s.errorResponse(rq, s3e)
	}
	s.addCORSHeaders(rq, resp)
	s.settleBody(fctx, rq)
	s.write(fctx, rq, resp, s3e, start, cancel)
}

// serve runs the request pipeline up to the handler's response value.
func (s *Server) serve(rq *request) (resp *response, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("s3 handler panic", "request_id", rq.id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp, err = nil, &Error{Code: ErrInternalError, Err: fmt.Errorf("panic: %v", p)}
		}
	}()
	if s.isQueryRequest(rq) {
		return s.serveQuery(rq)
	}
	op, err := s.router.parseRequest(rq.method, rq.rawPath, rq.rawQuery, rq.hdr.get)
	if err != nil {
		return nil, err
	}
	rq.op = op
	spec := op.Kind.spec()
	if spec.Resource == resNone {
		return s.health(rq)
	}
	switch spec.Resource {
	case resPreflight:
		return s.preflight(rq)
	case resPostForm:
		return s.postObject(rq)
	}
	auth, err := s.deps.Verifier.Verify(&sigv4.Request{
		Method:     rq.method,
		RawPath:    rq.rawPath,
		RawQuery:   rq.rawQuery,
		Header:     rq.hdr.get,
		EachHeader: rq.hdr.each,
	})
	if err != nil {
		return nil, err
	}
	rq.auth = auth
	if !auth.Anonymous {
		// A signature for IAM or STS is not a signature for S3.
		if auth.Service != "s3" {
			code := ErrAuthorizationHeaderMalformed
			if auth.Presigned {
				code = ErrAuthorizationQueryParametersError
			}
			return nil, s3errf(code, "The credential is scoped to the service %q; expected \"s3\".", auth.Service)
		}
		rq.ident = auth.Credential.Identity
	}
	if op.Bucket != "" {
		rq.bucket, rq.bucketOK = s.deps.Buckets.Bucket(op.Bucket)
		if err := s.loadAccess(rq); err != nil {
			return nil, err
		}
	}
	// The authorization context is built here, on the request's own
	// goroutine: handlers that authorize objects concurrently
	// (DeleteObjects) then only read it.
	s.conditions(rq)
	if err := s.addExistingObjectTags(rq); err != nil {
		return nil, err
	}
	if spec.Resource != resEachObject {
		if err := s.authorize(rq, spec.action(&op), op.Key); err != nil {
			return nil, err
		}
	}
	return s.dispatch(rq)
}

func (s *Server) dispatch(rq *request) (*response, error) {
	switch rq.op.Kind {
	case OpListBuckets:
		return s.listBuckets(rq)
	case OpCreateBucket:
		return s.createBucket(rq)
	case OpHeadBucket:
		return s.headBucket(rq)
	case OpDeleteBucket:
		return s.deleteBucket(rq)
	case OpGetBucketLocation:
		return s.getBucketLocation(rq)
	case OpListObjects, OpListObjectsV2:
		return s.listObjects(rq)
	case OpDeleteObjects:
		return s.deleteObjects(rq)
	case OpPutObject:
		return s.putObject(rq)
	case OpGetObject, OpHeadObject:
		return s.getObject(rq)
	case OpDeleteObject:
		return s.deleteObject(rq)
	case OpGetBucketVersioning, OpPutBucketVersioning, OpListObjectVersions,
		OpGetBucketTagging, OpPutBucketTagging, OpDeleteBucketTagging,
		OpGetObjectTagging, OpPutObjectTagging, OpDeleteObjectTagging,
		OpGetObjectLockConfiguration, OpPutObjectLockConfiguration,
		OpGetObjectRetention, OpPutObjectRetention, OpGetObjectLegalHold, OpPutObjectLegalHold,
		OpGetBucketLifecycle, OpPutBucketLifecycle, OpDeleteBucketLifecycle:
		return s.dispatchVersioningAndConfig(rq)
	case OpCreateMultipartUpload, OpUploadPart, OpUploadPartCopy, OpCompleteMultipartUpload,
		OpAbortMultipartUpload, OpListParts, OpListMultipartUploads, OpCopyObject, OpGetObjectAttributes:
		return s.dispatchMultipartAndCopy(rq)
	case OpGetBucketCors, OpPutBucketCors, OpDeleteBucketCors:
		return s.dispatchCORS(rq)
	case OpGetBucketPolicy, OpPutBucketPolicy, OpDeleteBucketPolicy, OpGetBucketPolicyStatus,
		OpGetPublicAccessBlock, OpPutPublicAccessBlock, OpDeletePublicAccessBlock,
		OpGetBucketOwnershipControls, OpPutBucketOwnershipControls, OpDeleteBucketOwnershipControls,
		OpGetBucketAcl, OpPutBucketAcl, OpGetObjectAcl, OpPutObjectAcl:
		return s.dispatchAccess(rq)
	}
	return nil, s3errf(ErrNotImplemented, "%s is not implemented.", rq.op.Kind)
}

// authorize asks the authorizer about action on the request's bucket and
// key (with the request's context and the bucket's resource context,
// authz.go, authz_resource.go; key's version is the request's versionId);
// a denial is AccessDenied, its explanation (what decided: source, policy
// and statement) logged at debug level only.
func (s *Server) authorize(rq *request, action, key string) error {
	d, err := s.decide(rq, s.authzRequest(rq, action, key), objectTarget{bucket: rq.op.Bucket, key: key, versionID: rq.op.VersionID})
	if err != nil {
		return err
	}
	if d.Allowed {
		return nil
	}
	s.logDenied(rq, action, rq.op.Bucket, key, d)
	return &Error{Code: ErrAccessDenied, Err: fmt.Errorf("%w: %s", errAuthzDenied, d.Reason)}
}

// logDenied logs a denial at debug level with what decided it.
func (s *Server) logDenied(rq *request, action, bucket, key string, d iam.Decision) {
	s.log.Debug("s3 access denied", "request_id", rq.id, "action", action,
		"bucket", bucket, "key", key, "principal", rq.ident.Name, "kind", rq.ident.Kind.String(),
		"source", d.Source, "policy", d.Policy, "statement", d.Statement, "reason", d.Reason)
}

// openPayload wraps the request body in the verified payload: reads fail
// with a sigv4 error when a signature, digest or checksum does not verify.
func (rq *request) openPayload() (*sigv4.Payload, error) {
	return rq.auth.NewPayload(rq.body, rq.hdr.get)
}

// openSizedPayload opens the body of a write whose size must be known up
// front — Content-Length, or x-amz-decoded-content-length when the body is
// aws-chunked — and at most max bytes (what names the limit in the
// EntityTooLarge message: "object" or "part").
func (rq *request) openSizedPayload(max int64, what string) (*sigv4.Payload, int64, error) {
	if !rq.chunked() && !rq.hdr.has("content-length") {
		return nil, 0, s3err(ErrMissingContentLength)
	}
	p, err := rq.openPayload()
	if err != nil {
		return nil, 0, err
	}
	size := p.Size()
	if size < 0 {
		return nil, 0, s3err(ErrMissingContentLength)
	}
	if size > max {
		return nil, 0, s3errf(ErrEntityTooLarge, "Your proposed upload exceeds the maximum allowed %s size of %d bytes.", what, max)
	}
	return p, size, nil
}

// errorResponse turns an S3 error into its response value. HEAD errors
// carry no body.
func (s *Server) errorResponse(rq *request, e *Error) *response {
	if rq.api != apiS3 {
		return s.queryErrorResponse(rq, e)
	}
	r := newResponse(e.Status())
	r.header = append(r.header, e.Header...)
	if rq.method == http.MethodHead {
		return r
	}
	extra := e.Extra
	switch e.Code {
	case ErrNoSuchBucket, ErrBucketNotEmpty, ErrBucketAlreadyExists, ErrBucketAlreadyOwnedByYou:
		extra = appendField(extra, "BucketName", rq.op.Bucket)
	case ErrNoSuchKey:
		extra = appendField(extra, "Key", rq.op.Key)
	}
	ec := *e
	ec.Extra = extra
	r.contentType = "application/xml"
	r.body = errorBody(&ec, rq.rawPath, rq.id, s.hostID2(rq.id))
	return r
}

func appendField(fs []xmlField, name, value string) []xmlField {
	for _, f := range fs {
		if f.Name == name {
			return fs
		}
	}
	return append(fs[:len(fs):len(fs)], xmlField{name, value})
}

// settleBody keeps the connection in sync when a handler did not read the
// whole request body: a small remainder is drained, a large or unknown one
// closes the connection after the response.
func (s *Server) settleBody(fctx *fasthttp.RequestCtx, rq *request) {
	cr := rq.body
	if cr.eof || rq.noBody() {
		return
	}
	if rq.chunked() || int64(rq.contentLength)-cr.n > maxDrain {
		fctx.SetConnectionClose()
		return
	}
	if _, err := io.CopyN(io.Discard, cr, maxDrain+1); !errors.Is(err, io.EOF) {
		fctx.SetConnectionClose()
	}
}

// write serializes resp, then logs and counts the request (for a streamed
// body, once the stream has been sent).
func (s *Server) write(fctx *fasthttp.RequestCtx, rq *request, resp *response, s3e *Error, start time.Time, cancel context.CancelFunc) {
	h := &fctx.Response.Header
	h.Set("x-amz-request-id", rq.id)
	h.Set("x-amz-id-2", s.hostID2(rq.id))
	for _, kv := range resp.header {
		h.Set(kv.name, kv.value)
	}
	if resp.contentType != "" {
		h.SetContentType(resp.contentType)
	}
	fctx.SetStatusCode(resp.status)
	finish := func(out int64, streamErr error) {
		cancel()
		s.stats.inFlight.Add(-1)
		in := rq.body.n
		s.stats.record(rq.op.Kind, resp.status, in, out)
		s.logRequest(fctx, rq, resp.status, s3e, in, out, time.Since(start), streamErr)
	}
	switch {
	case resp.stream != nil:
		fctx.SetBodyStream(&meteredBody{r: resp.stream, done: finish}, int(resp.streamLen))
		return
	case rq.method == http.MethodHead:
		if resp.length >= 0 {
			h.SetContentLength(int(resp.length))
		}
		finish(0, nil)
	default:
		fctx.SetBody(resp.body)
		finish(int64(len(resp.body)), nil)
	}
}

func (s *Server) logRequest(fctx *fasthttp.RequestCtx, rq *request, status int, s3e *Error, in, out int64, d time.Duration, streamErr error) {
	level := slog.LevelInfo
	if rq.op.Kind == OpHealthLive || rq.op.Kind == OpHealthReady {
		level = slog.LevelDebug // probes would drown the access log
	}
	attrs := make([]slog.Attr, 0, 16)
	attrs = append(attrs,
		slog.String("request_id", rq.id),
		slog.String("method", rq.method),
		slog.String("op", rq.op.Kind.String()),
		slog.String("bucket", rq.op.Bucket),
		slog.String("key", rq.op.Key),
		slog.Int("status", status),
		slog.Int64("bytes_in", in),
		slog.Int64("bytes_out", out),
		slog.Duration("duration", d),
		slog.String("remote", fctx.RemoteAddr().String()),
	)
	// Only the access key identifies the principal in logs: never the
	// secret, the session token or a signature.
	if rq.auth != nil && !rq.auth.Anonymous {
		attrs = append(attrs, slog.String("access_key", rq.auth.Credential.AccessKey))
	}
	if rq.action != "" {
		attrs = append(attrs, slog.String("action", rq.action))
	}
	if s3e != nil {
		attrs = append(attrs, slog.String("code", s3e.Code.spec().Code))
		if status >= 500 && status != http.StatusNotImplemented {
			level = slog.LevelError
			attrs = append(attrs, slog.String("err", s3e.Error()))
		}
	}
	if streamErr != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("stream_err", streamErr.Error()))
	}
	s.log.LogAttrs(context.Background(), level, "s3 request", attrs...)
}

// meteredBody counts a streamed response body and reports when fasthttp
// closes it, i.e. once the response has been sent (or abandoned).
type meteredBody struct {
	r    io.ReadCloser
	n    int64
	err  error
	done func(n int64, err error)
	once sync.Once
}

func (m *meteredBody) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		m.err = err
	}
	return n, err
}

func (m *meteredBody) Close() error {
	err := m.r.Close()
	m.once.Do(func() { m.done(m.n, m.err) })
	return err
}

// health answers GET /health/live and /health/ready.
func (s *Server) health(rq *request) (*response, error) {
	check := s.deps.Health.Live
	if rq.op.Kind == OpHealthReady {
		check = s.deps.Health.Ready
	}
	r := ok200()
	r.contentType = "text/plain; charset=utf-8"
	if err := check(); err != nil {
		r.status = http.StatusServiceUnavailable
		r.body = []byte(shortReason(err.Error()) + "\n")
		return r, nil
	}
	r.body = []byte("OK\n")
	return r, nil
}

// shortReason keeps a health reason to one short line.
func shortReason(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			s = s[:i]
			break
		}
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
