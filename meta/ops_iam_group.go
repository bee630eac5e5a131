package meta

import (
	"fmt"
	"slices"

	"github.com/cairn-s3/cairn/iam"
)

// Groups and membership.

func checkCreateGroup(g *iam.Group) error {
	if err := iam.ValidateGroupName(g.Name); err != nil {
		return err
	}
	if err := checkID("group", g.Name, g.ID); err != nil {
		return err
	}
	if err := checkCreated("group", g.Name, g.Created); err != nil {
		return err
	}
	if err := checkPath(g.Path); err != nil {
		return err
	}
	if len(g.Members) > 0 || len(g.AttachedPolicies) > 0 || len(g.InlinePolicies) > 0 {
		return invalid("group %q created with members or policies", g.Name)
	}
	return nil
}

func applyCreateGroup(t *tx, g *iam.Group) error {
	if _, ok := get(t, kindGroup, g.Name); ok {
		return exists("group", g.Name)
	}
	return put(t, kindGroup, *g)
}

func checkUpdateGroup(a *updateGroupArgs) error {
	if err := iam.ValidateGroupName(a.GroupName); err != nil {
		return err
	}
	if a.NewGroupName != nil {
		if err := iam.ValidateGroupName(*a.NewGroupName); err != nil {
			return err
		}
	}
	if a.NewPath != nil {
		return checkPath(*a.NewPath)
	}
	return nil
}

func applyUpdateGroup(t *tx, a *updateGroupArgs) error {
	g, ok := get(t, kindGroup, a.GroupName)
	if !ok {
		return noSuch("group", a.GroupName)
	}
	g = cloneGroup(g)
	if a.NewPath != nil {
		g.Path = *a.NewPath
	}
	if a.Disabled != nil {
		g.Disabled = *a.Disabled
	}
	if a.NewGroupName != nil && *a.NewGroupName != g.Name {
		if _, ok := get(t, kindGroup, *a.NewGroupName); ok {
			return exists("group", *a.NewGroupName)
		}
		del(t, kindGroup, g.Name)
		g.Name = *a.NewGroupName
	}
	return put(t, kindGroup, g)
}

func checkDeleteGroup(a *deleteArgs) error { return iam.ValidateGroupName(a.Name) }

func applyDeleteGroup(t *tx, a *deleteArgs) error {
	g, ok := get(t, kindGroup, a.Name)
	if !ok {
		return noSuch("group", a.Name)
	}
	if !a.Force {
		if d := describeDependents("members", g.Members, "attached policies", g.AttachedPolicies,
			"inline policies", sortedKeys(g.InlinePolicies)); d != "" {
			return fmt.Errorf("%w: cannot delete group %s: it still has %s", ErrDeleteConflict, g.Name, d)
		}
	}
	// Members and policies live in the group record: they go with it.
	del(t, kindGroup, g.Name)
	return nil
}

func checkMembership(a *membershipArgs) error {
	if err := iam.ValidateGroupName(a.GroupName); err != nil {
		return err
	}
	return iam.ValidateUserName(a.UserName)
}

// membership loads the group and checks the user of a.
func membership(t *tx, a *membershipArgs) (iam.Group, error) {
	g, ok := get(t, kindGroup, a.GroupName)
	if !ok {
		return g, noSuch("group", a.GroupName)
	}
	if _, ok := get(t, kindUser, a.UserName); !ok {
		return g, noSuch("user", a.UserName)
	}
	return cloneGroup(g), nil
}

func applyAddUserToGroup(t *tx, a *membershipArgs) error {
	g, err := membership(t, a)
	if err != nil {
		return err
	}
	if slices.Contains(g.Members, a.UserName) {
		return nil // idempotent, as AWS
	}
	g.Members = insertSorted(g.Members, a.UserName)
	return put(t, kindGroup, g)
}

func applyRemoveUserFromGroup(t *tx, a *membershipArgs) error {
	g, err := membership(t, a)
	if err != nil {
		return err
	}
	var was bool
	if g.Members, was = removeString(g.Members, a.UserName); !was {
		return fmt.Errorf("%w: user %s is not a member of group %s", ErrNoSuchEntity, a.UserName, a.GroupName)
	}
	return put(t, kindGroup, g)
}
