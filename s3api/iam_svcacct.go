package s3api

import (
	"github.com/cairn-s3/cairn/iam"
)

// Service accounts (a Cairn extension on the IAM endpoint, WEKA
// semantics) are managed only by their parent user, with its own
// long-term credentials. No policy permission is asked for: a service
// account can never do more than its parent, so creating one grants
// nothing new. Root, service accounts and sessions are refused here
// (and again by the service, which also hides other users' accounts).

// requireParent refuses callers that are not an IAM user with long-term
// credentials.
func (c *iamCall) requireParent() error {
	if c.ident.Kind == iam.KindUser {
		return nil
	}
	return iamErrf(ErrAccessDenied, "Service accounts are managed only by their parent user with its own credentials; %s credentials cannot %s.", c.ident.Kind, c.action)
}

func (c *iamCall) createServiceAccount() (*response, error) {
	if err := c.requireParent(); err != nil {
		return nil, err
	}
	exp, err := c.form.optTime("Expiration")
	if err != nil {
		return nil, err
	}
	in := CreateServiceAccountInput{
		Name:        c.form.get("Name"),
		Description: c.form.get("Description"),
		Policy:      c.form.get("Policy"),
	}
	if exp != nil {
		in.Expiration = *exp
	}
	sa, err := c.svc.CreateServiceAccount(c.rq.ctx, c.ident, in)
	if err != nil {
		return nil, err
	}
	return c.ok(func(w *xmlWriter) { writeServiceAccount(w, "ServiceAccount", sa, true) })
}

func (c *iamCall) listServiceAccounts() (*response, error) {
	if err := c.requireParent(); err != nil {
		return nil, err
	}
	list, err := c.svc.ListServiceAccounts(c.rq.ctx, c.ident)
	if err != nil {
		return nil, err
	}
	return c.ok(func(w *xmlWriter) {
		w.open("ServiceAccounts")
		for _, sa := range list {
			writeServiceAccount(w, "member", sa, false)
		}
		w.close("ServiceAccounts")
		writeIsTruncated(w)
	})
}

func (c *iamCall) getServiceAccount() (*response, error) {
	if err := c.requireParent(); err != nil {
		return nil, err
	}
	ak, err := c.form.required("AccessKeyId")
	if err != nil {
		return nil, err
	}
	sa, err := c.svc.GetServiceAccount(c.rq.ctx, c.ident, ak)
	if err != nil {
		return nil, err
	}
	return c.ok(func(w *xmlWriter) { writeServiceAccount(w, "ServiceAccount", sa, false) })
}

func (c *iamCall) updateServiceAccount() (*response, error) {
	if err := c.requireParent(); err != nil {
		return nil, err
	}
	ak, err := c.form.required("AccessKeyId")
	if err != nil {
		return nil, err
	}
	in := UpdateServiceAccountInput{
		AccessKeyID: ak,
		Policy:      c.form.optString("Policy"),
		Description: c.form.optString("Description"),
	}
	if v, ok := c.form.lookup("Status"); ok {
		st, err := canonicalStatus(v)
		if err != nil {
			return nil, err
		}
		in.Status = &st
	}
	if in.Expiration, err = c.form.optTime("Expiration"); err != nil {
		return nil, err
	}
	if err := c.svc.UpdateServiceAccount(c.rq.ctx, c.ident, in); err != nil {
		return nil, err
	}
	return c.ok(nil)
}

func (c *iamCall) deleteServiceAccount() (*response, error) {
	if err := c.requireParent(); err != nil {
		return nil, err
	}
	ak, err := c.form.required("AccessKeyId")
	if err != nil {
		return nil, err
	}
	if err := c.svc.DeleteServiceAccount(c.rq.ctx, c.ident, ak); err != nil {
		return nil, err
	}
	return c.ok(nil)
}
