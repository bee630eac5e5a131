package meta

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cairn-s3/cairn/iam"
)

// IAMConfig is the node-local IAM configuration: what is not replicated
// state but must be the same on every node of a cluster.
type IAMConfig struct {
	// Account is the 12-digit account ID shown in ARNs.
	Account string
	// Root is the administrative credential (Identity.Kind iam.KindRoot).
	Root iam.Credential
	// Limits are the policy size limits (zero fields: AWS defaults).
	Limits iam.Limits
	// MasterKey seals every IAM secret at rest. Every node of a cluster
	// must hold the same key: the sealed secrets are replicated.
	MasterKey [MasterKeySize]byte
}

// iamRuntime is the State's derived, node-local IAM side: the compiled
// Directory and what builds it.
type iamRuntime struct {
	// dir is the current Directory; never nil after OpenState.
	dir atomic.Pointer[iam.Directory]
	// box is nil until SetIAMConfig.
	box atomic.Pointer[SecretBox]

	// Guarded by State.applyMu (every rebuild runs under it).
	cfg        IAMConfig
	configured bool
	// opened caches opened secrets by context and ciphertext, so a rebuild
	// decrypts only what changed. Pruned to the live records each rebuild.
	opened map[string]string

	errMu sync.Mutex
	err   error // problem of the last rebuild, guarded by errMu
}

// SetIAMConfig configures the IAM side and builds the Directory. The node
// calls it once after OpenState and before serving or starting Raft; until
// then Directory() knows no principal at all.
//
// It fails if cfg is invalid, or if some stored secret does not open with
// cfg.MasterKey (a wrong master key): the node should refuse to start
// rather than serve with credentials silently missing.
func (s *State) SetIAMConfig(cfg IAMConfig) error {
	if err := checkAccount(cfg.Account); err != nil {
		return err
	}
	if cfg.Root.AccessKey == "" || cfg.Root.SecretKey == "" {
		return errors.New("meta: IAM config: root credential missing")
	}
	box, err := NewSecretBox(cfg.MasterKey[:])
	if err != nil {
		return err
	}
	cfg.Limits = cfg.Limits.WithDefaults()
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	s.iamc.cfg = cfg
	s.iamc.configured = true
	s.iamc.box.Store(box)
	s.iamc.opened = nil
	return s.rebuildDirectory()
}

func checkAccount(a string) error {
	if len(a) != 12 || a != stripNonDigits(a) {
		return fmt.Errorf("meta: IAM config: account ID %q is not 12 digits", a)
	}
	return nil
}

