package meta

import (
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// IAM ops. Their arguments are the types below (or an iam model type for
// creations), as JSON. Values an applier must not choose itself — IDs,
// creation times, initial session generations, sealed secrets — are
// chosen by the proposer (IAMService) and carried in the command.
const (
	OpCreateUser           Op = "CreateUser"           // iam.User
	OpUpdateUser           Op = "UpdateUser"           // updateUserArgs
	OpDeleteUser           Op = "DeleteUser"           // deleteArgs
	OpCreateAccessKey      Op = "CreateAccessKey"      // accessKeyRecord
	OpUpdateAccessKey      Op = "UpdateAccessKey"      // accessKeyArgs
	OpDeleteAccessKey      Op = "DeleteAccessKey"      // accessKeyArgs
	OpCreateGroup          Op = "CreateGroup"          // iam.Group
	OpUpdateGroup          Op = "UpdateGroup"          // updateGroupArgs
	OpDeleteGroup          Op = "DeleteGroup"          // deleteArgs
	OpAddUserToGroup       Op = "AddUserToGroup"       // membershipArgs
	OpRemoveUserFromGroup  Op = "RemoveUserFromGroup"  // membershipArgs
	OpCreatePolicy         Op = "CreatePolicy"         // iam.ManagedPolicy
	OpDeletePolicy         Op = "DeletePolicy"         // deleteArgs
	OpAttachPolicy         Op = "AttachPolicy"         // attachArgs
	OpDetachPolicy         Op = "DetachPolicy"         // attachArgs
	OpPutInlinePolicy      Op = "PutInlinePolicy"      // inlinePolicyArgs
	OpDeleteInlinePolicy   Op = "DeleteInlinePolicy"   // inlinePolicyArgs (no document)
	OpCreateRole           Op = "CreateRole"           // iam.Role
	OpDeleteRole           Op = "DeleteRole"           // deleteArgs
	OpCreateServiceAccount Op = "CreateServiceAccount" // serviceAccountRecord
	OpUpdateServiceAccount Op = "UpdateServiceAccount" // updateServiceAccountArgs
	OpDeleteServiceAccount Op = "DeleteServiceAccount" // serviceAccountArgs
	OpRevokeSessions       Op = "RevokeSessions"       // EntityRef
	OpPutSTSKey            Op = "PutSTSKey"            // stsKeyRecord
)

// Quotas enforced by the appliers (AWS's where AWS has one).
const (
	maxAccessKeysPerUser        = 2
	maxServiceAccountsPerParent = 100
	maxManagedPoliciesAttached  = 10
	// maxSTSKeys is how many STS keys are kept: the newest seals, all
	// verify. A key proposed beyond it retires the oldest, whose sessions
	// then stop working; rotating at most once per maximum session
	// duration (36 h) keeps every live session verifiable.
	maxSTSKeys = 4
)

// maxPolicyChars bounds a policy document in a command whatever the
// configured limits: the configured (node-local) limits are enforced by
// the proposer, while appliers may only use rules every replica shares.
const maxPolicyChars = 64 << 10

// hardLimits are the limits the pure checks validate policies with.
func hardLimits() iam.Limits {
	return iam.Limits{
		InlineUserPolicy:  maxPolicyChars,
		InlineGroupPolicy: maxPolicyChars,
		InlineRolePolicy:  maxPolicyChars,
		ManagedPolicy:     maxPolicyChars,
		SessionPolicy:     maxPolicyChars,
	}
}

// updateUserArgs are OpUpdateUser's arguments; nil fields are unchanged.
type updateUserArgs struct {
	UserName          string  `json:"userName"`
	NewUserName       *string `json:"newUserName,omitempty"`
	NewPath           *string `json:"newPath,omitempty"`
	Disabled          *bool   `json:"disabled,omitempty"`
	DisplayName       *string `json:"displayName,omitempty"`
	PosixUID          *uint32 `json:"posixUid,omitempty"`
	PosixGID          *uint32 `json:"posixGid,omitempty"`
	AllowCreateBucket *bool   `json:"allowCreateBucket,omitempty"`
	AllowDeleteBucket *bool   `json:"allowDeleteBucket,omitempty"`
}

// deleteArgs name the user, group, policy or role to delete.
type deleteArgs struct {
	Name string `json:"name"`
	// Force deletes a user's keys, service accounts, policies and
	// memberships, or a group's members and policies, with it.
	Force bool `json:"force,omitempty"`
}

// accessKeyArgs name one key of one user.
type accessKeyArgs struct {
	UserName    string `json:"userName"`
	AccessKeyID string `json:"accessKeyId"`
	// Status is the new status (OpUpdateAccessKey only).
	Status string `json:"status,omitempty"`
}

// updateGroupArgs are OpUpdateGroup's arguments; nil fields are unchanged.
type updateGroupArgs struct {
	GroupName    string  `json:"groupName"`
	NewGroupName *string `json:"newGroupName,omitempty"`
	NewPath      *string `json:"newPath,omitempty"`
	Disabled     *bool   `json:"disabled,omitempty"`
}

type membershipArgs struct {
	GroupName string `json:"groupName"`
	UserName  string `json:"userName"`
}

type attachArgs struct {
	Target     EntityRef `json:"target"`
	PolicyName string    `json:"policyName"`
}

type inlinePolicyArgs struct {
	Target     EntityRef `json:"target"`
	PolicyName string    `json:"policyName"`
	Document   string    `json:"document,omitempty"`
}

// serviceAccountArgs name a service account and the parent the proposer
// believes owns it; the applier checks that belief, so ownership holds
// even against a concurrent delete and re-create.
type serviceAccountArgs struct {
	Parent    string `json:"parent"`
	AccessKey string `json:"accessKey"`
}

// updateServiceAccountArgs are OpUpdateServiceAccount's arguments; nil
// fields are unchanged.
type updateServiceAccountArgs struct {
	Parent      string     `json:"parent"`
	AccessKey   string     `json:"accessKey"`
	Status      *string    `json:"status,omitempty"`
	Policy      *string    `json:"policy,omitempty"` // "" removes it
	Description *string    `json:"description,omitempty"`
	Expiration  *time.Time `json:"expiration,omitempty"` // zero removes it
}
