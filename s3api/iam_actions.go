package s3api

// queryActions is THE table of IAM and STS actions: which service's
// credential scope each belongs to and its handler. Every handler
// authorizes its call before it reads or changes anything. It is
// read-only.
var queryActions = map[string]queryAction{
	// Users and access keys (iam_users.go).
	"CreateUser":      {"iam", (*iamCall).createUser},
	"GetUser":         {"iam", (*iamCall).getUser},
	"ListUsers":       {"iam", (*iamCall).listUsers},
	"UpdateUser":      {"iam", (*iamCall).updateUser},
	"DeleteUser":      {"iam", (*iamCall).deleteUser},
	"CreateAccessKey": {"iam", (*iamCall).createAccessKey},
	"ListAccessKeys":  {"iam", (*iamCall).listAccessKeys},
	"UpdateAccessKey": {"iam", (*iamCall).updateAccessKey},
	"DeleteAccessKey": {"iam", (*iamCall).deleteAccessKey},
	"RevokeSessions":  {"iam", (*iamCall).revokeSessions},

	// Groups (iam_groups.go).
	"CreateGroup":         {"iam", (*iamCall).createGroup},
	"GetGroup":            {"iam", (*iamCall).getGroup},
	"ListGroups":          {"iam", (*iamCall).listGroups},
	"UpdateGroup":         {"iam", (*iamCall).updateGroup},
	"DeleteGroup":         {"iam", (*iamCall).deleteGroup},
	"AddUserToGroup":      {"iam", (*iamCall).addUserToGroup},
	"RemoveUserFromGroup": {"iam", (*iamCall).removeUserFromGroup},
	"ListGroupsForUser":   {"iam", (*iamCall).listGroupsForUser},

	// Managed policies (iam_policies.go).
	"CreatePolicy":     {"iam", (*iamCall).createPolicy},
	"GetPolicy":        {"iam", (*iamCall).getPolicy},
	"GetPolicyVersion": {"iam", (*iamCall).getPolicyVersion},
	"ListPolicies":     {"iam", (*iamCall).listPolicies},
	"DeletePolicy":     {"iam", (*iamCall).deletePolicy},

	// Attached and inline policies of users, groups and roles
	// (iam_attach.go).
	"AttachUserPolicy":          {"iam", attach(EntityUser)},
	"AttachGroupPolicy":         {"iam", attach(EntityGroup)},
	"AttachRolePolicy":          {"iam", attach(EntityRole)},
	"DetachUserPolicy":          {"iam", detach(EntityUser)},
	"DetachGroupPolicy":         {"iam", detach(EntityGroup)},
	"DetachRolePolicy":          {"iam", detach(EntityRole)},
	"ListAttachedUserPolicies":  {"iam", listAttached(EntityUser)},
	"ListAttachedGroupPolicies": {"iam", listAttached(EntityGroup)},
	"ListAttachedRolePolicies":  {"iam", listAttached(EntityRole)},
	"PutUserPolicy":             {"iam", putInline(EntityUser)},
	"PutGroupPolicy":            {"iam", putInline(EntityGroup)},
	"PutRolePolicy":             {"iam", putInline(EntityRole)},
	"GetUserPolicy":             {"iam", getInline(EntityUser)},
	"GetGroupPolicy":            {"iam", getInline(EntityGroup)},
	"GetRolePolicy":             {"iam", getInline(EntityRole)},
	"ListUserPolicies":          {"iam", listInline(EntityUser)},
	"ListGroupPolicies":         {"iam", listInline(EntityGroup)},
	"ListRolePolicies":          {"iam", listInline(EntityRole)},
	"DeleteUserPolicy":          {"iam", deleteInline(EntityUser)},
	"DeleteGroupPolicy":         {"iam", deleteInline(EntityGroup)},
	"DeleteRolePolicy":          {"iam", deleteInline(EntityRole)},

	// Roles (iam_roles.go).
	"CreateRole": {"iam", (*iamCall).createRole},
	"GetRole":    {"iam", (*iamCall).getRole},
	"ListRoles":  {"iam", (*iamCall).listRoles},
	"DeleteRole": {"iam", (*iamCall).deleteRole},

	// Service accounts, a Cairn extension (iam_svcacct.go).
	"CreateServiceAccount": {"iam", (*iamCall).createServiceAccount},
	"ListServiceAccounts":  {"iam", (*iamCall).listServiceAccounts},
	"GetServiceAccount":    {"iam", (*iamCall).getServiceAccount},
	"UpdateServiceAccount": {"iam", (*iamCall).updateServiceAccount},
	"DeleteServiceAccount": {"iam", (*iamCall).deleteServiceAccount},

	// The policy simulator (iam_simulate.go).
	"SimulatePrincipalPolicy": {"iam", (*iamCall).simulatePrincipalPolicy},

	// STS (sts_actions.go).
	"AssumeRole":        {"sts", (*iamCall).assumeRole},
	"GetSessionToken":   {"sts", (*iamCall).getSessionToken},
	"GetCallerIdentity": {"sts", (*iamCall).getCallerIdentity},
}
