package meta

import (
	"encoding/json"
	"fmt"
)

// opSpec is how one op is checked and applied.
//
//   - check decodes and validates the arguments without state. It must be
//     pure: same bytes, same verdict, on every replica and every release
//     that knows the op.
//   - apply reads and stages writes through a tx. It returns a command
//     error (ErrBucketExists...) or nil; staged writes of a command that
//     returns an error are discarded, so an applier may fail at any point.
//     It must be deterministic: no clock, no randomness, no map-order
//     dependence, no I/O besides the tx.
type opSpec struct {
	check func(raw json.RawMessage) (any, error)
	apply func(t *tx, args any) error
}

// opTable maps every op to its spec. Adding a command is adding a line here
// and a file with its args, validation and applier.
//
// Read-only after package initialisation: it is a table of functions, not
// state.
var opTable = map[Op]opSpec{
	OpCreateBucket:        spec(checkCreateBucket, applyCreateBucket),
	OpDeleteBucket:        spec(checkDeleteBucket, applyDeleteBucket),
	OpPutBucketVersioning: spec(checkPutBucketVersioning, applyPutBucketVersioning),
	OpSetBucketConfig:     spec(checkSetBucketConfig, applySetBucketConfig),

	// IAM (ops_iam_*.go).
	OpCreateUser:           spec(checkCreateUser, applyCreateUser),
	OpUpdateUser:           spec(checkUpdateUser, applyUpdateUser),
	OpDeleteUser:           spec(checkDeleteUser, applyDeleteUser),
	OpCreateAccessKey:      spec(checkCreateAccessKey, applyCreateAccessKey),
	OpUpdateAccessKey:      spec(checkUpdateAccessKey, applyUpdateAccessKey),
	OpDeleteAccessKey:      spec(checkDeleteAccessKey, applyDeleteAccessKey),
	OpCreateGroup:          spec(checkCreateGroup, applyCreateGroup),
	OpUpdateGroup:          spec(checkUpdateGroup, applyUpdateGroup),
	OpDeleteGroup:          spec(checkDeleteGroup, applyDeleteGroup),
	OpAddUserToGroup:       spec(checkMembership, applyAddUserToGroup),
	OpRemoveUserFromGroup:  spec(checkMembership, applyRemoveUserFromGroup),
	OpCreatePolicy:         spec(checkCreatePolicy, applyCreatePolicy),
	OpDeletePolicy:         spec(checkDeletePolicy, applyDeletePolicy),
	OpAttachPolicy:         spec(checkAttach, applyAttachPolicy),
	OpDetachPolicy:         spec(checkAttach, applyDetachPolicy),
	OpPutInlinePolicy:      spec(checkPutInlinePolicy, applyPutInlinePolicy),
	OpDeleteInlinePolicy:   spec(checkDeleteInlinePolicy, applyDeleteInlinePolicy),
	OpCreateRole:           spec(checkCreateRole, applyCreateRole),
	OpDeleteRole:           spec(checkDeleteRole, applyDeleteRole),
	OpCreateServiceAccount: spec(checkCreateServiceAccount, applyCreateServiceAccount),
	OpUpdateServiceAccount: spec(checkUpdateServiceAccount, applyUpdateServiceAccount),
	OpDeleteServiceAccount: spec(checkServiceAccountArgs, applyDeleteServiceAccount),
	OpRevokeSessions:       spec(checkRevokeSessions, applyRevokeSessions),
	OpPutSTSKey:            spec(checkPutSTSKey, applyPutSTSKey),
}

// spec builds an opSpec from a typed validator and applier: the args are
// decoded strictly into A, validated, then handed to apply.
func spec[A any](validate func(*A) error, apply func(*tx, *A) error) opSpec {
	return opSpec{
		check: func(raw json.RawMessage) (any, error) {
			a := new(A)
			if len(raw) == 0 {
				return nil, fmt.Errorf("%w: missing arguments", ErrInvalidCommand)
			}
			if len(raw) > maxCommandSize {
				return nil, fmt.Errorf("%w: arguments of %d bytes exceed %d", ErrInvalidCommand, len(raw), maxCommandSize)
			}
			if err := strictJSON(raw, a); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrInvalidCommand, err)
			}
			if err := validate(a); err != nil {
				return nil, err
			}
			return a, nil
		},
		apply: func(t *tx, args any) error { return apply(t, args.(*A)) },
	}
}

// run checks then applies cmd in t.
func (s opSpec) run(t *tx, raw json.RawMessage) error {
	args, err := s.check(raw)
	if err != nil {
		return err
	}
	return s.apply(t, args)
}
