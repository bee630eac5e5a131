package iam

import (
	"errors"
	"log/slog"
)

// PrincipalKind says what sort of principal made a request.
type PrincipalKind int

const (
	// Anonymous is an unsigned request.
	KindAnonymous PrincipalKind = iota
	// Root is the deployment's administrative principal.
	KindRoot
	// User is an IAM user.
	KindUser
	// ServiceAccount is a child credential of one user.
	KindServiceAccount
	// Session is an STS temporary credential.
	KindSession
)

func (k PrincipalKind) String() string {
	switch k {
	case KindAnonymous:
		return "anonymous"
	case KindRoot:
		return "root"
	case KindUser:
		return "user"
	case KindServiceAccount:
		return "service-account"
	case KindSession:
		return "session"
	}
	return "unknown"
}

// Identity is who a request acts as once its credentials are verified.
type Identity struct {
	Kind PrincipalKind
	// Name is the user name (for root, the root access key).
	Name string
	// AccessKey is the key the request was signed with; empty for anonymous.
	AccessKey string
	// CanonicalID is the stable 64-hex-digit ID S3 shows as owner/grantee.
	CanonicalID string
	// DisplayName is shown next to CanonicalID in listings and ACLs.
	DisplayName string
	// UserID is the unique ID of the user or role ("AIDA…", "AROA…"). It
	// is the value of aws:userid, except for role sessions, where
	// aws:userid is UserID + ":" + SessionName as in AWS.
	UserID string
	// ParentUser is the user a service account or session derives from.
	ParentUser string
	// RoleName is the role a session assumed.
	RoleName string
	// SessionName is the STS role session name.
	SessionName string
	// PosixUID and PosixGID are copied from the (parent) user; nil: unset.
	PosixUID *uint32
	PosixGID *uint32
	// Groups names the user's groups (enabled or not), for display.
	Groups []string

	// principal is the compiled principal the Directory resolved this
	// identity to, so Authorize needs no map lookups. Nil for identities
	// not built by a Directory.
	principal *principal
}

// IsAnonymous reports whether the identity is the unsigned principal.
func (id Identity) IsAnonymous() bool { return id.Kind == KindAnonymous }

// Credential is a secret bound to an identity.
type Credential struct {
	AccessKey string
	SecretKey string
	// SessionToken is set for STS credentials; requests must present it.
	SessionToken string
	Identity     Identity
}

// LogValue keeps secrets out of structured logs.
func (c Credential) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("access_key", c.AccessKey),
		slog.String("principal", c.Identity.Name),
		slog.String("kind", c.Identity.Kind.String()),
	)
}

// ErrNoSuchAccessKey is returned by a CredentialLookup that does not know a key.
var ErrNoSuchAccessKey = errors.New("iam: access key does not exist")

// ErrAccessKeyDisabled is returned for a known key that may not be used.
var ErrAccessKeyDisabled = errors.New("iam: access key is disabled")

// ErrInvalidToken is returned for a session token that cannot be opened or
// does not belong to the access key; ErrExpiredToken for one past its expiry.
var (
	ErrInvalidToken = errors.New("iam: invalid session token")
	ErrExpiredToken = errors.New("iam: session token has expired")
)

// CredentialLookup resolves an access key (and, for temporary credentials,
// the session token sent with it) to its credential.
//
// Implementations must be safe for concurrent use and must answer from
// memory: it is called on every signed request. A long-term key is looked up
// with whatever token the request carried; the caller checks that the token
// matches Credential.SessionToken.
type CredentialLookup interface {
	LookupCredential(accessKey, sessionToken string) (Credential, error)
}
