package iam

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// ErrNoSuchEntity is returned by Directory lookups of a name that does not
// exist (IAM NoSuchEntity).
var ErrNoSuchEntity = errors.New("iam: no such entity")

// Directory is the compiled, immutable, in-memory IAM view the control
// plane rebuilds after every IAM change. Every policy is parsed once, when
// the Directory is built; credentials and principals are resolved into
// maps so a request costs map lookups and bit tests. It is safe for
// concurrent use. Record values it returns share their slices and maps
// with the Directory: treat them as read-only.
type Directory struct {
	account string
	limits  Limits
	now     func() time.Time

	root     *Credential
	rootPrin *principal

	users     map[string]*cUser
	userNames []string
	keys      map[string]*cKey // user access keys
	groups    map[string]*Group
	groupList []Group
	policies  map[string]*cPolicy
	polList   []ManagedPolicy
	sas       map[string]*cSA
	saByUser  map[string][]ServiceAccount
	roles     map[string]*cRole
	roleList  []Role
	stsKeys   []STSKey // newest first
	// condKeys are the condition keys any stored identity or
	// service-account policy refers to, sorted, each once (keyusage.go).
	condKeys []string

	sessions *sessionCache
}

type cUser struct {
	rec    User
	p      *principal
	id     Identity
	keys   []AccessKey // sorted by Created
	groups []Group     // sorted by name
}

type cKey struct {
	rec  AccessKey
	user *cUser
	cred Credential
}

type cPolicy struct {
	rec ManagedPolicy
	p   *Policy
}

type cSA struct {
	rec    ServiceAccount
	parent *cUser
	p      *principal
	cred   Credential
}

type cRole struct {
	rec   Role
	p     *principal // the role as a principal (simulation, role sessions)
	id    Identity
	trust *Policy // nil when the role has no trust policy
}

// NewDirectory compiles a snapshot. Stored policies are compiled leniently
// (no size limit, unknown actions kept as patterns) since they were
// validated when written and limits or the catalogue may have changed
// since; a document that no longer parses, or two credentials with the
// same access key, make the snapshot unusable and are errors. Dangling
// references (an attached policy or a group member that does not exist)
// grant nothing.
func NewDirectory(s Snapshot) (*Directory, error) {
	return NewDirectoryWithClock(s, time.Now)
}

// NewDirectoryWithClock is NewDirectory with the clock that decides
// service-account and session expiry.
func NewDirectoryWithClock(s Snapshot, now func() time.Time) (*Directory, error) {
	d := &Directory{
		account:  s.Account,
		limits:   s.Limits.WithDefaults(),
		now:      now,
		users:    map[string]*cUser{},
		keys:     map[string]*cKey{},
		groups:   map[string]*Group{},
		policies: map[string]*cPolicy{},
		sas:      map[string]*cSA{},
		saByUser: map[string][]ServiceAccount{},
		roles:    map[string]*cRole{},
		sessions: newSessionCache(sessionCacheSize),
	}
	seenKey := map[string]string{}
	claimKey := func(ak, owner string) error {
		if prev, dup := seenKey[ak]; dup {
			return fmt.Errorf("iam: snapshot: access key %q belongs to both %s and %s", ak, prev, owner)
		}
		seenKey[ak] = owner
		return nil
	}
	if err := d.compileRoot(s.Root); err != nil {
		return nil, err
	}
	if d.root != nil {
		_ = claimKey(d.root.AccessKey, "root")
	}
	if err := d.compilePolicies(s.Policies); err != nil {
		return nil, err
	}
	groupPolicies, err := d.compileGroups(s.Groups)
	if err != nil {
		return nil, err
	}
	if err := d.compileUsers(s.Users, groupPolicies); err != nil {
		return nil, err
	}
	for _, k := range s.AccessKeys {
		u := d.users[k.UserName]
		if u == nil {
			continue
		}
		if err := claimKey(k.ID, "user "+k.UserName); err != nil {
			return nil, err
		}
		u.keys = append(u.keys, k)
		id := u.id
		id.AccessKey = k.ID
		d.keys[k.ID] = &cKey{rec: k, user: u, cred: Credential{AccessKey: k.ID, SecretKey: k.Secret, Identity: id}}
	}
	for _, u := range d.users {
		sort.SliceStable(u.keys, func(i, j int) bool { return u.keys[i].Created.Before(u.keys[j].Created) })
	}
	for _, sa := range s.ServiceAccounts {
		if err := claimKey(sa.AccessKey, "a service account of "+sa.Parent); err != nil {
			return nil, err
		}
		if err := d.compileServiceAccount(sa); err != nil {
			return nil, err
		}
	}
	for parent, list := range d.saByUser {
		sort.SliceStable(list, func(i, j int) bool {
			if !list[i].Created.Equal(list[j].Created) {
				return list[i].Created.Before(list[j].Created)
			}
			return list[i].AccessKey < list[j].AccessKey
		})
		d.saByUser[parent] = list
	}
	if err := d.compileRoles(s.Roles); err != nil {
		return nil, err
	}
	d.stsKeys = append([]STSKey(nil), s.STSKeys...)
	sort.SliceStable(d.stsKeys, func(i, j int) bool { return d.stsKeys[i].Created.After(d.stsKeys[j].Created) })
	slices.Sort(d.condKeys)
	d.condKeys = slices.Compact(d.condKeys)
	return d, nil
}

