package sigv4

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	algorithmHMAC = "AWS4-HMAC-SHA256"
	scopeTerminal = "aws4_request"
	iso8601Basic  = "20060102T150405Z"
	// maxPresignExpires is AWS's limit on X-Amz-Expires: seven days.
	maxPresignExpires = 7 * 24 * 60 * 60
	// maxDetail bounds how much of a client's value an error echoes.
	maxDetail = 64
)

// scope is a parsed credential: "AK/20130524/us-east-1/s3/aws4_request".
// All fields are substrings of the credential string.
type scope struct {
	accessKey string
	date      string // yyyymmdd
	region    string // may be empty
	service   string
	// text is the credential without the access key, as it appears in
	// the string to sign: "20130524/us-east-1/s3/aws4_request".
	text string
}

// authorization is a parsed "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…" header.
type authorization struct {
	scope
	signedHeaders string
	signature     [32]byte
}

// presignParams are the X-Amz-* query parameters of a presigned URL,
// decoded.
type presignParams struct {
	algorithm, credential, date, expires string
	signedHeaders, signature             string
	securityToken                        string
	contentSHA256                        string
	hasToken, hasContentSHA256           bool
}

// clip shortens a client-supplied value for an error message.
func clip(s string) string {
	if len(s) > maxDetail {
		return s[:maxDetail] + "…"
	}
	return s
}

func malformed(class error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{class}, args...)...)
}

// parseAuthorization parses the Authorization header. Components may come
// in any order, separated by "," with optional spaces.
func parseAuthorization(h string) (authorization, error) {
	var a authorization
	if strings.HasPrefix(h, "AWS ") {
		return a, fmt.Errorf("%w: AWS Signature Version 2 is not supported, use Signature Version 4", ErrUnsupportedSignature)
	}
	alg, rest, _ := strings.Cut(h, " ")
	if alg != algorithmHMAC {
		return a, fmt.Errorf("%w: authorization type %q is not supported, use %s", ErrUnsupportedSignature, clip(alg), algorithmHMAC)
	}
	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return a, malformed(ErrAuthorizationHeaderMalformed, "component %q is not key=value", clip(part))
		}
		var have *bool
		switch k {
		case "Credential":
			cred, have = v, &haveCred
		case "SignedHeaders":
			signed, have = v, &haveSigned
		case "Signature":
			sig, have = v, &haveSig
		default:
			return a, malformed(ErrAuthorizationHeaderMalformed, "unknown component %q", clip(k))
		}
		if *have {
			return a, malformed(ErrAuthorizationHeaderMalformed, "component %s is repeated", k)
		}
		*have = true
	}
	switch {
	case !haveCred:
		return a, malformed(ErrAuthorizationHeaderMalformed, "missing Credential")
	case !haveSigned:
		return a, malformed(ErrAuthorizationHeaderMalformed, "missing SignedHeaders")
	case !haveSig:
		return a, malformed(ErrAuthorizationHeaderMalformed, "missing Signature")
	}
	sc, err := parseCredential(cred, ErrAuthorizationHeaderMalformed)
	if err != nil {
		return a, err
	}
	a.scope = sc
	a.signedHeaders = signed
	if err := parseSignature(sig, &a.signature); err != nil {
		return a, malformed(ErrAuthorizationHeaderMalformed, "%v", err)
	}
	return a, nil
}

func parseSignature(sig string, out *[32]byte) error {
	if !decodeHex32(sig, out) {
		return fmt.Errorf("signature must be 64 hexadecimal characters")
	}
	return nil
}

