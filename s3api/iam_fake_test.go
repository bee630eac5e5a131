package s3api

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
)

// fakeIAM is a small in-memory implementation of the IAM interface for
// the handler tests. It keeps an iam.Snapshot and recompiles the real
// iam.Directory after every change, so authorization, credential lookup
// and session tokens behave as in production; it enforces only the
// invariants the tests exercise.
type fakeIAM struct {
	mu   sync.Mutex
	snap iam.Snapshot
	dir  atomic.Pointer[iam.Directory]
	seq  int
	// calls records the mutating calls made, for tests that check a
	// handler refused before reaching the service.
	calls []string
}

const testAccount = "123456789012"

func newFakeIAM() *fakeIAM {
	f := &fakeIAM{snap: iam.Snapshot{
		Account: testAccount,
		Root:    iam.Credential{AccessKey: testAccessKey, SecretKey: testSecretKey},
		STSKeys: []iam.STSKey{{ID: "k1", Key: make([]byte, 32), Created: time.Unix(1, 0)}},
	}}
	f.snap.STSKeys[0].Key[0] = 7
	if err := f.rebuild(); err != nil {
		panic(err)
	}
	return f
}

func (f *fakeIAM) rebuild() error {
	d, err := iam.NewDirectory(f.snap)
	if err != nil {
		return err
	}
	f.dir.Store(d)
	return nil
}

// change runs fn on the snapshot under the lock and publishes the result.
func (f *fakeIAM) change(name string, fn func(s *iam.Snapshot) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	if err := fn(&f.snap); err != nil {
		return err
	}
	return f.rebuild()
}

func (f *fakeIAM) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeIAM) nextID(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s%016d", prefix, f.seq)
}

func (f *fakeIAM) Directory() *iam.Directory { return f.dir.Load() }

func findUser(s *iam.Snapshot, name string) *iam.User {
	for i := range s.Users {
		if s.Users[i].Name == name {
			return &s.Users[i]
		}
	}
	return nil
}

func findGroup(s *iam.Snapshot, name string) *iam.Group {
	for i := range s.Groups {
		if s.Groups[i].Name == name {
			return &s.Groups[i]
		}
	}
	return nil
}

func findRole(s *iam.Snapshot, name string) *iam.Role {
	for i := range s.Roles {
		if s.Roles[i].Name == name {
			return &s.Roles[i]
		}
	}
	return nil
}

func noEntity(kind, name string) error {
	return fmt.Errorf("%w: the %s with name %s cannot be found", meta.ErrNoSuchEntity, kind, name)
}

func (f *fakeIAM) CreateUser(_ context.Context, in CreateUserInput) (iam.User, error) {
	var u iam.User
	err := f.change("CreateUser", func(s *iam.Snapshot) error {
		if err := iam.ValidateUserName(in.UserName); err != nil {
			return err
		}
		if findUser(s, in.UserName) != nil {
			return fmt.Errorf("%w: user with name %s already exists", meta.ErrEntityAlreadyExists, in.UserName)
		}
		u = iam.User{Name: in.UserName, ID: f.nextID("AIDA"), Path: in.Path, DisplayName: in.DisplayName,
			PosixUID: in.PosixUID, PosixGID: in.PosixGID, Created: time.Unix(1700000000, 0).UTC()}
		u.CanonicalID = iam.CanonicalID("user:" + u.ID)
		s.Users = append(s.Users, u)
		return nil
	})
	return u, err
}

func (f *fakeIAM) UpdateUser(_ context.Context, in UpdateUserInput) (iam.User, error) {
	var out iam.User
	err := f.change("UpdateUser", func(s *iam.Snapshot) error {
		u := findUser(s, in.UserName)
		if u == nil {
			return noEntity("user", in.UserName)
		}
		if in.Disabled != nil {
			if *in.Disabled && !u.Disabled {
				u.SessionGeneration++
			}
			u.Disabled = *in.Disabled
		}
		if in.PosixUID != nil {
			u.PosixUID = in.PosixUID
		}
		if in.PosixGID != nil {
			u.PosixGID = in.PosixGID
		}
		if in.AllowCreateBucket != nil {
			u.AllowCreateBucket = *in.AllowCreateBucket
		}
		if in.DisplayName != nil {
			u.DisplayName = *in.DisplayName
		}
		out = *u
		return nil
	})
	return out, err
}

