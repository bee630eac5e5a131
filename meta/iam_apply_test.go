package meta

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// step is one command and its expected verdict.
type step struct {
	op   Op
	args any
	want error
}

// TestIAMApplySequences runs command sequences and checks verdicts and the
// resulting records.
func TestIAMApplySequences(t *testing.T) {
	type seq struct {
		desc  string
		steps func(f *fixture) []step
		check func(t *testing.T, v *iamView)
	}
	tests := []seq{
		{
			desc: "users: create, duplicate, update, disable bumps generation once",
			steps: func(f *fixture) []step {
				return []step{
					{OpCreateUser, mkUser("alice"), nil},
					{OpCreateUser, mkUser("alice"), ErrEntityAlreadyExists},
					{OpUpdateUser, updateUserArgs{UserName: "bob"}, ErrNoSuchEntity},
					{OpUpdateUser, updateUserArgs{UserName: "alice", Disabled: ptr(true), PosixUID: ptr(uint32(1000)), AllowCreateBucket: ptr(true)}, nil},
					{OpUpdateUser, updateUserArgs{UserName: "alice", Disabled: ptr(true)}, nil},
					{OpUpdateUser, updateUserArgs{UserName: "alice", Disabled: ptr(false), DisplayName: ptr("Alice")}, nil},
				}
			},
			check: func(t *testing.T, v *iamView) {
				u := v.users["alice"]
				if u.Disabled || u.SessionGeneration != 8 || u.PosixUID == nil || *u.PosixUID != 1000 || !u.AllowCreateBucket || u.DisplayName != "Alice" {
					t.Errorf("alice = %+v", u)
				}
			},
		},
		{
			desc: "access keys: user must exist, two per user, unique across keys and service accounts",
			steps: func(f *fixture) []step {
				return []step{
					{OpCreateAccessKey, f.keyRecord("alice", "AKIA1", "secret-one"), ErrNoSuchEntity},
					{OpCreateUser, mkUser("alice"), nil},
					{OpCreateUser, mkUser("bob"), nil},
					{OpCreateAccessKey, f.keyRecord("alice", "AKIA1", "secret-one"), nil},
					{OpCreateAccessKey, f.keyRecord("bob", "AKIA1", "secret-one"), ErrEntityAlreadyExists},
					{OpCreateAccessKey, f.keyRecord("alice", "AKIA2", "secret-two"), nil},
					{OpCreateAccessKey, f.keyRecord("alice", "AKIA3", "secret-three"), ErrLimitExceeded},
					{OpCreateServiceAccount, f.accountRecord("bob", "AKIA2", "secret-sa", ""), ErrEntityAlreadyExists},
					{OpCreateServiceAccount, f.accountRecord("bob", "SA1", "secret-sa", ""), nil},
					{OpCreateAccessKey, f.keyRecord("bob", "SA1", "secret-one"), ErrEntityAlreadyExists},
					{OpUpdateAccessKey, accessKeyArgs{UserName: "bob", AccessKeyID: "AKIA1", Status: iam.StatusInactive}, ErrNoSuchEntity},
					{OpUpdateAccessKey, accessKeyArgs{UserName: "alice", AccessKeyID: "AKIA1", Status: iam.StatusInactive}, nil},
					{OpDeleteAccessKey, accessKeyArgs{UserName: "alice", AccessKeyID: "AKIA2"}, nil},
					{OpDeleteAccessKey, accessKeyArgs{UserName: "alice", AccessKeyID: "AKIA2"}, ErrNoSuchEntity},
				}
			},
			check: func(t *testing.T, v *iamView) {
				if len(v.keys) != 1 || v.keys["AKIA1"].Status != iam.StatusInactive {
					t.Errorf("keys = %+v", v.keys)
				}
			},
		},
		{
			desc: "delete user: conflicts without force, cascades with force",
			steps: func(f *fixture) []step {
				return []step{
					{OpCreateUser, mkUser("alice"), nil},
					{OpCreateUser, mkUser("bob"), nil},
					{OpCreateGroup, mkGroup("devs"), nil},
					{OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "alice"}, nil},
					{OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "bob"}, nil},
					{OpCreateAccessKey, f.keyRecord("alice", "AKIA1", "secret-one"), nil},
					{OpCreateServiceAccount, f.accountRecord("alice", "SA1", "secret-sa", ""), nil},
					{OpPutInlinePolicy, inlinePolicyArgs{Target: userRef("alice"), PolicyName: "p", Document: docGetObject}, nil},
					{OpDeleteUser, deleteArgs{Name: "alice"}, ErrDeleteConflict},
					{OpDeleteUser, deleteArgs{Name: "alice", Force: true}, nil},
					{OpDeleteUser, deleteArgs{Name: "alice"}, ErrNoSuchEntity},
					{OpDeleteUser, deleteArgs{Name: "bob"}, ErrDeleteConflict}, // still in devs
				}
			},
			check: func(t *testing.T, v *iamView) {
				if _, ok := v.users["alice"]; ok || len(v.keys) != 0 || len(v.svcaccts) != 0 {
					t.Errorf("alice's records survive: users %v keys %v accounts %v", v.users, v.keys, v.svcaccts)
				}
				if m := v.groups["devs"].Members; !slices.Equal(m, []string{"bob"}) {
					t.Errorf("devs members = %v", m)
				}
			},
		},
		{
			desc: "rename user carries keys, service accounts and memberships",
			steps: func(f *fixture) []step {
				return []step{
					{OpCreateUser, mkUser("alice"), nil},
					{OpCreateUser, mkUser("carol"), nil},
					{OpCreateGroup, mkGroup("devs"), nil},
					{OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "alice"}, nil},
					{OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "carol"}, nil},
					{OpCreateAccessKey, f.keyRecord("alice", "AKIA1", "secret-one"), nil},
					{OpCreateServiceAccount, f.accountRecord("alice", "SA1", "secret-sa", ""), nil},
					{OpUpdateUser, updateUserArgs{UserName: "alice", NewUserName: ptr("carol")}, ErrEntityAlreadyExists},
					{OpUpdateUser, updateUserArgs{UserName: "alice", NewUserName: ptr("zed")}, nil},
				}
			},
			check: func(t *testing.T, v *iamView) {
				if _, ok := v.users["alice"]; ok {
					t.Error("alice still exists")
				}
				if u := v.users["zed"]; u.ID != "AIDAalice" {
					t.Errorf("zed = %+v", u)
				}
				if v.keys["AKIA1"].UserName != "zed" || v.svcaccts["SA1"].Parent != "zed" {
					t.Errorf("key %+v account %+v not moved", v.keys["AKIA1"], v.svcaccts["SA1"])
				}
				if m := v.groups["devs"].Members; !slices.Equal(m, []string{"carol", "zed"}) {
					t.Errorf("devs members = %v", m)
				}
			},
		},
		{
			desc: "groups: membership, disable, rename, delete conflicts",
			steps: func(f *fixture) []step {
				return []step{
					{OpCreateGroup, mkGroup("devs"), nil},
					{OpCreateGroup, mkGroup("devs"), ErrEntityAlreadyExists},
					{OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "alice"}, ErrNoSuchEntity},
					{OpCreateUser, mkUser("alice"), nil},
					{OpAddUserToGroup, membershipArgs{GroupName: "nope", UserName: "alice"}, ErrNoSuchEntity},
					{OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "alice"}, nil},
					{OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "alice"}, nil},
					{OpUpdateGroup, updateGroupArgs{GroupName: "devs", Disabled: ptr(true)}, nil},
					{OpDeleteGroup, deleteArgs{Name: "devs"}, ErrDeleteConflict},
					{OpRemoveUserFromGroup, membershipArgs{GroupName: "devs", UserName: "alice"}, nil},
					{OpRemoveUserFromGroup, membershipArgs{GroupName: "devs", UserName: "alice"}, ErrNoSuchEntity},
					{OpAttachPolicy, attachArgs{Target: groupRef("devs"), PolicyName: "getter"}, ErrNoSuchEntity},
					{OpCreatePolicy, mkPolicy("getter", docGetObject), nil},
					{OpAttachPolicy, attachArgs{Target: groupRef("devs"), PolicyName: "getter"}, nil},
					{OpDeleteGroup, deleteArgs{Name: "devs"}, ErrDeleteConflict},
					{OpUpdateGroup, updateGroupArgs{GroupName: "devs", NewGroupName: ptr("ops")}, nil},
					{OpDeleteGroup, deleteArgs{Name: "devs"}, ErrNoSuchEntity},
					{OpDeleteGroup, deleteArgs{Name: "ops", Force: true}, nil},
				}
			},
			check: func(t *testing.T, v *iamView) {
				if len(v.groups) != 0 {
					t.Errorf("groups = %v", v.groups)
				}
			},
		},
		{
			desc: "policies: attach, quota, delete conflict, detach, builtins",
			steps: func(f *fixture) []step {
				s := []step{
					{OpCreateUser, mkUser("alice"), nil},
					{OpCreateRole, mkRole("deployer"), nil},
					{OpCreatePolicy, mkPolicy("getter", docGetObject), nil},
					{OpCreatePolicy, mkPolicy("getter", docPutObject), ErrEntityAlreadyExists},
					{OpAttachPolicy, attachArgs{Target: userRef("alice"), PolicyName: "getter"}, nil},
					{OpAttachPolicy, attachArgs{Target: userRef("alice"), PolicyName: "getter"}, nil}, // idempotent
					{OpAttachPolicy, attachArgs{Target: roleRef("deployer"), PolicyName: "getter"}, nil},
					{OpAttachPolicy, attachArgs{Target: userRef("nobody"), PolicyName: "getter"}, ErrNoSuchEntity},
					{OpDeletePolicy, deleteArgs{Name: "getter"}, ErrDeleteConflict},
					{OpDetachPolicy, attachArgs{Target: userRef("alice"), PolicyName: "getter"}, nil},
					{OpDetachPolicy, attachArgs{Target: userRef("alice"), PolicyName: "getter"}, ErrNoSuchEntity},
					{OpDeleteRole, deleteArgs{Name: "deployer"}, ErrDeleteConflict},
					{OpDetachPolicy, attachArgs{Target: roleRef("deployer"), PolicyName: "getter"}, nil},
					{OpDeletePolicy, deleteArgs{Name: "getter"}, nil},
					{OpDeletePolicy, deleteArgs{Name: "getter"}, ErrNoSuchEntity},
					{OpDeleteRole, deleteArgs{Name: "deployer"}, nil},
				}
				for _, b := range iam.BuiltinPolicies() {
					s = append(s,
						step{OpCreatePolicy, mkPolicy(b.Name, docGetObject), ErrEntityAlreadyExists},
						step{OpDeletePolicy, deleteArgs{Name: b.Name}, ErrAccessDenied},
						step{OpAttachPolicy, attachArgs{Target: userRef("alice"), PolicyName: b.Name}, nil})
				}
				for i := range maxManagedPoliciesAttached + 1 {
					name := fmt.Sprintf("p%02d", i)
					s = append(s, step{OpCreatePolicy, mkPolicy(name, docGetObject), nil})
					var want error
					if len(iam.BuiltinPolicies())+i >= maxManagedPoliciesAttached {
						want = ErrLimitExceeded
					}
					s = append(s, step{OpAttachPolicy, attachArgs{Target: userRef("alice"), PolicyName: name}, want})
				}
				return s
			},
			check: func(t *testing.T, v *iamView) {
				if n := len(v.users["alice"].AttachedPolicies); n != maxManagedPoliciesAttached {
					t.Errorf("alice has %d attached policies, want %d", n, maxManagedPoliciesAttached)
				}
				if len(iam.BuiltinPolicies()) < 4 {
					t.Errorf("only %d builtin policies", len(iam.BuiltinPolicies()))
				}
			},
		},
		{
			desc: "inline policies",
			steps: func(f *fixture) []step {
				return []step{
					{OpPutInlinePolicy, inlinePolicyArgs{Target: groupRef("devs"), PolicyName: "p", Document: docGetObject}, ErrNoSuchEntity},
					{OpCreateGroup, mkGroup("devs"), nil},
					{OpPutInlinePolicy, inlinePolicyArgs{Target: groupRef("devs"), PolicyName: "p", Document: docGetObject}, nil},
					{OpPutInlinePolicy, inlinePolicyArgs{Target: groupRef("devs"), PolicyName: "p", Document: docPutObject}, nil},
					{OpPutInlinePolicy, inlinePolicyArgs{Target: groupRef("devs"), PolicyName: "q", Document: docAllS3}, nil},
					{OpDeleteInlinePolicy, inlinePolicyArgs{Target: groupRef("devs"), PolicyName: "q"}, nil},
					{OpDeleteInlinePolicy, inlinePolicyArgs{Target: groupRef("devs"), PolicyName: "q"}, ErrNoSuchEntity},
				}
			},
			check: func(t *testing.T, v *iamView) {
				if p := v.groups["devs"].InlinePolicies; len(p) != 1 || p["p"] != docPutObject {
					t.Errorf("inline = %v", p)
				}
			},
		},
		{
			desc: "service accounts: parent must exist and own them",
			steps: func(f *fixture) []step {
				return []step{
					{OpCreateServiceAccount, f.accountRecord("alice", "SA1", "secret-sa", ""), ErrNoSuchEntity},
					{OpCreateUser, mkUser("alice"), nil},
					{OpCreateUser, mkUser("bob"), nil},
					{OpCreateServiceAccount, f.accountRecord("alice", "SA1", "secret-sa", docGetObject), nil},
					{OpUpdateServiceAccount, updateServiceAccountArgs{Parent: "bob", AccessKey: "SA1", Status: ptr(iam.StatusInactive)}, ErrNoSuchEntity},
					{OpDeleteServiceAccount, serviceAccountArgs{Parent: "bob", AccessKey: "SA1"}, ErrNoSuchEntity},
					{OpUpdateServiceAccount, updateServiceAccountArgs{Parent: "alice", AccessKey: "SA1", Policy: ptr(""), Description: ptr("ci"),
						Expiration: ptr(testTime.Add(time.Hour))}, nil},
				}
			},
			check: func(t *testing.T, v *iamView) {
				sa := v.svcaccts["SA1"]
				if sa.Policy != "" || sa.Description != "ci" || !sa.Expiration.Equal(testTime.Add(time.Hour)) || sa.Status != iam.StatusActive {
					t.Errorf("SA1 = %+v", sa)
				}
			},
		},
		{
			desc: "revocation bumps generations; STS keys retire the oldest",
			steps: func(f *fixture) []step {
				s := []step{
					{OpRevokeSessions, userRef("alice"), ErrNoSuchEntity},
					{OpCreateUser, mkUser("alice"), nil},
					{OpCreateRole, mkRole("deployer"), nil},
					{OpRevokeSessions, userRef("alice"), nil},
					{OpRevokeSessions, roleRef("deployer"), nil},
					{OpRevokeSessions, roleRef("deployer"), nil},
					{OpPutSTSKey, f.stsKey("k0", testTime), nil},
					{OpPutSTSKey, f.stsKey("k0", testTime), ErrEntityAlreadyExists},
				}
				for i := 1; i <= maxSTSKeys; i++ {
					s = append(s, step{OpPutSTSKey, f.stsKey(fmt.Sprintf("k%d", i), testTime.Add(time.Duration(i)*time.Hour)), nil})
				}
				return s
			},
			check: func(t *testing.T, v *iamView) {
				if g := v.users["alice"].SessionGeneration; g != 8 {
					t.Errorf("alice generation %d, want 8", g)
				}
				if g := v.roles["deployer"].SessionGeneration; g != 5 {
					t.Errorf("deployer generation %d, want 5", g)
				}
				if _, ok := v.stsKeys["k0"]; ok || len(v.stsKeys) != maxSTSKeys {
					t.Errorf("STS keys %v: want k1..k%d", slices.Sorted(maps.Keys(v.stsKeys)), maxSTSKeys)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			f := newFixture(t)
			for i, st := range tc.steps(f) {
				err := f.apply(st.op, st.args)
				if st.want == nil && err != nil || st.want != nil && !errors.Is(err, st.want) {
					t.Fatalf("step %d %s: %v, want %v", i, st.op, err, st.want)
				}
			}
			tc.check(t, &f.s.mu.iam)
		})
	}
}

