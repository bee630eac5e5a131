package meta

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// Proposer puts a command through the control plane's log and returns
// once this node has applied it, with the command's verdict. raft.Node
// satisfies it.
type Proposer interface {
	Apply(ctx context.Context, cmd Command) error
}

// IAMService is the IAM control plane seen from the API: it validates
// inputs (with the node's configured limits), chooses IDs, keys and
// times, seals secrets, proposes commands and answers from the Directory
// the applied commands produced. It implements s3api.IAM.
//
// Authorization of the caller (iam:<Action> on the target) is the API
// layer's job; IAMService enforces invariants — existence, conflicts,
// quotas — and the rules that depend on who the caller is: service-account
// ownership and STS eligibility. Safe for concurrent use.
type IAMService struct {
	state *State
	p     Proposer
	now   func() time.Time
}

// NewIAMService returns the service over state, proposing through p. now
// is the clock for creation times and session expiry (nil: time.Now).
// state must have been configured with SetIAMConfig before any mutating
// call: secrets are sealed with its master key.
func NewIAMService(state *State, p Proposer, now func() time.Time) *IAMService {
	if now == nil {
		now = time.Now
	}
	return &IAMService{state: state, p: p, now: now}
}

// Directory returns the current compiled IAM view; never nil.
func (s *IAMService) Directory() *iam.Directory { return s.state.Directory() }

func (s *IAMService) clock() time.Time { return s.now().UTC() }

// propose encodes args as op's command and proposes it.
func (s *IAMService) propose(ctx context.Context, op Op, args any) error {
	cmd, err := NewCommand(op, args)
	if err != nil {
		return err
	}
	return s.p.Apply(ctx, cmd)
}

// seal seals a secret for the record named by context.
func (s *IAMService) seal(secret []byte, context string) ([]byte, error) {
	box, err := s.state.secretBox()
	if err != nil {
		return nil, err
	}
	return box.Seal(secret, context)
}

// initialGeneration starts a new user's or role's session generation at a
// random value: a session token names its parent by name, so a principal
// deleted and re-created under the same name must not accept the old
// principal's sessions (which a shared starting value of 0 would allow).
func initialGeneration() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("meta: crypto/rand failed: %v", err)) // rand.Read does not fail on supported platforms
	}
	return binary.BigEndian.Uint64(b[:])>>2 + 1 // headroom: increments never wrap
}

func defaultPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// accessKeyInUse reports whether id already names a credential: root, a
// user's key or a service account. The appliers check keys and service
// accounts again; root is node configuration, so only this check sees it.
func accessKeyInUse(d *iam.Directory, id string) error {
	if _, err := d.LookupCredential(id, ""); !errors.Is(err, iam.ErrNoSuchAccessKey) {
		return fmt.Errorf("%w: access key %s is already in use", ErrEntityAlreadyExists, id)
	}
	return nil
}

// readBack returns what the Directory holds for name after an applied
// command; missing means the Directory could not be rebuilt (see IAMErr).
func readBack[T any](kind, name string, v T, ok bool, state *State) (T, error) {
	if !ok {
		return v, fmt.Errorf("meta: %s %s applied but missing from the IAM directory: %w", kind, name, errors.Join(state.IAMErr(), errors.New("directory out of date")))
	}
	return v, nil
}

// CreateUser creates a user with no policy (it can do nothing until one is
// attached).
func (s *IAMService) CreateUser(ctx context.Context, in CreateUserInput) (iam.User, error) {
	if err := iam.ValidateUserName(in.UserName); err != nil {
		return iam.User{}, err
	}
	if err := checkPath(in.Path); err != nil {
		return iam.User{}, err
	}
	id := iam.NewUniqueID("AIDA")
	u := iam.User{
		Name:              in.UserName,
		ID:                id,
		CanonicalID:       iam.CanonicalID("user:" + id),
		DisplayName:       in.DisplayName,
		Path:              defaultPath(in.Path),
		Created:           s.clock(),
		PosixUID:          in.PosixUID,
		PosixGID:          in.PosixGID,
		SessionGeneration: initialGeneration(),
	}
	if err := s.propose(ctx, OpCreateUser, u); err != nil {
		return iam.User{}, err
	}
	got, ok := s.Directory().User(in.UserName)
	return readBack("user", in.UserName, got, ok, s.state)
}

