package iam

import (
	"errors"
	"time"
)

// Errors of the IAM layer. Every returned error wraps one of these with %w
// and a precise message, so callers map them to protocol codes with errors.Is.
var (
	// ErrMalformedPolicy is a policy document that is not valid: bad JSON
	// shape, unknown action, malformed ARN, unknown condition operator…
	// (IAM MalformedPolicyDocument, S3 MalformedPolicy).
	ErrMalformedPolicy = errors.New("iam: malformed policy document")
	// ErrPolicyTooLarge is a policy over its size limit (IAM LimitExceeded).
	ErrPolicyTooLarge = errors.New("iam: policy document too large")
	// ErrInvalidInput is a bad name, key or duration (IAM ValidationError /
	// InvalidInput).
	ErrInvalidInput = errors.New("iam: invalid input")
)

// PolicyKind says where a policy document is attached; it selects the size
// limit and the rules (identity policies may not name a Principal; trust
// policies must).
type PolicyKind int

const (
	PolicyInlineUser PolicyKind = iota
	PolicyInlineGroup
	PolicyInlineRole
	PolicyManaged
	PolicySession
	PolicyTrust
	PolicyServiceAccount
	// PolicyBucket is a bucket policy (ValidateBucketPolicy): it must name
	// a Principal, and its actions and resources are S3's, within the
	// bucket.
	PolicyBucket
)

// SessionClaims are the sealed contents of an STS session token.
type SessionClaims struct {
	AccessKey, Secret string
	// ParentUser is the user the session derives from ("" for role sessions).
	ParentUser string
	// RoleName is the role assumed ("" for GetSessionToken / AssumeRole-as-self).
	RoleName    string
	SessionName string
	// Policy is an optional, already validated session policy JSON.
	Policy     string
	Expiration time.Time
	// Generation is the parent's SessionGeneration at issue.
	Generation uint64
}
