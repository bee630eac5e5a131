package sigv4

import (
	"strings"
	"sync"
)

// maxSignedHeaders bounds SignedHeaders; real clients sign a dozen at most.
const maxSignedHeaders = 64

// verifierState is the Verifier's private state: the signing-key cache and
// a pool of scratch buffers that keep Verify from allocating.
type verifierState struct {
	keys    keyCache
	scratch sync.Pool // of *scratch
}

// signedHeader is one name of SignedHeaders and the values found for it.
type signedHeader struct {
	name  string
	first string
	more  []string // further values of a repeated header (rare)
	n     int
}

// scratch holds per-call buffers. It is owned by one Verify call at a time.
type scratch struct {
	canon []byte // canonical request
	sts   []byte // hmacScratch bytes, then the string to sign
	pairs []queryPair
	hdrs  []signedHeader
	// unsigned is the first x-amz-* header seen that SignedHeaders lacks.
	unsigned string
	// visit is s.visitHeader bound once, so passing it to EachHeader does
	// not allocate a closure per request.
	visit func(name, value string)
}

func (vs *verifierState) get() *scratch {
	if s, ok := vs.scratch.Get().(*scratch); ok {
		return s
	}
	s := &scratch{
		canon: make([]byte, 0, 1024),
		sts:   make([]byte, 0, 256),
		pairs: make([]queryPair, 0, 16),
		hdrs:  make([]signedHeader, 0, 16),
	}
	s.visit = s.visitHeader
	return s
}

func (vs *verifierState) put(s *scratch) {
	// Drop references to request memory, and oversized buffers.
	clear(s.pairs[:cap(s.pairs)])
	clear(s.hdrs[:cap(s.hdrs)])
	s.unsigned = ""
	if cap(s.canon) > 64<<10 || cap(s.pairs) > 256 || cap(s.hdrs) > maxSignedHeaders {
		return
	}
	vs.scratch.Put(s)
}

// isTokenChar reports whether c may appear in an HTTP header name.
func isTokenChar(c byte) bool {
	if isUnreserved(c) {
		return true
	}
	return strings.IndexByte("!#$%&'*+^`|", c) >= 0
}

// collectHeaders parses the SignedHeaders list and gathers each header's
// values. With EachHeader it also notes unsigned x-amz-* headers.
func (s *scratch) collectHeaders(r *Request, list string, class error) error {
	s.hdrs = s.hdrs[:0]
	s.unsigned = ""
	hasHost := false
	for rest := list; ; {
		name, tail, more := strings.Cut(rest, ";")
		if name == "" {
			return malformed(class, "SignedHeaders %q has an empty name", clip(list))
		}
		for i := 0; i < len(name); i++ {
			if !isTokenChar(name[i]) {
				return malformed(class, "SignedHeaders %q has an invalid name", clip(list))
			}
		}
		if len(s.hdrs) == maxSignedHeaders {
			return malformed(class, "too many SignedHeaders")
		}
		hasHost = hasHost || strings.EqualFold(name, "host")
		s.hdrs = append(s.hdrs, signedHeader{name: name})
		if !more {
			break
		}
		rest = tail
	}
	if !hasHost {
		return malformed(class, "SignedHeaders must include host")
	}
	if r.EachHeader != nil {
		r.EachHeader(s.visit)
	}
	return nil
}

func (s *scratch) visitHeader(name, value string) {
	for i := range s.hdrs {
		h := &s.hdrs[i]
		if !strings.EqualFold(h.name, name) {
			continue
		}
		if h.n == 0 {
			h.first = value
		} else {
			h.more = append(h.more, value)
		}
		h.n++
		return
	}
	if s.unsigned == "" && len(name) > 6 && strings.EqualFold(name[:6], "x-amz-") && !mayBeUnsigned(name) {
		s.unsigned = name
	}
}

// mayBeUnsigned lists the x-amz-* headers accepted outside SignedHeaders:
// their values are bound another way (the date and payload hash are in the
// string to sign, the token is compared with the credential) or only
// describe the body framing, which is verified on its own.
func mayBeUnsigned(name string) bool {
	for _, h := range [...]string{
		"x-amz-content-sha256", "x-amz-date", "x-amz-security-token",
		"x-amz-decoded-content-length", "x-amz-trailer", "x-amz-sdk-checksum-algorithm",
	} {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	return false
}

// appendCanonicalHeaders appends "name:value\n" for each signed header in
// SignedHeaders order; values of a repeated header are trimmed and joined
// with ",".
func (s *scratch) appendCanonicalHeaders(dst []byte, r *Request) []byte {
	for i := range s.hdrs {
		h := &s.hdrs[i]
		dst = append(dst, h.name...)
		dst = append(dst, ':')
		if h.n == 0 {
			dst = appendTrimmedValue(dst, r.Header(strings.ToLower(h.name)))
		} else {
			dst = appendTrimmedValue(dst, h.first)
			for _, v := range h.more {
				dst = append(dst, ',')
				dst = appendTrimmedValue(dst, v)
			}
		}
		dst = append(dst, '\n')
	}
	return dst
}
