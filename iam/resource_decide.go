package iam

// The decision with a ResourceContext (DESIGN §5; doc.go "Decision"):
//
//  1. An explicit Deny in any applicable policy denies: the identity's
//     policies, its session or service-account policy, and the bucket
//     policy statements whose Principal (or NotPrincipal) covers the
//     caller. The owner of the bucket and root are exempt from the bucket
//     policy's denies of s3:GetBucketPolicy, s3:PutBucketPolicy and
//     s3:DeleteBucketPolicy, so a policy can never lock its bucket away.
//  2. Root is allowed.
//  3. Allowed if an identity policy (or user flag) allows, or a bucket
//     policy statement covering the caller allows (for anonymous callers,
//     not when RestrictPublicBuckets is set and the policy is public), or
//     the caller owns the bucket and the action is one of its standing
//     rights (Get/Put/DeleteBucketPolicy, Get/PutBucketAcl), or an ACL
//     grant covers it (acl_actions.go; none when ACLs are disabled, no
//     public grant with IgnorePublicACLs).
//  4. A session or service account with a policy of its own needs that
//     policy to allow too, whatever granted in step 3.
//  5. Otherwise deny; NeedsObjectACL tells the caller an object ACL it did
//     not load could still allow.

var (
	actGetBucketPolicy    = actions.lookup("s3:GetBucketPolicy")
	actPutBucketPolicy    = actions.lookup("s3:PutBucketPolicy")
	actDeleteBucketPolicy = actions.lookup("s3:DeleteBucketPolicy")
	actGetBucketAcl       = actions.lookup("s3:GetBucketAcl")
	actPutBucketAcl       = actions.lookup("s3:PutBucketAcl")
)

func isPolicyManagement(act int) bool {
	return act >= 0 && (act == actGetBucketPolicy || act == actPutBucketPolicy || act == actDeleteBucketPolicy)
}

func isOwnerStanding(act int) bool {
	return isPolicyManagement(act) || act >= 0 && (act == actGetBucketAcl || act == actPutBucketAcl)
}

func decideResource(p *principal, r *Request, rc *ResourceContext) (Decision, outcome) {
	if p != nil && p.kind == KindAnonymous {
		p = nil
	}
	if r.BucketOwner == "" {
		r.BucketOwner = rc.BucketOwner
	}
	t := newTarget(r, p)
	owner := p != nil && rc.BucketOwner != "" && p.canonicalID == rc.BucketOwner

	// 1. Explicit denies.
	if p != nil {
		for _, bp := range p.identity {
			if st := bp.p.find(true, &t); st != nil {
				return withSource(denied(r, &t, bp.label, st), SourceIdentity), explicitDeny
			}
		}
		if p.own != nil {
			if st := p.own.find(true, &t); st != nil {
				return withSource(denied(r, &t, p.ownLabel, st), ownSource(p)), explicitDeny
			}
		}
	}
	pol := rc.Policy
	if pol != nil && !(isPolicyManagement(t.act) && (owner || p != nil && p.kind == KindRoot)) {
		if st := pol.findFor(true, &t, p); st != nil {
			return withSource(denied(r, &t, LabelBucketPolicy, st), SourceBucketPolicy), explicitDeny
		}
	}

	// 2. Root.
	if p != nil && p.kind == KindRoot {
		return Decision{Allowed: true, Reason: "root administrative override", Policy: "root", Source: SourceRoot}, allowed
	}

	// 3. Allows.
	var d Decision
	ok := false
	if p != nil {
		if d, ok = identityAllows(p, r, &t); ok {
			d.Source = SourceIdentity
		}
	}
	if !ok && pol != nil && !(p == nil && rc.RestrictPublicBuckets && pol.public) {
		if st := pol.findFor(false, &t, p); st != nil {
			d = Decision{Allowed: true, Reason: "allowed by bucket policy statement", Policy: LabelBucketPolicy, Statement: st.label, Source: SourceBucketPolicy}
			ok = true
		}
	}
	if !ok && owner && isOwnerStanding(t.act) {
		d = Decision{Allowed: true, Reason: "the bucket owner may always read and change its bucket's policy and ACL", Policy: LabelBucketOwner, Source: SourceBucketOwner}
		ok = true
	}
	needObj := false
	if !ok {
		d, ok, needObj = aclAllows(p, r, &t, rc, owner)
	}
	if !ok {
		// 4 cannot help; say whether an object ACL could.
		dec := Decision{Reason: implicitReason(p, r, &t), Source: SourceNone}
		if needObj && (p == nil || p.own == nil || p.own.find(false, &t) != nil) {
			dec.NeedsObjectACL = true
		}
		return dec, implicitDeny
	}

	// 4. Session and service-account policies intersect.
	if p != nil && p.own != nil && p.own.find(false, &t) == nil {
		return Decision{
			Reason: "allowed by " + d.Policy + " but the " + p.ownLabel + " policy does not allow " + r.Action + " on " + t.res,
			Policy: p.ownLabel, Source: ownSource(p),
		}, implicitDeny
	}
	return d, allowed
}

