package s3api

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime"
	"strings"
)

// Streaming multipart/form-data parsing for POST Object. Fields before the
// file are read into memory (bounded by maxPostPreData); the file part is
// then read through filePart, which stops at the next boundary delimiter
// without buffering the file. Fields after the file are ignored, as S3
// ignores them.

const (
	// maxPostPreData bounds the bytes of the form preceding the file
	// content (S3 allows 20 KB of fields; Cairn is more lenient).
	maxPostPreData = 64 << 10
	// postBufSize is the form reader's buffer: the longest header line and
	// the granularity of file reads.
	postBufSize = 32 << 10
)

var (
	errFormMalformed = errors.New("s3api: malformed multipart/form-data body")
	errPreDataTooBig = errors.New("s3api: form fields before the file are too large")
	errNoFileField   = errors.New("s3api: the form has no file field")
)

// formField is one non-file field, its name as sent.
type formField struct{ name, value string }

// postForm is a parsed form up to (excluding) the file content.
type postForm struct {
	fields []formField
	// fileName and fileType are the file part's filename parameter and
	// Content-Type header.
	fileName, fileType string
}

// get returns a field by case-insensitive name (the first one given).
func (f *postForm) get(lower string) (string, bool) {
	for _, fl := range f.fields {
		if strings.EqualFold(fl.name, lower) {
			return fl.value, true
		}
	}
	return "", false
}

// formReader reads a multipart/form-data body.
type formReader struct {
	br    *bufio.Reader
	raw   *byteCounter
	delim []byte // "\r\n--" + boundary
}

// byteCounter counts bytes read from the body.
type byteCounter struct {
	r io.Reader
	n int64
}

func (c *byteCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// formBoundary returns the boundary of a multipart/form-data Content-Type.
func formBoundary(contentType string) (string, bool) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.EqualFold(mt, "multipart/form-data") {
		return "", false
	}
	b := params["boundary"]
	return b, b != "" && len(b) <= 70
}

func newFormReader(body io.Reader, boundary string) *formReader {
	raw := &byteCounter{r: body}
	return &formReader{br: bufio.NewReaderSize(raw, postBufSize), raw: raw, delim: []byte("\r\n--" + boundary)}
}

// consumed is how many body bytes the parser has used.
func (fr *formReader) consumed() int64 { return fr.raw.n - int64(fr.br.Buffered()) }

// readLine returns one line (with its terminator). Lines longer than the
// buffer are refused: no legitimate form header is that long.
func (fr *formReader) readLine() ([]byte, error) {
	line, err := fr.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, errPreDataTooBig
	case err == io.EOF:
		return line, io.ErrUnexpectedEOF
	}
	return line, err
}

// delimiterLine classifies a line that starts a new line: 0 if it is not
// a boundary delimiter, 1 for "--boundary", 2 for the closing
// "--boundary--" (transport padding and the line end are ignored).
func (fr *formReader) delimiterLine(line []byte) int {
	dash := fr.delim[2:] // "--" + boundary
	if !bytes.HasPrefix(line, dash) {
		return 0
	}
	rest := line[len(dash):]
	closing := bytes.HasPrefix(rest, []byte("--"))
	if closing {
		rest = rest[2:]
	}
	if len(bytes.Trim(rest, " \t\r\n")) != 0 {
		return 0
	}
	if closing {
		return 2
	}
	return 1
}

// readFields parses the form up to the file part's content. It returns
// errNoFileField when the form closes without a file.
func (fr *formReader) readFields() (*postForm, error) {
	// Preamble: everything up to the first delimiter line.
	for {
		line, err := fr.readLine()
		if err != nil {
			return nil, fr.wrap(err)
		}
		if fr.consumed() > maxPostPreData {
			return nil, errPreDataTooBig
		}
		switch fr.delimiterLine(line) {
		case 1:
			goto parts
		case 2:
			return nil, errNoFileField
		}
	}
parts:
	f := &postForm{}
	for {
		name, filename, ctype, err := fr.readPartHeader()
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(name, "file") {
			f.fileName, f.fileType = filename, ctype
			return f, nil
		}
		value, closing, err := fr.readFieldValue()
		if err != nil {
			return nil, err
		}
		f.fields = append(f.fields, formField{name, value})
		if closing {
			return nil, errNoFileField
		}
	}
}