func (f *fakeIAM) DeleteUser(_ context.Context, name string, force bool) error {
	return f.change("DeleteUser", func(s *iam.Snapshot) error {
		u := findUser(s, name)
		if u == nil {
			return noEntity("user", name)
		}
		hasKeys := slices.ContainsFunc(s.AccessKeys, func(k iam.AccessKey) bool { return k.UserName == name })
		if !force && (hasKeys || len(u.AttachedPolicies) > 0 || len(u.InlinePolicies) > 0) {
			return fmt.Errorf("%w: cannot delete entity, must delete access keys and policies first", meta.ErrDeleteConflict)
		}
		s.AccessKeys = slices.DeleteFunc(s.AccessKeys, func(k iam.AccessKey) bool { return k.UserName == name })
		s.Users = slices.DeleteFunc(s.Users, func(x iam.User) bool { return x.Name == name })
		return nil
	})
}

func (f *fakeIAM) CreateAccessKey(_ context.Context, in CreateAccessKeyInput) (iam.AccessKey, error) {
	var k iam.AccessKey
	err := f.change("CreateAccessKey", func(s *iam.Snapshot) error {
		if findUser(s, in.UserName) == nil {
			return noEntity("user", in.UserName)
		}
		n := 0
		for _, k := range s.AccessKeys {
			if k.UserName == in.UserName {
				n++
			}
		}
		if n >= 2 {
			return fmt.Errorf("%w: cannot exceed quota for AccessKeysPerUser: 2", meta.ErrLimitExceeded)
		}
		k = iam.AccessKey{ID: in.AccessKeyID, Secret: in.SecretAccessKey, UserName: in.UserName,
			Status: iam.StatusActive, Created: time.Unix(1700000000+int64(f.seq), 0).UTC()}
		if k.ID == "" {
			k.ID, k.Secret = f.nextID("AKIA"), fmt.Sprintf("fake-secret-%028d", f.seq)
		}
		if err := iam.ValidateAccessKeyID(k.ID); err != nil {
			return err
		}
		if err := iam.ValidateSecretKey(k.Secret); err != nil {
			return err
		}
		s.AccessKeys = append(s.AccessKeys, k)
		return nil
	})
	return k, err
}

func (f *fakeIAM) UpdateAccessKey(_ context.Context, user, ak, status string) error {
	return f.change("UpdateAccessKey", func(s *iam.Snapshot) error {
		for i := range s.AccessKeys {
			if s.AccessKeys[i].ID == ak && s.AccessKeys[i].UserName == user {
				s.AccessKeys[i].Status = status
				return nil
			}
		}
		return fmt.Errorf("%w: the Access Key with id %s cannot be found", meta.ErrNoSuchEntity, ak)
	})
}

func (f *fakeIAM) DeleteAccessKey(_ context.Context, user, ak string) error {
	return f.change("DeleteAccessKey", func(s *iam.Snapshot) error {
		n := len(s.AccessKeys)
		s.AccessKeys = slices.DeleteFunc(s.AccessKeys, func(k iam.AccessKey) bool { return k.ID == ak && k.UserName == user })
		if len(s.AccessKeys) == n {
			return fmt.Errorf("%w: the Access Key with id %s cannot be found", meta.ErrNoSuchEntity, ak)
		}
		return nil
	})
}

func (f *fakeIAM) CreateGroup(_ context.Context, name, path string) (iam.Group, error) {
	var g iam.Group
	err := f.change("CreateGroup", func(s *iam.Snapshot) error {
		if findGroup(s, name) != nil {
			return fmt.Errorf("%w: group with name %s already exists", meta.ErrEntityAlreadyExists, name)
		}
		g = iam.Group{Name: name, ID: f.nextID("AGPA"), Path: path, Created: time.Unix(1700000000, 0).UTC()}
		s.Groups = append(s.Groups, g)
		return nil
	})
	return g, err
}

func (f *fakeIAM) UpdateGroup(_ context.Context, in UpdateGroupInput) (iam.Group, error) {
	var out iam.Group
	err := f.change("UpdateGroup", func(s *iam.Snapshot) error {
		g := findGroup(s, in.GroupName)
		if g == nil {
			return noEntity("group", in.GroupName)
		}
		if in.Disabled != nil {
			g.Disabled = *in.Disabled
		}
		out = *g
		return nil
	})
	return out, err
}

