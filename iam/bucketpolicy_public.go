package iam

import "strings"

// AWS's meaning of "public" for a bucket policy (GetBucketPolicyStatus,
// BlockPublicPolicy, RestrictPublicBuckets): the policy is public when an
// Allow statement grants to a public principal — "*", {"AWS": "*"},
// Everyone, Guest, or everyone-but-someone through NotPrincipal — without a
// condition that pins the request to fixed values of a key the requester
// cannot choose. Such a narrowing condition uses a positive operator
// (StringEquals, StringLike, ArnEquals, ArnLike, IpAddress and their
// IgnoreCase forms; not the Not… forms, not …IfExists, not ForAllValues:,
// which an absent key satisfies) on one of the keys below, with values free
// of wildcards and policy variables; an aws:SourceIp range must be no
// wider than /8 (IPv4) or /32 (IPv6).
//
// "Authenticated Users" and account principals are not public: in Cairn
// they cover only the deployment's own signed principals, as an account
// principal does in AWS.

// narrowingKeys are the keys whose fixed values make a statement
// non-public (AWS's list plus aws:username, which Cairn derives from the
// caller's identity).
var narrowingKeys = []string{
	"aws:SourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceArn",
	"aws:SourceAccount", "aws:SourceOwner", "aws:PrincipalAccount",
	"aws:PrincipalArn", "aws:PrincipalOrgID", "aws:userid", "aws:username",
	"s3:DataAccessPointArn", "s3:DataAccessPointAccount",
}

// Widest aws:SourceIp ranges still taken as narrowing.
const (
	minPublicPrefixV4 = 8
	minPublicPrefixV6 = 32
)

func policyIsPublic(p *Policy) bool {
	for i := range p.stmts {
		st := &p.stmts[i]
		if st.deny || !st.publicPrincipal() || st.narrowed() {
			continue
		}
		return true
	}
	return false
}

func (st *statement) publicPrincipal() bool {
	ps := st.principal
	if ps == nil {
		return false
	}
	if st.notPrincipal {
		// Everyone except those listed: public unless the list excludes
		// everyone or every anonymous request.
		return !ps.any && !ps.anonymous
	}
	return ps.any || ps.anonymous
}

func (st *statement) narrowed() bool {
	for i := range st.conds {
		if st.conds[i].narrows() {
			return true
		}
	}
	return false
}

func (c *condition) narrows() bool {
	if c.neg || c.ifExists || c.set == setAll {
		return false
	}
	known := false
	for _, k := range narrowingKeys {
		if strings.EqualFold(k, c.key.name) {
			known = true
			break
		}
	}
	if !known {
		return false
	}
	switch c.fam {
	case famStringEq, famStringLike:
		for i := range c.strs {
			if !c.strs[i].fixed() {
				return false
			}
		}
		return len(c.strs) > 0
	case famArn:
		for i := range c.arns {
			for j := range c.arns[i] {
				if !c.arns[i][j].fixed() {
					return false
				}
			}
		}
		return len(c.arns) > 0
	case famIP:
		if !strings.EqualFold(c.key.name, "aws:SourceIp") {
			return false
		}
		for _, n := range c.nets {
			min := minPublicPrefixV4
			if n.Addr().Is6() && !n.Addr().Is4In6() {
				min = minPublicPrefixV6
			}
			if n.Bits() < min {
				return false
			}
		}
		return len(c.nets) > 0
	}
	return false
}

// fixed reports whether the pattern is a plain value: no wildcard, no
// variable.
func (p *pattern) fixed() bool { return !p.hasVar && !p.hasWildcard() }
