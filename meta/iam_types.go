package meta

import (
	"errors"
	"time"
)

// Errors of IAM commands and of IAMService, mapped to the AWS IAM codes by
// the API layer. Like bucket errors they are deterministic verdicts: every
// replica reaches the same one and a rejected command changes nothing.
// Input problems wrap iam.ErrInvalidInput, iam.ErrMalformedPolicy or
// iam.ErrPolicyTooLarge instead.
var (
	// ErrNoSuchEntity: the user, group, policy, role, key or service
	// account named does not exist (IAM NoSuchEntity, 404).
	ErrNoSuchEntity = errors.New("meta: no such IAM entity")
	// ErrEntityAlreadyExists: the name or access key is taken (409).
	ErrEntityAlreadyExists = errors.New("meta: IAM entity already exists")
	// ErrDeleteConflict: the entity still has dependents (409).
	ErrDeleteConflict = errors.New("meta: IAM entity has dependents")
	// ErrLimitExceeded: a per-entity quota would be exceeded (409).
	ErrLimitExceeded = errors.New("meta: IAM limit exceeded")
	// ErrAccessDenied: the caller may not do this whatever its policies
	// say (service accounts of another principal, builtin policies, STS
	// for root) (403).
	ErrAccessDenied = errors.New("meta: access denied")
)

// The types below are the parameters of IAMService's methods. They are
// declared here, not in s3api, so that IAMService (which must not import
// s3api) satisfies the s3api.IAM interface: s3api declares them as aliases
// of these.

// EntityKind says which sort of IAM entity an EntityRef names.
type EntityKind int

// Entity kinds.
const (
	EntityUser EntityKind = iota + 1
	EntityGroup
	EntityRole
)

// String is the ARN resource type of the kind ("user", "group", "role").
func (k EntityKind) String() string {
	switch k {
	case EntityUser:
		return "user"
	case EntityGroup:
		return "group"
	case EntityRole:
		return "role"
	}
	return "unknown"
}

// EntityRef names a user, group or role.
type EntityRef struct {
	Kind EntityKind `json:"kind"`
	Name string     `json:"name"`
}

// CreateUserInput is CreateUser's parameters (PosixUID/PosixGID are Cairn
// extensions).
type CreateUserInput struct {
	UserName    string
	Path        string // "" means "/"
	DisplayName string
	PosixUID    *uint32
	PosixGID    *uint32
}

// UpdateUserInput is UpdateUser's parameters; nil fields are unchanged.
type UpdateUserInput struct {
	UserName          string
	NewUserName       *string
	NewPath           *string
	Disabled          *bool
	DisplayName       *string
	PosixUID          *uint32
	PosixGID          *uint32
	AllowCreateBucket *bool
	AllowDeleteBucket *bool
}

// CreateAccessKeyInput is CreateAccessKey's parameters. AccessKeyID and
// SecretAccessKey are the WEKA convenience form; both or neither are set.
type CreateAccessKeyInput struct {
	UserName        string
	AccessKeyID     string
	SecretAccessKey string
}

// UpdateGroupInput is UpdateGroup's parameters; nil fields are unchanged.
type UpdateGroupInput struct {
	GroupName    string
	NewGroupName *string
	NewPath      *string
	Disabled     *bool
}

// CreatePolicyInput is CreatePolicy's parameters.
type CreatePolicyInput struct {
	PolicyName     string
	Path           string
	Description    string
	PolicyDocument string
}

// CreateRoleInput is CreateRole's parameters.
type CreateRoleInput struct {
	RoleName                 string
	Path                     string
	Description              string
	AssumeRolePolicyDocument string
	// MaxSessionDuration in seconds; 0 means the default (3600).
	MaxSessionDuration int
}

// CreateServiceAccountInput is CreateServiceAccount's parameters.
type CreateServiceAccountInput struct {
	Name        string
	Description string
	Policy      string    // optional JSON policy narrowing the parent's
	Expiration  time.Time // zero: never expires
}

// UpdateServiceAccountInput is UpdateServiceAccount's parameters; nil
// fields are unchanged.
type UpdateServiceAccountInput struct {
	AccessKeyID string
	Status      *string    // iam.StatusActive / iam.StatusInactive
	Policy      *string    // "" removes the policy
	Description *string    //
	Expiration  *time.Time // zero removes the expiry
}

// AssumeRoleInput is AssumeRole's parameters after the caller resolved
// RoleArn.
type AssumeRoleInput struct {
	// RoleName is the role to assume; "" is the self form (the caller's
	// own user, as WEKA's AssumeRole).
	RoleName        string
	RoleSessionName string
	Duration        time.Duration
	// Policy is the optional session policy JSON.
	Policy string
}

// STSCredentials are issued temporary credentials.
type STSCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}
