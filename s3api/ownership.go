package s3api

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/cairn-s3/cairn/meta"
)

// Object ownership controls (PutBucketOwnershipControls /
// GetBucketOwnershipControls / DeleteBucketOwnershipControls). The rule
// says who owns a new object version and whether ACLs count:
//
//	ObjectWriter          the writer owns what it writes; ACLs grant
//	BucketOwnerPreferred  the bucket owner owns versions written with the
//	                      bucket-owner-full-control canned ACL; ACLs grant
//	BucketOwnerEnforced   the bucket owner owns every version; ACLs grant
//	                      nothing and ACL writes other than the bucket
//	                      owner's full control fail (AccessControlListNotSupported)
//
// A bucket without the configuration is ObjectWriter. A bucket created
// while Config.DefaultObjectOwnership names another rule (or with the
// x-amz-object-ownership header) stores it explicitly at creation, so
// changing the default never changes existing buckets. Stored as the
// bucket's meta.ConfigOwnership, canonical JSON: {"v":1,"rule":"…"}.

// Ownership rules.
const (
	OwnershipObjectWriter         = "ObjectWriter"
	OwnershipBucketOwnerPreferred = "BucketOwnerPreferred"
	OwnershipBucketOwnerEnforced  = "BucketOwnerEnforced"
)

const (
	maxOwnershipBody = 16 << 10
	ownershipV       = 1
)

// ValidObjectOwnership reports whether s is one of the three rules (for
// validating a flag that sets Config.DefaultObjectOwnership).
func ValidObjectOwnership(s string) bool {
	switch s {
	case OwnershipObjectWriter, OwnershipBucketOwnerPreferred, OwnershipBucketOwnerEnforced:
		return true
	}
	return false
}

type ownershipConfig struct {
	V    int    `json:"v"`
	Rule string `json:"rule"`
}

func encodeOwnership(rule string) (string, error) {
	b, err := json.Marshal(ownershipConfig{V: ownershipV, Rule: rule})
	if err != nil {
		return "", fmt.Errorf("encoding ownership controls: %w", err)
	}
	return string(b), nil
}

func decodeOwnership(s string) (string, error) {
	var c ownershipConfig
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return "", fmt.Errorf("decoding ownership controls: %w", err)
	}
	if c.V != ownershipV || !ValidObjectOwnership(c.Rule) {
		return "", fmt.Errorf("decoding ownership controls: version %d rule %q", c.V, c.Rule)
	}
	return c.Rule, nil
}

// bucketOwnership is the bucket's rule: its stored configuration, else
// ObjectWriter. A configuration that does not decode is an error (never
// silently ObjectWriter: that would turn ACLs back on).
func bucketOwnership(b meta.Bucket) (rule string, configured bool, err error) {
	v, ok := b.Configs[meta.ConfigOwnership]
	if !ok {
		return OwnershipObjectWriter, false, nil
	}
	rule, err = decodeOwnership(v)
	return rule, true, err
}

// ownershipXML is the OwnershipControls document.
type ownershipXML struct {
	XMLName xml.Name `xml:"OwnershipControls"`
	Rules   []struct {
		ObjectOwnership *string `xml:"ObjectOwnership"`
	} `xml:"Rule"`
}

// parseOwnershipXML returns the rule of an OwnershipControls document:
// exactly one Rule with a known ObjectOwnership, else MalformedXML.
func parseOwnershipXML(body []byte) (string, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return "", s3err(ErrMalformedXML)
	}
	var x ownershipXML
	if err := decodeXMLStrict(body, &x); err != nil {
		return "", err
	}
	if len(x.Rules) != 1 || x.Rules[0].ObjectOwnership == nil {
		return "", s3errf(ErrMalformedXML, "OwnershipControls must hold exactly one Rule with an ObjectOwnership.")
	}
	rule := strings.TrimSpace(*x.Rules[0].ObjectOwnership)
	if !ValidObjectOwnership(rule) {
		return "", s3errf(ErrMalformedXML, "ObjectOwnership must be ObjectWriter, BucketOwnerPreferred or BucketOwnerEnforced.")
	}
	return rule, nil
}

func ownershipBody(rule string) []byte {
	w := newXMLWriter(192)
	w.openNS("OwnershipControls", s3NS)
	w.open("Rule")
	w.elem("ObjectOwnership", rule)
	w.close("Rule")
	w.close("OwnershipControls")
	return w.bytes()
}

func (s *Server) putBucketOwnershipControls(rq *request, b meta.Bucket) (*response, error) {
	return s.putBucketConfig(rq, b, meta.ConfigOwnership, maxOwnershipBody, func(body []byte) (string, error) {
		rule, err := parseOwnershipXML(body)
		if err != nil {
			return "", err
		}
		return encodeOwnership(rule)
	})
}

func (s *Server) getBucketOwnershipControls(_ *request, b meta.Bucket) (*response, error) {
	rule, ok, err := bucketOwnership(b)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s3err(ErrOwnershipControlsNotFound)
	}
	return xmlResponse(http.StatusOK, ownershipBody(rule)), nil
}

func (s *Server) deleteBucketOwnershipControls(rq *request, b meta.Bucket) (*response, error) {
	return s.deleteBucketConfig(rq, b, meta.ConfigOwnership)
}

// createOwnership is the rule a new bucket is created with and whether it
// is stored: the x-amz-object-ownership header, else the configured
// default (stored only when it is not ObjectWriter, which an absent
// configuration already means).
func (s *Server) createOwnership(h *headers) (rule string, store bool, err error) {
	if v := h.get("x-amz-object-ownership"); v != "" {
		if !ValidObjectOwnership(v) {
			return "", false, s3errf(ErrInvalidArgument, "Invalid x-amz-object-ownership header: %s", clipValue(v)).
				with("ArgumentName", "x-amz-object-ownership").with("ArgumentValue", clipValue(v))
		}
		return v, true, nil
	}
	rule = s.cfg.DefaultObjectOwnership
	return rule, rule != OwnershipObjectWriter, nil
}