func (d *Directory) compileRoot(root Credential) error {
	if root.AccessKey == "" {
		return nil
	}
	id := root.Identity
	id.Kind = KindRoot
	id.AccessKey = root.AccessKey
	if id.Name == "" {
		id.Name = root.AccessKey
	}
	if id.CanonicalID == "" {
		id.CanonicalID = CanonicalID("root:" + root.AccessKey)
	}
	if id.DisplayName == "" {
		id.DisplayName = id.Name
	}
	if id.UserID == "" {
		id.UserID = d.account
	}
	p := &principal{
		dir: d, kind: KindRoot, canonicalID: id.CanonicalID,
		varType: []string{"Account"}, varArn: []string{ARN(d.account, "root", "")},
		varAccount: []string{d.account}, varUserID: []string{id.UserID},
		trustNames: []string{"root"},
	}
	id.principal = p
	d.rootPrin = p
	d.root = &Credential{AccessKey: root.AccessKey, SecretKey: root.SecretKey, Identity: id}
	return nil
}

func (d *Directory) compilePolicies(list []ManagedPolicy) error {
	all := BuiltinPolicies()
	for _, mp := range list {
		if isBuiltinName(mp.Name) {
			continue // builtins are Cairn's, whatever the state says
		}
		all = append(all, mp)
	}
	for _, mp := range all {
		if _, dup := d.policies[mp.Name]; dup {
			return fmt.Errorf("iam: snapshot: two managed policies named %q", mp.Name)
		}
		p, err := compilePolicy(PolicyManaged, mp.Document, false)
		if err != nil {
			return fmt.Errorf("iam: snapshot: managed policy %q: %w", mp.Name, err)
		}
		d.policies[mp.Name] = &cPolicy{rec: mp, p: p}
		d.condKeys = append(d.condKeys, p.keys...)
		d.polList = append(d.polList, mp)
	}
	sort.Slice(d.polList, func(i, j int) bool { return d.polList[i].Name < d.polList[j].Name })
	return nil
}

// bind resolves attached and inline policies of one entity into labels
// "<kind>:<name>/<policy>" and "<kind>:<name>/inline:<policy>".
func (d *Directory) bind(kind, name string, attached []string, inline map[string]string, pk PolicyKind) ([]boundPolicy, error) {
	var out []boundPolicy
	for _, pn := range attached {
		if mp := d.policies[pn]; mp != nil {
			out = append(out, boundPolicy{label: kind + ":" + name + "/" + pn, p: mp.p})
		}
	}
	names := make([]string, 0, len(inline))
	for n := range inline {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p, err := compilePolicy(pk, inline[n], false)
		if err != nil {
			return nil, fmt.Errorf("iam: snapshot: %s %q inline policy %q: %w", kind, name, n, err)
		}
		out = append(out, boundPolicy{label: kind + ":" + name + "/inline:" + n, p: p})
		d.condKeys = append(d.condKeys, p.keys...)
	}
	return out, nil
}

func (d *Directory) compileGroups(list []Group) (map[string][]boundPolicy, error) {
	bound := map[string][]boundPolicy{}
	for i := range list {
		g := list[i]
		if _, dup := d.groups[g.Name]; dup {
			return nil, fmt.Errorf("iam: snapshot: two groups named %q", g.Name)
		}
		d.groups[g.Name] = &g
		d.groupList = append(d.groupList, g)
		bp, err := d.bind("group", g.Name, g.AttachedPolicies, g.InlinePolicies, PolicyInlineGroup)
		if err != nil {
			return nil, err
		}
		bound[g.Name] = bp
	}
	sort.Slice(d.groupList, func(i, j int) bool { return d.groupList[i].Name < d.groupList[j].Name })
	return bound, nil
}

