package s3api

import (
	"net/url"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// The IAM/STS response bodies follow the AWS query protocol: list members
// are <member> elements, timestamps ISO 8601 in UTC without fractions, and
// policy documents are percent-encoded (RFC 3986, as AWS returns them; the
// aws CLI decodes them, SDK users call url.QueryUnescape). Cairn's
// extensions are extra elements inside the AWS ones (SDKs skip elements
// they do not know):
//
//	<User>: Status (Active|Inactive), DisplayName, CanonicalId, PosixUid,
//	        PosixGid, AllowCreateBucket, AllowDeleteBucket
//	<Group>: Status
//	<Policy>: IsBuiltin
//	<ServiceAccount>: AccessKeyId, SecretAccessKey (create only),
//	        ParentUser, Name, Description, Status, Policy (encoded),
//	        Expiration (absent: never), CreateDate
//	SimulatePrincipalPolicy <MatchedStatements><member>: StatementId
//	        (the Sid, or "#<index>"), next to SourcePolicyId; each
//	        EvaluationResults member also carries EvalReason and
//	        DecisionSource (identity, bucket-policy, bucket-acl,
//	        object-acl, session, service-account, root, bucket-owner,
//	        none).

const iamTime = "2006-01-02T15:04:05Z"

func elemIAMTime(w *xmlWriter, name string, t time.Time) {
	w.open(name)
	w.b = t.UTC().AppendFormat(w.b, iamTime)
	w.close(name)
}

// encodeDocument percent-encodes a policy document as AWS returns it:
// every byte but RFC 3986 unreserved characters, spaces as %20.
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

func orSlash(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

func status(disabled bool) string {
	if disabled {
		return iam.StatusInactive
	}
	return iam.StatusActive
}

// writeUser writes a <name> element holding an AWS User plus Cairn's
// extension fields.
func (c *iamCall) writeUser(w *xmlWriter, name string, u iam.User) {
	w.open(name)
	w.elem("Path", orSlash(u.Path))
	w.elem("UserName", u.Name)
	w.elem("UserId", u.ID)
	w.elem("Arn", c.arn("user", u.Name))
	elemIAMTime(w, "CreateDate", u.Created)
	w.elem("Status", status(u.Disabled))
	if u.DisplayName != "" {
		w.elem("DisplayName", u.DisplayName)
	}
	w.elem("CanonicalId", u.CanonicalID)
	if u.PosixUID != nil {
		w.elemInt("PosixUid", int64(*u.PosixUID))
	}
	if u.PosixGID != nil {
		w.elemInt("PosixGid", int64(*u.PosixGID))
	}
	w.elemBool("AllowCreateBucket", u.AllowCreateBucket)
	w.elemBool("AllowDeleteBucket", u.AllowDeleteBucket)
	w.close(name)
}

func (c *iamCall) writeGroup(w *xmlWriter, name string, g iam.Group) {
	w.open(name)
	w.elem("Path", orSlash(g.Path))
	w.elem("GroupName", g.Name)
	w.elem("GroupId", g.ID)
	w.elem("Arn", c.arn("group", g.Name))
	elemIAMTime(w, "CreateDate", g.Created)
	w.elem("Status", status(g.Disabled))
	w.close(name)
}

func (c *iamCall) writePolicy(w *xmlWriter, name string, p iam.ManagedPolicy, attachments int) {
	w.open(name)
	w.elem("PolicyName", p.Name)
	w.elem("PolicyId", p.ID)
	w.elem("Arn", c.arn("policy", p.Name))
	w.elem("Path", orSlash(p.Path))
	w.elem("DefaultVersionId", policyVersion)
	w.elemInt("AttachmentCount", int64(attachments))
	w.elemInt("PermissionsBoundaryUsageCount", 0)
	w.elemBool("IsAttachable", true)
	if p.Description != "" {
		w.elem("Description", p.Description)
	}
	elemIAMTime(w, "CreateDate", p.Created)
	updated := p.Updated
	if updated.IsZero() {
		updated = p.Created
	}
	elemIAMTime(w, "UpdateDate", updated)
	w.elemBool("IsBuiltin", p.Builtin)
	w.close(name)
}

func (c *iamCall) writeRole(w *xmlWriter, name string, r iam.Role) {
	w.open(name)
	w.elem("Path", orSlash(r.Path))
	w.elem("RoleName", r.Name)
	w.elem("RoleId", r.ID)
	w.elem("Arn", c.arn("role", r.Name))
	elemIAMTime(w, "CreateDate", r.Created)
	w.elem("AssumeRolePolicyDocument", encodeDocument(r.TrustPolicy))
	if r.Description != "" {
		w.elem("Description", r.Description)
	}
	w.elemInt("MaxSessionDuration", int64(maxSessionDuration(r)))
	w.close(name)
}

// writeServiceAccount writes a <ServiceAccount> element; the secret only
// when withSecret (CreateServiceAccount's answer).
func writeServiceAccount(w *xmlWriter, name string, sa iam.ServiceAccount, withSecret bool) {
	w.open(name)
	w.elem("AccessKeyId", sa.AccessKey)
	if withSecret {
		w.elem("SecretAccessKey", sa.Secret)
	}
	w.elem("ParentUser", sa.Parent)
	if sa.Name != "" {
		w.elem("Name", sa.Name)
	}
	if sa.Description != "" {
		w.elem("Description", sa.Description)
	}
	st := sa.Status
	if st == "" {
		st = iam.StatusActive
	}
	w.elem("Status", st)
	if sa.Policy != "" {
		w.elem("Policy", encodeDocument(sa.Policy))
	}
	if !sa.Expiration.IsZero() {
		elemIAMTime(w, "Expiration", sa.Expiration)
	}
	elemIAMTime(w, "CreateDate", sa.Created)
	w.close(name)
}

func writeIsTruncated(w *xmlWriter) { w.elemBool("IsTruncated", false) }

// writeMembers writes <name><member>…</member>…</name> for plain strings.
func writeMembers(w *xmlWriter, name string, vals []string) {
	w.open(name)
	for _, v := range vals {
		w.elem("member", v)
	}
	w.close(name)
}