// TestServiceAccountQuota fills one parent to the limit.
func TestServiceAccountQuota(t *testing.T) {
	f := newFixture(t)
	f.must(OpCreateUser, mkUser("alice"))
	f.must(OpCreateUser, mkUser("bob"))
	for i := range maxServiceAccountsPerParent {
		f.must(OpCreateServiceAccount, f.accountRecord("alice", fmt.Sprintf("SA%03d", i), "secret-sa", ""))
	}
	if err := f.apply(OpCreateServiceAccount, f.accountRecord("alice", "SAXXX", "secret-sa", "")); !errors.Is(err, ErrLimitExceeded) {
		t.Fatalf("101st service account: %v, want ErrLimitExceeded", err)
	}
	// The quota is per parent.
	f.must(OpCreateServiceAccount, f.accountRecord("bob", "SABOB", "secret-sa", ""))
}

// TestIAMBatchSeesEarlierEntries applies dependent IAM commands in one
// batch: later entries see earlier ones, and a rejected one changes nothing.
func TestIAMBatchSeesEarlierEntries(t *testing.T) {
	f := newFixture(t)
	mk := func(op Op, args any) Command {
		c, err := NewCommand(op, args)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	entries := []Entry{
		{1, mk(OpCreateUser, mkUser("alice"))},
		{2, mk(OpCreateAccessKey, f.keyRecord("alice", "AKIA1", "secret-one"))},
		{3, mk(OpCreateGroup, mkGroup("devs"))},
		{4, mk(OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "alice"})},
		{5, mk(OpDeleteUser, deleteArgs{Name: "alice"})}, // conflict: rejected
		{6, mk(OpCreateAccessKey, f.keyRecord("alice", "AKIA2", "secret-two"))},
		{7, mk(OpCreateAccessKey, f.keyRecord("alice", "AKIA3", "secret-three"))},
	}
	errs := f.s.ApplyBatch(entries)
	want := []error{nil, nil, nil, nil, ErrDeleteConflict, nil, ErrLimitExceeded}
	for i := range errs {
		if want[i] == nil && errs[i] != nil || want[i] != nil && !errors.Is(errs[i], want[i]) {
			t.Errorf("entry %d: %v, want %v", i+1, errs[i], want[i])
		}
	}
	if v := &f.s.mu.iam; len(v.keys) != 2 || len(v.groups["devs"].Members) != 1 {
		t.Errorf("keys %v groups %v", v.keys, v.groups)
	}
}