// UpdateUser changes the fields set in in. Disabling a user also revokes
// its sessions.
func (s *IAMService) UpdateUser(ctx context.Context, in UpdateUserInput) (iam.User, error) {
	a := updateUserArgs{
		UserName: in.UserName, NewUserName: in.NewUserName, NewPath: in.NewPath,
		Disabled: in.Disabled, DisplayName: in.DisplayName, PosixUID: in.PosixUID, PosixGID: in.PosixGID,
		AllowCreateBucket: in.AllowCreateBucket, AllowDeleteBucket: in.AllowDeleteBucket,
	}
	if err := checkUpdateUser(&a); err != nil {
		return iam.User{}, err
	}
	if err := s.propose(ctx, OpUpdateUser, a); err != nil {
		return iam.User{}, err
	}
	name := in.UserName
	if in.NewUserName != nil {
		name = *in.NewUserName
	}
	got, ok := s.Directory().User(name)
	return readBack("user", name, got, ok, s.state)
}

// DeleteUser deletes a user; with force also its keys, service accounts,
// policies and memberships.
func (s *IAMService) DeleteUser(ctx context.Context, name string, force bool) error {
	if err := iam.ValidateUserName(name); err != nil {
		return err
	}
	return s.propose(ctx, OpDeleteUser, deleteArgs{Name: name, Force: force})
}

// CreateAccessKey creates an access key for a user: generated, or the
// caller's (WEKA form: user name as access key, password as secret).
func (s *IAMService) CreateAccessKey(ctx context.Context, in CreateAccessKeyInput) (iam.AccessKey, error) {
	if err := iam.ValidateUserName(in.UserName); err != nil {
		return iam.AccessKey{}, err
	}
	id, secret := in.AccessKeyID, in.SecretAccessKey
	switch {
	case id == "" && secret == "":
		id, secret = iam.NewAccessKeyID("AKIA"), iam.NewSecretKey()
	case id == "" || secret == "":
		return iam.AccessKey{}, invalid("AccessKeyId and SecretAccessKey must be given together")
	}
	if err := iam.ValidateAccessKeyID(id); err != nil {
		return iam.AccessKey{}, err
	}
	if err := iam.ValidateSecretKey(secret); err != nil {
		return iam.AccessKey{}, err
	}
	dir := s.Directory()
	if _, ok := dir.User(in.UserName); !ok {
		return iam.AccessKey{}, noSuch("user", in.UserName)
	}
	if err := accessKeyInUse(dir, id); err != nil {
		return iam.AccessKey{}, err
	}
	sealed, err := s.seal([]byte(secret), accessKeyContext(id))
	if err != nil {
		return iam.AccessKey{}, err
	}
	rec := accessKeyRecord{ID: id, SealedSecret: sealed, UserName: in.UserName, Status: iam.StatusActive, Created: s.clock()}
	if err := s.propose(ctx, OpCreateAccessKey, rec); err != nil {
		return iam.AccessKey{}, err
	}
	return iam.AccessKey{ID: id, Secret: secret, UserName: rec.UserName, Status: rec.Status, Created: rec.Created}, nil
}

// UpdateAccessKey sets the status of one of user's keys.
func (s *IAMService) UpdateAccessKey(ctx context.Context, user, accessKeyID, status string) error {
	a := accessKeyArgs{UserName: user, AccessKeyID: accessKeyID, Status: status}
	if err := checkUpdateAccessKey(&a); err != nil {
		return err
	}
	return s.propose(ctx, OpUpdateAccessKey, a)
}

// DeleteAccessKey deletes one of user's keys.
func (s *IAMService) DeleteAccessKey(ctx context.Context, user, accessKeyID string) error {
	a := accessKeyArgs{UserName: user, AccessKeyID: accessKeyID}
	if err := checkDeleteAccessKey(&a); err != nil {
		return err
	}
	return s.propose(ctx, OpDeleteAccessKey, a)
}

// RevokeSessions invalidates every temporary credential of a user or role;
// it returns once this node applied the revocation.
func (s *IAMService) RevokeSessions(ctx context.Context, target EntityRef) error {
	if err := checkRevokeSessions(&target); err != nil {
		return err
	}
	return s.propose(ctx, OpRevokeSessions, target)
}
