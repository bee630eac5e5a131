package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client is a minimal path-style S3 client tuned for load generation. The
// Client itself is shared and safe for concurrent use; per-request state
// (signer, buffers, timings) lives in a Conn, one per worker.
type Client struct {
	base   *url.URL
	http   *http.Client
	signer *Signer
}

// ClientConfig is what a Client needs to reach an endpoint.
type ClientConfig struct {
	Endpoint  string // http(s)://host:port
	AccessKey string
	SecretKey string
	Region    string
	// Conns is the number of connections kept per host: the concurrency,
	// so no worker ever waits for or re-dials a connection.
	Conns int
}

// NewClient validates the endpoint and builds the shared transport.
func NewClient(cfg ClientConfig) (*Client, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q: want http(s)://host[:port]", cfg.Endpoint)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	conns := max(cfg.Conns, 1)
	tr := &http.Transport{
		Proxy:               nil, // a proxy would measure itself
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		// Objects are random bytes; gzip negotiation would only cost CPU.
		DisableCompression: true,
		WriteBufferSize:    64 << 10,
		ReadBufferSize:     64 << 10,
		ForceAttemptHTTP2:  false,
	}
	return &Client{
		base:   u,
		http:   &http.Client{Transport: tr},
		signer: NewSigner(cfg.AccessKey, cfg.SecretKey, cfg.Region),
	}, nil
}

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Conn is one worker's view of the client. Not safe for concurrent use.
type Conn struct {
	c       *Client
	signer  *Signer
	buf     []byte     // read buffer for response bodies
	signing *Histogram // time spent in Sign
}

// NewConn returns a worker connection.
func (c *Client) NewConn() *Conn {
	return &Conn{c: c, signer: c.signer.Clone(), buf: make([]byte, 256<<10), signing: NewHistogram()}
}

// Signing returns the histogram of signature times of this Conn.
func (cn *Conn) Signing() *Histogram { return cn.signing }

// S3Error is a non-2xx answer (Code from the XML body, or "HTTP<status>"
// for bodiless answers such as HEAD), or a transport failure (Code
// "NetworkError").
type S3Error struct {
	Status int
	Code   string
	Err    error
}

func (e *S3Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Code, e.Err)
	}
	return fmt.Sprintf("%s (HTTP %d)", e.Code, e.Status)
}

func (e *S3Error) Unwrap() error { return e.Err }

// ErrorCode returns the S3 error code of err for error counting.
func ErrorCode(err error) string {
	var se *S3Error
	if errors.As(err, &se) {
		return se.Code
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "Canceled"
	}
	return "ClientError"
}

// objectURL builds a path-style URL; RawPath carries the SigV4 encoding so
// the signed path and the sent path are the same bytes.
func (c *Client) objectURL(bucket, key, rawQuery string) *url.URL {
	p := "/" + bucket
	if key != "" {
		p += "/" + key
	}
	u := *c.base
	u.Path = strings.TrimSuffix(c.base.Path, "/") + p
	u.RawPath = awsEscape(u.Path, false)
	u.RawQuery = rawQuery
	return &u
}

// do signs and sends a request; the caller closes the body of a 2xx
// response. Non-2xx responses are turned into *S3Error.
func (cn *Conn) do(ctx context.Context, method string, u *url.URL, body io.Reader, size int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.URL = u
	if body != nil {
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
		}
	}
	t0 := time.Now()
	cn.signer.Sign(req, UnsignedPayload, t0)
	cn.signing.Record(time.Since(t0))
	resp, err := cn.c.http.Do(req)
	if err != nil {
		return nil, &S3Error{Code: "NetworkError", Err: err}
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		n, _ := io.ReadFull(resp.Body, cn.buf[:min(len(cn.buf), 64<<10)])
		return nil, &S3Error{Status: resp.StatusCode, Code: errorCodeOf(cn.buf[:n], resp.StatusCode)}
	}
	return resp, nil
}

func errorCodeOf(body []byte, status int) string {
	if code, ok := xmlField(body, "Code"); ok && code != "" {
		return code
	}
	return "HTTP" + strconv.Itoa(status)
}

