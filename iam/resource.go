package iam

// ResourceContext is the resource side of an S3 authorization: the bucket's
// owner, policy, ACLs, ownership controls and public access block, as the
// S3 layer holds them. The caller compiles the bucket policy
// (CompileBucketPolicy) and decodes the bucket ACL once per bucket
// configuration, not per request, and passes pointers; Authorize only
// reads them.
type ResourceContext struct {
	// BucketOwner is the canonical ID of the bucket's owner.
	BucketOwner string
	// Policy is the compiled bucket policy; nil: the bucket has none.
	Policy *Policy
	// BucketACL is the bucket's ACL; nil means the default ACL (the owner
	// has FULL_CONTROL).
	BucketACL *ACL
	// ObjectACL is the ACL of the object version an object action
	// addresses; nil: not loaded. When the answer would be a deny that
	// the object ACL could turn into an allow, Decision.NeedsObjectACL is
	// set: the caller loads the version's ACL (DefaultACL of its owner
	// when the version has none stored) and asks again. When the version
	// does not exist the caller keeps the first answer.
	ObjectACL *ACL
	// ObjectOwner is the canonical ID of the object version's owner;
	// empty means ObjectACL.OwnerID. The object owner may always read and
	// write the object's ACL (READ_ACP and WRITE_ACP are implicit).
	ObjectOwner string
	// ACLsDisabled is ownership control BucketOwnerEnforced: ACLs grant
	// nothing, and the bucket owner has full control of the bucket and
	// of every object in it (as AWS: it owns them all).
	ACLsDisabled bool
	// IgnorePublicACLs (public access block IgnorePublicAcls) drops ACL
	// grants to AllUsers and AuthenticatedUsers.
	IgnorePublicACLs bool
	// RestrictPublicBuckets (public access block) makes a public bucket
	// policy (Policy.IsPublic) grant nothing to anonymous requests; the
	// deployment's own signed principals keep what it grants them, as an
	// account's principals do in AWS. BlockPublicAcls and
	// BlockPublicPolicy are checked by the S3 layer when ACLs and
	// policies are written.
	RestrictPublicBuckets bool
}

// UsesConditionKeyPrefix reports whether the bucket policy refers to a
// condition key starting with prefix (case-insensitively); rc may be nil.
// The S3 layer reads the object version's tags before authorizing when
// this or the caller's own policies use s3:ExistingObjectTag/:
//
//	usage.IdentityUsesConditionKeyPrefix(id, iam.ExistingObjectTagPrefix) ||
//		rc.UsesConditionKeyPrefix(iam.ExistingObjectTagPrefix)
func (rc *ResourceContext) UsesConditionKeyPrefix(prefix string) bool {
	return rc != nil && rc.Policy.UsesConditionKeyPrefix(prefix)
}

// Decision sources: what granted or refused a request (Decision.Source).
const (
	SourceIdentity       = "identity"        // an identity policy or a user flag
	SourceBucketPolicy   = "bucket-policy"   // the bucket policy
	SourceBucketACL      = "bucket-acl"      // the bucket ACL
	SourceObjectACL      = "object-acl"      // the object version's ACL
	SourceSession        = "session"         // a session policy
	SourceServiceAccount = "service-account" // a service account's policy
	SourceRoot           = "root"            // root's administrative override
	SourceBucketOwner    = "bucket-owner"    // the owner's standing rights on its bucket's policy and ACL
	SourceNone           = "none"            // nothing allows: implicit deny
)

// Decision.Policy labels of resource-side inputs.
const (
	LabelBucketPolicy = "bucket-policy"
	LabelBucketACL    = "bucket-acl"
	LabelObjectACL    = "object-acl"
	LabelBucketOwner  = "bucket-owner"
)
