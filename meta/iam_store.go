package meta

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cairn-s3/cairn/iam"
	"github.com/dgraph-io/badger/v4"
)

// The IAM records as the control plane stores and replicates them. Users,
// groups, managed policies and roles hold no secret and are stored as the
// iam model types; access keys, service accounts and STS keys carry their
// secret sealed by a SecretBox (see secret.go) in place of the plaintext.

// accessKeyRecord is an iam.AccessKey with its secret sealed.
type accessKeyRecord struct {
	ID           string    `json:"id"`
	SealedSecret []byte    `json:"sealedSecret"`
	UserName     string    `json:"userName"`
	Status       string    `json:"status"`
	Created      time.Time `json:"created"`
}

// serviceAccountRecord is an iam.ServiceAccount with its secret sealed.
type serviceAccountRecord struct {
	AccessKey    string    `json:"accessKey"`
	SealedSecret []byte    `json:"sealedSecret"`
	Parent       string    `json:"parent"`
	Name         string    `json:"name,omitempty"`
	Description  string    `json:"description,omitempty"`
	Policy       string    `json:"policy,omitempty"`
	Status       string    `json:"status"`
	Expiration   time.Time `json:"expiration,omitzero"`
	Created      time.Time `json:"created"`
}

// stsKeyRecord is an iam.STSKey with its key sealed.
type stsKeyRecord struct {
	ID        string    `json:"id"`
	SealedKey []byte    `json:"sealedKey"`
	Created   time.Time `json:"created"`
}

// iamView is the in-memory copy of the IAM records, keyed as in the DB.
// Values are never modified in place once stored (appliers work on deep
// copies, see the clone functions), so a Directory built from them and
// the view may share slices and maps.
type iamView struct {
	users    map[string]iam.User
	keys     map[string]accessKeyRecord
	groups   map[string]iam.Group
	policies map[string]iam.ManagedPolicy
	svcaccts map[string]serviceAccountRecord
	roles    map[string]iam.Role
	stsKeys  map[string]stsKeyRecord
}

func newIAMView() iamView {
	return iamView{
		users:    map[string]iam.User{},
		keys:     map[string]accessKeyRecord{},
		groups:   map[string]iam.Group{},
		policies: map[string]iam.ManagedPolicy{},
		svcaccts: map[string]serviceAccountRecord{},
		roles:    map[string]iam.Role{},
		stsKeys:  map[string]stsKeyRecord{},
	}
}

// iamDelta is a layer of staged IAM changes (nil entries are deletions).
type iamDelta struct {
	users    overlay[iam.User]
	keys     overlay[accessKeyRecord]
	groups   overlay[iam.Group]
	policies overlay[iam.ManagedPolicy]
	svcaccts overlay[serviceAccountRecord]
	roles    overlay[iam.Role]
	stsKeys  overlay[stsKeyRecord]
}

func newIAMDelta() iamDelta {
	return iamDelta{
		users:    overlay[iam.User]{},
		keys:     overlay[accessKeyRecord]{},
		groups:   overlay[iam.Group]{},
		policies: overlay[iam.ManagedPolicy]{},
		svcaccts: overlay[serviceAccountRecord]{},
		roles:    overlay[iam.Role]{},
		stsKeys:  overlay[stsKeyRecord]{},
	}
}

// touched reports whether d changes any IAM record.
func (d *iamDelta) touched() bool {
	return len(d.users)+len(d.keys)+len(d.groups)+len(d.policies)+len(d.svcaccts)+len(d.roles)+len(d.stsKeys) > 0
}

// merge adds o's changes on top of d's.
func (d *iamDelta) merge(o *iamDelta) {
	maps.Copy(d.users, o.users)
	maps.Copy(d.keys, o.keys)
	maps.Copy(d.groups, o.groups)
	maps.Copy(d.policies, o.policies)
	maps.Copy(d.svcaccts, o.svcaccts)
	maps.Copy(d.roles, o.roles)
	maps.Copy(d.stsKeys, o.stsKeys)
}

// publish writes d into v. Called under mu.Lock after the commit.
func (v *iamView) publish(d *iamDelta) {
	publishOverlay(v.users, d.users)
	publishOverlay(v.keys, d.keys)
	publishOverlay(v.groups, d.groups)
	publishOverlay(v.policies, d.policies)
	publishOverlay(v.svcaccts, d.svcaccts)
	publishOverlay(v.roles, d.roles)
	publishOverlay(v.stsKeys, d.stsKeys)
}

func publishOverlay[T any](m map[string]T, o overlay[T]) {
	for k, v := range o {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = *v
		}
	}
}

// iamKind describes one IAM record kind: where it lives in the DB, in the
// view and in a delta. The kinds are fixed tables of functions.
type iamKind[T any] struct {
	name    string // for messages: "user", "access key"...
	prefix  string
	version byte
	view    func(*iamView) map[string]T
	delta   func(*iamDelta) overlay[T]
	key     func(*T) string // the record's own name, checked against its DB key at load
}

