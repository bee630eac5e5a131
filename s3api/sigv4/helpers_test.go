package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// This file holds test-only helpers. The signer here is deliberately
// naive — net/url, sort, crypto/hmac, strings — and shares no code with the
// package, so agreement between the two means something. Real clients
// (aws-sdk-go-v2, minio-go) are exercised in sdk_test.go.

const (
	exampleAK     = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var exampleTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

// credMap is an in-memory iam.CredentialLookup.
type credMap map[string]iam.Credential

func (m credMap) LookupCredential(ak, _ string) (iam.Credential, error) {
	c, ok := m[ak]
	if !ok {
		return iam.Credential{}, iam.ErrNoSuchAccessKey
	}
	if c.Identity.Name == "disabled" {
		return iam.Credential{}, iam.ErrAccessKeyDisabled
	}
	return c, nil
}

func testCreds() credMap {
	return credMap{
		exampleAK: {AccessKey: exampleAK, SecretKey: exampleSecret, Identity: iam.Identity{Kind: iam.KindRoot, Name: "root"}},
		"USERKEY": {AccessKey: "USERKEY", SecretKey: "user-secret-0123456789", Identity: iam.Identity{Kind: iam.KindUser, Name: "alice"}},
		"STSKEY": {AccessKey: "STSKEY", SecretKey: "sts-secret-0123456789", SessionToken: "token-abc/def+ghi==",
			Identity: iam.Identity{Kind: iam.KindSession, Name: "alice"}},
		"OFFKEY": {AccessKey: "OFFKEY", SecretKey: "off-secret", Identity: iam.Identity{Name: "disabled"}},
	}
}

func newTestVerifier(now time.Time) *Verifier {
	v := NewVerifier(testCreds())
	v.Now = func() time.Time { return now }
	return v
}

// toRequest turns an *http.Request (client- or server-side) into the
// wire view the package verifies.
func toRequest(r *http.Request, each bool) *Request {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	path, query, _ := strings.Cut(uri, "?")
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	contentLength := r.Header.Get("Content-Length")
	if contentLength == "" && r.ContentLength > 0 {
		contentLength = strconv.FormatInt(r.ContentLength, 10)
	}
	req := &Request{
		Method:   r.Method,
		RawPath:  path,
		RawQuery: query,
		Header: func(name string) string {
			switch name {
			case "host":
				return host
			case "content-length":
				return contentLength
			}
			return r.Header.Get(name)
		},
	}
	if each {
		req.EachHeader = func(fn func(name, value string)) {
			fn("Host", host)
			if r.Header.Get("Content-Length") == "" && contentLength != "" {
				fn("Content-Length", contentLength)
			}
			for k, vs := range r.Header {
				for _, v := range vs {
					fn(k, v)
				}
			}
		}
	}
	return req
}

func bodyHeader(r *http.Request) func(string) string {
	return toRequest(r, false).Header
}

// naiveSigner signs requests the textbook way.
type naiveSigner struct {
	ak, secret, token, region, service string
	t                                  time.Time
}

func (s naiveSigner) scope() string {
	return s.t.Format("20060102") + "/" + s.region + "/" + s.service + "/aws4_request"
}

func naiveHMAC(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, msg)
	return m.Sum(nil)
}

func (s naiveSigner) key() []byte {
	k := naiveHMAC([]byte("AWS4"+s.secret), s.t.Format("20060102"))
	k = naiveHMAC(k, s.region)
	k = naiveHMAC(k, s.service)
	return naiveHMAC(k, "aws4_request")
}

