package iam

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Session tokens are sealed claims that any node verifies alone:
//
//	"CST1." + base64url(key ID) + "." + base64url(nonce ‖ AES-256-GCM(claims JSON))
//
// "CST1" is the format version; the key ID travels in clear so the
// verifier picks the STS key without trying them all, and the clear prefix
// is the GCM additional data, so it cannot be swapped. The claims hold the
// session secret, hence the encryption. base64url without padding keeps the
// token safe in headers and URLs.
const sessionPrefix = "CST1."

type sealedClaims struct {
	AK  string `json:"ak"`
	SK  string `json:"sk"`
	PU  string `json:"pu,omitempty"`
	RN  string `json:"rn,omitempty"`
	SN  string `json:"sn,omitempty"`
	Pol string `json:"p,omitempty"`
	Exp int64  `json:"e"` // Unix nanoseconds
	Gen uint64 `json:"g,omitempty"`
}

func sessionAEAD(key STSKey) (cipher.AEAD, error) {
	if len(key.Key) != 32 {
		return nil, fmt.Errorf("STS key %q is %d bytes, want 32", key.ID, len(key.Key))
	}
	block, err := aes.NewCipher(key.Key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// SealSession seals claims with key into a session token.
func SealSession(key STSKey, c SessionClaims) (string, error) {
	if key.ID == "" {
		return "", fmt.Errorf("%w: STS key has no ID", ErrInvalidInput)
	}
	aead, err := sessionAEAD(key)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidInput, err)
	}
	plain, err := json.Marshal(sealedClaims{
		AK: c.AccessKey, SK: c.Secret, PU: c.ParentUser, RN: c.RoleName, SN: c.SessionName,
		Pol: c.Policy, Exp: c.Expiration.UnixNano(), Gen: c.Generation,
	})
	if err != nil {
		return "", err
	}
	head := sessionPrefix + base64.RawURLEncoding.EncodeToString([]byte(key.ID)) + "."
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := aead.Seal(nonce, nonce, plain, []byte(head))
	return head + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// OpenSession opens a token sealed with any of keys. Every failure
// (format, unknown key, tampering) is ErrInvalidToken; expiry is not
// checked here (LookupCredential does).
func OpenSession(keys []STSKey, token string) (SessionClaims, error) {
	fail := func(why string) (SessionClaims, error) {
		return SessionClaims{}, fmt.Errorf("%w: %s", ErrInvalidToken, why)
	}
	rest, ok := strings.CutPrefix(token, sessionPrefix)
	if !ok {
		return fail("unknown token format")
	}
	kid64, body64, ok := strings.Cut(rest, ".")
	if !ok {
		return fail("malformed token")
	}
	kid, err := base64.RawURLEncoding.DecodeString(kid64)
	if err != nil {
		return fail("malformed key ID")
	}
	var key *STSKey
	for i := range keys {
		if keys[i].ID == string(kid) {
			key = &keys[i]
			break
		}
	}
	if key == nil {
		return fail("sealed with an unknown key")
	}
	aead, err := sessionAEAD(*key)
	if err != nil {
		return fail(err.Error())
	}
	body, err := base64.RawURLEncoding.DecodeString(body64)
	if err != nil || len(body) < aead.NonceSize()+aead.Overhead() {
		return fail("malformed token body")
	}
	head := token[:len(sessionPrefix)+len(kid64)+1]
	plain, err := aead.Open(nil, body[:aead.NonceSize()], body[aead.NonceSize():], []byte(head))
	if err != nil {
		return fail("token does not authenticate")
	}
	var sc sealedClaims
	if err := json.Unmarshal(plain, &sc); err != nil {
		return fail("undecodable claims")
	}
	return SessionClaims{
		AccessKey: sc.AK, Secret: sc.SK, ParentUser: sc.PU, RoleName: sc.RN, SessionName: sc.SN,
		Policy: sc.Pol, Expiration: time.Unix(0, sc.Exp).UTC(), Generation: sc.Gen,
	}, nil
}

// sessionCache remembers opened and validated sessions of one Directory,
// so a client's requests cost one decryption and one policy compilation,
// not one per request. It belongs to one immutable Directory, so
// revocation (a new Directory) empties it. Bounded: it is cleared when
// full.
type sessionCache struct {
	mu  sync.Mutex
	max int
	m   map[string]*sessionEntry // by token
}

type sessionEntry struct {
	claims SessionClaims
	cred   Credential
}

const sessionCacheSize = 4096

func newSessionCache(max int) *sessionCache {
	return &sessionCache{max: max, m: map[string]*sessionEntry{}}
}

func (c *sessionCache) get(token string) *sessionEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[token]
}

func (c *sessionCache) put(token string, e *sessionEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[token] = e
}

