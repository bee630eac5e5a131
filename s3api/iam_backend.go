package s3api

import (
	"context"
	"time"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
)

// IAM is the identity service behind the IAM and STS query APIs
// (implemented by meta.IAMService). The handlers authorize every call
// (iam:<Action> on the target's ARN, with Directory().Authorize) before
// calling it, so implementations enforce invariants, not permissions —
// except service-account ownership and STS eligibility, which depend on
// who the caller is and are checked here from the caller identity.
//
// Reads (GetUser, ListUsers, ListAccessKeys, GetGroup, ListGroups,
// ListGroupsForUser, GetPolicy, GetPolicyVersion, ListPolicies,
// List*Policies, Get*Policy, GetRole, ListRoles, SimulatePrincipalPolicy,
// GetCallerIdentity) are answered by the handlers from Directory(), which
// already holds everything they show; the service has one method per
// mutating IAM action, per service-account action and per STS issuing
// action. Attach/Detach/Put/Delete*Policy take an EntityRef so one method
// serves the user, group and role forms of the action.
//
// Every mutating method returns only once the change is applied on this
// node, so Directory() called afterwards reflects it (read-your-writes).
// Inputs are validated with iam.Validate*; a bad value is an error
// wrapping iam.ErrInvalidInput with a precise message. Errors named below
// are matched with errors.Is; any other error (proposal failure, closed
// state) is passed through and becomes InternalError or ServiceUnavailable.
type IAM interface {
	// Directory is the current compiled IAM view; never nil.
	Directory() *iam.Directory

	// CreateUser: meta.ErrEntityAlreadyExists, iam.ErrInvalidInput.
	CreateUser(ctx context.Context, in CreateUserInput) (iam.User, error)
	// UpdateUser changes the fields set in in (nil: unchanged). Disabling a
	// user also bumps its SessionGeneration. meta.ErrNoSuchEntity,
	// meta.ErrEntityAlreadyExists (rename onto an existing user),
	// iam.ErrInvalidInput.
	UpdateUser(ctx context.Context, in UpdateUserInput) (iam.User, error)
	// DeleteUser: meta.ErrNoSuchEntity; meta.ErrDeleteConflict when the
	// user still has access keys, service accounts, attached or inline
	// policies or group memberships, unless force (which removes them all).
	DeleteUser(ctx context.Context, name string, force bool) error

	// CreateAccessKey returns the new key with its secret. With
	// in.AccessKeyID and in.SecretAccessKey empty both are generated; with
	// both set they are used as given (the WEKA convenience form).
	// meta.ErrNoSuchEntity (user), meta.ErrLimitExceeded (2 keys already),
	// meta.ErrEntityAlreadyExists (access key ID in use by any principal),
	// iam.ErrInvalidInput (key < 3 or secret < 8 characters, spaces...).
	CreateAccessKey(ctx context.Context, in CreateAccessKeyInput) (iam.AccessKey, error)
	// UpdateAccessKey sets status (iam.StatusActive / iam.StatusInactive).
	// meta.ErrNoSuchEntity (user, or key not the user's), iam.ErrInvalidInput.
	UpdateAccessKey(ctx context.Context, user, accessKeyID, status string) error
	// DeleteAccessKey: meta.ErrNoSuchEntity (user, or key not the user's).
	DeleteAccessKey(ctx context.Context, user, accessKeyID string) error

	// CreateGroup: meta.ErrEntityAlreadyExists, iam.ErrInvalidInput.
	CreateGroup(ctx context.Context, name, path string) (iam.Group, error)
	// UpdateGroup changes the fields set in in (nil: unchanged).
	// meta.ErrNoSuchEntity, meta.ErrEntityAlreadyExists (rename),
	// iam.ErrInvalidInput.
	UpdateGroup(ctx context.Context, in UpdateGroupInput) (iam.Group, error)
	// DeleteGroup: meta.ErrNoSuchEntity; meta.ErrDeleteConflict while the
	// group has members or policies, unless force.
	DeleteGroup(ctx context.Context, name string, force bool) error
	// AddUserToGroup is idempotent. meta.ErrNoSuchEntity (group or user).
	AddUserToGroup(ctx context.Context, group, user string) error
	// RemoveUserFromGroup: meta.ErrNoSuchEntity (group, user, or the user
	// is not a member).
	RemoveUserFromGroup(ctx context.Context, group, user string) error

	// CreatePolicy validates the document (iam.ValidatePolicy with
	// iam.PolicyManaged). meta.ErrEntityAlreadyExists (builtins included),
	// iam.ErrMalformedPolicy, iam.ErrPolicyTooLarge, iam.ErrInvalidInput.
	CreatePolicy(ctx context.Context, in CreatePolicyInput) (iam.ManagedPolicy, error)
	// DeletePolicy: meta.ErrNoSuchEntity, meta.ErrDeleteConflict (still
	// attached), meta.ErrAccessDenied (builtin policy).
	DeletePolicy(ctx context.Context, name string) error
	// AttachPolicy serves AttachUserPolicy, AttachGroupPolicy and
	// AttachRolePolicy; idempotent. meta.ErrNoSuchEntity (target or
	// policy), meta.ErrLimitExceeded (more than 10 managed policies on one
	// entity, as AWS).
	AttachPolicy(ctx context.Context, target EntityRef, policy string) error
	// DetachPolicy serves Detach{User,Group,Role}Policy.
	// meta.ErrNoSuchEntity (target, policy, or not attached).
	DetachPolicy(ctx context.Context, target EntityRef, policy string) error
	// PutInlinePolicy serves Put{User,Group,Role}Policy: creates or
	// replaces the named inline policy, validated with the inline kind of
	// the target (and its size limit). meta.ErrNoSuchEntity (target),
	// iam.ErrMalformedPolicy, iam.ErrPolicyTooLarge, iam.ErrInvalidInput.
	PutInlinePolicy(ctx context.Context, target EntityRef, name, document string) error
	// DeleteInlinePolicy serves Delete{User,Group,Role}Policy.
	// meta.ErrNoSuchEntity (target or policy).
	DeleteInlinePolicy(ctx context.Context, target EntityRef, name string) error

	// CreateRole validates the trust policy (iam.PolicyTrust).
	// meta.ErrEntityAlreadyExists, iam.ErrMalformedPolicy,
	// iam.ErrPolicyTooLarge, iam.ErrInvalidInput (name, MaxSessionDuration
	// outside 3600–43200).
	CreateRole(ctx context.Context, in CreateRoleInput) (iam.Role, error)
	// DeleteRole: meta.ErrNoSuchEntity; meta.ErrDeleteConflict while
	// policies are attached or inline.
	DeleteRole(ctx context.Context, name string) error

	// RevokeSessions bumps the SessionGeneration of a user or role (Kind
	// EntityUser or EntityRole), invalidating every temporary credential
	// issued to it; it returns once that is applied. meta.ErrNoSuchEntity,
	// iam.ErrInvalidInput (EntityGroup).
	RevokeSessions(ctx context.Context, target EntityRef) error

	// Service accounts are managed only by their parent user acting with
	// its own long-term credentials: caller.Kind must be iam.KindUser
	// (root, service accounts and sessions get meta.ErrAccessDenied), and
	// the account's parent must be caller.Name (else meta.ErrNoSuchEntity,
	// so other users' accounts are not revealed).
	//
	// CreateServiceAccount returns the account with its secret.
	// meta.ErrAccessDenied, meta.ErrLimitExceeded (100 per parent),
	// iam.ErrMalformedPolicy, iam.ErrPolicyTooLarge, iam.ErrInvalidInput
	// (expiration in the past...).
	CreateServiceAccount(ctx context.Context, caller iam.Identity, in CreateServiceAccountInput) (iam.ServiceAccount, error)
	// ListServiceAccounts returns the caller's accounts sorted by access
	// key; Secret fields may be empty and are never shown.
	// meta.ErrAccessDenied.
	ListServiceAccounts(ctx context.Context, caller iam.Identity) ([]iam.ServiceAccount, error)
	// GetServiceAccount: meta.ErrAccessDenied, meta.ErrNoSuchEntity.
	GetServiceAccount(ctx context.Context, caller iam.Identity, accessKey string) (iam.ServiceAccount, error)
	// UpdateServiceAccount changes the fields set in in (nil: unchanged;
	// an empty Policy removes the policy, a zero Expiration removes it).
	// meta.ErrAccessDenied, meta.ErrNoSuchEntity, iam.ErrMalformedPolicy,
	// iam.ErrPolicyTooLarge, iam.ErrInvalidInput.
	UpdateServiceAccount(ctx context.Context, caller iam.Identity, in UpdateServiceAccountInput) error
	// DeleteServiceAccount: meta.ErrAccessDenied, meta.ErrNoSuchEntity.
	DeleteServiceAccount(ctx context.Context, caller iam.Identity, accessKey string) error

	// AssumeRole issues temporary credentials. The handler has already
	// checked that caller may assume the role (Directory().CanAssumeRole:
	// trust policy, plus the caller's sts:AssumeRole permission where AWS
	// needs it) or that it is the self form (in.RoleName == ""), and that
	// in.Duration is within 900s–43200s and the role's MaxSessionDuration. For the self
	// form the session derives from the caller's user (for a service
	// account or session caller: its parent user). The session policy, if
	// any, is validated with iam.PolicySession. meta.ErrNoSuchEntity
	// (role), meta.ErrAccessDenied (caller cannot hold a session: root or
	// anonymous for the self form), iam.ErrMalformedPolicy,
	// iam.ErrPolicyTooLarge, iam.ErrInvalidInput, meta.ErrNoSuchEntity
	// wrapping a message when no STS key exists yet.
	AssumeRole(ctx context.Context, caller iam.Identity, in AssumeRoleInput) (STSCredentials, error)
	// GetSessionToken issues temporary credentials for the caller's own
	// user. meta.ErrAccessDenied (caller is anonymous, root, or a session:
	// AWS refuses GetSessionToken with temporary credentials),
	// iam.ErrInvalidInput.
	GetSessionToken(ctx context.Context, caller iam.Identity, duration time.Duration) (STSCredentials, error)
}

