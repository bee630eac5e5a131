package iam

import "time"

// The records below are the IAM state the control plane replicates. They are
// plain values: the control plane stores and replicates them (with secrets
// encrypted at rest), and hands the whole set to NewDirectory, which compiles
// it into the in-memory form every request is checked against.

// Key status values, as the AWS IAM API spells them.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// User is an IAM user.
type User struct {
	Name string `json:"name"`
	// ID is the unique user ID ("AIDA…"), the value of aws:userid.
	ID          string    `json:"id"`
	CanonicalID string    `json:"canonicalId"`
	DisplayName string    `json:"displayName,omitempty"`
	Path        string    `json:"path,omitempty"`
	Created     time.Time `json:"created"`
	Disabled    bool      `json:"disabled,omitempty"`
	// PosixUID and PosixGID are stamped on every object version the user
	// writes; nil means unset.
	PosixUID *uint32 `json:"posixUid,omitempty"`
	PosixGID *uint32 `json:"posixGid,omitempty"`
	// AllowCreateBucket and AllowDeleteBucket grant s3:CreateBucket and
	// s3:DeleteBucket (of buckets the user owns) without a policy, as VAST's
	// user flags do; an explicit Deny still wins.
	AllowCreateBucket bool `json:"allowCreateBucket,omitempty"`
	AllowDeleteBucket bool `json:"allowDeleteBucket,omitempty"`
	// AttachedPolicies names managed policies; InlinePolicies maps a policy
	// name to its JSON document.
	AttachedPolicies []string          `json:"attachedPolicies,omitempty"`
	InlinePolicies   map[string]string `json:"inlinePolicies,omitempty"`
	// SessionGeneration is bumped to revoke every temporary credential the
	// user was issued: a session token carries the generation it was issued
	// under and is refused once they differ.
	SessionGeneration uint64 `json:"sessionGeneration,omitempty"`
}

// AccessKey is a long-term key pair of a user.
type AccessKey struct {
	ID       string    `json:"id"`
	Secret   string    `json:"secret"`
	UserName string    `json:"userName"`
	Status   string    `json:"status"` // StatusActive or StatusInactive
	Created  time.Time `json:"created"`
}

// Group is an IAM group. A disabled group grants nothing.
type Group struct {
	Name             string            `json:"name"`
	ID               string            `json:"id"` // "AGPA…"
	Path             string            `json:"path,omitempty"`
	Created          time.Time         `json:"created"`
	Disabled         bool              `json:"disabled,omitempty"`
	Members          []string          `json:"members,omitempty"` // user names
	AttachedPolicies []string          `json:"attachedPolicies,omitempty"`
	InlinePolicies   map[string]string `json:"inlinePolicies,omitempty"`
}

// ManagedPolicy is a named, attachable policy.
type ManagedPolicy struct {
	Name        string    `json:"name"`
	ID          string    `json:"id"` // "ANPA…"
	Path        string    `json:"path,omitempty"`
	Description string    `json:"description,omitempty"`
	Document    string    `json:"document"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	// Builtin marks readonly, readwrite, writeonly and admin: they cannot be
	// changed or deleted.
	Builtin bool `json:"builtin,omitempty"`
}

// ServiceAccount is a child credential of one user (WEKA semantics): it acts
// with its parent's permissions, narrowed by Policy when set.
type ServiceAccount struct {
	AccessKey   string `json:"accessKey"`
	Secret      string `json:"secret"`
	Parent      string `json:"parent"` // user name
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// Policy is an optional JSON policy; effective permissions are the
	// parent's intersected with it.
	Policy     string    `json:"policy,omitempty"`
	Status     string    `json:"status"`
	Expiration time.Time `json:"expiration,omitempty"` // zero: never expires
	Created    time.Time `json:"created"`
}

// Role is an assumable identity with a trust policy.
type Role struct {
	Name        string    `json:"name"`
	ID          string    `json:"id"` // "AROA…"
	Path        string    `json:"path,omitempty"`
	Description string    `json:"description,omitempty"`
	TrustPolicy string    `json:"trustPolicy"`
	Created     time.Time `json:"created"`
	// MaxSessionDuration in seconds (3600–43200; default 3600).
	MaxSessionDuration int               `json:"maxSessionDuration,omitempty"`
	AttachedPolicies   []string          `json:"attachedPolicies,omitempty"`
	InlinePolicies     map[string]string `json:"inlinePolicies,omitempty"`
	// SessionGeneration revokes the role's sessions, as User's does.
	SessionGeneration uint64 `json:"sessionGeneration,omitempty"`
}

// STSKey is a key that seals session tokens. The newest seals; all verify,
// so keys can be rotated without cutting off live sessions.
type STSKey struct {
	ID      string    `json:"id"`
	Key     []byte    `json:"key"` // 32 bytes
	Created time.Time `json:"created"`
}

// Limits are the policy size limits, in characters excluding whitespace.
// Zero fields take the AWS defaults.
type Limits struct {
	InlineUserPolicy  int `json:"inlineUserPolicy,omitempty"`  // 2,048
	InlineGroupPolicy int `json:"inlineGroupPolicy,omitempty"` // 5,120
	InlineRolePolicy  int `json:"inlineRolePolicy,omitempty"`  // 10,240
	ManagedPolicy     int `json:"managedPolicy,omitempty"`     // 6,144
	SessionPolicy     int `json:"sessionPolicy,omitempty"`     // 2,048
	// TrustPolicy limits role trust policies (AWS: 2,048) and
	// ServiceAccountPolicy the narrowing policy of a service account
	// (default: the managed-policy limit).
	TrustPolicy          int `json:"trustPolicy,omitempty"`          // 2,048
	ServiceAccountPolicy int `json:"serviceAccountPolicy,omitempty"` // 6,144
}

// Snapshot is the whole IAM state at one point of the control plane's log.
type Snapshot struct {
	// Account is the 12-digit account ID shown in ARNs.
	Account         string
	Root            Credential
	Users           []User
	AccessKeys      []AccessKey
	Groups          []Group
	Policies        []ManagedPolicy
	ServiceAccounts []ServiceAccount
	Roles           []Role
	STSKeys         []STSKey
	Limits          Limits
}
