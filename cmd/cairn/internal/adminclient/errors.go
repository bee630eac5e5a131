package adminclient

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// Error is an error answer of the server: the IAM/STS error document's
// fields and the HTTP status.
type Error struct {
	StatusCode int
	Type       string // "Sender" or "Receiver"
	Code       string // e.g. "NoSuchEntity", "AccessDenied"
	Message    string
	RequestID  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	fmt.Fprintf(&b, " (HTTP %d", e.StatusCode)
	if e.RequestID != "" {
		b.WriteString(", request ")
		b.WriteString(e.RequestID)
	}
	b.WriteString(")")
	return b.String()
}

// IsCode reports whether err is a server error with the given code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// iamError is the IAM/STS error document; s3Error the S3 one, which a server
// answers when the request never reached its IAM router.
type iamError struct {
	Error struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

type s3Error struct {
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
	RequestID string `xml:"RequestId"`
}

// parseError turns a non-2xx answer into *Error. A body that is not one of
// the two XML error documents (a proxy's HTML page, an empty body) still
// yields an *Error, coded by the HTTP status, with a short printable excerpt.
func parseError(status int, body []byte) error {
	e := &Error{StatusCode: status}
	var root struct{ XMLName xml.Name }
	if xml.Unmarshal(body, &root) == nil {
		switch root.XMLName.Local {
		case "ErrorResponse":
			var d iamError
			if xml.Unmarshal(body, &d) == nil && d.Error.Code != "" {
				e.Type, e.Code, e.Message, e.RequestID = d.Error.Type, d.Error.Code, d.Error.Message, d.RequestID
				return e
			}
		case "Error":
			var d s3Error
			if xml.Unmarshal(body, &d) == nil && d.Code != "" {
				e.Code, e.Message, e.RequestID = d.Code, d.Message, d.RequestID
				return e
			}
		}
	}
	e.Code = strings.ReplaceAll(http.StatusText(status), " ", "")
	if e.Code == "" {
		e.Code = fmt.Sprintf("HTTP%d", status)
	}
	e.Message = excerpt(body, 200)
	return e
}

// excerpt returns up to n printable characters of b, whitespace collapsed.
func excerpt(b []byte, n int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}
