package meta

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// IAMService: service accounts and STS.

// STS durations (AWS's bounds).
const (
	minSessionDuration          = 900 * time.Second
	maxAssumeRoleDuration       = 43200 * time.Second
	defaultAssumeRoleDuration   = 3600 * time.Second
	maxSessionTokenDuration     = 129600 * time.Second
	defaultSessionTokenDuration = 43200 * time.Second
	stsKeySize                  = 32
)

// serviceAccountOwner returns the user that may manage service accounts as
// caller: only a user acting with its own long-term credentials (WEKA:
// the cluster admin cannot; nor may a service account or session act for
// its parent).
func serviceAccountOwner(caller iam.Identity) (string, error) {
	if caller.Kind != iam.KindUser || caller.Name == "" {
		return "", fmt.Errorf("%w: service accounts are managed only by their parent user with its own credentials, not by %s",
			ErrAccessDenied, caller.Kind)
	}
	return caller.Name, nil
}

func publicAccount(sa iam.ServiceAccount) iam.ServiceAccount {
	sa.Secret = ""
	return sa
}

func checkExpiration(t time.Time, now time.Time) error {
	if !t.IsZero() && !t.After(now) {
		return invalid("expiration %s is not in the future", t.UTC().Format(time.RFC3339))
	}
	return nil
}

// CreateServiceAccount creates a service account of the calling user and
// returns it with its secret.
func (s *IAMService) CreateServiceAccount(ctx context.Context, caller iam.Identity, in CreateServiceAccountInput) (iam.ServiceAccount, error) {
	parent, err := serviceAccountOwner(caller)
	if err != nil {
		return iam.ServiceAccount{}, err
	}
	if err := checkText("name", in.Name, 128); err != nil {
		return iam.ServiceAccount{}, err
	}
	if err := checkText("description", in.Description, 1000); err != nil {
		return iam.ServiceAccount{}, err
	}
	now := s.clock()
	if err := checkExpiration(in.Expiration, now); err != nil {
		return iam.ServiceAccount{}, err
	}
	dir := s.Directory()
	if in.Policy != "" {
		if _, err := iam.ValidatePolicy(iam.PolicyServiceAccount, in.Policy, dir.Limits()); err != nil {
			return iam.ServiceAccount{}, err
		}
	}
	if _, ok := dir.User(parent); !ok {
		return iam.ServiceAccount{}, noSuch("user", parent)
	}
	if n := len(dir.ServiceAccounts(parent)); n >= maxServiceAccountsPerParent {
		return iam.ServiceAccount{}, fmt.Errorf("%w: user %s already has %d service accounts", ErrLimitExceeded, parent, n)
	}
	ak, secret := iam.NewAccessKeyID("CAIRNSA"), iam.NewSecretKey()
	if err := accessKeyInUse(dir, ak); err != nil {
		return iam.ServiceAccount{}, err
	}
	sealed, err := s.seal([]byte(secret), serviceAccountContext(ak))
	if err != nil {
		return iam.ServiceAccount{}, err
	}
	rec := serviceAccountRecord{
		AccessKey: ak, SealedSecret: sealed, Parent: parent, Name: in.Name, Description: in.Description,
		Policy: in.Policy, Status: iam.StatusActive, Created: now,
	}
	if !in.Expiration.IsZero() {
		rec.Expiration = in.Expiration.UTC()
	}
	if err := s.propose(ctx, OpCreateServiceAccount, rec); err != nil {
		return iam.ServiceAccount{}, err
	}
	got, ok := s.Directory().ServiceAccount(ak)
	got, err = readBack("service account", ak, got, ok, s.state)
	if err != nil {
		return iam.ServiceAccount{}, err
	}
	got.Secret = secret
	return got, nil
}

// ListServiceAccounts returns the caller's service accounts sorted by
// access key, without secrets.
func (s *IAMService) ListServiceAccounts(ctx context.Context, caller iam.Identity) ([]iam.ServiceAccount, error) {
	parent, err := serviceAccountOwner(caller)
	if err != nil {
		return nil, err
	}
	list := s.Directory().ServiceAccounts(parent)
	out := make([]iam.ServiceAccount, 0, len(list))
	for _, sa := range list {
		out = append(out, publicAccount(sa))
	}
	slices.SortFunc(out, func(a, b iam.ServiceAccount) int { return strings.Compare(a.AccessKey, b.AccessKey) })
	return out, nil
}

// GetServiceAccount returns one of the caller's service accounts, without
// its secret.
func (s *IAMService) GetServiceAccount(ctx context.Context, caller iam.Identity, accessKey string) (iam.ServiceAccount, error) {
	parent, err := serviceAccountOwner(caller)
	if err != nil {
		return iam.ServiceAccount{}, err
	}
	sa, ok := s.Directory().ServiceAccount(accessKey)
	if !ok || sa.Parent != parent {
		return iam.ServiceAccount{}, fmt.Errorf("%w: the service account %s cannot be found", ErrNoSuchEntity, accessKey)
	}
	return publicAccount(sa), nil
}

