package s3api

import (
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// STS session limits (seconds): DurationSeconds 900–43200, default 3600.
const (
	minSessionSeconds     = 900
	maxSessionSeconds     = 43200
	defaultSessionSeconds = 3600
	// selfSessionName names a self-form session whose client sent no
	// RoleSessionName (WEKA's AssumeRole does not require one).
	selfSessionName = "cairn-session"
)

// rootARN is the ARN of the account's root principal.
func rootARN(account string) string { return iam.ARN(account, "root", "") }

// assumedRoleARN is the STS ARN of a role session.
func assumedRoleARN(account, role, session string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session
}

// parentUser is the user an identity acts for: itself, or the parent of a
// service account or user session. "" for root, anonymous and role
// sessions.
func parentUser(id iam.Identity) string {
	switch id.Kind {
	case iam.KindUser:
		return id.Name
	case iam.KindServiceAccount, iam.KindSession:
		if id.RoleName != "" {
			return ""
		}
		if id.ParentUser != "" {
			return id.ParentUser
		}
		return id.Name
	}
	return ""
}

// callerARN is the ARN GetCallerIdentity (and AccessDenied messages) show
// for an identity.
func callerARN(account string, id iam.Identity) string {
	switch id.Kind {
	case iam.KindRoot:
		return rootARN(account)
	case iam.KindSession:
		if id.RoleName != "" {
			return assumedRoleARN(account, id.RoleName, id.SessionName)
		}
	case iam.KindAnonymous:
		return "anonymous"
	}
	return iam.ARN(account, "user", parentUser(id))
}

// validSessionName checks a RoleSessionName: 2–64 of [\w+=,.@-].
func validSessionName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '_', c == '+', c == '=', c == ',', c == '.', c == '@', c == '-':
		default:
			return false
		}
	}
	return true
}

// assumeRole issues a role session, or (the WEKA form) a session of the
// caller's own user when RoleArn names that user.
//
// Role form: Directory.CanAssumeRole decides, as AWS does within one
// account: an explicit Deny of sts:AssumeRole in the caller's policies
// refuses; a trust statement naming the caller itself allows; one naming
// only the account allows when the caller's identity policies also allow
// sts:AssumeRole on the role's ARN; root has its administrative override.
// DurationSeconds may not exceed the role's MaxSessionDuration. Self form: any authenticated
// user may assume itself (RoleArn "arn:aws:iam::<acct>:user/<self>", or a
// role ARN naming itself when no such role exists); the session carries
// the user's permissions, narrowed by the session policy.
func (c *iamCall) assumeRole() (*response, error) {
	roleARN, err := c.form.required("RoleArn")
	if err != nil {
		return nil, err
	}
	secs, err := c.form.intIn("DurationSeconds", minSessionSeconds, maxSessionSeconds, defaultSessionSeconds)
	if err != nil {
		return nil, err
	}
	if len(c.form.members("PolicyArns")) > 0 || c.form.get("PolicyArns.member.1.arn") != "" {
		return nil, iamErrf(ErrIAMValidationError, "PolicyArns (managed session policies) are not supported; pass the session policy in Policy.")
	}
	session, given := c.form.lookup("RoleSessionName")
	if given && !validSessionName(session) {
		return nil, iamErrf(ErrIAMValidationError, "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64 and match [\\w+=,.@-]*", clipValue(session))
	}
	acct, kind, name, perr := iam.ParseIAMARN(roleARN)
	if perr != nil || (kind != "role" && kind != "user") {
		return nil, iamErrf(ErrIAMValidationError, "%s is invalid: RoleArn must be the ARN of a role, or of your own user.", clipValue(roleARN))
	}
	denied := iamErrf(ErrAccessDenied, "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", callerARN(c.account(), c.ident), clipValue(roleARN))
	if acct != "" && acct != c.account() {
		return nil, denied
	}
	in := AssumeRoleInput{
		RoleSessionName: session,
		Duration:        time.Duration(secs) * time.Second,
		Policy:          c.form.get("Policy"),
	}
	self := parentUser(c.ident)
	role, isRole := iam.Role{}, false
	if kind == "role" {
		role, isRole = c.dir.Role(name)
	}
	switch {
	case isRole:
		if !given {
			return nil, c.form.missing("RoleSessionName")
		}
		if d := c.dir.CanAssumeRole(c.ident, role.Name); !d.Allowed {
			c.s.log.Debug("sts assume-role denied by trust policy", "request_id", c.rq.id, "role", role.Name,
				"principal", c.ident.Name, "policy", d.Policy, "statement", d.Statement, "reason", d.Reason)
			return nil, denied
		}
		if secs > maxSessionDuration(role) {
			return nil, iamErrf(ErrIAMValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		in.RoleName = role.Name
	case self != "" && name == self:
		if !given {
			in.RoleSessionName = selfSessionName
		}
	default:
		return nil, denied
	}
	creds, err := c.svc.AssumeRole(c.rq.ctx, c.ident, in)
	if err != nil {
		return nil, err
	}
	var arn, id string
	if isRole {
		arn, id = assumedRoleARN(c.account(), role.Name, in.RoleSessionName), role.ID+":"+in.RoleSessionName
	} else {
		u, _ := c.dir.User(self)
		arn, id = iam.ARN(c.account(), "user", self), u.ID+":"+in.RoleSessionName
	}
	return c.ok(func(w *xmlWriter) {
		writeCredentials(w, creds)
		w.open("AssumedRoleUser")
		w.elem("Arn", arn)
		w.elem("AssumedRoleId", id)
		w.close("AssumedRoleUser")
	})
}

// missing is the error for an absent required parameter.
func (f iamForm) missing(name string) error {
	_, err := iamForm{}.required(name)
	return err
}

func (c *iamCall) getSessionToken() (*response, error) {
	secs, err := c.form.intIn("DurationSeconds", minSessionSeconds, maxSessionSeconds, defaultSessionSeconds)
	if err != nil {
		return nil, err
	}
	creds, err := c.svc.GetSessionToken(c.rq.ctx, c.ident, time.Duration(secs)*time.Second)
	if err != nil {
		return nil, err
	}
	return c.ok(func(w *xmlWriter) { writeCredentials(w, creds) })
}

// getCallerIdentity needs no permission (as in AWS): it tells a caller
// only who it already is.
func (c *iamCall) getCallerIdentity() (*response, error) {
	id := c.ident
	userID := id.UserID
	switch {
	case id.Kind == iam.KindRoot:
		userID = c.account()
	case id.Kind == iam.KindSession && id.RoleName != "":
		userID = id.UserID + ":" + id.SessionName
	case userID == "":
		userID = id.AccessKey
	}
	return c.ok(func(w *xmlWriter) {
		w.elem("Arn", callerARN(c.account(), id))
		w.elem("UserId", userID)
		w.elem("Account", c.account())
	})
}

func writeCredentials(w *xmlWriter, creds STSCredentials) {
	w.open("Credentials")
	w.elem("AccessKeyId", creds.AccessKeyID)
	w.elem("SecretAccessKey", creds.SecretAccessKey)
	w.elem("SessionToken", creds.SessionToken)
	elemIAMTime(w, "Expiration", creds.Expiration)
	w.close("Credentials")
}
