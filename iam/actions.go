package iam

import (
	"fmt"
	"strings"
)

// The action catalogue: every action a policy may name. A statement's
// Action list is compiled to a bit set over it, so matching a request's
// action is one map lookup per request and one bit test per statement.
// Names are case-insensitive in policies, as in AWS.

// s3Actions are the S3 actions AWS documents for buckets, objects,
// multipart uploads, versioning, tagging, ACLs, policies, CORS, lifecycle,
// object lock, replication, notifications, encryption and the rest, so
// that policies written for AWS validate unchanged.
var s3Actions = []string{
	"AbortMultipartUpload", "BypassGovernanceRetention", "CreateAccessPoint",
	"CreateAccessPointForObjectLambda", "CreateBucket", "CreateJob",
	"CreateMultiRegionAccessPoint", "CreateSession", "DeleteAccessPoint",
	"DeleteAccessPointForObjectLambda", "DeleteAccessPointPolicy",
	"DeleteAccessPointPolicyForObjectLambda", "DeleteBucket", "DeleteBucketOwnershipControls",
	"DeleteBucketPolicy", "DeleteBucketWebsite", "DeleteJobTagging",
	"DeleteMultiRegionAccessPoint", "DeleteObject", "DeleteObjectTagging",
	"DeleteObjectVersion", "DeleteObjectVersionTagging", "DeleteStorageLensConfiguration",
	"DeleteStorageLensConfigurationTagging", "DescribeJob",
	"DescribeMultiRegionAccessPointOperation", "GetAccelerateConfiguration", "GetAccessPoint",
	"GetAccessPointConfigurationForObjectLambda", "GetAccessPointForObjectLambda",
	"GetAccessPointPolicy", "GetAccessPointPolicyForObjectLambda", "GetAccessPointPolicyStatus",
	"GetAccessPointPolicyStatusForObjectLambda", "GetAccountPublicAccessBlock",
	"GetAnalyticsConfiguration", "GetBucketAcl", "GetBucketCORS", "GetBucketLocation",
	"GetBucketLogging", "GetBucketNotification", "GetBucketObjectLockConfiguration",
	"GetBucketOwnershipControls", "GetBucketPolicy", "GetBucketPolicyStatus",
	"GetBucketPublicAccessBlock", "GetBucketRequestPayment", "GetBucketTagging",
	"GetBucketVersioning", "GetBucketWebsite", "GetEncryptionConfiguration",
	"GetIntelligentTieringConfiguration", "GetInventoryConfiguration", "GetJobTagging",
	"GetLifecycleConfiguration", "GetMetricsConfiguration", "GetMultiRegionAccessPoint",
	"GetMultiRegionAccessPointPolicy", "GetMultiRegionAccessPointPolicyStatus", "GetObject",
	"GetObjectAcl", "GetObjectAttributes", "GetObjectLegalHold", "GetObjectRetention",
	"GetObjectTagging", "GetObjectTorrent", "GetObjectVersion", "GetObjectVersionAcl",
	"GetObjectVersionAttributes", "GetObjectVersionForReplication", "GetObjectVersionTagging",
	"GetObjectVersionTorrent", "GetReplicationConfiguration", "GetStorageLensConfiguration",
	"GetStorageLensConfigurationTagging", "GetStorageLensDashboard", "InitiateReplication",
	"ListAccessPoints", "ListAccessPointsForObjectLambda", "ListAllMyBuckets", "ListBucket",
	"ListBucketMultipartUploads", "ListBucketVersions", "ListJobs", "ListMultiRegionAccessPoints",
	"ListMultipartUploadParts", "ListStorageLensConfigurations", "ListTagsForResource",
	"ObjectOwnerOverrideToBucketOwner", "PutAccelerateConfiguration",
	"PutAccessPointConfigurationForObjectLambda", "PutAccessPointPolicy",
	"PutAccessPointPolicyForObjectLambda", "PutAccessPointPublicAccessBlock",
	"PutAccountPublicAccessBlock", "PutAnalyticsConfiguration", "PutBucketAcl", "PutBucketCORS",
	"PutBucketLogging", "PutBucketNotification", "PutBucketObjectLockConfiguration",
	"PutBucketOwnershipControls", "PutBucketPolicy", "PutBucketPublicAccessBlock",
	"PutBucketRequestPayment", "PutBucketTagging", "PutBucketVersioning", "PutBucketWebsite",
	"PutEncryptionConfiguration", "PutIntelligentTieringConfiguration",
	"PutInventoryConfiguration", "PutJobTagging", "PutLifecycleConfiguration",
	"PutMetricsConfiguration", "PutMultiRegionAccessPointPolicy", "PutObject", "PutObjectAcl",
	"PutObjectLegalHold", "PutObjectRetention", "PutObjectTagging", "PutObjectVersionAcl",
	"PutObjectVersionTagging", "PutReplicationConfiguration", "PutStorageLensConfiguration",
	"PutStorageLensConfigurationTagging", "ReplicateDelete", "ReplicateObject", "ReplicateTags",
	"RestoreObject", "TagResource", "UntagResource", "UpdateJobPriority", "UpdateJobStatus",
}

