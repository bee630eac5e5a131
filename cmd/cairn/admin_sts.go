package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	ac "github.com/cairn-s3/cairn/cmd/cairn/internal/adminclient"
)

// `cairn admin sts …`: AssumeRole, GetSessionToken and GetCallerIdentity.
// Issued credentials are results of a create call, so their secret and
// token are printed; --export prints them as shell assignments instead, for
// `eval "$(cairn admin sts assume-role --export)"`.

func stsCommands() []command {
	return []command{
		{resource: "sts", verb: "assume-role", maxArgs: 0,
			summary: "get temporary credentials for a role, or (default) for the calling user, optionally narrowed by --policy",
			setup:   stsAssumeRole},
		{resource: "sts", verb: "session-token", maxArgs: 0,
			summary: "get temporary credentials for the calling user", setup: stsSessionToken},
		{resource: "sts", verb: "whoami", maxArgs: 0,
			summary: "show the account, ARN and ID of the caller", setup: stsWhoami},
	}
}

func stsAssumeRole(fs *flag.FlagSet) runFunc {
	role := fs.String("role", "", "role name to assume")
	roleARN := fs.String("role-arn", "", "role ARN to assume (default: the caller's own user, as WEKA)")
	sessionName := fs.String("session-name", "", "session name (default cairn-admin-<time>)")
	duration := fs.String("duration", "", "lifetime: seconds (900–43200) or a duration (1h); server default 1h")
	doc := addPolicyFlags(fs, "a session policy (it can only reduce permissions)")
	export := fs.Bool("export", false, "print shell export lines for CAIRN_* and AWS_* variables")
	return func(ctx context.Context, s *session, _ []string) error {
		if *role != "" && *roleARN != "" {
			return usagef("give --role or --role-arn, not both")
		}
		arn := *roleARN
		if *role != "" {
			arn = iamARN("role", *role)
		}
		name := *sessionName
		if name == "" {
			name = fmt.Sprintf("cairn-admin-%d", time.Now().Unix())
		}
		p := url.Values{"RoleSessionName": {name}}
		if *duration != "" {
			d, err := parseSeconds("duration", *duration)
			if err != nil {
				return err
			}
			p.Set("DurationSeconds", d)
		}
		d, ok, err := doc.read(s.stdin)
		if err != nil {
			return err
		}
		if ok {
			p.Set("Policy", d)
		}
		if arn == "" {
			// The self form: AssumeRole naming the caller's own user.
			var id ac.CallerIdentity
			if err := s.client.Do(ctx, ac.STS, "GetCallerIdentity", url.Values{}, &id); err != nil {
				return err
			}
			arn = id.Arn
		}
		p.Set("RoleArn", arn)
		var r ac.AssumeRoleResult
		if err := s.client.Do(ctx, ac.STS, "AssumeRole", p, &r); err != nil {
			return err
		}
		if *export {
			return exportCredentials(s, r.Credentials)
		}
		return s.out.result(r, func(t *text) {
			credentialFields(t, r.Credentials, "AssumedRoleArn", r.AssumedRoleUser.Arn, "AssumedRoleId", r.AssumedRoleUser.AssumedRoleId)
		})
	}
}

func stsSessionToken(fs *flag.FlagSet) runFunc {
	duration := fs.String("duration", "", "lifetime: seconds (900–43200) or a duration (1h); server default 1h")
	export := fs.Bool("export", false, "print shell export lines for CAIRN_* and AWS_* variables")
	return func(ctx context.Context, s *session, _ []string) error {
		p := url.Values{}
		if *duration != "" {
			d, err := parseSeconds("duration", *duration)
			if err != nil {
				return err
			}
			p.Set("DurationSeconds", d)
		}
		var r ac.SessionTokenResult
		if err := s.client.Do(ctx, ac.STS, "GetSessionToken", p, &r); err != nil {
			return err
		}
		if *export {
			return exportCredentials(s, r.Credentials)
		}
		return s.out.result(r, func(t *text) { credentialFields(t, r.Credentials) })
	}
}

func stsWhoami(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, s *session, _ []string) error {
		var id ac.CallerIdentity
		if err := s.client.Do(ctx, ac.STS, "GetCallerIdentity", url.Values{}, &id); err != nil {
			return err
		}
		return s.out.result(id, func(t *text) {
			t.fields("Account", id.Account, "Arn", id.Arn, "UserId", id.UserId)
		})
	}
}

func credentialFields(t *text, c ac.Credentials, extra ...string) {
	t.fields(append([]string{
		"AccessKeyId", c.AccessKeyId,
		"SecretAccessKey", c.SecretAccessKey,
		"SessionToken", c.SessionToken,
		"Expiration", c.Expiration,
	}, extra...)...)
}

// exportCredentials prints POSIX shell assignments for both Cairn's and the
// AWS tools' variables (--json is ignored: the output is for eval).
func exportCredentials(s *session, c ac.Credentials) error {
	var b strings.Builder
	for _, kv := range [][2]string{
		{"CAIRN_ACCESS_KEY", c.AccessKeyId},
		{"CAIRN_SECRET_KEY", c.SecretAccessKey},
		{"CAIRN_SESSION_TOKEN", c.SessionToken},
		{"AWS_ACCESS_KEY_ID", c.AccessKeyId},
		{"AWS_SECRET_ACCESS_KEY", c.SecretAccessKey},
		{"AWS_SESSION_TOKEN", c.SessionToken},
	} {
		fmt.Fprintf(&b, "export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
	_, err := fmt.Fprint(s.out.w, b.String())
	return err
}

// shellQuote single-quotes v for a POSIX shell.
func shellQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
