package sigv4

import (
	"slices"
	"strings"
)

// This file builds the parts of the SigV4 canonical request. Everything
// appends to a caller's buffer so the hot path does not allocate when the
// request is already in canonical form, which is what every mainstream
// SDK sends.

const upperHex = "0123456789ABCDEF"

// isUnreserved reports whether c is left as-is by AWS URI encoding
// (RFC 3986 unreserved characters).
func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func appendPct(dst []byte, c byte) []byte {
	return append(dst, '%', upperHex[c>>4], upperHex[c&15])
}

// appendCanonicalPath appends the canonical URI for an escaped wire path:
// decode once, then re-encode as the AWS SDKs do (everything but
// unreserved characters and literal '/' as %XX). S3 signs the path once
// (no double encoding) and without "." / ".." or "//" normalisation, so
// neither is done here. It reports false when the path holds an invalid
// escape; the caller then signs the raw path.
func appendCanonicalPath(dst []byte, raw string) ([]byte, bool) {
	if raw == "" {
		return append(dst, '/'), true
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%':
			if i+2 >= len(raw) {
				return dst, false
			}
			hi, ok1 := unhex(raw[i+1])
			lo, ok2 := unhex(raw[i+2])
			if !ok1 || !ok2 {
				return dst, false
			}
			i += 2
			// A decoded '/' stays encoded: the client encoded it, so it
			// is part of a key, not a separator.
			if d := hi<<4 | lo; isUnreserved(d) {
				dst = append(dst, d)
			} else {
				dst = appendPct(dst, d)
			}
		case c == '/' || isUnreserved(c):
			dst = append(dst, c)
		default:
			dst = appendPct(dst, c)
		}
	}
	return dst, true
}

// isCanonicalComponent reports whether s is already AWS-URI-encoded:
// only unreserved characters and upper-case %XX escapes of reserved bytes.
func isCanonicalComponent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			continue
		}
		if c != '%' || i+2 >= len(s) {
			return false
		}
		h, l := s[i+1], s[i+2]
		if !('0' <= h && h <= '9' || 'A' <= h && h <= 'F') || !('0' <= l && l <= '9' || 'A' <= l && l <= 'F') {
			return false
		}
		hi, _ := unhex(h)
		lo, _ := unhex(l)
		if isUnreserved(hi<<4 | lo) {
			return false
		}
		i += 2
	}
	return true
}

// canonicalQueryComponent decodes a query key or value ('+' is a space,
// as in HTML forms and url.ParseQuery; an invalid escape stands for
// itself) and re-encodes it the AWS way.
func canonicalQueryComponent(s string) string {
	if isCanonicalComponent(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(s):
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				c = hi<<4 | lo
				i += 2
			}
		}
		if isUnreserved(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
		}
	}
	return b.String()
}

type queryPair struct{ k, v string }

func compareQueryPairs(a, b queryPair) int {
	if c := strings.Compare(a.k, b.k); c != 0 {
		return c
	}
	return strings.Compare(a.v, b.v)
}

// appendCanonicalQuery appends the canonical query string: every key=value
// (a bare key gets "="), AWS-encoded, sorted by key then value. For
// presigned requests X-Amz-Signature is left out, being the signature.
// pairs is scratch space reused across calls.
func appendCanonicalQuery(dst []byte, raw string, presigned bool, pairs []queryPair) ([]byte, []queryPair) {
	pairs = pairs[:0]
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k = canonicalQueryComponent(k)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, queryPair{k, canonicalQueryComponent(v)})
	}
	if !slices.IsSortedFunc(pairs, compareQueryPairs) {
		slices.SortFunc(pairs, compareQueryPairs)
	}
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.k...)
		dst = append(dst, '=')
		dst = append(dst, p.v...)
	}
	return dst, pairs
}

// appendTrimmedValue appends a header value with leading and trailing
// blanks removed and inner runs of spaces collapsed to one (AWS "trimall").
func appendTrimmedValue(dst []byte, v string) []byte {
	start, end := 0, len(v)
	for start < end && (v[start] == ' ' || v[start] == '\t') {
		start++
	}
	for end > start && (v[end-1] == ' ' || v[end-1] == '\t') {
		end--
	}
	prevSpace := false
	for i := start; i < end; i++ {
		c := v[i]
		if c == ' ' {
			if prevSpace {
				continue
			}
			prevSpace = true
		} else {
			prevSpace = false
		}
		dst = append(dst, c)
	}
	return dst
}

// queryHasKey reports whether a raw query string has a parameter named
// key (exact match on the undecoded name), without allocating.
func queryHasKey(raw, key string) bool {
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		k, _, _ := strings.Cut(part, "=")
		if k == key {
			return true
		}
	}
	return false
}
