package s3api

import (
	"context"
	"errors"
	"maps"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
)

// s3:ExistingObjectTag/<k> is the tag k of the object version a request
// acts on (the versionId it names, else the latest). Unlike every other
// context key it is not in the request: the version's record must be read
// (StatObject) before the request is authorized. That read is paid only
// when it can matter — the operation acts on an existing version and a
// policy applying to the caller (identity, session or service-account
// policy) refers to the key family (iam.ConditionKeyUsage) — so nobody
// else's requests touch a disk to be authorized. An authorizer that
// cannot say which keys it uses is assumed to use them all.
//
// A version that does not exist, or is a delete marker, has no tags: the
// keys are absent (StringEquals fails, …IfExists and Null see a missing
// key, as in AWS) and the handler then answers its usual NoSuchKey,
// NoSuchVersion or MethodNotAllowed. Any other failure to read the record
// fails the request: deciding without the tags could skip a Deny.

// existingObjectOp reports whether an operation acts on an existing object
// version, so that s3:ExistingObjectTag/<k> applies to it (AWS's list).
// CopyObject and UploadPartCopy read their source, which authorizeCopySource
// handles; DeleteObjects asks per key (keyRequest).
func existingObjectOp(k OpKind) bool {
	switch k {
	case OpGetObject, OpHeadObject, OpDeleteObject, OpGetObjectAttributes,
		OpGetObjectTagging, OpPutObjectTagging, OpDeleteObjectTagging,
		OpGetObjectRetention, OpPutObjectRetention, OpGetObjectLegalHold, OpPutObjectLegalHold,
		OpGetObjectAcl, OpPutObjectAcl:
		return true
	}
	return false
}

// needsExistingTags reports whether the caller's policies can use
// s3:ExistingObjectTag/<k>. Root is decided without policies.
func (s *Server) needsExistingTags(rq *request) bool {
	if rq.ident.Kind == iam.KindRoot {
		return false
	}
	if s.keyUsage == nil {
		return true
	}
	return s.keyUsage.IdentityUsesConditionKeyPrefix(rq.ident, iam.ExistingObjectTagPrefix)
}

// addExistingObjectTags adds the addressed version's tags to the request's
// context before the operation is authorized. It runs on the request's
// goroutine, while the context is still private to it.
func (s *Server) addExistingObjectTags(rq *request) error {
	if !existingObjectOp(rq.op.Kind) || !rq.bucketOK || rq.conds == nil || !s.needsExistingTags(rq) {
		return nil
	}
	info, found, err := s.existingVersion(rq.ctx, rq.op.Bucket, rq.op.Key, rq.op.VersionID)
	if err != nil {
		return err
	}
	if !found {
		rq.objACLDone = true // no version: no object ACL either
		return nil
	}
	addExistingTags(rq.conds, info.Meta.Tags)
	// The same read answers a later need for the version's ACL
	// (authz_resource.go).
	if acl, err := versionACL(info); err == nil {
		rq.objACL, rq.objOwner, rq.objACLFound, rq.objACLDone = acl, info.Owner, true, true
	}
	return nil
}

// existingTags returns the tags of a version; none when it does not exist
// or is a delete marker.
func (s *Server) existingTags(ctx context.Context, bucket, key, versionID string) (map[string]string, error) {
	info, _, err := s.existingVersion(ctx, bucket, key, versionID)
	return info.Meta.Tags, err
}

// existingVersion reads a version's record; found is false when it does
// not exist or is a delete marker.
func (s *Server) existingVersion(ctx context.Context, bucket, key, versionID string) (data.ObjectInfo, bool, error) {
	info, err := s.deps.Objects.StatObject(ctx, bucket, key, data.GetOptions{VersionID: versionID})
	switch {
	case err == nil:
		if info.DeleteMarker {
			return data.ObjectInfo{}, false, nil
		}
		return info, true, nil
	case notFound(err), errors.Is(err, data.ErrDeleteMarker), errors.Is(err, data.ErrInvalidObjectName):
		return data.ObjectInfo{}, false, nil
	}
	return data.ObjectInfo{}, false, err
}

func addExistingTags(conds map[string][]string, tags map[string]string) {
	for k, v := range tags {
		conds[iam.ExistingObjectTagPrefix+k] = []string{v}
	}
}

// keyRequest returns rq as seen by one key of a DeleteObjects call: its
// context carries that key's s3:VersionId and, with tags, the
// s3:ExistingObjectTag/<k> of that version. The concurrent deletes share
// rq and only read it, so a key that needs its own context gets a copy of
// the request with a copy of the context; the others share rq.
func (s *Server) keyRequest(rq *request, key, versionID string, tags bool) (*request, error) {
	if rq.conds == nil || versionID == "" && !tags {
		return rq, nil
	}
	c := maps.Clone(rq.conds)
	delete(c, "s3:VersionId")
	if versionID != "" {
		c["s3:VersionId"] = []string{versionID}
	}
	if tags {
		t, err := s.existingTags(rq.ctx, rq.op.Bucket, key, versionID)
		if err != nil {
			return nil, err
		}
		addExistingTags(c, t)
	}
	krq := *rq
	krq.conds = c
	// The key's version, for authorize (an object ACL is read for it
	// when a decision needs one).
	krq.op.VersionID = versionID
	return &krq, nil
}
