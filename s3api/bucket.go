package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/cairn-s3/cairn/meta"
)

// maxConfigBody bounds small XML request bodies (bucket configuration).
const maxConfigBody = 64 << 10

// readBody reads a small request body through the verified payload. A body
// over limit is MaxMessageLengthExceeded; no body at all is nil.
func (rq *request) readBody(limit int64) ([]byte, error) {
	if rq.noBody() {
		return nil, nil
	}
	p, err := rq.openPayload()
	if err != nil {
		return nil, err
	}
	if p.Size() > limit {
		return nil, s3err(ErrMaxMessageLengthExceeded)
	}
	b, err := io.ReadAll(io.LimitReader(p, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, s3err(ErrMaxMessageLengthExceeded)
	}
	return b, nil
}

func (s *Server) listBuckets(rq *request) (*response, error) {
	lp := rq.op.List
	all := s.deps.Buckets.Buckets()
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	w := newXMLWriter(256 + 128*len(all))
	w.openNS("ListAllMyBucketsResult", s3NS)
	w.open("Owner")
	w.elem("ID", rq.ident.CanonicalID)
	w.elem("DisplayName", rq.ident.DisplayName)
	w.close("Owner")
	page := make([]meta.Bucket, 0, len(all))
	for _, b := range all {
		if strings.HasPrefix(b.Name, lp.Prefix) && (lp.After == "" || b.Name > lp.After) {
			page = append(page, b)
		}
	}
	truncated := len(page) > lp.MaxKeys
	if truncated {
		page = page[:lp.MaxKeys]
	}
	w.open("Buckets")
	for _, b := range page {
		w.open("Bucket")
		w.elem("Name", b.Name)
		w.elemTime("CreationDate", b.Created)
		w.elem("BucketRegion", bucketRegion(b))
		w.close("Bucket")
	}
	w.close("Buckets")
	if truncated {
		w.elem("ContinuationToken", encodeToken(page[len(page)-1].Name))
	}
	if lp.Prefix != "" {
		w.elem("Prefix", lp.Prefix)
	}
	w.close("ListAllMyBucketsResult")
	return xmlResponse(http.StatusOK, w.bytes()), nil
}

// bucketRegion is the region a bucket lives in; meta.Bucket records
// us-east-1 as "".
func bucketRegion(b meta.Bucket) string {
	if b.Region != "" {
		return b.Region
	}
	return "us-east-1"
}

// createBucketConfiguration is the optional CreateBucket request body.
type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

// parseCreateBucketConfig returns the LocationConstraint of a CreateBucket
// body ("" for an empty body).
func parseCreateBucketConfig(body []byte) (string, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return "", nil
	}
	var c createBucketConfiguration
	if err := decodeXMLStrict(body, &c); err != nil {
		return "", err
	}
	return strings.TrimSpace(c.LocationConstraint), nil
}

func (s *Server) createBucket(rq *request) (*response, error) {
	name := rq.op.Bucket
	// Object lock is chosen at creation and implies versioning, for ever.
	objectLock := strings.EqualFold(rq.hdr.get("x-amz-bucket-object-lock-enabled"), "true")
	// The ACL headers and x-amz-object-ownership (acl_write.go).
	configs, err := s.newBucketConfigs(rq)
	if err != nil {
		return nil, err
	}
	body, err := rq.readBody(maxConfigBody)
	if err != nil {
		return nil, err
	}
	region, err := parseCreateBucketConfig(body)
	if err != nil {
		return nil, err
	}
	// A bucket lives in this endpoint's region. An explicit constraint
	// must name it (AWS rejects "us-east-1" spelled out; Cairn accepts it,
	// as most S3-compatible stores do).
	if region != "" && region != s.cfg.Region {
		return nil, s3errf(ErrInvalidLocationConstraint, "The specified location constraint %q is not valid for this endpoint (region %s).", region, s.cfg.Region)
	}
	region = s.cfg.Region
	if region == "us-east-1" {
		region = "" // meta.Bucket's spelling of us-east-1
	}
	if err := s.bucketTaken(rq, name); err != nil {
		return nil, err
	}
	b := meta.Bucket{
		Name:      name,
		Created:   rq.now.UTC(),
		Owner:     rq.ident.CanonicalID,
		OwnerName: rq.ident.DisplayName,
		Region:    region,
		Configs:   configs,
	}
	if objectLock {
		b.ObjectLock, b.Versioning = true, meta.VersioningEnabled
	}
	if err := s.deps.Buckets.CreateBucket(rq.ctx, b); err != nil {
		if errors.Is(err, meta.ErrBucketExists) {
			// Lost a race: answer as if the other create came first.
			if terr := s.bucketTaken(rq, name); terr != nil {
				return nil, terr
			}
		}
		return nil, err
	}
	return ok200().set("Location", "/"+name), nil
}

// bucketTaken returns the error for creating a bucket that already exists.
func (s *Server) bucketTaken(rq *request, name string) error {
	b, ok := s.deps.Buckets.Bucket(name)
	switch {
	case !ok:
		return nil
	case b.Owner == rq.ident.CanonicalID:
		return s3err(ErrBucketAlreadyOwnedByYou)
	default:
		return s3err(ErrBucketAlreadyExists)
	}
}

func (s *Server) headBucket(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	return ok200().set("x-amz-bucket-region", bucketRegion(b)), nil
}

func (s *Server) deleteBucket(rq *request) (*response, error) {
	if _, err := rq.requireBucket(); err != nil {
		return nil, err
	}
	empty, err := s.deps.Objects.BucketEmpty(rq.ctx, rq.op.Bucket)
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, s3err(ErrBucketNotEmpty)
	}
	if err := s.deps.Buckets.DeleteBucket(rq.ctx, rq.op.Bucket); err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

func (s *Server) getBucketLocation(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	w := newXMLWriter(160)
	// AWS reports us-east-1 as an empty constraint, as meta.Bucket stores it.
	w.openNS("LocationConstraint", s3NS)
	w.b = appendEscaped(w.b, b.Region)
	w.close("LocationConstraint")
	return xmlResponse(http.StatusOK, w.bytes()), nil
}