// UpdateServiceAccount changes status, policy, description or expiration
// of one of the caller's service accounts.
func (s *IAMService) UpdateServiceAccount(ctx context.Context, caller iam.Identity, in UpdateServiceAccountInput) error {
	parent, err := serviceAccountOwner(caller)
	if err != nil {
		return err
	}
	a := updateServiceAccountArgs{
		Parent: parent, AccessKey: in.AccessKeyID, Status: in.Status, Policy: in.Policy,
		Description: in.Description, Expiration: in.Expiration,
	}
	if err := checkUpdateServiceAccount(&a); err != nil {
		return err
	}
	if in.Policy != nil && *in.Policy != "" {
		if _, err := iam.ValidatePolicy(iam.PolicyServiceAccount, *in.Policy, s.Directory().Limits()); err != nil {
			return err
		}
	}
	if in.Expiration != nil {
		if err := checkExpiration(*in.Expiration, s.clock()); err != nil {
			return err
		}
		exp := in.Expiration.UTC()
		a.Expiration = &exp
	}
	return s.propose(ctx, OpUpdateServiceAccount, a)
}

// DeleteServiceAccount deletes one of the caller's service accounts.
func (s *IAMService) DeleteServiceAccount(ctx context.Context, caller iam.Identity, accessKey string) error {
	parent, err := serviceAccountOwner(caller)
	if err != nil {
		return err
	}
	a := serviceAccountArgs{Parent: parent, AccessKey: accessKey}
	if err := checkServiceAccountArgs(&a); err != nil {
		return err
	}
	return s.propose(ctx, OpDeleteServiceAccount, a)
}

// EnsureSTSKey proposes a fresh STS key when the state holds none. The
// node calls it once it leads (or whenever; it is idempotent up to a
// race, in which two keys exist, which is harmless).
func (s *IAMService) EnsureSTSKey(ctx context.Context) error {
	if _, ok := s.Directory().STSKey(); ok {
		return nil
	}
	return s.RotateSTSKey(ctx)
}

// RotateSTSKey proposes a new STS key, which seals sessions from then on;
// older keys keep verifying until retired (the oldest beyond 4 keys).
func (s *IAMService) RotateSTSKey(ctx context.Context) error {
	var key [stsKeySize]byte
	var id [8]byte
	if _, err := rand.Read(key[:]); err != nil {
		return fmt.Errorf("meta: STS key: %w", err)
	}
	if _, err := rand.Read(id[:]); err != nil {
		return fmt.Errorf("meta: STS key: %w", err)
	}
	rec := stsKeyRecord{ID: hex.EncodeToString(id[:]), Created: s.clock()}
	sealed, err := s.seal(key[:], stsKeyContext(rec.ID))
	clear(key[:])
	if err != nil {
		return err
	}
	rec.SealedKey = sealed
	return s.propose(ctx, OpPutSTSKey, rec)
}

// checkSessionName applies AWS's RoleSessionName rule: 2–64 characters of
// letters, digits and +=,.@_-.
func checkSessionName(n string) error {
	if len(n) < 2 || len(n) > 64 {
		return invalid("RoleSessionName %q must be 2–64 characters", n)
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+=,.@_-", c) >= 0) {
			return invalid("RoleSessionName %q may contain only letters, digits and +=,.@_-", n)
		}
	}
	return nil
}