// decodeHex32 decodes 64 hex digits (either case) without allocating.
func decodeHex32[S ~string | ~[]byte](s S, out *[32]byte) bool {
	if len(s) != 64 {
		return false
	}
	for i := range out {
		hi, ok1 := unhex(s[2*i])
		lo, ok2 := unhex(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		out[i] = hi<<4 | lo
	}
	return true
}

// parseCredential splits "AK/yyyymmdd/region/service/aws4_request". It
// splits from the right so the region may be empty (AWS CLI with no
// region configured sends "AK/20130524//s3/aws4_request").
func parseCredential(c string, class error) (scope, error) {
	var s scope
	fields := [4]string{}
	rest := c
	for i := 3; i >= 0; i-- {
		j := strings.LastIndexByte(rest, '/')
		if j < 0 {
			return s, malformed(class, "credential %q must be access-key/date/region/service/aws4_request", clip(c))
		}
		fields[i] = rest[j+1:]
		rest = rest[:j]
	}
	s.accessKey, s.date, s.region, s.service = rest, fields[0], fields[1], fields[2]
	switch {
	case fields[3] != scopeTerminal:
		return s, malformed(class, "credential must end in %q, not %q", scopeTerminal, clip(fields[3]))
	case s.accessKey == "":
		return s, malformed(class, "credential has an empty access key")
	case !isDate(s.date):
		return s, malformed(class, "credential date %q must be yyyymmdd", clip(s.date))
	case s.service == "":
		return s, malformed(class, "credential has an empty service")
	}
	s.text = c[len(s.accessKey)+1:]
	return s, nil
}

func isDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseAmzDate parses ISO 8601 basic format (20130524T000000Z) without
// allocating.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != 16 || s[8] != 'T' || s[15] != 'Z' || !isDate(s[:8]) {
		return time.Time{}, false
	}
	var n [6]int
	parts := [6]string{s[0:4], s[4:6], s[6:8], s[9:11], s[11:13], s[13:15]}
	for i, p := range parts {
		for j := 0; j < len(p); j++ {
			c := p[j]
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			n[i] = n[i]*10 + int(c-'0')
		}
	}
	if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 || n[3] > 23 || n[4] > 59 || n[5] > 59 {
		return time.Time{}, false
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC)
	if t.Day() != n[2] { // 31 April and the like
		return time.Time{}, false
	}
	return t, true
}

// parsePresign extracts the X-Amz-* parameters of a presigned URL.
func parsePresign(raw string) (presignParams, error) {
	var p presignParams
	var seen [8]bool
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(part, "=")
		var dst *string
		var idx int
		switch k {
		case "X-Amz-Algorithm":
			dst, idx = &p.algorithm, 0
		case "X-Amz-Credential":
			dst, idx = &p.credential, 1
		case "X-Amz-Date":
			dst, idx = &p.date, 2
		case "X-Amz-Expires":
			dst, idx = &p.expires, 3
		case "X-Amz-SignedHeaders":
			dst, idx = &p.signedHeaders, 4
		case "X-Amz-Signature":
			dst, idx = &p.signature, 5
		case "X-Amz-Security-Token":
			dst, idx = &p.securityToken, 6
		case "X-Amz-Content-Sha256":
			dst, idx = &p.contentSHA256, 7
		default:
			continue
		}
		if seen[idx] {
			return p, malformed(ErrAuthorizationQueryMalformed, "query parameter %s is repeated", k)
		}
		seen[idx] = true
		d, err := url.QueryUnescape(v)
		if err != nil {
			return p, malformed(ErrAuthorizationQueryMalformed, "query parameter %s is not URL-encoded correctly", k)
		}
		*dst = d
	}
	p.hasToken, p.hasContentSHA256 = seen[6], seen[7]
	for i, name := range [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"} {
		if !seen[i] {
			return p, malformed(ErrAuthorizationQueryMalformed, "missing query parameter %s", name)
		}
	}
	if p.algorithm != algorithmHMAC {
		return p, fmt.Errorf("%w: X-Amz-Algorithm %q is not supported, use %s", ErrUnsupportedSignature, clip(p.algorithm), algorithmHMAC)
	}
	return p, nil
}

// parseExpires validates X-Amz-Expires: whole seconds, at most seven days.
func parseExpires(s string) (time.Duration, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil || n < 0:
		return 0, malformed(ErrAuthorizationQueryMalformed, "X-Amz-Expires must be a non-negative integer")
	case n > maxPresignExpires:
		return 0, malformed(ErrAuthorizationQueryMalformed, "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
	}
	return time.Duration(n) * time.Second, nil
}
