package s3api

import (
	"encoding/base64"
	"strings"
)

// queryParam is one decoded query parameter.
type queryParam struct{ name, value string }

// query is a decoded query string in wire order.
type query []queryParam

func (q query) get(name string) (string, bool) {
	for _, p := range q {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

func (q query) has(name string) bool {
	_, ok := q.get(name)
	return ok
}

// parseQuery decodes a raw query string. '+' is a space, as S3 treats it.
// A malformed percent-escape is InvalidURI.
func parseQuery(raw string) (query, error) {
	if raw == "" {
		return nil, nil
	}
	q := make(query, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		n, err := unescape(name, true)
		if err != nil {
			return nil, err
		}
		v, err := unescape(value, true)
		if err != nil {
			return nil, err
		}
		q = append(q, queryParam{n, v})
	}
	return q, nil
}

// unescapePath decodes a raw path segment: %XX escapes only, '+' is literal.
func unescapePath(s string) (string, error) { return unescape(s, false) }

func unescape(s string, plusIsSpace bool) (string, error) {
	// pct counts %XX escapes (each shrinks the result by 2 bytes), plus
	// the '+' signs that become spaces (same length).
	pct, plus := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", s3err(ErrInvalidURI)
			}
			pct++
			i += 2
		case '+':
			if plusIsSpace {
				plus++
			}
		}
	}
	if pct == 0 && plus == 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s)-2*pct)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case c == '+' && plusIsSpace:
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// Continuation tokens are opaque to clients: URL-safe base64 of a version
// byte followed by the key (or common prefix) the next page starts after.
// The version byte lets a later format (e.g. one carrying a version-id
// marker) be told apart from this one.
const tokenV1 = 1

func encodeToken(after string) string {
	b := make([]byte, 0, 1+len(after))
	b = append(b, tokenV1)
	b = append(b, after...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(tok string) (string, error) {
	bad := s3errf(ErrInvalidArgument, "The continuation token provided is incorrect").with("ArgumentName", "continuation-token")
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) == 0 || b[0] != tokenV1 || len(b)-1 > maxKeyLength {
		return "", bad
	}
	return string(b[1:]), nil
}
