package meta

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidateBucketName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"abc", true},
		{"my-bucket.2024", true},
		{"0-9", true},
		{strings.Repeat("a", 63), true},
		{"ab", false},
		{strings.Repeat("a", 64), false},
		{"", false},
		{"MyBucket", false},
		{"my_bucket", false},
		{"-abc", false},
		{"abc-", false},
		{".abc", false},
		{"abc.", false},
		{"a..b", false},
		{"192.168.5.4", false},
		{"192.168.5", true}, // not an address
		{"xn--abc", false},
		{"sthree-abc", false},
		{"amzn-s3-demo-abc", false},
		{"abc-s3alias", false},
		{"abc--ol-s3", false},
		{"abc.mrap", false},
		{"abc--x-s3", false},
		{"abc--table-s3", false},
		{"bücket", false},
		{"a b c", false},
	}
	for _, tc := range tests {
		err := ValidateBucketName(tc.name)
		if tc.ok && err != nil {
			t.Errorf("ValidateBucketName(%q) = %v, want nil", tc.name, err)
		}
		if !tc.ok && !errors.Is(err, ErrInvalidBucketName) {
			t.Errorf("ValidateBucketName(%q) = %v, want ErrInvalidBucketName", tc.name, err)
		}
	}
}

func TestCommandValidate(t *testing.T) {
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	tests := []struct {
		desc string
		cmd  Command
		want error // nil: valid
	}{
		{"create ok", Command{OpCreateBucket, raw(`{"name":"abc","created":"2025-01-02T03:04:05Z","owner":"o"}`)}, nil},
		{"create versioned ok", Command{OpCreateBucket, raw(`{"name":"abc","created":"2025-01-02T03:04:05Z","versioning":"Enabled"}`)}, nil},
		{"create suspended", Command{OpCreateBucket, raw(`{"name":"abc","created":"2025-01-02T03:04:05Z","versioning":"Suspended"}`)}, ErrInvalidArgument},
		{"create no time", Command{OpCreateBucket, raw(`{"name":"abc"}`)}, ErrInvalidArgument},
		{"create bad name", Command{OpCreateBucket, raw(`{"name":"A","created":"2025-01-02T03:04:05Z"}`)}, ErrInvalidBucketName},
		{"create unknown field", Command{OpCreateBucket, raw(`{"name":"abc","created":"2025-01-02T03:04:05Z","color":"red"}`)}, ErrInvalidCommand},
		{"create not json", Command{OpCreateBucket, raw(`{"name":`)}, ErrInvalidCommand},
		{"create trailing", Command{OpCreateBucket, raw(`{"name":"abc","created":"2025-01-02T03:04:05Z"} {}`)}, ErrInvalidCommand},
		{"create no args", Command{OpCreateBucket, nil}, ErrInvalidCommand},
		{"delete ok", Command{OpDeleteBucket, raw(`{"name":"abc"}`)}, nil},
		{"delete bad name", Command{OpDeleteBucket, raw(`{"name":"a"}`)}, ErrInvalidBucketName},
		{"delete wrong type", Command{OpDeleteBucket, raw(`{"name":3}`)}, ErrInvalidCommand},
		{"versioning enabled", Command{OpPutBucketVersioning, raw(`{"bucket":"abc","status":"Enabled"}`)}, nil},
		{"versioning suspended", Command{OpPutBucketVersioning, raw(`{"bucket":"abc","status":"Suspended"}`)}, nil},
		{"versioning empty", Command{OpPutBucketVersioning, raw(`{"bucket":"abc","status":""}`)}, ErrInvalidArgument},
		{"versioning lowercase", Command{OpPutBucketVersioning, raw(`{"bucket":"abc","status":"enabled"}`)}, ErrInvalidArgument},
		{"versioning bad bucket", Command{OpPutBucketVersioning, raw(`{"bucket":"..","status":"Enabled"}`)}, ErrInvalidBucketName},
		{"unknown op", Command{"Frobnicate", raw(`{}`)}, ErrInvalidCommand},
		{"huge args", Command{OpDeleteBucket, raw(`{"name":"` + strings.Repeat("a", maxCommandSize) + `"}`)}, ErrInvalidCommand},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			err := tc.cmd.Validate()
			if tc.want == nil && err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Validate() = %v, want %v", err, tc.want)
			}
		})
	}
	// The constructors produce valid commands.
	for _, mk := range []func() (Command, error){
		func() (Command, error) { return CreateBucketCommand(Bucket{Name: "abc", Created: created}) },
		func() (Command, error) { return CreateBucketCommand(Bucket{Name: "abc"}) }, // Created filled in
		func() (Command, error) { return DeleteBucketCommand("abc") },
		func() (Command, error) { return PutBucketVersioningCommand("abc", VersioningEnabled) },
	} {
		c, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", c.Op, err)
		}
	}
}

func TestCommandWire(t *testing.T) {
	c, err := PutBucketVersioningCommand("abc", VersioningSuspended)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"v":1`) {
		t.Errorf("wire form %s lacks its version", b)
	}
	got, err := UnmarshalCommand(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Op != c.Op || string(got.Args) != string(c.Args) {
		t.Errorf("round trip: got %+v, want %+v", got, c)
	}

	bad := []string{
		`{"v":2,"op":"DeleteBucket","args":{"name":"abc"}}`,
		`{"op":"DeleteBucket","args":{"name":"abc"}}`,
		`{"v":1,"args":{"name":"abc"}}`,
		`{"v":1,"op":"DeleteBucket","args":{"name":"abc"},"extra":1}`,
		`not json`,
		``,
	}
	for _, s := range bad {
		if _, err := UnmarshalCommand([]byte(s)); !errors.Is(err, ErrInvalidCommand) {
			t.Errorf("UnmarshalCommand(%q) = %v, want ErrInvalidCommand", s, err)
		}
	}
}
