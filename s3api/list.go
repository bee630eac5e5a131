package s3api

import (
	"net/http"
	"sort"
	"strings"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// maxListKeys is S3's page size limit for object listings.
const maxListKeys = 1000

// listObjects serves ListObjects (v1) and ListObjectsV2. The XML is
// written directly: listings are the hottest large responses.
func (s *Server) listObjects(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	lp := rq.op.List
	var res data.ListResult
	if lp.MaxKeys > 0 {
		res, err = s.deps.Objects.ListObjects(rq.ctx, b.Name, data.ListOptions{
			Prefix:    lp.Prefix,
			Delimiter: lp.Delimiter,
			After:     resumeAfter(lp.After, lp.Prefix, lp.Delimiter),
			MaxKeys:   lp.MaxKeys,
		})
		if err != nil {
			return nil, err
		}
	}
	if rq.op.Kind == OpListObjectsV2 {
		return xmlResponse(http.StatusOK, listV2XML(b, lp, res)), nil
	}
	return xmlResponse(http.StatusOK, listV1XML(b, lp, res)), nil
}

// resumeAfter turns a resume position into the data layer's After. When
// the position is a common prefix (it ends with the delimiter right after
// the listing prefix's extent), every key under it has been summarised
// already, so the listing resumes after the whole sub-tree: 0xFF never
// occurs in UTF-8, so prefix+"\xff" sorts after every key below it.
func resumeAfter(after, prefix, delim string) string {
	if after == "" || delim == "" || !strings.HasPrefix(after, prefix) {
		return after
	}
	rest := after[len(prefix):]
	if i := strings.Index(rest, delim); i >= 0 && i+len(delim) == len(rest) {
		return after + "\xff"
	}
	return after
}

func listV2XML(b meta.Bucket, lp ListParams, res data.ListResult) []byte {
	enc := encoder(lp.URLEncode)
	w := newXMLWriter(512 + 320*len(res.Objects) + 96*len(res.CommonPrefixes))
	w.openNS("ListBucketResult", s3NS)
	w.elem("Name", b.Name)
	w.elem("Prefix", enc(lp.Prefix))
	if lp.StartAfter != "" {
		w.elem("StartAfter", enc(lp.StartAfter))
	}
	if lp.Token != "" {
		w.elem("ContinuationToken", lp.Token)
	}
	w.elemInt("KeyCount", int64(len(res.Objects)+len(res.CommonPrefixes)))
	w.elemInt("MaxKeys", int64(lp.MaxKeys))
	if lp.Delimiter != "" {
		w.elem("Delimiter", enc(lp.Delimiter))
	}
	if lp.URLEncode {
		w.elem("EncodingType", "url")
	}
	w.elemBool("IsTruncated", res.IsTruncated)
	if res.IsTruncated {
		w.elem("NextContinuationToken", encodeToken(res.NextAfter))
	}
	writeContents(w, b, res.Objects, enc, lp.FetchOwner)
	writePrefixes(w, res.CommonPrefixes, enc)
	w.close("ListBucketResult")
	return w.bytes()
}

func listV1XML(b meta.Bucket, lp ListParams, res data.ListResult) []byte {
	enc := encoder(lp.URLEncode)
	w := newXMLWriter(512 + 400*len(res.Objects) + 96*len(res.CommonPrefixes))
	w.openNS("ListBucketResult", s3NS)
	w.elem("Name", b.Name)
	w.elem("Prefix", enc(lp.Prefix))
	w.elem("Marker", enc(lp.Marker))
	w.elemInt("MaxKeys", int64(lp.MaxKeys))
	if lp.Delimiter != "" {
		w.elem("Delimiter", enc(lp.Delimiter))
	}
	if lp.URLEncode {
		w.elem("EncodingType", "url")
	}
	w.elemBool("IsTruncated", res.IsTruncated)
	// As in S3, NextMarker is returned only with a delimiter; without one
	// the client continues from the last key.
	if res.IsTruncated && lp.Delimiter != "" {
		w.elem("NextMarker", enc(res.NextAfter))
	}
	writeContents(w, b, res.Objects, enc, true)
	writePrefixes(w, res.CommonPrefixes, enc)
	w.close("ListBucketResult")
	return w.bytes()
}

func writeContents(w *xmlWriter, b meta.Bucket, objs []data.ObjectInfo, enc func(string) string, owner bool) {
	for i := range objs {
		o := &objs[i]
		if o.DeleteMarker {
			continue
		}
		w.open("Contents")
		w.elem("Key", enc(o.Key))
		w.elemTime("LastModified", o.ModTime)
		w.elem("ETag", quoteETag(o.ETag))
		if len(o.Checksums) > 0 {
			algs := make([]string, 0, len(o.Checksums))
			for a := range o.Checksums {
				algs = append(algs, a)
			}
			sort.Strings(algs)
			for _, a := range algs {
				w.elem("ChecksumAlgorithm", a)
			}
		}
		w.elemInt("Size", o.Size)
		w.elem("StorageClass", "STANDARD")
		if owner {
			w.open("Owner")
			w.elem("ID", o.Owner)
			// The index records only the owner's canonical ID; the bucket
			// owner's display name is the one Cairn knows.
			if o.Owner == b.Owner {
				w.elem("DisplayName", b.OwnerName)
			}
			w.close("Owner")
		}
		w.close("Contents")
	}
}

func writePrefixes(w *xmlWriter, prefixes []string, enc func(string) string) {
	for _, p := range prefixes {
		w.open("CommonPrefixes")
		w.elem("Prefix", enc(p))
		w.close("CommonPrefixes")
	}
}

func encoder(url bool) func(string) string {
	if url {
		return escapeURL
	}
	return func(s string) string { return s }
}
