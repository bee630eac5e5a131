package meta

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cairn-s3/cairn/iam"
)

// Roles, session revocation and STS keys.

// Role session durations, in seconds (AWS's bounds).
const (
	minRoleMaxSession     = 3600
	maxRoleMaxSession     = 43200
	defaultRoleMaxSession = 3600
)

func checkCreateRole(r *iam.Role) error {
	if err := iam.ValidateRoleName(r.Name); err != nil {
		return err
	}
	if err := checkID("role", r.Name, r.ID); err != nil {
		return err
	}
	if err := checkCreated("role", r.Name, r.Created); err != nil {
		return err
	}
	if err := checkPath(r.Path); err != nil {
		return err
	}
	if err := checkText("description", r.Description, 1000); err != nil {
		return err
	}
	if d := r.MaxSessionDuration; d != 0 && (d < minRoleMaxSession || d > maxRoleMaxSession) {
		return invalid("MaxSessionDuration %d is outside %d–%d seconds", d, minRoleMaxSession, maxRoleMaxSession)
	}
	if len(r.AttachedPolicies) > 0 || len(r.InlinePolicies) > 0 {
		return invalid("role %q created with policies", r.Name)
	}
	if r.TrustPolicy == "" {
		return invalid("role %q has no trust policy", r.Name)
	}
	return checkPolicy(iam.PolicyTrust, r.TrustPolicy)
}

func applyCreateRole(t *tx, r *iam.Role) error {
	if _, ok := get(t, kindRole, r.Name); ok {
		return exists("role", r.Name)
	}
	return put(t, kindRole, *r)
}

func checkDeleteRole(a *deleteArgs) error {
	if a.Force {
		return invalid("DeleteRole takes no force")
	}
	return iam.ValidateRoleName(a.Name)
}

func applyDeleteRole(t *tx, a *deleteArgs) error {
	r, ok := get(t, kindRole, a.Name)
	if !ok {
		return noSuch("role", a.Name)
	}
	if d := describeDependents("attached policies", r.AttachedPolicies, "inline policies", sortedKeys(r.InlinePolicies)); d != "" {
		return fmt.Errorf("%w: cannot delete role %s: it still has %s", ErrDeleteConflict, r.Name, d)
	}
	del(t, kindRole, r.Name)
	return nil
}

func checkRevokeSessions(r *EntityRef) error {
	if r.Kind == EntityGroup {
		return invalid("sessions belong to users and roles, not groups")
	}
	return checkEntityRef(*r)
}

func applyRevokeSessions(t *tx, r *EntityRef) error {
	switch r.Kind {
	case EntityUser:
		u, ok := get(t, kindUser, r.Name)
		if !ok {
			return noSuch("user", r.Name)
		}
		u = cloneUser(u)
		u.SessionGeneration++
		return put(t, kindUser, u)
	default:
		ro, ok := get(t, kindRole, r.Name)
		if !ok {
			return noSuch("role", r.Name)
		}
		ro = cloneRole(ro)
		ro.SessionGeneration++
		return put(t, kindRole, ro)
	}
}

func checkPutSTSKey(k *stsKeyRecord) error {
	if k.ID == "" || len(k.ID) > 64 {
		return invalid("STS key ID %q must be 1–64 characters", k.ID)
	}
	for i := 0; i < len(k.ID); i++ {
		if c := k.ID[i]; c < 0x21 || c > 0x7e {
			return invalid("STS key ID %q may contain only printable ASCII", k.ID)
		}
	}
	if err := checkSealed(k.SealedKey); err != nil {
		return invalid("STS key %s: %v", k.ID, err)
	}
	return checkCreated("STS key", k.ID, k.Created)
}

// applyPutSTSKey adds a key and retires the oldest beyond maxSTSKeys.
func applyPutSTSKey(t *tx, k *stsKeyRecord) error {
	if _, ok := get(t, kindSTSKey, k.ID); ok {
		return exists("STS key", k.ID)
	}
	if err := put(t, kindSTSKey, *k); err != nil {
		return err
	}
	keys := all(t, kindSTSKey)
	slices.SortFunc(keys, func(a, b stsKeyRecord) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	for len(keys) > maxSTSKeys {
		del(t, kindSTSKey, keys[0].ID)
		keys = keys[1:]
	}
	return nil
}
