package iam

import "strings"

// boundPolicy is a compiled policy as it applies to one principal, with
// the label decisions report ("user:alice/readwrite", "group:devs/inline:x").
type boundPolicy struct {
	label string
	p     *Policy
}

// principal is the compiled form of an identity: everything Authorize
// needs, resolved when the Directory is built (users, service accounts,
// roles) or when a session token is opened. It is immutable.
type principal struct {
	dir  *Directory
	kind PrincipalKind

	// identity holds the identity-based policies: the user's and its
	// enabled groups', or the role's.
	identity []boundPolicy
	// own is the session or service-account policy the identity policies
	// are intersected with; nil when there is none.
	own      *Policy
	ownLabel string

	// flags are the (parent) user's bucket flags; canonicalID decides
	// which buckets allow-delete-bucket covers.
	allowCreateBucket bool
	allowDeleteBucket bool
	canonicalID       string

	// What bucket-policy principals match besides ARNs and the canonical
	// ID: the names of the (parent) user's enabled groups, and its POSIX
	// IDs (a role session: its assuming user's).
	groups         []string
	uid, gid       uint32
	hasUID, hasGID bool

	// Values of the identity-derived condition keys.
	varUsername, varUserID, varType, varArn, varAccount []string
	// trustNames are the names trust-policy principals match:
	// "user/alice", "role/r", "assumed-role/r/session".
	trustNames []string

	// What re-resolves the principal against a newer Directory.
	userName  string // user, or a service account's / session's parent
	roleName  string
	accessKey string // service accounts
	claims    *SessionClaims
}

// listActions are the listing actions whose statements may also match on
// "bucket/<s3:prefix>" (the MinIO-compatible prefix-resource extension).
func isListAction(i int) bool {
	return i >= 0 && (i == actListBucket || i == actListBucketVersions || i == actListMultipart)
}

var (
	actListBucket         = actions.lookup("s3:ListBucket")
	actListBucketVersions = actions.lookup("s3:ListBucketVersions")
	actListMultipart      = actions.lookup("s3:ListBucketMultipartUploads")
	actCreateBucket       = actions.lookup("s3:CreateBucket")
	actDeleteBucket       = actions.lookup("s3:DeleteBucket")
	actAssumeRole         = actions.lookup("sts:AssumeRole")
)

// target is the action and resource a request is checked against,
// prepared once per decision.
type target struct {
	ctx    evalCtx
	act    int    // catalogue index, -1 when unknown
	action string // as requested
	res    string // resource ARN
	// list is set for listing actions on a bucket: the extension subject
	// "arn:aws:s3:::bucket/" + s3:prefix is built on first use.
	list     bool
	listSubj string
	listDone bool
	// alt is the other spelling of an IAM/STS resource in Cairn's own
	// account: with the account field emptied, or filled in. An empty
	// account means Cairn's own, in policies and in requests alike.
	alt string
}

// altIAMResource returns the other spelling of an IAM/STS ARN of the
// principal's account, or "".
func altIAMResource(res string, p *principal) string {
	if p == nil || p.dir == nil || p.dir.account == "" {
		return ""
	}
	i := 0
	for n := 0; n < 4; n++ {
		j := strings.IndexByte(res[i:], ':')
		if j < 0 {
			return ""
		}
		i += j + 1
	}
	// res[i:] is "account:resource".
	acct, rest, ok := strings.Cut(res[i:], ":")
	switch {
	case !ok:
		return ""
	case acct == "":
		return res[:i] + p.dir.account + ":" + rest
	case acct == p.dir.account:
		return res[:i] + ":" + rest
	}
	return ""
}

func newTarget(r *Request, p *principal) target {
	t := target{ctx: evalCtx{req: r, p: p}, action: r.Action}
	t.act = actions.lookup(r.Action)
	isS3 := t.act >= 0 && strings.HasPrefix(actions.names[t.act], "s3:") ||
		t.act < 0 && len(r.Action) >= 3 && strings.EqualFold(r.Action[:3], "s3:")
	switch {
	case r.Resource != "" && !(isS3 && r.Resource == "*"):
		t.res = r.Resource
		if !isS3 {
			t.alt = altIAMResource(r.Resource, p)
		}
	case isS3:
		// S3 resources are built from Bucket and Key. A bucket-less S3
		// action (ListAllMyBuckets, or a simulation on "*") is checked
		// against "arn:aws:s3:::", which "arn:aws:s3:::*" and "*" match.
		t.res = S3ARN(r.Bucket, r.Key)
	default:
		// An iam: or sts: action without a resource ARN.
		t.res = "*"
	}
	t.list = isListAction(t.act) && r.Key == "" && (r.Bucket != "" || r.Resource != "")
	return t
}

