package meta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// newService returns an IAMService over a fresh configured State, with the
// directProposer fake applying its commands.
func newService(t *testing.T, cfg IAMConfig, now func() time.Time) (*IAMService, *State, *directProposer) {
	t.Helper()
	s := openTest(t, t.TempDir())
	if err := s.SetIAMConfig(cfg); err != nil {
		t.Fatal(err)
	}
	p := &directProposer{s: s}
	return NewIAMService(s, p, now), s, p
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Fatalf("%s: %v, want %v", what, err, want)
	}
}

func userIdentity(t *testing.T, svc *IAMService, ak string) iam.Identity {
	t.Helper()
	cred, err := svc.Directory().LookupCredential(ak, "")
	if err != nil {
		t.Fatalf("lookup %s: %v", ak, err)
	}
	return cred.Identity
}

func TestIAMServiceUsersAndKeys(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newService(t, testIAMConfig(1), nil)

	u, err := svc.CreateUser(ctx, CreateUserInput{UserName: "alice", PosixUID: ptr(uint32(1001))})
	wantErr(t, "CreateUser", err, nil)
	if u.Name != "alice" || !strings.HasPrefix(u.ID, "AIDA") || u.Path != "/" || u.CanonicalID == "" ||
		u.SessionGeneration == 0 || u.PosixUID == nil || *u.PosixUID != 1001 || u.Created.IsZero() {
		t.Fatalf("CreateUser = %+v", u)
	}
	_, err = svc.CreateUser(ctx, CreateUserInput{UserName: "alice"})
	wantErr(t, "duplicate CreateUser", err, ErrEntityAlreadyExists)
	_, err = svc.CreateUser(ctx, CreateUserInput{UserName: "bad name"})
	wantErr(t, "CreateUser bad name", err, iam.ErrInvalidInput)

	k, err := svc.CreateAccessKey(ctx, CreateAccessKeyInput{UserName: "alice"})
	wantErr(t, "CreateAccessKey", err, nil)
	if len(k.ID) != 20 || !strings.HasPrefix(k.ID, "AKIA") || len(k.Secret) != 40 || k.Status != iam.StatusActive {
		t.Fatalf("generated key = %s (secret %d chars)", k.ID, len(k.Secret))
	}
	if cred, err := svc.Directory().LookupCredential(k.ID, ""); err != nil || cred.SecretKey != k.Secret {
		t.Fatalf("lookup generated key: %v", err)
	}

	keyTests := []struct {
		desc string
		in   CreateAccessKeyInput
		want error
	}{
		{"id without secret", CreateAccessKeyInput{UserName: "alice", AccessKeyID: "alice"}, iam.ErrInvalidInput},
		{"short secret", CreateAccessKeyInput{UserName: "alice", AccessKeyID: "alice", SecretAccessKey: "short"}, iam.ErrInvalidInput},
		{"short key", CreateAccessKeyInput{UserName: "alice", AccessKeyID: "al", SecretAccessKey: "password1"}, iam.ErrInvalidInput},
		{"root's key", CreateAccessKeyInput{UserName: "alice", AccessKeyID: "ROOTACCESSKEY", SecretAccessKey: "password1"}, ErrEntityAlreadyExists},
		{"taken key", CreateAccessKeyInput{UserName: "alice", AccessKeyID: k.ID, SecretAccessKey: "password1"}, ErrEntityAlreadyExists},
		{"no user", CreateAccessKeyInput{UserName: "nobody"}, ErrNoSuchEntity},
		{"weka form", CreateAccessKeyInput{UserName: "alice", AccessKeyID: "alice", SecretAccessKey: "password1"}, nil},
		{"third key", CreateAccessKeyInput{UserName: "alice"}, ErrLimitExceeded},
	}
	for _, tc := range keyTests {
		_, err := svc.CreateAccessKey(ctx, tc.in)
		wantErr(t, "CreateAccessKey "+tc.desc, err, tc.want)
	}
	if cred, err := svc.Directory().LookupCredential("alice", ""); err != nil || cred.SecretKey != "password1" || cred.Identity.Name != "alice" {
		t.Fatalf("WEKA-form key lookup: %+v %v", cred.Identity, err)
	}

	wantErr(t, "UpdateAccessKey bad status", svc.UpdateAccessKey(ctx, "alice", "alice", "Disabled"), iam.ErrInvalidInput)
	wantErr(t, "UpdateAccessKey", svc.UpdateAccessKey(ctx, "alice", "alice", iam.StatusInactive), nil)
	if _, err := svc.Directory().LookupCredential("alice", ""); err == nil {
		t.Fatal("inactive key works")
	}
	wantErr(t, "DeleteAccessKey other user's", svc.DeleteAccessKey(ctx, "bob", "alice"), ErrNoSuchEntity)

	u, err = svc.UpdateUser(ctx, UpdateUserInput{UserName: "alice", NewUserName: ptr("alicia"), AllowCreateBucket: ptr(true)})
	wantErr(t, "UpdateUser", err, nil)
	if u.Name != "alicia" || !u.AllowCreateBucket {
		t.Fatalf("UpdateUser = %+v", u)
	}
	gen := u.SessionGeneration
	u, err = svc.UpdateUser(ctx, UpdateUserInput{UserName: "alicia", Disabled: ptr(true)})
	wantErr(t, "disable", err, nil)
	if !u.Disabled || u.SessionGeneration != gen+1 {
		t.Fatalf("disabled user = %+v (generation was %d)", u, gen)
	}
	wantErr(t, "DeleteUser with keys", svc.DeleteUser(ctx, "alicia", false), ErrDeleteConflict)
	wantErr(t, "DeleteAccessKey", svc.DeleteAccessKey(ctx, "alicia", "alice"), nil)
	wantErr(t, "DeleteUser force", svc.DeleteUser(ctx, "alicia", true), nil)
	if _, ok := svc.Directory().User("alicia"); ok {
		t.Fatal("deleted user still listed")
	}
	wantErr(t, "RevokeSessions missing", svc.RevokeSessions(ctx, userRef("alicia")), ErrNoSuchEntity)
}

