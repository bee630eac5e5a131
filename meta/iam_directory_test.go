package meta

import (
	"bytes"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/cairn-s3/cairn/iam"
)

// allowedAs looks ak up afresh (as every request does) and asks the
// current Directory whether it may do action on bucket/key.
func allowedAs(t *testing.T, s *State, ak, action, bucket, key string) bool {
	t.Helper()
	cred, err := s.Directory().LookupCredential(ak, "")
	if err != nil {
		return false
	}
	return s.Directory().Authorize(iam.Request{Identity: cred.Identity, Action: action, Bucket: bucket, Key: key}).Allowed
}

// TestDirectoryFollowsApply checks that every applied IAM change is visible
// in Directory() as soon as Apply returns.
func TestDirectoryFollowsApply(t *testing.T) {
	f := newFixture(t)
	s := f.s
	lookup := func(ak string) error {
		_, err := s.Directory().LookupCredential(ak, "")
		return err
	}
	if d := s.Directory(); d == nil || d.Account() != testAccount {
		t.Fatalf("Directory() = %v", d)
	}
	if cred, err := s.Directory().LookupCredential("ROOTACCESSKEY", ""); err != nil || cred.Identity.Kind != iam.KindRoot {
		t.Fatalf("root lookup = %+v, %v", cred, err)
	}

	f.must(OpCreateUser, mkUser("alice"))
	f.must(OpCreateAccessKey, f.keyRecord("alice", "AKIAALICE", "alice-secret"))
	cred, err := s.Directory().LookupCredential("AKIAALICE", "")
	if err != nil || cred.SecretKey != "alice-secret" || cred.Identity.Kind != iam.KindUser || cred.Identity.Name != "alice" {
		t.Fatalf("alice lookup = %+v, %v", cred.Identity, err)
	}
	if allowedAs(t, s, "AKIAALICE", "s3:GetObject", "bkt", "k") {
		t.Fatal("a user without policy may read")
	}

	// Policy through a group; disabling the group removes it at once.
	f.must(OpCreatePolicy, mkPolicy("getter", docGetObject))
	f.must(OpCreateGroup, mkGroup("devs"))
	f.must(OpAttachPolicy, attachArgs{Target: groupRef("devs"), PolicyName: "getter"})
	f.must(OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "alice"})
	if !allowedAs(t, s, "AKIAALICE", "s3:GetObject", "bkt", "k") {
		t.Fatal("group policy does not allow")
	}
	if allowedAs(t, s, "AKIAALICE", "s3:PutObject", "bkt", "k") {
		t.Fatal("group policy allows more than it says")
	}
	f.must(OpUpdateGroup, updateGroupArgs{GroupName: "devs", Disabled: ptr(true)})
	if allowedAs(t, s, "AKIAALICE", "s3:GetObject", "bkt", "k") {
		t.Fatal("disabled group still grants")
	}

	// Direct attachment and detachment.
	f.must(OpAttachPolicy, attachArgs{Target: userRef("alice"), PolicyName: "getter"})
	if !allowedAs(t, s, "AKIAALICE", "s3:GetObject", "bkt", "k") {
		t.Fatal("attached policy does not allow")
	}
	f.must(OpDetachPolicy, attachArgs{Target: userRef("alice"), PolicyName: "getter"})
	if allowedAs(t, s, "AKIAALICE", "s3:GetObject", "bkt", "k") {
		t.Fatal("detached policy still allows")
	}

	// Service account: works, and dies with its parent's disabling.
	f.must(OpCreateServiceAccount, f.accountRecord("alice", "SAALICE", "sa-secret-1", ""))
	if cred, err := s.Directory().LookupCredential("SAALICE", ""); err != nil || cred.Identity.Kind != iam.KindServiceAccount {
		t.Fatalf("service account lookup = %+v, %v", cred.Identity, err)
	}
	f.must(OpUpdateAccessKey, accessKeyArgs{UserName: "alice", AccessKeyID: "AKIAALICE", Status: iam.StatusInactive})
	if lookup("AKIAALICE") == nil {
		t.Fatal("inactive key still works")
	}
	f.must(OpUpdateAccessKey, accessKeyArgs{UserName: "alice", AccessKeyID: "AKIAALICE", Status: iam.StatusActive})
	f.must(OpUpdateUser, updateUserArgs{UserName: "alice", Disabled: ptr(true)})
	if lookup("AKIAALICE") == nil || lookup("SAALICE") == nil {
		t.Fatal("disabled user's key or service account still works")
	}
	f.must(OpUpdateUser, updateUserArgs{UserName: "alice", Disabled: ptr(false)})
	if err := lookup("AKIAALICE"); err != nil {
		t.Fatalf("re-enabled user: %v", err)
	}
	f.must(OpDeleteUser, deleteArgs{Name: "alice", Force: true})
	if lookup("AKIAALICE") == nil || lookup("SAALICE") == nil {
		t.Fatal("deleted user's key or service account still works")
	}
}