func (t *target) listSubject() string {
	if !t.listDone {
		t.listDone = true
		prefix, _ := t.ctx.first(ctxKey{name: "s3:prefix"})
		t.listSubj = t.res + "/" + prefix
	}
	return t.listSubj
}

func (st *statement) matchAction(t *target) bool {
	var in bool
	if t.act >= 0 {
		in = st.actions.has(t.act)
	} else {
		for _, p := range st.actionPats {
			if wildMatchFold(p, t.action) {
				in = true
				break
			}
		}
	}
	return in != st.notAction
}

func (st *statement) matchResource(t *target) bool {
	if st.anyResource {
		return !st.notResource
	}
	in := false
	for i := range st.resources {
		if st.resources[i].match(t.res, &t.ctx) {
			in = true
			break
		}
	}
	if !in && t.alt != "" {
		for i := range st.resources {
			if st.resources[i].match(t.alt, &t.ctx) {
				in = true
				break
			}
		}
	}
	if !in && t.list {
		s := t.listSubject()
		for i := range st.resources {
			if st.resources[i].match(s, &t.ctx) {
				in = true
				break
			}
		}
	}
	return in != st.notResource
}

func (st *statement) matchConditions(t *target) bool {
	for i := range st.conds {
		if !st.conds[i].eval(&t.ctx) {
			return false
		}
	}
	return true
}

// find returns the first statement of the given effect that applies to
// t, or nil.
func (p *Policy) find(deny bool, t *target) *statement {
	if deny && !p.hasDeny {
		return nil
	}
	for i := range p.stmts {
		st := &p.stmts[i]
		if st.deny == deny && st.matchAction(t) && st.matchResource(t) && st.matchConditions(t) {
			return st
		}
	}
	return nil
}

// outcome classifies a decision for callers that combine several
// (CanAssumeRole).
type outcome uint8

const (
	implicitDeny outcome = iota
	explicitDeny
	allowed
)

// decide is the authorization decision, in the order of DESIGN §5:
//
//  1. an explicit Deny in any applicable policy (identity, groups,
//     session, service account) denies;
//  2. root is allowed (administrative override);
//  3. an identity policy (user and enabled groups, or the role's) or a
//     user flag must allow, and then the session or service-account
//     policy, when there is one, must allow too;
//  4. otherwise the request is denied.
//
// Resource-based policies (bucket policies, ACLs) join as further inputs
// to steps 1 and 3 without changing this shape.
func decide(p *principal, r *Request) (Decision, outcome) {
	if r.ResourceContext != nil {
		return decideResource(p, r, r.ResourceContext)
	}
	if p == nil || p.kind == KindAnonymous {
		return Decision{Reason: "anonymous requests are not allowed: no policy grants " + r.Action + " to anonymous", Source: SourceNone}, implicitDeny
	}
	t := newTarget(r, p)
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
	if p.kind == KindRoot {
		return Decision{Allowed: true, Reason: "root administrative override", Policy: "root", Source: SourceRoot}, allowed
	}
	d, ok := identityAllows(p, r, &t)
	if !ok {
		return Decision{Reason: "no policy allows " + r.Action + " on " + t.res, Source: SourceNone}, implicitDeny
	}
	d.Source = SourceIdentity
	if p.own != nil {
		if p.own.find(false, &t) == nil {
			return Decision{
				Reason:    "allowed by " + d.Policy + " but the " + p.ownLabel + " policy does not allow " + r.Action + " on " + t.res,
				Policy:    p.ownLabel,
				Statement: "",
				Source:    ownSource(p),
			}, implicitDeny
		}
	}
	return d, allowed
}

func identityAllows(p *principal, r *Request, t *target) (Decision, bool) {
	for _, bp := range p.identity {
		if st := bp.p.find(false, t); st != nil {
			return Decision{Allowed: true, Reason: "allowed by policy statement", Policy: bp.label, Statement: st.label}, true
		}
	}
	if p.allowCreateBucket && t.act == actCreateBucket {
		return Decision{Allowed: true, Reason: "allowed by the user's allow-create-bucket flag", Policy: "builtin-flag:allow-create-bucket"}, true
	}
	if p.allowDeleteBucket && t.act == actDeleteBucket && r.BucketOwner != "" && r.BucketOwner == p.canonicalID {
		return Decision{Allowed: true, Reason: "allowed by the user's allow-delete-bucket flag (own bucket)", Policy: "builtin-flag:allow-delete-bucket"}, true
	}
	return Decision{}, false
}

func denied(r *Request, t *target, label string, st *statement) Decision {
	return Decision{
		Reason:    "explicitly denied: " + r.Action + " on " + t.res + " by " + label + " statement " + st.label,
		Policy:    label,
		Statement: st.label,
	}
}

func (p *principal) setPosix(uid, gid *uint32) {
	if uid != nil {
		p.uid, p.hasUID = *uid, true
	}
	if gid != nil {
		p.gid, p.hasGID = *gid, true
	}
}
