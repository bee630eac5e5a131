package s3api

import (
	"strings"

	"github.com/cairn-s3/cairn/iam"
)

// checkPaging accepts the list actions' Marker and MaxItems. Cairn's IAM
// sets are small and held in memory, so every list returns everything
// with IsTruncated false; MaxItems is still range-checked as AWS does.
func (c *iamCall) checkPaging() error {
	_, err := c.form.intIn("MaxItems", 1, 1000, 100)
	return err
}

// pathPrefix returns the PathPrefix filter ("/" when absent).
func (c *iamCall) pathPrefix() string {
	if p := c.form.get("PathPrefix"); p != "" {
		return p
	}
	return "/"
}

func underPath(path, prefix string) bool { return strings.HasPrefix(orSlash(path), prefix) }

// listUnderPath answers the List{Users,Groups,Roles} actions: the entities
// whose path is under PathPrefix, each written as a member of elem.
func listUnderPath[T any](c *iamCall, elem string, items []T, path func(T) string, write func(*xmlWriter, string, T)) (*response, error) {
	if err := c.checkPaging(); err != nil {
		return nil, err
	}
	if err := c.allow("*"); err != nil {
		return nil, err
	}
	prefix := c.pathPrefix()
	return c.ok(func(w *xmlWriter) {
		w.open(elem)
		for _, it := range items {
			if underPath(path(it), prefix) {
				write(w, "member", it)
			}
		}
		w.close(elem)
		writeIsTruncated(w)
	})
}

func (c *iamCall) createUser() (*response, error) {
	name, err := c.form.required("UserName")
	if err != nil {
		return nil, err
	}
	uid, err := c.form.optUint32("PosixUid")
	if err != nil {
		return nil, err
	}
	gid, err := c.form.optUint32("PosixGid")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("user", name)); err != nil {
		return nil, err
	}
	u, err := c.svc.CreateUser(c.rq.ctx, CreateUserInput{
		UserName:    name,
		Path:        c.form.get("Path"),
		DisplayName: c.form.get("DisplayName"),
		PosixUID:    uid,
		PosixGID:    gid,
	})
	if err != nil {
		return nil, err
	}
	return c.ok(func(w *xmlWriter) { c.writeUser(w, "User", u) })
}

func (c *iamCall) getUser() (*response, error) {
	if c.form.get("UserName") == "" && c.ident.Kind == iam.KindRoot {
		// AWS answers the root user's own GetUser with the account's root.
		if err := c.allow(rootARN(c.account())); err != nil {
			return nil, err
		}
		return c.ok(func(w *xmlWriter) {
			w.open("User")
			w.elem("Path", "/")
			w.elem("UserName", "root")
			w.elem("UserId", c.account())
			w.elem("Arn", rootARN(c.account()))
			w.elem("CanonicalId", c.ident.CanonicalID)
			w.close("User")
		})
	}
	name, err := c.selfUser("UserName")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("user", name)); err != nil {
		return nil, err
	}
	u, ok := c.dir.User(name)
	if !ok {
		return nil, noSuch("user", name)
	}
	return c.ok(func(w *xmlWriter) { c.writeUser(w, "User", u) })
}

func (c *iamCall) listUsers() (*response, error) {
	return listUnderPath(c, "Users", c.dir.Users(), func(u iam.User) string { return u.Path }, c.writeUser)
}

func (c *iamCall) updateUser() (*response, error) {
	name, err := c.form.required("UserName")
	if err != nil {
		return nil, err
	}
	in := UpdateUserInput{
		UserName:    name,
		NewUserName: c.form.optString("NewUserName"),
		NewPath:     c.form.optString("NewPath"),
		DisplayName: c.form.optString("DisplayName"),
	}
	if in.Disabled, err = c.form.optDisabled(); err != nil {
		return nil, err
	}
	if in.PosixUID, err = c.form.optUint32("PosixUid"); err != nil {
		return nil, err
	}
	if in.PosixGID, err = c.form.optUint32("PosixGid"); err != nil {
		return nil, err
	}
	if in.AllowCreateBucket, err = c.form.optBool("AllowCreateBucket"); err != nil {
		return nil, err
	}
	if in.AllowDeleteBucket, err = c.form.optBool("AllowDeleteBucket"); err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("user", name)); err != nil {
		return nil, err
	}
	if in.NewUserName != nil {
		// Renaming also needs the permission on the new name, as in AWS.
		if err := c.allow(c.arn("user", *in.NewUserName)); err != nil {
			return nil, err
		}
	}
	if _, err := c.svc.UpdateUser(c.rq.ctx, in); err != nil {
		return nil, err
	}
	return c.ok(nil)
}

// parseStatus reads Status=Active|Inactive as "disabled".
func parseStatus(v string) (bool, error) {
	switch {
	case strings.EqualFold(v, iam.StatusActive):
		return false, nil
	case strings.EqualFold(v, iam.StatusInactive):
		return true, nil
	}
	return false, iamErrf(ErrIAMValidationError, "1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", clipValue(v))
}

