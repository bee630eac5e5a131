package s3api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
)

// Bucket policies (PutBucketPolicy / GetBucketPolicy / DeleteBucketPolicy /
// GetBucketPolicyStatus). The document is validated by package iam
// (iam.ValidateBucketPolicy: principals, actions, resources within the
// bucket, conditions, the 20 KB limit) and stored exactly as sent in the
// bucket's meta.ConfigPolicy; nothing is stored on error. Authorization
// compiles it once per stored text (access.go), never per request.

// maxPolicyBody bounds what is read of a PutBucketPolicy body: more than
// the 20 KB limit (counted without whitespace by package iam), so a
// too-large policy gets the policy error rather than
// MaxMessageLengthExceeded.
const maxPolicyBody = 64 << 10

// parseBucketPolicy validates a PutBucketPolicy body for bucket. Errors are
// MalformedPolicy with iam's precise message (AWS's wording first: "Policy
// has invalid resource: …", "Policy exceeds the maximum allowed document
// size: …").
func parseBucketPolicy(bucket string, body []byte) (*iam.Policy, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, s3errf(ErrMalformedPolicy, "Policies must be valid JSON and the first byte must be '{'")
	}
	p, err := iam.ValidateBucketPolicy(bucket, string(body))
	switch {
	case err == nil:
		return p, nil
	case errors.Is(err, iam.ErrPolicyTooLarge), errors.Is(err, iam.ErrMalformedPolicy):
		return nil, &Error{Code: ErrMalformedPolicy, Message: iam.ErrorDetail(err), Err: err}
	}
	return nil, err
}

func (s *Server) putBucketPolicy(rq *request, b meta.Bucket) (*response, error) {
	body, err := rq.readBody(maxPolicyBody)
	if err != nil {
		return nil, err
	}
	p, err := parseBucketPolicy(b.Name, body)
	if err != nil {
		return nil, err
	}
	pab, _, err := bucketPublicAccess(b)
	if err != nil {
		return nil, err
	}
	if pab.BlockPublicPolicy && p.IsPublic() {
		return nil, s3errf(ErrAccessDenied, "Access Denied: the bucket's public access block (BlockPublicPolicy) forbids public policies.")
	}
	if err := s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, meta.ConfigPolicy, string(body), false); err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

func (s *Server) getBucketPolicy(_ *request, b meta.Bucket) (*response, error) {
	doc, ok := b.Configs[meta.ConfigPolicy]
	if !ok {
		return nil, s3err(ErrNoSuchBucketPolicy)
	}
	r := newResponse(http.StatusOK)
	r.contentType = "application/json"
	r.body = []byte(doc)
	return r, nil
}

func (s *Server) deleteBucketPolicy(rq *request, b meta.Bucket) (*response, error) {
	return s.deleteBucketConfig(rq, b, meta.ConfigPolicy)
}

// getBucketPolicyStatus says whether the bucket's policy is public (AWS's
// rule, iam.Policy.IsPublic). A bucket without a policy has no status:
// NoSuchBucketPolicy, as in AWS.
func (s *Server) getBucketPolicyStatus(_ *request, b meta.Bucket) (*response, error) {
	if _, ok := b.Configs[meta.ConfigPolicy]; !ok {
		return nil, s3err(ErrNoSuchBucketPolicy)
	}
	ba, err := s.bucketAccess(b)
	if err != nil {
		return nil, err
	}
	return xmlResponse(http.StatusOK, policyStatusBody(ba.rc.Policy != nil && ba.rc.Policy.IsPublic())), nil
}

func policyStatusBody(public bool) []byte {
	w := newXMLWriter(160)
	w.openNS("PolicyStatus", s3NS)
	w.elemBool("IsPublic", public)
	w.close("PolicyStatus")
	return w.bytes()
}