func stripNonDigits(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// Directory returns the compiled IAM view of the last applied state. It is
// never nil once the State is open, and is replaced (never modified) after
// every commit that changes IAM records, before Apply returns: a proposer
// whose command was applied reads its own write here.
func (s *State) Directory() *iam.Directory { return s.iamc.dir.Load() }

// IAMErr reports the problem of the last Directory build, if any: secrets
// that did not open (wrong master key, corruption) are left out of the
// Directory, failing closed. A readiness check may treat non-nil as
// degraded.
func (s *State) IAMErr() error {
	s.iamc.errMu.Lock()
	defer s.iamc.errMu.Unlock()
	return s.iamc.err
}

// secretBox returns the box sealing new secrets, or an error before
// SetIAMConfig.
func (s *State) secretBox() (*SecretBox, error) {
	if b := s.iamc.box.Load(); b != nil {
		return b, nil
	}
	return nil, errors.New("meta: IAM is not configured (SetIAMConfig not called)")
}

// rebuildDirectory compiles the view's IAM records into a new Directory
// and publishes it. Called with applyMu held (so the view is stable), at
// open, after each commit touching IAM, after Restore and by SetIAMConfig.
//
// A secret that does not open is left out (its credential does not work),
// and the problem is logged and kept for IAMErr; a snapshot NewDirectory
// rejects is replaced by one holding only root, so a damaged state fails
// closed instead of serving a stale Directory (which could still honour a
// revoked credential).
func (s *State) rebuildDirectory() error {
	rt := &s.iamc
	if !rt.configured {
		dir, err := iam.NewDirectory(iam.Snapshot{})
		if err != nil {
			return fmt.Errorf("meta: empty IAM directory: %w", err)
		}
		rt.dir.Store(dir)
		return nil
	}
	snap, problem := s.iamSnapshot()
	dir, err := iam.NewDirectory(snap)
	if err != nil {
		problem = errors.Join(problem, fmt.Errorf("meta: compile IAM state: %w", err))
		dir, err = iam.NewDirectory(iam.Snapshot{Account: snap.Account, Root: snap.Root, Limits: snap.Limits})
		if err != nil {
			return errors.Join(problem, fmt.Errorf("meta: root-only IAM directory: %w", err))
		}
	}
	rt.dir.Store(dir)
	rt.errMu.Lock()
	rt.err = problem
	rt.errMu.Unlock()
	if problem != nil {
		s.log.Error("meta: IAM directory built with problems; affected credentials are disabled", "err", problem)
	}
	return problem
}

// iamSnapshot decodes the view into an iam.Snapshot, opening secrets.
// Records whose secret does not open are left out; their errors are
// joined into problem.
func (s *State) iamSnapshot() (snap iam.Snapshot, problem error) {
	rt := &s.iamc
	v := &s.mu.iam
	box := rt.box.Load()
	opened := make(map[string]string, len(v.keys)+len(v.svcaccts)+len(v.stsKeys))
	var problems []error
	open := func(sealed []byte, context string) (string, bool) {
		cacheKey := context + "\x00" + string(sealed)
		if p, ok := rt.opened[cacheKey]; ok {
			opened[cacheKey] = p
			return p, true
		}
		p, err := box.Open(sealed, context)
		if err != nil {
			problems = append(problems, err)
			return "", false
		}
		opened[cacheKey] = string(p)
		return string(p), true
	}

	// The root key is node configuration, which the appliers cannot see:
	// a stored key equal to it (root reconfigured onto a user's key) is
	// left out rather than making the whole snapshot unusable.
	rootKey := rt.cfg.Root.AccessKey
	shadowed := func(ak string) bool {
		if ak == rootKey {
			problems = append(problems, fmt.Errorf("meta: access key %s is also the root access key; it is disabled", ak))
			return true
		}
		return false
	}

	snap = iam.Snapshot{Account: rt.cfg.Account, Root: rt.cfg.Root, Limits: rt.cfg.Limits}
	for _, name := range slices.Sorted(maps.Keys(v.users)) {
		snap.Users = append(snap.Users, v.users[name])
	}
	for _, id := range slices.Sorted(maps.Keys(v.keys)) {
		r := v.keys[id]
		if shadowed(r.ID) {
			continue
		}
		if secret, ok := open(r.SealedSecret, accessKeyContext(r.ID)); ok {
			snap.AccessKeys = append(snap.AccessKeys, iam.AccessKey{
				ID: r.ID, Secret: secret, UserName: r.UserName, Status: r.Status, Created: r.Created,
			})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(v.groups)) {
		snap.Groups = append(snap.Groups, v.groups[name])
	}
	for _, name := range slices.Sorted(maps.Keys(v.policies)) {
		snap.Policies = append(snap.Policies, v.policies[name])
	}
	for _, ak := range slices.Sorted(maps.Keys(v.svcaccts)) {
		r := v.svcaccts[ak]
		if shadowed(r.AccessKey) {
			continue
		}
		if secret, ok := open(r.SealedSecret, serviceAccountContext(r.AccessKey)); ok {
			snap.ServiceAccounts = append(snap.ServiceAccounts, iam.ServiceAccount{
				AccessKey: r.AccessKey, Secret: secret, Parent: r.Parent, Name: r.Name,
				Description: r.Description, Policy: r.Policy, Status: r.Status,
				Expiration: r.Expiration, Created: r.Created,
			})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(v.roles)) {
		snap.Roles = append(snap.Roles, v.roles[name])
	}
	for _, id := range slices.Sorted(maps.Keys(v.stsKeys)) {
		r := v.stsKeys[id]
		if key, ok := open(r.SealedKey, stsKeyContext(r.ID)); ok {
			snap.STSKeys = append(snap.STSKeys, iam.STSKey{ID: r.ID, Key: []byte(key), Created: r.Created})
		}
	}
	rt.opened = opened
	if len(problems) > 0 {
		problem = fmt.Errorf("meta: %d IAM credentials left out: %w", len(problems), errors.Join(problems...))
	}
	return snap, problem
}