var (
	kindUser = iamKind[iam.User]{"user", prefixIAMUser, iamRecordV1,
		func(v *iamView) map[string]iam.User { return v.users },
		func(d *iamDelta) overlay[iam.User] { return d.users },
		func(u *iam.User) string { return u.Name }}
	kindAccessKey = iamKind[accessKeyRecord]{"access key", prefixIAMAccessKey, iamRecordV1,
		func(v *iamView) map[string]accessKeyRecord { return v.keys },
		func(d *iamDelta) overlay[accessKeyRecord] { return d.keys },
		func(k *accessKeyRecord) string { return k.ID }}
	kindGroup = iamKind[iam.Group]{"group", prefixIAMGroup, iamRecordV1,
		func(v *iamView) map[string]iam.Group { return v.groups },
		func(d *iamDelta) overlay[iam.Group] { return d.groups },
		func(g *iam.Group) string { return g.Name }}
	kindPolicy = iamKind[iam.ManagedPolicy]{"policy", prefixIAMPolicy, iamRecordV1,
		func(v *iamView) map[string]iam.ManagedPolicy { return v.policies },
		func(d *iamDelta) overlay[iam.ManagedPolicy] { return d.policies },
		func(p *iam.ManagedPolicy) string { return p.Name }}
	kindServiceAccount = iamKind[serviceAccountRecord]{"service account", prefixIAMServiceAccount, iamRecordV1,
		func(v *iamView) map[string]serviceAccountRecord { return v.svcaccts },
		func(d *iamDelta) overlay[serviceAccountRecord] { return d.svcaccts },
		func(a *serviceAccountRecord) string { return a.AccessKey }}
	kindRole = iamKind[iam.Role]{"role", prefixIAMRole, iamRecordV1,
		func(v *iamView) map[string]iam.Role { return v.roles },
		func(d *iamDelta) overlay[iam.Role] { return d.roles },
		func(r *iam.Role) string { return r.Name }}
	kindSTSKey = iamKind[stsKeyRecord]{"STS key", prefixIAMSTSKey, iamRecordV1,
		func(v *iamView) map[string]stsKeyRecord { return v.stsKeys },
		func(d *iamDelta) overlay[stsKeyRecord] { return d.stsKeys },
		func(k *stsKeyRecord) string { return k.ID }}
)

func (k iamKind[T]) encode(v *T) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("meta: encode %s %q: %w", k.name, k.key(v), err)
	}
	return append([]byte{k.version}, j...), nil
}

func (k iamKind[T]) decode(val []byte) (T, error) {
	var v T
	if len(val) == 0 || val[0] != k.version {
		return v, fmt.Errorf("meta: unknown %s record version", k.name)
	}
	if err := json.Unmarshal(val[1:], &v); err != nil {
		return v, fmt.Errorf("meta: decode %s record: %w", k.name, err)
	}
	return v, nil
}

// load reads every record of kind k into v.
func (k iamKind[T]) load(txn *badger.Txn, v *iamView) error {
	m := k.view(v)
	return scanPrefix(txn, k.prefix, func(key, val []byte) error {
		r, err := k.decode(val)
		if err != nil {
			return err
		}
		if name := string(key[len(k.prefix):]); k.key(&r) != name {
			return fmt.Errorf("meta: %s record %q holds name %q", k.name, name, k.key(&r))
		}
		m[k.key(&r)] = r
		return nil
	})
}

// loadIAM reads every IAM record.
func loadIAM(txn *badger.Txn) (iamView, error) {
	v := newIAMView()
	for _, load := range []func(*badger.Txn, *iamView) error{
		kindUser.load, kindAccessKey.load, kindGroup.load, kindPolicy.load,
		kindServiceAccount.load, kindRole.load, kindSTSKey.load,
	} {
		if err := load(txn, &v); err != nil {
			return iamView{}, err
		}
	}
	return v, nil
}

// get reads a record through the tx's layers. The result may share slices
// and maps with the view: modify only a clone.
func get[T any](t *tx, k iamKind[T], name string) (T, bool) {
	return lookup(name, k.view(&t.s.mu.iam), k.delta(&t.cmd.iam), k.delta(&t.batch.iam))
}

// put stages a record.
func put[T any](t *tx, k iamKind[T], v T) error {
	val, err := k.encode(&v)
	if err != nil {
		return fmt.Errorf("%w: %w", iam.ErrInvalidInput, err)
	}
	name := k.key(&v)
	t.cmd.stage([]byte(k.prefix+name), val)
	k.delta(&t.cmd.iam)[name] = &v
	return nil
}

// del stages the deletion of a record.
func del[T any](t *tx, k iamKind[T], name string) {
	t.cmd.stage([]byte(k.prefix+name), nil)
	k.delta(&t.cmd.iam)[name] = nil
}

// all returns every record of kind k as the tx sees it, sorted by name, so
// that appliers iterating it stay deterministic.
func all[T any](t *tx, k iamKind[T]) []T {
	names := map[string]struct{}{}
	for n := range k.view(&t.s.mu.iam) {
		names[n] = struct{}{}
	}
	for n := range k.delta(&t.batch.iam) {
		names[n] = struct{}{}
	}
	for n := range k.delta(&t.cmd.iam) {
		names[n] = struct{}{}
	}
	sorted := slices.Sorted(maps.Keys(names))
	out := make([]T, 0, len(sorted))
	for _, n := range sorted {
		if v, ok := get(t, k, n); ok {
			out = append(out, v)
		}
	}
	return out
}

// Deep copies, so appliers never modify a value the view (or a published
// Directory) shares.

func cloneUser(u iam.User) iam.User {
	u.AttachedPolicies = slices.Clone(u.AttachedPolicies)
	u.InlinePolicies = maps.Clone(u.InlinePolicies)
	if u.PosixUID != nil {
		v := *u.PosixUID
		u.PosixUID = &v
	}
	if u.PosixGID != nil {
		v := *u.PosixGID
		u.PosixGID = &v
	}
	return u
}

func cloneGroup(g iam.Group) iam.Group {
	g.Members = slices.Clone(g.Members)
	g.AttachedPolicies = slices.Clone(g.AttachedPolicies)
	g.InlinePolicies = maps.Clone(g.InlinePolicies)
	return g
}

func cloneRole(r iam.Role) iam.Role {
	r.AttachedPolicies = slices.Clone(r.AttachedPolicies)
	r.InlinePolicies = maps.Clone(r.InlinePolicies)
	return r
}