// xmlField returns the text of the first <name> element. S3 answers are
// flat enough that a scan beats an XML decoder by an order of magnitude,
// which matters when listing is what is measured.
func xmlField(body []byte, name string) (string, bool) {
	open := "<" + name + ">"
	i := bytes.Index(body, []byte(open))
	if i < 0 {
		return "", false
	}
	rest := body[i+len(open):]
	j := bytes.Index(rest, []byte("</"+name+">"))
	if j < 0 {
		return "", false
	}
	return html.UnescapeString(string(rest[:j])), true
}

// drain reads and closes a body, returning its length and the time its
// first byte arrived (zero if empty).
func (cn *Conn) drain(body io.ReadCloser) (n int64, first time.Time, err error) {
	defer body.Close()
	for {
		m, rerr := body.Read(cn.buf)
		if m > 0 && first.IsZero() {
			first = time.Now()
		}
		n += int64(m)
		if rerr == io.EOF {
			return n, first, nil
		}
		if rerr != nil {
			return n, first, &S3Error{Code: "NetworkError", Err: rerr}
		}
	}
}

// Put uploads data as bucket/key.
func (cn *Conn) Put(ctx context.Context, bucket, key string, data Payload, size int64) error {
	resp, err := cn.do(ctx, http.MethodPut, cn.c.objectURL(bucket, key, ""), data.Section(0, size), size)
	if err != nil {
		return err
	}
	_, _, err = cn.drain(resp.Body)
	return err
}

// Get downloads bucket/key and discards it, returning its size and the
// time to first byte of the body measured from start.
func (cn *Conn) Get(ctx context.Context, bucket, key string, start time.Time) (int64, time.Duration, error) {
	resp, err := cn.do(ctx, http.MethodGet, cn.c.objectURL(bucket, key, ""), nil, 0)
	if err != nil {
		return 0, 0, err
	}
	headers := time.Now()
	n, first, err := cn.drain(resp.Body)
	if first.IsZero() {
		first = headers
	}
	return n, first.Sub(start), err
}

// Stat is a HEAD of bucket/key.
func (cn *Conn) Stat(ctx context.Context, bucket, key string) error {
	resp, err := cn.do(ctx, http.MethodHead, cn.c.objectURL(bucket, key, ""), nil, 0)
	if err != nil {
		return err
	}
	_, _, err = cn.drain(resp.Body)
	return err
}

// Delete removes bucket/key.
func (cn *Conn) Delete(ctx context.Context, bucket, key string) error {
	resp, err := cn.do(ctx, http.MethodDelete, cn.c.objectURL(bucket, key, ""), nil, 0)
	if err != nil {
		return err
	}
	_, _, err = cn.drain(resp.Body)
	return err
}

// ListPage is what List returns of one ListObjectsV2 page.
type ListPage struct {
	Bytes     int64
	Keys      int
	NextToken string // empty when the listing is complete
	// Body is the raw page, valid until the next call on this Conn.
	Body []byte
}

// List fetches one ListObjectsV2 page.
func (cn *Conn) List(ctx context.Context, bucket, prefix, delimiter, token string, maxKeys int) (ListPage, error) {
	q := url.Values{"list-type": {"2"}, "max-keys": {strconv.Itoa(maxKeys)}}
	if prefix != "" {
		q.Set("prefix", prefix)
	}
	if delimiter != "" {
		q.Set("delimiter", delimiter)
	}
	if token != "" {
		q.Set("continuation-token", token)
	}
	resp, err := cn.do(ctx, http.MethodGet, cn.c.objectURL(bucket, "", encodeQuery(q)), nil, 0)
	if err != nil {
		return ListPage{}, err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.Grow(64 << 10)
	n, err := b.ReadFrom(resp.Body)
	if err != nil {
		return ListPage{}, &S3Error{Code: "NetworkError", Err: err}
	}
	body := b.Bytes()
	page := ListPage{Bytes: n, Body: body, Keys: bytes.Count(body, []byte("<Key>"))}
	if t, _ := xmlField(body, "IsTruncated"); t == "true" {
		page.NextToken, _ = xmlField(body, "NextContinuationToken")
	}
	return page, nil
}

// encodeQuery encodes like url.Values.Encode but with %20 for spaces, the
// form SigV4 canonicalizes to.
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}