// The parameter types are declared in package meta (so that
// meta.IAMService, which cannot import s3api, satisfies IAM) and aliased
// here. Their meaning is documented there; in short:
//   - EntityRef{Kind, Name} names a user, group or role (EntityUser,
//     EntityGroup, EntityRole);
//   - *Input structs carry an action's parameters; in Update* inputs a nil
//     pointer means "unchanged";
//   - AssumeRoleInput.RoleName "" is the self form;
//   - STSCredentials are issued temporary credentials.
type (
	EntityKind                = meta.EntityKind
	EntityRef                 = meta.EntityRef
	CreateUserInput           = meta.CreateUserInput
	UpdateUserInput           = meta.UpdateUserInput
	CreateAccessKeyInput      = meta.CreateAccessKeyInput
	UpdateGroupInput          = meta.UpdateGroupInput
	CreatePolicyInput         = meta.CreatePolicyInput
	CreateRoleInput           = meta.CreateRoleInput
	CreateServiceAccountInput = meta.CreateServiceAccountInput
	UpdateServiceAccountInput = meta.UpdateServiceAccountInput
	AssumeRoleInput           = meta.AssumeRoleInput
	STSCredentials            = meta.STSCredentials
)

// Entity kinds, as in package meta.
const (
	EntityUser  = meta.EntityUser
	EntityGroup = meta.EntityGroup
	EntityRole  = meta.EntityRole
)
