package s3api

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cairn-s3/cairn/meta"
)

// Bucket CORS configuration (PutBucketCors / GetBucketCors /
// DeleteBucketCors). The XML is parsed into corsConfig, validated as S3
// does, and stored through Buckets.SetBucketConfig(meta.ConfigCORS) as
// canonical JSON:
//
//	{"v":1,"rules":[{"id":..,"allowedOrigins":[..],"allowedMethods":[..],
//	                 "allowedHeaders":[..],"exposeHeaders":[..],"maxAgeSeconds":N}]}
//
// Evaluation (preflight and actual requests) is in cors_match.go.

// CORS limits of S3.
const (
	maxCORSRules  = 100
	maxCORSBody   = 64 << 10
	maxCORSRuleID = 255
	corsEncodingV = 1
)

// corsMethods are the methods a CORS rule may allow.
var corsMethods = [...]string{"GET", "PUT", "POST", "DELETE", "HEAD"}

// corsRule is one CORSRule. Origins, methods and expose headers keep the
// client's spelling; allowed headers are matched case-insensitively.
type corsRule struct {
	ID             string   `json:"id,omitempty"`
	AllowedOrigins []string `json:"allowedOrigins"`
	AllowedMethods []string `json:"allowedMethods"`
	AllowedHeaders []string `json:"allowedHeaders,omitempty"`
	ExposeHeaders  []string `json:"exposeHeaders,omitempty"`
	// MaxAgeSeconds is nil when not given (no Access-Control-Max-Age).
	MaxAgeSeconds *int64 `json:"maxAgeSeconds,omitempty"`
}

// corsConfig is a bucket's CORS configuration: rules in the order given,
// the first matching one deciding.
type corsConfig struct {
	V     int        `json:"v"`
	Rules []corsRule `json:"rules"`
}

// corsXML is the CORSConfiguration document.
type corsXML struct {
	XMLName xml.Name `xml:"CORSConfiguration"`
	Rules   []struct {
		ID             *string  `xml:"ID"`
		AllowedOrigins []string `xml:"AllowedOrigin"`
		AllowedMethods []string `xml:"AllowedMethod"`
		AllowedHeaders []string `xml:"AllowedHeader"`
		ExposeHeaders  []string `xml:"ExposeHeader"`
		MaxAgeSeconds  *string  `xml:"MaxAgeSeconds"`
	} `xml:"CORSRule"`
}

// parseCORSXML parses and validates a CORSConfiguration document.
func parseCORSXML(body []byte) (corsConfig, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return corsConfig{}, s3err(ErrMalformedXML)
	}
	var x corsXML
	if err := decodeXMLStrict(body, &x); err != nil {
		return corsConfig{}, err
	}
	c := corsConfig{V: corsEncodingV, Rules: make([]corsRule, 0, len(x.Rules))}
	for _, xr := range x.Rules {
		r := corsRule{
			AllowedOrigins: trimAll(xr.AllowedOrigins),
			AllowedMethods: trimAll(xr.AllowedMethods),
			AllowedHeaders: trimAll(xr.AllowedHeaders),
			ExposeHeaders:  trimAll(xr.ExposeHeaders),
		}
		if xr.ID != nil {
			r.ID = *xr.ID
		}
		if xr.MaxAgeSeconds != nil {
			n, err := strconv.ParseInt(strings.TrimSpace(*xr.MaxAgeSeconds), 10, 32)
			if err != nil || n < 0 {
				return corsConfig{}, s3err(ErrMalformedXML)
			}
			r.MaxAgeSeconds = &n
		}
		c.Rules = append(c.Rules, r)
	}
	if err := c.validate(); err != nil {
		return corsConfig{}, err
	}
	return c, nil
}

