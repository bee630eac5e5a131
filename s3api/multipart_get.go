package s3api

import (
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/data"
)

// objectRange is the byte range a GetObject/HeadObject reads: one part
// for ?partNumber=N, else the Range header's (partial false: the whole
// object).
func objectRange(rq *request, info data.ObjectInfo) (byteRange, bool, error) {
	if rq.op.PartNumber == 0 {
		return parseRange(rq.hdr.get("range"), info.Size)
	}
	if rq.hdr.get("range") != "" {
		return byteRange{}, false, s3errf(ErrInvalidRequest, "Cannot specify both Range header and partNumber query parameter.")
	}
	return partRange(info, rq.op.PartNumber)
}

// partRange is the range of part n of an object. A single-PUT object is
// one part: part 1 is the whole object. A part the object does not have
// is InvalidPartNumber (416).
func partRange(info data.ObjectInfo, n int) (byteRange, bool, error) {
	if len(info.Parts) == 0 {
		if n != 1 {
			return byteRange{}, false, s3err(ErrInvalidPartNumber)
		}
		// An empty object has no byte to range over: send it whole.
		return byteRange{Start: 0, Length: info.Size}, info.Size > 0, nil
	}
	var off int64
	for _, p := range info.Parts {
		if p.Number == n {
			return byteRange{Start: off, Length: p.Size}, p.Size > 0, nil
		}
		off += p.Size
	}
	return byteRange{}, false, s3err(ErrInvalidPartNumber)
}

// setPartAndTagHeaders adds what GetObject/HeadObject say about parts and
// tags: x-amz-mp-parts-count when a part of a multipart object is read
// (with the part's checksums under x-amz-checksum-mode: ENABLED), and
// x-amz-tagging-count when the object has tags and the caller may read
// them.
func (s *Server) setPartAndTagHeaders(rq *request, r *response, info data.ObjectInfo) {
	if n := rq.op.PartNumber; n > 0 && len(info.Parts) > 0 {
		r.set("x-amz-mp-parts-count", strconv.Itoa(len(info.Parts)))
		if strings.EqualFold(rq.hdr.get("x-amz-checksum-mode"), "ENABLED") {
			for _, p := range info.Parts {
				if p.Number == n {
					setChecksumHeaders(r, p.Checksums)
				}
			}
		}
	}
	action := "s3:GetObjectTagging"
	if rq.op.VersionID != "" {
		action = "s3:GetObjectVersionTagging"
	}
	if len(info.Meta.Tags) > 0 && s.authorize(rq, action, rq.op.Key) == nil {
		r.set("x-amz-tagging-count", strconv.Itoa(len(info.Meta.Tags)))
	}
}
