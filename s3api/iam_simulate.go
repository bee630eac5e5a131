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
// Decision.Reason.
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
			c.simResource(&req, r)
			results = append(results, result{a, r, c.dir.Authorize(req)})
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
				w.elem("SourcePolicyType", sourcePolicyType(res.d.Policy))
				if res.d.Statement != "" {
					w.elem("StatementId", res.d.Statement)
				}
				w.close("member")
			}
			w.close("MatchedStatements")
			w.open("MissingContextValues")
			w.close("MissingContextValues")
			w.elem("EvalReason", res.d.Reason)
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
// applies exactly as for a real request), anything else is Resource.
func (c *iamCall) simResource(r *iam.Request, arn string) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok || rest == "" || rest == "*" {
		r.Resource = arn
		return
	}
	r.Bucket, r.Key, _ = strings.Cut(rest, "/")
	if b, ok := c.s.deps.Buckets.Bucket(r.Bucket); ok {
		r.BucketOwner = b.Owner
	}
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

// sourcePolicyType is the AWS PolicySourceType of a Decision.Policy
// ("user:alice/…" → user, "group:…" → group, "role:…" → role).
func sourcePolicyType(policy string) string {
	kind, _, _ := strings.Cut(policy, ":")
	switch kind {
	case "user", "group", "role":
		return kind
	}
	return "none"
}
