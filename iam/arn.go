package iam

import (
	"fmt"
	"strings"
)

// ARN returns the IAM ARN of an entity: kind is "user", "group", "role",
// "policy", or "root" (name ignored). An empty account is Cairn's own, as
// in arn:aws:iam:::user/alice.
func ARN(account, kind, name string) string {
	if kind == "root" {
		return "arn:aws:iam::" + account + ":root"
	}
	return "arn:aws:iam::" + account + ":" + kind + "/" + name
}

// S3ARN returns the ARN of a bucket ("arn:aws:s3:::bucket") or, with a key,
// of an object ("arn:aws:s3:::bucket/key").
func S3ARN(bucket, key string) string {
	if key == "" {
		return "arn:aws:s3:::" + bucket
	}
	return "arn:aws:s3:::" + bucket + "/" + key
}

// ParseIAMARN splits an IAM ARN into account, kind and name. It accepts
// arn:aws:iam::<account>:user|group|role|policy/[path/]name (the path is
// dropped), arn:aws:iam::<account>:root (kind "root", name ""), and
// arn:aws:sts::<account>:assumed-role/role/session (kind "assumed-role",
// name "role/session"). The account may be empty, meaning Cairn's own.
func ParseIAMARN(arn string) (account, kind, name string, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" {
		return "", "", "", fmt.Errorf("%w: %q is not an ARN (arn:aws:iam::account:kind/name)", ErrInvalidInput, arn)
	}
	svc, region, account, res := parts[2], parts[3], parts[4], parts[5]
	if region != "" {
		return "", "", "", fmt.Errorf("%w: ARN %q: IAM ARNs have no region", ErrInvalidInput, arn)
	}
	if account != "" && !isAccountID(account) {
		return "", "", "", fmt.Errorf("%w: ARN %q: account %q is not a 12-digit account ID", ErrInvalidInput, arn, account)
	}
	switch svc {
	case "iam":
		if res == "root" {
			return account, "root", "", nil
		}
		k, rest, ok := strings.Cut(res, "/")
		switch k {
		case "user", "group", "role", "policy":
		default:
			ok = false
		}
		if !ok || rest == "" {
			return "", "", "", fmt.Errorf("%w: ARN %q: resource must be user/, group/, role/, policy/<name> or root", ErrInvalidInput, arn)
		}
		name = rest[strings.LastIndexByte(rest, '/')+1:]
		if name == "" {
			return "", "", "", fmt.Errorf("%w: ARN %q has an empty name", ErrInvalidInput, arn)
		}
		return account, k, name, nil
	case "sts":
		rest, ok := strings.CutPrefix(res, "assumed-role/")
		role, session, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || role == "" || session == "" {
			return "", "", "", fmt.Errorf("%w: ARN %q: STS resource must be assumed-role/<role>/<session>", ErrInvalidInput, arn)
		}
		return account, "assumed-role", rest, nil
	}
	return "", "", "", fmt.Errorf("%w: ARN %q is not an IAM or STS ARN", ErrInvalidInput, arn)
}

func isAccountID(s string) bool { return len(s) == 12 && allDigits(s) }

// checkResourceARN validates a Resource/NotResource entry: "*", or an ARN
// arn:partition:service:region:account:resource of a service Cairn serves.
// Wildcards and (in 2012-10-17 policies) variables are allowed inside
// components; the checks apply to the literal parts.
func checkResourceARN(r string, vars bool) error {
	if r == "*" {
		return nil
	}
	parts := splitARN(r, vars)
	if len(parts) != 6 || parts[0] != "arn" {
		return fmt.Errorf("resource %q must be \"*\" or an ARN (arn:partition:service:region:account:resource)", r)
	}
	partition, svc, region, account, res := parts[1], parts[2], parts[3], parts[4], parts[5]
	wild := func(s string) bool { return strings.ContainsAny(s, "*?") || strings.Contains(s, "${") }
	switch partition {
	case "aws", "aws-cn", "aws-us-gov":
	default:
		if !wild(partition) {
			return fmt.Errorf("resource %q: unknown partition %q", r, partition)
		}
	}
	if res == "" {
		return fmt.Errorf("resource %q: the resource part of the ARN is empty", r)
	}
	switch svc {
	case "s3":
		if region != "" && !wild(region) || account != "" && !wild(account) {
			return fmt.Errorf("resource %q: S3 ARNs have no region or account (arn:aws:s3:::bucket/key)", r)
		}
	case "iam", "sts":
		if region != "" && !wild(region) {
			return fmt.Errorf("resource %q: %s ARNs have no region", r, svc)
		}
		if account != "" && !wild(account) && !isAccountID(account) {
			return fmt.Errorf("resource %q: account %q is not a 12-digit account ID", r, account)
		}
	default:
		if !wild(svc) {
			return fmt.Errorf("resource %q: service %q is not served by Cairn (s3, iam, sts)", r, svc)
		}
	}
	return nil
}
