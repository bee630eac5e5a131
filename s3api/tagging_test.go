package s3api

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"unicode/utf8"
)

func tagXML(pairs ...string) string {
	var b strings.Builder
	b.WriteString("<Tagging><TagSet>")
	for i := 0; i+1 < len(pairs); i += 2 {
		b.WriteString("<Tag><Key>" + pairs[i] + "</Key><Value>" + pairs[i+1] + "</Value></Tag>")
	}
	b.WriteString("</TagSet></Tagging>")
	return b.String()
}

func nTags(n int) []string {
	var p []string
	for i := range n {
		p = append(p, "k"+strings.Repeat("x", i), "v")
	}
	return p
}

// s3CodeMsg returns the AWS code and message of an error ("" for nil).
func s3CodeMsg(err error) (string, string) {
	if err == nil {
		return "", ""
	}
	var e *Error
	if !errors.As(err, &e) {
		return "not-s3:" + err.Error(), ""
	}
	return e.Code.spec().Code, e.message()
}

func TestParseTaggingXML(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // 2 bytes, 1 character
	cases := []struct {
		name    string
		body    string
		max     int
		want    map[string]string
		code    string
		msgPart string
	}{
		{name: "two tags", body: tagXML("a", "1", "b", ""), max: 10, want: map[string]string{"a": "1", "b": ""}},
		{name: "empty set", body: "<Tagging><TagSet/></Tagging>", max: 10, want: map[string]string{}},
		{name: "namespace", body: `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`, max: 10, want: map[string]string{"k": "v"}},
		{name: "missing value is empty", body: "<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>", max: 10, want: map[string]string{"k": ""}},
		{name: "ten object tags", body: tagXML(nTags(10)...), max: maxObjectTags, want: func() map[string]string {
			m := map[string]string{}
			p := nTags(10)
			for i := 0; i < len(p); i += 2 {
				m[p[i]] = p[i+1]
			}
			return m
		}()},
		{name: "eleven object tags", body: tagXML(nTags(11)...), max: maxObjectTags, code: "InvalidTag", msgPart: "cannot be greater than 10"},
		{name: "eleven bucket tags ok", body: tagXML(nTags(11)...), max: maxBucketTags, want: nil},
		{name: "fifty-one bucket tags", body: tagXML(nTags(51)...), max: maxBucketTags, code: "InvalidTag", msgPart: "50"},
		{name: "key 128 chars", body: tagXML(long(128), "v"), max: 10, want: map[string]string{long(128): "v"}},
		{name: "key 129 chars", body: tagXML(long(129), "v"), max: 10, code: "InvalidTag", msgPart: "TagKey"},
		{name: "empty key", body: tagXML("", "v"), max: 10, code: "InvalidTag", msgPart: "TagKey"},
		{name: "value 256 chars", body: tagXML("k", long(256)), max: 10, want: map[string]string{"k": long(256)}},
		{name: "value 257 chars", body: tagXML("k", long(257)), max: 10, code: "InvalidTag", msgPart: "TagValue"},
		{name: "duplicate key", body: tagXML("k", "1", "k", "2"), max: 10, code: "InvalidTag", msgPart: "same key"},
		{name: "aws prefix", body: tagXML("aws:x", "1"), max: 10, code: "InvalidTag", msgPart: "aws:"},
		{name: "AWS prefix any case", body: tagXML("AWS:x", "1"), max: 10, code: "InvalidTag", msgPart: "aws:"},
		{name: "no TagSet", body: "<Tagging></Tagging>", max: 10, code: "MalformedXML"},
		{name: "tag without key", body: "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>", max: 10, code: "MalformedXML"},
		{name: "wrong root", body: "<Tags><TagSet/></Tags>", max: 10, code: "MalformedXML"},
		{name: "not xml", body: "tags", max: 10, code: "MalformedXML"},
		{name: "empty body", body: "", max: 10, code: "MalformedXML"},
		{name: "trailing element", body: tagXML("k", "v") + "<x/>", max: 10, code: "MalformedXML"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseTaggingXML([]byte(c.body), c.max)
			code, msg := s3CodeMsg(err)
			if code != c.code {
				t.Fatalf("code = %q (%s), want %q", code, msg, c.code)
			}
			if c.msgPart != "" && !strings.Contains(msg, c.msgPart) {
				t.Errorf("message %q does not mention %q", msg, c.msgPart)
			}
			if c.code == "" && c.want != nil && !maps.Equal(got, c.want) {
				t.Errorf("tags = %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseTagQuery(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]string
		code string
	}{
		{"", map[string]string{}, ""},
		{"a=1&b=2", map[string]string{"a": "1", "b": "2"}, ""},
		{"a=1&b", map[string]string{"a": "1", "b": ""}, ""},
		{"k%20x=v%2Fw&c=%C3%A9", map[string]string{"k x": "v/w", "c": "é"}, ""},
		{"a+b=c+d", map[string]string{"a b": "c d"}, ""},
		{"a=1&&b=2", map[string]string{"a": "1", "b": "2"}, ""},
		{"a=1&a=2", nil, "InvalidArgument"},
		{"a=%zz", nil, "InvalidArgument"},
		{"a=%ff", nil, "InvalidArgument"},
		{"aws:k=1", nil, "InvalidTag"},
		{"=v", nil, "InvalidTag"},
		{strings.Repeat("x", 129) + "=1", nil, "InvalidTag"},
		{"k=" + strings.Repeat("x", 257), nil, "InvalidTag"},
		{"a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1", map[string]string{"a": "1", "b": "1", "c": "1", "d": "1", "e": "1", "f": "1", "g": "1", "h": "1", "i": "1", "j": "1"}, ""},
		{"a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1", nil, "InvalidTag"},
	}
	for _, c := range cases {
		got, err := parseTagQuery(c.in)
		code, msg := s3CodeMsg(err)
		if code != c.code {
			t.Errorf("parseTagQuery(%q): code %q (%s), want %q", c.in, code, msg, c.code)
			continue
		}
		if c.code == "" && !maps.Equal(got, c.want) {
			t.Errorf("parseTagQuery(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestTaggingBodyRoundTrip(t *testing.T) {
	in := map[string]string{"b": "<&>", "a": "", "é": "ü"}
	body := taggingBody(in)
	if !strings.Contains(string(body), "<Key>a</Key><Value></Value></Tag><Tag><Key>b</Key>") {
		t.Errorf("tags not sorted by key: %s", body)
	}
	out, err := parseTaggingXML(body, maxObjectTags)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(in, out) {
		t.Errorf("round trip: %v, want %v", out, in)
	}
}

// FuzzTaggingXML checks that any body either parses into tags obeying the
// limits (and survives a write/parse round trip) or fails with an S3 error.
func FuzzTaggingXML(f *testing.F) {
	f.Add([]byte(tagXML("a", "1", "b", "2")))
	f.Add([]byte("<Tagging><TagSet/></Tagging>"))
	f.Add([]byte(tagXML("aws:k", "v")))
	f.Add([]byte("<Tagging><TagSet><Tag><Key>&#0;</Key></Tag></TagSet></Tagging>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		tags, err := parseTaggingXML(body, maxObjectTags)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("non-S3 error %v", err)
			}
			if e.Status() != 400 {
				t.Fatalf("status %d for a bad body", e.Status())
			}
			return
		}
		if len(tags) > maxObjectTags {
			t.Fatalf("%d tags accepted", len(tags))
		}
		for k, v := range tags {
			if k == "" || utf8.RuneCountInString(k) > maxTagKeyLen || utf8.RuneCountInString(v) > maxTagValueLen ||
				!utf8.ValidString(k) || !utf8.ValidString(v) || strings.HasPrefix(strings.ToLower(k), "aws:") {
				t.Fatalf("invalid tag accepted: %q=%q", k, v)
			}
		}
		again, err := parseTaggingXML(taggingBody(tags), maxObjectTags)
		if err != nil {
			t.Fatalf("re-parse of written tags: %v", err)
		}
		if !maps.Equal(tags, again) {
			t.Fatalf("round trip changed tags: %v -> %v", tags, again)
		}
	})
}
