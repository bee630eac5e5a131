package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/url"
	"strings"

	ac "github.com/cairn-s3/cairn/cmd/cairn/internal/adminclient"
)

// `cairn admin policy …`: managed policies (CreatePolicy, GetPolicy +
// GetPolicyVersion, ListPolicies, DeletePolicy), attaching them to users,
// groups and roles (Attach/Detach{User,Group,Role}Policy), inline policies
// (Put/Get/Delete{User,Group,Role}Policy), and the simulator
// (SimulatePrincipalPolicy, admin_simulate.go).
//
// A policy is named by its name or its ARN; a name becomes
// arn:aws:iam:::policy/NAME, whose empty account Cairn reads as its own, so
// the builtins readonly, readwrite, writeonly and admin attach by name.

func policyCommands() []command {
	return []command{
		{resource: "policy", verb: "create", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "create a managed policy from --policy or --policy-file", setup: policyCreate},
		{resource: "policy", verb: "get", args: "NAME|ARN", minArgs: 1, maxArgs: 1,
			summary: "show a managed policy and its document, or with --user/--group/--role an inline policy", setup: policyGet},
		{resource: "policy", verb: "list", maxArgs: 0,
			summary: "list managed policies, or with --user/--group/--role the policies of that entity", setup: policyList},
		{resource: "policy", verb: "delete", args: "NAME|ARN", minArgs: 1, maxArgs: 1,
			summary: "delete a managed policy (it must be detached everywhere)", setup: policyDelete},
		{resource: "policy", verb: "attach", args: "POLICY...", minArgs: 1, maxArgs: -1,
			summary: "attach managed policies to --user, --group or --role, or with --policy/--policy-file put the inline policy POLICY",
			setup:   policyAttach},
		{resource: "policy", verb: "detach", args: "POLICY...", minArgs: 1, maxArgs: -1,
			summary: "detach managed policies from --user, --group or --role, or with --inline delete inline policies",
			setup:   policyDetach},
		{resource: "policy", verb: "simulate", maxArgs: 0,
			summary: "decide whether --user (or --role) may do --action on --resource, and name the deciding statement",
			setup:   policySimulate},
	}
}

// entityFlags are --user, --group and --role, of which a verb takes one.
type entityFlags struct{ user, group, role string }

func addEntityFlags(fs *flag.FlagSet) *entityFlags {
	e := &entityFlags{}
	fs.StringVar(&e.user, "user", "", "the user")
	fs.StringVar(&e.group, "group", "", "the group")
	fs.StringVar(&e.role, "role", "", "the role")
	return e
}

// pick returns the kind ("User", "Group", "Role") and name of the one
// entity given; ok is false when none is given and required is false.
func (e *entityFlags) pick(required bool) (kind, name string, ok bool, err error) {
	if !required && e.user == "" && e.group == "" && e.role == "" {
		return "", "", false, nil
	}
	i, err := oneOf([]string{"user", "group", "role"}, e.user, e.group, e.role)
	if err != nil {
		return "", "", false, err
	}
	return []string{"User", "Group", "Role"}[i], []string{e.user, e.group, e.role}[i], true, nil
}

func policyCreate(fs *flag.FlagSet) runFunc {
	doc := addPolicyFlags(fs, "the policy document")
	description := fs.String("description", "", "description")
	path := fs.String("path", "", "IAM path")
	return func(ctx context.Context, s *session, args []string) error {
		d, ok, err := doc.read(s.stdin)
		if err != nil {
			return err
		}
		if !ok {
			return usagef("give the document with --policy or --policy-file")
		}
		p := url.Values{"PolicyName": {args[0]}, "PolicyDocument": {d}}
		if *description != "" {
			p.Set("Description", *description)
		}
		if *path != "" {
			p.Set("Path", *path)
		}
		var r ac.PolicyResult
		if err := s.client.Do(ctx, ac.IAM, "CreatePolicy", p, &r); err != nil {
			return err
		}
		return s.out.result(r, func(t *text) { policyFields(t, r.Policy) })
	}
}

func policyFields(t *text, p ac.Policy) {
	t.fields(
		"PolicyName", p.PolicyName,
		"PolicyId", p.PolicyId,
		"Arn", p.Arn,
		"Path", p.Path,
		"Description", p.Description,
		"Builtin", map[bool]string{true: "true"}[p.IsBuiltin],
		"DefaultVersionId", p.DefaultVersionId,
		"CreateDate", p.CreateDate,
		"UpdateDate", p.UpdateDate,
	)
}

