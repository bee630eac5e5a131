package s3api

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/data"
)

func TestParseCompleteMultipart(t *testing.T) {
	part := func(n int, etag string) string {
		return fmt.Sprintf("<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n, etag)
	}
	doc := func(parts ...string) string {
		return `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + strings.Join(parts, "") + `</CompleteMultipartUpload>`
	}
	tests := []struct {
		name string
		body string
		want []data.CompletePart
		code ErrorCode // when want is nil
	}{
		{name: "two parts quoted", body: doc(part(1, `"aaa"`), part(2, "&quot;bbb&quot;")),
			want: []data.CompletePart{{Number: 1, ETag: "aaa"}, {Number: 2, ETag: "bbb"}}},
		{name: "unquoted, whitespace", body: doc("<Part><PartNumber> 3 </PartNumber><ETag> ccc </ETag></Part>"),
			want: []data.CompletePart{{Number: 3, ETag: "ccc"}}},
		{name: "no namespace, gaps in numbers", body: "<CompleteMultipartUpload>" + part(2, "x") + part(7, "y") + "</CompleteMultipartUpload>",
			want: []data.CompletePart{{Number: 2, ETag: "x"}, {Number: 7, ETag: "y"}}},
		{name: "checksums", body: doc(`<Part><ETag>"e"</ETag><PartNumber>1</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumSHA256>c2hh</ChecksumSHA256></Part>`),
			want: []data.CompletePart{{Number: 1, ETag: "e", Checksums: map[string]string{"CRC32": "AAAAAA==", "SHA256": "c2hh"}}}},
		{name: "max part number", body: doc(part(10000, "z")), want: []data.CompletePart{{Number: 10000, ETag: "z"}}},
		{name: "empty body", body: "", code: ErrMalformedXML},
		{name: "blank body", body: "  \n", code: ErrMalformedXML},
		{name: "no parts", body: doc(), code: ErrMalformedXML},
		{name: "not xml", body: "parts please", code: ErrMalformedXML},
		{name: "wrong root", body: "<Complete>" + part(1, "a") + "</Complete>", code: ErrMalformedXML},
		{name: "unclosed", body: "<CompleteMultipartUpload>" + part(1, "a"), code: ErrMalformedXML},
		{name: "trailing element", body: doc(part(1, "a")) + "<x/>", code: ErrMalformedXML},
		{name: "missing part number", body: doc("<Part><ETag>a</ETag></Part>"), code: ErrMalformedXML},
		{name: "missing etag", body: doc("<Part><PartNumber>1</PartNumber></Part>"), code: ErrMalformedXML},
		{name: "part number not integer", body: doc(part(1, "a"), "<Part><PartNumber>two</PartNumber><ETag>b</ETag></Part>"), code: ErrMalformedXML},
		{name: "part number zero", body: doc(part(0, "a")), code: ErrInvalidArgument},
		{name: "part number too large", body: doc(part(10001, "a")), code: ErrInvalidArgument},
		{name: "negative part number", body: doc(part(-1, "a")), code: ErrInvalidArgument},
		{name: "descending", body: doc(part(2, "a"), part(1, "b")), code: ErrInvalidPartOrder},
		{name: "duplicate", body: doc(part(1, "a"), part(1, "a")), code: ErrInvalidPartOrder},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseCompleteMultipart([]byte(tc.body))
			if tc.want != nil {
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			if e := toS3Error(err); e == nil || e.Code != tc.code {
				t.Fatalf("got %+v, %v; want code %s", got, err, tc.code.spec().Code)
			}
		})
	}
}

func FuzzCompleteMultipartXML(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>a</ETag><ChecksumCRC32C>x</ChecksumCRC32C></Part><Part><PartNumber>3</PartNumber><ETag>b</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>a</ETag></Part><Part><PartNumber>2</PartNumber><ETag>a</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<?xml version="1.0"?><!-- c --><CompleteMultipartUpload/>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>99999999999999999999</PartNumber><ETag/></Part></CompleteMultipartUpload>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		parts, err := parseCompleteMultipart(body)
		if err != nil {
			if parts != nil {
				t.Fatalf("parts %v with error %v", parts, err)
			}
			e := toS3Error(err)
			switch e.Code {
			case ErrMalformedXML, ErrInvalidArgument, ErrInvalidPartOrder:
			default:
				t.Fatalf("unexpected error code %s: %v", e.Code.spec().Code, err)
			}
			return
		}
		if len(parts) == 0 || len(parts) > maxPartNumber {
			t.Fatalf("%d parts accepted", len(parts))
		}
		for i, p := range parts {
			if p.Number < 1 || p.Number > maxPartNumber {
				t.Fatalf("part number %d accepted", p.Number)
			}
			if i > 0 && p.Number <= parts[i-1].Number {
				t.Fatalf("parts not ascending: %v", parts)
			}
		}
		// What was accepted reads back the same once written as a client
		// would write it (quoted ETags).
		again, err := parseCompleteMultipart(completeBody(parts))
		if err != nil || !reflect.DeepEqual(again, parts) {
			t.Fatalf("round trip: %+v, %v; want %+v", again, err, parts)
		}
	})
}

// completeBody writes a CompleteMultipartUpload document as SDKs do.
func completeBody(parts []data.CompletePart) []byte {
	w := newXMLWriter(256)
	w.openNS("CompleteMultipartUpload", s3NS)
	for _, p := range parts {
		w.open("Part")
		w.elem("ETag", `"`+p.ETag+`"`)
		w.elemInt("PartNumber", int64(p.Number))
		writeChecksumElems(w, p.Checksums)
		w.close("Part")
	}
	w.close("CompleteMultipartUpload")
	return w.bytes()
}

func TestParseCopySource(t *testing.T) {
	tests := []struct {
		in   string
		want copySource
		code ErrorCode // when want is zero
	}{
		{in: "src/key", want: copySource{Bucket: "src", Key: "key"}},
		{in: "/src/key", want: copySource{Bucket: "src", Key: "key"}},
		{in: "/src/dir/a%20b%2Bc+d", want: copySource{Bucket: "src", Key: "dir/a b+c+d"}},
		{in: "src/q%3Fx", want: copySource{Bucket: "src", Key: "q?x"}},
		{in: "src/%E6%97%A5%E6%9C%AC", want: copySource{Bucket: "src", Key: "日本"}},
		{in: "src/a//b", want: copySource{Bucket: "src", Key: "a//b"}},
		{in: "src/key?versionId=3HL4kqtJlcpXroDTDmJ%2Brmj", want: copySource{Bucket: "src", Key: "key", VersionID: "3HL4kqtJlcpXroDTDmJ+rmj"}},
		{in: "/src/key?versionId=null", want: copySource{Bucket: "src", Key: "key", VersionID: "null"}},
		{in: "src/key?other=1", want: copySource{Bucket: "src", Key: "key"}},
		{in: "", code: ErrInvalidArgument},
		{in: "/", code: ErrInvalidArgument},
		{in: "src", code: ErrInvalidArgument},
		{in: "src/", code: ErrInvalidArgument},
		{in: "/src/", code: ErrInvalidArgument},
		{in: "//key", code: ErrInvalidArgument},
		{in: "Bad_Bucket/key", code: ErrInvalidArgument},
		{in: "src/k%zz", code: ErrInvalidArgument},
		{in: "src/key?versionId=", code: ErrInvalidArgument},
		{in: "src/" + strings.Repeat("k", maxKeyLength+1), code: ErrKeyTooLong},
		{in: "src/a%00b", code: ErrInvalidArgument},
	}
	for _, tc := range tests {
		got, err := parseCopySource(tc.in)
		if tc.want != (copySource{}) {
			if err != nil || got != tc.want {
				t.Errorf("%q: got %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
			continue
		}
		if e := toS3Error(err); e == nil || e.Code != tc.code {
			t.Errorf("%q: got %+v, %v; want %s", tc.in, got, err, tc.code.spec().Code)
		}
	}
}

func TestParseCopySourceRange(t *testing.T) {
	tests := []struct {
		in    string
		size  int64
		start int64
		n     int64
		bad   bool
	}{
		{in: "bytes=0-0", size: 10, start: 0, n: 1},
		{in: "bytes=0-9", size: 10, start: 0, n: 10},
		{in: "bytes=3-7", size: 10, start: 3, n: 5},
		{in: "bytes=9-9", size: 10, start: 9, n: 1},
		{in: "bytes=5242880-10485759", size: 20 << 20, start: 5 << 20, n: 5 << 20},
		{in: "bytes=0-10", size: 10, bad: true},
		{in: "bytes=10-10", size: 10, bad: true},
		{in: "bytes=0-0", size: 0, bad: true},
		{in: "bytes=5-3", size: 10, bad: true},
		{in: "bytes=-3", size: 10, bad: true},
		{in: "bytes=3-", size: 10, bad: true},
		{in: "bytes=1-2,4-5", size: 10, bad: true},
		{in: "bytes 1-2", size: 10, bad: true},
		{in: "items=1-2", size: 10, bad: true},
		{in: "bytes=a-b", size: 10, bad: true},
		{in: "bytes= 1-2", size: 10, bad: true},
	}
	for _, tc := range tests {
		r, err := parseCopySourceRange(tc.in, tc.size)
		if tc.bad {
			if e := toS3Error(err); e == nil || e.Code != ErrInvalidArgument {
				t.Errorf("%q/%d: got %+v, %v; want InvalidArgument", tc.in, tc.size, r, err)
			}
			continue
		}
		if err != nil || r.Start != tc.start || r.Length != tc.n {
			t.Errorf("%q/%d: got %+v, %v; want %d+%d", tc.in, tc.size, r, err, tc.start, tc.n)
		}
	}
}

func TestCopySourceConditions(t *testing.T) {
	mod := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	before := mod.Add(-time.Hour).Format(http.TimeFormat)
	after := mod.Add(time.Hour).Format(http.TimeFormat)
	at := mod.Format(http.TimeFormat)
	const p = "x-amz-copy-source-"
	tests := []struct {
		name string
		kv   []string
		cond string // "" = passes
	}{
		{name: "none"},
		{name: "if-match ok", kv: []string{p + "if-match", `"abc"`}},
		{name: "if-match list", kv: []string{p + "if-match", `"x", "abc"`}},
		{name: "if-match star", kv: []string{p + "if-match", `*`}},
		{name: "if-match fails", kv: []string{p + "if-match", `"x"`}, cond: "x-amz-copy-source-If-Match"},
		{name: "if-none-match ok", kv: []string{p + "if-none-match", `"x"`}},
		{name: "if-none-match fails", kv: []string{p + "if-none-match", `"abc"`}, cond: "x-amz-copy-source-If-None-Match"},
		{name: "unmodified-since ok", kv: []string{p + "if-unmodified-since", after}},
		{name: "unmodified-since same second", kv: []string{p + "if-unmodified-since", at}},
		{name: "unmodified-since fails", kv: []string{p + "if-unmodified-since", before}, cond: "x-amz-copy-source-If-Unmodified-Since"},
		{name: "modified-since ok", kv: []string{p + "if-modified-since", before}},
		{name: "modified-since fails", kv: []string{p + "if-modified-since", after}, cond: "x-amz-copy-source-If-Modified-Since"},
		{name: "modified-since same second fails", kv: []string{p + "if-modified-since", at}, cond: "x-amz-copy-source-If-Modified-Since"},
		{name: "bad date ignored", kv: []string{p + "if-modified-since", "yesterday"}},
		// AWS: If-Match true overrides a false If-Unmodified-Since, and
		// If-None-Match true overrides a false If-Modified-Since.
		{name: "if-match wins over unmodified-since", kv: []string{p + "if-match", `"abc"`, p + "if-unmodified-since", before}},
		{name: "if-none-match wins over modified-since", kv: []string{p + "if-none-match", `"x"`, p + "if-modified-since", after}},
		{name: "if-match ok, if-none-match fails", kv: []string{p + "if-match", `"abc"`, p + "if-none-match", `"abc"`}, cond: "x-amz-copy-source-If-None-Match"},
		// GET's headers do not apply to the source.
		{name: "plain if-match ignored", kv: []string{"if-match", `"x"`}},
	}
	for _, tc := range tests {
		h := &headers{}
		for i := 0; i+1 < len(tc.kv); i += 2 {
			h.kv = append(h.kv, headerKV{name: tc.kv[i], lower: tc.kv[i], value: tc.kv[i+1]})
		}
		err := checkCopySourceConditions(h, "abc", mod.Add(300*time.Millisecond))
		if tc.cond == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		e := toS3Error(err)
		if e == nil || e.Code != ErrPreconditionFailed || len(e.Extra) != 1 || e.Extra[0].Value != tc.cond {
			t.Errorf("%s: got %+v, want PreconditionFailed on %s", tc.name, e, tc.cond)
		}
	}
}

func TestWritePreconditions(t *testing.T) {
	tests := []struct {
		kv   []string
		want data.Preconditions
		code ErrorCode // when != 0 ... ErrInternalError means no error
	}{
		{kv: nil, want: data.Preconditions{}},
		{kv: []string{"if-none-match", "*"}, want: data.Preconditions{IfNoneMatchAny: true}},
		{kv: []string{"if-none-match", " * "}, want: data.Preconditions{IfNoneMatchAny: true}},
		{kv: []string{"if-match", `"abc"`}, want: data.Preconditions{IfMatch: `"abc"`}},
		{kv: []string{"if-match", "abc", "if-none-match", "*"}, want: data.Preconditions{IfMatch: "abc", IfNoneMatchAny: true}},
		{kv: []string{"if-none-match", `"abc"`}, code: ErrNotImplemented},
	}
	for _, tc := range tests {
		h := &headers{}
		for i := 0; i+1 < len(tc.kv); i += 2 {
			h.kv = append(h.kv, headerKV{name: tc.kv[i], lower: tc.kv[i], value: tc.kv[i+1]})
		}
		got, err := writePreconditions(h)
		if tc.code != 0 {
			if e := toS3Error(err); e == nil || e.Code != tc.code {
				t.Errorf("%v: got %v, want %s", tc.kv, err, tc.code.spec().Code)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%v: got %+v, %v; want %+v", tc.kv, got, err, tc.want)
		}
	}
}

func TestPartRange(t *testing.T) {
	mp := data.ObjectInfo{Size: 25, Parts: []data.PartInfo{{Number: 1, Size: 10}, {Number: 2, Size: 10}, {Number: 4, Size: 5}}}
	single := data.ObjectInfo{Size: 7}
	empty := data.ObjectInfo{Size: 0}
	tests := []struct {
		info    data.ObjectInfo
		n       int
		rng     byteRange
		partial bool
		bad     bool
	}{
		{info: mp, n: 1, rng: byteRange{0, 10}, partial: true},
		{info: mp, n: 2, rng: byteRange{10, 10}, partial: true},
		{info: mp, n: 4, rng: byteRange{20, 5}, partial: true},
		{info: mp, n: 3, bad: true},
		{info: mp, n: 5, bad: true},
		{info: single, n: 1, rng: byteRange{0, 7}, partial: true},
		{info: single, n: 2, bad: true},
		{info: empty, n: 1, rng: byteRange{0, 0}, partial: false},
	}
	for i, tc := range tests {
		rng, partial, err := partRange(tc.info, tc.n)
		if tc.bad {
			if e := toS3Error(err); e == nil || e.Code != ErrInvalidPartNumber || e.Status() != 416 {
				t.Errorf("%d: got %v, want InvalidPartNumber 416", i, err)
			}
			continue
		}
		if err != nil || rng != tc.rng || partial != tc.partial {
			t.Errorf("%d: got %+v %v %v, want %+v %v", i, rng, partial, err, tc.rng, tc.partial)
		}
	}
}

func TestParseObjectAttributes(t *testing.T) {
	got, err := parseObjectAttributes("ETag, ObjectSize,StorageClass,Checksum,ObjectParts")
	if err != nil || got != (objectAttributes{true, true, true, true, true}) {
		t.Errorf("all: %+v %v", got, err)
	}
	got, err = parseObjectAttributes("ObjectSize")
	if err != nil || got != (objectAttributes{ObjectSize: true}) {
		t.Errorf("size: %+v %v", got, err)
	}
	for _, bad := range []string{"", " ", "etag", "ETag,Owner", "ETag,,ObjectSize"} {
		if _, err := parseObjectAttributes(bad); toS3Error(err) == nil || toS3Error(err).Code != ErrInvalidArgument {
			t.Errorf("%q: %v, want InvalidArgument", bad, err)
		}
	}
}

func TestMultipartErrorMapping(t *testing.T) {
	tests := []struct {
		err    error
		code   string
		status int
	}{
		{data.ErrNoSuchUpload, "NoSuchUpload", 404},
		{fmt.Errorf("complete: %w", data.ErrInvalidPart), "InvalidPart", 400},
		{data.ErrInvalidPartOrder, "InvalidPartOrder", 400},
		{fmt.Errorf("part 2: %w", data.ErrEntityTooSmall), "EntityTooSmall", 400},
		{fmt.Errorf("put: %w", data.ErrPreconditionFailed), "PreconditionFailed", 412},
		{fmt.Errorf("commit: %w", data.ErrConditionalConflict), "ConditionalRequestConflict", 409},
		{s3err(ErrInvalidPartNumber), "InvalidPartNumber", 416},
		{fmt.Errorf("read: %w: no part 9: %w", data.ErrInvalidPartNumber, data.ErrInvalidRange), "InvalidPartNumber", 416},
		{fmt.Errorf("read: %w", data.ErrInvalidRange), "InvalidRange", 416},
	}
	for _, tc := range tests {
		e := toS3Error(tc.err)
		if got := e.Code.spec().Code; got != tc.code || e.Status() != tc.status {
			t.Errorf("%v: got %s/%d, want %s/%d", tc.err, got, e.Status(), tc.code, tc.status)
		}
	}
}
