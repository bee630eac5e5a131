package s3api

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

// POST Object: browser uploads with an HTML form (multipart/form-data) to
// the bucket's URL. The form's fields authenticate (SigV4 form signature
// over the policy), constrain (the policy's conditions) and describe
// (key, Content-Type, x-amz-meta-*, tagging, ...) the upload; the "file"
// field carries the object and should come last (later fields are
// ignored).
//
// The object layer needs the size before the body, so the file is
// streamed with a size derived from Content-Length: the request must end
// with the file and the closing delimiter ("\r\n--boundary--\r\n", as
// browsers, curl and SDK helpers write it). Forms of at most
// postMemoryLimit bytes are instead read whole, so fields after the file
// (a named submit button) work there; a larger form whose file is not last
// fails with MalformedPOSTRequest before anything is stored.

// postMemoryLimit is the largest request whose file is read into memory.
const postMemoryLimit = 1 << 20

// errFileNotLast: the file part was followed by more than the closing
// delimiter in a streamed upload.
var errFileNotLast = errors.New("s3api: the file field is not the last field of the form")

// postFieldsNotCovered are the form fields a policy need not mention.
func postFieldExempt(lower string) bool {
	switch lower {
	case "policy", "x-amz-signature", "file":
		return true
	}
	return strings.HasPrefix(lower, "x-ignore-")
}

// postFormFields adapts a postForm to the policy checker.
type postFormFields struct {
	f      *postForm
	bucket string
}

func (p postFormFields) value(lower string) string {
	if lower == "bucket" {
		return p.bucket
	}
	v, _ := p.f.get(lower)
	return v
}

func (p postFormFields) names() []string {
	var out []string
	for _, fl := range p.f.fields {
		if !postFieldExempt(strings.ToLower(fl.name)) {
			out = append(out, fl.name)
		}
	}
	return out
}

func (s *Server) postObject(rq *request) (*response, error) {
	b, ok := s.deps.Buckets.Bucket(rq.op.Bucket)
	if !ok {
		return nil, s3err(ErrNoSuchBucket).with("BucketName", rq.op.Bucket)
	}
	rq.bucket, rq.bucketOK = b, true
	boundary, ok := formBoundary(rq.hdr.get("content-type"))
	if !ok {
		return nil, s3errf(ErrMalformedPOSTRequest, "The body of your POST request is not well-formed multipart/form-data.")
	}
	if rq.contentLength < 0 && !rq.chunked() {
		return nil, s3err(ErrMissingContentLength)
	}
	fr := newFormReader(rq.body, boundary)
	form, err := fr.readFields()
	if err != nil {
		return nil, postFormError(err)
	}
	if err := s.authenticatePost(rq, form); err != nil {
		return nil, err
	}
	// The bucket's policy and ACLs decide too: an anonymous form is
	// allowed when they grant s3:PutObject to everyone.
	if err := s.loadAccess(rq); err != nil {
		return nil, err
	}
	key, err := postKey(form)
	if err != nil {
		return nil, err
	}
	rq.op.Key = key
	var policy *postPolicy
	if p, ok := form.get("policy"); ok {
		pp, err := parsePostPolicy(p)
		if err != nil {
			return nil, err
		}
		if err := pp.checkFields(postFormFields{f: form, bucket: b.Name}, rq.now); err != nil {
			return nil, err
		}
		policy = &pp
	}
	if err := s.authorize(rq, "s3:PutObject", key); err != nil {
		return nil, err
	}
	opts, err := s.postPutOptions(rq, b, form)
	if err != nil {
		return nil, err
	}

	body, size, sealTail, err := s.postFileBody(rq, fr)
	if err != nil {
		return nil, err
	}
	if policy != nil {
		if err := policy.checkSize(size); err != nil {
			return nil, err
		}
	}
	if size > s.cfg.MaxObjectSize {
		return nil, s3errf(ErrEntityTooLarge, "Your proposed upload exceeds the maximum allowed object size of %d bytes.", s.cfg.MaxObjectSize)
	}
	h := md5.New()
	opts.Seal = func() (data.Sealed, error) {
		if err := sealTail(); err != nil {
			return data.Sealed{}, err
		}
		return data.Sealed{ETag: hex.EncodeToString(h.Sum(nil))}, nil
	}
	info, err := s.deps.Objects.PutObject(rq.ctx, b.Name, key, io.TeeReader(body, h), size, opts)
	if err != nil {
		if errors.Is(err, errFileNotLast) || errors.Is(err, errFormMalformed) {
			return nil, postFormError(err)
		}
		return nil, err
	}
	etag := info.ETag
	if etag == "" {
		etag = hex.EncodeToString(h.Sum(nil))
	}
	return s.postResponse(rq, b, form, key, etag, info), nil
}

