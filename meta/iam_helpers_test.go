package meta

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// Fixtures shared by the IAM tests.

const testAccount = "123456789012"

const (
	docGetObject = `{"Version":"2012-10-17","Statement":[{"Sid":"get","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}]}`
	docPutObject = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bkt/*"}]}`
	docAllS3     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	docTrustAll  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`
)

func testMasterKey(b byte) [MasterKeySize]byte {
	var k [MasterKeySize]byte
	for i := range k {
		k[i] = b + byte(i)
	}
	return k
}

func testIAMConfig(key byte) IAMConfig {
	root := iam.NewRootCredentials("ROOTACCESSKEY", "root-secret-key")
	return IAMConfig{
		Account:   testAccount,
		Root:      iam.Credential{AccessKey: "ROOTACCESSKEY", SecretKey: "root-secret-key", Identity: root.Root()},
		MasterKey: testMasterKey(key),
	}
}

// openIAMState opens a State in dir configured with testIAMConfig(1).
func openIAMState(t *testing.T, dir string) *State {
	t.Helper()
	s := openTest(t, dir)
	if err := s.SetIAMConfig(testIAMConfig(1)); err != nil {
		t.Fatalf("SetIAMConfig: %v", err)
	}
	return s
}

// directProposer is a fake Proposer that applies each command straight to
// a State at the next index, after the same Validate/Marshal/Unmarshal
// round trip raft.Node does. It keeps the wire form of every command.
type directProposer struct {
	s *State

	mu    sync.Mutex
	wires [][]byte
}

func (p *directProposer) Apply(_ context.Context, cmd Command) error {
	if err := cmd.Validate(); err != nil {
		return err
	}
	wire, err := cmd.Marshal()
	if err != nil {
		return err
	}
	decoded, err := UnmarshalCommand(wire)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wires = append(p.wires, wire)
	return p.s.Apply(p.s.LastApplied()+1, decoded)
}

// fixture drives a State with IAM commands built like IAMService does.
type fixture struct {
	t *testing.T
	s *State
	p *directProposer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := openIAMState(t, t.TempDir())
	return &fixture{t: t, s: s, p: &directProposer{s: s}}
}

func (f *fixture) apply(op Op, args any) error {
	f.t.Helper()
	cmd, err := NewCommand(op, args)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.p.Apply(context.Background(), cmd)
}

func (f *fixture) must(op Op, args any) {
	f.t.Helper()
	if err := f.apply(op, args); err != nil {
		f.t.Fatalf("%s: %v", op, err)
	}
}

func (f *fixture) sealed(secret, context string) []byte {
	f.t.Helper()
	box, err := f.s.secretBox()
	if err != nil {
		f.t.Fatal(err)
	}
	b, err := box.Seal([]byte(secret), context)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func mkUser(name string) iam.User {
	return iam.User{Name: name, ID: "AIDA" + name, CanonicalID: "canon-" + name, Path: "/", Created: testTime, SessionGeneration: 7}
}

func (f *fixture) keyRecord(user, id, secret string) accessKeyRecord {
	return accessKeyRecord{ID: id, SealedSecret: f.sealed(secret, accessKeyContext(id)), UserName: user, Status: iam.StatusActive, Created: testTime}
}

func (f *fixture) accountRecord(parent, ak, secret, policy string) serviceAccountRecord {
	return serviceAccountRecord{AccessKey: ak, SealedSecret: f.sealed(secret, serviceAccountContext(ak)), Parent: parent,
		Policy: policy, Status: iam.StatusActive, Created: testTime}
}

func (f *fixture) stsKey(id string, created time.Time) stsKeyRecord {
	key := make([]byte, 32)
	copy(key, id)
	return stsKeyRecord{ID: id, SealedKey: f.sealed(string(key), stsKeyContext(id)), Created: created}
}

func mkGroup(name string) iam.Group {
	return iam.Group{Name: name, ID: "AGPA" + name, Path: "/", Created: testTime}
}

func mkPolicy(name, doc string) iam.ManagedPolicy {
	return iam.ManagedPolicy{Name: name, ID: "ANPA" + name, Path: "/", Document: doc, Created: testTime, Updated: testTime}
}

func mkRole(name string) iam.Role {
	return iam.Role{Name: name, ID: "AROA" + name, Path: "/", TrustPolicy: docTrustAll, Created: testTime, MaxSessionDuration: 3600, SessionGeneration: 3}
}

func userRef(n string) EntityRef  { return EntityRef{Kind: EntityUser, Name: n} }
func groupRef(n string) EntityRef { return EntityRef{Kind: EntityGroup, Name: n} }
func roleRef(n string) EntityRef  { return EntityRef{Kind: EntityRole, Name: n} }

func ptr[T any](v T) *T { return &v }
