package iam

import "strings"

// Some condition keys are expensive for a caller to supply:
// s3:ExistingObjectTag/<k> needs the addressed object version's metadata
// read before the request is authorized. The queries here let the caller
// supply such keys only when a policy that can apply to the request refers
// to them, so requests of everyone else cost no extra I/O. A policy
// refers to a key through a condition ("StringEquals":
// {"s3:ExistingObjectTag/k": …}) or a policy variable
// ("${s3:ExistingObjectTag/k}" in a Resource or condition value); both
// are collected once, when the policy is compiled.

// ExistingObjectTagPrefix is the condition-key family whose values are the
// tags of the object version a request acts on: the value of
// "s3:ExistingObjectTag/<k>" is the version's tag k, and the key is absent
// when the version has no such tag.
const ExistingObjectTagPrefix = "s3:ExistingObjectTag/"

// ConditionKeyUsage is implemented by Authorizers that can say which
// condition keys can matter to a request. A caller holding an Authorizer
// that does not implement it must assume every key may matter.
type ConditionKeyUsage interface {
	// IdentityUsesConditionKeyPrefix reports whether a policy that applies
	// to id's requests refers to a condition key starting with prefix
	// (compared case-insensitively, as condition keys are). It is answered
	// from memory, without allocating, and must be safe for concurrent use.
	IdentityUsesConditionKeyPrefix(id Identity, prefix string) bool
}

// UsesConditionKeyPrefix reports whether the policy refers to a condition
// key starting with prefix (case-insensitively).
func (p *Policy) UsesConditionKeyPrefix(prefix string) bool {
	return p != nil && keysHavePrefix(p.keys, prefix)
}

// UsesConditionKeyPrefix reports whether any stored policy of the
// Directory — managed (builtins included), inline user, group and role
// policies, and service-account policies — refers to a condition key
// starting with prefix (case-insensitively). Session policies live in
// session tokens, not in the Directory: IdentityUsesConditionKeyPrefix
// covers them.
func (d *Directory) UsesConditionKeyPrefix(prefix string) bool {
	return keysHavePrefix(d.condKeys, prefix)
}

// IdentityUsesConditionKeyPrefix implements ConditionKeyUsage: whether a
// policy that applies to id — its identity policies (the user's and its
// enabled groups', or the role's) and its session or service-account
// policy — refers to a condition key starting with prefix. Anonymous and
// root requests are decided without policies, as is an identity this
// Directory no longer knows (Authorize denies it), so the answer is false
// for them.
func (d *Directory) IdentityUsesConditionKeyPrefix(id Identity, prefix string) bool {
	p, _ := d.resolve(&id)
	if p == nil {
		return false
	}
	for _, bp := range p.identity {
		if bp.p.UsesConditionKeyPrefix(prefix) {
			return true
		}
	}
	return p.own.UsesConditionKeyPrefix(prefix)
}

// IdentityUsesConditionKeyPrefix implements ConditionKeyUsage: RootOnly
// consults no policy.
func (RootOnly) IdentityUsesConditionKeyPrefix(Identity, string) bool { return false }

func keysHavePrefix(keys []string, prefix string) bool {
	for _, k := range keys {
		if len(k) >= len(prefix) && strings.EqualFold(k[:len(prefix)], prefix) {
			return true
		}
	}
	return false
}

// policyKeys lists the condition keys statements refer to, each once, in
// their canonical spelling.
func policyKeys(stmts []statement) []string {
	var keys []string
	add := func(name string) {
		for _, k := range keys {
			if k == name {
				return
			}
		}
		keys = append(keys, name)
	}
	addVars := func(p *pattern) {
		if !p.hasVar {
			return
		}
		for _, t := range p.toks {
			if t.kind == tokVar {
				add(t.key.name)
			}
		}
	}
	for i := range stmts {
		st := &stmts[i]
		for j := range st.resources {
			addVars(&st.resources[j])
		}
		for j := range st.conds {
			c := &st.conds[j]
			add(c.key.name)
			for k := range c.strs {
				addVars(&c.strs[k])
			}
			for k := range c.arns {
				for n := range c.arns[k] {
					addVars(&c.arns[k][n])
				}
			}
		}
	}
	return keys
}