func (f *fakeIAM) DeleteGroup(_ context.Context, name string, force bool) error {
	return f.change("DeleteGroup", func(s *iam.Snapshot) error {
		g := findGroup(s, name)
		if g == nil {
			return noEntity("group", name)
		}
		if !force && (len(g.Members) > 0 || len(g.AttachedPolicies) > 0) {
			return fmt.Errorf("%w: cannot delete entity, must remove users from group first", meta.ErrDeleteConflict)
		}
		s.Groups = slices.DeleteFunc(s.Groups, func(x iam.Group) bool { return x.Name == name })
		return nil
	})
}

func (f *fakeIAM) AddUserToGroup(_ context.Context, group, user string) error {
	return f.change("AddUserToGroup", func(s *iam.Snapshot) error {
		g := findGroup(s, group)
		if g == nil {
			return noEntity("group", group)
		}
		if findUser(s, user) == nil {
			return noEntity("user", user)
		}
		if !slices.Contains(g.Members, user) {
			g.Members = append(g.Members, user)
		}
		return nil
	})
}

func (f *fakeIAM) RemoveUserFromGroup(_ context.Context, group, user string) error {
	return f.change("RemoveUserFromGroup", func(s *iam.Snapshot) error {
		g := findGroup(s, group)
		if g == nil || !slices.Contains(g.Members, user) {
			return noEntity("group member", user)
		}
		g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == user })
		return nil
	})
}

func (f *fakeIAM) CreatePolicy(_ context.Context, in CreatePolicyInput) (iam.ManagedPolicy, error) {
	var p iam.ManagedPolicy
	err := f.change("CreatePolicy", func(s *iam.Snapshot) error {
		if _, err := iam.ValidatePolicy(iam.PolicyManaged, in.PolicyDocument, s.Limits); err != nil {
			return err
		}
		if _, ok := f.dir.Load().Policy(in.PolicyName); ok {
			return fmt.Errorf("%w: a policy called %s already exists", meta.ErrEntityAlreadyExists, in.PolicyName)
		}
		t := time.Unix(1700000000, 0).UTC()
		p = iam.ManagedPolicy{Name: in.PolicyName, ID: f.nextID("ANPA"), Path: in.Path, Description: in.Description,
			Document: in.PolicyDocument, Created: t, Updated: t}
		s.Policies = append(s.Policies, p)
		return nil
	})
	return p, err
}

func (f *fakeIAM) DeletePolicy(_ context.Context, name string) error {
	return f.change("DeletePolicy", func(s *iam.Snapshot) error {
		n := len(s.Policies)
		s.Policies = slices.DeleteFunc(s.Policies, func(p iam.ManagedPolicy) bool { return p.Name == name })
		if len(s.Policies) == n {
			return noEntity("policy", name)
		}
		return nil
	})
}

// entityLists returns the attached list and inline map of an entity.
func entityLists(s *iam.Snapshot, ref EntityRef) (*[]string, *map[string]string, error) {
	switch ref.Kind {
	case EntityUser:
		if u := findUser(s, ref.Name); u != nil {
			return &u.AttachedPolicies, &u.InlinePolicies, nil
		}
	case EntityGroup:
		if g := findGroup(s, ref.Name); g != nil {
			return &g.AttachedPolicies, &g.InlinePolicies, nil
		}
	case EntityRole:
		if r := findRole(s, ref.Name); r != nil {
			return &r.AttachedPolicies, &r.InlinePolicies, nil
		}
	}
	return nil, nil, noEntity(ref.Kind.String(), ref.Name)
}

func (f *fakeIAM) AttachPolicy(_ context.Context, ref EntityRef, policy string) error {
	return f.change("AttachPolicy", func(s *iam.Snapshot) error {
		att, _, err := entityLists(s, ref)
		if err != nil {
			return err
		}
		if _, ok := f.dir.Load().Policy(policy); !ok {
			return noEntity("policy", policy)
		}
		if !slices.Contains(*att, policy) {
			*att = append(*att, policy)
		}
		return nil
	})
}

func (f *fakeIAM) DetachPolicy(_ context.Context, ref EntityRef, policy string) error {
	return f.change("DetachPolicy", func(s *iam.Snapshot) error {
		att, _, err := entityLists(s, ref)
		if err != nil {
			return err
		}
		if !slices.Contains(*att, policy) {
			return fmt.Errorf("%w: policy %s is not attached", meta.ErrNoSuchEntity, policy)
		}
		*att = slices.DeleteFunc(*att, func(p string) bool { return p == policy })
		return nil
	})
}

