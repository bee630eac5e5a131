package meta

import (
	"context"
	"fmt"

	"github.com/cairn-s3/cairn/iam"
)

// IAMService: groups, managed and inline policies, roles.

// CreateGroup creates an empty, enabled group.
func (s *IAMService) CreateGroup(ctx context.Context, name, path string) (iam.Group, error) {
	if err := iam.ValidateGroupName(name); err != nil {
		return iam.Group{}, err
	}
	if err := checkPath(path); err != nil {
		return iam.Group{}, err
	}
	g := iam.Group{Name: name, ID: iam.NewUniqueID("AGPA"), Path: defaultPath(path), Created: s.clock()}
	if err := s.propose(ctx, OpCreateGroup, g); err != nil {
		return iam.Group{}, err
	}
	got, ok := s.Directory().Group(name)
	return readBack("group", name, got, ok, s.state)
}

// UpdateGroup renames, moves, enables or disables a group.
func (s *IAMService) UpdateGroup(ctx context.Context, in UpdateGroupInput) (iam.Group, error) {
	a := updateGroupArgs{GroupName: in.GroupName, NewGroupName: in.NewGroupName, NewPath: in.NewPath, Disabled: in.Disabled}
	if err := checkUpdateGroup(&a); err != nil {
		return iam.Group{}, err
	}
	if err := s.propose(ctx, OpUpdateGroup, a); err != nil {
		return iam.Group{}, err
	}
	name := in.GroupName
	if in.NewGroupName != nil {
		name = *in.NewGroupName
	}
	got, ok := s.Directory().Group(name)
	return readBack("group", name, got, ok, s.state)
}

// DeleteGroup deletes a group; with force even with members or policies.
func (s *IAMService) DeleteGroup(ctx context.Context, name string, force bool) error {
	if err := iam.ValidateGroupName(name); err != nil {
		return err
	}
	return s.propose(ctx, OpDeleteGroup, deleteArgs{Name: name, Force: force})
}

// AddUserToGroup adds user to group (idempotent).
func (s *IAMService) AddUserToGroup(ctx context.Context, group, user string) error {
	a := membershipArgs{GroupName: group, UserName: user}
	if err := checkMembership(&a); err != nil {
		return err
	}
	return s.propose(ctx, OpAddUserToGroup, a)
}

// RemoveUserFromGroup removes user from group.
func (s *IAMService) RemoveUserFromGroup(ctx context.Context, group, user string) error {
	a := membershipArgs{GroupName: group, UserName: user}
	if err := checkMembership(&a); err != nil {
		return err
	}
	return s.propose(ctx, OpRemoveUserFromGroup, a)
}

// CreatePolicy creates a managed policy, validated with the configured
// size limit.
func (s *IAMService) CreatePolicy(ctx context.Context, in CreatePolicyInput) (iam.ManagedPolicy, error) {
	if err := iam.ValidatePolicyName(in.PolicyName); err != nil {
		return iam.ManagedPolicy{}, err
	}
	if err := checkPath(in.Path); err != nil {
		return iam.ManagedPolicy{}, err
	}
	if err := checkText("description", in.Description, 1000); err != nil {
		return iam.ManagedPolicy{}, err
	}
	dir := s.Directory()
	if _, err := iam.ValidatePolicy(iam.PolicyManaged, in.PolicyDocument, dir.Limits()); err != nil {
		return iam.ManagedPolicy{}, err
	}
	if isBuiltinPolicy(in.PolicyName) {
		return iam.ManagedPolicy{}, exists("policy", in.PolicyName)
	}
	now := s.clock()
	p := iam.ManagedPolicy{
		Name: in.PolicyName, ID: iam.NewUniqueID("ANPA"), Path: defaultPath(in.Path),
		Description: in.Description, Document: in.PolicyDocument, Created: now, Updated: now,
	}
	if err := s.propose(ctx, OpCreatePolicy, p); err != nil {
		return iam.ManagedPolicy{}, err
	}
	got, ok := s.Directory().Policy(in.PolicyName)
	return readBack("policy", in.PolicyName, got, ok, s.state)
}

// DeletePolicy deletes a managed policy that is attached nowhere.
func (s *IAMService) DeletePolicy(ctx context.Context, name string) error {
	if err := iam.ValidatePolicyName(name); err != nil {
		return err
	}
	return s.propose(ctx, OpDeletePolicy, deleteArgs{Name: name})
}

// AttachPolicy attaches a managed policy to a user, group or role.
func (s *IAMService) AttachPolicy(ctx context.Context, target EntityRef, policy string) error {
	a := attachArgs{Target: target, PolicyName: policy}
	if err := checkAttach(&a); err != nil {
		return err
	}
	return s.propose(ctx, OpAttachPolicy, a)
}

