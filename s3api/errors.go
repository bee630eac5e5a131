package s3api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

// ErrorCode names one row of the S3 error table.
type ErrorCode int

// The S3 errors Cairn returns. Every code used anywhere in the package is a
// row of errorTable; nothing else chooses an HTTP status for an error.
const (
	ErrInternalError ErrorCode = iota
	ErrAccessDenied
	ErrAuthorizationHeaderMalformed
	ErrAuthorizationQueryParametersError
	ErrBadDigest
	ErrBucketAlreadyExists
	ErrBucketAlreadyOwnedByYou
	ErrBucketNotEmpty
	ErrEntityTooLarge
	ErrExpiredPresignedRequest
	ErrExpiredToken
	ErrIncompleteBody
	ErrInvalidAccessKeyID
	ErrInvalidArgument
	ErrInvalidBucketName
	ErrInvalidChunkSize
	ErrInvalidDigest
	ErrInvalidLocationConstraint
	ErrInvalidRange
	ErrInvalidRequest
	ErrInvalidStorageClass
	ErrInvalidToken
	ErrInvalidURI
	ErrKeyTooLong
	ErrMalformedXML
	ErrMaxMessageLengthExceeded
	ErrMetadataTooLarge
	ErrMethodNotAllowed
	ErrMissingContentLength
	ErrMissingDate
	ErrMissingRequestBody
	ErrNoSuchBucket
	ErrNoSuchKey
	ErrNoSuchVersion
	ErrNotImplemented
	ErrNotModified
	ErrPreconditionFailed
	ErrRequestHeaderSectionTooLarge
	ErrRequestTimeout
	ErrRequestTimeTooSkewed
	ErrServiceUnavailable
	ErrSignatureDoesNotMatch
	ErrUnsupportedSignature
	ErrXAmzContentSHA256Mismatch

	// Versioning, tagging, object lock and lifecycle (issue 4, S-B).
	ErrInvalidTag
	ErrNoSuchTagSet
	ErrObjectLockNotEnabled
	ErrObjectLocked
	ErrNoSuchObjectLockConfiguration
	ErrNoSuchObjectLockRetention
	ErrNoSuchLifecycleConfiguration
	ErrInvalidBucketState

	// Multipart uploads, copies and conditional writes (issue 4, S-A).
	ErrNoSuchUpload
	ErrInvalidPart
	ErrInvalidPartOrder
	ErrEntityTooSmall
	ErrInvalidPartNumber
	ErrConditionalRequestConflict

	// CORS and POST Object (issue 4, S-C).
	ErrNoSuchCORSConfiguration
	ErrCORSBadRequest
	ErrAccessForbidden
	ErrInvalidPolicyDocument
	ErrMalformedPOSTRequest
	ErrMaxPostPreDataLengthExceeded
	ErrIncorrectNumberOfFilesInPostRequest

	// Bucket policies, ACLs, ownership controls and public access block
	// (issue 5).
	ErrNoSuchBucketPolicy
	ErrMalformedPolicy
	ErrMalformedACLError
	ErrUnresolvableGrantByEmailAddress
	ErrAccessControlListNotSupported
	ErrInvalidBucketAclWithObjectOwnership
	ErrNoSuchPublicAccessBlockConfiguration
	ErrOwnershipControlsNotFound

	// Codes of the IAM and STS query APIs (written in their XML error
	// format; see iam_errors.go for how S3 rows read on those APIs).
	ErrIAMNoSuchEntity
	ErrIAMEntityAlreadyExists
	ErrIAMDeleteConflict
	ErrIAMLimitExceeded
	ErrIAMMalformedPolicyDocument
	ErrIAMValidationError
	ErrIAMInvalidInput
	ErrIAMInvalidAction
	ErrIAMMissingAction
	ErrIAMInvalidClientTokenID
	ErrIAMMissingAuthenticationToken
	ErrIAMServiceFailure
	ErrIAMPackedPolicyTooLarge
	errCodeCount // keep last
)

// errorSpec is one row of the S3 error table.
type errorSpec struct {
	Code    string // AWS error code
	Status  int    // HTTP status
	Message string // default message
}

