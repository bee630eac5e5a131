package s3api

import (
	"github.com/cairn-s3/cairn/iam"
)

// policyVersion is the one version every managed policy has: Cairn keeps
// a single document per policy (replace = delete + create).
const policyVersion = "v1"

// policyFromARN reads a PolicyArn parameter and returns the policy name.
// The account may be empty (Cairn's own) or this account's ID.
func (c *iamCall) policyFromARN(param string) (string, error) {
	v, err := c.form.required(param)
	if err != nil {
		return "", err
	}
	acct, kind, name, perr := iam.ParseIAMARN(v)
	if perr != nil || kind != "policy" {
		return "", iamErrf(ErrIAMInvalidInput, "ARN %s is not valid.", clipValue(v))
	}
	if acct != "" && acct != c.account() {
		return "", iamErrf(ErrIAMNoSuchEntity, "Policy %s does not exist or is not attachable.", clipValue(v))
	}
	return name, nil
}

// attachmentCounts counts, for every managed policy, the users, groups
// and roles it is attached to.
func (c *iamCall) attachmentCounts() map[string]int {
	n := make(map[string]int)
	for _, u := range c.dir.Users() {
		for _, p := range u.AttachedPolicies {
			n[p]++
		}
	}
	for _, g := range c.dir.Groups() {
		for _, p := range g.AttachedPolicies {
			n[p]++
		}
	}
	for _, r := range c.dir.Roles() {
		for _, p := range r.AttachedPolicies {
			n[p]++
		}
	}
	return n
}

func (c *iamCall) createPolicy() (*response, error) {
	name, err := c.form.required("PolicyName")
	if err != nil {
		return nil, err
	}
	doc, err := c.form.required("PolicyDocument")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("policy", name)); err != nil {
		return nil, err
	}
	p, err := c.svc.CreatePolicy(c.rq.ctx, CreatePolicyInput{
		PolicyName:     name,
		Path:           c.form.get("Path"),
		Description:    c.form.get("Description"),
		PolicyDocument: doc,
	})
	if err != nil {
		return nil, err
	}
	return c.ok(func(w *xmlWriter) { c.writePolicy(w, "Policy", p, 0) })
}

// lookupPolicy authorizes the call on the PolicyArn's policy and returns it.
func (c *iamCall) lookupPolicy() (iam.ManagedPolicy, error) {
	name, err := c.policyFromARN("PolicyArn")
	if err != nil {
		return iam.ManagedPolicy{}, err
	}
	if err := c.allow(c.arn("policy", name)); err != nil {
		return iam.ManagedPolicy{}, err
	}
	p, ok := c.dir.Policy(name)
	if !ok {
		return iam.ManagedPolicy{}, iamErrf(ErrIAMNoSuchEntity, "Policy %s was not found.", c.arn("policy", name))
	}
	return p, nil
}

func (c *iamCall) getPolicy() (*response, error) {
	p, err := c.lookupPolicy()
	if err != nil {
		return nil, err
	}
	n := c.attachmentCounts()[p.Name]
	return c.ok(func(w *xmlWriter) { c.writePolicy(w, "Policy", p, n) })
}

func (c *iamCall) getPolicyVersion() (*response, error) {
	v, err := c.form.required("VersionId")
	if err != nil {
		return nil, err
	}
	p, err := c.lookupPolicy()
	if err != nil {
		return nil, err
	}
	if v != policyVersion {
		return nil, iamErrf(ErrIAMNoSuchEntity, "Policy %s version %s does not exist or is not attachable.", c.arn("policy", p.Name), clipValue(v))
	}
	return c.ok(func(w *xmlWriter) {
		w.open("PolicyVersion")
		w.elem("Document", encodeDocument(p.Document))
		w.elem("VersionId", policyVersion)
		w.elemBool("IsDefaultVersion", true)
		elemIAMTime(w, "CreateDate", p.Created)
		w.close("PolicyVersion")
	})
}

func (c *iamCall) listPolicies() (*response, error) {
	if err := c.checkPaging(); err != nil {
		return nil, err
	}
	scope := c.form.get("Scope")
	switch scope {
	case "", "All", "AWS", "Local":
	default:
		return nil, iamErrf(ErrIAMValidationError, "1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", clipValue(scope))
	}
	onlyAttached, err := c.form.flag("OnlyAttached")
	if err != nil {
		return nil, err
	}
	if err := c.allow("*"); err != nil {
		return nil, err
	}
	prefix := c.pathPrefix()
	counts := c.attachmentCounts()
	policies := c.dir.Policies()
	return c.ok(func(w *xmlWriter) {
		w.open("Policies")
		for _, p := range policies {
			switch {
			case scope == "AWS" && !p.Builtin, scope == "Local" && p.Builtin:
				continue
			case onlyAttached && counts[p.Name] == 0:
				continue
			case !underPath(p.Path, prefix):
				continue
			}
			c.writePolicy(w, "member", p, counts[p.Name])
		}
		w.close("Policies")
		writeIsTruncated(w)
	})
}

func (c *iamCall) deletePolicy() (*response, error) {
	name, err := c.policyFromARN("PolicyArn")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("policy", name)); err != nil {
		return nil, err
	}
	if err := c.svc.DeletePolicy(c.rq.ctx, name); err != nil {
		return nil, err
	}
	return c.ok(nil)
}