// iamState builds a varied IAM state through commands.
func iamState(f *fixture) {
	f.must(OpCreateUser, mkUser("alice"))
	f.must(OpCreateUser, mkUser("bob"))
	f.must(OpCreateAccessKey, f.keyRecord("alice", "AKIAALICE", "alice-secret"))
	f.must(OpCreateAccessKey, f.keyRecord("bob", "AKIABOB", "bob-secret-x"))
	f.must(OpCreateGroup, mkGroup("devs"))
	f.must(OpAddUserToGroup, membershipArgs{GroupName: "devs", UserName: "bob"})
	f.must(OpCreatePolicy, mkPolicy("getter", docGetObject))
	f.must(OpAttachPolicy, attachArgs{Target: userRef("alice"), PolicyName: "getter"})
	f.must(OpPutInlinePolicy, inlinePolicyArgs{Target: groupRef("devs"), PolicyName: "put", Document: docPutObject})
	f.must(OpCreateServiceAccount, f.accountRecord("alice", "SAALICE", "sa-secret-1", docGetObject))
	f.must(OpCreateRole, mkRole("deployer"))
	f.must(OpPutSTSKey, f.stsKey("k1", testTime))
	f.must(OpRevokeSessions, userRef("bob"))
}

func checkIAMDirectory(t *testing.T, s *State) {
	t.Helper()
	if !allowedAs(t, s, "AKIAALICE", "s3:GetObject", "bkt", "k") {
		t.Error("alice lost her policy")
	}
	if !allowedAs(t, s, "AKIABOB", "s3:PutObject", "bkt", "k") {
		t.Error("bob lost his group's inline policy")
	}
	if cred, err := s.Directory().LookupCredential("SAALICE", ""); err != nil || cred.SecretKey != "sa-secret-1" {
		t.Errorf("service account lookup: %v", err)
	}
	if k, ok := s.Directory().STSKey(); !ok || k.ID != "k1" || len(k.Key) != 32 {
		t.Errorf("STS key = %+v, %v", k, ok)
	}
	if r, ok := s.Directory().Role("deployer"); !ok || r.TrustPolicy != docTrustAll {
		t.Errorf("role = %+v, %v", r, ok)
	}
}

// TestIAMSurvivesReopenAndRestore checks that IAM records are durable,
// streamed by snapshots, and rebuilt into a Directory at open and restore.
func TestIAMSurvivesReopenAndRestore(t *testing.T) {
	dir := t.TempDir()
	src, err := OpenState(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.SetIAMConfig(testIAMConfig(1)); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, s: src, p: &directProposer{s: src}}
	iamState(f)
	checkIAMDirectory(t, src)
	want := src.mu.iam
	var snap bytes.Buffer
	if err := src.WriteSnapshot(&snap); err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}

	reopened := openIAMState(t, dir)
	if !reflect.DeepEqual(reopened.mu.iam, want) {
		t.Errorf("reopened IAM view differs:\n got %+v\nwant %+v", reopened.mu.iam, want)
	}
	checkIAMDirectory(t, reopened)

	// Restore into a state with other IAM content: it is replaced.
	other := newFixture(t)
	other.must(OpCreateUser, mkUser("mallory"))
	other.must(OpCreateAccessKey, other.keyRecord("mallory", "AKIAMAL", "mallory-secret"))
	if err := other.s.Restore(bytes.NewReader(snap.Bytes())); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(other.s.mu.iam, want) {
		t.Errorf("restored IAM view differs:\n got %+v\nwant %+v", other.s.mu.iam, want)
	}
	checkIAMDirectory(t, other.s)
	if _, err := other.s.Directory().LookupCredential("AKIAMAL", ""); err == nil {
		t.Error("a key dropped by the restore still works")
	}
}