// errorTable is THE table of S3 errors. It is read-only.
var errorTable = [errCodeCount]errorSpec{
	ErrInternalError:                     {"InternalError", http.StatusInternalServerError, "We encountered an internal error. Please try again."},
	ErrAccessDenied:                      {"AccessDenied", http.StatusForbidden, "Access Denied"},
	ErrAuthorizationHeaderMalformed:      {"AuthorizationHeaderMalformed", http.StatusBadRequest, "The authorization header is malformed."},
	ErrAuthorizationQueryParametersError: {"AuthorizationQueryParametersError", http.StatusBadRequest, "Error parsing the X-Amz-Credential parameter."},
	ErrBadDigest:                         {"BadDigest", http.StatusBadRequest, "The Content-MD5 or checksum you specified did not match what we received."},
	ErrBucketAlreadyExists:               {"BucketAlreadyExists", http.StatusConflict, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."},
	ErrBucketAlreadyOwnedByYou:           {"BucketAlreadyOwnedByYou", http.StatusConflict, "Your previous request to create the named bucket succeeded and you already own it."},
	ErrBucketNotEmpty:                    {"BucketNotEmpty", http.StatusConflict, "The bucket you tried to delete is not empty"},
	ErrEntityTooLarge:                    {"EntityTooLarge", http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed object size."},
	ErrExpiredPresignedRequest:           {"AccessDenied", http.StatusForbidden, "Request has expired"},
	ErrExpiredToken:                      {"ExpiredToken", http.StatusBadRequest, "The provided token has expired."},
	ErrIncompleteBody:                    {"IncompleteBody", http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header."},
	ErrInvalidAccessKeyID:                {"InvalidAccessKeyId", http.StatusForbidden, "The AWS Access Key Id you provided does not exist in our records."},
	ErrInvalidArgument:                   {"InvalidArgument", http.StatusBadRequest, "Invalid Argument"},
	ErrInvalidBucketName:                 {"InvalidBucketName", http.StatusBadRequest, "The specified bucket is not valid."},
	ErrInvalidChunkSize:                  {"InvalidChunkSizeError", http.StatusBadRequest, "The aws-chunked encoding of the request body is malformed."},
	ErrInvalidDigest:                     {"InvalidDigest", http.StatusBadRequest, "The Content-MD5 you specified is not valid."},
	ErrInvalidLocationConstraint:         {"InvalidLocationConstraint", http.StatusBadRequest, "The specified location constraint is not valid."},
	ErrInvalidRange:                      {"InvalidRange", http.StatusRequestedRangeNotSatisfiable, "The requested range is not satisfiable"},
	ErrInvalidRequest:                    {"InvalidRequest", http.StatusBadRequest, "Invalid Request"},
	ErrInvalidStorageClass:               {"InvalidStorageClass", http.StatusBadRequest, "The storage class you specified is not valid"},
	ErrInvalidToken:                      {"InvalidToken", http.StatusBadRequest, "The provided token is malformed or otherwise invalid."},
	ErrInvalidURI:                        {"InvalidURI", http.StatusBadRequest, "Couldn't parse the specified URI."},
	ErrKeyTooLong:                        {"KeyTooLongError", http.StatusBadRequest, "Your key is too long"},
	ErrMalformedXML:                      {"MalformedXML", http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema."},
	ErrMaxMessageLengthExceeded:          {"MaxMessageLengthExceeded", http.StatusBadRequest, "Your request was too big."},
	ErrMetadataTooLarge:                  {"MetadataTooLarge", http.StatusBadRequest, "Your metadata headers exceed the maximum allowed metadata size."},
	ErrMethodNotAllowed:                  {"MethodNotAllowed", http.StatusMethodNotAllowed, "The specified method is not allowed against this resource."},
	ErrMissingContentLength:              {"MissingContentLength", http.StatusLengthRequired, "You must provide the Content-Length HTTP header."},
	ErrMissingDate:                       {"AccessDenied", http.StatusForbidden, "AWS authentication requires a valid Date or x-amz-date header"},
	ErrMissingRequestBody:                {"MissingRequestBodyError", http.StatusBadRequest, "Request Body is empty"},
	ErrNoSuchBucket:                      {"NoSuchBucket", http.StatusNotFound, "The specified bucket does not exist"},
	ErrNoSuchKey:                         {"NoSuchKey", http.StatusNotFound, "The specified key does not exist."},
	ErrNoSuchVersion:                     {"NoSuchVersion", http.StatusNotFound, "The specified version does not exist."},
	ErrNotImplemented:                    {"NotImplemented", http.StatusNotImplemented, "A header or query you provided implies functionality that is not implemented."},
	ErrNotModified:                       {"NotModified", http.StatusNotModified, "Not Modified"},
	ErrPreconditionFailed:                {"PreconditionFailed", http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold"},
	ErrRequestHeaderSectionTooLarge:      {"RequestHeaderSectionTooLarge", http.StatusBadRequest, "Your request header section exceeds the maximum allowed size."},
	ErrRequestTimeout:                    {"RequestTimeout", http.StatusBadRequest, "Your socket connection to the server was not read from or written to within the timeout period."},
	ErrRequestTimeTooSkewed:              {"RequestTimeTooSkewed", http.StatusForbidden, "The difference between the request time and the server's time is too large."},
	ErrServiceUnavailable:                {"ServiceUnavailable", http.StatusServiceUnavailable, "Please reduce your request rate."},
	ErrSignatureDoesNotMatch:             {"SignatureDoesNotMatch", http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
	ErrUnsupportedSignature:              {"InvalidRequest", http.StatusBadRequest, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."},
	ErrXAmzContentSHA256Mismatch:         {"XAmzContentSHA256Mismatch", http.StatusBadRequest, "The provided 'x-amz-content-sha256' header does not match what was computed."},

	ErrInvalidTag:                    {"InvalidTag", http.StatusBadRequest, "The tag provided was not a valid tag."},
	ErrNoSuchTagSet:                  {"NoSuchTagSet", http.StatusNotFound, "The TagSet does not exist"},
	ErrObjectLockNotEnabled:          {"InvalidRequest", http.StatusBadRequest, "Bucket is missing Object Lock Configuration"},
	ErrObjectLocked:                  {"AccessDenied", http.StatusForbidden, "Access Denied because object protected by object lock."},
	ErrNoSuchObjectLockConfiguration: {"ObjectLockConfigurationNotFoundError", http.StatusNotFound, "Object Lock configuration does not exist for this bucket"},
	ErrNoSuchObjectLockRetention:     {"NoSuchObjectLockConfiguration", http.StatusNotFound, "The specified object does not have a ObjectLock configuration"},
	ErrNoSuchLifecycleConfiguration:  {"NoSuchLifecycleConfiguration", http.StatusNotFound, "The lifecycle configuration does not exist"},
	ErrInvalidBucketState:            {"InvalidBucketState", http.StatusConflict, "The request is not valid with the current state of the bucket."},

	ErrNoSuchUpload:               {"NoSuchUpload", http.StatusNotFound, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."},
	ErrInvalidPart:                {"InvalidPart", http.StatusBadRequest, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."},
	ErrInvalidPartOrder:           {"InvalidPartOrder", http.StatusBadRequest, "The list of parts was not in ascending order. The parts list must be specified in order by part number."},
	ErrEntityTooSmall:             {"EntityTooSmall", http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed object size."},
	ErrInvalidPartNumber:          {"InvalidPartNumber", http.StatusRequestedRangeNotSatisfiable, "The requested partnumber is not satisfiable"},
	ErrConditionalRequestConflict: {"ConditionalRequestConflict", http.StatusConflict, "A conflicting conditional operation is currently in progress against this resource. Please try again."},

	ErrNoSuchCORSConfiguration:             {"NoSuchCORSConfiguration", http.StatusNotFound, "The CORS configuration does not exist"},
	ErrCORSBadRequest:                      {"BadRequest", http.StatusBadRequest, "Insufficient information. Origin request header needed."},
	ErrAccessForbidden:                     {"AccessForbidden", http.StatusForbidden, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."},
	ErrInvalidPolicyDocument:               {"InvalidPolicyDocument", http.StatusBadRequest, "The content of the form does not meet the conditions specified in the policy document."},
	ErrMalformedPOSTRequest:                {"MalformedPOSTRequest", http.StatusBadRequest, "The body of your POST request is not well-formed multipart/form-data."},
	ErrMaxPostPreDataLengthExceeded:        {"MaxPostPreDataLengthExceededError", http.StatusBadRequest, "Your POST request fields preceding the upload file were too large."},
	ErrIncorrectNumberOfFilesInPostRequest: {"IncorrectNumberOfFilesInPostRequest", http.StatusBadRequest, "POST requires exactly one file upload per request."},

	ErrNoSuchBucketPolicy:                   {"NoSuchBucketPolicy", http.StatusNotFound, "The bucket policy does not exist"},
	ErrMalformedPolicy:                      {"MalformedPolicy", http.StatusBadRequest, "This policy contains invalid Json"},
	ErrMalformedACLError:                    {"MalformedACLError", http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema"},
	ErrUnresolvableGrantByEmailAddress:      {"UnresolvableGrantByEmailAddress", http.StatusBadRequest, "The e-mail address you provided does not match any account on record."},
	ErrAccessControlListNotSupported:        {"AccessControlListNotSupported", http.StatusBadRequest, "The bucket does not allow ACLs"},
	ErrInvalidBucketAclWithObjectOwnership:  {"InvalidBucketAclWithObjectOwnership", http.StatusBadRequest, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"},
	ErrNoSuchPublicAccessBlockConfiguration: {"NoSuchPublicAccessBlockConfiguration", http.StatusNotFound, "The public access block configuration was not found"},
	ErrOwnershipControlsNotFound:            {"OwnershipControlsNotFoundError", http.StatusNotFound, "The bucket ownership controls were not found"},

	ErrIAMNoSuchEntity:               {"NoSuchEntity", http.StatusNotFound, "The request was rejected because it referenced an entity that does not exist."},
	ErrIAMEntityAlreadyExists:        {"EntityAlreadyExists", http.StatusConflict, "The request was rejected because it attempted to create a resource that already exists."},
	ErrIAMDeleteConflict:             {"DeleteConflict", http.StatusConflict, "The request was rejected because it attempted to delete a resource that has attached subordinate entities."},
	ErrIAMLimitExceeded:              {"LimitExceeded", http.StatusConflict, "The request was rejected because it attempted to create resources beyond the current limits."},
	ErrIAMMalformedPolicyDocument:    {"MalformedPolicyDocument", http.StatusBadRequest, "The policy document is malformed."},
	ErrIAMValidationError:            {"ValidationError", http.StatusBadRequest, "The request did not satisfy a parameter constraint."},
	ErrIAMInvalidInput:               {"InvalidInput", http.StatusBadRequest, "The request was rejected because an invalid or out-of-range value was supplied for an input parameter."},
	ErrIAMInvalidAction:              {"InvalidAction", http.StatusBadRequest, "The action or operation requested is invalid."},
	ErrIAMMissingAction:              {"MissingAction", http.StatusBadRequest, "The request is missing an action or a required parameter."},
	ErrIAMInvalidClientTokenID:       {"InvalidClientTokenId", http.StatusForbidden, "The security token included in the request is invalid."},
	ErrIAMMissingAuthenticationToken: {"MissingAuthenticationToken", http.StatusForbidden, "Request is missing Authentication Token"},
	ErrIAMServiceFailure:             {"ServiceFailure", http.StatusInternalServerError, "The request processing has failed because of an unknown error, exception or failure."},
	ErrIAMPackedPolicyTooLarge:       {"PackedPolicyTooLarge", http.StatusBadRequest, "The session policy is too large."},
}

// spec returns the AWS code, HTTP status and default message of c.
func (c ErrorCode) spec() errorSpec {
	if c < 0 || c >= errCodeCount {
		return errorTable[ErrInternalError]
	}
	return errorTable[c]
}

// Error is an S3 error on its way to the client: a row of the table, an
// optional message more precise than the default, and the cause (for logs).
type Error struct {
	Code ErrorCode
	// Message overrides the table's default message when not empty.
	Message string
	// Extra holds additional elements AWS puts in some errors
	// (ArgumentName, Condition, ...), written in order.
	Extra []xmlField
	// Header holds response headers the error carries (Content-Range of a
	// 416, x-amz-delete-marker of a NoSuchKey, ...).
	Header []headerKV
	// Err is the underlying cause; it is logged, never sent.
	Err error
}

// xmlField is one extra child element of an <Error>.
type xmlField struct{ Name, Value string }

func (e *Error) Error() string {
	sp := e.Code.spec()
	msg := e.message()
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", sp.Code, msg, e.Err)
	}
	return sp.Code + ": " + msg
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) message() string {
	if e.Message != "" {
		return e.Message
	}
	return e.Code.spec().Message
}

// Status is the HTTP status of the error.
func (e *Error) Status() int { return e.Code.spec().Status }

// s3err returns an error with the table's default message.
func s3err(code ErrorCode) *Error { return &Error{Code: code} }

// s3errf returns an error with a specific message.
func s3errf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// with adds an element to the error (e.g. ArgumentName) and returns it.
func (e *Error) with(name, value string) *Error {
	e.Extra = append(e.Extra, xmlField{name, value})
	return e
}

// withHeader adds a response header to the error and returns it.
func (e *Error) withHeader(name, value string) *Error {
	e.Header = append(e.Header, headerKV{name: name, value: value})
	return e
}

// errAuthzDenied is what the wrapper returns when the authorizer says no.
var errAuthzDenied = errors.New("s3api: authorization denied")

// sentinelCodes maps errors of the layers below to S3 codes. Order matters
// only where one error could wrap two sentinels: earlier rows win.
//
// detail marks rows whose error text is written for clients (IAM
// validation verdicts: "policy document: Statement[0]: unknown action
// s3:Frob"): the message sent is the error's text, without the sentinel's
// own prefix. Such errors never carry secrets.
var sentinelCodes = []struct {
	err    error
	code   ErrorCode
	msg    string
	detail bool
}{
	{errAuthzDenied, ErrAccessDenied, "", false},

	// IAM verdicts of the identity service and of package iam.
	{meta.ErrNoSuchEntity, ErrIAMNoSuchEntity, "", true},
	{meta.ErrEntityAlreadyExists, ErrIAMEntityAlreadyExists, "", true},
	{meta.ErrDeleteConflict, ErrIAMDeleteConflict, "", true},
	{meta.ErrLimitExceeded, ErrIAMLimitExceeded, "", true},
	{meta.ErrAccessDenied, ErrAccessDenied, "", true},
	{iam.ErrNoSuchEntity, ErrIAMNoSuchEntity, "", true},
	{iam.ErrMalformedPolicy, ErrIAMMalformedPolicyDocument, "", true},
	{iam.ErrPolicyTooLarge, ErrIAMLimitExceeded, "", true},
	{iam.ErrInvalidInput, ErrIAMValidationError, "", true},

	{meta.ErrNoSuchBucket, ErrNoSuchBucket, "", false},
	{meta.ErrBucketExists, ErrBucketAlreadyExists, "", false},
	{meta.ErrInvalidBucketName, ErrInvalidBucketName, "", false},
	{meta.ErrInvalidArgument, ErrInvalidArgument, "", false},
	{meta.ErrStateFailed, ErrServiceUnavailable, "The control plane is unavailable.", false},
	{meta.ErrClosed, ErrServiceUnavailable, "The server is shutting down.", false},

	{data.ErrObjectNotFound, ErrNoSuchKey, "", false},
	{data.ErrVersionNotFound, ErrNoSuchVersion, "", false},
	{data.ErrIncompleteBody, ErrIncompleteBody, "", false},
	{data.ErrBodyTooLong, ErrInvalidRequest, "The request body is longer than its declared length.", false},
	{data.ErrReadQuorum, ErrServiceUnavailable, "Not enough drives are online to serve the request.", false},
	{data.ErrWriteQuorum, ErrServiceUnavailable, "Not enough drives are online to store the object.", false},
	{data.ErrDriveOffline, ErrServiceUnavailable, "Not enough drives are online.", false},
	// A missing part of a read wraps ErrInvalidRange too: this row first.
	{data.ErrInvalidPartNumber, ErrInvalidPartNumber, "", false},
	{data.ErrInvalidRange, ErrInvalidRange, "", false},
	{data.ErrDeleteMarker, ErrMethodNotAllowed, "", false},
	{data.ErrObjectLocked, ErrObjectLocked, "", false},
	{data.ErrInvalidObjectName, ErrInvalidArgument, "The bucket or object name cannot be stored.", false},
	{data.ErrInvalidParity, ErrInvalidStorageClass, "", false},
	{data.ErrNoSuchUpload, ErrNoSuchUpload, "", false},
	{data.ErrInvalidPart, ErrInvalidPart, "", false},
	{data.ErrInvalidPartOrder, ErrInvalidPartOrder, "", false},
	{data.ErrEntityTooSmall, ErrEntityTooSmall, "", false},
	{data.ErrPreconditionFailed, ErrPreconditionFailed, "", false},
	{data.ErrConditionalConflict, ErrConditionalRequestConflict, "", false},

	// Specific sigv4 errors wrap more general ones: they come first.
	{sigv4.ErrPostFormMalformed, ErrInvalidArgument, "", true},
	{sigv4.ErrHeadersNotSigned, ErrAccessDenied, "There were headers present in the request which were not signed.", false},
	{sigv4.ErrRequestNotYetValid, ErrAccessDenied, "Request is not valid yet.", false},
	{sigv4.ErrAuthorizationHeaderMalformed, ErrAuthorizationHeaderMalformed, "", false},
	{sigv4.ErrAuthorizationQueryMalformed, ErrAuthorizationQueryParametersError, "", false},
	{sigv4.ErrUnsupportedSignature, ErrUnsupportedSignature, "", false},
	{sigv4.ErrInvalidAccessKeyID, ErrInvalidAccessKeyID, "", false},
	{sigv4.ErrSignatureDoesNotMatch, ErrSignatureDoesNotMatch, "", false},
	{sigv4.ErrRequestTimeTooSkewed, ErrRequestTimeTooSkewed, "", false},
	{sigv4.ErrMissingDate, ErrMissingDate, "", false},
	{sigv4.ErrPresignExpired, ErrExpiredPresignedRequest, "", false},
	{sigv4.ErrInvalidSessionToken, ErrInvalidToken, "", false},
	{sigv4.ErrExpiredToken, ErrExpiredToken, "", false},
	{sigv4.ErrContentSHA256Mismatch, ErrXAmzContentSHA256Mismatch, "", false},
	{sigv4.ErrInvalidContentSHA256, ErrInvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value, or a valid SHA-256 value.", false},
	{sigv4.ErrInvalidDigest, ErrInvalidDigest, "", false},
	{sigv4.ErrBadDigest, ErrBadDigest, "The Content-MD5 you specified did not match what we received.", false},
	{sigv4.ErrInvalidChecksum, ErrInvalidRequest, "The x-amz-checksum value or algorithm you specified is not valid.", false},
	{sigv4.ErrChecksumMismatch, ErrBadDigest, "The checksum you specified did not match the calculated checksum.", false},
	{sigv4.ErrChunkMalformed, ErrInvalidChunkSize, "", false},
	{sigv4.ErrChunkSignature, ErrSignatureDoesNotMatch, "The chunk signature we calculated does not match the signature you provided.", false},
	{sigv4.ErrIncompleteBody, ErrIncompleteBody, "", false},
	{sigv4.ErrMissingContentLength, ErrMissingContentLength, "", false},

	// A client that stops sending mid-body.
	{io.ErrUnexpectedEOF, ErrIncompleteBody, "", false},
	{context.DeadlineExceeded, ErrRequestTimeout, "", false},
}

// toS3Error is the one place an error becomes an S3 error. *Error values
// pass through; sentinels of the layers below are matched with errors.Is;
// anything else is an InternalError (its text is logged, never sent).
func toS3Error(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	for _, m := range sentinelCodes {
		if errors.Is(err, m.err) {
			e := &Error{Code: m.code, Message: m.msg, Err: err}
			if m.detail {
				e.Message = clientMessage(err, m.err)
			}
			// Like S3, show the client what the server signed so it can
			// find where its signing differs. Neither holds a secret.
			var se *sigv4.SignatureError
			if errors.As(err, &se) {
				e.with("StringToSign", se.StringToSign).with("CanonicalRequest", se.CanonicalRequest)
			}
			return e
		}
	}
	return &Error{Code: ErrInternalError, Err: err}
}
