package s3api

import (
	"strconv"
	"time"
	"unicode/utf8"
)

const (
	xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	s3NS      = "http://s3.amazonaws.com/doc/2006-03-01/"
	// isoTime is the timestamp format of S3 XML bodies.
	isoTime = "2006-01-02T15:04:05.000Z"
)

// xmlWriter appends an XML document to a byte slice. It exists so hot
// responses (listings) are written without reflection; callers are trusted
// to nest elements correctly (names are constants of this package), and
// every text value is escaped.
type xmlWriter struct {
	b []byte
}

func newXMLWriter(sizeHint int) *xmlWriter {
	w := &xmlWriter{b: make([]byte, 0, sizeHint)}
	w.b = append(w.b, xmlHeader...)
	return w
}

// open writes <name>; with a namespace when ns is not empty.
func (w *xmlWriter) open(name string) { w.openNS(name, "") }

func (w *xmlWriter) openNS(name, ns string) {
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	if ns != "" {
		w.b = append(w.b, ` xmlns="`...)
		w.b = appendEscaped(w.b, ns)
		w.b = append(w.b, '"')
	}
	w.b = append(w.b, '>')
}

func (w *xmlWriter) close(name string) {
	w.b = append(w.b, "</"...)
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
}

// elem writes <name>text</name> with text escaped.
func (w *xmlWriter) elem(name, text string) {
	w.open(name)
	w.b = appendEscaped(w.b, text)
	w.close(name)
}

func (w *xmlWriter) elemInt(name string, v int64) {
	w.open(name)
	w.b = strconv.AppendInt(w.b, v, 10)
	w.close(name)
}

func (w *xmlWriter) elemBool(name string, v bool) {
	w.open(name)
	w.b = strconv.AppendBool(w.b, v)
	w.close(name)
}

func (w *xmlWriter) elemTime(name string, t time.Time) {
	w.open(name)
	w.b = t.UTC().AppendFormat(w.b, isoTime)
	w.close(name)
}

func (w *xmlWriter) bytes() []byte { return w.b }

// appendEscaped appends s escaped for XML text and attribute values.
// Characters XML 1.0 cannot carry literally (control characters other than
// tab) are written as numeric references, as S3 does, so a key is never
// silently altered; invalid UTF-8 becomes U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			var esc string
			switch {
			case c == '&':
				esc = "&amp;"
			case c == '<':
				esc = "&lt;"
			case c == '>':
				esc = "&gt;"
			case c == '"':
				esc = "&quot;"
			case c == '\'':
				esc = "&apos;"
			case c < 0x20 && c != '\t', c == 0x7f:
				b = append(b, s[last:i]...)
				b = append(b, "&#x"...)
				b = strconv.AppendUint(b, uint64(c), 16)
				b = append(b, ';')
				i++
				last = i
				continue
			default:
				i++
				continue
			}
			b = append(b, s[last:i]...)
			b = append(b, esc...)
			i++
			last = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[last:i]...)
			b = append(b, "\uFFFD"...)
			i++
			last = i
			continue
		}
		i += size
	}
	return append(b, s[last:]...)
}

// escapeURL is the encoding-type=url form of a listing value: every byte
// but unreserved characters and '/' is percent-encoded, so both
// unquote-style and unquote_plus-style client decoders read it back
// unchanged (spaces are %20, '+' is %2B).
func escapeURL(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !urlSafe(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if urlSafe(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

func urlSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == '-', c == '_', c == '.', c == '~', c == '/':
		return true
	}
	return false
}
