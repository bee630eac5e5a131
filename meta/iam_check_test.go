package meta

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// TestIAMCommandValidate checks the pure validation of every IAM op.
func TestIAMCommandValidate(t *testing.T) {
	f := newFixture(t)
	cmd := func(op Op, args any) Command {
		c, err := NewCommand(op, args)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	raw := func(op Op, s string) Command { return Command{Op: op, Args: json.RawMessage(s)} }
	with := func(u iam.User, fn func(*iam.User)) iam.User { fn(&u); return u }
	key := f.keyRecord("alice", "AKIAEXAMPLE", "secret-secret")
	plainKey := key
	plainKey.SealedSecret = []byte("plaintext-secret")
	shortKey := f.keyRecord("alice", "ab", "secret-secret")
	acct := f.accountRecord("alice", "CAIRNSAEXAMPLE", "secret-secret", "")
	badStatus := acct
	badStatus.Status = "active"
	badAcctPolicy := f.accountRecord("alice", "CAIRNSAEXAMPLE", "secret-secret", `{"Statement":[{"Effect":"Maybe"}]}`)
	stsKey := f.stsKey("k1", testTime)
	plainSTS := stsKey
	plainSTS.SealedKey = make([]byte, 40) // version byte 0: not sealed
	role := mkRole("deployer")
	shortRole := role
	shortRole.MaxSessionDuration = 100
	noTrust := role
	noTrust.TrustPolicy = ""
	builtin := mkPolicy("mine", docGetObject)
	builtin.Builtin = true

	tests := []struct {
		desc string
		cmd  Command
		want error // nil: valid
	}{
		{"create user", cmd(OpCreateUser, mkUser("alice")), nil},
		{"create user bad name", cmd(OpCreateUser, mkUser("has space")), iam.ErrInvalidInput},
		{"create user no id", cmd(OpCreateUser, with(mkUser("alice"), func(u *iam.User) { u.ID = "" })), iam.ErrInvalidInput},
		{"create user no time", cmd(OpCreateUser, with(mkUser("alice"), func(u *iam.User) { u.Created = time.Time{} })), iam.ErrInvalidInput},
		{"create user bad path", cmd(OpCreateUser, with(mkUser("alice"), func(u *iam.User) { u.Path = "team" })), iam.ErrInvalidInput},
		{"create user with policies", cmd(OpCreateUser, with(mkUser("alice"), func(u *iam.User) { u.AttachedPolicies = []string{"readonly"} })), iam.ErrInvalidInput},
		{"create user unknown field", raw(OpCreateUser, `{"name":"alice","color":"red"}`), ErrInvalidCommand},
		{"update user", cmd(OpUpdateUser, updateUserArgs{UserName: "alice", Disabled: ptr(true)}), nil},
		{"update user bad new name", cmd(OpUpdateUser, updateUserArgs{UserName: "alice", NewUserName: ptr("a b")}), iam.ErrInvalidInput},
		{"delete user", cmd(OpDeleteUser, deleteArgs{Name: "alice", Force: true}), nil},
		{"create key", cmd(OpCreateAccessKey, key), nil},
		{"create key plaintext secret", cmd(OpCreateAccessKey, plainKey), iam.ErrInvalidInput},
		{"create key short id", cmd(OpCreateAccessKey, shortKey), iam.ErrInvalidInput},
		{"update key", cmd(OpUpdateAccessKey, accessKeyArgs{UserName: "alice", AccessKeyID: "AKIAEXAMPLE", Status: iam.StatusInactive}), nil},
		{"update key bad status", cmd(OpUpdateAccessKey, accessKeyArgs{UserName: "alice", AccessKeyID: "AKIAEXAMPLE", Status: "off"}), iam.ErrInvalidInput},
		{"delete key with status", cmd(OpDeleteAccessKey, accessKeyArgs{UserName: "alice", AccessKeyID: "AKIAEXAMPLE", Status: "Active"}), iam.ErrInvalidInput},
		{"create group", cmd(OpCreateGroup, mkGroup("devs")), nil},
		{"create group with members", cmd(OpCreateGroup, iam.Group{Name: "devs", ID: "x", Created: testTime, Members: []string{"alice"}}), iam.ErrInvalidInput},
		{"update group", cmd(OpUpdateGroup, updateGroupArgs{GroupName: "devs", Disabled: ptr(true)}), nil},
		{"membership", cmd(OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "alice"}), nil},
		{"membership bad user", cmd(OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "a\tb"}), iam.ErrInvalidInput},
		{"create policy", cmd(OpCreatePolicy, mkPolicy("getter", docGetObject)), nil},
		{"create policy malformed", cmd(OpCreatePolicy, mkPolicy("bad", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Frobnicate","Resource":"*"}]}`)), iam.ErrMalformedPolicy},
		{"create policy not json", cmd(OpCreatePolicy, mkPolicy("bad", `{`)), iam.ErrMalformedPolicy},
		{"create policy huge", cmd(OpCreatePolicy, mkPolicy("big", `{"Version":"2012-10-17","Statement":[{"Sid":"`+strings.Repeat("a", maxPolicyChars)+`","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)), iam.ErrPolicyTooLarge},
		{"create policy builtin flag", cmd(OpCreatePolicy, builtin), iam.ErrInvalidInput},
		{"delete policy force", cmd(OpDeletePolicy, deleteArgs{Name: "getter", Force: true}), iam.ErrInvalidInput},
		{"attach", cmd(OpAttachPolicy, attachArgs{Target: groupRef("devs"), PolicyName: "readonly"}), nil},
		{"attach bad kind", cmd(OpAttachPolicy, attachArgs{Target: EntityRef{Kind: 9, Name: "x"}, PolicyName: "readonly"}), iam.ErrInvalidInput},
		{"put inline", cmd(OpPutInlinePolicy, inlinePolicyArgs{Target: userRef("alice"), PolicyName: "p", Document: docGetObject}), nil},
		{"put inline malformed", cmd(OpPutInlinePolicy, inlinePolicyArgs{Target: userRef("alice"), PolicyName: "p", Document: `{"Statement":"x"}`}), iam.ErrMalformedPolicy},
		{"delete inline with doc", cmd(OpDeleteInlinePolicy, inlinePolicyArgs{Target: userRef("alice"), PolicyName: "p", Document: docGetObject}), iam.ErrInvalidInput},
		{"create role", cmd(OpCreateRole, role), nil},
		{"create role short session", cmd(OpCreateRole, shortRole), iam.ErrInvalidInput},
		{"create role no trust", cmd(OpCreateRole, noTrust), iam.ErrInvalidInput},
		{"delete role force", cmd(OpDeleteRole, deleteArgs{Name: "deployer", Force: true}), iam.ErrInvalidInput},
		{"create account", cmd(OpCreateServiceAccount, acct), nil},
		{"create account bad status", cmd(OpCreateServiceAccount, badStatus), iam.ErrInvalidInput},
		{"create account bad policy", cmd(OpCreateServiceAccount, badAcctPolicy), iam.ErrMalformedPolicy},
		{"update account", cmd(OpUpdateServiceAccount, updateServiceAccountArgs{Parent: "alice", AccessKey: "CAIRNSAEXAMPLE", Policy: ptr("")}), nil},
		{"update account bad status", cmd(OpUpdateServiceAccount, updateServiceAccountArgs{Parent: "alice", AccessKey: "CAIRNSAEXAMPLE", Status: ptr("x")}), iam.ErrInvalidInput},
		{"delete account", cmd(OpDeleteServiceAccount, serviceAccountArgs{Parent: "alice", AccessKey: "CAIRNSAEXAMPLE"}), nil},
		{"revoke user", cmd(OpRevokeSessions, userRef("alice")), nil},
		{"revoke group", cmd(OpRevokeSessions, groupRef("devs")), iam.ErrInvalidInput},
		{"sts key", cmd(OpPutSTSKey, stsKey), nil},
		{"sts key plaintext", cmd(OpPutSTSKey, plainSTS), iam.ErrInvalidInput},
		{"sts key no id", cmd(OpPutSTSKey, stsKeyRecord{SealedKey: stsKey.SealedKey, Created: testTime}), iam.ErrInvalidInput},
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
}

func TestSecretBox(t *testing.T) {
	k1, k2 := testMasterKey(1), testMasterKey(2)
	b1, err := NewSecretBox(k1[:])
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := NewSecretBox(k2[:])
	if _, err := NewSecretBox(k1[:16]); err == nil {
		t.Error("NewSecretBox accepted a 16-byte key")
	}
	sealed, err := b1.Seal([]byte("s3cr3t-value"), "access-key/AK")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), "s3cr3t") {
		t.Fatal("sealed secret contains its plaintext")
	}
	again, _ := b1.Seal([]byte("s3cr3t-value"), "access-key/AK")
	if string(again) == string(sealed) {
		t.Error("two seals of one secret are identical (nonce reuse)")
	}
	pt, err := b1.Open(sealed, "access-key/AK")
	if err != nil || string(pt) != "s3cr3t-value" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	flippedVersion := append([]byte(nil), sealed...)
	flippedVersion[0] = 2
	tests := []struct {
		desc    string
		box     *SecretBox
		sealed  []byte
		context string
		want    error
	}{
		{"other context", b1, sealed, "access-key/OTHER", ErrSecretCorrupt},
		{"tampered", b1, tampered, "access-key/AK", ErrSecretCorrupt},
		{"other key", b2, sealed, "access-key/AK", ErrSecretKeyMismatch},
		{"unknown version", b1, flippedVersion, "access-key/AK", ErrSecretCorrupt},
		{"truncated", b1, sealed[:sealedMinLen-1], "access-key/AK", ErrSecretCorrupt},
		{"empty", b1, nil, "access-key/AK", ErrSecretCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			if _, err := tc.box.Open(tc.sealed, tc.context); !errors.Is(err, tc.want) {
				t.Fatalf("Open = %v, want %v", err, tc.want)
			}
		})
	}
}
