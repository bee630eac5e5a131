package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// UnsignedPayload is the x-amz-content-sha256 value that exempts the body
// from signing; a load generator must not spend its CPU hashing bodies.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

const (
	amzDateFormat = "20060102T150405Z"
	service       = "s3"
)

// Signer signs requests with AWS Signature Version 4 in the Authorization
// header. It caches the day's signing key and reuses its hashers and
// scratch buffer, so it is NOT safe for concurrent use: every worker owns
// one (see Clone).
type Signer struct {
	accessKey, secretKey, region string

	day     string    // yyyymmdd of the cached key
	keyMAC  hash.Hash // HMAC keyed with the day's signing key
	sha     hash.Hash
	buf     []byte
	names   []string
	scratch [sha256.Size]byte
}

// NewSigner returns a signer for one key pair and region.
func NewSigner(accessKey, secretKey, region string) *Signer {
	return &Signer{accessKey: accessKey, secretKey: secretKey, region: region, sha: sha256.New()}
}

// Clone returns an independent signer with the same credentials.
func (s *Signer) Clone() *Signer { return NewSigner(s.accessKey, s.secretKey, s.region) }

// Sign sets X-Amz-Date, X-Amz-Content-Sha256 (payloadHash, UnsignedPayload
// when empty) and Authorization on req. Every header present on req is
// signed, as are host and, for a body, content-length (the signed set the
// AWS SDKs use), except Authorization, User-Agent and Expect, which proxies
// may rewrite.
func (s *Signer) Sign(req *http.Request, payloadHash string, now time.Time) {
	now = now.UTC()
	amzDate := now.Format(amzDateFormat)
	day := amzDate[:8]
	if payloadHash == "" {
		payloadHash = UnsignedPayload
	}
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	req.Header.Del("Authorization")

	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	// Signed header names, lower-case and sorted.
	names := s.names[:0]
	names = append(names, "host")
	if req.ContentLength > 0 {
		names = append(names, "content-length")
	}
	for k := range req.Header {
		switch lk := strings.ToLower(k); lk {
		case "authorization", "user-agent", "expect", "host", "content-length":
		default:
			names = append(names, lk)
		}
	}
	sort.Strings(names)
	s.names = names

	// Canonical request.
	b := s.buf[:0]
	b = append(b, req.Method...)
	b = append(b, '\n')
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b = append(b, path...)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, req.URL.RawQuery)
	b = append(b, '\n')
	for _, n := range names {
		b = append(b, n...)
		b = append(b, ':')
		switch n {
		case "host":
			b = append(b, host...)
		case "content-length":
			b = strconv.AppendInt(b, req.ContentLength, 10)
		default:
			for i, v := range req.Header.Values(n) {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, strings.Join(strings.Fields(v), " ")...)
			}
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	signedStart := len(b)
	for i, n := range names {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, n...)
	}
	signedHeaders := string(b[signedStart:])
	b = append(b, '\n')
	b = append(b, payloadHash...)

	s.sha.Reset()
	s.sha.Write(b)
	crHash := s.sha.Sum(s.scratch[:0])

	// String to sign, reusing the buffer.
	b = b[:0]
	b = append(b, "AWS4-HMAC-SHA256\n"...)
	b = append(b, amzDate...)
	b = append(b, '\n')
	scopeStart := len(b)
	b = append(b, day...)
	b = append(b, '/')
	b = append(b, s.region...)
	b = append(b, "/s3/aws4_request"...)
	scope := string(b[scopeStart:])
	b = append(b, '\n')
	b = hex.AppendEncode(b, crHash)

	mac := s.signingMAC(day)
	mac.Reset()
	mac.Write(b)
	sig := mac.Sum(s.scratch[:0])

	b = b[:0]
	b = append(b, "AWS4-HMAC-SHA256 Credential="...)
	b = append(b, s.accessKey...)
	b = append(b, '/')
	b = append(b, scope...)
	b = append(b, ", SignedHeaders="...)
	b = append(b, signedHeaders...)
	b = append(b, ", Signature="...)
	b = hex.AppendEncode(b, sig)
	req.Header.Set("Authorization", string(b))
	s.buf = b[:0]
}

// signingMAC returns an HMAC keyed with the signing key of day, deriving it
// once per day.
func (s *Signer) signingMAC(day string) hash.Hash {
	if s.keyMAC != nil && s.day == day {
		return s.keyMAC
	}
	k := hmacSum([]byte("AWS4"+s.secretKey), day)
	k = hmacSum(k, s.region)
	k = hmacSum(k, service)
	k = hmacSum(k, "aws4_request")
	s.day, s.keyMAC = day, hmac.New(sha256.New, k)
	return s.keyMAC
}

func hmacSum(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// appendCanonicalQuery appends the query sorted by name then value, each
// encoded as SigV4 requires (RFC 3986 unreserved characters only, %20 for
// space).
func appendCanonicalQuery(b []byte, raw string) []byte {
	if raw == "" {
		return b
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		// Requests are built by this package; an unparsable query is a bug
		// the server will report as a signature mismatch.
		return append(b, raw...)
	}
	type kv struct{ k, v string }
	pairs := make([]kv, 0, len(vals))
	for k, vs := range vals {
		for _, v := range vs {
			pairs = append(pairs, kv{awsEscape(k, true), awsEscape(v, true)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.k...)
		b = append(b, '=')
		b = append(b, p.v...)
	}
	return b
}

// awsEscape percent-encodes everything but RFC 3986 unreserved characters,
// and also '/' unless encodeSlash.
func awsEscape(s string, encodeSlash bool) string {
	const hexdig = "0123456789ABCDEF"
	clean := true
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && (encodeSlash || s[i] != '/') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (!encodeSlash && c == '/') {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(hexdig[c>>4])
		sb.WriteByte(hexdig[c&15])
	}
	return sb.String()
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}