func (f *fakeIAM) PutInlinePolicy(_ context.Context, ref EntityRef, name, doc string) error {
	return f.change("PutInlinePolicy", func(s *iam.Snapshot) error {
		_, inl, err := entityLists(s, ref)
		if err != nil {
			return err
		}
		kind := map[EntityKind]iam.PolicyKind{EntityUser: iam.PolicyInlineUser, EntityGroup: iam.PolicyInlineGroup, EntityRole: iam.PolicyInlineRole}[ref.Kind]
		if _, err := iam.ValidatePolicy(kind, doc, s.Limits); err != nil {
			return err
		}
		m := maps.Clone(*inl)
		if m == nil {
			m = map[string]string{}
		}
		m[name] = doc
		*inl = m
		return nil
	})
}

func (f *fakeIAM) DeleteInlinePolicy(_ context.Context, ref EntityRef, name string) error {
	return f.change("DeleteInlinePolicy", func(s *iam.Snapshot) error {
		_, inl, err := entityLists(s, ref)
		if err != nil {
			return err
		}
		if _, ok := (*inl)[name]; !ok {
			return noEntity("policy", name)
		}
		m := maps.Clone(*inl)
		delete(m, name)
		*inl = m
		return nil
	})
}

func (f *fakeIAM) CreateRole(_ context.Context, in CreateRoleInput) (iam.Role, error) {
	var r iam.Role
	err := f.change("CreateRole", func(s *iam.Snapshot) error {
		if _, err := iam.ValidatePolicy(iam.PolicyTrust, in.AssumeRolePolicyDocument, s.Limits); err != nil {
			return err
		}
		if findRole(s, in.RoleName) != nil {
			return fmt.Errorf("%w: role with name %s already exists", meta.ErrEntityAlreadyExists, in.RoleName)
		}
		r = iam.Role{Name: in.RoleName, ID: f.nextID("AROA"), Path: in.Path, Description: in.Description,
			TrustPolicy: in.AssumeRolePolicyDocument, MaxSessionDuration: in.MaxSessionDuration,
			Created: time.Unix(1700000000, 0).UTC()}
		s.Roles = append(s.Roles, r)
		return nil
	})
	return r, err
}

func (f *fakeIAM) DeleteRole(_ context.Context, name string) error {
	return f.change("DeleteRole", func(s *iam.Snapshot) error {
		if findRole(s, name) == nil {
			return noEntity("role", name)
		}
		s.Roles = slices.DeleteFunc(s.Roles, func(r iam.Role) bool { return r.Name == name })
		return nil
	})
}

func (f *fakeIAM) RevokeSessions(_ context.Context, ref EntityRef) error {
	return f.change("RevokeSessions", func(s *iam.Snapshot) error {
		switch ref.Kind {
		case EntityUser:
			if u := findUser(s, ref.Name); u != nil {
				u.SessionGeneration++
				return nil
			}
		case EntityRole:
			if r := findRole(s, ref.Name); r != nil {
				r.SessionGeneration++
				return nil
			}
		}
		return noEntity(ref.Kind.String(), ref.Name)
	})
}

func requireUser(caller iam.Identity) error {
	if caller.Kind != iam.KindUser {
		return fmt.Errorf("%w: only the parent user manages its service accounts", meta.ErrAccessDenied)
	}
	return nil
}

func (f *fakeIAM) CreateServiceAccount(_ context.Context, caller iam.Identity, in CreateServiceAccountInput) (iam.ServiceAccount, error) {
	var sa iam.ServiceAccount
	err := f.change("CreateServiceAccount", func(s *iam.Snapshot) error {
		if err := requireUser(caller); err != nil {
			return err
		}
		if in.Policy != "" {
			if _, err := iam.ValidatePolicy(iam.PolicyServiceAccount, in.Policy, s.Limits); err != nil {
				return err
			}
		}
		sa = iam.ServiceAccount{AccessKey: f.nextID("CAIRNSA"), Secret: fmt.Sprintf("sa-secret-%030d", f.seq),
			Parent: caller.Name, Name: in.Name, Description: in.Description, Policy: in.Policy,
			Status: iam.StatusActive, Expiration: in.Expiration, Created: time.Unix(1700000000, 0).UTC()}
		s.ServiceAccounts = append(s.ServiceAccounts, sa)
		return nil
	})
	return sa, err
}

func (f *fakeIAM) ListServiceAccounts(_ context.Context, caller iam.Identity) ([]iam.ServiceAccount, error) {
	if err := requireUser(caller); err != nil {
		return nil, err
	}
	return f.dir.Load().ServiceAccounts(caller.Name), nil
}

