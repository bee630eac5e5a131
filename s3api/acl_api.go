package s3api

import (
	"net/http"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
)

// Routing and handlers of the resource-side access control APIs: bucket
// policy (bucketpolicy.go), public access block (publicaccess.go),
// ownership controls (ownership.go) and the bucket and object ACLs (here).

// accessBucketOp routes a bucket request carrying ?policy, ?policyStatus,
// ?publicAccessBlock, ?ownershipControls or ?acl.
func accessBucketOp(op *Operation, method string, q query) (handled bool, err error) {
	return routeSub(op, method, q, []subRoute{
		{"policy", OpGetBucketPolicy, OpPutBucketPolicy, OpDeleteBucketPolicy},
		{"policyStatus", OpGetBucketPolicyStatus, OpUnknown, OpUnknown},
		{"publicAccessBlock", OpGetPublicAccessBlock, OpPutPublicAccessBlock, OpDeletePublicAccessBlock},
		{"ownershipControls", OpGetBucketOwnershipControls, OpPutBucketOwnershipControls, OpDeleteBucketOwnershipControls},
		{"acl", OpGetBucketAcl, OpPutBucketAcl, OpUnknown},
	})
}

// accessObjectOp routes an object request carrying ?acl (op.VersionID is
// already set); the bucket-only sub-resources are MethodNotAllowed there.
func accessObjectOp(op *Operation, method string, q query) (handled bool, err error) {
	for _, sub := range [...]string{"policy", "policyStatus", "publicAccessBlock", "ownershipControls"} {
		if q.has(sub) {
			return true, s3err(ErrMethodNotAllowed)
		}
	}
	if !q.has("acl") {
		return false, nil
	}
	switch method {
	case "GET":
		op.Kind = OpGetObjectAcl
	case "PUT":
		op.Kind = OpPutObjectAcl
	default:
		return true, s3err(ErrMethodNotAllowed)
	}
	return true, nil
}

// dispatchAccess runs the operations routed above.
func (s *Server) dispatchAccess(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	switch rq.op.Kind {
	case OpGetBucketPolicy:
		return s.getBucketPolicy(rq, b)
	case OpPutBucketPolicy:
		return s.putBucketPolicy(rq, b)
	case OpDeleteBucketPolicy:
		return s.deleteBucketPolicy(rq, b)
	case OpGetBucketPolicyStatus:
		return s.getBucketPolicyStatus(rq, b)
	case OpGetPublicAccessBlock:
		return s.getPublicAccessBlock(rq, b)
	case OpPutPublicAccessBlock:
		return s.putPublicAccessBlock(rq, b)
	case OpDeletePublicAccessBlock:
		return s.deletePublicAccessBlock(rq, b)
	case OpGetBucketOwnershipControls:
		return s.getBucketOwnershipControls(rq, b)
	case OpPutBucketOwnershipControls:
		return s.putBucketOwnershipControls(rq, b)
	case OpDeleteBucketOwnershipControls:
		return s.deleteBucketOwnershipControls(rq, b)
	case OpGetBucketAcl:
		return s.getBucketACL(rq, b)
	case OpPutBucketAcl:
		return s.putBucketACL(rq, b)
	case OpGetObjectAcl:
		return s.getObjectACL(rq, b)
	case OpPutObjectAcl:
		return s.putObjectACL(rq, b)
	}
	return nil, s3errf(ErrNotImplemented, "%s is not implemented.", rq.op.Kind)
}

// accessOf is the bucket's access configuration: the request's own when
// it has one, else built (or taken from the cache) now.
func (s *Server) accessOf(rq *request, b meta.Bucket) (*bucketAccess, error) {
	if rq.access != nil && rq.bucket.Name == b.Name {
		return rq.access, nil
	}
	return s.bucketAccess(b)
}

// requestACL reads the ACL a PutBucketAcl / PutObjectAcl asks for: the
// XML body or the ACL headers, exactly one of them. Grantees may name
// the given owners even when the Directory does not know them.
func (s *Server) requestACL(rq *request, ownerIDs ...string) (aclSpec, error) {
	ix := s.principals()
	hs, err := parseACLHeaders(rq.hdr, ix, ownerIDs...)
	if err != nil {
		return aclSpec{}, err
	}
	body, err := rq.readBody(maxACLBody)
	if err != nil {
		return aclSpec{}, err
	}
	hasBody := len(trimSpaceBytes(body)) > 0
	switch {
	case hasBody && hs.Given:
		return aclSpec{}, s3errf(ErrInvalidRequest, "Specifying both an AccessControlPolicy body and ACL headers is not allowed.")
	case hs.Given:
		return hs, nil
	case !hasBody:
		return aclSpec{}, s3errf(ErrMalformedACLError, "The request must carry an AccessControlPolicy body or x-amz-acl / x-amz-grant-* headers.")
	}
	return parseACLXML(body, ix, ownerIDs...)
}