// aclAllows looks for an ACL grant: the bucket ACL for bucket permissions
// (bucket-level actions and creating or deleting objects), the object ACL
// for object permissions. needObj reports a possible object-ACL grant
// that was not loaded.
func aclAllows(p *principal, r *Request, t *target, rc *ResourceContext, bucketOwner bool) (d Decision, ok, needObj bool) {
	if perm := aclPermAt(t.act, false); perm != "" {
		if rc.ACLsDisabled {
			if bucketOwner {
				return Decision{Allowed: true, Reason: "ACLs are disabled (BucketOwnerEnforced): the bucket owner has full control",
					Policy: LabelBucketACL, Statement: string(PermFullControl), Source: SourceBucketACL}, true, false
			}
			return Decision{}, false, false
		}
		if rc.BucketACL == nil {
			if bucketOwner {
				return Decision{Allowed: true, Reason: "allowed by the bucket's default ACL: the owner has FULL_CONTROL",
					Policy: LabelBucketACL, Statement: string(PermFullControl), Source: SourceBucketACL}, true, false
			}
			return Decision{}, false, false
		}
		if g := rc.BucketACL.grantFor(p, perm, rc.IgnorePublicACLs); g != nil {
			return Decision{Allowed: true, Reason: grantReason(false, g), Policy: LabelBucketACL,
				Statement: string(g.Permission), Source: SourceBucketACL}, true, false
		}
		return Decision{}, false, false
	}
	perm := aclPermAt(t.act, true)
	if perm == "" || r.Key == "" {
		return Decision{}, false, false
	}
	if rc.ACLsDisabled {
		if bucketOwner {
			return Decision{Allowed: true, Reason: "ACLs are disabled (BucketOwnerEnforced): the bucket owner has full control of every object",
				Policy: LabelObjectACL, Statement: string(PermFullControl), Source: SourceObjectACL}, true, false
		}
		return Decision{}, false, false
	}
	acl := rc.ObjectACL
	if acl == nil {
		return Decision{}, false, true
	}
	if p != nil && (perm == PermReadACP || perm == PermWriteACP) {
		objOwner := rc.ObjectOwner
		if objOwner == "" {
			objOwner = acl.OwnerID
		}
		if objOwner != "" && objOwner == p.canonicalID {
			return Decision{Allowed: true, Reason: "the object owner may always read and write the object's ACL",
				Policy: LabelObjectACL, Statement: string(perm), Source: SourceObjectACL}, true, false
		}
	}
	if g := acl.grantFor(p, perm, rc.IgnorePublicACLs); g != nil {
		return Decision{Allowed: true, Reason: grantReason(true, g), Policy: LabelObjectACL,
			Statement: string(g.Permission), Source: SourceObjectACL}, true, false
	}
	return Decision{}, false, false
}

func implicitReason(p *principal, r *Request, t *target) string {
	if p == nil {
		return "anonymous request: no bucket policy statement or ACL grant allows " + r.Action + " on " + t.res + " to anonymous"
	}
	return "no identity policy, bucket policy statement or ACL grant allows " + r.Action + " on " + t.res
}

func withSource(d Decision, src string) Decision {
	d.Source = src
	return d
}

func ownSource(p *principal) string {
	if p.kind == KindServiceAccount {
		return SourceServiceAccount
	}
	return SourceSession
}