// LookupCredential implements CredentialLookup: the root key, users'
// long-term keys (Active, user enabled), service accounts (Active, not
// expired, parent enabled), and STS sessions (token opened with any STS
// key, sealed for this access key, not expired, parent user or role
// existing, enabled and not revoked since issue).
func (d *Directory) LookupCredential(accessKey, sessionToken string) (Credential, error) {
	if d.root != nil && accessKey == d.root.AccessKey {
		return *d.root, nil
	}
	if k := d.keys[accessKey]; k != nil {
		if k.rec.Status != StatusActive {
			return Credential{}, fmt.Errorf("%w: access key %s is inactive", ErrAccessKeyDisabled, accessKey)
		}
		if k.user.rec.Disabled {
			return Credential{}, fmt.Errorf("%w: user %s is disabled", ErrAccessKeyDisabled, k.user.rec.Name)
		}
		return k.cred, nil
	}
	if s := d.sas[accessKey]; s != nil {
		if s.rec.Status != StatusActive {
			return Credential{}, fmt.Errorf("%w: service account %s is inactive", ErrAccessKeyDisabled, accessKey)
		}
		if s.parent.rec.Disabled {
			return Credential{}, fmt.Errorf("%w: the parent user %s of service account %s is disabled", ErrAccessKeyDisabled, s.rec.Parent, accessKey)
		}
		if !s.rec.Expiration.IsZero() && !d.now().Before(s.rec.Expiration) {
			return Credential{}, fmt.Errorf("%w: service account %s expired at %s", ErrAccessKeyDisabled, accessKey, s.rec.Expiration.UTC().Format(time.RFC3339))
		}
		return s.cred, nil
	}
	if sessionToken == "" {
		return Credential{}, fmt.Errorf("%w: %s", ErrNoSuchAccessKey, accessKey)
	}
	e := d.sessions.get(sessionToken)
	if e == nil {
		var err error
		if e, err = d.openSession(sessionToken); err != nil {
			return Credential{}, err
		}
		d.sessions.put(sessionToken, e)
	}
	if e.claims.AccessKey != accessKey {
		return Credential{}, fmt.Errorf("%w: the token was not issued for access key %s", ErrInvalidToken, accessKey)
	}
	if !d.now().Before(e.claims.Expiration) {
		return Credential{}, fmt.Errorf("%w: expired at %s", ErrExpiredToken, e.claims.Expiration.Format(time.RFC3339))
	}
	return e.cred, nil
}

// openSession opens and validates a token against this Directory.
func (d *Directory) openSession(token string) (*sessionEntry, error) {
	c, err := OpenSession(d.stsKeys, token)
	if err != nil {
		return nil, err
	}
	p, err := d.sessionPrincipal(&c)
	if err != nil {
		return nil, err
	}
	var id Identity
	if c.RoleName != "" {
		// Identity.UserID stays the role ID; aws:userid (the principal's
		// varUserID) is "<role ID>:<session name>", as in AWS.
		id = d.roles[c.RoleName].id
		id.ParentUser = c.ParentUser
		if u := d.users[c.ParentUser]; u != nil {
			id.PosixUID, id.PosixGID = u.rec.PosixUID, u.rec.PosixGID
		}
	} else {
		id = d.users[c.ParentUser].id
		id.ParentUser = c.ParentUser
	}
	id.Kind = KindSession
	id.AccessKey = c.AccessKey
	id.SessionName = c.SessionName
	id.principal = p
	return &sessionEntry{claims: c, cred: Credential{
		AccessKey: c.AccessKey, SecretKey: c.Secret, SessionToken: token, Identity: id,
	}}, nil
}

// sessionPrincipal resolves session claims to a principal: the role's or
// the parent user's policies, intersected with the session policy. A
// deleted or disabled parent, or a generation other than the parent's
// current one (revoked), is ErrInvalidToken.
func (d *Directory) sessionPrincipal(c *SessionClaims) (*principal, error) {
	var p principal
	if c.RoleName != "" {
		r := d.roles[c.RoleName]
		if r == nil {
			return nil, fmt.Errorf("%w: role %s no longer exists", ErrInvalidToken, c.RoleName)
		}
		if r.rec.SessionGeneration != c.Generation {
			return nil, fmt.Errorf("%w: the sessions of role %s were revoked", ErrInvalidToken, c.RoleName)
		}
		if c.ParentUser != "" {
			if u := d.users[c.ParentUser]; u == nil || u.rec.Disabled {
				return nil, fmt.Errorf("%w: user %s no longer exists or is disabled", ErrInvalidToken, c.ParentUser)
			}
		}
		p = *r.p
		if u := d.users[c.ParentUser]; u != nil {
			p.setPosix(u.rec.PosixUID, u.rec.PosixGID)
		}
		p.varUserID = []string{r.rec.ID + ":" + c.SessionName}
		p.trustNames = []string{"role/" + r.rec.Name, "assumed-role/" + r.rec.Name + "/" + c.SessionName}
	} else {
		u := d.users[c.ParentUser]
		if u == nil || u.rec.Disabled {
			return nil, fmt.Errorf("%w: user %q no longer exists or is disabled", ErrInvalidToken, c.ParentUser)
		}
		if u.rec.SessionGeneration != c.Generation {
			return nil, fmt.Errorf("%w: the sessions of user %s were revoked", ErrInvalidToken, c.ParentUser)
		}
		p = *u.p
	}
	p.kind = KindSession
	p.claims = c
	p.own, p.ownLabel = nil, ""
	if c.Policy != "" {
		pol, err := compilePolicy(PolicySession, c.Policy, false)
		if err != nil {
			return nil, fmt.Errorf("%w: session policy: %v", ErrInvalidToken, err)
		}
		p.own, p.ownLabel = pol, "session"
	}
	return &p, nil
}
