package s3api

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/cairn-s3/cairn/meta"
)

// Public access block (PutPublicAccessBlock / GetPublicAccessBlock /
// DeletePublicAccessBlock), bucket level, with AWS's meaning:
//
//	BlockPublicAcls        a write that would set a public ACL (AllUsers or
//	                       AuthenticatedUsers grants) fails with AccessDenied:
//	                       PutBucketAcl, PutObjectAcl, and ACL headers on
//	                       PutObject, CopyObject, CreateMultipartUpload and
//	                       POST uploads. Existing ACLs are untouched.
//	IgnorePublicAcls       public grants of existing ACLs grant nothing
//	                       (iam.ResourceContext.IgnorePublicACLs).
//	BlockPublicPolicy      PutBucketPolicy of a public policy fails with
//	                       AccessDenied.
//	RestrictPublicBuckets  while the policy is public, it grants nothing to
//	                       anonymous callers (iam.ResourceContext).
//
// Stored as the bucket's meta.ConfigPublicAccessBlock, canonical JSON:
// {"v":1,"blockPublicAcls":…,"ignorePublicAcls":…,"blockPublicPolicy":…,
// "restrictPublicBuckets":…}.

const (
	maxPublicAccessBody = 16 << 10
	publicAccessV       = 1
)

// publicAccessBlock holds the four flags; the zero value blocks nothing.
type publicAccessBlock struct {
	V                     int  `json:"v"`
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

func encodePublicAccess(p publicAccessBlock) (string, error) {
	p.V = publicAccessV
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("encoding public access block: %w", err)
	}
	return string(b), nil
}

func decodePublicAccess(s string) (publicAccessBlock, error) {
	var p publicAccessBlock
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return p, fmt.Errorf("decoding public access block: %w", err)
	}
	if p.V != publicAccessV {
		return p, fmt.Errorf("decoding public access block: version %d", p.V)
	}
	return p, nil
}

// bucketPublicAccess is the bucket's public access block (all false when
// it has none). A configuration that does not decode is an error, never
// "nothing blocked".
func bucketPublicAccess(b meta.Bucket) (publicAccessBlock, bool, error) {
	v, ok := b.Configs[meta.ConfigPublicAccessBlock]
	if !ok {
		return publicAccessBlock{}, false, nil
	}
	p, err := decodePublicAccess(v)
	return p, true, err
}

// publicAccessXML is the PublicAccessBlockConfiguration document. Absent
// elements are false.
type publicAccessXML struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	BlockPublicAcls       *string  `xml:"BlockPublicAcls"`
	IgnorePublicAcls      *string  `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     *string  `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets *string  `xml:"RestrictPublicBuckets"`
}

// parsePublicAccessXML parses a PublicAccessBlockConfiguration document;
// a flag that is not true or false is MalformedXML.
func parsePublicAccessXML(body []byte) (publicAccessBlock, error) {
	var p publicAccessBlock
	if len(strings.TrimSpace(string(body))) == 0 {
		return p, s3err(ErrMalformedXML)
	}
	var x publicAccessXML
	if err := decodeXMLStrict(body, &x); err != nil {
		return p, err
	}
	for _, f := range [...]struct {
		v   *string
		dst *bool
	}{
		{x.BlockPublicAcls, &p.BlockPublicAcls},
		{x.IgnorePublicAcls, &p.IgnorePublicAcls},
		{x.BlockPublicPolicy, &p.BlockPublicPolicy},
		{x.RestrictPublicBuckets, &p.RestrictPublicBuckets},
	} {
		if f.v == nil {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(*f.v)) {
		case "true":
			*f.dst = true
		case "false":
		default:
			return p, s3errf(ErrMalformedXML, "A public access block flag must be true or false.")
		}
	}
	return p, nil
}

func publicAccessBody(p publicAccessBlock) []byte {
	w := newXMLWriter(320)
	w.openNS("PublicAccessBlockConfiguration", s3NS)
	w.elemBool("BlockPublicAcls", p.BlockPublicAcls)
	w.elemBool("IgnorePublicAcls", p.IgnorePublicAcls)
	w.elemBool("BlockPublicPolicy", p.BlockPublicPolicy)
	w.elemBool("RestrictPublicBuckets", p.RestrictPublicBuckets)
	w.close("PublicAccessBlockConfiguration")
	return w.bytes()
}

func (s *Server) putPublicAccessBlock(rq *request, b meta.Bucket) (*response, error) {
	return s.putBucketConfig(rq, b, meta.ConfigPublicAccessBlock, maxPublicAccessBody, func(body []byte) (string, error) {
		p, err := parsePublicAccessXML(body)
		if err != nil {
			return "", err
		}
		return encodePublicAccess(p)
	})
}

func (s *Server) getPublicAccessBlock(_ *request, b meta.Bucket) (*response, error) {
	p, ok, err := bucketPublicAccess(b)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s3err(ErrNoSuchPublicAccessBlockConfiguration)
	}
	return xmlResponse(http.StatusOK, publicAccessBody(p)), nil
}

func (s *Server) deletePublicAccessBlock(rq *request, b meta.Bucket) (*response, error) {
	return s.deleteBucketConfig(rq, b, meta.ConfigPublicAccessBlock)
}

// blockedPublicACL is the error of a write that would set a public ACL on
// a bucket whose public access block has BlockPublicAcls.
func blockedPublicACL() *Error {
	return s3errf(ErrAccessDenied, "Access Denied: the bucket's public access block (BlockPublicAcls) forbids public ACLs.")
}
