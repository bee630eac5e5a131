package meta

import (
	"fmt"
	"slices"

	"github.com/cairn-s3/cairn/iam"
)

// Users and their access keys.

func checkCreateUser(u *iam.User) error {
	if err := iam.ValidateUserName(u.Name); err != nil {
		return err
	}
	if err := checkID("user", u.Name, u.ID); err != nil {
		return err
	}
	if u.CanonicalID == "" {
		return invalid("user %q has no canonical ID", u.Name)
	}
	if err := checkCreated("user", u.Name, u.Created); err != nil {
		return err
	}
	if err := checkPath(u.Path); err != nil {
		return err
	}
	if err := checkText("display name", u.DisplayName, 256); err != nil {
		return err
	}
	// A user is born without policies: attaching them is its own command,
	// with its own checks.
	if len(u.AttachedPolicies) > 0 || len(u.InlinePolicies) > 0 {
		return invalid("user %q created with policies", u.Name)
	}
	return nil
}

func applyCreateUser(t *tx, u *iam.User) error {
	if _, ok := get(t, kindUser, u.Name); ok {
		return exists("user", u.Name)
	}
	return put(t, kindUser, *u)
}

func checkUpdateUser(a *updateUserArgs) error {
	if err := iam.ValidateUserName(a.UserName); err != nil {
		return err
	}
	if a.NewUserName != nil {
		if err := iam.ValidateUserName(*a.NewUserName); err != nil {
			return err
		}
	}
	if a.NewPath != nil {
		if err := checkPath(*a.NewPath); err != nil {
			return err
		}
	}
	if a.DisplayName != nil {
		return checkText("display name", *a.DisplayName, 256)
	}
	return nil
}

func applyUpdateUser(t *tx, a *updateUserArgs) error {
	u, ok := get(t, kindUser, a.UserName)
	if !ok {
		return noSuch("user", a.UserName)
	}
	u = cloneUser(u)
	if a.NewPath != nil {
		u.Path = *a.NewPath
	}
	if a.Disabled != nil {
		if *a.Disabled && !u.Disabled {
			// Disabling revokes sessions for good: re-enabling must not
			// revive the temporary credentials issued before.
			u.SessionGeneration++
		}
		u.Disabled = *a.Disabled
	}
	if a.DisplayName != nil {
		u.DisplayName = *a.DisplayName
	}
	if a.PosixUID != nil {
		v := *a.PosixUID
		u.PosixUID = &v
	}
	if a.PosixGID != nil {
		v := *a.PosixGID
		u.PosixGID = &v
	}
	if a.AllowCreateBucket != nil {
		u.AllowCreateBucket = *a.AllowCreateBucket
	}
	if a.AllowDeleteBucket != nil {
		u.AllowDeleteBucket = *a.AllowDeleteBucket
	}
	if a.NewUserName != nil && *a.NewUserName != u.Name {
		return renameUser(t, u, *a.NewUserName)
	}
	return put(t, kindUser, u)
}

// renameUser moves u to name, and its keys, service accounts and group
// memberships with it. Sessions issued under the old name stop working:
// they name their parent user.
func renameUser(t *tx, u iam.User, name string) error {
	if _, ok := get(t, kindUser, name); ok {
		return exists("user", name)
	}
	old := u.Name
	for _, k := range all(t, kindAccessKey) {
		if k.UserName == old {
			k.UserName = name
			if err := put(t, kindAccessKey, k); err != nil {
				return err
			}
		}
	}
	for _, sa := range all(t, kindServiceAccount) {
		if sa.Parent == old {
			sa.Parent = name
			if err := put(t, kindServiceAccount, sa); err != nil {
				return err
			}
		}
	}
	for _, g := range all(t, kindGroup) {
		if slices.Contains(g.Members, old) {
			g = cloneGroup(g)
			g.Members, _ = removeString(g.Members, old)
			g.Members = insertSorted(g.Members, name)
			if err := put(t, kindGroup, g); err != nil {
				return err
			}
		}
	}
	del(t, kindUser, old)
	u.Name = name
	return put(t, kindUser, u)
}

func checkDeleteUser(a *deleteArgs) error { return iam.ValidateUserName(a.Name) }

