package s3api

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// The authorization context: every request is asked about as an
// iam.Request {Identity, Action (from the operation table), Bucket, Key,
// BucketOwner, Conditions, ResourceContext}. ResourceContext is the
// bucket's policy, ACLs, ownership and public access block
// (authz_resource.go). Conditions carries the request's context keys
// (DESIGN §5):
//
//	aws:SourceIp          the connection's peer address (proxies are not trusted)
//	aws:SecureTransport   "true" on TLS connections, else "false"
//	aws:CurrentTime       RFC 3339, UTC, second precision
//	aws:EpochTime         seconds since 1970
//	aws:UserAgent, aws:Referer   when the headers are sent
//	s3:signatureversion   "AWS4-HMAC-SHA256" (signed requests)
//	s3:authType           REST-HEADER or REST-QUERY-STRING (signed requests)
//	s3:x-amz-acl          when the header is sent
//	s3:x-amz-grant-read, -write, -read-acp, -write-acp, -full-control
//	                      when the headers are sent
//	s3:x-amz-object-ownership   CreateBucket, when the header is sent
//	s3:VersionId          when a versionId is addressed
//	s3:prefix             listings: always, "" when not given (as MinIO, so
//	                      a "StringEquals s3:prefix ''" root-listing rule
//	                      matches clients that omit the parameter)
//	s3:delimiter          listings, when given
//	s3:max-keys           listings: the effective page size
//	s3:RequestObjectTag/<k>, s3:RequestObjectTagKeys   from x-amz-tagging
//	                      (PutObject, CreateMultipartUpload, CopyObject)
//	s3:x-amz-copy-source  CopyObject and UploadPartCopy, as sent
//	s3:x-amz-metadata-directive   CopyObject, when sent
//
//	s3:object-lock-mode, s3:object-lock-retain-until-date,
//	s3:object-lock-remaining-retention-days, s3:object-lock-legal-hold
//	                      from the x-amz-object-lock-* headers of a write
//	s3:ExistingObjectTag/<k>   the tags of the addressed version, for
//	                      operations on an existing version (GET/HEAD,
//	                      tagging, retention, legal hold, attributes,
//	                      deletes, a copy's source), read before
//	                      authorizing and only when a policy of the caller
//	                      uses the key (authz_tags.go)
//
// aws:username, aws:userid and aws:PrincipalType are derived from the
// identity by package iam.
//
// The map is built once per request, lazily, from values the request
// already holds: one map, one backing array for the single values, and a
// few strings (the peer address); the time strings are shared by all
// requests of the same second. Root is never asked about conditions (it
// has no policies, and no policy can deny it), so its requests build none.

// LiveDirectory adapts a source of the current IAM view — e.g.
// (*meta.State).Directory or IAM.Directory — to iam.Authorizer and
// iam.CredentialLookup. It loads the Directory on every call, so a
// Server (Deps.Authorizer) and its Verifier (Creds) see every IAM change
// as soon as it is applied.
type LiveDirectory func() *iam.Directory

// Authorize implements iam.Authorizer.
func (l LiveDirectory) Authorize(r iam.Request) iam.Decision { return l().Authorize(r) }

// IdentityUsesConditionKeyPrefix implements iam.ConditionKeyUsage.
func (l LiveDirectory) IdentityUsesConditionKeyPrefix(id iam.Identity, prefix string) bool {
	return l().IdentityUsesConditionKeyPrefix(id, prefix)
}

// LookupCredential implements iam.CredentialLookup.
func (l LiveDirectory) LookupCredential(accessKey, sessionToken string) (iam.Credential, error) {
	return l().LookupCredential(accessKey, sessionToken)
}

// condSlots bounds the single-valued keys above; tags come on top.
const condSlots = 14

// clockStrings are aws:CurrentTime and aws:EpochTime of one second.
type clockStrings struct {
	sec            int64
	current, epoch string
}

// clockCache shares the time strings among the requests of one second.
type clockCache struct{ p atomic.Pointer[clockStrings] }

func (cc *clockCache) at(t time.Time) *clockStrings {
	sec := t.Unix()
	if c := cc.p.Load(); c != nil && c.sec == sec {
		return c
	}
	c := &clockStrings{
		sec:     sec,
		current: t.UTC().Format(time.RFC3339),
		epoch:   strconv.FormatInt(sec, 10),
	}
	cc.p.Store(c)
	return c
}

// condBuilder fills a Conditions map whose single values share one array.
type condBuilder struct {
	m    map[string][]string
	vals []string
}

