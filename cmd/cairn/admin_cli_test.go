package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// Command-line handling: errors from the server, usage errors, help, and
// where the connection settings come from.

func TestServerErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replies map[string]reply
		args    []string
		calls   []string // actions, in order
		stderr  []string // substrings
	}{
		{"no such entity", map[string]reply{"GetUser": {Code: "NoSuchEntity", Status: 404, Message: "The user with name bob cannot be found."}},
			[]string{"user", "get", "bob"}, []string{"GetUser"},
			[]string{"cairn admin user get: NoSuchEntity: The user with name bob cannot be found. (HTTP 404, request req-err)\n"}},
		{"malformed policy", map[string]reply{"CreatePolicy": {Code: "MalformedPolicyDocument", Status: 400, Message: "Statement 1: unknown action s3:Fly"}},
			[]string{"policy", "create", "p", "--policy", "{}"}, []string{"CreatePolicy"},
			[]string{"MalformedPolicyDocument: Statement 1: unknown action s3:Fly"}},
		{"root managing service accounts", map[string]reply{"CreateServiceAccount": {Code: "AccessDenied", Status: 403, Message: "only the parent user may manage its service accounts"}},
			[]string{"svcacct", "create"}, []string{"CreateServiceAccount"}, []string{"AccessDenied: only the parent user"}},
		{"password key fails: user rolled back",
			map[string]reply{"CreateAccessKey": {Code: "InvalidInput", Status: 400, Message: "secret key must be at least 8 characters"}},
			[]string{"user", "create", "alice", "--password", "short"}, []string{"CreateUser", "CreateAccessKey", "DeleteUser"},
			[]string{"user alice was created and deleted again, but then: InvalidInput: secret key must be at least 8 characters"}},
		{"password key fails and rollback fails",
			map[string]reply{
				"CreateAccessKey": {Code: "EntityAlreadyExists", Status: 409, Message: "access key alice is in use"},
				"DeleteUser":      {Code: "ServiceUnavailable", Status: 503, Message: "no leader"},
			},
			[]string{"user", "create", "alice", "--password", "longenough"}, []string{"CreateUser", "CreateAccessKey", "DeleteUser"},
			[]string{"EntityAlreadyExists: access key alice is in use", "deleting the user again failed too", "ServiceUnavailable: no leader"}},
		{"add-member stops at the first failure",
			map[string]reply{"AddUserToGroup": {Code: "NoSuchEntity", Status: 404, Message: "no user"}},
			[]string{"group", "add-member", "devs", "ghost", "alice"}, []string{"AddUserToGroup"}, []string{"NoSuchEntity: no user"}},
		{"update reports a failed read-back",
			map[string]reply{"GetUser": {Code: "AccessDenied", Status: 403, Message: "no iam:GetUser"}},
			[]string{"user", "disable", "alice"}, []string{"UpdateUser", "GetUser"}, []string{"user updated, but then: AccessDenied"}},
		{"error without a message", map[string]reply{"ListUsers": {Code: "ServiceUnavailable", Status: 503}},
			[]string{"user", "list"}, []string{"ListUsers"}, []string{"cairn admin user list: ServiceUnavailable (HTTP 503, request req-err)\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, merge(commonReplies, tc.replies))
			code, stdout, stderr := f.run(nil, "", tc.args...)
			if code != 1 {
				t.Errorf("exit %d, want 1 (stdout %q)", code, stdout)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr %q\nlacks %q", stderr, s)
				}
			}
			if strings.Contains(stderr, "longenough") || strings.Contains(stderr, "rootsecret") {
				t.Errorf("stderr shows a secret: %q", stderr)
			}
			var got []string
			for _, c := range f.recorded() {
				got = append(got, c.Action)
			}
			if strings.Join(got, " ") != strings.Join(tc.calls, " ") {
				t.Errorf("calls %v, want %v", got, tc.calls)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"nothing", nil, "Resources:"},
		{"unknown resource", []string{"bucket", "list"}, `unknown resource "bucket"`},
		{"resource without verb", []string{"user"}, "revoke-sessions"},
		{"unknown verb", []string{"user", "frobnicate"}, `unknown verb "frobnicate"`},
		{"missing argument", []string{"user", "create"}, `want arguments "NAME", got 0`},
		{"extra argument", []string{"user", "get", "a", "b"}, `want arguments "NAME", got 2`},
		{"unknown flag", []string{"user", "list", "--colour"}, "flag provided but not defined: -colour"},
		{"bad uid", []string{"user", "create", "a", "--posix-uid", "-1"}, `--posix-uid "-1": want a number from 0 to 4294967295`},
		{"uid too big", []string{"user", "update", "a", "--posix-gid", "4294967296"}, "--posix-gid"},
		{"update nothing", []string{"user", "update", "a"}, "nothing to change"},
		{"key id without secret", []string{"user", "add-key", "a", "--id", "k"}, "both --id and --secret"},
		{"bad key status", []string{"user", "update-key", "a", "K", "--status", "on"}, `--status "on": want Active or Inactive`},
		{"missing key status", []string{"user", "update-key", "a", "K"}, "want Active or Inactive"},
		{"both policy flags", []string{"policy", "create", "p", "--policy", "{}", "--policy-file", "x"}, "not both"},
		{"no policy document", []string{"policy", "create", "p"}, "--policy or --policy-file"},
		{"missing policy file", []string{"policy", "create", "p", "--policy-file", "/nonexistent/p.json"}, "no such file"},
		{"empty stdin", []string{"policy", "create", "p", "--policy-file", "-"}, "is empty"},
		{"attach without entity", []string{"policy", "attach", "readonly"}, "give one of --user, --group, --role"},
		{"attach with two entities", []string{"policy", "attach", "readonly", "--user", "a", "--group", "g"}, "only one of"},
		{"inline attach needs one name", []string{"group", "attach", "g", "a", "b", "--policy", "{}"}, "exactly one name"},
		{"simulate without principal", []string{"policy", "simulate", "--action", "s3:GetObject"}, "give one of --user, --role"},
		{"simulate without action", []string{"policy", "simulate", "--user", "a"}, "at least one --action"},
		{"simulate bad context", []string{"policy", "simulate", "--user", "a", "--action", "s3:GetObject", "--context", "novalue"}, "want KEY=VALUE"},
		{"bad duration", []string{"sts", "session-token", "--duration", "soon"}, `--duration "soon"`},
		{"fractional duration", []string{"sts", "session-token", "--duration", "1.5s"}, "whole seconds"},
		{"role and role-arn", []string{"sts", "assume-role", "--role", "r", "--role-arn", "arn:aws:iam:::role/r"}, "not both"},
		{"bad expiration", []string{"svcacct", "create", "--expiration", "tomorrow"}, "RFC 3339"},
		{"svcacct update nothing", []string{"svcacct", "update", "K"}, "nothing to change"},
		{"svcacct policy and clear", []string{"svcacct", "update", "K", "--policy", "{}", "--clear-policy"}, "not both"},
		{"svcacct expiration and none", []string{"svcacct", "update", "K", "--expiration", "1h", "--no-expiration"}, "not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, commonReplies)
			code, _, stderr := f.run(nil, "", tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr %q\nlacks %q", stderr, tc.stderr)
			}
			if n := len(f.recorded()); n != 0 {
				t.Errorf("%d requests sent for a bad command line", n)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	f := newFake(t, commonReplies)
	env := map[string]string{"CAIRN_SECRET_KEY": "env-secret-value"}
	for _, tc := range []struct {
		args       []string
		code       int
		out, inErr string
	}{
		{[]string{"-h"}, 0, "Resources:", ""},
		{[]string{"help"}, 0, "Global flags", ""},
		{[]string{"user", "help"}, 0, "revoke-sessions NAME", ""},
		{[]string{"sts", "--help"}, 0, "assume-role", ""},
		{[]string{"user", "create", "-h"}, 0, "", "-posix-uid"},
		{[]string{"policy", "simulate", "--help"}, 0, "", "-context"},
	} {
		code, stdout, stderr := f.run(env, "", tc.args...)
		if code != tc.code || !strings.Contains(stdout, tc.out) || !strings.Contains(stderr, tc.inErr) {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q", tc.args, code, stdout, stderr)
		}
		if strings.Contains(stdout+stderr, "env-secret-value") {
			t.Errorf("%v: help shows the secret key from the environment", tc.args)
		}
	}
	if n := len(f.recorded()); n != 0 {
		t.Errorf("help sent %d requests", n)
	}
}

func TestConnectionSettings(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		env                  map[string]string
		flags                []string
		key, region, token   string
		wantCode             int
		wantErr              string
		useDeadEndpointInEnv bool
	}{
		{name: "environment", key: "rootkey", region: "us-east-1"},
		{name: "flags override environment", flags: []string{"--access-key", "flagkey", "--secret-key", "flagsecret", "--region", "eu-west-1"},
			key: "flagkey", region: "eu-west-1"},
		{name: "session token from environment", env: map[string]string{"CAIRN_SESSION_TOKEN": "envtoken"}, key: "rootkey", region: "us-east-1", token: "envtoken"},
		{name: "session token flag over environment", env: map[string]string{"CAIRN_SESSION_TOKEN": "envtoken"}, flags: []string{"--session-token", "flagtoken"},
			key: "rootkey", region: "us-east-1", token: "flagtoken"},
		{name: "empty flag clears environment", env: map[string]string{"CAIRN_SESSION_TOKEN": "envtoken"}, flags: []string{"--session-token="},
			key: "rootkey", region: "us-east-1"},
		{name: "endpoint flag over environment", useDeadEndpointInEnv: true, flags: []string{"--endpoint", "FAKE"}, key: "rootkey", region: "us-east-1"},
		{name: "dead endpoint", useDeadEndpointInEnv: true, wantCode: 1, wantErr: "127.0.0.1:1"},
		{name: "no credentials", env: map[string]string{"CAIRN_ACCESS_KEY": "", "CAIRN_SECRET_KEY": ""}, wantCode: 2, wantErr: "CAIRN_ACCESS_KEY"},
		{name: "no secret", env: map[string]string{"CAIRN_SECRET_KEY": ""}, flags: []string{"--access-key", "k"}, wantCode: 2, wantErr: "a secret key are required"},
		{name: "bad endpoint", flags: []string{"--endpoint", "ftp://x"}, wantCode: 2, wantErr: "scheme must be http or https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, commonReplies)
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			if tc.useDeadEndpointInEnv {
				env["CAIRN_ENDPOINT"] = "http://127.0.0.1:1"
			}
			args := []string{"sts", "whoami"}
			for _, fl := range tc.flags {
				args = append(args, strings.ReplaceAll(fl, "FAKE", f.srv.URL))
			}
			code, _, stderr := f.run(env, "", args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d: %s", code, tc.wantCode, stderr)
			}
			if tc.wantCode != 0 {
				if !strings.Contains(stderr, tc.wantErr) {
					t.Errorf("stderr %q lacks %q", stderr, tc.wantErr)
				}
				return
			}
			c := f.recorded()
			if len(c) != 1 {
				t.Fatalf("%d requests", len(c))
			}
			if c[0].AccessKey != tc.key || c[0].Region != tc.region || c[0].Token != tc.token {
				t.Errorf("signed as key %q region %q token %q; want %q %q %q", c[0].AccessKey, c[0].Region, c[0].Token, tc.key, tc.region, tc.token)
			}
		})
	}
}

func TestDefaultEndpoint(t *testing.T) {
	g := &globals{}
	g.applyEnv(map[string]bool{}, func(string) (string, bool) { return "", false })
	if g.endpoint != defaultEndpoint || g.accessKey != "" {
		t.Errorf("defaults: %+v", g)
	}
	g = &globals{endpoint: "http://flag"}
	g.applyEnv(map[string]bool{"endpoint": true}, func(k string) (string, bool) { return "http://env", true })
	if g.endpoint != "http://flag" {
		t.Errorf("flag lost to env: %q", g.endpoint)
	}
}

func TestParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  string
		json bool
	}{
		{[]string{"a", "--json", "b"}, "a b", true},
		{[]string{"--json", "a"}, "a", true},
		{[]string{"a", "--", "--json", "-x"}, "a --json -x", false},
		{[]string{"--", "a"}, "a", false},
		{nil, "", false},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		g := registerGlobals(fs)
		pos, err := parseInterspersed(fs, tc.args)
		if err != nil || strings.Join(pos, " ") != tc.pos || g.json != tc.json {
			t.Errorf("%q: pos %q json %v err %v; want %q %v", tc.args, pos, g.json, err, tc.pos, tc.json)
		}
	}
}

func TestArgumentAfterDoubleDash(t *testing.T) {
	f := newFake(t, commonReplies)
	code, _, stderr := f.run(nil, "", "user", "delete", "--", "-odd")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if c := f.recorded(); len(c) != 1 || c[0].Params["UserName"] != "-odd" {
		t.Errorf("calls %+v", c)
	}
}

func TestMainDispatchesAdmin(t *testing.T) {
	var out, errb strings.Builder
	if code := run([]string{"admin", "--help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "cairn admin RESOURCE VERB") {
		t.Errorf("run admin --help: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	out.Reset()
	if run([]string{"help"}, &out, &errb); !strings.Contains(out.String(), "cairn admin") {
		t.Errorf("top-level usage does not mention admin: %q", out.String())
	}
}