// DetachPolicy detaches a managed policy from a user, group or role.
func (s *IAMService) DetachPolicy(ctx context.Context, target EntityRef, policy string) error {
	a := attachArgs{Target: target, PolicyName: policy}
	if err := checkAttach(&a); err != nil {
		return err
	}
	return s.propose(ctx, OpDetachPolicy, a)
}

// PutInlinePolicy creates or replaces an inline policy. As in AWS, the
// size limit applies to all inline policies of the entity together.
func (s *IAMService) PutInlinePolicy(ctx context.Context, target EntityRef, name, document string) error {
	if err := checkEntityRef(target); err != nil {
		return err
	}
	if err := iam.ValidatePolicyName(name); err != nil {
		return err
	}
	dir := s.Directory()
	kind := inlineKind(target.Kind)
	if _, err := iam.ValidatePolicy(kind, document, dir.Limits()); err != nil {
		return err
	}
	others, ok := inlinePolicies(dir, target)
	if !ok {
		return noSuch(target.Kind.String(), target.Name)
	}
	total := iam.PolicySize(document)
	for n, doc := range others {
		if n != name {
			total += iam.PolicySize(doc)
		}
	}
	if limit := inlineLimit(dir.Limits(), target.Kind); total > limit {
		return fmt.Errorf("%w: inline policies of %s %s would total %d characters, over the limit of %d",
			iam.ErrPolicyTooLarge, target.Kind, target.Name, total, limit)
	}
	return s.propose(ctx, OpPutInlinePolicy, inlinePolicyArgs{Target: target, PolicyName: name, Document: document})
}

// inlinePolicies returns the inline policies of the entity r names.
func inlinePolicies(d *iam.Directory, r EntityRef) (map[string]string, bool) {
	switch r.Kind {
	case EntityUser:
		u, ok := d.User(r.Name)
		return u.InlinePolicies, ok
	case EntityGroup:
		g, ok := d.Group(r.Name)
		return g.InlinePolicies, ok
	case EntityRole:
		ro, ok := d.Role(r.Name)
		return ro.InlinePolicies, ok
	}
	return nil, false
}

func inlineLimit(l iam.Limits, k EntityKind) int {
	l = l.WithDefaults()
	switch k {
	case EntityGroup:
		return l.InlineGroupPolicy
	case EntityRole:
		return l.InlineRolePolicy
	}
	return l.InlineUserPolicy
}

// DeleteInlinePolicy deletes an inline policy.
func (s *IAMService) DeleteInlinePolicy(ctx context.Context, target EntityRef, name string) error {
	a := inlinePolicyArgs{Target: target, PolicyName: name}
	if err := checkDeleteInlinePolicy(&a); err != nil {
		return err
	}
	return s.propose(ctx, OpDeleteInlinePolicy, a)
}

// CreateRole creates a role with its trust policy.
func (s *IAMService) CreateRole(ctx context.Context, in CreateRoleInput) (iam.Role, error) {
	if err := iam.ValidateRoleName(in.RoleName); err != nil {
		return iam.Role{}, err
	}
	if err := checkPath(in.Path); err != nil {
		return iam.Role{}, err
	}
	if err := checkText("description", in.Description, 1000); err != nil {
		return iam.Role{}, err
	}
	if in.AssumeRolePolicyDocument == "" {
		return iam.Role{}, invalid("AssumeRolePolicyDocument is required")
	}
	if _, err := iam.ValidatePolicy(iam.PolicyTrust, in.AssumeRolePolicyDocument, s.Directory().Limits()); err != nil {
		return iam.Role{}, err
	}
	maxSession := in.MaxSessionDuration
	if maxSession == 0 {
		maxSession = defaultRoleMaxSession
	}
	id := iam.NewUniqueID("AROA")
	r := iam.Role{
		Name: in.RoleName, ID: id, Path: defaultPath(in.Path), Description: in.Description,
		TrustPolicy: in.AssumeRolePolicyDocument, Created: s.clock(), MaxSessionDuration: maxSession,
		SessionGeneration: initialGeneration(),
	}
	if err := s.propose(ctx, OpCreateRole, r); err != nil {
		return iam.Role{}, err
	}
	got, ok := s.Directory().Role(in.RoleName)
	return readBack("role", in.RoleName, got, ok, s.state)
}

// DeleteRole deletes a role without policies. Its sessions stop working.
func (s *IAMService) DeleteRole(ctx context.Context, name string) error {
	if err := iam.ValidateRoleName(name); err != nil {
		return err
	}
	return s.propose(ctx, OpDeleteRole, deleteArgs{Name: name})
}
