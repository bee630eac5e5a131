package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Output: exact human renderings and JSON shapes, and that secrets appear
// only where a create call produced them.

func TestHumanOutput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replies map[string]reply
		args    []string
		want    string
	}{
		{"user get", nil, []string{"user", "get", "alice"}, `UserName:         alice
UserId:           AIDAALICE000000000001
Arn:              arn:aws:iam::123456789012:user/alice
Path:             /
CreateDate:       2025-01-02T03:04:05Z
Groups:           devs
AttachedPolicies: readonly
InlinePolicies:   home
`},
		{"user get with extensions", map[string]reply{"GetUser": {Result: xmlAliceExt}, "ListUserPolicies": {Result: `<PolicyNames/>`}},
			[]string{"user", "get", "alice"}, `UserName:          alice
UserId:            AIDAALICE000000000001
Arn:               arn:aws:iam::123456789012:user/alice
Path:              /
CreateDate:        2025-01-02T03:04:05Z
Status:            Inactive
DisplayName:       Alice A.
PosixUid:          1001
PosixGid:          100
AllowCreateBucket: true
AllowDeleteBucket: false
Groups:            devs
AttachedPolicies:  readonly
`},
		{"user list", nil, []string{"user", "list"}, `NAME   ID                     STATUS  CREATED               ARN
alice  AIDAALICE000000000001  -       2025-01-02T03:04:05Z  arn:aws:iam::123456789012:user/alice
`},
		{"user list empty", map[string]reply{"ListUsers": {Result: `<Users/><IsTruncated>false</IsTruncated>`}}, []string{"user", "list"},
			"NAME  ID  STATUS  CREATED  ARN\n"},
		{"user add-key shows the generated secret", nil, []string{"user", "add-key", "alice"}, `UserName:        alice
AccessKeyId:     AKIAGENERATED0000001
SecretAccessKey: generated-secret-40-chars-long-xxxxxxxxxx
Status:          Active
CreateDate:      2025-01-02T03:04:05Z
`},
		{"user list-keys", nil, []string{"user", "list-keys", "alice"}, `ACCESS KEY  STATUS  CREATED
AKIA1       Active  2025-01-02T03:04:05Z
`},
		{"user delete", nil, []string{"user", "delete", "alice"}, "deleted user alice\n"},
		{"user revoke-sessions", nil, []string{"user", "revoke-sessions", "alice"}, "revoked all sessions of user alice\n"},
		{"group get", nil, []string{"group", "get", "devs"}, `GroupName:        devs
GroupId:          AGPADEVS0000000000001
Arn:              arn:aws:iam::123456789012:group/devs
Path:             /
CreateDate:       2025-01-02T03:04:05Z
Status:           Active
Members:          alice
AttachedPolicies: readwrite
`},
		{"group add-member", nil, []string{"group", "add-member", "devs", "alice", "bob"}, "added user alice to group devs\nadded user bob to group devs\n"},
		{"policy get decodes and indents the document", nil, []string{"policy", "get", "home"}, `PolicyName:       home
PolicyId:         ANPAHOME0000000000001
Arn:              arn:aws:iam::123456789012:policy/home
Path:             /
Description:      home folders
DefaultVersionId: v1
CreateDate:       2025-01-02T03:04:05Z
UpdateDate:       2025-01-03T03:04:05Z
Document:
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b/*"
    }
  ]
}
`},
		{"policy list", nil, []string{"policy", "list"}, `NAME  TYPE   ATTACHED  CREATED               ARN                                    DESCRIPTION
home  local  2         2025-01-02T03:04:05Z  arn:aws:iam::123456789012:policy/home  home folders
`},
		{"policy list user", nil, []string{"policy", "list", "--user", "alice"}, `NAME      TYPE     ARN
readonly  managed  arn:aws:iam::aws:policy/readonly
home      inline   -
`},
		{"policy attach", nil, []string{"policy", "attach", "readonly", "readwrite", "--group", "devs"}, "attached policy readonly to group devs\nattached policy readwrite to group devs\n"},
		{"policy simulate", nil, []string{"policy", "simulate", "--user", "alice", "--action", "s3:GetObject", "--action", "s3:PutObject", "--resource", "arn:aws:s3:::b/k"}, `Action:    s3:GetObject
Resource:  arn:aws:s3:::b/k
Decision:  allowed
Policy:    user:alice/home
Statement: Read
Reason:    statement Read of user:alice/home allows s3:GetObject

Action:   s3:PutObject
Resource: arn:aws:s3:::b/k
Decision: implicitDeny
Reason:   no policy allows s3:PutObject
`},
		{"policy list builtin", map[string]reply{"ListPolicies": {Result: `<Policies><member><PolicyName>readonly</PolicyName><Arn>arn:aws:iam::123456789012:policy/readonly</Arn><AttachmentCount>0</AttachmentCount><IsBuiltin>true</IsBuiltin></member></Policies>`}},
			[]string{"policy", "list"}, `NAME      TYPE     ATTACHED  CREATED  ARN                                        DESCRIPTION
readonly  builtin  0         -        arn:aws:iam::123456789012:policy/readonly  -
`},
		{"svcacct create shows the secret", nil, []string{"svcacct", "create", "--name", "backup"}, `AccessKeyId:     CAIRNSA0000000000001
SecretAccessKey: svc-secret
ParentUser:      alice
Name:            backup
Status:          Active
Expiration:      never
CreateDate:      2025-01-02T03:04:05Z
`},
		{"svcacct list hides secrets", nil, []string{"svcacct", "list"}, `ACCESS KEY            NAME    STATUS    EXPIRES               DESCRIPTION
CAIRNSA0000000000001  backup  Active    never                 -
CAIRNSA0000000000002  -       Inactive  2030-01-01T00:00:00Z  -
`},
		{"svcacct get hides the secret, shows the policy", nil, []string{"svcacct", "get", "CAIRNSA0000000000001"}, `AccessKeyId: CAIRNSA0000000000001
ParentUser:  alice
Status:      Active
Expiration:  never
Policy:
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b/*"
    }
  ]
}
`},
		{"sts assume-role", nil, []string{"sts", "assume-role", "--role", "ops"}, `AccessKeyId:     ASIATEMP
SecretAccessKey: tempsecret
SessionToken:    tok'en
Expiration:      2025-01-02T04:04:05Z
AssumedRoleArn:  arn:aws:sts::123456789012:assumed-role/alice/s1
AssumedRoleId:   AIDAALICE:s1
`},
		{"sts session-token --export", nil, []string{"sts", "session-token", "--export"}, `export CAIRN_ACCESS_KEY='ASIATEMP'
export CAIRN_SECRET_KEY='tempsecret'
export CAIRN_SESSION_TOKEN='tok'\''en'
export AWS_ACCESS_KEY_ID='ASIATEMP'
export AWS_SECRET_ACCESS_KEY='tempsecret'
export AWS_SESSION_TOKEN='tok'\''en'
`},
		{"sts whoami", nil, []string{"sts", "whoami"}, `Account: 123456789012
Arn:     arn:aws:iam::123456789012:user/alice
UserId:  AIDAALICE000000000001
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, merge(commonReplies, tc.replies))
			code, stdout, stderr := f.run(nil, "", tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stdout != tc.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, tc.want)
			}
		})
	}
}

func TestJSONOutput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replies map[string]reply
		args    []string
		check   func(t *testing.T, v map[string]any)
		raw     string // exact output, when check is nil
	}{
		{"user get", map[string]reply{"GetUser": {Result: xmlAliceExt}}, []string{"user", "get", "alice"}, func(t *testing.T, v map[string]any) {
			u := v["User"].(map[string]any)
			if u["UserName"] != "alice" || u["PosixUid"] != 1001.0 || u["AllowCreateBucket"] != true || u["AllowDeleteBucket"] != false || u["Status"] != "Inactive" {
				t.Errorf("User %v", u)
			}
			if g := v["Groups"].([]any); len(g) != 1 || g[0] != "devs" {
				t.Errorf("Groups %v", v["Groups"])
			}
			if p := v["InlinePolicies"].([]any); len(p) != 1 || p[0] != "home" {
				t.Errorf("InlinePolicies %v", v["InlinePolicies"])
			}
		}, ""},
		{"user get omits absent extensions", nil, []string{"user", "get", "alice"}, func(t *testing.T, v map[string]any) {
			u := v["User"].(map[string]any)
			for _, k := range []string{"PosixUid", "Status", "AllowCreateBucket", "DisplayName"} {
				if _, ok := u[k]; ok {
					t.Errorf("User has %s: %v", k, u)
				}
			}
		}, ""},
		{"user list empty is []", map[string]reply{"ListUsers": {Result: `<IsTruncated>false</IsTruncated>`}}, []string{"user", "list"}, nil, "{\n  \"Users\": []\n}\n"},
		{"policy get embeds the document as JSON", nil, []string{"policy", "get", "home"}, func(t *testing.T, v map[string]any) {
			d := v["Document"].(map[string]any)
			if d["Version"] != "2012-10-17" {
				t.Errorf("Document %v", d)
			}
			if v["Policy"].(map[string]any)["Arn"] != "arn:aws:iam::123456789012:policy/home" {
				t.Errorf("Policy %v", v["Policy"])
			}
		}, ""},
		{"policy get inline", nil, []string{"policy", "get", "home", "--user", "alice"}, func(t *testing.T, v map[string]any) {
			if v["UserName"] != "alice" || v["PolicyName"] != "home" || v["PolicyDocument"].(map[string]any)["Version"] != "2012-10-17" {
				t.Errorf("%v", v)
			}
		}, ""},
		{"simulate", nil, []string{"policy", "simulate", "--user", "alice", "--action", "s3:GetObject"}, func(t *testing.T, v map[string]any) {
			r := v["EvaluationResults"].([]any)[0].(map[string]any)
			st := r["MatchedStatements"].([]any)[0].(map[string]any)
			if r["EvalDecision"] != "allowed" || st["SourcePolicyId"] != "user:alice/home" || st["StatementId"] != "Read" ||
				r["EvalReason"] != "statement Read of user:alice/home allows s3:GetObject" {
				t.Errorf("%v", r)
			}
		}, ""},
		{"sts assume-role", nil, []string{"sts", "assume-role", "--role", "ops"}, func(t *testing.T, v map[string]any) {
			c := v["Credentials"].(map[string]any)
			if c["SecretAccessKey"] != "tempsecret" || c["SessionToken"] != "tok'en" || v["AssumedRoleUser"].(map[string]any)["AssumedRoleId"] != "AIDAALICE:s1" {
				t.Errorf("%v", v)
			}
		}, ""},
		{"svcacct get decodes the policy", nil, []string{"svcacct", "get", "CAIRNSA0000000000001"}, func(t *testing.T, v map[string]any) {
			if p := v["ServiceAccount"].(map[string]any)["Policy"]; p != policyDoc {
				t.Errorf("Policy %q", p)
			}
		}, ""},
		{"svcacct list hides secrets", nil, []string{"svcacct", "list"}, func(t *testing.T, v map[string]any) {
			a := v["ServiceAccounts"].([]any)
			if len(a) != 2 || a[0].(map[string]any)["AccessKeyId"] != "CAIRNSA0000000000001" {
				t.Errorf("%v", v)
			}
		}, ""},
		{"no-result verbs print nothing", nil, []string{"user", "delete", "alice"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, merge(commonReplies, tc.replies))
			code, stdout, stderr := f.run(nil, "", append(tc.args, "--json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if strings.Contains(stdout, "leaked") {
				t.Errorf("a listed secret was printed: %s", stdout)
			}
			if tc.check == nil {
				if stdout != tc.raw {
					t.Errorf("stdout %q, want %q", stdout, tc.raw)
				}
				return
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(stdout), &v); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, stdout)
			}
			tc.check(t, v)
		})
	}
}

// Secrets the operator typed, and secrets a listing or get returns, are
// never printed, in either output mode.
func TestSecretsNotEchoed(t *testing.T) {
	for _, args := range [][]string{
		{"user", "create", "alice", "--password", "my-own-password"},
		{"user", "create", "alice", "--password", "my-own-password", "--json"},
		{"user", "add-key", "alice", "--id", "alicekey", "--secret", "my-own-password"},
		{"user", "add-key", "alice", "--id", "alicekey", "--secret", "my-own-password", "--json"},
		{"svcacct", "get", "CAIRNSA0000000000001"},
		{"svcacct", "get", "CAIRNSA0000000000001", "--json"},
		{"svcacct", "list"},
		{"user", "list-keys", "alice", "--json"},
	} {
		// The fake echoes the typed secret back, as a real CreateAccessKey does.
		f := newFake(t, merge(commonReplies, map[string]reply{
			"CreateAccessKey": {Result: `<AccessKey><UserName>alice</UserName><AccessKeyId>alice</AccessKeyId><SecretAccessKey>my-own-password</SecretAccessKey><Status>Active</Status></AccessKey>`},
			"ListAccessKeys":  {Result: `<AccessKeyMetadata><member><AccessKeyId>AKIA1</AccessKeyId><SecretAccessKey>leaked</SecretAccessKey></member></AccessKeyMetadata>`},
		}))
		code, stdout, stderr := f.run(nil, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		for _, secret := range []string{"my-own-password", "leaked", "rootsecret"} {
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("%v printed %q:\n%s%s", args, secret, stdout, stderr)
			}
		}
		if args[1] == "create" && !strings.Contains(stdout, "alice") {
			t.Errorf("%v: key ID not shown: %s", args, stdout)
		}
	}
}

func merge(base, over map[string]reply) map[string]reply {
	m := make(map[string]reply, len(base)+len(over))
	for k, v := range base {
		m[k] = v
	}
	for k, v := range over {
		m[k] = v
	}
	return m
}
