package s3api

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

func TestErrorTableComplete(t *testing.T) {
	for c := ErrorCode(0); c < errCodeCount; c++ {
		sp := errorTable[c]
		if sp.Code == "" || sp.Message == "" || http.StatusText(sp.Status) == "" {
			t.Errorf("error code %d has an incomplete row: %+v", c, sp)
		}
	}
}

func TestToS3Error(t *testing.T) {
	tests := []struct {
		err    error
		code   string
		status int
	}{
		{meta.ErrNoSuchBucket, "NoSuchBucket", 404},
		{fmt.Errorf("create: %w", meta.ErrBucketExists), "BucketAlreadyExists", 409},
		{data.ErrObjectNotFound, "NoSuchKey", 404},
		{data.ErrVersionNotFound, "NoSuchVersion", 404},
		{fmt.Errorf("put: %w", data.ErrIncompleteBody), "IncompleteBody", 400},
		{data.ErrWriteQuorum, "ServiceUnavailable", 503},
		{data.ErrReadQuorum, "ServiceUnavailable", 503},
		{data.ErrDeleteMarker, "MethodNotAllowed", 405},
		{sigv4.ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", 403},
		{sigv4.ErrInvalidAccessKeyID, "InvalidAccessKeyId", 403},
		{sigv4.ErrRequestTimeTooSkewed, "RequestTimeTooSkewed", 403},
		{sigv4.ErrPresignExpired, "AccessDenied", 403},
		{sigv4.ErrMissingDate, "AccessDenied", 403},
		{sigv4.ErrAuthorizationHeaderMalformed, "AuthorizationHeaderMalformed", 400},
		{sigv4.ErrAuthorizationQueryMalformed, "AuthorizationQueryParametersError", 400},
		{sigv4.ErrUnsupportedSignature, "InvalidRequest", 400},
		{sigv4.ErrInvalidSessionToken, "InvalidToken", 400},
		// Body verification errors arrive wrapped by the object layer.
		{fmt.Errorf("data: write block: %w", sigv4.ErrContentSHA256Mismatch), "XAmzContentSHA256Mismatch", 400},
		{fmt.Errorf("x: %w", sigv4.ErrBadDigest), "BadDigest", 400},
		{sigv4.ErrInvalidDigest, "InvalidDigest", 400},
		{sigv4.ErrChecksumMismatch, "BadDigest", 400},
		{sigv4.ErrInvalidChecksum, "InvalidRequest", 400},
		{sigv4.ErrChunkMalformed, "InvalidChunkSizeError", 400},
		{sigv4.ErrChunkSignature, "SignatureDoesNotMatch", 403},
		{sigv4.ErrIncompleteBody, "IncompleteBody", 400},
		{sigv4.ErrMissingContentLength, "MissingContentLength", 411},
		{sigv4.ErrHeadersNotSigned, "AccessDenied", 403},
		{sigv4.ErrRequestNotYetValid, "AccessDenied", 403},
		{io.ErrUnexpectedEOF, "IncompleteBody", 400},
		{context.DeadlineExceeded, "RequestTimeout", 400},
		{&Error{Code: ErrAccessDenied, Err: errAuthzDenied}, "AccessDenied", 403},
		{fmt.Errorf("%w: no policy", errAuthzDenied), "AccessDenied", 403},
		{fmt.Errorf("wrapped: %w", s3err(ErrNoSuchKey)), "NoSuchKey", 404},
		{errors.New("disk on fire"), "InternalError", 500},
	}
	for _, tc := range tests {
		e := toS3Error(tc.err)
		if got := e.Code.spec().Code; got != tc.code || e.Status() != tc.status {
			t.Errorf("%v: got %s/%d, want %s/%d", tc.err, got, e.Status(), tc.code, tc.status)
		}
	}
	if toS3Error(nil) != nil {
		t.Error("toS3Error(nil) != nil")
	}
}

func TestSignatureErrorDetails(t *testing.T) {
	se := &sigv4.SignatureError{CanonicalRequest: "GET\n/\n", StringToSign: "AWS4-HMAC-SHA256\n..."}
	e := toS3Error(fmt.Errorf("verify: %w", se))
	if e.Code != ErrSignatureDoesNotMatch {
		t.Fatalf("code %v", e.Code)
	}
	body := errorBody(e, "/b", "REQ", "HOST")
	var doc struct {
		Code             string
		StringToSign     string
		CanonicalRequest string
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Code != "SignatureDoesNotMatch" || doc.CanonicalRequest != se.CanonicalRequest || doc.StringToSign != se.StringToSign {
		t.Errorf("error body %s", body)
	}
}

func TestErrorBody(t *testing.T) {
	e := s3errf(ErrNoSuchKey, "no <such> key").with("Key", "a&b")
	body := errorBody(e, "/bucket/a&b", "REQID", "HOST")
	var doc struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		Key       string
		Resource  string
		RequestID string `xml:"RequestId"`
		HostID    string `xml:"HostId"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	if doc.Code != "NoSuchKey" || doc.Message != "no <such> key" || doc.Key != "a&b" ||
		doc.Resource != "/bucket/a&b" || doc.RequestID != "REQID" || doc.HostID != "HOST" {
		t.Errorf("decoded %+v from %s", doc, body)
	}
}
