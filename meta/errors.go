package meta

import "errors"

// Errors of control-plane commands besides those in bucket.go. A command
// error is a deterministic verdict on the command: every replica reaches
// the same one, and the state is unchanged by the rejected command.
var (
	// ErrInvalidBucketName rejects a name that breaks the S3 naming rules.
	ErrInvalidBucketName = errors.New("meta: invalid bucket name")
	// ErrInvalidArgument rejects a well-formed command with a bad value
	// (an unknown versioning status, a missing creation time...).
	ErrInvalidArgument = errors.New("meta: invalid argument")
	// ErrInvalidCommand rejects a command that cannot be decoded: unknown
	// op or version, malformed payload.
	ErrInvalidCommand = errors.New("meta: invalid command")
)

// Errors of the state itself, not of a command.
var (
	// ErrStateFailed is returned by every Apply after a storage failure
	// left the DB behind the commands applied so far. The process must
	// restart; Raft then replays the log from the last durable index.
	ErrStateFailed = errors.New("meta: state failed; restart required")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("meta: state closed")
)
