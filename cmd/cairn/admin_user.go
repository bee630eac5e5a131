package main

import (
	"context"
	"flag"
	"net/url"

	ac "github.com/cairn-s3/cairn/cmd/cairn/internal/adminclient"
)

// `cairn admin user …`: IAM users (CreateUser, GetUser, ListUsers,
// UpdateUser, DeleteUser, RevokeSessions) and their access keys
// (CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey).

func userCommands() []command {
	return []command{
		{resource: "user", verb: "create", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "create a user; with --password also a key whose ID is NAME and whose secret is the password",
			setup:   userCreate},
		{resource: "user", verb: "get", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "show a user with its groups and policies", setup: userGet},
		{resource: "user", verb: "list", maxArgs: 0,
			summary: "list users", setup: userList},
		{resource: "user", verb: "update", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "change a user's name, path, display name, POSIX ids or bucket flags", setup: userUpdate},
		{resource: "user", verb: "delete", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "delete a user (--force: with its keys, policies and memberships)", setup: userDelete},
		{resource: "user", verb: "enable", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "enable a user", setup: userStatus("Active")},
		{resource: "user", verb: "disable", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "disable a user: its keys, service accounts and sessions stop working", setup: userStatus("Inactive")},
		{resource: "user", verb: "revoke-sessions", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "invalidate every temporary credential issued to a user", setup: userRevokeSessions},
		{resource: "user", verb: "add-key", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "create an access key (generated, or --id and --secret as given)", setup: userAddKey},
		{resource: "user", verb: "list-keys", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "list a user's access keys", setup: userListKeys},
		{resource: "user", verb: "update-key", args: "NAME KEY-ID", minArgs: 2, maxArgs: 2,
			summary: "activate or deactivate an access key (--status Active|Inactive)", setup: userUpdateKey},
		{resource: "user", verb: "delete-key", args: "NAME KEY-ID", minArgs: 2, maxArgs: 2,
			summary: "delete an access key", setup: userDeleteKey},
	}
}

func userCreate(fs *flag.FlagSet) runFunc {
	password := fs.String("password", "", "also create an access key with ID NAME and this secret (WEKA style)")
	path := fs.String("path", "", "IAM path, e.g. /engineering/")
	display := fs.String("display-name", "", "display name")
	uid := fs.String("posix-uid", "", "POSIX uid stamped on objects the user writes")
	gid := fs.String("posix-gid", "", "POSIX gid stamped on objects the user writes")
	return func(ctx context.Context, s *session, args []string) error {
		name := args[0]
		p := url.Values{"UserName": {name}}
		if *path != "" {
			p.Set("Path", *path)
		}
		if *display != "" {
			p.Set("DisplayName", *display)
		}
		for _, f := range []struct{ flag, param, v string }{{"posix-uid", "PosixUid", *uid}, {"posix-gid", "PosixGid", *gid}} {
			if f.v == "" {
				continue
			}
			n, err := parseUint32(f.flag, f.v)
			if err != nil {
				return err
			}
			p.Set(f.param, n)
		}
		var u ac.UserResult
		if err := s.client.Do(ctx, ac.IAM, "CreateUser", p, &u); err != nil {
			return err
		}
		var key *ac.AccessKey
		if *password != "" {
			var k ac.CreateAccessKeyResult
			err := s.client.Do(ctx, ac.IAM, "CreateAccessKey", url.Values{
				"UserName": {name}, "AccessKeyId": {name}, "SecretAccessKey": {*password},
			}, &k)
			if err != nil {
				// Undo the user so the command can simply be run again.
				if derr := s.client.Do(ctx, ac.IAM, "DeleteUser", url.Values{"UserName": {name}}, nil); derr != nil {
					return errPartial("user "+name+" was created and its key was not ("+err.Error()+"); deleting the user again failed too", derr)
				}
				return errPartial("user "+name+" was created and deleted again", err)
			}
			// The secret is the operator's own password: not echoed back.
			k.AccessKey.SecretAccessKey = ""
			key = &k.AccessKey
		}
		out := struct {
			User      ac.User
			AccessKey *ac.AccessKey `json:",omitempty"`
		}{u.User, key}
		return s.out.result(out, func(t *text) {
			userFields(t, u.User)
			if key != nil {
				t.fields("AccessKeyId", key.AccessKeyId)
			}
		})
	}
}

// userFields prints one user as key/value lines.
func userFields(t *text, u ac.User, extra ...string) {
	kv := []string{
		"UserName", u.UserName,
		"UserId", u.UserId,
		"Arn", u.Arn,
		"Path", u.Path,
		"CreateDate", u.CreateDate,
		"Status", u.Status,
		"DisplayName", u.DisplayName,
		"CanonicalId", u.CanonicalId,
		"PosixUid", optUint(u.PosixUid),
		"PosixGid", optUint(u.PosixGid),
		"AllowCreateBucket", optBool(u.AllowCreateBucket),
		"AllowDeleteBucket", optBool(u.AllowDeleteBucket),
	}
	t.fields(append(kv, extra...)...)
}

