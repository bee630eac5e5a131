package s3api

import (
	"encoding/xml"
	"errors"
	"fmt"
	"testing"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

func TestIAMErrorMapping(t *testing.T) {
	tests := []struct {
		err    error
		code   string
		status int
		msg    string // "" = the table's default message
	}{
		{fmt.Errorf("%w: the user with name bob cannot be found", meta.ErrNoSuchEntity), "NoSuchEntity", 404, "The user with name bob cannot be found"},
		{fmt.Errorf("create: %w", meta.ErrNoSuchEntity), "NoSuchEntity", 404, ""},
		{fmt.Errorf("%w: user bob exists", meta.ErrEntityAlreadyExists), "EntityAlreadyExists", 409, "User bob exists"},
		{fmt.Errorf("%w: user bob has 2 access keys", meta.ErrDeleteConflict), "DeleteConflict", 409, "User bob has 2 access keys"},
		{fmt.Errorf("%w: 2 access keys per user", meta.ErrLimitExceeded), "LimitExceeded", 409, "2 access keys per user"},
		{fmt.Errorf("%w: builtin policy readonly cannot be deleted", meta.ErrAccessDenied), "AccessDenied", 403, "Builtin policy readonly cannot be deleted"},
		{fmt.Errorf("%w: Statement[0]: unknown action s3:Frob", iam.ErrMalformedPolicy), "MalformedPolicyDocument", 400, "Statement[0]: unknown action s3:Frob"},
		{fmt.Errorf("%w: 3000 characters, limit 2048", iam.ErrPolicyTooLarge), "LimitExceeded", 409, "3000 characters, limit 2048"},
		{fmt.Errorf("%w: user name has a space", iam.ErrInvalidInput), "ValidationError", 400, "User name has a space"},
		{fmt.Errorf("%w: role x", iam.ErrNoSuchEntity), "NoSuchEntity", 404, "Role x"},
		// S3 rows read as IAM spells them.
		{sigv4.ErrInvalidAccessKeyID, "InvalidClientTokenId", 403, ""},
		{sigv4.ErrInvalidSessionToken, "InvalidClientTokenId", 403, ""},
		{sigv4.ErrExpiredToken, "ExpiredToken", 400, ""},
		{sigv4.ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", 403, ""},
		{errors.New("disk on fire"), "ServiceFailure", 500, ""},
		{iamErrf(ErrIAMInvalidAction, "x"), "InvalidAction", 400, "x"},
		{&Error{Code: ErrIAMMissingAuthenticationToken}, "MissingAuthenticationToken", 403, ""},
	}
	for _, tc := range tests {
		e := toS3Error(tc.err)
		e.Code = queryCode(e.Code)
		sp := e.Code.spec()
		if sp.Code != tc.code || sp.Status != tc.status {
			t.Errorf("%v: %s %d, want %s %d", tc.err, sp.Code, sp.Status, tc.code, tc.status)
		}
		want := tc.msg
		if want == "" {
			want = sp.Message
		}
		if e.message() != want {
			t.Errorf("%v: message %q, want %q", tc.err, e.message(), want)
		}
	}
}

// S3 requests keep S3's spelling of the same failures.
func TestS3KeepsS3Codes(t *testing.T) {
	if c := toS3Error(sigv4.ErrInvalidAccessKeyID).Code.spec().Code; c != "InvalidAccessKeyId" {
		t.Errorf("S3 code %s", c)
	}
	if c := toS3Error(errors.New("x")).Code.spec().Code; c != "InternalError" {
		t.Errorf("S3 code %s", c)
	}
}

func TestQueryErrorBody(t *testing.T) {
	tests := []struct {
		e    *Error
		ns   string
		typ  string
		code string
	}{
		{iamErrf(ErrIAMNoSuchEntity, "The user with name a<b cannot be found."), iamNS, "Sender", "NoSuchEntity"},
		{&Error{Code: ErrIAMServiceFailure}, stsNS, "Receiver", "ServiceFailure"},
	}
	for _, tc := range tests {
		body := queryErrorBody(tc.e, tc.ns, "REQ1")
		var doc struct {
			XMLName xml.Name `xml:"ErrorResponse"`
			Error   struct {
				Type, Code, Message string
			}
			RequestID string `xml:"RequestId"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if doc.XMLName.Space != tc.ns || doc.Error.Type != tc.typ || doc.Error.Code != tc.code ||
			doc.Error.Message != tc.e.message() || doc.RequestID != "REQ1" {
			t.Errorf("%s", body)
		}
	}
}
