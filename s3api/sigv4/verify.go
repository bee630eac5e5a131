package sigv4

import (
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	sha256 "github.com/minio/sha256-simd"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/s3api/internal/md5lanes"
)

const (
	defaultMaxSkew = 15 * time.Minute

	unsignedPayload          = "UNSIGNED-PAYLOAD"
	streamingSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	emptySHA256              = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// signingState is what a verified request leaves for its body: the key and
// the chain of signatures that aws-chunked bodies continue, and the body
// hash that x-amz-content-sha256 promised.
type signingState struct {
	key [32]byte
	// seed is the request signature; the first chunk signature chains
	// from it.
	seed [32]byte
	// timestamp (ISO 8601 basic) and scope ("date/region/service/aws4_request")
	// are repeated in every chunk's string to sign.
	timestamp, scope string
	// contentSHA256 is the body hash that PayloadSigned promises.
	contentSHA256 [32]byte
}

// SignatureError is a signature mismatch. Like S3 it carries the canonical
// request and string to sign the server computed, so a client can see
// where it differs; neither holds the secret or the expected signature.
type SignatureError struct {
	CanonicalRequest string
	StringToSign     string
}

func (e *SignatureError) Error() string {
	return ErrSignatureDoesNotMatch.Error() + ": the request signature does not match the signature computed from the request and the secret key; check the key and the signing method"
}

func (e *SignatureError) Unwrap() error { return ErrSignatureDoesNotMatch }

// NewVerifier returns a Verifier over a credential store with AWS's
// 15-minute clock skew.
func NewVerifier(creds iam.CredentialLookup) *Verifier {
	return &Verifier{Creds: creds, MaxSkew: defaultMaxSkew, MD5: md5lanes.NewLanes()}
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return defaultMaxSkew
}

// Verify authenticates a request. It returns an anonymous Auth for a
// request that carries no signature at all, and an error wrapping one of
// the package's errors for anything signed that does not verify.
func (v *Verifier) Verify(r *Request) (*Auth, error) {
	a, err := v.verify(r)
	if a != nil {
		a.lanes = v.MD5
	}
	return a, err
}

func (v *Verifier) verify(r *Request) (*Auth, error) {
	authz := r.Header("authorization")
	presigned := queryHasKey(r.RawQuery, "X-Amz-Algorithm")
	switch {
	case authz != "" && presigned:
		return nil, malformed(ErrAuthorizationQueryMalformed, "only one auth mechanism allowed: the Authorization header or the X-Amz-Algorithm query parameter")
	case authz != "":
		return v.verifyHeader(r, authz)
	case presigned:
		return v.verifyPresigned(r)
	case queryHasKey(r.RawQuery, "AWSAccessKeyId"):
		return nil, fmt.Errorf("%w: AWS Signature Version 2 query authentication is not supported, use Signature Version 4", ErrUnsupportedSignature)
	}
	a := &Auth{Anonymous: true, Payload: PayloadUnsigned}
	if r.Header("x-amz-content-sha256") == streamingUnsignedTrailer {
		a.Payload = PayloadStreamingUnsignedTrailer
	}
	return a, nil
}

func (v *Verifier) verifyHeader(r *Request, authz string) (*Auth, error) {
	h, err := parseAuthorization(authz)
	if err != nil {
		return nil, err
	}
	ts, t, err := requestTime(r)
	if err != nil {
		return nil, err
	}
	if ts[:8] != h.date {
		return nil, malformed(ErrAuthorizationHeaderMalformed, "credential date %s does not match the request date %s", h.date, ts[:8])
	}
	now := v.now()
	if d := now.Sub(t); d > v.maxSkew() || d < -v.maxSkew() {
		return nil, fmt.Errorf("%w: the request time %s differs from the server time %s by more than %s",
			ErrRequestTimeTooSkewed, ts, now.UTC().Format(iso8601Basic), v.maxSkew())
	}
	payloadHash, mode, err := headerPayload(r)
	if err != nil {
		return nil, err
	}
	cred, err := v.lookup(h.accessKey, r.Header("x-amz-security-token"))
	if err != nil {
		return nil, err
	}
	a := &Auth{Credential: cred, Payload: mode, Region: h.region, Service: h.service}
	var cached bool
	a.st.key, cached = v.vs.keys.signingKey(cred.SecretKey, h.date, h.region, h.service)
	a.st.timestamp, a.st.scope = ts, h.text
	in := canonInput{ts: ts, scope: h.text, signedHeaders: h.signedHeaders, payloadHash: payloadHash}
	unsigned, err := v.checkSignature(r, &in, &a.st.key, &h.signature, ErrAuthorizationHeaderMalformed)
	if err != nil {
		return nil, err
	}
	if !cached {
		v.vs.keys.remember(cred.SecretKey, h.date, h.region, h.service, a.st.key)
	}
	if err := checkSessionToken(&cred, r.Header("x-amz-security-token")); err != nil {
		return nil, err
	}
	if unsigned != "" {
		return nil, fmt.Errorf("%w: %s", ErrHeadersNotSigned, clip(unsigned))
	}
	a.st.seed = h.signature
	if mode == PayloadSigned {
		decodeHex32(payloadHash, &a.st.contentSHA256)
	}
	return a, nil
}

func (v *Verifier) verifyPresigned(r *Request) (*Auth, error) {
	p, err := parsePresign(r.RawQuery)
	if err != nil {
		return nil, err
	}
	sc, err := parseCredential(p.credential, ErrAuthorizationQueryMalformed)
	if err != nil {
		return nil, err
	}
	t, ok := parseAmzDate(p.date)
	if !ok {
		return nil, malformed(ErrAuthorizationQueryMalformed, "X-Amz-Date %q must be in ISO 8601 basic format (yyyymmddThhmmssZ)", clip(p.date))
	}
	if p.date[:8] != sc.date {
		return nil, malformed(ErrAuthorizationQueryMalformed, "credential date %s does not match X-Amz-Date %s", sc.date, p.date[:8])
	}
	expires, err := parseExpires(p.expires)
	if err != nil {
		return nil, err
	}
	var sig [32]byte
	if err := parseSignature(p.signature, &sig); err != nil {
		return nil, malformed(ErrAuthorizationQueryMalformed, "X-Amz-Signature: %v", err)
	}
	now := v.now()
	if t.Sub(now) > v.maxSkew() {
		return nil, fmt.Errorf("%w: X-Amz-Date %s is in the future", ErrRequestNotYetValid, p.date)
	}
	if now.After(t.Add(expires)) {
		return nil, fmt.Errorf("%w: expired at %s, server time %s", ErrPresignExpired,
			t.Add(expires).Format(iso8601Basic), now.UTC().Format(iso8601Basic))
	}
	// A presigned URL signs no body unless the signer chose to bind one
	// with X-Amz-Content-Sha256.
	payloadHash, mode := unsignedPayload, PayloadUnsigned
	if p.hasContentSHA256 {
		var sum [32]byte
		switch {
		case p.contentSHA256 == unsignedPayload:
		case decodeHex32(p.contentSHA256, &sum):
			payloadHash, mode = p.contentSHA256, PayloadSigned
		default:
			return nil, fmt.Errorf("%w: X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or a hex SHA-256", ErrInvalidContentSHA256)
		}
	}
	if mode == PayloadUnsigned && r.Header("x-amz-content-sha256") == streamingUnsignedTrailer {
		mode = PayloadStreamingUnsignedTrailer
	}
	cred, err := v.lookup(sc.accessKey, p.securityToken)
	if err != nil {
		return nil, err
	}
	a := &Auth{Credential: cred, Presigned: true, Payload: mode, Region: sc.region, Service: sc.service}
	var cached bool
	a.st.key, cached = v.vs.keys.signingKey(cred.SecretKey, sc.date, sc.region, sc.service)
	a.st.timestamp, a.st.scope = p.date, sc.text
	in := canonInput{ts: p.date, scope: sc.text, signedHeaders: p.signedHeaders, payloadHash: payloadHash, presigned: true}
	unsigned, err := v.checkSignature(r, &in, &a.st.key, &sig, ErrAuthorizationQueryMalformed)
	if err != nil {
		return nil, err
	}
	if !cached {
		v.vs.keys.remember(cred.SecretKey, sc.date, sc.region, sc.service, a.st.key)
	}
	if err := checkSessionToken(&cred, p.securityToken); err != nil {
		return nil, err
	}
	if unsigned != "" {
		return nil, fmt.Errorf("%w: %s", ErrHeadersNotSigned, clip(unsigned))
	}
	a.st.seed = sig
	if mode == PayloadSigned {
		decodeHex32(payloadHash, &a.st.contentSHA256)
	}
	return a, nil
}

func (v *Verifier) lookup(accessKey, sessionToken string) (iam.Credential, error) {
	cred, err := v.Creds.LookupCredential(accessKey, sessionToken)
	if err == nil {
		return cred, nil
	}
	switch {
	case errors.Is(err, iam.ErrNoSuchAccessKey) || errors.Is(err, iam.ErrAccessKeyDisabled):
		return cred, fmt.Errorf("%w: %w", ErrInvalidAccessKeyID, err)
	case errors.Is(err, iam.ErrExpiredToken):
		return cred, fmt.Errorf("%w: %w", ErrExpiredToken, err)
	case errors.Is(err, iam.ErrInvalidToken):
		return cred, fmt.Errorf("%w: %w", ErrInvalidSessionToken, err)
	}
	return cred, fmt.Errorf("sigv4: looking up access key: %w", err)
}

// requestTime returns the request timestamp in ISO 8601 basic format
// (exactly as the client signed it when it came from x-amz-date) and as a
// time.
func requestTime(r *Request) (string, time.Time, error) {
	if s := r.Header("x-amz-date"); s != "" {
		t, ok := parseAmzDate(s)
		if !ok {
			return "", t, fmt.Errorf("%w: x-amz-date %q must be in ISO 8601 basic format (yyyymmddThhmmssZ)", ErrMissingDate, clip(s))
		}
		return s, t, nil
	}
	if s := r.Header("date"); s != "" {
		t, err := http.ParseTime(s)
		if err != nil {
			return "", t, fmt.Errorf("%w: Date %q is not an HTTP date", ErrMissingDate, clip(s))
		}
		t = t.UTC()
		return t.Format(iso8601Basic), t, nil
	}
	return "", time.Time{}, fmt.Errorf("%w: AWS authentication requires a valid Date or x-amz-date header", ErrMissingDate)
}

// headerPayload reads x-amz-content-sha256 for header authentication.
func headerPayload(r *Request) (string, PayloadMode, error) {
	v := r.Header("x-amz-content-sha256")
	var sum [32]byte
	switch {
	case v == "":
		// Non-S3 services (IAM, STS) sign the body hash without the header.
		if len(r.Body) == 0 {
			return emptySHA256, PayloadSigned, nil
		}
		sum = sha256.Sum256(r.Body)
		return hex.EncodeToString(sum[:]), PayloadSigned, nil
	case v == unsignedPayload:
		return v, PayloadUnsigned, nil
	case v == streamingSigned:
		return v, PayloadStreamingSigned, nil
	case v == streamingSignedTrailer:
		return v, PayloadStreamingSignedTrailer, nil
	case v == streamingUnsignedTrailer:
		return v, PayloadStreamingUnsignedTrailer, nil
	case decodeHex32(v, &sum):
		return v, PayloadSigned, nil
	case len(v) > 10 && v[:10] == "STREAMING-":
		return "", 0, fmt.Errorf("%w: x-amz-content-sha256 %q is not supported", ErrUnsupportedSignature, clip(v))
	}
	return "", 0, fmt.Errorf("%w: x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value or a hex SHA-256", ErrInvalidContentSHA256)
}

// checkSessionToken requires STS credentials to come with their token, and
// long-term credentials to come without one.
func checkSessionToken(cred *iam.Credential, token string) error {
	switch {
	case cred.SessionToken == "" && token == "":
		return nil
	case cred.SessionToken == "":
		return fmt.Errorf("%w: a security token was sent with a long-term access key", ErrInvalidSessionToken)
	case token == "":
		return fmt.Errorf("%w: temporary credentials require x-amz-security-token", ErrInvalidSessionToken)
	case subtle.ConstantTimeCompare([]byte(cred.SessionToken), []byte(token)) != 1:
		return fmt.Errorf("%w: the security token does not belong to the access key", ErrInvalidSessionToken)
	}
	return nil
}