func (d *Directory) compileUsers(list []User, groupPolicies map[string][]boundPolicy) error {
	memberOf := map[string][]Group{}
	for _, g := range d.groupList {
		for _, m := range g.Members {
			if !slices.ContainsFunc(memberOf[m], func(x Group) bool { return x.Name == g.Name }) {
				memberOf[m] = append(memberOf[m], g)
			}
		}
	}
	for _, u := range list {
		if _, dup := d.users[u.Name]; dup {
			return fmt.Errorf("iam: snapshot: two users named %q", u.Name)
		}
		own, err := d.bind("user", u.Name, u.AttachedPolicies, u.InlinePolicies, PolicyInlineUser)
		if err != nil {
			return err
		}
		cu := &cUser{rec: u, groups: memberOf[u.Name]}
		var groupNames, enabled []string
		for _, g := range cu.groups {
			groupNames = append(groupNames, g.Name)
			// INVARIANT: a disabled group grants (and denies) nothing,
			// bucket-policy principals naming it included.
			if !g.Disabled {
				own = append(own, groupPolicies[g.Name]...)
				enabled = append(enabled, g.Name)
			}
		}
		canon := u.CanonicalID
		switch {
		case canon != "":
		case u.ID != "":
			canon = CanonicalID("user:" + u.ID)
		default:
			canon = CanonicalID("user-name:" + u.Name)
		}
		arn := ARN(d.account, "user", u.Name)
		cu.p = &principal{
			dir: d, kind: KindUser, identity: own,
			allowCreateBucket: u.AllowCreateBucket, allowDeleteBucket: u.AllowDeleteBucket,
			canonicalID: canon,
			varUsername: []string{u.Name}, varUserID: []string{u.ID}, varType: []string{"User"},
			varArn: []string{arn}, varAccount: []string{d.account},
			trustNames: []string{"user/" + u.Name},
			userName:   u.Name,
			groups:     enabled,
		}
		cu.p.setPosix(u.PosixUID, u.PosixGID)
		display := u.DisplayName
		if display == "" {
			display = u.Name
		}
		cu.id = Identity{
			Kind: KindUser, Name: u.Name, CanonicalID: canon, DisplayName: display,
			UserID: u.ID, PosixUID: u.PosixUID, PosixGID: u.PosixGID, Groups: groupNames,
			principal: cu.p,
		}
		d.users[u.Name] = cu
		d.userNames = append(d.userNames, u.Name)
	}
	sort.Strings(d.userNames)
	return nil
}

func (d *Directory) compileServiceAccount(sa ServiceAccount) error {
	parent := d.users[sa.Parent]
	if parent == nil {
		return nil // dangling: the credential does not work
	}
	c := &cSA{rec: sa, parent: parent}
	p := *parent.p
	p.kind = KindServiceAccount
	p.accessKey = sa.AccessKey
	if sa.Policy != "" {
		pol, err := compilePolicy(PolicyServiceAccount, sa.Policy, false)
		if err != nil {
			return fmt.Errorf("iam: snapshot: service account %q: %w", sa.AccessKey, err)
		}
		p.own, p.ownLabel = pol, "service-account"
		d.condKeys = append(d.condKeys, pol.keys...)
	}
	c.p = &p
	id := parent.id
	id.Kind = KindServiceAccount
	id.AccessKey = sa.AccessKey
	id.ParentUser = sa.Parent
	id.principal = c.p
	c.cred = Credential{AccessKey: sa.AccessKey, SecretKey: sa.Secret, Identity: id}
	d.sas[sa.AccessKey] = c
	d.saByUser[sa.Parent] = append(d.saByUser[sa.Parent], sa)
	return nil
}

func (d *Directory) compileRoles(list []Role) error {
	for _, r := range list {
		if _, dup := d.roles[r.Name]; dup {
			return fmt.Errorf("iam: snapshot: two roles named %q", r.Name)
		}
		bp, err := d.bind("role", r.Name, r.AttachedPolicies, r.InlinePolicies, PolicyInlineRole)
		if err != nil {
			return err
		}
		cr := &cRole{rec: r}
		if r.TrustPolicy != "" {
			if cr.trust, err = compilePolicy(PolicyTrust, r.TrustPolicy, false); err != nil {
				return fmt.Errorf("iam: snapshot: role %q trust policy: %w", r.Name, err)
			}
		}
		arn := ARN(d.account, "role", r.Name)
		canon := CanonicalID("role:" + r.ID)
		cr.p = &principal{
			dir: d, kind: KindSession, identity: bp, canonicalID: canon,
			varUserID: []string{r.ID}, varType: []string{"AssumedRole"},
			varArn: []string{arn}, varAccount: []string{d.account},
			trustNames: []string{"role/" + r.Name},
			roleName:   r.Name,
		}
		cr.id = Identity{
			Kind: KindSession, Name: r.Name, CanonicalID: canon, DisplayName: r.Name,
			UserID: r.ID, RoleName: r.Name, principal: cr.p,
		}
		d.roles[r.Name] = cr
		d.roleList = append(d.roleList, r)
	}
	sort.Slice(d.roleList, func(i, j int) bool { return d.roleList[i].Name < d.roleList[j].Name })
	return nil
}