func TestIAMServicePoliciesGroupsRoles(t *testing.T) {
	ctx := context.Background()
	cfg := testIAMConfig(1)
	cfg.Limits = iam.Limits{ManagedPolicy: 200, InlineUserPolicy: 200}
	svc, _, _ := newService(t, cfg, nil)
	if _, err := svc.CreateUser(ctx, CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}

	p, err := svc.CreatePolicy(ctx, CreatePolicyInput{PolicyName: "getter", PolicyDocument: docGetObject, Description: "reads"})
	wantErr(t, "CreatePolicy", err, nil)
	if !strings.HasPrefix(p.ID, "ANPA") || p.Document != docGetObject || p.Path != "/" {
		t.Fatalf("CreatePolicy = %+v", p)
	}
	big := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("x", 200) + `","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	_, err = svc.CreatePolicy(ctx, CreatePolicyInput{PolicyName: "big", PolicyDocument: big})
	wantErr(t, "CreatePolicy over the configured limit", err, iam.ErrPolicyTooLarge)
	_, err = svc.CreatePolicy(ctx, CreatePolicyInput{PolicyName: "bad", PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Nope","Resource":"*"}]}`})
	wantErr(t, "CreatePolicy malformed", err, iam.ErrMalformedPolicy)
	if _, ok := svc.Directory().Policy("bad"); ok {
		t.Fatal("malformed policy stored")
	}
	for _, b := range iam.BuiltinPolicies() {
		_, err = svc.CreatePolicy(ctx, CreatePolicyInput{PolicyName: b.Name, PolicyDocument: docGetObject})
		wantErr(t, "CreatePolicy "+b.Name, err, ErrEntityAlreadyExists)
		wantErr(t, "DeletePolicy "+b.Name, svc.DeletePolicy(ctx, b.Name), ErrAccessDenied)
	}

	wantErr(t, "AttachPolicy", svc.AttachPolicy(ctx, userRef("alice"), "getter"), nil)
	wantErr(t, "AttachPolicy missing", svc.AttachPolicy(ctx, userRef("alice"), "nope"), ErrNoSuchEntity)
	wantErr(t, "DeletePolicy attached", svc.DeletePolicy(ctx, "getter"), ErrDeleteConflict)
	wantErr(t, "DetachPolicy", svc.DetachPolicy(ctx, userRef("alice"), "getter"), nil)
	wantErr(t, "DeletePolicy", svc.DeletePolicy(ctx, "getter"), nil)

	// Inline policies: the configured limit is for all of an entity's
	// inline policies together (docGetObject and docPutObject are ~110
	// characters each against a limit of 200).
	wantErr(t, "PutInlinePolicy", svc.PutInlinePolicy(ctx, userRef("alice"), "a", docGetObject), nil)
	wantErr(t, "PutInlinePolicy replace", svc.PutInlinePolicy(ctx, userRef("alice"), "a", docPutObject), nil)
	wantErr(t, "PutInlinePolicy aggregate", svc.PutInlinePolicy(ctx, userRef("alice"), "b", docGetObject), iam.ErrPolicyTooLarge)
	wantErr(t, "PutInlinePolicy no user", svc.PutInlinePolicy(ctx, userRef("bob"), "a", docGetObject), ErrNoSuchEntity)
	if u, _ := svc.Directory().User("alice"); len(u.InlinePolicies) != 1 || u.InlinePolicies["a"] != docPutObject {
		t.Fatalf("inline policies = %v", u.InlinePolicies)
	}
	wantErr(t, "DeleteInlinePolicy", svc.DeleteInlinePolicy(ctx, userRef("alice"), "a"), nil)
	wantErr(t, "DeleteInlinePolicy again", svc.DeleteInlinePolicy(ctx, userRef("alice"), "a"), ErrNoSuchEntity)

	g, err := svc.CreateGroup(ctx, "devs", "/team/")
	wantErr(t, "CreateGroup", err, nil)
	if !strings.HasPrefix(g.ID, "AGPA") || g.Path != "/team/" {
		t.Fatalf("CreateGroup = %+v", g)
	}
	wantErr(t, "AddUserToGroup", svc.AddUserToGroup(ctx, "devs", "alice"), nil)
	if gs := svc.Directory().GroupsForUser("alice"); len(gs) != 1 || gs[0].Name != "devs" {
		t.Fatalf("GroupsForUser = %v", gs)
	}
	g, err = svc.UpdateGroup(ctx, UpdateGroupInput{GroupName: "devs", Disabled: ptr(true), NewGroupName: ptr("ops")})
	wantErr(t, "UpdateGroup", err, nil)
	if g.Name != "ops" || !g.Disabled {
		t.Fatalf("UpdateGroup = %+v", g)
	}
	wantErr(t, "DeleteGroup with members", svc.DeleteGroup(ctx, "ops", false), ErrDeleteConflict)
	wantErr(t, "RemoveUserFromGroup", svc.RemoveUserFromGroup(ctx, "ops", "alice"), nil)
	wantErr(t, "DeleteGroup", svc.DeleteGroup(ctx, "ops", false), nil)

	r, err := svc.CreateRole(ctx, CreateRoleInput{RoleName: "deployer", AssumeRolePolicyDocument: docTrustAll})
	wantErr(t, "CreateRole", err, nil)
	if !strings.HasPrefix(r.ID, "AROA") || r.MaxSessionDuration != 3600 || r.SessionGeneration == 0 {
		t.Fatalf("CreateRole = %+v", r)
	}
	_, err = svc.CreateRole(ctx, CreateRoleInput{RoleName: "r2", AssumeRolePolicyDocument: docTrustAll, MaxSessionDuration: 50000})
	wantErr(t, "CreateRole long session", err, iam.ErrInvalidInput)
	_, err = svc.CreateRole(ctx, CreateRoleInput{RoleName: "r3"})
	wantErr(t, "CreateRole without trust policy", err, iam.ErrInvalidInput)
	wantErr(t, "PutInlinePolicy role", svc.PutInlinePolicy(ctx, roleRef("deployer"), "p", docAllS3), nil)
	wantErr(t, "DeleteRole with policy", svc.DeleteRole(ctx, "deployer"), ErrDeleteConflict)
	wantErr(t, "DeleteInlinePolicy role", svc.DeleteInlinePolicy(ctx, roleRef("deployer"), "p"), nil)
	wantErr(t, "DeleteRole", svc.DeleteRole(ctx, "deployer"), nil)
}