func naiveEscape(s string, keepSlash bool) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 || keepSlash && c == '/' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func naiveQuery(q url.Values, skip string) string {
	var parts []string
	for k, vs := range q {
		if k == skip {
			continue
		}
		for _, v := range vs {
			parts = append(parts, naiveEscape(k, false)+"="+naiveEscape(v, false))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

// canonical builds the canonical request of r signing every header it
// has (plus host), the path as r.URL.EscapedPath() gives it.
func (s naiveSigner) canonical(r *http.Request, payloadHash, skipQuery string) (canon, signed string) {
	headers := map[string][]string{"host": {r.Host}}
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Authorization") {
			continue
		}
		headers[strings.ToLower(k)] = append(headers[strings.ToLower(k)], vs...)
	}
	var names []string
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var ch strings.Builder
	for _, n := range names {
		var vals []string
		for _, v := range headers[n] {
			vals = append(vals, strings.Join(strings.Fields(v), " "))
		}
		ch.WriteString(n + ":" + strings.Join(vals, ",") + "\n")
	}
	signed = strings.Join(names, ";")
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canon = strings.Join([]string{r.Method, path, naiveQuery(r.URL.Query(), skipQuery), ch.String(), signed, payloadHash}, "\n")
	return canon, signed
}

func (s naiveSigner) signString(canon string) string {
	sum := sha256.Sum256([]byte(canon))
	sts := "AWS4-HMAC-SHA256\n" + s.t.Format(iso8601Basic) + "\n" + s.scope() + "\n" + hex.EncodeToString(sum[:])
	return hex.EncodeToString(naiveHMAC(s.key(), sts))
}

// sign adds x-amz-date, x-amz-content-sha256 (unless payloadHash is
// empty), the token and Authorization. It returns the signature.
func (s naiveSigner) sign(r *http.Request, payloadHash string) string {
	if r.Host == "" {
		r.Host = r.URL.Host
	}
	r.Header.Set("X-Amz-Date", s.t.Format(iso8601Basic))
	hash := payloadHash
	if payloadHash != "" {
		r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	if s.token != "" {
		r.Header.Set("X-Amz-Security-Token", s.token)
	}
	if hash == "" {
		hash = emptySHA256
	}
	canon, signed := s.canonical(r, hash, "")
	sig := s.signString(canon)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.ak+"/"+s.scope()+", SignedHeaders="+signed+", Signature="+sig)
	return sig
}

// presign puts the X-Amz-* query parameters on r's URL.
func (s naiveSigner) presign(r *http.Request, expires time.Duration) {
	if r.Host == "" {
		r.Host = r.URL.Host
	}
	q := r.URL.Query()
	q.Set("X-Amz-Algorithm", "AWS4-HMAC-SHA256")
	q.Set("X-Amz-Credential", s.ak+"/"+s.scope())
	q.Set("X-Amz-Date", s.t.Format(iso8601Basic))
	q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
	if s.token != "" {
		q.Set("X-Amz-Security-Token", s.token)
	}
	_, signed := s.canonical(r, unsignedPayload, "")
	q.Set("X-Amz-SignedHeaders", signed)
	r.URL.RawQuery = naiveQuery(q, "")
	canon, _ := s.canonical(r, unsignedPayload, "X-Amz-Signature")
	r.URL.RawQuery += "&X-Amz-Signature=" + s.signString(canon)
}

// chunkSig is the signature of one aws-chunked chunk.
func (s naiveSigner) chunkSig(prev string, data []byte) string {
	sum := sha256.Sum256(data)
	sts := strings.Join([]string{"AWS4-HMAC-SHA256-PAYLOAD", s.t.Format(iso8601Basic), s.scope(), prev, emptySHA256, hex.EncodeToString(sum[:])}, "\n")
	return hex.EncodeToString(naiveHMAC(s.key(), sts))
}

func (s naiveSigner) trailerSig(prev, canon string) string {
	sum := sha256.Sum256([]byte(canon))
	sts := strings.Join([]string{"AWS4-HMAC-SHA256-TRAILER", s.t.Format(iso8601Basic), s.scope(), prev, hex.EncodeToString(sum[:])}, "\n")
	return hex.EncodeToString(naiveHMAC(s.key(), sts))
}

// chunkStyle picks the trailer line endings a client family uses.
type chunkStyle int

const (
	styleAWS   chunkStyle = iota // "name:value\r\n" … "\r\n" (AWS SDKs)
	styleMinio                   // "name:value\n\r\n" (minio-go)
)

// chunkedBody frames data as aws-chunked. With seed != "" chunks are
// signed; trailerName/trailerValue add a trailer (signed when seeded).
func (s naiveSigner) chunkedBody(data []byte, chunk int, seed, trailerName, trailerValue string, style chunkStyle) []byte {
	var b bytes.Buffer
	prev := seed
	emit := func(p []byte, last bool) {
		fmt.Fprintf(&b, "%x", len(p))
		if seed != "" {
			prev = s.chunkSig(prev, p)
			b.WriteString(";chunk-signature=" + prev)
		}
		b.WriteString("\r\n")
		b.Write(p)
		if !last || trailerName == "" {
			b.WriteString("\r\n")
		}
	}
	for off := 0; off < len(data); off += chunk {
		emit(data[off:min(off+chunk, len(data))], false)
	}
	emit(nil, true)
	if trailerName != "" {
		line := trailerName + ":" + trailerValue
		if style == styleMinio {
			b.WriteString(line + "\n\r\n")
		} else {
			b.WriteString(line + "\r\n")
		}
		if seed != "" {
			b.WriteString("x-amz-trailer-signature:" + s.trailerSig(prev, line+"\n") + "\r\n")
		}
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// mustVerify verifies r and fails the test on error.
func mustVerify(t testing.TB, v *Verifier, r *Request) *Auth {
	t.Helper()
	a, err := v.Verify(r)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return a
}

// readPayload reads p to the end and returns the bytes and the final error
// (nil for a clean io.EOF).
func readPayload(p *Payload, bufSize int) ([]byte, error) {
	var out []byte
	buf := make([]byte, bufSize)
	for {
		n, err := p.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}