func (b *condBuilder) add(key, value string) {
	if len(b.vals) == cap(b.vals) {
		b.m[key] = []string{value}
		return
	}
	b.vals = append(b.vals, value)
	n := len(b.vals)
	b.m[key] = b.vals[n-1 : n : n]
}

// conditions returns the request's context keys, cached on rq. The first
// call must happen on the request's goroutine (serve makes it before any
// handler runs); later calls only read.
func (s *Server) conditions(rq *request) map[string][]string {
	if rq.condsDone {
		return rq.conds
	}
	rq.condsDone = true
	if rq.ident.Kind == iam.KindRoot {
		return nil
	}
	b := condBuilder{m: make(map[string][]string, condSlots), vals: make([]string, 0, condSlots)}
	if rq.remoteIP != nil {
		b.add("aws:SourceIp", rq.remoteIP.String())
	}
	if rq.tls {
		b.add("aws:SecureTransport", "true")
	} else {
		b.add("aws:SecureTransport", "false")
	}
	clk := s.clock.at(rq.now)
	b.add("aws:CurrentTime", clk.current)
	b.add("aws:EpochTime", clk.epoch)
	if v := rq.hdr.get("user-agent"); v != "" {
		b.add("aws:UserAgent", v)
	}
	if v := rq.hdr.get("referer"); v != "" {
		b.add("aws:Referer", v)
	}
	if rq.auth != nil && !rq.auth.Anonymous {
		b.add("s3:signatureversion", "AWS4-HMAC-SHA256")
		if rq.auth.Presigned {
			b.add("s3:authType", "REST-QUERY-STRING")
		} else {
			b.add("s3:authType", "REST-HEADER")
		}
	}
	if v := rq.hdr.get("x-amz-acl"); v != "" {
		b.add("s3:x-amz-acl", v)
	}
	for _, g := range grantHeaders {
		if v := rq.hdr.get(g.name); v != "" {
			b.add("s3:"+g.name, v)
		}
	}
	if v := rq.hdr.get("x-amz-object-ownership"); v != "" && rq.op.Kind == OpCreateBucket {
		b.add("s3:x-amz-object-ownership", v)
	}
	if rq.op.VersionID != "" {
		b.add("s3:VersionId", rq.op.VersionID)
	}
	switch rq.op.Kind {
	case OpListObjects, OpListObjectsV2, OpListObjectVersions:
		lp := &rq.op.List
		b.add("s3:prefix", lp.Prefix)
		if lp.Delimiter != "" {
			b.add("s3:delimiter", lp.Delimiter)
		}
		b.add("s3:max-keys", strconv.Itoa(lp.MaxKeys))
	case OpPutObject, OpCreateMultipartUpload, OpCopyObject:
		if v := rq.hdr.get("x-amz-tagging"); v != "" {
			addRequestTags(&b, v)
		}
		addLockConditions(&b, rq.hdr, rq.now)
		if rq.op.Kind == OpCopyObject {
			b.add("s3:x-amz-copy-source", rq.hdr.get("x-amz-copy-source"))
			if v := rq.hdr.get("x-amz-metadata-directive"); v != "" {
				b.add("s3:x-amz-metadata-directive", v)
			}
		}
	case OpUploadPartCopy:
		b.add("s3:x-amz-copy-source", rq.hdr.get("x-amz-copy-source"))
	}
	rq.conds = b.m
	return rq.conds
}

// addRequestTags adds s3:RequestObjectTag/<k> for every tag of an
// x-amz-tagging header (URL-query encoded "k1=v1&k2=v2") and
// s3:RequestObjectTagKeys listing the keys. A malformed header adds
// nothing: PutObject itself refuses it once tagging is implemented.
func addRequestTags(b *condBuilder, header string) {
	q, err := parseQuery(header)
	if err != nil {
		return
	}
	keys := make([]string, 0, len(q))
	for _, p := range q {
		b.m["s3:RequestObjectTag/"+p.name] = []string{p.value}
		keys = append(keys, p.name)
	}
	b.m["s3:RequestObjectTagKeys"] = keys
}

// authzRequest is the authorization question for an S3 request: action
// on the request's bucket and key (key "" for bucket and service actions).
func (s *Server) authzRequest(rq *request, action, key string) iam.Request {
	r := iam.Request{
		Identity:    rq.ident,
		Action:      action,
		Bucket:      rq.op.Bucket,
		Key:         key,
		BucketOwner: rq.bucket.Owner,
		Conditions:  s.conditions(rq),
	}
	setRequestResource(&r, rq.resource())
	return r
}