// canonicalStatus returns "Active" or "Inactive" for any case of either.
func canonicalStatus(v string) (string, error) {
	d, err := parseStatus(v)
	if err != nil {
		return "", err
	}
	return status(d), nil
}

func (c *iamCall) deleteUser() (*response, error) {
	name, err := c.form.required("UserName")
	if err != nil {
		return nil, err
	}
	force, err := c.form.flag("Force")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("user", name)); err != nil {
		return nil, err
	}
	if err := c.svc.DeleteUser(c.rq.ctx, name, force); err != nil {
		return nil, err
	}
	return c.ok(nil)
}

func (c *iamCall) createAccessKey() (*response, error) {
	name, err := c.selfUser("UserName")
	if err != nil {
		return nil, err
	}
	ak, sk := c.form.get("AccessKeyId"), c.form.get("SecretAccessKey")
	if (ak == "") != (sk == "") {
		return nil, iamErrf(ErrIAMInvalidInput, "AccessKeyId and SecretAccessKey must be given together, or neither.")
	}
	if err := c.allow(c.arn("user", name)); err != nil {
		return nil, err
	}
	k, err := c.svc.CreateAccessKey(c.rq.ctx, CreateAccessKeyInput{UserName: name, AccessKeyID: ak, SecretAccessKey: sk})
	if err != nil {
		return nil, err
	}
	return c.ok(func(w *xmlWriter) {
		w.open("AccessKey")
		w.elem("UserName", k.UserName)
		w.elem("AccessKeyId", k.ID)
		w.elem("Status", k.Status)
		w.elem("SecretAccessKey", k.Secret)
		elemIAMTime(w, "CreateDate", k.Created)
		w.close("AccessKey")
	})
}

func (c *iamCall) listAccessKeys() (*response, error) {
	if err := c.checkPaging(); err != nil {
		return nil, err
	}
	name, err := c.selfUser("UserName")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("user", name)); err != nil {
		return nil, err
	}
	if _, ok := c.dir.User(name); !ok {
		return nil, noSuch("user", name)
	}
	keys := c.dir.AccessKeys(name)
	return c.ok(func(w *xmlWriter) {
		w.elem("UserName", name)
		w.open("AccessKeyMetadata")
		for _, k := range keys {
			w.open("member")
			w.elem("UserName", k.UserName)
			w.elem("AccessKeyId", k.ID)
			w.elem("Status", k.Status)
			elemIAMTime(w, "CreateDate", k.Created)
			w.close("member")
		}
		w.close("AccessKeyMetadata")
		writeIsTruncated(w)
	})
}

// keyOwner returns the user an access-key call addresses: UserName, else
// the caller, else (for root) the key's owner.
func (c *iamCall) keyOwner(ak string) (string, error) {
	if v := c.form.get("UserName"); v != "" || c.ident.Kind == iam.KindUser {
		return c.selfUser("UserName")
	}
	if u, ok := c.dir.UserByAccessKey(ak); ok {
		return u.Name, nil
	}
	return "", iamErrf(ErrIAMNoSuchEntity, "The Access Key with id %s cannot be found.", ak)
}

func (c *iamCall) updateAccessKey() (*response, error) {
	ak, err := c.form.required("AccessKeyId")
	if err != nil {
		return nil, err
	}
	st, err := c.form.required("Status")
	if err != nil {
		return nil, err
	}
	if st, err = canonicalStatus(st); err != nil {
		return nil, err
	}
	name, err := c.keyOwner(ak)
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("user", name)); err != nil {
		return nil, err
	}
	if err := c.svc.UpdateAccessKey(c.rq.ctx, name, ak, st); err != nil {
		return nil, err
	}
	return c.ok(nil)
}

func (c *iamCall) deleteAccessKey() (*response, error) {
	ak, err := c.form.required("AccessKeyId")
	if err != nil {
		return nil, err
	}
	name, err := c.keyOwner(ak)
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("user", name)); err != nil {
		return nil, err
	}
	if err := c.svc.DeleteAccessKey(c.rq.ctx, name, ak); err != nil {
		return nil, err
	}
	return c.ok(nil)
}

// revokeSessions (Cairn extension) invalidates every temporary credential
// of a user (UserName) or role (RoleName), authorized as
// iam:RevokeSessions on its ARN.
func (c *iamCall) revokeSessions() (*response, error) {
	user, role := c.form.get("UserName"), c.form.get("RoleName")
	var ref EntityRef
	switch {
	case user != "" && role == "":
		ref = EntityRef{Kind: EntityUser, Name: user}
	case role != "" && user == "":
		ref = EntityRef{Kind: EntityRole, Name: role}
	default:
		return nil, iamErrf(ErrIAMValidationError, "Exactly one of UserName and RoleName must be given.")
	}
	if err := c.allow(c.arn(ref.Kind.String(), ref.Name)); err != nil {
		return nil, err
	}
	if err := c.svc.RevokeSessions(c.rq.ctx, ref); err != nil {
		return nil, err
	}
	return c.ok(nil)
}
