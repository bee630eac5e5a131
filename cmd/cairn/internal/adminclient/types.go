package adminclient

// Result types of the IAM and STS actions. Field and element names are the
// AWS ones (so --json output reads like `aws iam … --output json`); Cairn's
// extensions are marked. Timestamps stay strings (see doc.go).

// Pagination is the IsTruncated/Marker pair of every IAM list result.
type Pagination struct {
	IsTruncated bool   `xml:"IsTruncated" json:"-"`
	Marker      string `xml:"Marker" json:"-"`
}

// User is an IAM user. Fields after CreateDate are Cairn extensions, absent
// from AWS answers.
type User struct {
	UserName   string `xml:"UserName"`
	UserId     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	Path       string `xml:"Path"`
	CreateDate string `xml:"CreateDate"`

	Status            string  `xml:"Status" json:",omitempty"` // Active or Inactive
	DisplayName       string  `xml:"DisplayName" json:",omitempty"`
	CanonicalId       string  `xml:"CanonicalId" json:",omitempty"`
	PosixUid          *uint32 `xml:"PosixUid" json:",omitempty"`
	PosixGid          *uint32 `xml:"PosixGid" json:",omitempty"`
	AllowCreateBucket *bool   `xml:"AllowCreateBucket" json:",omitempty"`
	AllowDeleteBucket *bool   `xml:"AllowDeleteBucket" json:",omitempty"`
}

// UserResult is the result of CreateUser, GetUser and UpdateUser.
type UserResult struct {
	User User `xml:"User"`
}

// ListUsersResult is ListUsers' result.
type ListUsersResult struct {
	Users []User `xml:"Users>member"`
	Pagination
}

// AccessKey is a long-term key. SecretAccessKey is set only in
// CreateAccessKey's answer.
type AccessKey struct {
	UserName        string `xml:"UserName"`
	AccessKeyId     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey" json:",omitempty"`
	Status          string `xml:"Status"`
	CreateDate      string `xml:"CreateDate"`
}

// CreateAccessKeyResult is CreateAccessKey's result.
type CreateAccessKeyResult struct {
	AccessKey AccessKey `xml:"AccessKey"`
}

// ListAccessKeysResult is ListAccessKeys' result (AccessKeyMetadata
// members carry no secret).
type ListAccessKeysResult struct {
	AccessKeyMetadata []AccessKey `xml:"AccessKeyMetadata>member"`
	Pagination
}

// Group is an IAM group; Status is a Cairn extension.
type Group struct {
	GroupName  string `xml:"GroupName"`
	GroupId    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	Path       string `xml:"Path"`
	CreateDate string `xml:"CreateDate"`
	Status     string `xml:"Status" json:",omitempty"`
}

// GroupResult is CreateGroup's (and UpdateGroup's) result.
type GroupResult struct {
	Group Group `xml:"Group"`
}

// GetGroupResult is GetGroup's result: the group and its members.
type GetGroupResult struct {
	Group Group  `xml:"Group"`
	Users []User `xml:"Users>member"`
	Pagination
}

// ListGroupsResult is ListGroups' and ListGroupsForUser's result.
type ListGroupsResult struct {
	Groups []Group `xml:"Groups>member"`
	Pagination
}

// Policy is a managed policy.
type Policy struct {
	PolicyName       string `xml:"PolicyName"`
	PolicyId         string `xml:"PolicyId"`
	Arn              string `xml:"Arn"`
	Path             string `xml:"Path"`
	DefaultVersionId string `xml:"DefaultVersionId"`
	AttachmentCount  int    `xml:"AttachmentCount"`
	IsAttachable     bool   `xml:"IsAttachable"`
	Description      string `xml:"Description" json:",omitempty"`
	CreateDate       string `xml:"CreateDate"`
	UpdateDate       string `xml:"UpdateDate"`
	// IsBuiltin (Cairn extension) marks readonly, readwrite, writeonly and
	// admin, which cannot be changed or deleted.
	IsBuiltin bool `xml:"IsBuiltin" json:",omitempty"`
}

// PolicyResult is CreatePolicy's and GetPolicy's result.
type PolicyResult struct {
	Policy Policy `xml:"Policy"`
}

// ListPoliciesResult is ListPolicies' result.
type ListPoliciesResult struct {
	Policies []Policy `xml:"Policies>member"`
	Pagination
}

