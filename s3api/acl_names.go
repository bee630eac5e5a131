package s3api

import (
	"strings"
	"sync/atomic"

	"github.com/cairn-s3/cairn/iam"
)

// ACL grantees name principals by canonical ID (or, when written, by
// e-mail address), and ACL responses show each ID's DisplayName. Both
// lookups are answered from the current IAM Directory through a small
// index built once per Directory (the Directory is immutable and replaced
// on every IAM change), so a response never walks the user list.

// directorySource is implemented by authorizers that can show the IAM
// view they decide from (LiveDirectory).
type directorySource interface {
	Directory() *iam.Directory
}

// Directory implements directorySource.
func (l LiveDirectory) Directory() *iam.Directory { return l() }

// principalIndex maps canonical IDs to display names and "e-mail
// addresses" (Cairn has none: a user's name or display name stands for
// it) to canonical IDs, for one Directory.
type principalIndex struct {
	dir *iam.Directory
	// names maps a canonical ID (root, users, role sessions) to its
	// display name.
	names map[string]string
	// emails maps a lower-cased user name or display name to the user's
	// canonical ID and display name. A user name wins over another user's
	// equal display name.
	emails map[string]principalRef
}

type principalRef struct{ id, name string }

// principalCache holds the index of the newest Directory seen.
type principalCache struct {
	p atomic.Pointer[principalIndex]
}

// directory is the IAM view the server decides from: its authorizer's,
// else the identity service's; nil when it has neither (root only).
func (s *Server) directory() *iam.Directory {
	if ds, ok := s.deps.Authorizer.(directorySource); ok {
		if d := ds.Directory(); d != nil {
			return d
		}
	}
	if s.deps.IAM != nil {
		return s.deps.IAM.Directory()
	}
	return nil
}

// principals returns the index of the current Directory (nil without one).
func (s *Server) principals() *principalIndex {
	d := s.directory()
	if d == nil {
		return nil
	}
	if ix := s.names.p.Load(); ix != nil && ix.dir == d {
		return ix
	}
	ix := buildPrincipalIndex(d)
	s.names.p.Store(ix)
	return ix
}

func buildPrincipalIndex(d *iam.Directory) *principalIndex {
	users := d.Users()
	ix := &principalIndex{dir: d, names: make(map[string]string, len(users)+1), emails: make(map[string]principalRef, 2*len(users))}
	if root, err := d.IdentityFor(iam.KindRoot, ""); err == nil {
		ix.names[root.CanonicalID] = root.DisplayName
	}
	ids := make([]iam.Identity, 0, len(users))
	for _, u := range users {
		id, err := d.IdentityFor(iam.KindUser, u.Name)
		if err != nil {
			continue
		}
		ids = append(ids, id)
		ix.names[id.CanonicalID] = id.DisplayName
		ix.emails[strings.ToLower(u.Name)] = principalRef{id.CanonicalID, id.DisplayName}
	}
	for _, id := range ids {
		k := strings.ToLower(id.DisplayName)
		if _, taken := ix.emails[k]; !taken && k != "" {
			ix.emails[k] = principalRef{id.CanonicalID, id.DisplayName}
		}
	}
	for _, r := range d.Roles() {
		if id, err := d.IdentityFor(iam.KindSession, r.Name); err == nil {
			ix.names[id.CanonicalID] = id.DisplayName
		}
	}
	return ix
}

// displayName is the display name of a canonical ID ("" if unknown).
func (ix *principalIndex) displayName(id string) string {
	if ix == nil {
		return ""
	}
	return ix.names[id]
}

// known reports whether id is a principal of the Directory; without a
// Directory every ID is accepted.
func (ix *principalIndex) known(id string) bool {
	if ix == nil {
		return true
	}
	_, ok := ix.names[id]
	return ok
}

// byEmail resolves an e-mail grantee to a user.
func (ix *principalIndex) byEmail(email string) (principalRef, bool) {
	if ix == nil {
		return principalRef{}, false
	}
	r, ok := ix.emails[strings.ToLower(strings.TrimSpace(email))]
	return r, ok
}
