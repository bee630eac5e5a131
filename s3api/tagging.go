package s3api

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// Tag limits of S3 (object and bucket tagging).
const (
	maxObjectTags   = 10
	maxBucketTags   = 50
	maxTagKeyLen    = 128 // Unicode characters
	maxTagValueLen  = 256 // Unicode characters
	maxTaggingBody  = 64 << 10
	taggingQueryMsg = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."
)

// tag is one key/value pair, in the order the client gave it.
type tag struct{ Key, Value string }

// taggingXML is the body of PutObjectTagging / PutBucketTagging and the
// answer of their Get twins.
type taggingXML struct {
	XMLName xml.Name `xml:"Tagging"`
	TagSet  *struct {
		Tags []struct {
			Key   *string `xml:"Key"`
			Value *string `xml:"Value"`
		} `xml:"Tag"`
	} `xml:"TagSet"`
}

// parseTaggingXML parses a Tagging document and validates it against max
// tags (maxObjectTags or maxBucketTags). A document that is not
// well-formed, lacks TagSet or has a Tag without Key is MalformedXML; tags
// breaking S3's limits are InvalidTag. A missing Value is the empty value.
func parseTaggingXML(body []byte, max int) (map[string]string, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, s3err(ErrMalformedXML)
	}
	var t taggingXML
	if err := decodeXMLStrict(body, &t); err != nil {
		return nil, err
	}
	if t.TagSet == nil {
		return nil, s3err(ErrMalformedXML)
	}
	tags := make([]tag, 0, len(t.TagSet.Tags))
	for _, x := range t.TagSet.Tags {
		if x.Key == nil {
			return nil, s3err(ErrMalformedXML)
		}
		v := ""
		if x.Value != nil {
			v = *x.Value
		}
		tags = append(tags, tag{*x.Key, v})
	}
	return validateTags(tags, max)
}

// parseTagQuery parses the URL query form of x-amz-tagging ("k1=v1&k2=v2",
// each part URL-encoded) into validated object tags. "" is no tags. A part
// that does not decode, or a key given twice, is InvalidArgument with
// AWS's message for the header; limits are checked as for PutObjectTagging.
func parseTagQuery(s string) (map[string]string, error) {
	if s == "" {
		return map[string]string{}, nil
	}
	var tags []tag
	for part := range strings.SplitSeq(s, "&") {
		if part == "" {
			continue
		}
		rk, rv, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(rk)
		v, err2 := url.QueryUnescape(rv)
		if err1 != nil || err2 != nil || !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, s3errf(ErrInvalidArgument, taggingQueryMsg).with("ArgumentName", "x-amz-tagging").with("ArgumentValue", s)
		}
		for _, t := range tags {
			if t.Key == k {
				return nil, s3errf(ErrInvalidArgument, taggingQueryMsg).with("ArgumentName", "x-amz-tagging").with("ArgumentValue", s)
			}
		}
		tags = append(tags, tag{k, v})
	}
	return validateTags(tags, maxObjectTags)
}

// validateTags applies S3's tag rules and returns the tags as a map: at
// most max tags, keys of 1–128 and values of 0–256 Unicode characters in
// valid UTF-8, no key twice, no key starting with the reserved "aws:".
func validateTags(tags []tag, max int) (map[string]string, error) {
	if len(tags) > max {
		if max == maxObjectTags {
			return nil, s3errf(ErrInvalidTag, "Object tags cannot be greater than %d", max)
		}
		return nil, s3errf(ErrInvalidTag, "Bucket tag count cannot be greater than %d", max)
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n == 0 || n > maxTagKeyLen || !utf8.ValidString(t.Key) {
			return nil, s3errf(ErrInvalidTag, "The TagKey you have provided is invalid")
		}
		if n := utf8.RuneCountInString(t.Value); n > maxTagValueLen || !utf8.ValidString(t.Value) {
			return nil, s3errf(ErrInvalidTag, "The TagValue you have provided is invalid")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, s3errf(ErrInvalidTag, "Your TagKey cannot be prefixed with aws:")
		}
		if _, dup := m[t.Key]; dup {
			return nil, s3errf(ErrInvalidTag, "Cannot provide multiple Tags with the same key")
		}
		m[t.Key] = t.Value
	}
	return m, nil
}

