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
}

// Decision is the outcome of an authorization check.
type Decision struct {
	Allowed bool
	// Reason names what decided, for logs and the policy simulator.
	Reason string
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
		return Decision{Allowed: true, Reason: "root administrative override"}
	}
	return Decision{Allowed: false, Reason: "no policy grants " + r.Action + " to " + r.Identity.Kind.String()}
}