// iamActions are the IAM actions Cairn serves, its extensions, and the
// common read actions clients probe.
var iamActions = []string{
	"AddUserToGroup", "AttachGroupPolicy", "AttachRolePolicy", "AttachUserPolicy",
	"CreateAccessKey", "CreateGroup", "CreatePolicy", "CreateRole", "CreateServiceAccount",
	"CreateUser", "DeleteAccessKey", "DeleteGroup", "DeleteGroupPolicy", "DeletePolicy",
	"DeleteRole", "DeleteRolePolicy", "DeleteServiceAccount", "DeleteUser", "DeleteUserPolicy",
	"DetachGroupPolicy", "DetachRolePolicy", "DetachUserPolicy", "GetAccountSummary",
	"GetGroup", "GetGroupPolicy", "GetPolicy", "GetPolicyVersion", "GetRole", "GetRolePolicy",
	"GetServiceAccount", "GetUser", "GetUserPolicy", "ListAccessKeys",
	"ListAttachedGroupPolicies", "ListAttachedRolePolicies", "ListAttachedUserPolicies",
	"ListGroupPolicies", "ListGroups", "ListGroupsForUser", "ListPolicies",
	"ListPolicyVersions", "ListRolePolicies", "ListRoles", "ListServiceAccounts",
	"ListUserPolicies", "ListUsers", "PassRole", "PutGroupPolicy", "PutRolePolicy",
	"PutUserPolicy", "RemoveUserFromGroup", "RevokeSessions", "SimulatePrincipalPolicy",
	"UpdateAccessKey", "UpdateAssumeRolePolicy", "UpdateGroup", "UpdateRole",
	"UpdateServiceAccount", "UpdateUser",
}

// stsActions are the STS actions Cairn serves plus the ones AWS trust
// policies commonly name.
var stsActions = []string{
	"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity",
	"DecodeAuthorizationMessage", "GetAccessKeyInfo", "GetCallerIdentity",
	"GetFederationToken", "GetSessionToken", "SetSourceIdentity", "TagSession",
}

// actionWords is the size of an action bit set; the catalogue must fit.
const actionWords = 4

type actionSet [actionWords]uint64

func (s *actionSet) has(i int) bool { return s[i>>6]&(1<<(uint(i)&63)) != 0 }
func (s *actionSet) add(i int)      { s[i>>6] |= 1 << (uint(i) & 63) }

// catalogue is the immutable action table, built once.
type catalogue struct {
	names []string       // canonical "service:Action"
	index map[string]int // exact canonical spelling and lower-case spelling
}

var actions = func() *catalogue {
	c := &catalogue{index: map[string]int{}}
	for _, group := range []struct {
		svc   string
		names []string
	}{{"s3", s3Actions}, {"iam", iamActions}, {"sts", stsActions}} {
		for _, n := range group.names {
			full := group.svc + ":" + n
			if _, dup := c.index[strings.ToLower(full)]; dup {
				continue
			}
			i := len(c.names)
			c.names = append(c.names, full)
			c.index[full] = i
			c.index[strings.ToLower(full)] = i
		}
	}
	if len(c.names) > actionWords*64 {
		panic(fmt.Sprintf("iam: action catalogue has %d actions; raise actionWords", len(c.names)))
	}
	return c
}()

// lookup returns the catalogue index of a request action, or -1.
func (c *catalogue) lookup(action string) int {
	if i, ok := c.index[action]; ok {
		return i
	}
	if i, ok := c.index[strings.ToLower(action)]; ok {
		return i
	}
	return -1
}

// compileActions turns an Action/NotAction list into a bit set; with
// strict, every entry must name a known action or be a wildcard matching
// at least one.
func compileActions(list []string, strict bool) (actionSet, []string, error) {
	var set actionSet
	var pats []string
	for _, a := range list {
		if err := checkActionSyntax(a); err != nil {
			return set, nil, err
		}
		n := 0
		for i, name := range actions.names {
			if wildMatchFold(a, name) {
				set.add(i)
				n++
			}
		}
		if n == 0 && strict {
			if strings.ContainsAny(a, "*?") {
				return set, nil, fmt.Errorf("action %q matches no known action", a)
			}
			return set, nil, fmt.Errorf("unknown action %q", a)
		}
		pats = append(pats, strings.ToLower(a))
	}
	return set, pats, nil
}

func checkActionSyntax(a string) error {
	if a == "*" {
		return nil
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" || name == "" {
		return fmt.Errorf("action %q must have the form service:Action", a)
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		ok := c == ':' && i == len(svc) || c == '*' || c == '?' || c == '-' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !ok {
			return fmt.Errorf("action %q has an invalid character %q", a, c)
		}
	}
	switch strings.ToLower(svc) {
	case "s3", "iam", "sts", "*":
	default:
		if !strings.ContainsAny(svc, "*?") {
			return fmt.Errorf("action %q: service %q is not served by Cairn (s3, iam, sts)", a, svc)
		}
	}
	return nil
}

// KnownActions returns the action catalogue, sorted as declared.
func KnownActions() []string { return append([]string(nil), actions.names...) }