// postFormError maps a form parsing failure to its S3 error.
func postFormError(err error) error {
	switch {
	case errors.Is(err, errPreDataTooBig):
		return &Error{Code: ErrMaxPostPreDataLengthExceeded, Err: err}
	case errors.Is(err, errNoFileField):
		return (&Error{Code: ErrIncorrectNumberOfFilesInPostRequest, Err: err}).with("ArgumentName", "file").with("ArgumentValue", "0")
	case errors.Is(err, errFileNotLast):
		return &Error{Code: ErrMalformedPOSTRequest, Err: err,
			Message: "The body of your POST request is not well-formed multipart/form-data: in a form larger than 1 MiB the file must be the last field."}
	}
	return &Error{Code: ErrMalformedPOSTRequest, Err: err}
}

// authenticatePost verifies the form's SigV4 signature (or makes the
// request anonymous when it carries none) and sets rq.auth and rq.ident.
func (s *Server) authenticatePost(rq *request, form *postForm) error {
	if _, ok := form.get("awsaccesskeyid"); ok {
		return s3errf(ErrUnsupportedSignature, "AWS Signature Version 2 POST forms are not supported, use Signature Version 4.")
	}
	sig, signed := form.get("x-amz-signature")
	if !signed {
		rq.auth = &sigv4.Auth{Anonymous: true, Payload: sigv4.PayloadUnsigned}
		s.conditions(rq)
		return nil
	}
	policy, ok := form.get("policy")
	if !ok {
		return s3errf(ErrInvalidArgument, "Bucket POST must contain a field named 'policy'. If it is specified, please check the order of the fields.").
			with("ArgumentName", "policy").with("ArgumentValue", "")
	}
	pf := sigv4.PostForm{Signature: sig, Policy: policy}
	pf.Algorithm, _ = form.get("x-amz-algorithm")
	pf.Credential, _ = form.get("x-amz-credential")
	pf.Date, _ = form.get("x-amz-date")
	pf.SecurityToken, _ = form.get("x-amz-security-token")
	auth, err := s.deps.Verifier.VerifyPostPolicy(pf)
	if err != nil {
		return err
	}
	if auth.Service != "s3" {
		return s3errf(ErrInvalidArgument, "The credential is scoped to the service %q; expected \"s3\".", auth.Service).
			with("ArgumentName", "x-amz-credential")
	}
	rq.auth, rq.ident = auth, auth.Credential.Identity
	s.conditions(rq)
	return nil
}

// postKey returns the key field with ${filename} replaced by the file's
// name.
func postKey(form *postForm) (string, error) {
	key, ok := form.get("key")
	if !ok || key == "" {
		return "", s3errf(ErrInvalidArgument, "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.").
			with("ArgumentName", "key").with("ArgumentValue", "")
	}
	name := form.fileName
	// Old browsers send a full client path; only its last element counts.
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	key = strings.ReplaceAll(key, "${filename}", name)
	if err := checkKey(key); err != nil {
		return "", err
	}
	return key, nil
}

// postHeaders turns the form fields into a header list, so the checks and
// collectors of PutObject apply unchanged: Content-Type, Cache-Control,
// x-amz-meta-*, x-amz-storage-class, object-lock fields, and "acl" as
// x-amz-acl.
func postHeaders(form *postForm) *headers {
	h := &headers{kv: make([]headerKV, 0, len(form.fields))}
	for _, f := range form.fields {
		lower := strings.ToLower(f.name)
		if postFieldExempt(lower) || lower == "key" || lower == "tagging" || strings.HasPrefix(lower, "success_action_") {
			continue
		}
		name := f.name
		if lower == "acl" {
			name, lower = "x-amz-acl", "x-amz-acl"
		}
		h.kv = append(h.kv, headerKV{name: name, lower: lower, value: f.value})
	}
	return h
}

// postPutOptions builds the write's options from the form.
func (s *Server) postPutOptions(rq *request, b meta.Bucket, form *postForm) (data.PutOptions, error) {
	fh := postHeaders(form)
	if err := checkPutHeaders(fh); err != nil {
		return data.PutOptions{}, err
	}
	hdrs, err := objectHeadersFromRequest(fh)
	if err != nil {
		return data.PutOptions{}, err
	}
	frq := *rq
	frq.hdr = fh
	vmeta, err := s.lockMetaFromHeaders(&frq, b)
	if err != nil {
		return data.PutOptions{}, err
	}
	if t, ok := form.get("tagging"); ok {
		if vmeta.Tags, err = parseTaggingXML([]byte(t), maxObjectTags); err != nil {
			return data.PutOptions{}, err
		}
	}
	// The form's "acl" field is x-amz-acl (acl_write.go).
	owner, acl, err := s.newVersionACL(rq, fh, b)
	if err != nil {
		return data.PutOptions{}, err
	}
	vmeta.ACL = acl
	return data.PutOptions{
		Headers: hdrs, Owner: owner, Meta: vmeta, Versioned: putVersioned(b),
		PosixUID: rq.ident.PosixUID, PosixGID: rq.ident.PosixGID,
	}, nil
}

