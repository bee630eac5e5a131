package main

import (
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// want is an expected request: service, action and the exact parameters
// (besides Action and Version).
type want struct {
	svc, action string
	params      map[string]string
}

func iamCall(action string, kv ...string) want { return want{"iam", action, pairs(kv)} }
func stsCall(action string, kv ...string) want { return want{"sts", action, pairs(kv)} }
func pairs(kv []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// commonReplies answers every action the CLI uses with a plausible result.
var commonReplies = map[string]reply{
	"CreateUser":                {Result: xmlAlice},
	"GetUser":                   {Result: xmlAlice},
	"UpdateUser":                {},
	"DeleteUser":                {},
	"ListUsers":                 {Result: `<Users><member>` + strings.TrimSuffix(strings.TrimPrefix(xmlAlice, "<User>"), "</User>") + `</member></Users><IsTruncated>false</IsTruncated>`},
	"RevokeSessions":            {},
	"CreateAccessKey":           {Result: `<AccessKey><UserName>alice</UserName><AccessKeyId>AKIAGENERATED0000001</AccessKeyId><SecretAccessKey>generated-secret-40-chars-long-xxxxxxxxxx</SecretAccessKey><Status>Active</Status><CreateDate>2025-01-02T03:04:05Z</CreateDate></AccessKey>`},
	"ListAccessKeys":            {Result: `<AccessKeyMetadata><member><UserName>alice</UserName><AccessKeyId>AKIA1</AccessKeyId><Status>Active</Status><CreateDate>2025-01-02T03:04:05Z</CreateDate></member></AccessKeyMetadata><IsTruncated>false</IsTruncated>`},
	"UpdateAccessKey":           {},
	"DeleteAccessKey":           {},
	"ListGroupsForUser":         {Result: `<Groups><member>` + strings.TrimSuffix(strings.TrimPrefix(xmlDevs, "<Group>"), "</Group>") + `</member></Groups><IsTruncated>false</IsTruncated>`},
	"ListAttachedUserPolicies":  {Result: `<AttachedPolicies><member><PolicyName>readonly</PolicyName><PolicyArn>arn:aws:iam::aws:policy/readonly</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>`},
	"ListUserPolicies":          {Result: `<PolicyNames><member>home</member></PolicyNames><IsTruncated>false</IsTruncated>`},
	"CreateGroup":               {Result: xmlDevs},
	"GetGroup":                  {Result: xmlDevs + `<Users><member>` + strings.TrimSuffix(strings.TrimPrefix(xmlAlice, "<User>"), "</User>") + `</member></Users><IsTruncated>false</IsTruncated>`},
	"ListGroups":                {Result: `<Groups><member>` + strings.TrimSuffix(strings.TrimPrefix(xmlDevs, "<Group>"), "</Group>") + `</member></Groups>`},
	"DeleteGroup":               {},
	"UpdateGroup":               {},
	"AddUserToGroup":            {},
	"RemoveUserFromGroup":       {},
	"AttachGroupPolicy":         {},
	"DetachGroupPolicy":         {},
	"PutGroupPolicy":            {},
	"DeleteGroupPolicy":         {},
	"ListAttachedGroupPolicies": {Result: `<AttachedPolicies><member><PolicyName>readwrite</PolicyName><PolicyArn>arn:aws:iam:::policy/readwrite</PolicyArn></member></AttachedPolicies>`},
	"CreatePolicy":              {Result: xmlPolicy},
	"GetPolicy":                 {Result: xmlPolicy},
	"GetPolicyVersion":          {Result: `<PolicyVersion><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion><Document>` + url.QueryEscape(policyDoc) + `</Document></PolicyVersion>`},
	"ListPolicies":              {Result: `<Policies><member>` + strings.TrimSuffix(strings.TrimPrefix(xmlPolicy, "<Policy>"), "</Policy>") + `</member></Policies>`},
	"DeletePolicy":              {},
	"AttachUserPolicy":          {},
	"DetachUserPolicy":          {},
	"AttachRolePolicy":          {},
	"PutUserPolicy":             {},
	"PutRolePolicy":             {},
	"DeleteUserPolicy":          {},
	"GetUserPolicy":             {Result: `<UserName>alice</UserName><PolicyName>home</PolicyName><PolicyDocument>` + url.QueryEscape(policyDoc) + `</PolicyDocument>`},
	"ListAttachedRolePolicies":  {Result: `<AttachedPolicies></AttachedPolicies>`},
	"SimulatePrincipalPolicy":   {Result: `<EvaluationResults><member><EvalActionName>s3:GetObject</EvalActionName><EvalResourceName>arn:aws:s3:::b/k</EvalResourceName><EvalDecision>allowed</EvalDecision><MatchedStatements><member><SourcePolicyId>user:alice/home</SourcePolicyId><SourcePolicyType>user</SourcePolicyType><StatementId>Read</StatementId></member></MatchedStatements><MissingContextValues/><EvalReason>statement Read of user:alice/home allows s3:GetObject</EvalReason></member><member><EvalActionName>s3:PutObject</EvalActionName><EvalResourceName>arn:aws:s3:::b/k</EvalResourceName><EvalDecision>implicitDeny</EvalDecision><MatchedStatements/><EvalReason>no policy allows s3:PutObject</EvalReason></member></EvaluationResults><IsTruncated>false</IsTruncated>`},
	"CreateServiceAccount":      {Result: `<ServiceAccount><AccessKeyId>CAIRNSA0000000000001</AccessKeyId><SecretAccessKey>svc-secret</SecretAccessKey><ParentUser>alice</ParentUser><Name>backup</Name><Status>Active</Status><CreateDate>2025-01-02T03:04:05Z</CreateDate></ServiceAccount>`},
	"ListServiceAccounts":       {Result: `<ServiceAccounts><member><AccessKeyId>CAIRNSA0000000000001</AccessKeyId><SecretAccessKey>leaked</SecretAccessKey><Name>backup</Name><Status>Active</Status></member><member><AccessKeyId>CAIRNSA0000000000002</AccessKeyId><Status>Inactive</Status><Expiration>2030-01-01T00:00:00Z</Expiration></member></ServiceAccounts>`},
	"GetServiceAccount":         {Result: `<ServiceAccount><AccessKeyId>CAIRNSA0000000000001</AccessKeyId><SecretAccessKey>leaked</SecretAccessKey><ParentUser>alice</ParentUser><Status>Active</Status><Policy>` + strings.ReplaceAll(url.QueryEscape(policyDoc), "+", "%20") + `</Policy></ServiceAccount>`},
	"UpdateServiceAccount":      {},
	"DeleteServiceAccount":      {},
	"AssumeRole":                {Result: xmlCreds + `<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/alice/s1</Arn><AssumedRoleId>AIDAALICE:s1</AssumedRoleId></AssumedRoleUser>`},
	"GetSessionToken":           {Result: xmlCreds},
	"GetCallerIdentity":         {Result: `<Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAALICE000000000001</UserId>`},
}

func TestCommandsSendTheRightRequests(t *testing.T) {
	dir := t.TempDir()
	policyFile := filepath.Join(dir, "p.json")
	if err := os.WriteFile(policyFile, []byte(policyDoc+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		calls []want
	}{
		// users
		{"user create", []string{"user", "create", "alice"}, "", []want{iamCall("CreateUser", "UserName", "alice")}},
		{"user create extras", []string{"user", "create", "alice", "--posix-uid", "1001", "--posix-gid=100", "--path", "/eng/", "--display-name", "Alice A."},
			"", []want{iamCall("CreateUser", "UserName", "alice", "PosixUid", "1001", "PosixGid", "100", "Path", "/eng/", "DisplayName", "Alice A.")}},
		{"user create with password (WEKA)", []string{"user", "create", "--password", "s3cret-pass", "alice"}, "", []want{
			iamCall("CreateUser", "UserName", "alice"),
			iamCall("CreateAccessKey", "UserName", "alice", "AccessKeyId", "alice", "SecretAccessKey", "s3cret-pass")}},
		{"user get", []string{"user", "get", "alice"}, "", []want{
			iamCall("GetUser", "UserName", "alice"),
			iamCall("ListGroupsForUser", "UserName", "alice"),
			iamCall("ListAttachedUserPolicies", "UserName", "alice"),
			iamCall("ListUserPolicies", "UserName", "alice")}},
		{"user list", []string{"user", "list"}, "", []want{iamCall("ListUsers")}},
		{"user list prefix", []string{"user", "list", "--path-prefix", "/eng/"}, "", []want{iamCall("ListUsers", "PathPrefix", "/eng/")}},
		{"user update", []string{"user", "update", "alice", "--posix-uid", "0", "--allow-create-bucket", "--allow-delete-bucket=false", "--display-name", ""}, "", []want{
			iamCall("UpdateUser", "UserName", "alice", "PosixUid", "0", "AllowCreateBucket", "true", "AllowDeleteBucket", "false", "DisplayName", ""),
			iamCall("GetUser", "UserName", "alice")}},
		{"user update rename", []string{"user", "update", "alice", "--new-name", "alicia", "--new-path", "/x/"}, "", []want{
			iamCall("UpdateUser", "UserName", "alice", "NewUserName", "alicia", "NewPath", "/x/"),
			iamCall("GetUser", "UserName", "alicia")}},
		{"user delete", []string{"user", "delete", "alice"}, "", []want{iamCall("DeleteUser", "UserName", "alice")}},
		{"user delete force", []string{"user", "delete", "alice", "--force"}, "", []want{iamCall("DeleteUser", "UserName", "alice", "Force", "true")}},
		{"user enable", []string{"user", "enable", "alice"}, "", []want{
			iamCall("UpdateUser", "UserName", "alice", "Status", "Active"), iamCall("GetUser", "UserName", "alice")}},
		{"user disable", []string{"user", "disable", "alice"}, "", []want{
			iamCall("UpdateUser", "UserName", "alice", "Status", "Inactive"), iamCall("GetUser", "UserName", "alice")}},
		{"user revoke-sessions", []string{"user", "revoke-sessions", "alice"}, "", []want{iamCall("RevokeSessions", "UserName", "alice")}},
		{"user add-key generated", []string{"user", "add-key", "alice"}, "", []want{iamCall("CreateAccessKey", "UserName", "alice")}},
		{"user add-key given", []string{"user", "add-key", "alice", "--id", "alicekey", "--secret", "alicesecret"}, "", []want{
			iamCall("CreateAccessKey", "UserName", "alice", "AccessKeyId", "alicekey", "SecretAccessKey", "alicesecret")}},
		{"user list-keys", []string{"user", "list-keys", "alice"}, "", []want{iamCall("ListAccessKeys", "UserName", "alice")}},
		{"user update-key", []string{"user", "update-key", "alice", "AKIA1", "--status", "inactive"}, "", []want{
			iamCall("UpdateAccessKey", "UserName", "alice", "AccessKeyId", "AKIA1", "Status", "Inactive")}},
		{"user delete-key", []string{"user", "delete-key", "alice", "AKIA1"}, "", []want{iamCall("DeleteAccessKey", "UserName", "alice", "AccessKeyId", "AKIA1")}},

		// groups
		{"group create", []string{"group", "create", "devs", "--path", "/eng/"}, "", []want{iamCall("CreateGroup", "GroupName", "devs", "Path", "/eng/")}},
		{"group get", []string{"group", "get", "devs"}, "", []want{
			iamCall("GetGroup", "GroupName", "devs"), iamCall("ListAttachedGroupPolicies", "GroupName", "devs")}},
		{"group list", []string{"group", "list"}, "", []want{iamCall("ListGroups")}},
		{"group delete", []string{"group", "delete", "--force", "devs"}, "", []want{iamCall("DeleteGroup", "GroupName", "devs", "Force", "true")}},
		{"group add-member", []string{"group", "add-member", "devs", "alice", "bob"}, "", []want{
			iamCall("AddUserToGroup", "GroupName", "devs", "UserName", "alice"),
			iamCall("AddUserToGroup", "GroupName", "devs", "UserName", "bob")}},
		{"group remove-member", []string{"group", "remove-member", "devs", "bob"}, "", []want{
			iamCall("RemoveUserFromGroup", "GroupName", "devs", "UserName", "bob")}},
		{"group enable", []string{"group", "enable", "devs"}, "", []want{iamCall("UpdateGroup", "GroupName", "devs", "Status", "Active")}},
		{"group disable", []string{"group", "disable", "devs"}, "", []want{iamCall("UpdateGroup", "GroupName", "devs", "Status", "Inactive")}},
		{"group attach builtins", []string{"group", "attach", "devs", "readonly", "arn:aws:iam::123456789012:policy/home"}, "", []want{
			iamCall("AttachGroupPolicy", "GroupName", "devs", "PolicyArn", "arn:aws:iam:::policy/readonly"),
			iamCall("AttachGroupPolicy", "GroupName", "devs", "PolicyArn", "arn:aws:iam::123456789012:policy/home")}},
		{"group attach inline", []string{"group", "attach", "devs", "home", "--policy-file", policyFile}, "", []want{
			iamCall("PutGroupPolicy", "GroupName", "devs", "PolicyName", "home", "PolicyDocument", policyDoc+"\n")}},
		{"group detach", []string{"group", "detach", "devs", "readonly"}, "", []want{
			iamCall("DetachGroupPolicy", "GroupName", "devs", "PolicyArn", "arn:aws:iam:::policy/readonly")}},
		{"group detach inline", []string{"group", "detach", "devs", "home", "--inline"}, "", []want{
			iamCall("DeleteGroupPolicy", "GroupName", "devs", "PolicyName", "home")}},

		// policies
		{"policy create inline JSON", []string{"policy", "create", "home", "--policy", policyDoc, "--description", "home folders"}, "", []want{
			iamCall("CreatePolicy", "PolicyName", "home", "PolicyDocument", policyDoc, "Description", "home folders")}},
		{"policy create from stdin", []string{"policy", "create", "home", "--policy-file", "-"}, policyDoc, []want{
			iamCall("CreatePolicy", "PolicyName", "home", "PolicyDocument", policyDoc)}},
		{"policy get", []string{"policy", "get", "home"}, "", []want{
			iamCall("GetPolicy", "PolicyArn", "arn:aws:iam:::policy/home"),
			iamCall("GetPolicyVersion", "PolicyArn", "arn:aws:iam:::policy/home", "VersionId", "v1")}},
		{"policy get inline", []string{"policy", "get", "home", "--user", "alice"}, "", []want{
			iamCall("GetUserPolicy", "UserName", "alice", "PolicyName", "home")}},
		{"policy list", []string{"policy", "list", "--scope", "Local", "--only-attached"}, "", []want{
			iamCall("ListPolicies", "Scope", "Local", "OnlyAttached", "true")}},
		{"policy list user", []string{"policy", "list", "--user", "alice"}, "", []want{
			iamCall("ListAttachedUserPolicies", "UserName", "alice"), iamCall("ListUserPolicies", "UserName", "alice")}},
		{"policy list role", []string{"policy", "list", "--role", "ops"}, "", []want{
			iamCall("ListAttachedRolePolicies", "RoleName", "ops")}},
		{"policy delete", []string{"policy", "delete", "home"}, "", []want{iamCall("DeletePolicy", "PolicyArn", "arn:aws:iam:::policy/home")}},
		{"policy attach user", []string{"policy", "attach", "readwrite", "--user", "alice"}, "", []want{
			iamCall("AttachUserPolicy", "UserName", "alice", "PolicyArn", "arn:aws:iam:::policy/readwrite")}},
		{"policy attach role", []string{"policy", "attach", "--role", "ops", "admin"}, "", []want{
			iamCall("AttachRolePolicy", "RoleName", "ops", "PolicyArn", "arn:aws:iam:::policy/admin")}},
		{"policy attach inline user", []string{"policy", "attach", "home", "--user", "alice", "--policy", policyDoc}, "", []want{
			iamCall("PutUserPolicy", "UserName", "alice", "PolicyName", "home", "PolicyDocument", policyDoc)}},
		{"policy attach inline role", []string{"policy", "attach", "trustme", "--role", "ops", "--policy", policyDoc}, "", []want{
			iamCall("PutRolePolicy", "RoleName", "ops", "PolicyName", "trustme", "PolicyDocument", policyDoc)}},
		{"policy detach user", []string{"policy", "detach", "readwrite", "--user", "alice"}, "", []want{
			iamCall("DetachUserPolicy", "UserName", "alice", "PolicyArn", "arn:aws:iam:::policy/readwrite")}},
		{"policy detach inline", []string{"policy", "detach", "home", "--user", "alice", "--inline"}, "", []want{
			iamCall("DeleteUserPolicy", "UserName", "alice", "PolicyName", "home")}},
		{"policy simulate", []string{"policy", "simulate", "--user", "alice", "--action", "s3:GetObject", "--action", "s3:PutObject",
			"--resource", "arn:aws:s3:::b/k", "--context", "aws:SourceIp=10.1.2.3", "--context", "s3:prefix=home/", "--context", "aws:SourceIp=10.9.9.9"}, "", []want{
			iamCall("SimulatePrincipalPolicy",
				"PolicySourceArn", "arn:aws:iam:::user/alice",
				"ActionNames.member.1", "s3:GetObject",
				"ActionNames.member.2", "s3:PutObject",
				"ResourceArns.member.1", "arn:aws:s3:::b/k",
				"ContextEntries.member.1.ContextKeyName", "aws:SourceIp",
				"ContextEntries.member.1.ContextKeyValues.member.1", "10.1.2.3",
				"ContextEntries.member.1.ContextKeyValues.member.2", "10.9.9.9",
				"ContextEntries.member.1.ContextKeyType", "stringList",
				"ContextEntries.member.2.ContextKeyName", "s3:prefix",
				"ContextEntries.member.2.ContextKeyValues.member.1", "home/",
				"ContextEntries.member.2.ContextKeyType", "string")}},
		{"policy simulate role", []string{"policy", "simulate", "--role", "ops", "--action", "s3:ListBucket"}, "", []want{
			iamCall("SimulatePrincipalPolicy", "PolicySourceArn", "arn:aws:iam:::role/ops", "ActionNames.member.1", "s3:ListBucket")}},

		// service accounts
		{"svcacct create", []string{"svcacct", "create", "--name", "backup", "--description", "nightly", "--policy-file", policyFile, "--expiration", "2030-01-02T03:04:05+02:00"}, "", []want{
			iamCall("CreateServiceAccount", "Name", "backup", "Description", "nightly", "Policy", policyDoc+"\n", "Expiration", "2030-01-02T01:04:05Z")}},
		{"svcacct create bare", []string{"svcacct", "create"}, "", []want{iamCall("CreateServiceAccount")}},
		{"svcacct list", []string{"svcacct", "list"}, "", []want{iamCall("ListServiceAccounts")}},
		{"svcacct get", []string{"svcacct", "get", "CAIRNSA0000000000001"}, "", []want{iamCall("GetServiceAccount", "AccessKeyId", "CAIRNSA0000000000001")}},
		{"svcacct update", []string{"svcacct", "update", "CAIRNSA0000000000001", "--status", "Inactive", "--clear-policy", "--no-expiration", "--description", ""}, "", []want{
			iamCall("UpdateServiceAccount", "AccessKeyId", "CAIRNSA0000000000001", "Status", "Inactive", "Policy", "", "Expiration", "", "Description", "")}},
		{"svcacct update policy", []string{"svcacct", "update", "CAIRNSA0000000000001", "--policy", policyDoc}, "", []want{
			iamCall("UpdateServiceAccount", "AccessKeyId", "CAIRNSA0000000000001", "Policy", policyDoc)}},
		{"svcacct delete", []string{"svcacct", "delete", "CAIRNSA0000000000001"}, "", []want{iamCall("DeleteServiceAccount", "AccessKeyId", "CAIRNSA0000000000001")}},

		// sts
		{"sts assume-role self", []string{"sts", "assume-role", "--session-name", "s1"}, "", []want{
			stsCall("GetCallerIdentity"),
			stsCall("AssumeRole", "RoleArn", "arn:aws:iam::123456789012:user/alice", "RoleSessionName", "s1")}},
		{"sts assume-role role", []string{"sts", "assume-role", "--role", "ops", "--session-name", "s1", "--duration", "2h", "--policy", policyDoc}, "", []want{
			stsCall("AssumeRole", "RoleArn", "arn:aws:iam:::role/ops", "RoleSessionName", "s1", "DurationSeconds", "7200", "Policy", policyDoc)}},
		{"sts assume-role arn", []string{"sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/ops", "--session-name", "s1", "--duration", "900"}, "", []want{
			stsCall("AssumeRole", "RoleArn", "arn:aws:iam::123456789012:role/ops", "RoleSessionName", "s1", "DurationSeconds", "900")}},
		{"sts session-token", []string{"sts", "session-token", "--duration", "3600"}, "", []want{stsCall("GetSessionToken", "DurationSeconds", "3600")}},
		{"sts whoami", []string{"sts", "whoami"}, "", []want{stsCall("GetCallerIdentity")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, commonReplies)
			code, stdout, stderr := f.run(nil, tc.stdin, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			got := f.recorded()
			if len(got) != len(tc.calls) {
				t.Fatalf("got %d requests, want %d: %+v", len(got), len(tc.calls), got)
			}
			for i, w := range tc.calls {
				g := got[i]
				if g.Service != w.svc || g.Action != w.action || !reflect.DeepEqual(g.Params, w.params) {
					t.Errorf("request %d:\n got %s %s %v\nwant %s %s %v", i, g.Service, g.Action, g.Params, w.svc, w.action, w.params)
				}
				if g.AccessKey != "rootkey" || g.Region != "us-east-1" || g.Token != "" {
					t.Errorf("request %d signed as key %q region %q token %q", i, g.AccessKey, g.Region, g.Token)
				}
			}
		})
	}
}

// Every verb in the table has a test above; this catches a verb added
// without one, and a spec verb missing from the table.
func TestEveryVerbIsListed(t *testing.T) {
	spec := map[string][]string{
		"user":    {"create", "get", "list", "update", "delete", "enable", "disable", "revoke-sessions", "add-key", "list-keys", "delete-key"},
		"group":   {"create", "get", "list", "delete", "add-member", "remove-member", "enable", "disable", "attach", "detach"},
		"policy":  {"create", "get", "list", "delete", "attach", "detach", "simulate"},
		"svcacct": {"create", "list", "get", "update", "delete"},
		"sts":     {"assume-role", "session-token", "whoami"},
	}
	have := map[string]bool{}
	for _, c := range commands() {
		key := c.resource + " " + c.verb
		if have[key] {
			t.Errorf("%s defined twice", key)
		}
		have[key] = true
	}
	for res, verbs := range spec {
		for _, v := range verbs {
			if !have[res+" "+v] {
				t.Errorf("spec verb %s %s missing", res, v)
			}
		}
	}
}
