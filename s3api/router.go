package s3api

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxKeyLength is S3's limit on an object key, in bytes of UTF-8.
const maxKeyLength = 1024

// headerFunc returns a request header by lower-case name ("" if absent).
type headerFunc func(lowerName string) string

// router turns a raw request into an Operation. It holds only immutable
// configuration, so parseRequest is a pure function of its arguments.
type router struct {
	// domain enables virtual-host-style addressing: a request whose Host is
	// "<bucket>.<domain>" addresses that bucket. Empty: path style only.
	domain string
}

// unimplementedSubresource reports the S3 query parameters that select an
// API Cairn does not implement yet. A request carrying one is
// NotImplemented, never silently served as the plain method (a GET ?logging
// answered as ListObjects would be a wrong success). Implemented ones
// (location, delete, versionId, list-type, response-*) are routed below;
// any other parameter (x-id, ...) carries no meaning and is ignored.
func unimplementedSubresource(name string) bool {
	switch name {
	case "accelerate", "analytics", "encryption",
		"intelligent-tiering", "inventory", "logging",
		"metrics", "notification", "replication",
		"requestPayment", "restore", "select",
		"select-type", "session", "torrent",
		"website", "renameObject",
		"metadataConfiguration", "metadataTable", "Action":
		return true
	}
	return false
}

// parseRequest parses a request into an Operation before anything is read
// or authorized. rawPath and rawQuery are exactly as on the wire.
func (rt router) parseRequest(method, rawPath, rawQuery string, h headerFunc) (Operation, error) {
	q, err := parseQuery(rawQuery)
	if err != nil {
		return Operation{}, err
	}
	if _, vhost := rt.virtualHostBucket(h("host")); !vhost {
		if op, ok := healthOp(method, rawPath, q, h); ok {
			return op, nil
		}
	}
	bucket, key, err := rt.splitTarget(rawPath, h("host"))
	if err != nil {
		return Operation{}, err
	}
	op := Operation{Bucket: bucket, Key: key}
	for _, p := range q {
		if unimplementedSubresource(p.name) {
			return Operation{}, s3errf(ErrNotImplemented, "The %s sub-resource is not implemented.", p.name)
		}
	}
	if bucket != "" {
		if err := checkBucketName(bucket); err != nil {
			return Operation{}, err
		}
	}
	if key != "" {
		if err := checkKey(key); err != nil {
			return Operation{}, err
		}
	}

	switch {
	case method == "OPTIONS" && bucket != "":
		// CORS preflight of the bucket or object (cors_match.go).
		op.Kind = OpPreflight
	case bucket == "":
		err = rt.serviceOp(&op, method, q)
	case key == "":
		err = rt.bucketOp(&op, method, q, h)
	default:
		err = rt.objectOp(&op, method, q, h)
	}
	if err != nil {
		return Operation{}, err
	}
	return op, nil
}

// healthOp recognises the unauthenticated health checks: exactly
// GET /health/live and GET /health/ready, unsigned, path style. A signed
// request to the same path is an S3 request for bucket "health".
func healthOp(method, rawPath string, q query, h headerFunc) (Operation, bool) {
	if method != "GET" || h("authorization") != "" || q.has("X-Amz-Credential") || q.has("X-Amz-Signature") {
		return Operation{}, false
	}
	switch rawPath {
	case "/health/live":
		return Operation{Kind: OpHealthLive}, true
	case "/health/ready":
		return Operation{Kind: OpHealthReady}, true
	}
	return Operation{}, false
}

// splitTarget extracts bucket and key from the raw path (and, for
// virtual-host-style requests, the Host header). Key bytes are taken
// literally after percent-decoding: "//", "..", "+" and spaces are kept.
func (rt router) splitTarget(rawPath, host string) (bucket, key string, err error) {
	if rawPath == "" || rawPath[0] != '/' {
		return "", "", s3err(ErrInvalidURI)
	}
	if b, ok := rt.virtualHostBucket(host); ok {
		key, err = unescapePath(rawPath[1:])
		return b, key, err
	}
	rest := rawPath[1:]
	rawBucket, rawKey, _ := strings.Cut(rest, "/")
	if bucket, err = unescapePath(rawBucket); err != nil {
		return "", "", err
	}
	if key, err = unescapePath(rawKey); err != nil {
		return "", "", err
	}
	return bucket, key, nil
}

// virtualHostBucket returns the bucket named by a Host of the form
// "<bucket>.<domain>[:port]".
func (rt router) virtualHostBucket(host string) (string, bool) {
	if rt.domain == "" || host == "" {
		return "", false
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.ToLower(host)
	suffix := "." + rt.domain
	if len(host) <= len(suffix) || !strings.HasSuffix(host, suffix) {
		return "", false
	}
	return host[:len(host)-len(suffix)], true
}

func checkKey(key string) error {
	if len(key) > maxKeyLength {
		return s3err(ErrKeyTooLong).with("Size", strconv.Itoa(len(key))).with("MaxSizeAllowed", strconv.Itoa(maxKeyLength))
	}
	// The object index separates bucket, key and version with NUL, and XML
	// cannot carry invalid UTF-8: refuse both rather than store a key that
	// cannot be listed faithfully.
	if !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0 {
		return s3errf(ErrInvalidArgument, "Object key must be valid UTF-8 without NUL characters.")
	}
	return nil
}

func (rt router) serviceOp(op *Operation, method string, q query) error {
	switch method {
	case "GET":
	case "POST":
		// IAM and STS query APIs (POST / with a form body) share the
		// endpoint; they are routed by credential scope in a later issue.
		return s3errf(ErrNotImplemented, "IAM and STS APIs are not implemented.")
	case "HEAD", "PUT", "DELETE":
		return s3err(ErrMethodNotAllowed)
	default:
		return s3errf(ErrNotImplemented, "The %s method is not implemented.", method)
	}
	op.Kind = OpListBuckets
	lp := ListParams{MaxKeys: 10000}
	lp.Prefix, _ = q.get("prefix")
	if v, ok := q.get("max-buckets"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return s3errf(ErrInvalidArgument, "max-buckets must be an integer between 1 and 10000.").with("ArgumentName", "max-buckets").with("ArgumentValue", v)
		}
		lp.MaxKeys = n
	}
	if v, ok := q.get("continuation-token"); ok {
		after, err := decodeToken(v)
		if err != nil {
			return err
		}
		lp.Token, lp.After = v, after
	}
	op.List = lp
	return nil
}

