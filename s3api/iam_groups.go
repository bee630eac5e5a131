package s3api

import "github.com/cairn-s3/cairn/iam"

func (c *iamCall) createGroup() (*response, error) {
	name, err := c.form.required("GroupName")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("group", name)); err != nil {
		return nil, err
	}
	g, err := c.svc.CreateGroup(c.rq.ctx, name, c.form.get("Path"))
	if err != nil {
		return nil, err
	}
	return c.ok(func(w *xmlWriter) { c.writeGroup(w, "Group", g) })
}

func (c *iamCall) getGroup() (*response, error) {
	if err := c.checkPaging(); err != nil {
		return nil, err
	}
	name, err := c.form.required("GroupName")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("group", name)); err != nil {
		return nil, err
	}
	g, ok := c.dir.Group(name)
	if !ok {
		return nil, noSuch("group", name)
	}
	return c.ok(func(w *xmlWriter) {
		c.writeGroup(w, "Group", g)
		w.open("Users")
		for _, m := range g.Members {
			if u, ok := c.dir.User(m); ok {
				c.writeUser(w, "member", u)
			}
		}
		w.close("Users")
		writeIsTruncated(w)
	})
}

func (c *iamCall) listGroups() (*response, error) {
	return listUnderPath(c, "Groups", c.dir.Groups(), func(g iam.Group) string { return g.Path }, c.writeGroup)
}

func (c *iamCall) updateGroup() (*response, error) {
	name, err := c.form.required("GroupName")
	if err != nil {
		return nil, err
	}
	in := UpdateGroupInput{
		GroupName:    name,
		NewGroupName: c.form.optString("NewGroupName"),
		NewPath:      c.form.optString("NewPath"),
	}
	if in.Disabled, err = c.form.optDisabled(); err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("group", name)); err != nil {
		return nil, err
	}
	if in.NewGroupName != nil {
		if err := c.allow(c.arn("group", *in.NewGroupName)); err != nil {
			return nil, err
		}
	}
	if _, err := c.svc.UpdateGroup(c.rq.ctx, in); err != nil {
		return nil, err
	}
	return c.ok(nil)
}

func (c *iamCall) deleteGroup() (*response, error) {
	name, err := c.form.required("GroupName")
	if err != nil {
		return nil, err
	}
	force, err := c.form.flag("Force")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("group", name)); err != nil {
		return nil, err
	}
	if err := c.svc.DeleteGroup(c.rq.ctx, name, force); err != nil {
		return nil, err
	}
	return c.ok(nil)
}

// groupMember reads GroupName and UserName, authorizing the call on the
// group (AWS's resource for AddUserToGroup and RemoveUserFromGroup).
func (c *iamCall) groupMember() (group, user string, err error) {
	if group, err = c.form.required("GroupName"); err != nil {
		return "", "", err
	}
	if user, err = c.form.required("UserName"); err != nil {
		return "", "", err
	}
	return group, user, c.allow(c.arn("group", group))
}

func (c *iamCall) addUserToGroup() (*response, error) {
	group, user, err := c.groupMember()
	if err != nil {
		return nil, err
	}
	if err := c.svc.AddUserToGroup(c.rq.ctx, group, user); err != nil {
		return nil, err
	}
	return c.ok(nil)
}

func (c *iamCall) removeUserFromGroup() (*response, error) {
	group, user, err := c.groupMember()
	if err != nil {
		return nil, err
	}
	if err := c.svc.RemoveUserFromGroup(c.rq.ctx, group, user); err != nil {
		return nil, err
	}
	return c.ok(nil)
}

func (c *iamCall) listGroupsForUser() (*response, error) {
	if err := c.checkPaging(); err != nil {
		return nil, err
	}
	name, err := c.form.required("UserName")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("user", name)); err != nil {
		return nil, err
	}
	if _, ok := c.dir.User(name); !ok {
		return nil, noSuch("user", name)
	}
	groups := c.dir.GroupsForUser(name)
	return c.ok(func(w *xmlWriter) {
		w.open("Groups")
		for _, g := range groups {
			c.writeGroup(w, "member", g)
		}
		w.close("Groups")
		writeIsTruncated(w)
	})
}
