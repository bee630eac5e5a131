package s3api

import (
	"strings"

	"github.com/cairn-s3/cairn/iam"
)

// simulatePrincipalPolicy answers "may the principal PolicySourceArn do
// each of ActionNames on each of ResourceArns, given ContextEntries?" with
// the very decision function every request goes through
// (Directory.IdentityFor + Directory.Authorize). No request context is
// invented: condition keys the caller does not pass are absent, as in
// AWS's simulator.
//
// Each EvaluationResults member has EvalDecision allowed, explicitDeny
// (a statement decided and it denies) or implicitDeny (no statement
// allows), and, when a policy decided, one MatchedStatements member whose
// SourcePolicyId is Decision.Policy (e.g. "user:alice/readwrite") and
// whose StatementId (a Cairn element) is Decision.Statement — the Sid, or
// "#<index>" for a statement without one. EvalReason carries
// Decision.Reason, and Cairn's DecisionSource element Decision.Source
// (identity, bucket-policy, bucket-acl, object-acl, session,
// service-account, root, bucket-owner or none).
//
// A ResourceArn naming an S3 bucket or object of an existing bucket is
// decided with that bucket's policy, ACL, ownership controls and public
// access block (the very resource context of a real request), and, for
// an object, with the ACL of its latest version when the decision needs
// it; the bucket policy's statements then show as SourcePolicyType
// "resource".
func (c *iamCall) simulatePrincipalPolicy() (*response, error) {
	source, err := c.form.required("PolicySourceArn")
	if err != nil {
		return nil, err
	}
	actions := c.form.members("ActionNames")
	if len(actions) == 0 {
		return nil, c.form.missing("ActionNames")
	}
	if len(c.form.members("PolicyInputList")) > 0 || len(c.form.members("PermissionsBoundaryPolicyInputList")) > 0 || c.form.get("ResourcePolicy") != "" {
		return nil, iamErrf(ErrIAMInvalidInput, "Only the principal's own policies can be simulated: PolicyInputList, PermissionsBoundaryPolicyInputList and ResourcePolicy are not supported.")
	}
	resources := c.form.members("ResourceArns")
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	entries, err := c.form.contextEntries()
	if err != nil {
		return nil, err
	}
	var conds map[string][]string
	if len(entries) > 0 {
		conds = make(map[string][]string, len(entries))
		for _, e := range entries {
			conds[e.Name] = append(conds[e.Name], e.Values...)
		}
	}
	kind, name, err := c.principalFromARN(source)
	if err != nil {
		return nil, err
	}
	if err := c.allow(source); err != nil {
		return nil, err
	}
	id, err := c.dir.IdentityFor(kind, name)
	if err != nil {
		return nil, err
	}

	type result struct {
		action, resource string
		d                iam.Decision
	}
	results := make([]result, 0, len(actions)*len(resources))
	for _, a := range actions {
		for _, r := range resources {
			req := iam.Request{Identity: id, Action: a, Conditions: conds}
			if err := c.simResource(&req, r); err != nil {
				return nil, err
			}
			d, err := c.simDecide(req)
			if err != nil {
				return nil, err
			}
			results = append(results, result{a, r, d})
		}
	}
	return c.ok(func(w *xmlWriter) {
		w.open("EvaluationResults")
		for _, res := range results {
			w.open("member")
			w.elem("EvalActionName", res.action)
			w.elem("EvalResourceName", res.resource)
			w.elem("EvalDecision", evalDecision(res.d))
			w.open("MatchedStatements")
			if res.d.Policy != "" {
				w.open("member")
				w.elem("SourcePolicyId", res.d.Policy)
				w.elem("SourcePolicyType", sourcePolicyType(res.d))
				if res.d.Statement != "" {
					w.elem("StatementId", res.d.Statement)
				}
				w.close("member")
			}
			w.close("MatchedStatements")
			w.open("MissingContextValues")
			w.close("MissingContextValues")
			w.elem("EvalReason", res.d.Reason)
			if res.d.Source != "" {
				w.elem("DecisionSource", res.d.Source)
			}
			w.close("member")
		}
		w.close("EvaluationResults")
		writeIsTruncated(w)
	})
}

// principalFromARN reads a PolicySourceArn: a user, a role (simulated as
// a session of the role, without a session policy) or the account root.
func (c *iamCall) principalFromARN(arn string) (iam.PrincipalKind, string, error) {
	acct, kind, name, err := iam.ParseIAMARN(arn)
	if err != nil {
		return 0, "", iamErrf(ErrIAMInvalidInput, "ARN %s is not valid.", clipValue(arn))
	}
	if acct != "" && acct != c.account() {
		return 0, "", iamErrf(ErrIAMNoSuchEntity, "%s does not belong to this account.", clipValue(arn))
	}
	switch kind {
	case "root":
		return iam.KindRoot, "", nil
	case "user":
		if _, ok := c.dir.User(name); !ok {
			return 0, "", noSuch("user", name)
		}
		return iam.KindUser, name, nil
	case "role":
		if _, ok := c.dir.Role(name); !ok {
			return 0, "", noSuch("role", name)
		}
		return iam.KindSession, name, nil
	}
	return 0, "", iamErrf(ErrIAMInvalidInput, "PolicySourceArn must name a user, a role or the account root, not a %s.", kind)
}

// simResource fills the resource of a simulated request: S3 ARNs become
// Bucket and Key (so S3 matching, including ListBucket's prefix rule,
// applies exactly as for a real request) and, for an existing bucket, its
// resource context; anything else is Resource.
func (c *iamCall) simResource(r *iam.Request, arn string) error {
	rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok || rest == "" || rest == "*" {
		r.Resource = arn
		return nil
	}
	r.Bucket, r.Key, _ = strings.Cut(rest, "/")
	b, ok := c.s.deps.Buckets.Bucket(r.Bucket)
	if !ok {
		return nil
	}
	r.BucketOwner = b.Owner
	ba, err := c.s.bucketAccess(b)
	if err != nil {
		return err
	}
	setRequestResource(r, &ba.rc)
	return nil
}

// simDecide decides a simulated request, reading the object's ACL (its
// latest version) when the decision needs it and the ARN names one
// object (no wildcard).
func (c *iamCall) simDecide(req iam.Request) (iam.Decision, error) {
	d := c.dir.Authorize(req)
	rc := requestResource(req)
	if d.Allowed || !d.NeedsObjectACL || rc == nil || req.Key == "" || strings.ContainsAny(req.Key, "*?") {
		return d, nil
	}
	acl, owner, found, err := c.s.objectACL(c.rq.ctx, req.Bucket, req.Key, "")
	if err != nil || !found {
		return d, err
	}
	withObject := *rc
	withObject.ObjectACL, withObject.ObjectOwner = &acl, owner
	setRequestResource(&req, &withObject)
	return c.dir.Authorize(req), nil
}

func evalDecision(d iam.Decision) string {
	switch {
	case d.Allowed:
		return "allowed"
	case d.Statement != "":
		return "explicitDeny"
	}
	return "implicitDeny"
}

// sourcePolicyType is the AWS PolicySourceType of a decision
// ("user:alice/…" → user, "group:…" → group, "role:…" → role; the bucket
// policy and ACLs → resource).
func sourcePolicyType(d iam.Decision) string {
	switch d.Source {
	case iam.SourceBucketPolicy, iam.SourceBucketACL, iam.SourceObjectACL, iam.SourceBucketOwner:
		return "resource"
	}
	kind, _, _ := strings.Cut(d.Policy, ":")
	switch kind {
	case "user", "group", "role":
		return kind
	}
	return "none"
}
