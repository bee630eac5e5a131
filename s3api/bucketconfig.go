package s3api

import (
	"net/http"

	"github.com/cairn-s3/cairn/meta"
)

// Bucket sub-resource configurations (meta.Config*) are stored through
// Buckets.SetBucketConfig in an encoding this package owns. These helpers
// are the common shape of their Put and Delete handlers.

// putBucketConfig reads an XML body of at most max bytes, turns it into the
// stored encoding with encode (which validates and returns S3 errors), and
// stores it as the bucket's configuration of kind.
func (s *Server) putBucketConfig(rq *request, b meta.Bucket, kind string, max int64, encode func(body []byte) (string, error)) (*response, error) {
	body, err := rq.readBody(max)
	if err != nil {
		return nil, err
	}
	v, err := encode(body)
	if err != nil {
		return nil, err
	}
	if err := s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, kind, v, false); err != nil {
		return nil, err
	}
	return ok200(), nil
}

// deleteBucketConfig removes the bucket's configuration of kind (a no-op
// when there is none, as S3's Delete* calls are) and answers 204.
func (s *Server) deleteBucketConfig(rq *request, b meta.Bucket, kind string) (*response, error) {
	if err := s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, kind, "", true); err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}