// TestWrongMasterKey: a state opened with another master key refuses to
// configure (the node must not start) and serves none of the sealed
// credentials, but root still works.
func TestWrongMasterKey(t *testing.T) {
	dir := t.TempDir()
	s := openIAMState(t, dir)
	f := &fixture{t: t, s: s, p: &directProposer{s: s}}
	iamState(f)
	s.Close()

	s2 := openTest(t, dir)
	err := s2.SetIAMConfig(testIAMConfig(9))
	if !errors.Is(err, ErrSecretKeyMismatch) {
		t.Fatalf("SetIAMConfig with the wrong key = %v, want ErrSecretKeyMismatch", err)
	}
	if s2.IAMErr() == nil {
		t.Error("IAMErr() = nil after a failed build")
	}
	if _, err := s2.Directory().LookupCredential("AKIAALICE", ""); err == nil {
		t.Error("a key sealed under another master key works")
	}
	if _, err := s2.Directory().LookupCredential("ROOTACCESSKEY", ""); err != nil {
		t.Errorf("root lookup: %v", err)
	}
	// The right key recovers.
	if err := s2.SetIAMConfig(testIAMConfig(1)); err != nil || s2.IAMErr() != nil {
		t.Fatalf("SetIAMConfig with the right key = %v (IAMErr %v)", err, s2.IAMErr())
	}
	checkIAMDirectory(t, s2)
}

func TestSetIAMConfigRejects(t *testing.T) {
	s := openTest(t, t.TempDir())
	if s.Directory() == nil {
		t.Fatal("Directory() is nil before SetIAMConfig")
	}
	bad := []func(*IAMConfig){
		func(c *IAMConfig) { c.Account = "12345" },
		func(c *IAMConfig) { c.Account = "12345678901x" },
		func(c *IAMConfig) { c.Root.AccessKey = "" },
		func(c *IAMConfig) { c.Root.SecretKey = "" },
	}
	for i, mod := range bad {
		cfg := testIAMConfig(1)
		mod(&cfg)
		if err := s.SetIAMConfig(cfg); err == nil {
			t.Errorf("case %d: SetIAMConfig accepted %+v", i, cfg.Account)
		}
	}
}

// TestDirectoryConcurrentReads reads the Directory while IAM commands
// apply (run with -race).
func TestDirectoryConcurrentReads(t *testing.T) {
	f := newFixture(t)
	f.must(OpCreateUser, mkUser("alice"))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				d := f.s.Directory()
				d.LookupCredential("AKIAALICE", "")
				d.Users()
			}
		}()
	}
	for i := range 50 {
		f.must(OpUpdateUser, updateUserArgs{UserName: "alice", Disabled: ptr(i%2 == 0)})
	}
	close(stop)
	wg.Wait()
}

// TestKeyShadowingRoot: the appliers cannot see the root key (node
// configuration), so a stored key equal to it is left out of the
// Directory, and only it: the rest of IAM keeps working.
func TestKeyShadowingRoot(t *testing.T) {
	f := newFixture(t)
	iamState(f)
	f.must(OpCreateUser, mkUser("eve"))
	f.must(OpCreateAccessKey, f.keyRecord("eve", "ROOTACCESSKEY", "eve-secret-x"))
	if err := f.s.IAMErr(); err == nil {
		t.Error("IAMErr() = nil with a key shadowing root")
	}
	cred, err := f.s.Directory().LookupCredential("ROOTACCESSKEY", "")
	if err != nil || cred.Identity.Kind != iam.KindRoot || cred.SecretKey != "root-secret-key" {
		t.Fatalf("root lookup = %+v, %v", cred.Identity, err)
	}
	checkIAMDirectory(t, f.s)
	f.must(OpDeleteAccessKey, accessKeyArgs{UserName: "eve", AccessKeyID: "ROOTACCESSKEY"})
	if err := f.s.IAMErr(); err != nil {
		t.Errorf("IAMErr() = %v after the shadowing key is gone", err)
	}
}