// PolicyVersion is one version of a managed policy. Document is
// URL-encoded on the wire, as AWS sends it; see DecodeDocument.
type PolicyVersion struct {
	VersionId        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	Document         string `xml:"Document"`
	CreateDate       string `xml:"CreateDate"`
}

// GetPolicyVersionResult is GetPolicyVersion's result.
type GetPolicyVersionResult struct {
	PolicyVersion PolicyVersion `xml:"PolicyVersion"`
}

// AttachedPolicy names a managed policy attached to a user, group or role.
type AttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

// ListAttachedPoliciesResult is ListAttached{User,Group,Role}Policies'
// result.
type ListAttachedPoliciesResult struct {
	AttachedPolicies []AttachedPolicy `xml:"AttachedPolicies>member"`
	Pagination
}

// ListPolicyNamesResult is List{User,Group,Role}Policies' result: the
// names of inline policies.
type ListPolicyNamesResult struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	Pagination
}

// InlinePolicy is Get{User,Group,Role}Policy's result. PolicyDocument is
// URL-encoded on the wire; see DecodeDocument.
type InlinePolicy struct {
	UserName       string `xml:"UserName" json:",omitempty"`
	GroupName      string `xml:"GroupName" json:",omitempty"`
	RoleName       string `xml:"RoleName" json:",omitempty"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

// ServiceAccount is a Cairn service account (extension actions).
// SecretAccessKey is set only in CreateServiceAccount's answer. Policy is
// URL-encoded on the wire like every IAM document; see DecodeDocument.
type ServiceAccount struct {
	AccessKeyId     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey" json:",omitempty"`
	ParentUser      string `xml:"ParentUser" json:",omitempty"`
	Name            string `xml:"Name" json:",omitempty"`
	Description     string `xml:"Description" json:",omitempty"`
	Status          string `xml:"Status"`
	Policy          string `xml:"Policy" json:",omitempty"`
	Expiration      string `xml:"Expiration" json:",omitempty"`
	CreateDate      string `xml:"CreateDate" json:",omitempty"`
}

// ServiceAccountResult is CreateServiceAccount's and GetServiceAccount's
// result.
type ServiceAccountResult struct {
	ServiceAccount ServiceAccount `xml:"ServiceAccount"`
}

// ListServiceAccountsResult is ListServiceAccounts' result.
type ListServiceAccountsResult struct {
	ServiceAccounts []ServiceAccount `xml:"ServiceAccounts>member"`
	Pagination
}

// Statement identifies a statement that decided a simulation:
// SourcePolicyId names the policy (Cairn: "user:alice/readwrite",
// "group:devs/inline:x", "session"…); StatementId, a Cairn extension, is
// the statement's Sid, or "#<index>" when it has none.
type Statement struct {
	SourcePolicyId   string `xml:"SourcePolicyId"`
	SourcePolicyType string `xml:"SourcePolicyType" json:",omitempty"`
	StatementId      string `xml:"StatementId" json:",omitempty"`
}

// EvaluationResult is one (action, resource) answer of
// SimulatePrincipalPolicy. EvalDecision is allowed, explicitDeny or
// implicitDeny.
type EvaluationResult struct {
	EvalActionName    string      `xml:"EvalActionName"`
	EvalResourceName  string      `xml:"EvalResourceName"`
	EvalDecision      string      `xml:"EvalDecision"`
	MatchedStatements []Statement `xml:"MatchedStatements>member" json:",omitempty"`
	// EvalReason (Cairn extension) explains the decision in words.
	EvalReason string `xml:"EvalReason" json:",omitempty"`
}

// SimulateResult is SimulatePrincipalPolicy's result.
type SimulateResult struct {
	EvaluationResults []EvaluationResult `xml:"EvaluationResults>member"`
	Pagination
}

// Credentials are temporary credentials issued by STS.
type Credentials struct {
	AccessKeyId     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

// AssumedRoleUser is the session principal AssumeRole created.
type AssumedRoleUser struct {
	Arn           string `xml:"Arn"`
	AssumedRoleId string `xml:"AssumedRoleId"`
}

// AssumeRoleResult is AssumeRole's result.
type AssumeRoleResult struct {
	Credentials     Credentials     `xml:"Credentials"`
	AssumedRoleUser AssumedRoleUser `xml:"AssumedRoleUser"`
}

// SessionTokenResult is GetSessionToken's result.
type SessionTokenResult struct {
	Credentials Credentials `xml:"Credentials"`
}

// CallerIdentity is GetCallerIdentity's result.
type CallerIdentity struct {
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
	UserId  string `xml:"UserId"`
}
