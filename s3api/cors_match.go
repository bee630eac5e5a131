package s3api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/meta"
)

// CORS evaluation, as S3 does it:
//
// Preflight (OPTIONS /bucket[/key], no authentication): Origin is required
// (400 BadRequest), the bucket must exist and have a CORS configuration
// (403 AccessForbidden "CORSResponse: Bucket not found" / "CORS is not
// enabled for this bucket."), Access-Control-Request-Method must be one of
// the CORS methods (400 "Invalid Access-Control-Request-Method: <m|null>").
// The first rule whose AllowedOrigin matches Origin, whose AllowedMethod
// holds the requested method and whose AllowedHeaders match every
// Access-Control-Request-Headers entry decides; none is 403 AccessForbidden
// with the long "This CORS request is not allowed" message. The error
// carries Method and ResourceType (BUCKET or OBJECT) elements.
//
// Actual requests with an Origin (any S3 response, errors included): the
// first rule matching Origin and the request's method adds the response
// headers; no match adds nothing.
//
// Response headers: Access-Control-Allow-Origin ("*" when the matching
// AllowedOrigin is "*", else the request's Origin together with
// Access-Control-Allow-Credentials: true), Access-Control-Allow-Methods
// (the rule's methods), Access-Control-Allow-Headers (preflight: the
// requested headers, lower-cased), Access-Control-Expose-Headers,
// Access-Control-Max-Age, and Vary: Origin, Access-Control-Request-Headers,
// Access-Control-Request-Method.

const corsVary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// wildcardMatch matches s against a pattern with at most one "*", which
// stands for any (possibly empty) run of characters.
func wildcardMatch(pattern, s string) bool {
	before, after, ok := strings.Cut(pattern, "*")
	if !ok {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}

// matchOrigin returns the rule's AllowedOrigin that matches origin.
// Origins are compared case-sensitively, as browsers serialise them
// lower-case.
func (r *corsRule) matchOrigin(origin string) (string, bool) {
	for _, o := range r.AllowedOrigins {
		if wildcardMatch(o, origin) {
			return o, true
		}
	}
	return "", false
}

func (r *corsRule) allowsMethod(m string) bool {
	for _, am := range r.AllowedMethods {
		if am == m {
			return true
		}
	}
	return false
}

// allowsHeader matches a (lower-case) request header name against the
// AllowedHeaders, case-insensitively.
func (r *corsRule) allowsHeader(h string) bool {
	for _, ah := range r.AllowedHeaders {
		if wildcardMatch(strings.ToLower(ah), h) {
			return true
		}
	}
	return false
}

// corsMatch is the rule deciding a request and the AllowedOrigin that
// matched.
type corsMatch struct {
	rule          *corsRule
	allowedOrigin string
}

// match returns the first rule allowing origin, method and every header in
// reqHeaders (lower-case).
func (c *corsConfig) match(origin, method string, reqHeaders []string) (corsMatch, bool) {
	for i := range c.Rules {
		r := &c.Rules[i]
		ao, ok := r.matchOrigin(origin)
		if !ok || !r.allowsMethod(method) {
			continue
		}
		all := true
		for _, h := range reqHeaders {
			if !r.allowsHeader(h) {
				all = false
				break
			}
		}
		if all {
			return corsMatch{rule: r, allowedOrigin: ao}, true
		}
	}
	return corsMatch{}, false
}

// splitRequestHeaders parses Access-Control-Request-Headers: a comma list
// of names, returned trimmed and lower-cased, empty entries dropped.
func splitRequestHeaders(v string) []string {
	var out []string
	for p := range strings.SplitSeq(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.ToLower(p))
		}
	}
	return out
}

// headers returns the CORS response headers of a match; reqHeaders are
// echoed as Access-Control-Allow-Headers (preflight only).
func (m corsMatch) headers(origin string, reqHeaders []string) []headerKV {
	r := m.rule
	hs := make([]headerKV, 0, 7)
	add := func(name, value string) { hs = append(hs, headerKV{name: name, value: value}) }
	if m.allowedOrigin == "*" {
		add("Access-Control-Allow-Origin", "*")
	} else {
		add("Access-Control-Allow-Origin", origin)
		add("Access-Control-Allow-Credentials", "true")
	}
	add("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	if len(reqHeaders) > 0 {
		add("Access-Control-Allow-Headers", strings.Join(reqHeaders, ", "))
	}
	if len(r.ExposeHeaders) > 0 {
		add("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	if r.MaxAgeSeconds != nil {
		add("Access-Control-Max-Age", strconv.FormatInt(*r.MaxAgeSeconds, 10))
	}
	add("Vary", corsVary)
	return hs
}

// preflight answers OPTIONS /bucket[/key]. It is not authenticated.
func (s *Server) preflight(rq *request) (*response, error) {
	origin := rq.hdr.get("origin")
	if origin == "" {
		return nil, s3err(ErrCORSBadRequest)
	}
	acrm := rq.hdr.get("access-control-request-method")
	method, resType := acrm, "BUCKET"
	if method == "" {
		method = "OPTIONS"
	}
	if rq.op.Key != "" {
		resType = "OBJECT"
	}
	forbidden := func(msg string) error {
		e := s3err(ErrAccessForbidden)
		if msg != "" {
			e.Message = msg
		}
		return e.with("Method", method).with("ResourceType", resType)
	}
	b, ok := s.deps.Buckets.Bucket(rq.op.Bucket)
	if !ok {
		return nil, forbidden("CORSResponse: Bucket not found")
	}
	raw, ok := b.Configs[meta.ConfigCORS]
	if !ok {
		return nil, forbidden("CORSResponse: CORS is not enabled for this bucket.")
	}
	if !isCORSMethod(acrm) {
		if acrm == "" {
			acrm = "null"
		}
		return nil, s3errf(ErrCORSBadRequest, "Invalid Access-Control-Request-Method: %s", acrm)
	}
	cfg, err := decodeCORS(raw)
	if err != nil {
		return nil, err
	}
	reqHeaders := splitRequestHeaders(rq.hdr.get("access-control-request-headers"))
	m, ok := cfg.match(origin, acrm, reqHeaders)
	if !ok {
		return nil, forbidden("")
	}
	r := newResponse(http.StatusOK)
	r.header = append(r.header, m.headers(origin, reqHeaders)...)
	return r, nil
}

// addCORSHeaders adds the CORS headers of an actual S3 request with an
// Origin to its response (success or error), when the bucket's
// configuration allows the origin and method.
func (s *Server) addCORSHeaders(rq *request, resp *response) {
	if resp == nil || rq.api != apiS3 || rq.op.Bucket == "" || rq.op.Kind == OpPreflight {
		return
	}
	origin := rq.hdr.get("origin")
	if origin == "" {
		return
	}
	b, ok := rq.bucket, rq.bucketOK
	if !ok {
		// The request failed before the bucket was looked up (e.g.
		// authentication): S3 still answers with CORS headers.
		if b, ok = s.deps.Buckets.Bucket(rq.op.Bucket); !ok {
			return
		}
	}
	raw, ok := b.Configs[meta.ConfigCORS]
	if !ok {
		return
	}
	cfg, err := decodeCORS(raw)
	if err != nil {
		s.log.Warn("s3 stored CORS configuration unreadable", "bucket", b.Name, "err", err)
		return
	}
	if m, ok := cfg.match(origin, rq.method, nil); ok {
		resp.header = append(resp.header, m.headers(origin, nil)...)
	}
}