func policyGet(fs *flag.FlagSet) runFunc {
	ent := addEntityFlags(fs)
	return func(ctx context.Context, s *session, args []string) error {
		kind, name, inline, err := ent.pick(false)
		if err != nil {
			return err
		}
		if inline {
			var r ac.InlinePolicy
			p := url.Values{kind + "Name": {name}, "PolicyName": {args[0]}}
			if err := s.client.Do(ctx, ac.IAM, "Get"+kind+"Policy", p, &r); err != nil {
				return err
			}
			d := ac.DecodeDocument(r.PolicyDocument)
			out := struct {
				UserName       string `json:",omitempty"`
				GroupName      string `json:",omitempty"`
				RoleName       string `json:",omitempty"`
				PolicyName     string
				PolicyDocument any
			}{r.UserName, r.GroupName, r.RoleName, r.PolicyName, docValue(d)}
			return s.out.result(out, func(t *text) {
				t.fields(kind+"Name", name, "PolicyName", r.PolicyName)
				t.line("Document:")
				t.line(prettyDoc(d))
			})
		}
		arn := policyARN(args[0])
		var r ac.PolicyResult
		if err := s.client.Do(ctx, ac.IAM, "GetPolicy", url.Values{"PolicyArn": {arn}}, &r); err != nil {
			return err
		}
		version := r.Policy.DefaultVersionId
		if version == "" {
			version = "v1"
		}
		var v ac.GetPolicyVersionResult
		if err := s.client.Do(ctx, ac.IAM, "GetPolicyVersion", url.Values{"PolicyArn": {arn}, "VersionId": {version}}, &v); err != nil {
			return err
		}
		d := ac.DecodeDocument(v.PolicyVersion.Document)
		out := struct {
			Policy   ac.Policy
			Document any
		}{r.Policy, docValue(d)}
		return s.out.result(out, func(t *text) {
			policyFields(t, r.Policy)
			t.line("Document:")
			t.line(prettyDoc(d))
		})
	}
}

// docValue embeds a policy document in JSON output as JSON when it is
// valid, as a string otherwise.
func docValue(doc string) any {
	if json.Valid([]byte(doc)) {
		return json.RawMessage(doc)
	}
	return doc
}

// prettyDoc indents a JSON document for people; invalid JSON is shown as is.
func prettyDoc(doc string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(strings.TrimSpace(doc)), "", "  "); err != nil {
		return doc
	}
	return b.String()
}

func policyList(fs *flag.FlagSet) runFunc {
	ent := addEntityFlags(fs)
	scope := fs.String("scope", "", "All, AWS (builtin) or Local (created here)")
	onlyAttached := fs.Bool("only-attached", false, "only policies attached to something")
	return func(ctx context.Context, s *session, _ []string) error {
		kind, name, forEntity, err := ent.pick(false)
		if err != nil {
			return err
		}
		if forEntity {
			return listEntityPolicies(ctx, s, kind, name)
		}
		p := url.Values{}
		if *scope != "" {
			p.Set("Scope", *scope)
		}
		if *onlyAttached {
			p.Set("OnlyAttached", "true")
		}
		pols, err := ac.ListAll(ctx, s.client, ac.IAM, "ListPolicies", p,
			func(r *ac.ListPoliciesResult) ([]ac.Policy, ac.Pagination) { return r.Policies, r.Pagination })
		if err != nil {
			return err
		}
		return s.out.result(struct{ Policies []ac.Policy }{nonNil(pols)}, func(t *text) {
			rows := make([][]string, len(pols))
			for i, p := range pols {
				typ := "local"
				if p.IsBuiltin {
					typ = "builtin"
				}
				rows[i] = []string{p.PolicyName, typ, itoa(p.AttachmentCount), p.CreateDate, p.Arn, p.Description}
			}
			t.table([]string{"NAME", "TYPE", "ATTACHED", "CREATED", "ARN", "DESCRIPTION"}, rows)
		})
	}
}

// listEntityPolicies shows the managed policies attached to a user, group or
// role, and a user's inline policies (the API lists inline policy names
// for users only).
func listEntityPolicies(ctx context.Context, s *session, kind, name string) error {
	p := url.Values{kind + "Name": {name}}
	attached, err := ac.ListAll(ctx, s.client, ac.IAM, "ListAttached"+kind+"Policies", p,
		func(r *ac.ListAttachedPoliciesResult) ([]ac.AttachedPolicy, ac.Pagination) {
			return r.AttachedPolicies, r.Pagination
		})
	if err != nil {
		return err
	}
	var inline []string
	if kind == "User" {
		inline, err = ac.ListAll(ctx, s.client, ac.IAM, "ListUserPolicies", p,
			func(r *ac.ListPolicyNamesResult) ([]string, ac.Pagination) { return r.PolicyNames, r.Pagination })
		if err != nil {
			return err
		}
	}
	out := struct {
		AttachedPolicies []ac.AttachedPolicy
		PolicyNames      []string `json:",omitempty"`
	}{nonNil(attached), inline}
	return s.out.result(out, func(t *text) {
		var rows [][]string
		for _, a := range attached {
			rows = append(rows, []string{a.PolicyName, "managed", a.PolicyArn})
		}
		for _, n := range inline {
			rows = append(rows, []string{n, "inline", ""})
		}
		t.table([]string{"NAME", "TYPE", "ARN"}, rows)
	})
}

