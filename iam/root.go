package iam

import (
	"crypto/sha256"
	"encoding/hex"
)

// RootCredentials is the credential store of a deployment that has only its
// root principal. The IAM control plane replaces it with a store that also
// knows users, service accounts and sessions.
type RootCredentials struct {
	root Credential
}

// NewRootCredentials returns a lookup that knows exactly one key pair.
func NewRootCredentials(accessKey, secretKey string) *RootCredentials {
	return &RootCredentials{root: Credential{
		AccessKey: accessKey,
		SecretKey: secretKey,
		Identity: Identity{
			Kind:        KindRoot,
			Name:        accessKey,
			AccessKey:   accessKey,
			CanonicalID: CanonicalID("root:" + accessKey),
			DisplayName: accessKey,
		},
	}}
}

// LookupCredential implements CredentialLookup.
func (r *RootCredentials) LookupCredential(accessKey, _ string) (Credential, error) {
	if accessKey != r.root.AccessKey {
		return Credential{}, ErrNoSuchAccessKey
	}
	return r.root, nil
}

// Root returns the root identity.
func (r *RootCredentials) Root() Identity { return r.root.Identity }

// CanonicalID derives the 64-hex-digit canonical user ID S3 clients expect
// from a stable seed (never from a secret).
func CanonicalID(seed string) string {
	sum := sha256.Sum256([]byte("cairn-canonical-id\x00" + seed))
	return hex.EncodeToString(sum[:])
}