func (f *fakeIAM) GetServiceAccount(_ context.Context, caller iam.Identity, ak string) (iam.ServiceAccount, error) {
	if err := requireUser(caller); err != nil {
		return iam.ServiceAccount{}, err
	}
	sa, ok := f.dir.Load().ServiceAccount(ak)
	if !ok || sa.Parent != caller.Name {
		return iam.ServiceAccount{}, fmt.Errorf("%w: service account %s", meta.ErrNoSuchEntity, ak)
	}
	return sa, nil
}

func (f *fakeIAM) UpdateServiceAccount(_ context.Context, caller iam.Identity, in UpdateServiceAccountInput) error {
	return f.change("UpdateServiceAccount", func(s *iam.Snapshot) error {
		if err := requireUser(caller); err != nil {
			return err
		}
		for i := range s.ServiceAccounts {
			sa := &s.ServiceAccounts[i]
			if sa.AccessKey != in.AccessKeyID || sa.Parent != caller.Name {
				continue
			}
			if in.Status != nil {
				sa.Status = *in.Status
			}
			if in.Policy != nil {
				sa.Policy = *in.Policy
			}
			if in.Description != nil {
				sa.Description = *in.Description
			}
			if in.Expiration != nil {
				sa.Expiration = *in.Expiration
			}
			return nil
		}
		return fmt.Errorf("%w: service account %s", meta.ErrNoSuchEntity, in.AccessKeyID)
	})
}

func (f *fakeIAM) DeleteServiceAccount(_ context.Context, caller iam.Identity, ak string) error {
	return f.change("DeleteServiceAccount", func(s *iam.Snapshot) error {
		if err := requireUser(caller); err != nil {
			return err
		}
		n := len(s.ServiceAccounts)
		s.ServiceAccounts = slices.DeleteFunc(s.ServiceAccounts, func(sa iam.ServiceAccount) bool {
			return sa.AccessKey == ak && sa.Parent == caller.Name
		})
		if len(s.ServiceAccounts) == n {
			return fmt.Errorf("%w: service account %s", meta.ErrNoSuchEntity, ak)
		}
		return nil
	})
}

// issue seals a session for claims c.
func (f *fakeIAM) issue(c iam.SessionClaims, d time.Duration) (STSCredentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	c.AccessKey = fmt.Sprintf("ASIA%016d", f.seq)
	c.Secret = fmt.Sprintf("session-secret-%025d", f.seq)
	c.Expiration = time.Now().Add(d).UTC().Truncate(time.Second)
	tok, err := iam.SealSession(f.snap.STSKeys[0], c)
	if err != nil {
		return STSCredentials{}, err
	}
	return STSCredentials{AccessKeyID: c.AccessKey, SecretAccessKey: c.Secret, SessionToken: tok, Expiration: c.Expiration}, nil
}

func (f *fakeIAM) AssumeRole(_ context.Context, caller iam.Identity, in AssumeRoleInput) (STSCredentials, error) {
	f.mu.Lock()
	f.calls = append(f.calls, "AssumeRole")
	f.mu.Unlock()
	if in.Policy != "" {
		if _, err := iam.ValidatePolicy(iam.PolicySession, in.Policy, iam.Limits{}); err != nil {
			return STSCredentials{}, err
		}
	}
	d := f.dir.Load()
	c := iam.SessionClaims{SessionName: in.RoleSessionName, Policy: in.Policy}
	if in.RoleName != "" {
		r, ok := d.Role(in.RoleName)
		if !ok {
			return STSCredentials{}, noEntity("role", in.RoleName)
		}
		c.RoleName, c.Generation = r.Name, r.SessionGeneration
	} else {
		u, ok := d.User(parentUser(caller))
		if !ok {
			return STSCredentials{}, fmt.Errorf("%w: %s credentials cannot assume themselves", meta.ErrAccessDenied, caller.Kind)
		}
		c.ParentUser, c.Generation = u.Name, u.SessionGeneration
	}
	return f.issue(c, in.Duration)
}

func (f *fakeIAM) GetSessionToken(_ context.Context, caller iam.Identity, d time.Duration) (STSCredentials, error) {
	if caller.Kind != iam.KindUser {
		return STSCredentials{}, fmt.Errorf("%w: GetSessionToken needs long-term user credentials", meta.ErrAccessDenied)
	}
	u, _ := f.dir.Load().User(caller.Name)
	return f.issue(iam.SessionClaims{ParentUser: u.Name, Generation: u.SessionGeneration}, d)
}
