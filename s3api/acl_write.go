package s3api

import (
	"github.com/cairn-s3/cairn/meta"
)

// ACLs and owners of new resources. A write's ACL headers (x-amz-acl or
// x-amz-grant-*; the "acl" field of a POST form) become the ACL of the new
// bucket or object version; without them the default applies (the owner
// has FULL_CONTROL), stored as "no ACL". The owner of a new version
// follows the bucket's ownership rule (ownership.go): the writer (an
// anonymous writer's versions are the bucket owner's), or the bucket owner
// under BucketOwnerEnforced, or under BucketOwnerPreferred when the write
// carries the bucket-owner-full-control canned ACL.

// newVersionACL returns the owner and the stored ACL (nil: the default)
// of a version rq writes into b, from the ACL headers h. It refuses what
// the bucket's ownership rule and public access block forbid.
func (s *Server) newVersionACL(rq *request, h *headers, b meta.Bucket) (owner string, acl []byte, err error) {
	ba, err := s.accessOf(rq, b)
	if err != nil {
		return "", nil, err
	}
	writer, writerName := rq.ident.CanonicalID, rq.ident.DisplayName
	if writer == "" {
		writer, writerName = b.Owner, b.OwnerName
	}
	var sp aclSpec
	if hasACLHeaders(h) {
		if sp, err = parseACLHeaders(h, s.principals(), b.Owner, writer); err != nil {
			return "", nil, err
		}
	}
	owner, ownerName := writer, writerName
	switch ba.ownership {
	case OwnershipBucketOwnerEnforced:
		owner, ownerName = b.Owner, b.OwnerName
	case OwnershipBucketOwnerPreferred:
		if sp.Canned == "bucket-owner-full-control" {
			owner, ownerName = b.Owner, b.OwnerName
		}
	}
	if !sp.Given {
		return owner, nil, nil
	}
	a, err := sp.build(owner, ownerName, b.Owner, b.OwnerName, false)
	if err != nil {
		return "", nil, err
	}
	if err := validateACL(a); err != nil {
		return "", nil, err
	}
	store, err := checkACLWrite(ba, a, owner)
	if err != nil {
		return "", nil, err
	}
	if !store || isDefaultACL(a, owner) {
		return owner, nil, nil
	}
	return owner, a.Encode(), nil
}

// newBucketConfigs returns the access configurations a CreateBucket
// request stores with the new bucket: its ACL (from the ACL headers, when
// not the default) and its ownership rule (x-amz-object-ownership, else
// Config.DefaultObjectOwnership when not ObjectWriter).
func (s *Server) newBucketConfigs(rq *request) (map[string]string, error) {
	rule, storeRule, err := s.createOwnership(rq.hdr)
	if err != nil {
		return nil, err
	}
	creator, creatorName := rq.ident.CanonicalID, rq.ident.DisplayName
	var sp aclSpec
	if hasACLHeaders(rq.hdr) {
		if sp, err = parseACLHeaders(rq.hdr, s.principals(), creator); err != nil {
			return nil, err
		}
	}
	var configs map[string]string
	if sp.Given {
		a, err := sp.build(creator, creatorName, creator, creatorName, true)
		if err != nil {
			return nil, err
		}
		if err := validateACL(a); err != nil {
			return nil, err
		}
		switch {
		case rule == OwnershipBucketOwnerEnforced:
			if !ownerFullControlOnly(a, creator) {
				return nil, s3err(ErrInvalidBucketAclWithObjectOwnership)
			}
		case !isDefaultACL(a, creator):
			configs = map[string]string{meta.ConfigACL: string(a.Encode())}
		}
	}
	if storeRule {
		v, err := encodeOwnership(rule)
		if err != nil {
			return nil, err
		}
		if configs == nil {
			configs = make(map[string]string, 1)
		}
		configs[meta.ConfigOwnership] = v
	}
	return configs, nil
}
