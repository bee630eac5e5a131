package s3api

import (
	"context"
	"sort"
)

// The Attach/Detach/ListAttached and Put/Get/List/Delete inline-policy
// actions exist in a user, a group and a role form that differ only in the
// parameter naming the entity (UserName, GroupName, RoleName) and in the
// element echoing it. The constructors below build one handler per form;
// every form is authorized as iam:<Action> on the entity's ARN, as AWS
// does.

// entityParam is the parameter naming the entity of kind k.
func entityParam(k EntityKind) string {
	switch k {
	case EntityGroup:
		return "GroupName"
	case EntityRole:
		return "RoleName"
	}
	return "UserName"
}

// entityPolicies returns the attached and inline policies of an entity.
func (c *iamCall) entityPolicies(ref EntityRef) (attached []string, inline map[string]string, ok bool) {
	switch ref.Kind {
	case EntityUser:
		u, ok := c.dir.User(ref.Name)
		return u.AttachedPolicies, u.InlinePolicies, ok
	case EntityGroup:
		g, ok := c.dir.Group(ref.Name)
		return g.AttachedPolicies, g.InlinePolicies, ok
	case EntityRole:
		r, ok := c.dir.Role(ref.Name)
		return r.AttachedPolicies, r.InlinePolicies, ok
	}
	return nil, nil, false
}

// target reads the entity parameter of kind k and authorizes the call on
// the entity's ARN.
func (c *iamCall) target(k EntityKind) (EntityRef, error) {
	name, err := c.form.required(entityParam(k))
	if err != nil {
		return EntityRef{}, err
	}
	ref := EntityRef{Kind: k, Name: name}
	return ref, c.allow(c.arn(k.String(), name))
}

// existingTarget is target for reads: the entity must exist.
func (c *iamCall) existingTarget(k EntityKind) (EntityRef, []string, map[string]string, error) {
	ref, err := c.target(k)
	if err != nil {
		return ref, nil, nil, err
	}
	attached, inline, ok := c.entityPolicies(ref)
	if !ok {
		return ref, nil, nil, noSuch(k.String(), ref.Name)
	}
	return ref, attached, inline, nil
}

func attach(k EntityKind) func(*iamCall) (*response, error) {
	return changeAttachment(k, IAM.AttachPolicy)
}
func detach(k EntityKind) func(*iamCall) (*response, error) {
	return changeAttachment(k, IAM.DetachPolicy)
}

// changeAttachment serves Attach/Detach{User,Group,Role}Policy: apply is
// the service method that attaches or detaches PolicyArn on the target.
func changeAttachment(k EntityKind, apply func(IAM, context.Context, EntityRef, string) error) func(*iamCall) (*response, error) {
	return func(c *iamCall) (*response, error) {
		policy, err := c.policyFromARN("PolicyArn")
		if err != nil {
			return nil, err
		}
		ref, err := c.target(k)
		if err != nil {
			return nil, err
		}
		if err := apply(c.svc, c.rq.ctx, ref, policy); err != nil {
			return nil, err
		}
		return c.ok(nil)
	}
}

func listAttached(k EntityKind) func(*iamCall) (*response, error) {
	return func(c *iamCall) (*response, error) {
		if err := c.checkPaging(); err != nil {
			return nil, err
		}
		_, attached, _, err := c.existingTarget(k)
		if err != nil {
			return nil, err
		}
		names := append([]string(nil), attached...)
		sort.Strings(names)
		return c.ok(func(w *xmlWriter) {
			w.open("AttachedPolicies")
			for _, n := range names {
				w.open("member")
				w.elem("PolicyName", n)
				w.elem("PolicyArn", c.arn("policy", n))
				w.close("member")
			}
			w.close("AttachedPolicies")
			writeIsTruncated(w)
		})
	}
}

func putInline(k EntityKind) func(*iamCall) (*response, error) {
	return func(c *iamCall) (*response, error) {
		name, err := c.form.required("PolicyName")
		if err != nil {
			return nil, err
		}
		doc, err := c.form.required("PolicyDocument")
		if err != nil {
			return nil, err
		}
		ref, err := c.target(k)
		if err != nil {
			return nil, err
		}
		if err := c.svc.PutInlinePolicy(c.rq.ctx, ref, name, doc); err != nil {
			return nil, err
		}
		return c.ok(nil)
	}
}

func getInline(k EntityKind) func(*iamCall) (*response, error) {
	return func(c *iamCall) (*response, error) {
		name, err := c.form.required("PolicyName")
		if err != nil {
			return nil, err
		}
		ref, _, inline, err := c.existingTarget(k)
		if err != nil {
			return nil, err
		}
		doc, ok := inline[name]
		if !ok {
			return nil, iamErrf(ErrIAMNoSuchEntity, "The %s policy with name %s cannot be found.", k.String(), name)
		}
		return c.ok(func(w *xmlWriter) {
			w.elem(entityParam(k), ref.Name)
			w.elem("PolicyName", name)
			w.elem("PolicyDocument", encodeDocument(doc))
		})
	}
}

func listInline(k EntityKind) func(*iamCall) (*response, error) {
	return func(c *iamCall) (*response, error) {
		if err := c.checkPaging(); err != nil {
			return nil, err
		}
		_, _, inline, err := c.existingTarget(k)
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(inline))
		for n := range inline {
			names = append(names, n)
		}
		sort.Strings(names)
		return c.ok(func(w *xmlWriter) {
			writeMembers(w, "PolicyNames", names)
			writeIsTruncated(w)
		})
	}
}

func deleteInline(k EntityKind) func(*iamCall) (*response, error) {
	return func(c *iamCall) (*response, error) {
		name, err := c.form.required("PolicyName")
		if err != nil {
			return nil, err
		}
		ref, err := c.target(k)
		if err != nil {
			return nil, err
		}
		if err := c.svc.DeleteInlinePolicy(c.rq.ctx, ref, name); err != nil {
			return nil, err
		}
		return c.ok(nil)
	}
}