func userGet(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, s *session, args []string) error {
		p := url.Values{"UserName": {args[0]}}
		var u ac.UserResult
		if err := s.client.Do(ctx, ac.IAM, "GetUser", p, &u); err != nil {
			return err
		}
		groups, err := ac.ListAll(ctx, s.client, ac.IAM, "ListGroupsForUser", p,
			func(r *ac.ListGroupsResult) ([]ac.Group, ac.Pagination) { return r.Groups, r.Pagination })
		if err != nil {
			return err
		}
		attached, err := ac.ListAll(ctx, s.client, ac.IAM, "ListAttachedUserPolicies", p,
			func(r *ac.ListAttachedPoliciesResult) ([]ac.AttachedPolicy, ac.Pagination) {
				return r.AttachedPolicies, r.Pagination
			})
		if err != nil {
			return err
		}
		inline, err := ac.ListAll(ctx, s.client, ac.IAM, "ListUserPolicies", p,
			func(r *ac.ListPolicyNamesResult) ([]string, ac.Pagination) { return r.PolicyNames, r.Pagination })
		if err != nil {
			return err
		}
		groupNames := make([]string, len(groups))
		for i, g := range groups {
			groupNames[i] = g.GroupName
		}
		out := struct {
			User             ac.User
			Groups           []string
			AttachedPolicies []ac.AttachedPolicy
			InlinePolicies   []string
		}{u.User, nonNil(groupNames), nonNil(attached), nonNil(inline)}
		return s.out.result(out, func(t *text) {
			userFields(t, u.User,
				"Groups", list(groupNames),
				"AttachedPolicies", list(attachedNames(attached)),
				"InlinePolicies", list(inline))
		})
	}
}

func userList(fs *flag.FlagSet) runFunc {
	prefix := fs.String("path-prefix", "", "only users whose path starts with this")
	return func(ctx context.Context, s *session, _ []string) error {
		p := url.Values{}
		if *prefix != "" {
			p.Set("PathPrefix", *prefix)
		}
		users, err := ac.ListAll(ctx, s.client, ac.IAM, "ListUsers", p,
			func(r *ac.ListUsersResult) ([]ac.User, ac.Pagination) { return r.Users, r.Pagination })
		if err != nil {
			return err
		}
		return s.out.result(struct{ Users []ac.User }{nonNil(users)}, func(t *text) {
			rows := make([][]string, len(users))
			for i, u := range users {
				rows[i] = []string{u.UserName, u.UserId, u.Status, u.CreateDate, u.Arn}
			}
			t.table([]string{"NAME", "ID", "STATUS", "CREATED", "ARN"}, rows)
		})
	}
}

func userUpdate(fs *flag.FlagSet) runFunc {
	newName := fs.String("new-name", "", "rename the user")
	newPath := fs.String("new-path", "", "move the user to another IAM path")
	display := fs.String("display-name", "", "display name")
	uid := fs.String("posix-uid", "", "POSIX uid stamped on objects the user writes")
	gid := fs.String("posix-gid", "", "POSIX gid stamped on objects the user writes")
	createBucket := fs.Bool("allow-create-bucket", false, "allow creating buckets without a policy (=false to revoke)")
	deleteBucket := fs.Bool("allow-delete-bucket", false, "allow deleting own buckets without a policy (=false to revoke)")
	return func(ctx context.Context, s *session, args []string) error {
		set := flagsSet(fs)
		p := url.Values{"UserName": {args[0]}}
		for _, f := range []struct{ flag, param, v string }{
			{"new-name", "NewUserName", *newName},
			{"new-path", "NewPath", *newPath},
			{"display-name", "DisplayName", *display},
		} {
			if set[f.flag] {
				p.Set(f.param, f.v)
			}
		}
		for _, f := range []struct{ flag, param, v string }{{"posix-uid", "PosixUid", *uid}, {"posix-gid", "PosixGid", *gid}} {
			if !set[f.flag] {
				continue
			}
			n, err := parseUint32(f.flag, f.v)
			if err != nil {
				return err
			}
			p.Set(f.param, n)
		}
		for _, f := range []struct {
			flag, param string
			v           bool
		}{{"allow-create-bucket", "AllowCreateBucket", *createBucket}, {"allow-delete-bucket", "AllowDeleteBucket", *deleteBucket}} {
			if set[f.flag] {
				p.Set(f.param, optBool(&f.v))
			}
		}
		if len(p) == 1 {
			return usagef("nothing to change: give at least one of --new-name, --new-path, --display-name, --posix-uid, --posix-gid, --allow-create-bucket, --allow-delete-bucket")
		}
		return updateUser(ctx, s, p)
	}
}

