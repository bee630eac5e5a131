package iam

// What an ACL permission allows (VAST's table, seeds/003, with AWS's
// action mapping). A request's action is granted by the bucket's ACL or by
// the object version's ACL, never both:
//
//	bucket ACL  READ       s3:ListBucket, s3:ListBucketVersions,
//	                       s3:ListBucketMultipartUploads
//	            WRITE      create, overwrite and delete any object:
//	                       s3:PutObject (PUT, POST, copy destination, and
//	                       the multipart upload steps), s3:DeleteObject,
//	                       s3:DeleteObjectVersion, s3:AbortMultipartUpload,
//	                       s3:ListMultipartUploadParts
//	            READ_ACP   s3:GetBucketAcl
//	            WRITE_ACP  s3:PutBucketAcl
//	object ACL  READ       the object's data and metadata: s3:GetObject
//	                       (GET, HEAD), s3:GetObjectVersion,
//	                       s3:GetObjectAttributes,
//	                       s3:GetObjectVersionAttributes,
//	                       s3:GetObjectTorrent, s3:GetObjectVersionTorrent
//	            WRITE      nothing (not applicable to objects)
//	            READ_ACP   s3:GetObjectAcl, s3:GetObjectVersionAcl
//	            WRITE_ACP  s3:PutObjectAcl, s3:PutObjectVersionAcl
//
// FULL_CONTROL includes the other four. Tagging, retention, legal hold
// and the other subresources are not ACL-controlled: only policies grant
// them.

var (
	aclBucketPerms = map[string]Permission{
		"s3:ListBucket":                 PermRead,
		"s3:ListBucketVersions":         PermRead,
		"s3:ListBucketMultipartUploads": PermRead,
		"s3:PutObject":                  PermWrite,
		"s3:DeleteObject":               PermWrite,
		"s3:DeleteObjectVersion":        PermWrite,
		"s3:AbortMultipartUpload":       PermWrite,
		"s3:ListMultipartUploadParts":   PermWrite,
		"s3:GetBucketAcl":               PermReadACP,
		"s3:PutBucketAcl":               PermWriteACP,
	}
	aclObjectPerms = map[string]Permission{
		"s3:GetObject":                  PermRead,
		"s3:GetObjectVersion":           PermRead,
		"s3:GetObjectAttributes":        PermRead,
		"s3:GetObjectVersionAttributes": PermRead,
		"s3:GetObjectTorrent":           PermRead,
		"s3:GetObjectVersionTorrent":    PermRead,
		"s3:GetObjectAcl":               PermReadACP,
		"s3:GetObjectVersionAcl":        PermReadACP,
		"s3:PutObjectAcl":               PermWriteACP,
		"s3:PutObjectVersionAcl":        PermWriteACP,
	}
	// aclPerms is the table indexed by catalogue index, so Authorize
	// looks a request's action up without hashing: bucket and object
	// permission, "" when none.
	aclPerms = func() [][2]Permission {
		t := make([][2]Permission, len(actions.names))
		for a, p := range aclBucketPerms {
			t[actions.lookup(a)][0] = p
		}
		for a, p := range aclObjectPerms {
			t[actions.lookup(a)][1] = p
		}
		return t
	}()
)

// ACLPermissionFor returns the ACL permission that grants action, in the
// object version's ACL when objectACL is set, else in the bucket's ACL;
// ok is false when that ACL cannot grant the action. Names are matched
// case-insensitively, as in policies. FULL_CONTROL grants whatever any
// permission grants.
func ACLPermissionFor(action string, objectACL bool) (Permission, bool) {
	i := actions.lookup(action)
	if i < 0 {
		return "", false
	}
	p := aclPermAt(i, objectACL)
	return p, p != ""
}

func aclPermAt(act int, object bool) Permission {
	if act < 0 || act >= len(aclPerms) {
		return ""
	}
	if object {
		return aclPerms[act][1]
	}
	return aclPerms[act][0]
}

// covers reports whether the grant gives need to the caller p (nil:
// anonymous). ignorePublic drops grants to AllUsers and
// AuthenticatedUsers (IgnorePublicAcls).
func (g *Grant) covers(p *principal, need Permission, ignorePublic bool) bool {
	if g.Permission != need && g.Permission != PermFullControl {
		return false
	}
	switch g.Grantee.Type {
	case GranteeCanonicalUser:
		return p != nil && g.Grantee.ID != "" && g.Grantee.ID == p.canonicalID
	case GranteeGroup:
		switch g.Grantee.URI {
		case AllUsersURI:
			return !ignorePublic
		case AuthenticatedUsersURI:
			return !ignorePublic && p != nil
		}
	}
	// LogDelivery is no Cairn principal; email grantees are resolved to
	// canonical users by the S3 layer before they are stored.
	return false
}

// grantFor returns the first grant of a that gives need to p, or nil.
func (a *ACL) grantFor(p *principal, need Permission, ignorePublic bool) *Grant {
	for i := range a.Grants {
		if a.Grants[i].covers(p, need, ignorePublic) {
			return &a.Grants[i]
		}
	}
	return nil
}

// grantReason is the decision reason of an ACL grant, without building
// strings per request.
func grantReason(object bool, g *Grant) string {
	who := "the requester"
	if g.Grantee.Type == GranteeGroup {
		switch g.Grantee.URI {
		case AllUsersURI:
			who = "AllUsers"
		case AuthenticatedUsersURI:
			who = "AuthenticatedUsers"
		}
	}
	switch {
	case object && who == "AllUsers":
		return "allowed by the object ACL: grant to AllUsers"
	case object && who == "AuthenticatedUsers":
		return "allowed by the object ACL: grant to AuthenticatedUsers"
	case object:
		return "allowed by the object ACL: grant to the requester's canonical ID"
	case who == "AllUsers":
		return "allowed by the bucket ACL: grant to AllUsers"
	case who == "AuthenticatedUsers":
		return "allowed by the bucket ACL: grant to AuthenticatedUsers"
	}
	return "allowed by the bucket ACL: grant to the requester's canonical ID"
}