func TestIAMServiceAccounts(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	svc, _, _ := newService(t, testIAMConfig(1), func() time.Time { return now })
	for _, n := range []string{"alice", "bob"} {
		if _, err := svc.CreateUser(ctx, CreateUserInput{UserName: n}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateAccessKey(ctx, CreateAccessKeyInput{UserName: n, AccessKeyID: "key-" + n, SecretAccessKey: "secret-" + n}); err != nil {
			t.Fatal(err)
		}
	}
	alice, bob := userIdentity(t, svc, "key-alice"), userIdentity(t, svc, "key-bob")
	root := userIdentity(t, svc, "ROOTACCESSKEY")

	_, err := svc.CreateServiceAccount(ctx, root, CreateServiceAccountInput{Name: "x"})
	wantErr(t, "root creates", err, ErrAccessDenied)
	_, err = svc.ListServiceAccounts(ctx, root)
	wantErr(t, "root lists", err, ErrAccessDenied)
	_, err = svc.CreateServiceAccount(ctx, alice, CreateServiceAccountInput{Expiration: now.Add(-time.Minute)})
	wantErr(t, "expired at birth", err, iam.ErrInvalidInput)
	_, err = svc.CreateServiceAccount(ctx, alice, CreateServiceAccountInput{Policy: `{"Statement":[]`})
	wantErr(t, "bad policy", err, iam.ErrMalformedPolicy)

	sa, err := svc.CreateServiceAccount(ctx, alice, CreateServiceAccountInput{Name: "ci", Description: "builds", Policy: docGetObject})
	wantErr(t, "CreateServiceAccount", err, nil)
	if sa.Parent != "alice" || sa.Secret == "" || sa.Policy != docGetObject || sa.Status != iam.StatusActive {
		t.Fatalf("CreateServiceAccount = %+v", sa)
	}
	if cred, err := svc.Directory().LookupCredential(sa.AccessKey, ""); err != nil || cred.SecretKey != sa.Secret {
		t.Fatalf("service account lookup: %v", err)
	}
	saID := userIdentity(t, svc, sa.AccessKey)
	_, err = svc.CreateServiceAccount(ctx, saID, CreateServiceAccountInput{})
	wantErr(t, "service account creates", err, ErrAccessDenied)

	list, err := svc.ListServiceAccounts(ctx, alice)
	if err != nil || len(list) != 1 || list[0].AccessKey != sa.AccessKey || list[0].Secret != "" {
		t.Fatalf("ListServiceAccounts = %+v, %v", list, err)
	}
	if list, _ := svc.ListServiceAccounts(ctx, bob); len(list) != 0 {
		t.Fatalf("bob sees %v", list)
	}
	got, err := svc.GetServiceAccount(ctx, alice, sa.AccessKey)
	if err != nil || got.Secret != "" || got.Name != "ci" {
		t.Fatalf("GetServiceAccount = %+v, %v", got, err)
	}
	_, err = svc.GetServiceAccount(ctx, bob, sa.AccessKey)
	wantErr(t, "bob gets alice's", err, ErrNoSuchEntity)
	wantErr(t, "bob updates alice's", svc.UpdateServiceAccount(ctx, bob, UpdateServiceAccountInput{AccessKeyID: sa.AccessKey, Status: ptr(iam.StatusInactive)}), ErrNoSuchEntity)
	wantErr(t, "bob deletes alice's", svc.DeleteServiceAccount(ctx, bob, sa.AccessKey), ErrNoSuchEntity)
	wantErr(t, "root deletes alice's", svc.DeleteServiceAccount(ctx, root, sa.AccessKey), ErrAccessDenied)

	exp := now.Add(time.Hour)
	wantErr(t, "UpdateServiceAccount", svc.UpdateServiceAccount(ctx, alice, UpdateServiceAccountInput{
		AccessKeyID: sa.AccessKey, Policy: ptr(""), Description: ptr("nightly"), Expiration: &exp}), nil)
	got, _ = svc.GetServiceAccount(ctx, alice, sa.AccessKey)
	if got.Policy != "" || got.Description != "nightly" || !got.Expiration.Equal(exp.UTC().Truncate(0)) {
		t.Fatalf("updated = %+v", got)
	}
	wantErr(t, "UpdateServiceAccount past expiry", svc.UpdateServiceAccount(ctx, alice, UpdateServiceAccountInput{
		AccessKeyID: sa.AccessKey, Expiration: ptr(now.Add(-time.Hour))}), iam.ErrInvalidInput)
	wantErr(t, "UpdateServiceAccount status", svc.UpdateServiceAccount(ctx, alice, UpdateServiceAccountInput{
		AccessKeyID: sa.AccessKey, Status: ptr(iam.StatusInactive)}), nil)
	if _, err := svc.Directory().LookupCredential(sa.AccessKey, ""); err == nil {
		t.Fatal("inactive service account works")
	}
	wantErr(t, "DeleteServiceAccount", svc.DeleteServiceAccount(ctx, alice, sa.AccessKey), nil)
	_, err = svc.GetServiceAccount(ctx, alice, sa.AccessKey)
	wantErr(t, "get deleted", err, ErrNoSuchEntity)
}

func TestIAMServiceSTS(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	svc, s, p := newService(t, testIAMConfig(1), func() time.Time { return clock() })

	_, err := svc.GetSessionToken(ctx, iam.Identity{Kind: iam.KindUser, Name: "alice"}, 0)
	wantErr(t, "GetSessionToken before any STS key", err, ErrNoSuchEntity)
	wantErr(t, "EnsureSTSKey", svc.EnsureSTSKey(ctx), nil)
	n := len(p.wires)
	wantErr(t, "EnsureSTSKey again", svc.EnsureSTSKey(ctx), nil)
	if len(p.wires) != n {
		t.Fatal("EnsureSTSKey proposed a second key")
	}
	if _, ok := s.Directory().STSKey(); !ok {
		t.Fatal("no STS key after EnsureSTSKey")
	}
	keys := func() []iam.STSKey { k, _ := s.Directory().STSKey(); return []iam.STSKey{k} }

	if _, err := svc.CreateUser(ctx, CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateAccessKey(ctx, CreateAccessKeyInput{UserName: "alice", AccessKeyID: "key-alice", SecretAccessKey: "secret-alice"}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "AttachPolicy", svc.AttachPolicy(ctx, userRef("alice"), firstBuiltin(t)), nil)
	alice := userIdentity(t, svc, "key-alice")
	root := userIdentity(t, svc, "ROOTACCESSKEY")

	// GetSessionToken round trip.
	creds, err := svc.GetSessionToken(ctx, alice, 0)
	wantErr(t, "GetSessionToken", err, nil)
	if !creds.Expiration.Equal(now.UTC().Add(defaultSessionTokenDuration).Truncate(time.Second)) || !strings.HasPrefix(creds.AccessKeyID, "ASIA") {
		t.Fatalf("GetSessionToken = %+v", creds)
	}
	claims, err := iam.OpenSession(keys(), creds.SessionToken)
	if err != nil {
		t.Fatalf("OpenSession: %v", err)
	}
	u, _ := s.Directory().User("alice")
	if claims.ParentUser != "alice" || claims.RoleName != "" || claims.Generation != u.SessionGeneration ||
		claims.AccessKey != creds.AccessKeyID || claims.Secret != creds.SecretAccessKey {
		t.Fatalf("claims = %+v", claims)
	}
	cred, err := s.Directory().LookupCredential(creds.AccessKeyID, creds.SessionToken)
	if err != nil || cred.Identity.Kind != iam.KindSession || cred.SecretKey != creds.SecretAccessKey {
		t.Fatalf("session lookup = %+v, %v", cred.Identity, err)
	}
	session := cred.Identity
	_, err = svc.GetSessionToken(ctx, session, 0)
	wantErr(t, "GetSessionToken as a session", err, ErrAccessDenied)
	_, err = svc.GetSessionToken(ctx, root, 0)
	wantErr(t, "GetSessionToken as root", err, ErrAccessDenied)
	_, err = svc.GetSessionToken(ctx, alice, 200*time.Second)
	wantErr(t, "GetSessionToken too short", err, iam.ErrInvalidInput)

	// AssumeRole, self form, with a session policy.
	self, err := svc.AssumeRole(ctx, alice, AssumeRoleInput{RoleSessionName: "app-1", Policy: docGetObject, Duration: 900 * time.Second})
	wantErr(t, "AssumeRole self", err, nil)
	claims, err = iam.OpenSession(keys(), self.SessionToken)
	if err != nil || claims.ParentUser != "alice" || claims.Policy != docGetObject || claims.SessionName != "app-1" {
		t.Fatalf("self claims = %+v, %v", claims, err)
	}
	assumeTests := []struct {
		desc   string
		caller iam.Identity
		in     AssumeRoleInput
		want   error
	}{
		{"root self", root, AssumeRoleInput{RoleSessionName: "x1"}, ErrAccessDenied},
		{"session self", session, AssumeRoleInput{RoleSessionName: "x1"}, ErrAccessDenied},
		{"no session name", alice, AssumeRoleInput{}, iam.ErrInvalidInput},
		{"too long", alice, AssumeRoleInput{RoleSessionName: "x1", Duration: 43201 * time.Second}, iam.ErrInvalidInput},
		{"bad session policy", alice, AssumeRoleInput{RoleSessionName: "x1", Policy: `{"Statement":1}`}, iam.ErrMalformedPolicy},
		{"missing role", alice, AssumeRoleInput{RoleName: "nope", RoleSessionName: "x1"}, ErrNoSuchEntity},
	}
	for _, tc := range assumeTests {
		_, err := svc.AssumeRole(ctx, tc.caller, tc.in)
		wantErr(t, "AssumeRole "+tc.desc, err, tc.want)
	}

	// AssumeRole of a role.
	if _, err := svc.CreateRole(ctx, CreateRoleInput{RoleName: "deployer", AssumeRolePolicyDocument: docTrustAll, MaxSessionDuration: 7200}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.AssumeRole(ctx, alice, AssumeRoleInput{RoleName: "deployer", RoleSessionName: "d1", Duration: 7201 * time.Second})
	wantErr(t, "AssumeRole over the role's maximum", err, iam.ErrInvalidInput)
	rc, err := svc.AssumeRole(ctx, alice, AssumeRoleInput{RoleName: "deployer", RoleSessionName: "d1", Duration: 7200 * time.Second})
	wantErr(t, "AssumeRole role", err, nil)
	claims, err = iam.OpenSession(keys(), rc.SessionToken)
	r, _ := s.Directory().Role("deployer")
	if err != nil || claims.RoleName != "deployer" || claims.ParentUser != "" || claims.Generation != r.SessionGeneration {
		t.Fatalf("role claims = %+v, %v", claims, err)
	}
	if _, err := s.Directory().LookupCredential(rc.AccessKeyID, rc.SessionToken); err != nil {
		t.Fatalf("role session lookup: %v", err)
	}
	wantErr(t, "RevokeSessions role", svc.RevokeSessions(ctx, roleRef("deployer")), nil)
	if _, err := s.Directory().LookupCredential(rc.AccessKeyID, rc.SessionToken); !errors.Is(err, iam.ErrInvalidToken) {
		t.Fatalf("revoked role session lookup: %v, want ErrInvalidToken", err)
	}

	// Revoking the user kills its sessions; new ones work.
	wantErr(t, "RevokeSessions", svc.RevokeSessions(ctx, userRef("alice")), nil)
	for _, c := range []STSCredentials{creds, self} {
		if _, err := s.Directory().LookupCredential(c.AccessKeyID, c.SessionToken); !errors.Is(err, iam.ErrInvalidToken) {
			t.Fatalf("revoked session lookup: %v, want ErrInvalidToken", err)
		}
	}
	fresh, err := svc.GetSessionToken(ctx, alice, time.Hour)
	wantErr(t, "GetSessionToken after revoke", err, nil)
	if _, err := s.Directory().LookupCredential(fresh.AccessKeyID, fresh.SessionToken); err != nil {
		t.Fatalf("fresh session lookup: %v", err)
	}

	// A user deleted and re-created under the same name does not inherit
	// the old user's sessions, even when neither was ever revoked.
	if _, err := svc.CreateUser(ctx, CreateUserInput{UserName: "dave"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateAccessKey(ctx, CreateAccessKeyInput{UserName: "dave", AccessKeyID: "key-dave", SecretAccessKey: "secret-dave"}); err != nil {
		t.Fatal(err)
	}
	daves, err := svc.GetSessionToken(ctx, userIdentity(t, svc, "key-dave"), time.Hour)
	wantErr(t, "GetSessionToken dave", err, nil)
	wantErr(t, "DeleteUser", svc.DeleteUser(ctx, "dave", true), nil)
	if _, err := s.Directory().LookupCredential(daves.AccessKeyID, daves.SessionToken); err == nil {
		t.Fatal("a session of a deleted user works")
	}
	if _, err := svc.CreateUser(ctx, CreateUserInput{UserName: "dave"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Directory().LookupCredential(daves.AccessKeyID, daves.SessionToken); err == nil {
		t.Fatal("a session of a deleted user works for its namesake")
	}
	wantErr(t, "DeleteUser", svc.DeleteUser(ctx, "alice", true), nil)
	if _, err := svc.CreateUser(ctx, CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}

	// Expired tokens: issued an hour ago for 15 minutes.
	if _, err := svc.CreateAccessKey(ctx, CreateAccessKeyInput{UserName: "alice", AccessKeyID: "key-alice", SecretAccessKey: "secret-alice"}); err != nil {
		t.Fatal(err)
	}
	alice = userIdentity(t, svc, "key-alice")
	clock = func() time.Time { return now.Add(-time.Hour) }
	old, err := svc.GetSessionToken(ctx, alice, 900*time.Second)
	wantErr(t, "GetSessionToken in the past", err, nil)
	if _, err := s.Directory().LookupCredential(old.AccessKeyID, old.SessionToken); !errors.Is(err, iam.ErrExpiredToken) {
		t.Fatalf("expired session lookup: %v, want ErrExpiredToken", err)
	}
}

// TestIAMServiceAccountSessions: a service account's self-form session
// carries its policy, and cannot swap it for another.
func TestIAMServiceAccountSessions(t *testing.T) {
	ctx := context.Background()
	svc, s, _ := newService(t, testIAMConfig(1), nil)
	wantErr(t, "EnsureSTSKey", svc.EnsureSTSKey(ctx), nil)
	if _, err := svc.CreateUser(ctx, CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateAccessKey(ctx, CreateAccessKeyInput{UserName: "alice", AccessKeyID: "key-alice", SecretAccessKey: "secret-alice"}); err != nil {
		t.Fatal(err)
	}
	sa, err := svc.CreateServiceAccount(ctx, userIdentity(t, svc, "key-alice"), CreateServiceAccountInput{Policy: docGetObject})
	if err != nil {
		t.Fatal(err)
	}
	caller := userIdentity(t, svc, sa.AccessKey)
	k, _ := s.Directory().STSKey()
	for _, in := range []AssumeRoleInput{{RoleSessionName: "s1"}, {RoleSessionName: "s1", Policy: docGetObject}} {
		c, err := svc.AssumeRole(ctx, caller, in)
		wantErr(t, "service account AssumeRole self", err, nil)
		claims, err := iam.OpenSession([]iam.STSKey{k}, c.SessionToken)
		if err != nil || claims.ParentUser != "alice" || claims.Policy != docGetObject {
			t.Fatalf("claims = %+v, %v", claims, err)
		}
	}
	_, err = svc.AssumeRole(ctx, caller, AssumeRoleInput{RoleSessionName: "s1", Policy: docAllS3})
	wantErr(t, "service account widening its session", err, ErrAccessDenied)
	c, err := svc.GetSessionToken(ctx, caller, 0)
	wantErr(t, "service account GetSessionToken", err, nil)
	if claims, err := iam.OpenSession([]iam.STSKey{k}, c.SessionToken); err != nil || claims.Policy != docGetObject {
		t.Fatalf("claims = %+v, %v", claims, err)
	}
}

func firstBuiltin(t *testing.T) string {
	t.Helper()
	b := iam.BuiltinPolicies()
	if len(b) == 0 {
		t.Fatal("no builtin policies")
	}
	return b[0].Name
}

// TestNoPlaintextSecretsAtRest checks that no secret reaches the Raft log
// (the encoded commands) or the badger files, nor a snapshot stream.
func TestNoPlaintextSecretsAtRest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenState(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetIAMConfig(testIAMConfig(1)); err != nil {
		t.Fatal(err)
	}
	p := &directProposer{s: s}
	svc := NewIAMService(s, p, nil)
	if err := svc.EnsureSTSKey(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	weka := "WekaPassword-Plaintext-0042"
	if _, err := svc.CreateAccessKey(ctx, CreateAccessKeyInput{UserName: "alice", AccessKeyID: "alice", SecretAccessKey: weka}); err != nil {
		t.Fatal(err)
	}
	gen, err := svc.CreateAccessKey(ctx, CreateAccessKeyInput{UserName: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	sa, err := svc.CreateServiceAccount(ctx, userIdentity(t, svc, "alice"), CreateServiceAccountInput{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	stsKey, _ := s.Directory().STSKey()
	secrets := map[string][]byte{
		"WEKA password":          []byte(weka),
		"generated secret":       []byte(gen.Secret),
		"service account secret": []byte(sa.Secret),
		"STS key":                stsKey.Key,
	}
	for name, sec := range secrets {
		if len(sec) < 8 {
			t.Fatalf("%s is only %d bytes", name, len(sec))
		}
	}

	var snap bytes.Buffer
	if err := s.WriteSnapshot(&snap); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	blobs := map[string][]byte{"snapshot": snap.Bytes()}
	for i, w := range p.wires {
		blobs[fmt.Sprintf("command %d", i)] = w
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		blobs[path] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var sawSealed bool
	for where, blob := range blobs {
		for name, sec := range secrets {
			if bytes.Contains(blob, sec) {
				t.Errorf("%s holds the plaintext %s", where, name)
			}
		}
		sawSealed = sawSealed || bytes.Contains(blob, []byte("sealedSecret"))
	}
	if !sawSealed {
		t.Error("no sealed secret found anywhere: the scan looked at the wrong files")
	}
}
