package s3api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/data"
)

// objectAttributes is the set of attributes GetObjectAttributes returns,
// from x-amz-object-attributes.
type objectAttributes struct {
	ETag, Checksum, ObjectParts, StorageClass, ObjectSize bool
}

// parseObjectAttributes parses x-amz-object-attributes: a comma-separated
// list of ETag, Checksum, ObjectParts, StorageClass and ObjectSize (names
// as AWS spells them). Empty or unknown names are InvalidArgument.
func parseObjectAttributes(v string) (objectAttributes, error) {
	var a objectAttributes
	if strings.TrimSpace(v) == "" {
		return a, s3errf(ErrInvalidArgument, "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty").
			with("ArgumentName", "x-amz-object-attributes")
	}
	for name := range strings.SplitSeq(v, ",") {
		switch strings.TrimSpace(name) {
		case "ETag":
			a.ETag = true
		case "Checksum":
			a.Checksum = true
		case "ObjectParts":
			a.ObjectParts = true
		case "StorageClass":
			a.StorageClass = true
		case "ObjectSize":
			a.ObjectSize = true
		default:
			return a, s3errf(ErrInvalidArgument, "Invalid attribute name specified.").
				with("ArgumentName", "x-amz-object-attributes").with("ArgumentValue", clipValue(name))
		}
	}
	return a, nil
}

// headerCount parses a non-negative integer header (x-amz-max-parts,
// x-amz-part-number-marker), def when absent.
func headerCount(h *headers, name string, def int) (int, error) {
	v := h.get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, s3errf(ErrInvalidArgument, "Provided %s not an integer or within integer range", name).
			with("ArgumentName", name).with("ArgumentValue", clipValue(v))
	}
	return n, nil
}

func (s *Server) getObjectAttributes(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	attrs, err := parseObjectAttributes(rq.hdr.get("x-amz-object-attributes"))
	if err != nil {
		return nil, err
	}
	maxParts, err := headerCount(rq.hdr, "x-amz-max-parts", maxListParts)
	if err != nil {
		return nil, err
	}
	maxParts = min(maxParts, maxListParts)
	marker, err := headerCount(rq.hdr, "x-amz-part-number-marker", 0)
	if err != nil {
		return nil, err
	}
	info, err := s.deps.Objects.StatObject(rq.ctx, b.Name, rq.op.Key, data.GetOptions{VersionID: rq.op.VersionID})
	if errors.Is(err, data.ErrDeleteMarker) || (err == nil || errors.Is(err, data.ErrObjectNotFound)) && info.DeleteMarker {
		return nil, deleteMarkerError(rq, info, err)
	}
	if err != nil {
		return nil, err
	}

	w := newXMLWriter(512 + 160*min(len(info.Parts), maxParts))
	w.openNS("GetObjectAttributesResponse", s3NS)
	if attrs.ETag {
		// Unquoted here, unlike the ETag header.
		w.elem("ETag", info.ETag)
	}
	if attrs.Checksum && len(info.Checksums) > 0 {
		w.open("Checksum")
		writeChecksumElems(w, info.Checksums)
		w.elem("ChecksumType", checksumType(info.Checksums))
		w.close("Checksum")
	}
	if attrs.ObjectParts && len(info.Parts) > 0 {
		writeObjectParts(w, info.Parts, marker, maxParts)
	}
	if attrs.StorageClass {
		w.elem("StorageClass", "STANDARD")
	}
	if attrs.ObjectSize {
		w.elemInt("ObjectSize", info.Size)
	}
	w.close("GetObjectAttributesResponse")
	r := xmlResponse(http.StatusOK, w.bytes())
	r.set("Last-Modified", httpTime(info))
	setBucketVersionHeader(r, b, info)
	return r, nil
}

// checksumType is COMPOSITE for a multipart object's checksum of part
// checksums ("<base64>-N"), else FULL_OBJECT.
func checksumType(sums map[string]string) string {
	for _, v := range sums {
		if strings.Contains(v, "-") {
			return "COMPOSITE"
		}
	}
	return "FULL_OBJECT"
}

// writeObjectParts writes the ObjectParts element: one page of parts
// after marker, at most maxParts.
func writeObjectParts(w *xmlWriter, parts []data.PartInfo, marker, maxParts int) {
	page := make([]data.PartInfo, 0, min(len(parts), maxParts))
	truncated := false
	for _, p := range parts {
		if p.Number <= marker {
			continue
		}
		if len(page) == maxParts {
			truncated = true
			break
		}
		page = append(page, p)
	}
	w.open("ObjectParts")
	w.elemInt("PartsCount", int64(len(parts)))
	w.elemInt("PartNumberMarker", int64(marker))
	next := marker
	if len(page) > 0 {
		next = page[len(page)-1].Number
	}
	w.elemInt("NextPartNumberMarker", int64(next))
	w.elemInt("MaxParts", int64(maxParts))
	w.elemBool("IsTruncated", truncated)
	for _, p := range page {
		w.open("Part")
		w.elemInt("PartNumber", int64(p.Number))
		w.elemInt("Size", p.Size)
		writeChecksumElems(w, p.Checksums)
		w.close("Part")
	}
	w.close("ObjectParts")
}
