package iam

import (
	"fmt"
	"slices"
)

// Account returns the account ID shown in ARNs.
func (d *Directory) Account() string { return d.account }

// Limits returns the policy size limits, defaults filled in.
func (d *Directory) Limits() Limits { return d.limits }

// User returns a user by name.
func (d *Directory) User(name string) (User, bool) {
	if u := d.users[name]; u != nil {
		return u.rec, true
	}
	return User{}, false
}

// Users returns every user, sorted by name.
func (d *Directory) Users() []User {
	out := make([]User, 0, len(d.userNames))
	for _, n := range d.userNames {
		out = append(out, d.users[n].rec)
	}
	return out
}

// UserByAccessKey returns the user owning a long-term access key.
func (d *Directory) UserByAccessKey(ak string) (User, bool) {
	if k := d.keys[ak]; k != nil {
		return k.user.rec, true
	}
	return User{}, false
}

// AccessKeys returns a user's access keys, oldest first.
func (d *Directory) AccessKeys(user string) []AccessKey {
	if u := d.users[user]; u != nil {
		return slices.Clone(u.keys)
	}
	return nil
}

// Group returns a group by name.
func (d *Directory) Group(name string) (Group, bool) {
	if g := d.groups[name]; g != nil {
		return *g, true
	}
	return Group{}, false
}

// Groups returns every group, sorted by name.
func (d *Directory) Groups() []Group { return slices.Clone(d.groupList) }

// GroupsForUser returns the groups a user is a member of (enabled or not),
// sorted by name.
func (d *Directory) GroupsForUser(user string) []Group {
	if u := d.users[user]; u != nil {
		return slices.Clone(u.groups)
	}
	return nil
}

// Policy returns a managed policy by name, builtins included.
func (d *Directory) Policy(name string) (ManagedPolicy, bool) {
	if p := d.policies[name]; p != nil {
		return p.rec, true
	}
	return ManagedPolicy{}, false
}

// Policies returns every managed policy, builtins included, sorted by name.
func (d *Directory) Policies() []ManagedPolicy { return slices.Clone(d.polList) }

// ServiceAccount returns a service account by access key.
func (d *Directory) ServiceAccount(ak string) (ServiceAccount, bool) {
	if s := d.sas[ak]; s != nil {
		return s.rec, true
	}
	return ServiceAccount{}, false
}

// ServiceAccounts returns a user's service accounts, oldest first.
func (d *Directory) ServiceAccounts(parent string) []ServiceAccount {
	return slices.Clone(d.saByUser[parent])
}

// Role returns a role by name.
func (d *Directory) Role(name string) (Role, bool) {
	if r := d.roles[name]; r != nil {
		return r.rec, true
	}
	return Role{}, false
}

// Roles returns every role, sorted by name.
func (d *Directory) Roles() []Role { return slices.Clone(d.roleList) }

// STSKey returns the newest STS key, which seals new sessions.
func (d *Directory) STSKey() (STSKey, bool) {
	if len(d.stsKeys) == 0 {
		return STSKey{}, false
	}
	return d.stsKeys[0], true
}

// IdentityFor returns the identity of a principal by name, for the policy
// simulator: KindUser (a user), KindRoot (the root principal; name may be
// empty or the root access key) or KindSession (a role by name, as a
// session of that role without a session policy).
func (d *Directory) IdentityFor(kind PrincipalKind, name string) (Identity, error) {
	switch kind {
	case KindUser:
		if u := d.users[name]; u != nil {
			return u.id, nil
		}
		return Identity{}, fmt.Errorf("%w: user %q", ErrNoSuchEntity, name)
	case KindRoot:
		if d.root != nil && (name == "" || name == d.root.AccessKey || name == d.root.Identity.Name) {
			return d.root.Identity, nil
		}
		return Identity{}, fmt.Errorf("%w: root %q", ErrNoSuchEntity, name)
	case KindSession:
		if r := d.roles[name]; r != nil {
			return r.id, nil
		}
		return Identity{}, fmt.Errorf("%w: role %q", ErrNoSuchEntity, name)
	}
	return Identity{}, fmt.Errorf("%w: cannot simulate a %s principal by name", ErrInvalidInput, kind)
}