// updateUser calls UpdateUser and shows the user as it now is. UpdateUser
// has no result in AWS, so a GetUser follows (under the new name after a
// rename).
func updateUser(ctx context.Context, s *session, p url.Values) error {
	if err := s.client.Do(ctx, ac.IAM, "UpdateUser", p, nil); err != nil {
		return err
	}
	var u ac.UserResult
	name := p.Get("UserName")
	if n := p.Get("NewUserName"); n != "" {
		name = n
	}
	if err := s.client.Do(ctx, ac.IAM, "GetUser", url.Values{"UserName": {name}}, &u); err != nil {
		return errPartial("user updated", err)
	}
	return s.out.result(u, func(t *text) { userFields(t, u.User) })
}

func userStatus(status string) func(fs *flag.FlagSet) runFunc {
	return func(fs *flag.FlagSet) runFunc {
		return func(ctx context.Context, s *session, args []string) error {
			return updateUser(ctx, s, url.Values{"UserName": {args[0]}, "Status": {status}})
		}
	}
}

func userDelete(fs *flag.FlagSet) runFunc {
	force := fs.Bool("force", false, "also delete the user's keys, service accounts, policies and memberships")
	return func(ctx context.Context, s *session, args []string) error {
		p := url.Values{"UserName": {args[0]}}
		if *force {
			p.Set("Force", "true")
		}
		if err := s.client.Do(ctx, ac.IAM, "DeleteUser", p, nil); err != nil {
			return err
		}
		return s.out.done("deleted user %s", args[0])
	}
}

func userRevokeSessions(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, s *session, args []string) error {
		if err := s.client.Do(ctx, ac.IAM, "RevokeSessions", url.Values{"UserName": {args[0]}}, nil); err != nil {
			return err
		}
		return s.out.done("revoked all sessions of user %s", args[0])
	}
}

func userAddKey(fs *flag.FlagSet) runFunc {
	id := fs.String("id", "", "access key ID to use instead of a generated one (needs --secret)")
	secret := fs.String("secret", "", "secret key to use instead of a generated one (needs --id)")
	return func(ctx context.Context, s *session, args []string) error {
		p := url.Values{"UserName": {args[0]}}
		if (*id == "") != (*secret == "") {
			return usagef("give both --id and --secret, or neither")
		}
		if *id != "" {
			p.Set("AccessKeyId", *id)
			p.Set("SecretAccessKey", *secret)
		}
		var k ac.CreateAccessKeyResult
		if err := s.client.Do(ctx, ac.IAM, "CreateAccessKey", p, &k); err != nil {
			return err
		}
		if *secret != "" {
			// The operator chose the secret: not echoed back.
			k.AccessKey.SecretAccessKey = ""
		}
		return s.out.result(k, func(t *text) { keyFields(t, k.AccessKey) })
	}
}

func keyFields(t *text, k ac.AccessKey) {
	t.fields(
		"UserName", k.UserName,
		"AccessKeyId", k.AccessKeyId,
		"SecretAccessKey", k.SecretAccessKey,
		"Status", k.Status,
		"CreateDate", k.CreateDate,
	)
}

func userListKeys(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, s *session, args []string) error {
		keys, err := ac.ListAll(ctx, s.client, ac.IAM, "ListAccessKeys", url.Values{"UserName": {args[0]}},
			func(r *ac.ListAccessKeysResult) ([]ac.AccessKey, ac.Pagination) {
				return r.AccessKeyMetadata, r.Pagination
			})
		if err != nil {
			return err
		}
		for i := range keys {
			keys[i].SecretAccessKey = "" // listings never show secrets
		}
		return s.out.result(struct{ AccessKeyMetadata []ac.AccessKey }{nonNil(keys)}, func(t *text) {
			rows := make([][]string, len(keys))
			for i, k := range keys {
				rows[i] = []string{k.AccessKeyId, k.Status, k.CreateDate}
			}
			t.table([]string{"ACCESS KEY", "STATUS", "CREATED"}, rows)
		})
	}
}

func userUpdateKey(fs *flag.FlagSet) runFunc {
	status := fs.String("status", "", "Active or Inactive (required)")
	return func(ctx context.Context, s *session, args []string) error {
		st, err := parseStatus("status", *status)
		if err != nil {
			return err
		}
		p := url.Values{"UserName": {args[0]}, "AccessKeyId": {args[1]}, "Status": {st}}
		if err := s.client.Do(ctx, ac.IAM, "UpdateAccessKey", p, nil); err != nil {
			return err
		}
		return s.out.done("access key %s of user %s is now %s", args[1], args[0], st)
	}
}

func userDeleteKey(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, s *session, args []string) error {
		p := url.Values{"UserName": {args[0]}, "AccessKeyId": {args[1]}}
		if err := s.client.Do(ctx, ac.IAM, "DeleteAccessKey", p, nil); err != nil {
			return err
		}
		return s.out.done("deleted access key %s of user %s", args[1], args[0])
	}
}

func attachedNames(ps []ac.AttachedPolicy) []string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.PolicyName
	}
	return names
}

// nonNil makes empty lists print as [] rather than null in JSON.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