// Multipart uploads data in parts of partSize: create, parts, complete.
func (cn *Conn) Multipart(ctx context.Context, bucket, key string, data Payload, size, partSize int64) error {
	u := cn.c.objectURL(bucket, key, "uploads")
	resp, err := cn.do(ctx, http.MethodPost, u, nil, 0)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	_, rerr := b.ReadFrom(resp.Body)
	resp.Body.Close()
	if rerr != nil {
		return &S3Error{Code: "NetworkError", Err: rerr}
	}
	uploadID, ok := xmlField(b.Bytes(), "UploadId")
	if !ok {
		return &S3Error{Status: resp.StatusCode, Code: "MalformedResponse"}
	}
	partSize = max(partSize, 1)
	var complete strings.Builder
	complete.WriteString("<CompleteMultipartUpload>")
	for part, off := 1, int64(0); off < size || part == 1; part++ {
		end := min(off+partSize, size)
		q := url.Values{"partNumber": {strconv.Itoa(part)}, "uploadId": {uploadID}}
		resp, err := cn.do(ctx, http.MethodPut, cn.c.objectURL(bucket, key, encodeQuery(q)), data.Section(off, end-off), end-off)
		if err != nil {
			cn.abort(bucket, key, uploadID)
			return err
		}
		etag := resp.Header.Get("ETag")
		if _, _, err := cn.drain(resp.Body); err != nil {
			cn.abort(bucket, key, uploadID)
			return err
		}
		fmt.Fprintf(&complete, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", part, html.EscapeString(etag))
		off = end
		if off >= size {
			break
		}
	}
	complete.WriteString("</CompleteMultipartUpload>")
	body := complete.String()
	resp, err = cn.do(ctx, http.MethodPost, cn.c.objectURL(bucket, key, encodeQuery(url.Values{"uploadId": {uploadID}})), strings.NewReader(body), int64(len(body)))
	if err != nil {
		cn.abort(bucket, key, uploadID)
		return err
	}
	defer resp.Body.Close()
	b.Reset()
	if _, err := b.ReadFrom(resp.Body); err != nil {
		return &S3Error{Code: "NetworkError", Err: err}
	}
	// CompleteMultipartUpload reports failures inside a 200 answer.
	if bytes.Contains(b.Bytes(), []byte("<Error>")) {
		return &S3Error{Status: resp.StatusCode, Code: errorCodeOf(b.Bytes(), resp.StatusCode)}
	}
	return nil
}

func (cn *Conn) abort(bucket, key, uploadID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cn.do(ctx, http.MethodDelete, cn.c.objectURL(bucket, key, encodeQuery(url.Values{"uploadId": {uploadID}})), nil, 0)
	if err == nil {
		cn.drain(resp.Body)
	}
}

// EnsureBucket creates bucket unless it exists; it reports whether it
// created it.
func (cn *Conn) EnsureBucket(ctx context.Context, bucket string) (bool, error) {
	resp, err := cn.do(ctx, http.MethodHead, cn.c.objectURL(bucket, "", ""), nil, 0)
	if err == nil {
		cn.drain(resp.Body)
		return false, nil
	}
	var se *S3Error
	if !errors.As(err, &se) || se.Status != http.StatusNotFound {
		return false, fmt.Errorf("bucket %s: %w", bucket, err)
	}
	resp, err = cn.do(ctx, http.MethodPut, cn.c.objectURL(bucket, "", ""), nil, 0)
	if err != nil {
		if errors.As(err, &se) && se.Code == "BucketAlreadyOwnedByYou" {
			return false, nil
		}
		return false, fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	cn.drain(resp.Body)
	return true, nil
}

// DeleteBucket removes an (empty) bucket.
func (cn *Conn) DeleteBucket(ctx context.Context, bucket string) error {
	resp, err := cn.do(ctx, http.MethodDelete, cn.c.objectURL(bucket, "", ""), nil, 0)
	if err != nil {
		return err
	}
	_, _, err = cn.drain(resp.Body)
	return err
}