// AssumeRole issues temporary credentials for a role, or (self form,
// in.RoleName == "") for the caller's own user. The caller's right to
// assume the role was checked by the API layer.
//
// The self form never widens the caller: a service account's own policy
// carries over as the session policy (a different session policy is
// refused, since one session holds one policy), and a session cannot
// re-issue itself (its session policy is not visible here).
func (s *IAMService) AssumeRole(ctx context.Context, caller iam.Identity, in AssumeRoleInput) (STSCredentials, error) {
	if err := checkSessionName(in.RoleSessionName); err != nil {
		return STSCredentials{}, err
	}
	d := in.Duration
	if d == 0 {
		d = defaultAssumeRoleDuration
	}
	if d < minSessionDuration || d > maxAssumeRoleDuration {
		return STSCredentials{}, invalid("DurationSeconds %d is outside %d–%d", int64(d/time.Second),
			int64(minSessionDuration/time.Second), int64(maxAssumeRoleDuration/time.Second))
	}
	dir := s.Directory()
	if in.Policy != "" {
		if _, err := iam.ValidatePolicy(iam.PolicySession, in.Policy, dir.Limits()); err != nil {
			return STSCredentials{}, err
		}
	}
	claims := iam.SessionClaims{SessionName: in.RoleSessionName, Policy: in.Policy}
	if in.RoleName != "" {
		r, ok := dir.Role(in.RoleName)
		if !ok {
			return STSCredentials{}, noSuch("role", in.RoleName)
		}
		maxD := time.Duration(r.MaxSessionDuration) * time.Second
		if maxD == 0 {
			maxD = defaultRoleMaxSession * time.Second
		}
		if d > maxD {
			return STSCredentials{}, invalid("DurationSeconds %d exceeds the MaxSessionDuration %d of role %s",
				int64(d/time.Second), int64(maxD/time.Second), r.Name)
		}
		claims.RoleName, claims.Generation = r.Name, r.SessionGeneration
	} else {
		parent, policy, err := selfSessionParent(dir, caller, in.Policy)
		if err != nil {
			return STSCredentials{}, err
		}
		claims.ParentUser, claims.Policy = parent.Name, policy
		claims.Generation = parent.SessionGeneration
	}
	return s.issue(dir, claims, d)
}

// selfSessionParent resolves the user a self-form session derives from and
// the session policy it carries.
func selfSessionParent(dir *iam.Directory, caller iam.Identity, requested string) (iam.User, string, error) {
	var name, inherited string
	switch caller.Kind {
	case iam.KindUser:
		name = caller.Name
	case iam.KindServiceAccount:
		name = caller.ParentUser
		if sa, ok := dir.ServiceAccount(caller.AccessKey); ok {
			inherited = sa.Policy
		} else {
			return iam.User{}, "", fmt.Errorf("%w: service account %s not found", ErrAccessDenied, caller.AccessKey)
		}
	default:
		return iam.User{}, "", fmt.Errorf("%w: %s credentials cannot assume their own user; use a user's long-term credentials",
			ErrAccessDenied, caller.Kind)
	}
	policy := requested
	switch {
	case inherited == "":
	case requested == "" || requested == inherited:
		policy = inherited
	default:
		return iam.User{}, "", fmt.Errorf("%w: a service account with its own policy cannot request a different session policy", ErrAccessDenied)
	}
	u, ok := dir.User(name)
	if !ok {
		return iam.User{}, "", noSuch("user", name)
	}
	if u.Disabled {
		return iam.User{}, "", fmt.Errorf("%w: user %s is disabled", ErrAccessDenied, name)
	}
	return u, policy, nil
}

// GetSessionToken issues temporary credentials for the caller's own user
// (for a service account, its parent narrowed by the account's policy).
func (s *IAMService) GetSessionToken(ctx context.Context, caller iam.Identity, duration time.Duration) (STSCredentials, error) {
	if caller.Kind != iam.KindUser && caller.Kind != iam.KindServiceAccount {
		return STSCredentials{}, fmt.Errorf("%w: GetSessionToken needs a user's long-term credentials, not %s", ErrAccessDenied, caller.Kind)
	}
	d := duration
	if d == 0 {
		d = defaultSessionTokenDuration
	}
	if d < minSessionDuration || d > maxSessionTokenDuration {
		return STSCredentials{}, invalid("DurationSeconds %d is outside %d–%d", int64(d/time.Second),
			int64(minSessionDuration/time.Second), int64(maxSessionTokenDuration/time.Second))
	}
	dir := s.Directory()
	parent, policy, err := selfSessionParent(dir, caller, "")
	if err != nil {
		return STSCredentials{}, err
	}
	return s.issue(dir, iam.SessionClaims{ParentUser: parent.Name, Policy: policy, Generation: parent.SessionGeneration}, d)
}

// issue fills in the credentials and seals the claims with the newest STS
// key. Nothing is proposed: the token is verified from its own content by
// every node.
func (s *IAMService) issue(dir *iam.Directory, c iam.SessionClaims, d time.Duration) (STSCredentials, error) {
	key, ok := dir.STSKey()
	if !ok {
		return STSCredentials{}, fmt.Errorf("%w: no STS key exists yet (the node proposes one at start)", ErrNoSuchEntity)
	}
	c.AccessKey, c.Secret = iam.NewAccessKeyID("ASIA"), iam.NewSecretKey()
	// Whole seconds: the expiry is shown to clients in ISO 8601 seconds.
	c.Expiration = s.clock().Add(d).Truncate(time.Second)
	token, err := iam.SealSession(key, c)
	if err != nil {
		return STSCredentials{}, fmt.Errorf("meta: seal session: %w", err)
	}
	return STSCredentials{AccessKeyID: c.AccessKey, SecretAccessKey: c.Secret, SessionToken: token, Expiration: c.Expiration}, nil
}