// closingTail is what follows the file in a streamed form.
func closingTail(fr *formReader) int64 { return int64(len(fr.delim) + len("--\r\n")) }

// postFileBody returns the file content, its size, and the check Seal
// runs once the object layer has read it. A small form is read whole;
// otherwise the size is Content-Length minus what precedes the file and
// the closing tail, and the check verifies that the file ended exactly
// there.
func (s *Server) postFileBody(rq *request, fr *formReader) (io.Reader, int64, func() error, error) {
	fp := &filePart{fr: fr}
	if rq.chunked() || int64(rq.contentLength) <= postMemoryLimit {
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.LimitReader(fp, postMemoryLimit+1))
		if err != nil {
			return nil, 0, nil, postFormError(err)
		}
		if n > postMemoryLimit {
			return nil, 0, nil, s3errf(ErrMissingContentLength, "A POST upload larger than %d bytes needs a Content-Length.", postMemoryLimit)
		}
		return bytes.NewReader(buf.Bytes()), n, func() error { return nil }, nil
	}
	size := int64(rq.contentLength) - fr.consumed() - closingTail(fr)
	if size < 0 {
		return nil, 0, nil, postFormError(errFileNotLast)
	}
	lr := &io.LimitedReader{R: fp, N: size}
	sealTail := func() error {
		// The object layer read size bytes: the file must end here, with
		// the closing delimiter.
		if lr.N != 0 {
			return errors.Join(errFileNotLast, io.ErrUnexpectedEOF)
		}
		var one [1]byte
		if n, err := fp.Read(one[:]); n != 0 || !errors.Is(err, io.EOF) || !fp.closesForm() {
			return errFileNotLast
		}
		return nil
	}
	return &earlyEnd{lr: lr, fp: fp}, size, sealTail, nil
}

// earlyEnd turns a file that ends before its computed size (more fields
// follow it) into errFileNotLast instead of a short body.
type earlyEnd struct {
	lr *io.LimitedReader
	fp *filePart
}

func (e *earlyEnd) Read(p []byte) (int, error) {
	n, err := e.lr.Read(p)
	if errors.Is(err, io.EOF) && e.lr.N > 0 {
		return n, errFileNotLast
	}
	return n, err
}

// postResponse answers a stored upload: a 303 to success_action_redirect,
// else success_action_status 200, 201 (PostResponse XML) or 204.
func (s *Server) postResponse(rq *request, b meta.Bucket, form *postForm, key, etag string, info data.ObjectInfo) *response {
	location := s.objectURL(rq, b.Name, key)
	redirect, ok := form.get("success_action_redirect")
	if !ok {
		redirect, _ = form.get("redirect")
	}
	if u, err := url.Parse(redirect); redirect != "" && err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		q := "bucket=" + url.QueryEscape(b.Name) + "&key=" + url.QueryEscape(key) + "&etag=" + url.QueryEscape(quoteETag(etag))
		if u.RawQuery != "" {
			u.RawQuery += "&" + q
		} else {
			u.RawQuery = q
		}
		r := newResponse(http.StatusSeeOther)
		r.set("Location", u.String())
		r.set("ETag", quoteETag(etag))
		setBucketVersionHeader(r, b, info)
		return r
	}
	status, _ := form.get("success_action_status")
	var r *response
	switch status {
	case "200":
		r = newResponse(http.StatusOK)
	case "201":
		w := newXMLWriter(256)
		w.open("PostResponse")
		w.elem("Location", location)
		w.elem("Bucket", b.Name)
		w.elem("Key", key)
		w.elem("ETag", quoteETag(etag))
		w.close("PostResponse")
		r = xmlResponse(http.StatusCreated, w.bytes())
	default:
		r = newResponse(http.StatusNoContent)
	}
	r.set("ETag", quoteETag(etag))
	r.set("Location", location)
	setBucketVersionHeader(r, b, info)
	return r
}

// objectURL is the URL of an object as this request addressed the
// service: virtual-host style when it came that way.
func (s *Server) objectURL(rq *request, bucket, key string) string {
	scheme := "http"
	if rq.tls {
		scheme = "https"
	}
	host := rq.hdr.get("host")
	path := "/" + bucket + "/" + key
	if _, vhost := s.router.virtualHostBucket(host); vhost {
		path = "/" + key
	}
	return fmt.Sprintf("%s://%s%s", scheme, host, (&url.URL{Path: path}).EscapedPath())
}