func (fr *formReader) wrap(err error) error {
	if errors.Is(err, errPreDataTooBig) {
		return err
	}
	return errors.Join(errFormMalformed, err)
}

// readPartHeader reads a part's header lines up to the blank line and
// returns its form-data name, filename and Content-Type.
func (fr *formReader) readPartHeader() (name, filename, ctype string, err error) {
	var disposition string
	for {
		line, err := fr.readLine()
		if err != nil {
			return "", "", "", fr.wrap(err)
		}
		if fr.consumed() > maxPostPreData {
			return "", "", "", errPreDataTooBig
		}
		l := strings.TrimRight(string(line), "\r\n")
		if l == "" {
			break
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return "", "", "", errFormMalformed
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "content-disposition":
			disposition = strings.TrimSpace(v)
		case "content-type":
			ctype = strings.TrimSpace(v)
		}
	}
	d, params, perr := mime.ParseMediaType(disposition)
	if perr != nil || !strings.EqualFold(d, "form-data") || params["name"] == "" {
		return "", "", "", errFormMalformed
	}
	return params["name"], params["filename"], ctype, nil
}

// readFieldValue reads a field's content up to the next delimiter and
// reports whether that delimiter closes the form.
func (fr *formReader) readFieldValue() (string, bool, error) {
	var buf []byte
	atLineStart := true
	for {
		line, err := fr.br.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return "", false, fr.wrap(err)
		}
		if fr.consumed() > maxPostPreData {
			return "", false, errPreDataTooBig
		}
		if atLineStart && err == nil && bytes.HasSuffix(buf, []byte("\r\n")) {
			if kind := fr.delimiterLine(line); kind != 0 {
				return string(buf[:len(buf)-2]), kind == 2, nil
			}
		}
		buf = append(buf, line...)
		atLineStart = err == nil
	}
}

// filePart reads the file content: up to (excluding) the next delimiter,
// which it leaves unread. It never holds more than the reader's buffer.
type filePart struct {
	fr   *formReader
	n    int64
	done bool
}

func (p *filePart) Read(b []byte) (int, error) {
	if p.done {
		return 0, io.EOF
	}
	if len(b) == 0 {
		return 0, nil
	}
	br, dl := p.fr.br, len(p.fr.delim)
	want := br.Buffered()
	if want < dl {
		want = dl
	}
	peek, err := br.Peek(want)
	if i := bytes.Index(peek, p.fr.delim); i >= 0 {
		n := copy(b, peek[:i])
		_, _ = br.Discard(n)
		p.n += int64(n)
		if n == i {
			p.done = true
			if n == 0 {
				return 0, io.EOF
			}
		}
		return n, nil
	}
	// Without a whole delimiter in view, all but its length minus one
	// bytes are content for sure.
	safe := len(peek) - (dl - 1)
	if safe <= 0 {
		if err != nil {
			return 0, errors.Join(errFormMalformed, io.ErrUnexpectedEOF)
		}
		return 0, nil
	}
	n := copy(b, peek[:safe])
	_, _ = br.Discard(n)
	p.n += int64(n)
	return n, nil
}

// closesForm reports, once the file part has ended, whether its delimiter
// is the closing one ("--" follows), consuming both.
func (p *filePart) closesForm() bool {
	if !p.done {
		return false
	}
	peek, _ := p.fr.br.Peek(len(p.fr.delim) + 2)
	if len(peek) < len(p.fr.delim)+2 || !bytes.Equal(peek[len(p.fr.delim):], []byte("--")) {
		return false
	}
	_, _ = p.fr.br.Discard(len(peek))
	return true
}
