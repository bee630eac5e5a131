package main

import (
	"context"
	"flag"
	"net/url"

	ac "github.com/cairn-s3/cairn/cmd/cairn/internal/adminclient"
)

// `cairn admin group …`: IAM groups (CreateGroup, GetGroup, ListGroups,
// DeleteGroup, UpdateGroup's Status extension), their members
// (AddUserToGroup, RemoveUserFromGroup) and their policies (managed:
// Attach/DetachGroupPolicy; inline: Put/DeleteGroupPolicy).

func groupCommands() []command {
	return []command{
		{resource: "group", verb: "create", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "create a group", setup: groupCreate},
		{resource: "group", verb: "get", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "show a group with its members and attached policies", setup: groupGet},
		{resource: "group", verb: "list", maxArgs: 0,
			summary: "list groups", setup: groupList},
		{resource: "group", verb: "delete", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "delete a group (--force: even with members and policies)", setup: groupDelete},
		{resource: "group", verb: "add-member", args: "GROUP USER...", minArgs: 2, maxArgs: -1,
			summary: "add users to a group", setup: groupMembers("AddUserToGroup", "added user %s to group %s")},
		{resource: "group", verb: "remove-member", args: "GROUP USER...", minArgs: 2, maxArgs: -1,
			summary: "remove users from a group", setup: groupMembers("RemoveUserFromGroup", "removed user %s from group %s")},
		{resource: "group", verb: "enable", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "enable a group", setup: groupStatus("Active", "enabled")},
		{resource: "group", verb: "disable", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "disable a group: it grants nothing until enabled", setup: groupStatus("Inactive", "disabled")},
		{resource: "group", verb: "attach", args: "GROUP POLICY...", minArgs: 2, maxArgs: -1,
			summary: "attach managed policies (builtin: readonly, readwrite, writeonly, admin), or with --policy/--policy-file put the inline policy POLICY",
			setup:   entityAttach("Group")},
		{resource: "group", verb: "detach", args: "GROUP POLICY...", minArgs: 2, maxArgs: -1,
			summary: "detach managed policies, or with --inline delete inline policies", setup: entityDetach("Group")},
	}
}

func groupCreate(fs *flag.FlagSet) runFunc {
	path := fs.String("path", "", "IAM path, e.g. /engineering/")
	return func(ctx context.Context, s *session, args []string) error {
		p := url.Values{"GroupName": {args[0]}}
		if *path != "" {
			p.Set("Path", *path)
		}
		var g ac.GroupResult
		if err := s.client.Do(ctx, ac.IAM, "CreateGroup", p, &g); err != nil {
			return err
		}
		return s.out.result(g, func(t *text) { groupFields(t, g.Group) })
	}
}

func groupFields(t *text, g ac.Group, extra ...string) {
	t.fields(append([]string{
		"GroupName", g.GroupName,
		"GroupId", g.GroupId,
		"Arn", g.Arn,
		"Path", g.Path,
		"CreateDate", g.CreateDate,
		"Status", g.Status,
	}, extra...)...)
}

func groupGet(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, s *session, args []string) error {
		p := url.Values{"GroupName": {args[0]}}
		// GetGroup pages through the members; the group is on every page.
		var group ac.Group
		members, err := ac.ListAll(ctx, s.client, ac.IAM, "GetGroup", p,
			func(r *ac.GetGroupResult) ([]ac.User, ac.Pagination) {
				group = r.Group
				return r.Users, r.Pagination
			})
		if err != nil {
			return err
		}
		attached, err := ac.ListAll(ctx, s.client, ac.IAM, "ListAttachedGroupPolicies", p,
			func(r *ac.ListAttachedPoliciesResult) ([]ac.AttachedPolicy, ac.Pagination) {
				return r.AttachedPolicies, r.Pagination
			})
		if err != nil {
			return err
		}
		names := make([]string, len(members))
		for i, u := range members {
			names[i] = u.UserName
		}
		out := struct {
			Group            ac.Group
			Users            []ac.User
			AttachedPolicies []ac.AttachedPolicy
		}{group, nonNil(members), nonNil(attached)}
		return s.out.result(out, func(t *text) {
			groupFields(t, group, "Members", list(names), "AttachedPolicies", list(attachedNames(attached)))
		})
	}
}

func groupList(fs *flag.FlagSet) runFunc {
	prefix := fs.String("path-prefix", "", "only groups whose path starts with this")
	return func(ctx context.Context, s *session, _ []string) error {
		p := url.Values{}
		if *prefix != "" {
			p.Set("PathPrefix", *prefix)
		}
		groups, err := ac.ListAll(ctx, s.client, ac.IAM, "ListGroups", p,
			func(r *ac.ListGroupsResult) ([]ac.Group, ac.Pagination) { return r.Groups, r.Pagination })
		if err != nil {
			return err
		}
		return s.out.result(struct{ Groups []ac.Group }{nonNil(groups)}, func(t *text) {
			rows := make([][]string, len(groups))
			for i, g := range groups {
				rows[i] = []string{g.GroupName, g.GroupId, g.Status, g.CreateDate, g.Arn}
			}
			t.table([]string{"NAME", "ID", "STATUS", "CREATED", "ARN"}, rows)
		})
	}
}

func groupDelete(fs *flag.FlagSet) runFunc {
	force := fs.Bool("force", false, "delete even when the group has members or policies")
	return func(ctx context.Context, s *session, args []string) error {
		p := url.Values{"GroupName": {args[0]}}
		if *force {
			p.Set("Force", "true")
		}
		if err := s.client.Do(ctx, ac.IAM, "DeleteGroup", p, nil); err != nil {
			return err
		}
		return s.out.done("deleted group %s", args[0])
	}
}

// groupMembers runs action once per user, stopping at the first failure
// (the users before it have been changed, and were reported).
func groupMembers(action, doneFmt string) func(fs *flag.FlagSet) runFunc {
	return func(fs *flag.FlagSet) runFunc {
		return func(ctx context.Context, s *session, args []string) error {
			group := args[0]
			for _, user := range args[1:] {
				if err := s.client.Do(ctx, ac.IAM, action, url.Values{"GroupName": {group}, "UserName": {user}}, nil); err != nil {
					return err
				}
				if err := s.out.done(doneFmt, user, group); err != nil {
					return err
				}
			}
			return nil
		}
	}
}

func groupStatus(status, word string) func(fs *flag.FlagSet) runFunc {
	return func(fs *flag.FlagSet) runFunc {
		return func(ctx context.Context, s *session, args []string) error {
			if err := s.client.Do(ctx, ac.IAM, "UpdateGroup", url.Values{"GroupName": {args[0]}, "Status": {status}}, nil); err != nil {
				return err
			}
			return s.out.done("group %s %s", args[0], word)
		}
	}
}
