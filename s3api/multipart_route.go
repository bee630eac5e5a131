package s3api

import (
	"strconv"
	"strings"
)

// S3's multipart limits.
const (
	// maxPartNumber is the highest part number of an upload.
	maxPartNumber = 10000
	// maxPartSize is the largest part (UploadPart body or copied range).
	maxPartSize = 5 << 30
	// maxListParts caps max-parts and max-uploads.
	maxListParts = 1000
)

// multipartObjectOp routes the object requests that carry a multipart or
// attributes sub-resource: POST ?uploads (CreateMultipartUpload), any
// method with ?uploadId, PUT with ?partNumber, GET ?attributes. It reports
// whether it routed the request (or failed).
func multipartObjectOp(op *Operation, method string, q query, h headerFunc) (bool, error) {
	uploadID, hasUpload := q.get("uploadId")
	switch {
	case hasUpload:
		op.UploadID = uploadID
		switch method {
		case "PUT":
			v, ok := q.get("partNumber")
			if !ok {
				return true, partNumberError("")
			}
			n, err := parsePartNumber(v)
			if err != nil {
				return true, err
			}
			op.PartNumber = n
			op.Kind = OpUploadPart
			if h("x-amz-copy-source") != "" {
				op.Kind = OpUploadPartCopy
			}
		case "POST":
			op.Kind = OpCompleteMultipartUpload
		case "DELETE":
			op.Kind = OpAbortMultipartUpload
		case "GET":
			op.Kind = OpListParts
			return true, parsePartsParams(&op.Parts, q)
		default:
			return true, s3err(ErrMethodNotAllowed)
		}
	case q.has("uploads"):
		if method != "POST" {
			return true, s3err(ErrMethodNotAllowed)
		}
		op.Kind = OpCreateMultipartUpload
	case method == "PUT" && q.has("partNumber"):
		// A part without its upload would otherwise be stored as a whole
		// object: refuse rather than guess.
		return true, s3errf(ErrInvalidRequest, "A partNumber needs an uploadId.").with("ArgumentName", "uploadId")
	case q.has("attributes"):
		if method != "GET" {
			return true, s3err(ErrMethodNotAllowed)
		}
		op.Kind = OpGetObjectAttributes
	default:
		return false, nil
	}
	return true, nil
}

// parsePartNumber parses a partNumber parameter: an integer 1–10000.
func parsePartNumber(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPartNumber {
		return 0, partNumberError(v)
	}
	return n, nil
}

func partNumberError(v string) *Error {
	return s3errf(ErrInvalidArgument, "Part number must be an integer between 1 and %d, inclusive", maxPartNumber).
		with("ArgumentName", "partNumber").with("ArgumentValue", v)
}

// parseCount parses a non-negative integer paging parameter (max-parts,
// part-number-marker, max-uploads); it returns def when absent.
func parseCount(q query, name string, def int) (int, error) {
	v, ok := q.get(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, s3errf(ErrInvalidArgument, "Provided %s not an integer or within integer range", name).
			with("ArgumentName", name).with("ArgumentValue", v)
	}
	return n, nil
}

// parsePartsParams reads ListParts paging: max-parts (clamped to 1000)
// and part-number-marker.
func parsePartsParams(pp *PartsParams, q query) error {
	n, err := parseCount(q, "max-parts", maxListParts)
	if err != nil {
		return err
	}
	pp.Max = min(n, maxListParts)
	pp.Marker, err = parseCount(q, "part-number-marker", 0)
	return err
}

// parseUploadsParams reads ListMultipartUploads parameters into op.List
// (key-marker as Marker and After, max-uploads as MaxKeys) and
// op.UploadIDMarker.
func parseUploadsParams(op *Operation, q query) error {
	lp := &op.List
	lp.Prefix, _ = q.get("prefix")
	lp.Delimiter, _ = q.get("delimiter")
	lp.Marker, _ = q.get("key-marker")
	lp.After = lp.Marker
	n, err := parseCount(q, "max-uploads", maxListParts)
	if err != nil {
		return err
	}
	lp.MaxKeys = min(n, maxListParts)
	if v, ok := q.get("encoding-type"); ok {
		if !strings.EqualFold(v, "url") {
			return s3errf(ErrInvalidArgument, "Invalid Encoding Method specified in Request").with("ArgumentName", "encoding-type").with("ArgumentValue", v)
		}
		lp.URLEncode = true
	}
	// AWS ignores upload-id-marker without key-marker.
	if lp.Marker != "" {
		op.UploadIDMarker, _ = q.get("upload-id-marker")
	}
	return nil
}
