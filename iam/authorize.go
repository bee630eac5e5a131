package iam

// Request is what the authorizer is asked about: who wants to do what to
// which resource.
type Request struct {
	Identity Identity
	// Action is the IAM action name, e.g. "s3:GetObject".
	Action string
	// Bucket and Key name the resource; Key is empty for bucket operations.
	Bucket string
	Key    string
	// BucketOwner is the canonical ID of the bucket owner, when there is a bucket.
	BucketOwner string
	// Resource is the full ARN of a non-S3 resource (iam:/sts: actions); S3
	// resources are built from Bucket and Key.
	Resource string
	// Conditions holds the request context keys (e.g. "s3:prefix",
	// "aws:SourceIp", "aws:SecureTransport"), each with its values. Keys are
	// matched case-insensitively; callers should use the canonical spelling.
	Conditions map[string][]string
	// ResourceContext is the bucket's side of the decision (bucket policy,
	// ACLs, ownership controls, public access block); nil: identity
	// policies only, and anonymous requests are denied. (It is not called
	// Resource: that field holds the ARN of iam:/sts: resources.)
	ResourceContext *ResourceContext
}

// Decision is the outcome of an authorization check.
type Decision struct {
	Allowed bool
	// Reason names what decided, for logs and the policy simulator.
	Reason string
	// Statement is the deciding statement: its Sid, or "#<index>" when it
	// has none. It is set exactly when a statement decided: on an allow
	// by a policy and on an explicit deny; an implicit deny (and an allow
	// by root, a user flag or the bucket owner's standing rights) leaves
	// it empty. So !Allowed && Statement != "" means an explicit deny. On
	// an allow by an ACL grant it is the granted permission ("READ",
	// "FULL_CONTROL", …).
	Statement string
	// Policy names the policy holding the deciding statement, e.g.
	// "user:alice/readwrite", "group:devs/inline:x", "session",
	// "service-account", "builtin-flag:allow-create-bucket", "root", and
	// for resource-side inputs "bucket-policy", "bucket-acl",
	// "object-acl", "bucket-owner" (the Label* constants).
	Policy string
	// Source is the kind of input that decided, one of the Source*
	// constants: "identity", "bucket-policy", "bucket-acl",
	// "object-acl", "session", "service-account", "root",
	// "bucket-owner", or "none" (nothing allows).
	Source string
	// NeedsObjectACL is set on an implicit deny that the object
	// version's ACL could turn into an allow when
	// ResourceContext.ObjectACL was not loaded: the caller loads it and
	// asks again.
	NeedsObjectACL bool
}

// Authorizer decides whether a request may proceed. Implementations must
// be pure functions of their inputs and in-memory state, and safe for
// concurrent use.
type Authorizer interface {
	Authorize(Request) Decision
}

// RootOnly is the authorizer of a deployment whose only principal is root:
// root is allowed everything through its administrative override, every
// other principal (there are only anonymous ones) is denied.
type RootOnly struct{}

// Authorize implements Authorizer.
func (RootOnly) Authorize(r Request) Decision {
	if r.Identity.Kind == KindRoot {
		return Decision{Allowed: true, Reason: "root administrative override", Policy: "root", Source: SourceRoot}
	}
	return Decision{Allowed: false, Reason: "no policy grants " + r.Action + " to " + r.Identity.Kind.String(), Source: SourceNone}
}