func trimAll(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// validate applies S3's rules: 1–100 rules, each with at least one origin
// and one method, methods among GET/PUT/POST/DELETE/HEAD, at most one
// wildcard per origin and per allowed header, none in expose headers.
func (c corsConfig) validate() error {
	if len(c.Rules) == 0 {
		return s3err(ErrMalformedXML)
	}
	if len(c.Rules) > maxCORSRules {
		return s3errf(ErrMalformedXML, "The CORS configuration must not have more than %d rules.", maxCORSRules)
	}
	for _, r := range c.Rules {
		if len(r.AllowedOrigins) == 0 || len(r.AllowedMethods) == 0 {
			return s3err(ErrMalformedXML)
		}
		if utf8.RuneCountInString(r.ID) > maxCORSRuleID {
			return s3errf(ErrInvalidArgument, "ID length should not exceed allowed limit of %d", maxCORSRuleID)
		}
		for _, m := range r.AllowedMethods {
			if !isCORSMethod(m) {
				return s3errf(ErrInvalidRequest, "Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return s3errf(ErrInvalidRequest, "AllowedOrigin %q can not have more than one wildcard.", o)
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return s3errf(ErrInvalidRequest, "AllowedHeader %q can not have more than one wildcard.", h)
			}
		}
		for _, h := range r.ExposeHeaders {
			if strings.Contains(h, "*") {
				return s3errf(ErrInvalidRequest, "ExposeHeader %q contains wildcard. We currently do not support wildcard for ExposeHeader.", h)
			}
		}
	}
	return nil
}

func isCORSMethod(m string) bool {
	for _, c := range corsMethods {
		if c == m {
			return true
		}
	}
	return false
}

func encodeCORS(c corsConfig) (string, error) {
	c.V = corsEncodingV
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encoding CORS configuration: %w", err)
	}
	return string(b), nil
}

// decodeCORS reads a stored configuration. A stored value is always one
// Cairn validated; failing to read it is an internal error.
func decodeCORS(s string) (corsConfig, error) {
	var c corsConfig
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return c, fmt.Errorf("decoding CORS configuration: %w", err)
	}
	if c.V != corsEncodingV {
		return c, fmt.Errorf("decoding CORS configuration: unknown encoding version %d", c.V)
	}
	return c, nil
}

// corsBody renders the configuration as GetBucketCors answers it.
func corsBody(c corsConfig) []byte {
	w := newXMLWriter(256 + 256*len(c.Rules))
	w.openNS("CORSConfiguration", s3NS)
	for _, r := range c.Rules {
		w.open("CORSRule")
		if r.ID != "" {
			w.elem("ID", r.ID)
		}
		for _, h := range r.AllowedHeaders {
			w.elem("AllowedHeader", h)
		}
		for _, m := range r.AllowedMethods {
			w.elem("AllowedMethod", m)
		}
		for _, o := range r.AllowedOrigins {
			w.elem("AllowedOrigin", o)
		}
		for _, h := range r.ExposeHeaders {
			w.elem("ExposeHeader", h)
		}
		if r.MaxAgeSeconds != nil {
			w.elemInt("MaxAgeSeconds", *r.MaxAgeSeconds)
		}
		w.close("CORSRule")
	}
	w.close("CORSConfiguration")
	return w.bytes()
}

// dispatchCORS runs the bucket CORS configuration operations.
func (s *Server) dispatchCORS(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	switch rq.op.Kind {
	case OpPutBucketCors:
		body, err := rq.readBody(maxCORSBody)
		if err != nil {
			return nil, err
		}
		c, err := parseCORSXML(body)
		if err != nil {
			return nil, err
		}
		v, err := encodeCORS(c)
		if err != nil {
			return nil, err
		}
		if err := s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, meta.ConfigCORS, v, false); err != nil {
			return nil, err
		}
		return newResponse(http.StatusOK), nil
	case OpGetBucketCors:
		v, ok := b.Configs[meta.ConfigCORS]
		if !ok {
			return nil, s3err(ErrNoSuchCORSConfiguration).with("BucketName", b.Name)
		}
		c, err := decodeCORS(v)
		if err != nil {
			return nil, err
		}
		return xmlResponse(http.StatusOK, corsBody(c)), nil
	case OpDeleteBucketCors:
		if _, ok := b.Configs[meta.ConfigCORS]; ok {
			if err := s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, meta.ConfigCORS, "", true); err != nil {
				return nil, err
			}
		}
		return newResponse(http.StatusNoContent), nil
	}
	return nil, s3errf(ErrNotImplemented, "%s is not implemented.", rq.op.Kind)
}

// corsBucketOp routes ?cors on a bucket.
func corsBucketOp(op *Operation, method string, q query) (handled bool, err error) {
	if !q.has("cors") {
		return false, nil
	}
	switch method {
	case "GET":
		op.Kind = OpGetBucketCors
	case "PUT":
		op.Kind = OpPutBucketCors
	case "DELETE":
		op.Kind = OpDeleteBucketCors
	default:
		return true, s3err(ErrMethodNotAllowed)
	}
	return true, nil
}
