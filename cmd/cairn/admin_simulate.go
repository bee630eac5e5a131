package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"strings"

	ac "github.com/cairn-s3/cairn/cmd/cairn/internal/adminclient"
)

// `cairn admin policy simulate`: SimulatePrincipalPolicy, which answers
// "may this identity do this action on this resource, in this context?"
// with the decision and the statement that made it.

func policySimulate(fs *flag.FlagSet) runFunc {
	user := fs.String("user", "", "simulate as this user")
	role := fs.String("role", "", "simulate as this role")
	var actions, resources, contexts stringList
	fs.Var(&actions, "action", "action to decide, e.g. s3:GetObject (repeatable)")
	fs.Var(&resources, "resource", "resource ARN, e.g. arn:aws:s3:::bucket/key (repeatable; default *)")
	fs.Var(&contexts, "context", "request context KEY=VALUE, e.g. aws:SourceIp=10.1.2.3 (repeatable; a key given twice is a list)")
	return func(ctx context.Context, s *session, _ []string) error {
		i, err := oneOf([]string{"user", "role"}, *user, *role)
		if err != nil {
			return err
		}
		source := iamARN([]string{"user", "role"}[i], []string{*user, *role}[i])
		if len(actions) == 0 {
			return usagef("give at least one --action")
		}
		p := url.Values{"PolicySourceArn": {source}}
		for n, a := range actions {
			p.Set(fmt.Sprintf("ActionNames.member.%d", n+1), a)
		}
		for n, r := range resources {
			p.Set(fmt.Sprintf("ResourceArns.member.%d", n+1), r)
		}
		entries, err := contextEntries(contexts)
		if err != nil {
			return err
		}
		for n, e := range entries {
			prefix := fmt.Sprintf("ContextEntries.member.%d.", n+1)
			p.Set(prefix+"ContextKeyName", e.key)
			for m, v := range e.values {
				p.Set(fmt.Sprintf("%sContextKeyValues.member.%d", prefix, m+1), v)
			}
			typ := "string"
			if len(e.values) > 1 {
				typ = "stringList"
			}
			p.Set(prefix+"ContextKeyType", typ)
		}
		results, err := ac.ListAll(ctx, s.client, ac.IAM, "SimulatePrincipalPolicy", p,
			func(r *ac.SimulateResult) ([]ac.EvaluationResult, ac.Pagination) {
				return r.EvaluationResults, r.Pagination
			})
		if err != nil {
			return err
		}
		return s.out.result(struct{ EvaluationResults []ac.EvaluationResult }{nonNil(results)}, func(t *text) {
			// One block per (action, resource): the deciding policy,
			// statement and reason are too wide for a table.
			for i, r := range results {
				if i > 0 {
					t.line("")
				}
				policy, statement := decidedBy(r.MatchedStatements)
				t.fields(
					"Action", r.EvalActionName,
					"Resource", r.EvalResourceName,
					"Decision", r.EvalDecision,
					"Policy", policy,
					"Statement", statement,
					"Reason", r.EvalReason,
				)
			}
		})
	}
}

// contextEntry is one simulator context key with its values, in the order
// the keys were first given.
type contextEntry struct {
	key    string
	values []string
}

func contextEntries(kvs []string) ([]contextEntry, error) {
	var entries []contextEntry
	index := map[string]int{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usagef("--context %q: want KEY=VALUE", kv)
		}
		if i, seen := index[k]; seen {
			entries[i].values = append(entries[i].values, v)
			continue
		}
		index[k] = len(entries)
		entries = append(entries, contextEntry{key: k, values: []string{v}})
	}
	return entries, nil
}

// decidedBy names the deciding policies and statements (Cairn reports at
// most one; AWS may list several).
func decidedBy(ss []ac.Statement) (policies, statements string) {
	var ps, sts []string
	for _, s := range ss {
		ps = append(ps, s.SourcePolicyId)
		if s.StatementId != "" {
			sts = append(sts, s.StatementId)
		}
	}
	return strings.Join(ps, ", "), strings.Join(sts, ", ")
}