func (rt router) bucketOp(op *Operation, method string, q query, h headerFunc) error {
	if handled, err := accessBucketOp(op, method, q); handled {
		return err
	}
	if handled, err := rt.bucketSubresourceOp(op, method, q); handled {
		return err
	}
	if handled, err := corsBucketOp(op, method, q); handled {
		return err
	}
	switch method {
	case "GET":
		if q.has("location") {
			op.Kind = OpGetBucketLocation
			return nil
		}
		if q.has("uploads") {
			op.Kind = OpListMultipartUploads
			return parseUploadsParams(op, q)
		}
		if v, ok := q.get("list-type"); ok {
			if v != "2" {
				return s3errf(ErrInvalidArgument, "Invalid list type.").with("ArgumentName", "list-type").with("ArgumentValue", v)
			}
			op.Kind = OpListObjectsV2
			return parseListParams(&op.List, q, true)
		}
		op.Kind = OpListObjects
		return parseListParams(&op.List, q, false)
	case "HEAD":
		op.Kind = OpHeadBucket
	case "PUT":
		op.Kind = OpCreateBucket
	case "DELETE":
		op.Kind = OpDeleteBucket
	case "POST":
		if q.has("delete") {
			op.Kind = OpDeleteObjects
			return nil
		}
		// A browser upload (POST Object, postobject.go).
		if _, ok := formBoundary(h("content-type")); ok {
			op.Kind = OpPostObject
			return nil
		}
		return (&Error{Code: ErrPreconditionFailed}).with("Condition", "Bucket POST must be of the enclosure-type multipart/form-data")
	default:
		return s3errf(ErrNotImplemented, "The %s method is not implemented.", method)
	}
	return nil
}

func (rt router) objectOp(op *Operation, method string, q query, h headerFunc) error {
	if q.has("location") || q.has("delete") || q.has("cors") {
		return s3err(ErrMethodNotAllowed)
	}
	op.VersionID, _ = q.get("versionId")
	if handled, err := accessObjectOp(op, method, q); handled {
		return err
	}
	if handled, err := rt.objectSubresourceOp(op, method, q); handled {
		return err
	}
	if handled, err := multipartObjectOp(op, method, q, h); handled || err != nil {
		return err
	}
	switch method {
	case "GET", "HEAD":
		op.Kind = OpGetObject
		if method == "HEAD" {
			op.Kind = OpHeadObject
		}
		if v, ok := q.get("partNumber"); ok {
			n, err := parsePartNumber(v)
			if err != nil {
				return err
			}
			op.PartNumber = n
		}
		for i, o := range responseOverrides {
			if v, ok := q.get(o.Param); ok {
				op.Overrides[i] = v
				op.HasOverrides = true
			}
		}
	case "PUT":
		op.Kind = OpPutObject
		if h("x-amz-copy-source") != "" {
			op.Kind = OpCopyObject
		}
	case "DELETE":
		op.Kind = OpDeleteObject
	case "POST":
		return s3errf(ErrNotImplemented, "POST on an object is not implemented.")
	default:
		return s3errf(ErrNotImplemented, "The %s method is not implemented.", method)
	}
	return nil
}

// parseListParams reads ListObjects (v1) or ListObjectsV2 parameters.
func parseListParams(lp *ListParams, q query, v2 bool) error {
	lp.Prefix, _ = q.get("prefix")
	lp.Delimiter, _ = q.get("delimiter")
	lp.MaxKeys = maxListKeys
	if v, ok := q.get("max-keys"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return s3errf(ErrInvalidArgument, "Provided max-keys not an integer or within integer range").with("ArgumentName", "max-keys").with("ArgumentValue", v)
		}
		lp.MaxKeys = min(n, maxListKeys)
	}
	if v, ok := q.get("encoding-type"); ok {
		if !strings.EqualFold(v, "url") {
			return s3errf(ErrInvalidArgument, "Invalid Encoding Method specified in Request").with("ArgumentName", "encoding-type").with("ArgumentValue", v)
		}
		lp.URLEncode = true
	}
	if !v2 {
		lp.Marker, _ = q.get("marker")
		lp.After = lp.Marker
		return nil
	}
	lp.StartAfter, _ = q.get("start-after")
	lp.After = lp.StartAfter
	if v, ok := q.get("fetch-owner"); ok {
		lp.FetchOwner = strings.EqualFold(v, "true")
	}
	if v, ok := q.get("continuation-token"); ok {
		after, err := decodeToken(v)
		if err != nil {
			return err
		}
		// A continuation token supersedes start-after (AWS ignores
		// start-after once a token is given).
		lp.Token, lp.After = v, after
	}
	return nil
}