func trimSpaceBytes(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// ownerMismatch is the error of an AccessControlPolicy whose Owner is not
// the resource's: an ACL cannot change ownership.
func ownerMismatch() *Error {
	return s3errf(ErrAccessDenied, "Access Denied: the Owner of an AccessControlPolicy must be the resource's owner.")
}

// checkACLWrite applies the bucket's ownership rule and public access
// block to an ACL about to be stored on a resource of owner: under
// BucketOwnerEnforced only the owner's full control is accepted (and
// nothing needs storing: store is false); BlockPublicAcls refuses public
// ACLs.
func checkACLWrite(ba *bucketAccess, a iam.ACL, owner string) (store bool, err error) {
	if ba.ownership == OwnershipBucketOwnerEnforced {
		if !ownerFullControlOnly(a, owner) {
			return false, s3err(ErrAccessControlListNotSupported)
		}
		return false, nil
	}
	if ba.pab.BlockPublicAcls && a.IsPublic() {
		return false, blockedPublicACL()
	}
	return true, nil
}

// isDefaultACL reports whether a is the default ACL of owner (stored as
// "no ACL").
func isDefaultACL(a iam.ACL, owner string) bool {
	return a.OwnerID == owner && len(a.Grants) == 1 && ownerFullControlOnly(a, owner)
}

func (s *Server) putBucketACL(rq *request, b meta.Bucket) (*response, error) {
	ba, err := s.accessOf(rq, b)
	if err != nil {
		return nil, err
	}
	sp, err := s.requestACL(rq, b.Owner)
	if err != nil {
		return nil, err
	}
	if sp.OwnerID != "" && sp.OwnerID != b.Owner {
		return nil, ownerMismatch()
	}
	a, err := sp.build(b.Owner, b.OwnerName, b.Owner, b.OwnerName, true)
	if err != nil {
		return nil, err
	}
	if err := validateACL(a); err != nil {
		return nil, err
	}
	store, err := checkACLWrite(ba, a, b.Owner)
	if err != nil {
		return nil, err
	}
	if !store {
		return ok200(), nil
	}
	if isDefaultACL(a, b.Owner) {
		err = s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, meta.ConfigACL, "", true)
	} else {
		err = s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, meta.ConfigACL, string(a.Encode()), false)
	}
	if err != nil {
		return nil, err
	}
	return ok200(), nil
}

func (s *Server) getBucketACL(rq *request, b meta.Bucket) (*response, error) {
	ba, err := s.accessOf(rq, b)
	if err != nil {
		return nil, err
	}
	a := ba.acl
	if ba.ownership == OwnershipBucketOwnerEnforced {
		// ACLs are disabled: the bucket owner's full control is all that
		// applies, and all AWS shows.
		a = iam.DefaultACL(b.Owner, b.OwnerName)
	}
	return xmlResponse(http.StatusOK, aclBody(a, s.principals())), nil
}

func (s *Server) getObjectACL(rq *request, b meta.Bucket) (*response, error) {
	ba, err := s.accessOf(rq, b)
	if err != nil {
		return nil, err
	}
	info, err := s.deps.Objects.StatObject(rq.ctx, b.Name, rq.op.Key, data.GetOptions{VersionID: rq.op.VersionID})
	if err != nil {
		return nil, err
	}
	if info.DeleteMarker {
		if rq.op.VersionID != "" {
			return nil, s3err(ErrMethodNotAllowed)
		}
		return nil, s3err(ErrNoSuchKey)
	}
	var a iam.ACL
	if ba.ownership == OwnershipBucketOwnerEnforced {
		a = iam.DefaultACL(b.Owner, b.OwnerName)
	} else if a, err = versionACL(info); err != nil {
		return nil, err
	}
	r := xmlResponse(http.StatusOK, aclBody(a, s.principals()))
	setBucketVersionHeader(r, b, info)
	return r, nil
}

func (s *Server) putObjectACL(rq *request, b meta.Bucket) (*response, error) {
	ba, err := s.accessOf(rq, b)
	if err != nil {
		return nil, err
	}
	// The version's owner is known only inside the update; grantees naming
	// the bucket owner or the caller need no Directory entry.
	sp, err := s.requestACL(rq, b.Owner, rq.ident.CanonicalID)
	if err != nil {
		return nil, err
	}
	info, err := s.deps.Objects.UpdateVersionMeta(rq.ctx, b.Name, rq.op.Key, rq.op.VersionID, func(info data.ObjectInfo, m *data.VersionMeta) error {
		if info.DeleteMarker {
			if rq.op.VersionID != "" {
				return s3err(ErrMethodNotAllowed)
			}
			return s3err(ErrNoSuchKey)
		}
		owner := info.Owner
		if ba.ownership == OwnershipBucketOwnerEnforced {
			owner = b.Owner
		}
		if sp.OwnerID != "" && sp.OwnerID != owner {
			return ownerMismatch()
		}
		a, err := sp.build(owner, "", b.Owner, b.OwnerName, false)
		if err != nil {
			return err
		}
		if err := validateACL(a); err != nil {
			return err
		}
		store, err := checkACLWrite(ba, a, owner)
		if err != nil || !store {
			return err
		}
		if isDefaultACL(a, owner) {
			m.ACL = nil
		} else {
			m.ACL = a.Encode()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r := newResponse(http.StatusOK)
	setBucketVersionHeader(r, b, info)
	return r, nil
}

// validateACL is package iam's check of a built ACL, as MalformedACLError.
func validateACL(a iam.ACL) error {
	if err := a.Validate(); err != nil {
		return &Error{Code: ErrMalformedACLError, Message: iam.ErrorDetail(err), Err: err}
	}
	return nil
}
