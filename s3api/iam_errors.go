package s3api

import (
	"fmt"
	"strings"
)

// Errors on the IAM and STS query APIs come from the same table as S3's
// (errors.go): the ErrIAM* rows hold the codes only those APIs use, and
// queryCode below says how an S3 row reads there, where AWS spells a
// failure differently (an unknown access key is InvalidClientTokenId on
// IAM, InvalidAccessKeyId on S3). Everything else keeps its row.

// iamErrf returns an error of an IAM row with a specific message.
func iamErrf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// queryCode is the row an error is written with on the IAM/STS APIs.
func queryCode(c ErrorCode) ErrorCode {
	switch c {
	case ErrInternalError:
		return ErrIAMServiceFailure
	case ErrInvalidAccessKeyID, ErrInvalidToken:
		return ErrIAMInvalidClientTokenID
	case ErrInvalidURI:
		return ErrIAMValidationError
	}
	return c
}

// clientMessage is the message sent for an error of a detail row: the
// error's text after the sentinel's own text (which only names the class
// of failure), or "" (the table's default) when nothing follows it.
func clientMessage(err, sentinel error) string {
	msg, st := err.Error(), sentinel.Error()
	i := strings.Index(msg, st)
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(msg[i+len(st):], ": ")
	if rest == "" {
		return ""
	}
	return strings.ToUpper(rest[:1]) + rest[1:]
}

// queryErrorBody renders an error in the IAM/STS query XML format:
//
//	<ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code>
//	<Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>
//
// Type is Receiver for 5xx statuses, as AWS writes it.
func queryErrorBody(e *Error, ns, requestID string) []byte {
	sp := e.Code.spec()
	typ := "Sender"
	if sp.Status >= 500 {
		typ = "Receiver"
	}
	w := newXMLWriter(256)
	w.openNS("ErrorResponse", ns)
	w.open("Error")
	w.elem("Type", typ)
	w.elem("Code", sp.Code)
	w.elem("Message", e.message())
	w.close("Error")
	w.elem("RequestId", requestID)
	w.close("ErrorResponse")
	return w.bytes()
}
