package sigv4

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/s3api/internal/md5lanes"
)

// Request is the part of an HTTP request that a signature covers. It is
// independent of any HTTP library.
type Request struct {
	Method string
	// RawPath is the escaped path exactly as it came on the wire: no
	// decoding, no "//" or ".." normalisation.
	RawPath string
	// RawQuery is the query string exactly as on the wire, without "?".
	RawQuery string
	// Header returns a request header by case-insensitive name ("" if absent).
	// The Host header is asked for as "host".
	Header func(name string) string

	// EachHeader, when set, calls fn once for every header line of the
	// request (any name case, Host included). Verify then signs repeated
	// headers as AWS does (values joined by ",") and refuses x-amz-*
	// headers the signature does not cover, as S3 does. When nil, Header
	// is used alone and those two checks are skipped.
	EachHeader func(fn func(name, value string))

	// Body is the whole request body when the caller has already buffered
	// it (IAM/STS form POSTs). Clients of those services sign the body's
	// SHA-256 without sending x-amz-content-sha256, so Verify needs it.
	// When x-amz-content-sha256 is absent and Body is nil, the body is
	// taken to be empty (and NewPayload enforces that).
	Body []byte

	// Strings returned by Header or passed by EachHeader must stay valid
	// and unchanged until the request is finished: Auth and Payload keep
	// substrings of them.
}

// PayloadMode is how the body is protected (x-amz-content-sha256).
type PayloadMode int

const (
	// PayloadSigned: x-amz-content-sha256 is the hex SHA-256 of the body.
	PayloadSigned PayloadMode = iota
	// PayloadUnsigned: UNSIGNED-PAYLOAD (also presigned URLs and anonymous
	// requests, unless they send an aws-chunked unsigned-trailer body).
	PayloadUnsigned
	// PayloadStreamingSigned: STREAMING-AWS4-HMAC-SHA256-PAYLOAD.
	PayloadStreamingSigned
	// PayloadStreamingSignedTrailer: STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER.
	PayloadStreamingSignedTrailer
	// PayloadStreamingUnsignedTrailer: STREAMING-UNSIGNED-PAYLOAD-TRAILER.
	PayloadStreamingUnsignedTrailer
)

// Auth is a verified request: who signed it and how its body is protected.
type Auth struct {
	// Credential is the signer's credential; zero for anonymous requests.
	Credential iam.Credential
	Anonymous  bool
	Presigned  bool
	Payload    PayloadMode
	// Region is the region of the credential scope (may be empty).
	Region string
	// Service is the service of the credential scope: "s3", "iam", "sts".
	Service string

	st signingState
	// lanes hash large bodies' MD5 (Verifier.MD5); nil: crypto/md5.
	lanes *md5lanes.Lanes
}

// Verifier authenticates requests against a credential store. It is safe
// for concurrent use; it must not be copied after first use (it holds a
// cache of derived signing keys).
type Verifier struct {
	Creds iam.CredentialLookup
	// MaxSkew is the accepted clock difference (AWS: 15 minutes); zero
	// means 15 minutes.
	MaxSkew time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MD5, when set, hashes the MD5 (ETag) of large bodies on vector lanes
	// shared by all requests (see package md5lanes); nil: crypto/md5.
	MD5 *md5lanes.Lanes

	vs verifierState
}

// Payload wraps a request body. It decodes aws-chunked framing, verifies
// chunk signatures, the content SHA-256, Content-MD5 and x-amz-checksum-*
// (header or trailer), and computes the MD5 used as ETag, in one pass.
//
// When a verification fails, Read returns an error wrapping one of the
// errors below instead of io.EOF, so a writer that reads to EOF before
// committing never commits a body that did not verify.
type Payload struct {
	r io.Reader
	p payloadState
}

// Errors, mapped to S3 error codes by the API layer.
var (
	ErrAuthorizationHeaderMalformed = errors.New("sigv4: authorization header malformed")
	ErrAuthorizationQueryMalformed  = errors.New("sigv4: authorization query parameters malformed")
	ErrUnsupportedSignature         = errors.New("sigv4: unsupported signature version or algorithm")
	ErrInvalidAccessKeyID           = errors.New("sigv4: access key does not exist")
	ErrSignatureDoesNotMatch        = errors.New("sigv4: signature does not match")
	ErrRequestTimeTooSkewed         = errors.New("sigv4: request time too skewed")
	ErrMissingDate                  = errors.New("sigv4: missing x-amz-date or date")
	ErrPresignExpired               = errors.New("sigv4: request has expired")
	ErrInvalidSessionToken          = errors.New("sigv4: invalid security token")
	ErrExpiredToken                 = errors.New("sigv4: security token has expired")
	// Payload errors.
	ErrContentSHA256Mismatch = errors.New("sigv4: x-amz-content-sha256 does not match body")
	ErrInvalidContentSHA256  = errors.New("sigv4: x-amz-content-sha256 is malformed")
	ErrInvalidDigest         = errors.New("sigv4: Content-MD5 is malformed")
	ErrBadDigest             = errors.New("sigv4: Content-MD5 does not match body")
	ErrInvalidChecksum       = errors.New("sigv4: x-amz-checksum value or algorithm is invalid")
	ErrChecksumMismatch      = errors.New("sigv4: x-amz-checksum does not match body")
	ErrChunkMalformed        = errors.New("sigv4: aws-chunked body is malformed")
	ErrChunkSignature        = errors.New("sigv4: chunk signature does not match")
	ErrIncompleteBody        = errors.New("sigv4: body shorter than declared length")
	ErrMissingContentLength  = errors.New("sigv4: missing content length")
)

// Refinements of the errors above: they wrap them, so a caller that knows
// only the errors above still maps them to the right class of S3 error.
var (
	// ErrHeadersNotSigned: x-amz-* headers present but not signed (S3
	// answers AccessDenied "There were headers present in the request
	// which were not signed").
	ErrHeadersNotSigned = fmt.Errorf("%w: headers present in the request were not signed", ErrSignatureDoesNotMatch)
	// ErrRequestNotYetValid: a presigned URL dated in the future (S3
	// answers AccessDenied "Request is not valid yet").
	ErrRequestNotYetValid = fmt.Errorf("%w: request is not valid yet", ErrRequestTimeTooSkewed)
)
