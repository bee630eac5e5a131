package iam

import "strings"

// Authorize implements Authorizer: the decision of DESIGN §5 for the
// request's identity, as resolved by this Directory.
func (d *Directory) Authorize(r Request) Decision {
	p, reason := d.resolve(&r.Identity)
	if p == nil && r.Identity.Kind != KindAnonymous {
		return Decision{Reason: reason, Source: SourceNone}
	}
	dec, _ := decide(p, &r)
	return dec
}

// resolve returns the principal of id in this Directory. An identity this
// Directory built carries its principal; one built by an older Directory
// (the IAM state changed while the request was in flight) or by hand is
// resolved again by name, so changes (a disabled group, a deleted user)
// apply at once.
func (d *Directory) resolve(id *Identity) (*principal, string) {
	if p := id.principal; p != nil && p.dir == d {
		return p, ""
	}
	var src *principal
	if id.principal != nil {
		src = id.principal
	}
	switch id.Kind {
	case KindAnonymous:
		return nil, ""
	case KindRoot:
		if d.rootPrin != nil && (id.AccessKey == "" || id.AccessKey == d.root.AccessKey) {
			return d.rootPrin, ""
		}
		return nil, "unknown root credential"
	case KindUser:
		if u := d.users[id.Name]; u != nil && !u.rec.Disabled {
			return u.p, ""
		}
		return nil, "user " + id.Name + " does not exist or is disabled"
	case KindServiceAccount:
		ak := id.AccessKey
		if src != nil {
			ak = src.accessKey
		}
		if s := d.sas[ak]; s != nil && !s.parent.rec.Disabled && s.rec.Status == StatusActive &&
			(s.rec.Expiration.IsZero() || d.now().Before(s.rec.Expiration)) {
			return s.p, ""
		}
		return nil, "service account " + ak + " does not exist, is inactive or expired, or its parent is disabled"
	case KindSession:
		if src != nil && src.claims != nil {
			p, err := d.sessionPrincipal(src.claims)
			if err != nil {
				return nil, "session is no longer valid: " + err.Error()
			}
			return p, ""
		}
		if id.RoleName != "" || src != nil && src.roleName != "" {
			name := id.RoleName
			if name == "" {
				name = src.roleName
			}
			if r := d.roles[name]; r != nil {
				return r.p, ""
			}
		}
		return nil, "session principal cannot be resolved"
	}
	return nil, "unknown principal kind " + id.Kind.String()
}

// CanAssumeRole decides whether caller may assume role: the caller's own
// policies must not deny sts:AssumeRole on the role, and the role's trust
// policy must allow the caller, either naming it (user or role ARN, or
// "*") or naming its account, in which case the caller's own policies
// must also allow sts:AssumeRole on the role (as AWS does).
func (d *Directory) CanAssumeRole(caller Identity, role string) Decision {
	r := d.roles[role]
	if r == nil {
		return Decision{Reason: "role " + role + " does not exist"}
	}
	p, reason := d.resolve(&caller)
	if p == nil {
		if reason == "" {
			reason = "anonymous callers cannot assume roles"
		}
		return Decision{Reason: reason}
	}
	if p.kind == KindRoot {
		return Decision{Allowed: true, Reason: "root administrative override", Policy: "root"}
	}
	req := Request{Identity: caller, Action: "sts:AssumeRole", Resource: ARN(d.account, "role", role)}
	idDec, idOut := decide(p, &req)
	if idOut == explicitDeny {
		return idDec
	}
	if r.trust == nil {
		return Decision{Reason: "role " + role + " has no trust policy"}
	}
	t := newTarget(&req, p)
	label := "role:" + role + "/trust"
	var viaAccount *statement
	for _, deny := range []bool{true, false} {
		for i := range r.trust.stmts {
			st := &r.trust.stmts[i]
			if st.deny != deny || !st.matchAction(&t) || !st.matchConditions(&t) {
				continue
			}
			specific, acct := st.principal.matches(p, d.account)
			if st.notPrincipal {
				specific, acct = !specific, !specific
			}
			switch {
			case deny && (specific || acct):
				return denied(&req, &t, label, st)
			case !deny && specific:
				return Decision{Allowed: true, Reason: "allowed by the role's trust policy", Policy: label, Statement: st.label}
			case !deny && acct && viaAccount == nil:
				viaAccount = st
			}
		}
	}
	if viaAccount != nil {
		if idOut == allowed {
			return Decision{Allowed: true, Reason: "the trust policy allows the account and " + idDec.Policy + " allows sts:AssumeRole",
				Policy: label, Statement: viaAccount.label}
		}
		return Decision{Reason: "the trust policy allows the caller's account, but no policy of the caller allows sts:AssumeRole on " + req.Resource}
	}
	return Decision{Reason: "the trust policy of role " + role + " does not allow " + callerName(p)}
}

func callerName(p *principal) string {
	if len(p.varArn) > 0 {
		return p.varArn[0]
	}
	return strings.Join(p.trustNames, ",")
}
