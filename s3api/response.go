package s3api

import (
	"io"
	"net/http"
)

// response is what a handler returns; the wrapper alone writes it.
type response struct {
	status int
	// header holds headers in the exact case they are sent.
	header      []headerKV
	contentType string
	body        []byte
	// stream, when set, is sent instead of body; streamLen is its length.
	stream    io.ReadCloser
	streamLen int64
	// length, when >= 0, is the Content-Length of a HEAD response (which
	// carries no body).
	length int64
}

func newResponse(status int) *response { return &response{status: status, length: -1} }

// ok200 is an empty 200 response.
func ok200() *response { return newResponse(http.StatusOK) }

func xmlResponse(status int, body []byte) *response {
	r := newResponse(status)
	r.contentType = "application/xml"
	r.body = body
	return r
}

// set adds a header; name is sent in exactly this case.
func (r *response) set(name, value string) *response {
	r.header = append(r.header, headerKV{name: name, value: value})
	return r
}

// errorBody renders an S3 error document.
func errorBody(e *Error, resource, requestID, hostID string) []byte {
	sp := e.Code.spec()
	w := newXMLWriter(256)
	w.open("Error")
	w.elem("Code", sp.Code)
	w.elem("Message", e.message())
	for _, f := range e.Extra {
		w.elem(f.Name, f.Value)
	}
	w.elem("Resource", resource)
	w.elem("RequestId", requestID)
	w.elem("HostId", hostID)
	w.close("Error")
	return w.bytes()
}

func quoteETag(etag string) string {
	if etag == "" {
		return ""
	}
	return `"` + etag + `"`
}
