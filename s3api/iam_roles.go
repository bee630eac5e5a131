package s3api

import "github.com/cairn-s3/cairn/iam"

// Role session limits (seconds), as AWS.
const (
	defaultRoleSession = 3600
	minRoleSession     = 3600
	maxRoleSession     = 43200
)

// maxSessionDuration is a role's MaxSessionDuration, defaulted.
func maxSessionDuration(r iam.Role) int {
	if r.MaxSessionDuration <= 0 {
		return defaultRoleSession
	}
	return r.MaxSessionDuration
}

func (c *iamCall) createRole() (*response, error) {
	name, err := c.form.required("RoleName")
	if err != nil {
		return nil, err
	}
	trust, err := c.form.required("AssumeRolePolicyDocument")
	if err != nil {
		return nil, err
	}
	maxDur, err := c.form.intIn("MaxSessionDuration", minRoleSession, maxRoleSession, 0)
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("role", name)); err != nil {
		return nil, err
	}
	r, err := c.svc.CreateRole(c.rq.ctx, CreateRoleInput{
		RoleName:                 name,
		Path:                     c.form.get("Path"),
		Description:              c.form.get("Description"),
		AssumeRolePolicyDocument: trust,
		MaxSessionDuration:       maxDur,
	})
	if err != nil {
		return nil, err
	}
	return c.ok(func(w *xmlWriter) { c.writeRole(w, "Role", r) })
}

func (c *iamCall) getRole() (*response, error) {
	name, err := c.form.required("RoleName")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("role", name)); err != nil {
		return nil, err
	}
	r, ok := c.dir.Role(name)
	if !ok {
		return nil, noSuch("role", name)
	}
	return c.ok(func(w *xmlWriter) { c.writeRole(w, "Role", r) })
}

func (c *iamCall) listRoles() (*response, error) {
	return listUnderPath(c, "Roles", c.dir.Roles(), func(r iam.Role) string { return r.Path }, c.writeRole)
}

func (c *iamCall) deleteRole() (*response, error) {
	name, err := c.form.required("RoleName")
	if err != nil {
		return nil, err
	}
	if err := c.allow(c.arn("role", name)); err != nil {
		return nil, err
	}
	if err := c.svc.DeleteRole(c.rq.ctx, name); err != nil {
		return nil, err
	}
	return c.ok(nil)
}