func policyDelete(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, s *session, args []string) error {
		if err := s.client.Do(ctx, ac.IAM, "DeletePolicy", url.Values{"PolicyArn": {policyARN(args[0])}}, nil); err != nil {
			return err
		}
		return s.out.done("deleted policy %s", args[0])
	}
}

func policyAttach(fs *flag.FlagSet) runFunc {
	ent := addEntityFlags(fs)
	doc := addPolicyFlags(fs, "an inline policy document (then POLICY is its name)")
	return func(ctx context.Context, s *session, args []string) error {
		kind, name, _, err := ent.pick(true)
		if err != nil {
			return err
		}
		return attachPolicies(ctx, s, kind, name, args, doc)
	}
}

func policyDetach(fs *flag.FlagSet) runFunc {
	ent := addEntityFlags(fs)
	inline := fs.Bool("inline", false, "the POLICY names are inline policies: delete them")
	return func(ctx context.Context, s *session, args []string) error {
		kind, name, _, err := ent.pick(true)
		if err != nil {
			return err
		}
		return detachPolicies(ctx, s, kind, name, args, *inline)
	}
}

// entityAttach and entityDetach are the `group attach` / `group detach`
// forms, where the entity is the first argument.
func entityAttach(kind string) func(fs *flag.FlagSet) runFunc {
	return func(fs *flag.FlagSet) runFunc {
		doc := addPolicyFlags(fs, "an inline policy document (then POLICY is its name)")
		return func(ctx context.Context, s *session, args []string) error {
			return attachPolicies(ctx, s, kind, args[0], args[1:], doc)
		}
	}
}

func entityDetach(kind string) func(fs *flag.FlagSet) runFunc {
	return func(fs *flag.FlagSet) runFunc {
		inline := fs.Bool("inline", false, "the POLICY names are inline policies: delete them")
		return func(ctx context.Context, s *session, args []string) error {
			return detachPolicies(ctx, s, kind, args[0], args[1:], *inline)
		}
	}
}

// attachPolicies attaches managed policies to a user, group or role, or,
// when a document is given, puts it as the inline policy named policies[0].
func attachPolicies(ctx context.Context, s *session, kind, name string, policies []string, doc *policyInput) error {
	entity := strings.ToLower(kind)
	d, inline, err := doc.read(s.stdin)
	if err != nil {
		return err
	}
	if inline {
		if len(policies) != 1 {
			return usagef("with --policy or --policy-file, give exactly one name for the inline policy")
		}
		p := url.Values{kind + "Name": {name}, "PolicyName": {policies[0]}, "PolicyDocument": {d}}
		if err := s.client.Do(ctx, ac.IAM, "Put"+kind+"Policy", p, nil); err != nil {
			return err
		}
		return s.out.done("put inline policy %s on %s %s", policies[0], entity, name)
	}
	for _, pol := range policies {
		p := url.Values{kind + "Name": {name}, "PolicyArn": {policyARN(pol)}}
		if err := s.client.Do(ctx, ac.IAM, "Attach"+kind+"Policy", p, nil); err != nil {
			return err
		}
		if err := s.out.done("attached policy %s to %s %s", pol, entity, name); err != nil {
			return err
		}
	}
	return nil
}

// detachPolicies detaches managed policies, or deletes inline ones.
func detachPolicies(ctx context.Context, s *session, kind, name string, policies []string, inline bool) error {
	entity := strings.ToLower(kind)
	for _, pol := range policies {
		action, p, msg := "Detach"+kind+"Policy", url.Values{kind + "Name": {name}, "PolicyArn": {policyARN(pol)}}, "detached policy %s from %s %s"
		if inline {
			action, p, msg = "Delete"+kind+"Policy", url.Values{kind + "Name": {name}, "PolicyName": {pol}}, "deleted inline policy %s of %s %s"
		}
		if err := s.client.Do(ctx, ac.IAM, action, p, nil); err != nil {
			return err
		}
		if err := s.out.done(msg, pol, entity, name); err != nil {
			return err
		}
	}
	return nil
}