// sortedKeys returns the keys of m in byte order, for stable output.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// taggingBody writes a Tagging document of tags, sorted by key.
func taggingBody(tags map[string]string) []byte {
	w := newXMLWriter(128 + 64*len(tags))
	w.openNS("Tagging", s3NS)
	w.open("TagSet")
	for _, k := range sortedKeys(tags) {
		w.open("Tag")
		w.elem("Key", k)
		w.elem("Value", tags[k])
		w.close("Tag")
	}
	w.close("TagSet")
	w.close("Tagging")
	return w.bytes()
}

// putObjectTagging replaces the tag set of a version (the latest, or
// ?versionId) without rewriting its data.
func (s *Server) putObjectTagging(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	body, err := rq.readBody(maxTaggingBody)
	if err != nil {
		return nil, err
	}
	tags, err := parseTaggingXML(body, maxObjectTags)
	if err != nil {
		return nil, err
	}
	return s.updateVersionMeta(rq, b, http.StatusOK, func(m *data.VersionMeta) error {
		m.Tags = tags
		return nil
	})
}

func (s *Server) getObjectTagging(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	info, err := s.deps.Objects.StatObject(rq.ctx, b.Name, rq.op.Key, data.GetOptions{VersionID: rq.op.VersionID})
	if err != nil {
		return nil, err
	}
	r := xmlResponse(http.StatusOK, taggingBody(info.Meta.Tags))
	setBucketVersionHeader(r, b, info)
	return r, nil
}

func (s *Server) deleteObjectTagging(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	return s.updateVersionMeta(rq, b, http.StatusNoContent, func(m *data.VersionMeta) error {
		m.Tags = nil
		return nil
	})
}

// updateVersionMeta changes the metadata of the addressed version (the
// latest, or ?versionId) without rewriting its data, and answers status
// with the version header. A delete marker has no metadata to change.
func (s *Server) updateVersionMeta(rq *request, b meta.Bucket, status int, fn func(m *data.VersionMeta) error) (*response, error) {
	info, err := s.deps.Objects.UpdateVersionMeta(rq.ctx, b.Name, rq.op.Key, rq.op.VersionID, func(info data.ObjectInfo, m *data.VersionMeta) error {
		if info.DeleteMarker {
			if rq.op.VersionID != "" {
				return s3err(ErrMethodNotAllowed)
			}
			return s3err(ErrNoSuchKey)
		}
		return fn(m)
	})
	if err != nil {
		return nil, err
	}
	r := newResponse(status)
	setBucketVersionHeader(r, b, info)
	return r, nil
}

// Bucket tags are stored as the bucket's meta.ConfigTagging: canonical
// JSON of the tag map (encoding/json writes map keys sorted).
func encodeBucketTags(tags map[string]string) (string, error) {
	b, err := json.Marshal(tags)
	if err != nil {
		return "", fmt.Errorf("encoding bucket tags: %w", err)
	}
	return string(b), nil
}

func decodeBucketTags(s string) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decoding bucket tags: %w", err)
	}
	return m, nil
}

func (s *Server) putBucketTagging(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	body, err := rq.readBody(maxTaggingBody)
	if err != nil {
		return nil, err
	}
	tags, err := parseTaggingXML(body, maxBucketTags)
	if err != nil {
		return nil, err
	}
	v, err := encodeBucketTags(tags)
	if err != nil {
		return nil, err
	}
	if err := s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, meta.ConfigTagging, v, false); err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

func (s *Server) getBucketTagging(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	v, ok := b.Configs[meta.ConfigTagging]
	if !ok {
		return nil, s3err(ErrNoSuchTagSet)
	}
	tags, err := decodeBucketTags(v)
	if err != nil {
		return nil, err
	}
	return xmlResponse(http.StatusOK, taggingBody(tags)), nil
}

func (s *Server) deleteBucketTagging(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	if _, ok := b.Configs[meta.ConfigTagging]; ok {
		if err := s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, meta.ConfigTagging, "", true); err != nil {
			return nil, err
		}
	}
	return newResponse(http.StatusNoContent), nil
}
