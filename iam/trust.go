package iam

import (
	"encoding/json"
	"fmt"
	"strings"
)

// principalSpec is a compiled Principal/NotPrincipal element of a trust
// or bucket policy. In trust policies only "AWS" principals can match a
// Cairn caller; Service, Federated and CanonicalUser entries are accepted
// (so AWS documents validate) and match nothing. Bucket policies also
// match CanonicalUser, group ARNs and the Qumulo forms
// (bucketpolicy_principal.go).
type principalSpec struct {
	any      bool     // "*", {"AWS": "*"}, Qumulo Everyone
	accounts []string // account IDs; "" is Cairn's own account
	arns     []string // user, role and assumed-role ARNs, normalised to an empty account
	acctOf   []string // the account of each entry of arns

	// Bucket-policy forms.
	anonymous     bool     // Qumulo Guest, local:guest: anonymous requests only
	authenticated bool     // Qumulo "Authenticated Users": every signed request
	names         []string // Qumulo user or group names
	groups        []string // group ARNs, by name
	groupAcct     []string // the account of each entry of groups
	canonical     []string // CanonicalUser IDs
	uids, gids    []uint32 // Qumulo uid:N, gid:N
}

func parsePrincipal(raw json.RawMessage, where string, bucket bool) (*principalSpec, error) {
	if bucket {
		ps, err := parsePrincipalOf(raw, where, true)
		if err != nil {
			return nil, fmt.Errorf("Invalid principal in policy: %w", err)
		}
		return ps, nil
	}
	return parsePrincipalOf(raw, where, false)
}

func parsePrincipalOf(raw json.RawMessage, where string, bucket bool) (*principalSpec, error) {
	ps := &principalSpec{}
	if s, err := scalar(raw, where+".Principal", false); err == nil {
		if s != "*" {
			if bucket {
				return nil, fmt.Errorf("%s: Principal must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::<account>:user/<name>\"} or {\"Qumulo\": [\"Everyone\"]}", where)
			}
			return nil, fmt.Errorf("%s: Principal must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::<account>:user/<name>\"}", where)
		}
		ps.any = true
		return ps, nil
	}
	fields, err := objectFields(raw, where+".Principal")
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("%s: Principal is empty", where)
	}
	for _, f := range fields {
		vals, err := scalarList(f.raw, where+".Principal."+f.name, false)
		if err != nil {
			return nil, err
		}
		switch f.name {
		case "AWS":
			for _, v := range vals {
				if err := ps.addAWS(v, bucket); err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
			}
		case "CanonicalUser", "Qumulo":
			if !bucket {
				if f.name == "Qumulo" {
					return nil, fmt.Errorf("%s: unknown principal type %q (allowed: AWS, Service, Federated, CanonicalUser)", where, f.name)
				}
				if err := nonEmpty(vals, where, f.name); err != nil {
					return nil, err
				}
				continue
			}
			for _, v := range vals {
				var err error
				if f.name == "Qumulo" {
					err = ps.addQumulo(v)
				} else {
					err = ps.addCanonical(v)
				}
				if err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
			}
		case "Service", "Federated":
			for _, v := range vals {
				if strings.TrimSpace(v) == "" {
					return nil, fmt.Errorf("%s: Principal.%s has an empty value", where, f.name)
				}
			}
		default:
			if bucket {
				return nil, fmt.Errorf("%s: unknown principal type %q (allowed: AWS, CanonicalUser, Qumulo, Service, Federated)", where, f.name)
			}
			return nil, fmt.Errorf("%s: unknown principal type %q (allowed: AWS, Service, Federated, CanonicalUser)", where, f.name)
		}
	}
	return ps, nil
}

func nonEmpty(vals []string, where, typ string) error {
	for _, v := range vals {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("%s: Principal.%s has an empty value", where, typ)
		}
	}
	return nil
}

func (ps *principalSpec) addAWS(v string, bucket bool) error {
	switch {
	case v == "*":
		ps.any = true
	case isAccountID(v):
		ps.accounts = append(ps.accounts, v)
	default:
		acct, kind, name, err := ParseIAMARN(v)
		if err != nil {
			if bucket {
				return fmt.Errorf("invalid principal %q: must be \"*\", an account ID, or a user, group, role, assumed-role or root ARN", v)
			}
			return fmt.Errorf("invalid principal %q: must be \"*\", an account ID, or a user, role or root ARN", v)
		}
		switch kind {
		case "root":
			ps.accounts = append(ps.accounts, acct)
		case "user", "role":
			ps.arns = append(ps.arns, kind+"/"+name)
			ps.acctOf = append(ps.acctOf, acct)
		case "assumed-role":
			ps.arns = append(ps.arns, "assumed-role/"+name)
			ps.acctOf = append(ps.acctOf, acct)
		case "group":
			if !bucket {
				return fmt.Errorf("invalid principal %q: a group cannot be a principal", v)
			}
			ps.groups = append(ps.groups, name)
			ps.groupAcct = append(ps.groupAcct, acct)
		default:
			return fmt.Errorf("invalid principal %q: a %s cannot be a principal", v, kind)
		}
	}
	return nil
}

// matches reports whether the spec names the caller specifically (ARN or
// "*") and whether it names the caller's account; account is the
// Directory's account.
func (ps *principalSpec) matches(p *principal, account string) (specific, acct bool) {
	if ps.any {
		return true, true
	}
	sameAcct := func(a string) bool { return a == "" || a == account }
	for i, a := range ps.arns {
		if !sameAcct(ps.acctOf[i]) {
			continue
		}
		for _, id := range p.trustNames {
			if a == id {
				return true, true
			}
		}
	}
	for _, a := range ps.accounts {
		if sameAcct(a) {
			acct = true
		}
	}
	return false, acct
}