func applyDeleteUser(t *tx, a *deleteArgs) error {
	u, ok := get(t, kindUser, a.Name)
	if !ok {
		return noSuch("user", a.Name)
	}
	var keys, accounts, groups []string
	for _, k := range all(t, kindAccessKey) {
		if k.UserName == u.Name {
			keys = append(keys, k.ID)
		}
	}
	for _, sa := range all(t, kindServiceAccount) {
		if sa.Parent == u.Name {
			accounts = append(accounts, sa.AccessKey)
		}
	}
	for _, g := range all(t, kindGroup) {
		if slices.Contains(g.Members, u.Name) {
			groups = append(groups, g.Name)
		}
	}
	inline := sortedKeys(u.InlinePolicies)
	if !a.Force {
		if d := describeDependents("access keys", keys, "service accounts", accounts,
			"attached policies", u.AttachedPolicies, "inline policies", inline, "groups", groups); d != "" {
			return fmt.Errorf("%w: cannot delete user %s: it still has %s", ErrDeleteConflict, u.Name, d)
		}
	}
	for _, id := range keys {
		del(t, kindAccessKey, id)
	}
	for _, ak := range accounts {
		del(t, kindServiceAccount, ak)
	}
	for _, name := range groups {
		g, _ := get(t, kindGroup, name)
		g = cloneGroup(g)
		g.Members, _ = removeString(g.Members, u.Name)
		if err := put(t, kindGroup, g); err != nil {
			return err
		}
	}
	del(t, kindUser, u.Name)
	return nil
}

func checkCreateAccessKey(k *accessKeyRecord) error {
	if err := iam.ValidateAccessKeyID(k.ID); err != nil {
		return err
	}
	if err := iam.ValidateUserName(k.UserName); err != nil {
		return err
	}
	if err := checkSealed(k.SealedSecret); err != nil {
		return invalid("access key %s: secret: %v", k.ID, err)
	}
	if err := checkStatus(k.Status); err != nil {
		return err
	}
	return checkCreated("access key", k.ID, k.Created)
}

func applyCreateAccessKey(t *tx, k *accessKeyRecord) error {
	if _, ok := get(t, kindUser, k.UserName); !ok {
		return noSuch("user", k.UserName)
	}
	if err := accessKeyFree(t, k.ID); err != nil {
		return err
	}
	n := 0
	for _, other := range all(t, kindAccessKey) {
		if other.UserName == k.UserName {
			n++
		}
	}
	if n >= maxAccessKeysPerUser {
		return fmt.Errorf("%w: cannot exceed quota for AccessKeysPerUser: %d", ErrLimitExceeded, maxAccessKeysPerUser)
	}
	return put(t, kindAccessKey, *k)
}

// accessKeyFree checks that no access key or service account uses id.
// (The root key is node configuration, checked by the proposer.)
func accessKeyFree(t *tx, id string) error {
	_, isKey := get(t, kindAccessKey, id)
	_, isAccount := get(t, kindServiceAccount, id)
	if isKey || isAccount {
		return fmt.Errorf("%w: access key %s is already in use", ErrEntityAlreadyExists, id)
	}
	return nil
}

func checkAccessKeyArgs(a *accessKeyArgs) error {
	if err := iam.ValidateUserName(a.UserName); err != nil {
		return err
	}
	return iam.ValidateAccessKeyID(a.AccessKeyID)
}

func checkUpdateAccessKey(a *accessKeyArgs) error {
	if err := checkAccessKeyArgs(a); err != nil {
		return err
	}
	return checkStatus(a.Status)
}

// usersKey returns the key a names if it belongs to a's user.
func usersKey(t *tx, a *accessKeyArgs) (accessKeyRecord, error) {
	if _, ok := get(t, kindUser, a.UserName); !ok {
		return accessKeyRecord{}, noSuch("user", a.UserName)
	}
	k, ok := get(t, kindAccessKey, a.AccessKeyID)
	if !ok || k.UserName != a.UserName {
		return accessKeyRecord{}, fmt.Errorf("%w: the access key with id %s cannot be found for user %s", ErrNoSuchEntity, a.AccessKeyID, a.UserName)
	}
	return k, nil
}

func applyUpdateAccessKey(t *tx, a *accessKeyArgs) error {
	k, err := usersKey(t, a)
	if err != nil {
		return err
	}
	if k.Status == a.Status {
		return nil
	}
	k.Status = a.Status
	return put(t, kindAccessKey, k)
}

func checkDeleteAccessKey(a *accessKeyArgs) error {
	if err := checkAccessKeyArgs(a); err != nil {
		return err
	}
	if a.Status != "" {
		return invalid("DeleteAccessKey takes no status")
	}
	return nil
}

func applyDeleteAccessKey(t *tx, a *accessKeyArgs) error {
	if _, err := usersKey(t, a); err != nil {
		return err
	}
	del(t, kindAccessKey, a.AccessKeyID)
	return nil
}

func sortedKeys(m map[string]string) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
