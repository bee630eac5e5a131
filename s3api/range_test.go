package s3api

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		h           string
		size        int64
		start, len_ int64
		partial     bool
		invalid     bool
	}{
		{"", 100, 0, 0, false, false},
		{"bytes=0-9", 100, 0, 10, true, false},
		{"bytes=10-", 100, 10, 90, true, false},
		{"bytes=-10", 100, 90, 10, true, false},
		{"bytes=-200", 100, 0, 100, true, false},
		{"bytes=90-200", 100, 90, 10, true, false},
		{"bytes=99-99", 100, 99, 1, true, false},
		{"bytes = 1 - 2", 100, 1, 2, true, false},
		{"BYTES=1-2", 100, 1, 2, true, false},
		{"bytes=100-", 100, 0, 0, false, true},
		{"bytes=100-200", 100, 0, 0, false, true},
		{"bytes=-0", 100, 0, 0, false, true},
		{"bytes=0-", 0, 0, 0, false, true},
		{"bytes=-5", 0, 0, 0, false, true},
		{"bytes=99999999999999999999999-", 100, 0, 0, false, true},
		{"bytes=0-99999999999999999999999", 100, 0, 100, true, false},
		// Ignored: the whole object is sent with 200.
		{"bytes=0-1,3-4", 100, 0, 0, false, false},
		{"bytes=5-2", 100, 0, 0, false, false},
		{"items=0-1", 100, 0, 0, false, false},
		{"bytes=a-b", 100, 0, 0, false, false},
		{"bytes=-", 100, 0, 0, false, false},
		{"bytes=1", 100, 0, 0, false, false},
		{"bytes=+1-2", 100, 0, 0, false, false},
		{"bytes=--1", 100, 0, 0, false, false},
		{"0-1", 100, 0, 0, false, false},
	}
	for _, tc := range tests {
		r, partial, err := parseRange(tc.h, tc.size)
		if tc.invalid {
			var e *Error
			if !errors.As(err, &e) || e.Code != ErrInvalidRange {
				t.Errorf("%q/%d: err %v, want InvalidRange", tc.h, tc.size, err)
				continue
			}
			if len(e.Header) != 1 || e.Header[0].name != "Content-Range" || !strings.HasSuffix(e.Header[0].value, "*/"+strconv.FormatInt(tc.size, 10)) {
				t.Errorf("%q: headers %v", tc.h, e.Header)
			}
			continue
		}
		if err != nil || partial != tc.partial || (partial && (r.Start != tc.start || r.Length != tc.len_)) {
			t.Errorf("%q/%d: got %+v %v %v, want %d+%d %v", tc.h, tc.size, r, partial, err, tc.start, tc.len_, tc.partial)
		}
	}
	if got := (byteRange{Start: 5, Length: 10}).contentRange(100); got != "bytes 5-14/100" {
		t.Errorf("contentRange %q", got)
	}
}

func FuzzRange(f *testing.F) {
	for _, s := range []string{"bytes=0-9", "bytes=-5", "bytes=5-", "bytes=1-2,3-4", "bytes=99999999999999999999-", "", "bytes=-0"} {
		f.Add(s, int64(100))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
			if size < 0 {
				size = 0
			}
		}
		r, partial, err := parseRange(h, size)
		if err != nil {
			if partial {
				t.Fatal("error with partial")
			}
			if toS3Error(err).Code != ErrInvalidRange {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if partial && (r.Start < 0 || r.Length <= 0 || r.Start+r.Length > size) {
			t.Fatalf("range %+v outside object of %d bytes for %q", r, size, h)
		}
	})
}

func TestPreconditions(t *testing.T) {
	mod := time.Date(2024, 5, 6, 7, 8, 9, 500e6, time.UTC)
	before := mod.Add(-time.Hour).Format(httpTimeFormat)
	same := mod.Format(httpTimeFormat) // sub-second part dropped
	after := mod.Add(time.Hour).Format(httpTimeFormat)
	tests := []struct {
		name        string
		h           []string
		notModified bool
		failed      string // Condition of a 412
	}{
		{"none", nil, false, ""},
		{"if-match ok", []string{"if-match", `"abc"`}, false, ""},
		{"if-match list", []string{"if-match", `"x", "abc"`}, false, ""},
		{"if-match star", []string{"if-match", `*`}, false, ""},
		{"if-match unquoted", []string{"if-match", `abc`}, false, ""},
		{"if-match fail", []string{"if-match", `"x"`}, false, "If-Match"},
		{"if-unmodified-since ok", []string{"if-unmodified-since", same}, false, ""},
		{"if-unmodified-since fail", []string{"if-unmodified-since", before}, false, "If-Unmodified-Since"},
		{"if-match wins over if-unmodified-since", []string{"if-match", `"abc"`, "if-unmodified-since", before}, false, ""},
		{"if-none-match hit", []string{"if-none-match", `"abc"`}, true, ""},
		{"if-none-match weak hit", []string{"if-none-match", `W/"abc"`}, true, ""},
		{"if-none-match star", []string{"if-none-match", `*`}, true, ""},
		{"if-none-match miss", []string{"if-none-match", `"x"`}, false, ""},
		{"if-modified-since same", []string{"if-modified-since", same}, true, ""},
		{"if-modified-since after", []string{"if-modified-since", after}, true, ""},
		{"if-modified-since before", []string{"if-modified-since", before}, false, ""},
		{"if-modified-since bad date ignored", []string{"if-modified-since", "yesterday"}, false, ""},
		{"if-none-match miss wins over if-modified-since", []string{"if-none-match", `"x"`, "if-modified-since", after}, false, ""},
		{"if-none-match hit with if-modified-since before", []string{"if-none-match", `"abc"`, "if-modified-since", before}, true, ""},
		{"412 before 304", []string{"if-match", `"x"`, "if-none-match", `"abc"`}, false, "If-Match"},
		{"rfc850 date", []string{"if-modified-since", mod.Format("Monday, 02-Jan-06 15:04:05 GMT")}, true, ""},
	}
	for _, tc := range tests {
		h := &headers{}
		for i := 0; i+1 < len(tc.h); i += 2 {
			h.kv = append(h.kv, headerKV{name: tc.h[i], lower: tc.h[i], value: tc.h[i+1]})
		}
		nm, err := checkPreconditions(h, "abc", mod)
		if tc.failed != "" {
			e := toS3Error(err)
			if err == nil || e.Code != ErrPreconditionFailed || len(e.Extra) == 0 || e.Extra[0].Value != tc.failed {
				t.Errorf("%s: err %v, want 412 on %s", tc.name, err, tc.failed)
			}
			continue
		}
		if err != nil || nm != tc.notModified {
			t.Errorf("%s: notModified=%v err=%v, want %v", tc.name, nm, err, tc.notModified)
		}
	}
}

const httpTimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"
