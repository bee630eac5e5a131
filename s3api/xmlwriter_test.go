package s3api

import (
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAppendEscaped(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&apos;f"},
		{"tab\tnl\ncr\r", "tab\tnl&#xa;cr&#xd;"},
		{"ctl\x01\x1f\x7f", "ctl&#x1;&#x1f;&#x7f;"},
		{"日本語 ü", "日本語 ü"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := string(appendEscaped(nil, tc.in)); got != tc.want {
			t.Errorf("appendEscaped(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Text written by the writer reads back unchanged through a real parser.
func TestXMLWriterRoundTrip(t *testing.T) {
	keys := []string{"a", "a&b", "<tag>", "quote\"s", "spa ce", "new\nline", "日本/ü", "x]]>y"}
	w := newXMLWriter(64)
	w.openNS("Root", s3NS)
	for _, k := range keys {
		w.elem("Key", k)
	}
	w.elemInt("N", -42)
	w.elemBool("B", true)
	w.elemTime("T", time.Date(2024, 2, 3, 4, 5, 6, 7e6, time.FixedZone("x", 3600)))
	w.close("Root")
	out := string(w.bytes())
	if !strings.HasPrefix(out, xmlHeader) {
		t.Fatalf("no XML header: %s", out)
	}
	var doc struct {
		XMLName xml.Name
		Keys    []string `xml:"Key"`
		N       int
		B       bool
		T       string
	}
	if err := xml.Unmarshal(w.bytes(), &doc); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if doc.XMLName.Space != s3NS || doc.XMLName.Local != "Root" {
		t.Errorf("root %v", doc.XMLName)
	}
	if strings.Join(doc.Keys, "|") != strings.Join(keys, "|") {
		t.Errorf("keys %q, want %q", doc.Keys, keys)
	}
	if doc.N != -42 || !doc.B || doc.T != "2024-02-03T03:05:06.007Z" {
		t.Errorf("values %+v", doc)
	}
}

func TestEscapeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc/DEF-_.~09", "abc/DEF-_.~09"},
		{"a b+c", "a%20b%2Bc"},
		{"100%", "100%25"},
		{"ü", "%C3%BC"},
		{"a&b=c?d#e", "a%26b%3Dc%3Fd%23e"},
		{"\x01", "%01"},
	}
	for _, tc := range tests {
		got := escapeURL(tc.in)
		if got != tc.want {
			t.Errorf("escapeURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
		// Both decoder styles clients use read it back unchanged.
		if dec, err := url.PathUnescape(got); err != nil || dec != tc.in {
			t.Errorf("PathUnescape(%q) = %q %v", got, dec, err)
		}
		if dec, err := url.QueryUnescape(got); err != nil || dec != tc.in {
			t.Errorf("QueryUnescape(%q) = %q %v", got, dec, err)
		}
	}
}
