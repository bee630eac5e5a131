package meta

import (
	"fmt"
	"slices"

	"github.com/cairn-s3/cairn/iam"
)

// Managed policies, attachments and inline policies.

func checkCreatePolicy(p *iam.ManagedPolicy) error {
	if err := iam.ValidatePolicyName(p.Name); err != nil {
		return err
	}
	if err := checkID("policy", p.Name, p.ID); err != nil {
		return err
	}
	if err := checkCreated("policy", p.Name, p.Created); err != nil {
		return err
	}
	if err := checkPath(p.Path); err != nil {
		return err
	}
	if err := checkText("description", p.Description, 1000); err != nil {
		return err
	}
	if p.Builtin {
		return invalid("policy %q: builtin policies are not stored", p.Name)
	}
	return checkPolicy(iam.PolicyManaged, p.Document)
}

func applyCreatePolicy(t *tx, p *iam.ManagedPolicy) error {
	if _, ok := get(t, kindPolicy, p.Name); ok || isBuiltinPolicy(p.Name) {
		return exists("policy", p.Name)
	}
	return put(t, kindPolicy, *p)
}

func checkDeletePolicy(a *deleteArgs) error {
	if a.Force {
		return invalid("DeletePolicy takes no force")
	}
	return iam.ValidatePolicyName(a.Name)
}

func applyDeletePolicy(t *tx, a *deleteArgs) error {
	if isBuiltinPolicy(a.Name) {
		return fmt.Errorf("%w: builtin policy %s cannot be deleted", ErrAccessDenied, a.Name)
	}
	if _, ok := get(t, kindPolicy, a.Name); !ok {
		return noSuch("policy", a.Name)
	}
	var users, groups, roles []string
	for _, u := range all(t, kindUser) {
		if slices.Contains(u.AttachedPolicies, a.Name) {
			users = append(users, u.Name)
		}
	}
	for _, g := range all(t, kindGroup) {
		if slices.Contains(g.AttachedPolicies, a.Name) {
			groups = append(groups, g.Name)
		}
	}
	for _, r := range all(t, kindRole) {
		if slices.Contains(r.AttachedPolicies, a.Name) {
			roles = append(roles, r.Name)
		}
	}
	if d := describeDependents("users", users, "groups", groups, "roles", roles); d != "" {
		return fmt.Errorf("%w: cannot delete policy %s: it is attached to %s", ErrDeleteConflict, a.Name, d)
	}
	del(t, kindPolicy, a.Name)
	return nil
}

func checkAttach(a *attachArgs) error {
	if err := checkEntityRef(a.Target); err != nil {
		return err
	}
	return iam.ValidatePolicyName(a.PolicyName)
}

func policyExists(t *tx, name string) bool {
	_, ok := get(t, kindPolicy, name)
	return ok || isBuiltinPolicy(name)
}

func applyAttachPolicy(t *tx, a *attachArgs) error {
	h, err := holder(t, a.Target)
	if err != nil {
		return err
	}
	if !policyExists(t, a.PolicyName) {
		return noSuch("policy", a.PolicyName)
	}
	if slices.Contains(*h.attached, a.PolicyName) {
		return nil // idempotent, as AWS
	}
	if len(*h.attached) >= maxManagedPoliciesAttached {
		return fmt.Errorf("%w: cannot exceed quota for PoliciesPer%s: %d",
			ErrLimitExceeded, titleKind(a.Target.Kind), maxManagedPoliciesAttached)
	}
	*h.attached = append(*h.attached, a.PolicyName)
	return h.save()
}

func applyDetachPolicy(t *tx, a *attachArgs) error {
	h, err := holder(t, a.Target)
	if err != nil {
		return err
	}
	if !policyExists(t, a.PolicyName) {
		return noSuch("policy", a.PolicyName)
	}
	var was bool
	if *h.attached, was = removeString(*h.attached, a.PolicyName); !was {
		return fmt.Errorf("%w: policy %s is not attached to %s %s", ErrNoSuchEntity, a.PolicyName, a.Target.Kind, a.Target.Name)
	}
	return h.save()
}

func titleKind(k EntityKind) string {
	switch k {
	case EntityGroup:
		return "Group"
	case EntityRole:
		return "Role"
	}
	return "User"
}

func checkPutInlinePolicy(a *inlinePolicyArgs) error {
	if err := checkEntityRef(a.Target); err != nil {
		return err
	}
	if err := iam.ValidatePolicyName(a.PolicyName); err != nil {
		return err
	}
	return checkPolicy(inlineKind(a.Target.Kind), a.Document)
}

func applyPutInlinePolicy(t *tx, a *inlinePolicyArgs) error {
	h, err := holder(t, a.Target)
	if err != nil {
		return err
	}
	if *h.inline == nil {
		*h.inline = map[string]string{}
	}
	(*h.inline)[a.PolicyName] = a.Document
	return h.save()
}

func checkDeleteInlinePolicy(a *inlinePolicyArgs) error {
	if err := checkEntityRef(a.Target); err != nil {
		return err
	}
	if a.Document != "" {
		return invalid("deleting an inline policy takes no document")
	}
	return iam.ValidatePolicyName(a.PolicyName)
}

func applyDeleteInlinePolicy(t *tx, a *inlinePolicyArgs) error {
	h, err := holder(t, a.Target)
	if err != nil {
		return err
	}
	if _, ok := (*h.inline)[a.PolicyName]; !ok {
		return fmt.Errorf("%w: the %s policy with name %s cannot be found", ErrNoSuchEntity, a.Target.Kind, a.PolicyName)
	}
	delete(*h.inline, a.PolicyName)
	if len(*h.inline) == 0 {
		*h.inline = nil
	}
	return h.save()
}
