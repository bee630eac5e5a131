package meta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Op names a command. The name is what the Raft log stores, so an op's
// name never changes once released; retire an op by leaving it in the
// table as a rejecting stub, never by reusing its name.
type Op string

// Ops of issue 2. IAM, ACL, policy and membership commands are new ops with
// their own file and one line in opTable (ops.go).
const (
	OpCreateBucket        Op = "CreateBucket"
	OpDeleteBucket        Op = "DeleteBucket"
	OpPutBucketVersioning Op = "PutBucketVersioning"
	OpSetBucketConfig     Op = "SetBucketConfig"
)

// Command is one change to the control-plane state: an op and its
// arguments as JSON. Build one with the typed constructors
// (CreateBucketCommand...) or NewCommand; the Raft layer carries its
// Marshal form.
type Command struct {
	Op   Op
	Args json.RawMessage
}

// commandVersion is the wire version of Marshal's output. A replica
// refuses commands of a version it does not know (deterministically: every
// replica of the same release gives the same verdict); a cluster upgrade
// must not propose a new version until every member understands it.
const commandVersion = 1

// maxCommandSize bounds an encoded command. Commands are small (the largest
// planned are IAM policy documents, capped by AWS at 20 KiB); the bound
// keeps one command's writes far below a badger transaction's limit
// (15% of the 8 MiB memtable).
const maxCommandSize = 256 << 10

type wireCommand struct {
	V    int             `json:"v"`
	Op   Op              `json:"op"`
	Args json.RawMessage `json:"args,omitempty"`
}

// NewCommand encodes args (a JSON-marshalable value) as op's arguments.
func NewCommand(op Op, args any) (Command, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return Command{}, fmt.Errorf("meta: encode %s args: %w", op, err)
	}
	return Command{Op: op, Args: raw}, nil
}

// Marshal returns the command's wire form: versioned JSON.
func (c Command) Marshal() ([]byte, error) {
	b, err := json.Marshal(wireCommand{V: commandVersion, Op: c.Op, Args: c.Args})
	if err != nil {
		return nil, fmt.Errorf("meta: encode command %s: %w", c.Op, err)
	}
	if len(b) > maxCommandSize {
		return nil, fmt.Errorf("%w: %s command of %d bytes exceeds %d", ErrInvalidCommand, c.Op, len(b), maxCommandSize)
	}
	return b, nil
}

// UnmarshalCommand decodes Marshal's output. It checks the envelope only;
// Validate checks the arguments.
func UnmarshalCommand(data []byte) (Command, error) {
	if len(data) > maxCommandSize {
		return Command{}, fmt.Errorf("%w: %d bytes exceeds %d", ErrInvalidCommand, len(data), maxCommandSize)
	}
	var w wireCommand
	if err := strictJSON(data, &w); err != nil {
		return Command{}, fmt.Errorf("%w: %v", ErrInvalidCommand, err)
	}
	if w.V != commandVersion {
		return Command{}, fmt.Errorf("%w: unknown command version %d", ErrInvalidCommand, w.V)
	}
	if w.Op == "" {
		return Command{}, fmt.Errorf("%w: missing op", ErrInvalidCommand)
	}
	return Command{Op: w.Op, Args: w.Args}, nil
}

// Validate checks the command without looking at any state: known op,
// well-formed arguments, valid values. Apply performs the same checks, so
// calling Validate first only saves a Raft round trip for bad input.
func (c Command) Validate() error {
	spec, ok := opTable[c.Op]
	if !ok {
		return fmt.Errorf("%w: unknown op %q", ErrInvalidCommand, c.Op)
	}
	_, err := spec.check(c.Args)
	return err
}

// strictJSON decodes exactly one JSON value and rejects unknown fields: a
// field this release does not know must not be silently dropped by one
// replica and honoured by another.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after JSON value")
	}
	return nil
}

// DeleteBucketArgs are the arguments of OpDeleteBucket.
type DeleteBucketArgs struct {
	Name string `json:"name"`
}

// SetBucketConfigArgs are the arguments of OpSetBucketConfig: Value
// replaces the configuration of Kind; Delete removes it.
type SetBucketConfigArgs struct {
	Bucket string `json:"bucket"`
	Kind   string `json:"kind"`
	Value  string `json:"value,omitempty"`
	Delete bool   `json:"delete,omitempty"`
}

// SetBucketConfigCommand stores (or, with value "" and del, removes) one
// configuration of a bucket.
func SetBucketConfigCommand(bucket, kind, value string, del bool) (Command, error) {
	return NewCommand(OpSetBucketConfig, SetBucketConfigArgs{Bucket: bucket, Kind: kind, Value: value, Delete: del})
}

// PutBucketVersioningArgs are the arguments of OpPutBucketVersioning.
type PutBucketVersioningArgs struct {
	Bucket string `json:"bucket"`
	// Status is "Enabled" or "Suspended".
	Status string `json:"status"`
}

// CreateBucketCommand returns the command creating b. The arguments are the
// Bucket itself. A zero Created is set to now here, on the proposer: apply
// must not read the clock, or replicas would disagree.
func CreateBucketCommand(b Bucket) (Command, error) {
	if b.Created.IsZero() {
		b.Created = time.Now().UTC()
	}
	return NewCommand(OpCreateBucket, b)
}

// DeleteBucketCommand returns the command deleting bucket name. Whether the
// bucket is empty is the data plane's question, asked before proposing.
func DeleteBucketCommand(name string) (Command, error) {
	return NewCommand(OpDeleteBucket, DeleteBucketArgs{Name: name})
}

// PutBucketVersioningCommand returns the command setting bucket's
// versioning status ("Enabled" or "Suspended").
func PutBucketVersioningCommand(bucket, status string) (Command, error) {
	return NewCommand(OpPutBucketVersioning, PutBucketVersioningArgs{Bucket: bucket, Status: status})
}
