package s3api

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// byteRange is a satisfiable byte range of an object.
type byteRange struct {
	Start, Length int64
}

// contentRange is the Content-Range value of a 206 for r of size.
func (r byteRange) contentRange(size int64) string {
	return "bytes " + strconv.FormatInt(r.Start, 10) + "-" + strconv.FormatInt(r.Start+r.Length-1, 10) + "/" + strconv.FormatInt(size, 10)
}

// parseRange interprets a Range header against an object of size bytes,
// as S3 does: ok is false when the whole object is to be sent (no header,
// a header that does not parse, or several ranges: S3 serves only single
// ranges and answers others with the full object). A well-formed range
// that selects no byte of the object is InvalidRange (416).
func parseRange(h string, size int64) (r byteRange, ok bool, err error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return byteRange{}, false, nil
	}
	unit, spec, found := strings.Cut(h, "=")
	if !found || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return byteRange{}, false, nil
	}
	spec = strings.TrimSpace(spec)
	if strings.Contains(spec, ",") {
		return byteRange{}, false, nil
	}
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return byteRange{}, false, nil
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		// Suffix range: the last n bytes.
		n, valid := parseDigits(last)
		if !valid {
			return byteRange{}, false, nil
		}
		if n == 0 || size == 0 {
			return byteRange{}, false, invalidRange(h, size)
		}
		n = min(n, size)
		return byteRange{Start: size - n, Length: n}, true, nil
	}
	a, valid := parseDigits(first)
	if !valid {
		return byteRange{}, false, nil
	}
	b := int64(-1)
	if last != "" {
		if b, valid = parseDigits(last); !valid || b < a {
			return byteRange{}, false, nil
		}
	}
	if a >= size {
		return byteRange{}, false, invalidRange(h, size)
	}
	if b < 0 || b >= size {
		b = size - 1
	}
	return byteRange{Start: a, Length: b - a + 1}, true, nil
}

func invalidRange(h string, size int64) *Error {
	sz := strconv.FormatInt(size, 10)
	return s3err(ErrInvalidRange).
		with("RangeRequested", h).
		with("ActualObjectSize", sz).
		withHeader("Content-Range", "bytes */"+sz)
}

// parseDigits parses a non-empty run of decimal digits, saturating at the
// largest int64 (a position that far is past the end of any object).
func parseDigits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (1<<63-1-d)/10 {
			n = 1<<63 - 1
			continue
		}
		n = n*10 + d
	}
	return n, true
}

// checkPreconditions evaluates the conditional request headers of a GET or
// HEAD against an object version, in the order S3 (and RFC 9110) gives:
// If-Match, else If-Unmodified-Since, may fail the request (412);
// then If-None-Match, else If-Modified-Since, may answer 304.
// Dates that do not parse are ignored. Times compare at one-second
// precision, the precision of Last-Modified.
func checkPreconditions(h *headers, etag string, modTime time.Time) (notModified bool, err error) {
	mod := modTime.UTC().Truncate(time.Second)
	if v := h.get("if-match"); v != "" {
		if !etagMatches(v, etag) {
			return false, s3err(ErrPreconditionFailed).with("Condition", "If-Match")
		}
	} else if t, ok := httpDate(h.get("if-unmodified-since")); ok && mod.After(t) {
		return false, s3err(ErrPreconditionFailed).with("Condition", "If-Unmodified-Since")
	}
	if v := h.get("if-none-match"); v != "" {
		return etagMatches(v, etag), nil
	}
	if t, ok := httpDate(h.get("if-modified-since")); ok && !mod.After(t) {
		return true, nil
	}
	return false, nil
}

// etagMatches reports whether a list of entity tags (or "*") names etag.
// Weak tags compare by their opaque value, as S3 does.
func etagMatches(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		t = strings.TrimPrefix(t, "W/")
		t = strings.Trim(t, `"`)
		if t != "" && t == etag {
			return true
		}
	}
	return false
}

func httpDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
