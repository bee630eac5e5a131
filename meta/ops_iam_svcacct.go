package meta

import (
	"fmt"

	"github.com/cairn-s3/cairn/iam"
)

// Service accounts: child credentials of one user.

func checkCreateServiceAccount(a *serviceAccountRecord) error {
	if err := iam.ValidateAccessKeyID(a.AccessKey); err != nil {
		return err
	}
	if err := iam.ValidateUserName(a.Parent); err != nil {
		return err
	}
	if err := checkSealed(a.SealedSecret); err != nil {
		return invalid("service account %s: secret: %v", a.AccessKey, err)
	}
	if err := checkStatus(a.Status); err != nil {
		return err
	}
	if err := checkText("name", a.Name, 128); err != nil {
		return err
	}
	if err := checkText("description", a.Description, 1000); err != nil {
		return err
	}
	if a.Policy != "" {
		if err := checkPolicy(iam.PolicyServiceAccount, a.Policy); err != nil {
			return err
		}
	}
	return checkCreated("service account", a.AccessKey, a.Created)
}

func applyCreateServiceAccount(t *tx, a *serviceAccountRecord) error {
	if _, ok := get(t, kindUser, a.Parent); !ok {
		return noSuch("user", a.Parent)
	}
	if err := accessKeyFree(t, a.AccessKey); err != nil {
		return err
	}
	n := 0
	for _, other := range all(t, kindServiceAccount) {
		if other.Parent == a.Parent {
			n++
		}
	}
	if n >= maxServiceAccountsPerParent {
		return fmt.Errorf("%w: user %s already has %d service accounts", ErrLimitExceeded, a.Parent, maxServiceAccountsPerParent)
	}
	return put(t, kindServiceAccount, *a)
}

func checkServiceAccountArgs(a *serviceAccountArgs) error {
	if err := iam.ValidateUserName(a.Parent); err != nil {
		return err
	}
	return iam.ValidateAccessKeyID(a.AccessKey)
}

// ownedAccount returns the service account ak if parent owns it. Another
// user's account is reported as missing, so its existence is not revealed.
func ownedAccount(t *tx, parent, ak string) (serviceAccountRecord, error) {
	sa, ok := get(t, kindServiceAccount, ak)
	if !ok || sa.Parent != parent {
		return serviceAccountRecord{}, fmt.Errorf("%w: the service account %s cannot be found", ErrNoSuchEntity, ak)
	}
	return sa, nil
}

func checkUpdateServiceAccount(a *updateServiceAccountArgs) error {
	if err := checkServiceAccountArgs(&serviceAccountArgs{Parent: a.Parent, AccessKey: a.AccessKey}); err != nil {
		return err
	}
	if a.Status != nil {
		if err := checkStatus(*a.Status); err != nil {
			return err
		}
	}
	if a.Description != nil {
		if err := checkText("description", *a.Description, 1000); err != nil {
			return err
		}
	}
	if a.Policy != nil && *a.Policy != "" {
		return checkPolicy(iam.PolicyServiceAccount, *a.Policy)
	}
	return nil
}

func applyUpdateServiceAccount(t *tx, a *updateServiceAccountArgs) error {
	sa, err := ownedAccount(t, a.Parent, a.AccessKey)
	if err != nil {
		return err
	}
	if a.Status != nil {
		sa.Status = *a.Status
	}
	if a.Policy != nil {
		sa.Policy = *a.Policy
	}
	if a.Description != nil {
		sa.Description = *a.Description
	}
	if a.Expiration != nil {
		sa.Expiration = *a.Expiration
	}
	return put(t, kindServiceAccount, sa)
}

func applyDeleteServiceAccount(t *tx, a *serviceAccountArgs) error {
	if _, err := ownedAccount(t, a.Parent, a.AccessKey); err != nil {
		return err
	}
	del(t, kindServiceAccount, a.AccessKey)
	return nil
}
