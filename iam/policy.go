package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Policy is a compiled policy document. It is immutable and safe for
// concurrent use; compiling parses the JSON once, turns Action lists into
// bit sets over the action catalogue and Resource, Principal and Condition
// values into patterns and typed values.
type Policy struct {
	src     string
	version string
	stmts   []statement
	hasDeny bool
	// keys are the condition keys the policy refers to, in conditions and
	// as policy variables, each once, canonically spelled (keyusage.go).
	keys []string
	// bucket is the bucket a bucket policy was validated for; public is
	// its AWS "public" status (bucketpolicy_public.go), computed once.
	bucket string
	public bool
}

// Document returns the JSON the policy was compiled from.
func (p *Policy) Document() string { return p.src }

// Version returns the policy language version in effect.
func (p *Policy) Version() string { return p.version }

// Statements returns the number of statements.
func (p *Policy) Statements() int { return len(p.stmts) }

// statement is one compiled statement.
type statement struct {
	label string // Sid, or "#<index>"
	deny  bool

	notAction  bool
	actions    actionSet
	actionPats []string // lower-cased, for actions outside the catalogue

	// A statement with no Resource (trust policies) applies to every
	// resource; anyResource also short-cuts "*".
	notResource bool
	anyResource bool
	resources   []pattern

	principal    *principalSpec
	notPrincipal bool

	conds []condition
}

const (
	version2012 = "2012-10-17"
	version2008 = "2008-10-17"
)

// PolicySize returns the size AWS limits: the number of characters
// excluding whitespace.
func PolicySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// WithDefaults returns l with zero fields set to the AWS defaults.
func (l Limits) WithDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.InlineUserPolicy, 2048)
	def(&l.InlineGroupPolicy, 5120)
	def(&l.InlineRolePolicy, 10240)
	def(&l.ManagedPolicy, 6144)
	def(&l.SessionPolicy, 2048)
	def(&l.TrustPolicy, 2048)
	def(&l.ServiceAccountPolicy, 6144)
	return l
}

func (l Limits) forKind(k PolicyKind) (int, string) {
	l = l.WithDefaults()
	switch k {
	case PolicyInlineUser:
		return l.InlineUserPolicy, "an inline user policy"
	case PolicyInlineGroup:
		return l.InlineGroupPolicy, "an inline group policy"
	case PolicyInlineRole:
		return l.InlineRolePolicy, "an inline role policy"
	case PolicyManaged:
		return l.ManagedPolicy, "a managed policy"
	case PolicySession:
		return l.SessionPolicy, "a session policy"
	case PolicyTrust:
		return l.TrustPolicy, "a role trust policy"
	case PolicyServiceAccount:
		return l.ServiceAccountPolicy, "a service account policy"
	}
	return l.ManagedPolicy, "a policy"
}

func (k PolicyKind) String() string {
	switch k {
	case PolicyInlineUser:
		return "inline-user"
	case PolicyInlineGroup:
		return "inline-group"
	case PolicyInlineRole:
		return "inline-role"
	case PolicyManaged:
		return "managed"
	case PolicySession:
		return "session"
	case PolicyTrust:
		return "trust"
	case PolicyServiceAccount:
		return "service-account"
	case PolicyBucket:
		return "bucket"
	}
	return "unknown"
}

// ValidatePolicy checks a policy document at write time and compiles it:
// size (ErrPolicyTooLarge), JSON shape and field names, Effect, known
// actions, ARN syntax, condition operators and value types
// (ErrMalformedPolicy). Identity policies must not name a Principal; trust
// policies must, and take no Resource.
func ValidatePolicy(kind PolicyKind, doc string, limits Limits) (*Policy, error) {
	if kind == PolicyBucket {
		return nil, fmt.Errorf("%w: a bucket policy is validated with ValidateBucketPolicy, which knows its bucket", ErrInvalidInput)
	}
	limit, what := limits.forKind(kind)
	if n := PolicySize(doc); n > limit {
		return nil, fmt.Errorf("%w: the document is %d characters (excluding whitespace); the limit for %s is %d",
			ErrPolicyTooLarge, n, what, limit)
	}
	return compilePolicy(kind, doc, true)
}

// compilePolicy parses doc. Strict mode (write time) rejects unknown
// actions; lenient mode (rebuilding the Directory from stored state) keeps
// them as patterns, so a policy stored under an older catalogue still
// compiles, and its Deny statements still apply.
func compilePolicy(kind PolicyKind, doc string, strict bool) (*Policy, error) {
	return compileDoc(parseOpts{kind: kind, strict: strict}, doc)
}

// parseOpts say how a document is read: its kind, strict (write time) or
// lenient (stored) mode, and for bucket policies the bucket its resources
// must lie in.
type parseOpts struct {
	kind   PolicyKind
	strict bool
	bucket string
	vars   bool // set per document from its Version
}

func compileDoc(o parseOpts, doc string) (*Policy, error) {
	p, err := parsePolicy(o, doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrMalformedPolicy, err.Error())
	}
	return p, nil
}

type field struct {
	name string
	raw  json.RawMessage
}

// objectFields decodes a JSON object into its fields in order, rejecting
// duplicate names (encoding/json would silently keep the last).
func objectFields(raw []byte, what string) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, jsonErr(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("%s must be a JSON object", what)
	}
	var out []field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", what, jsonErr(err))
		}
		name := tok.(string)
		for _, f := range out {
			if f.name == name {
				return nil, fmt.Errorf("%s has a duplicate field %q", what, name)
			}
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: field %q: %v", what, name, jsonErr(err))
		}
		out = append(out, field{name, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s: %v", what, jsonErr(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: unexpected data after the JSON object", what)
	}
	return out, nil
}

func jsonErr(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at offset %d: %v", se.Offset, se)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return "invalid JSON: unexpected end of document"
	}
	return "invalid JSON: " + err.Error()
}

// scalarList decodes a string or a list of strings (with numbers and
// booleans taken as their text when scalars is set: condition values).
func scalarList(raw json.RawMessage, what string, scalars bool) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("%s: %v", what, jsonErr(err))
		}
		if len(items) == 0 {
			return nil, fmt.Errorf("%s must not be an empty list", what)
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, err := scalar(it, what, scalars)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := scalar(raw, what, scalars)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

func scalar(raw json.RawMessage, what string, scalars bool) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", fmt.Errorf("%s is empty", what)
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%s: %v", what, jsonErr(err))
		}
		return s, nil
	case scalars && (c == 't' || c == 'f'):
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return "", fmt.Errorf("%s: %v", what, jsonErr(err))
		}
		if b {
			return "true", nil
		}
		return "false", nil
	case scalars && (c == '-' || '0' <= c && c <= '9'):
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", fmt.Errorf("%s: %v", what, jsonErr(err))
		}
		return n.String(), nil
	}
	if scalars {
		return "", fmt.Errorf("%s must be a string, number or boolean, or a list of them", what)
	}
	return "", fmt.Errorf("%s must be a string or a list of strings", what)
}

func parsePolicy(o parseOpts, doc string) (*Policy, error) {
	bucketKind := o.kind == PolicyBucket
	if strings.TrimSpace(doc) == "" {
		return nil, errors.New("the policy document is empty")
	}
	if !utf8.ValidString(doc) {
		return nil, errors.New("the policy document is not valid UTF-8")
	}
	fields, err := objectFields([]byte(doc), "the policy document")
	if err != nil {
		return nil, err
	}
	p := &Policy{src: doc, version: version2008, bucket: o.bucket}
	var stmtRaw json.RawMessage
	stmtField := ""
	for _, f := range fields {
		switch f.name {
		case "Version":
			v, err := scalar(f.raw, "Version", false)
			if err != nil {
				return nil, err
			}
			if v != version2012 && v != version2008 {
				return nil, fmt.Errorf("Version %q is not supported: use %q", v, version2012)
			}
			p.version = v
		case "Id":
			if _, err := scalar(f.raw, "Id", false); err != nil {
				return nil, err
			}
		case "Statement", "Statements":
			// "Statements" is Qumulo's spelling, accepted in bucket policies.
			if f.name == "Statements" && !bucketKind {
				return nil, fmt.Errorf("unknown policy field %q (allowed: Version, Id, Statement)", f.name)
			}
			if stmtRaw != nil {
				return nil, fmt.Errorf("the policy has both %s and %s", stmtField, f.name)
			}
			stmtRaw, stmtField = f.raw, f.name
		default:
			if bucketKind {
				return nil, fmt.Errorf("Unknown field %s (allowed: Version, Id, Statement)", f.name)
			}
			return nil, fmt.Errorf("unknown policy field %q (allowed: Version, Id, Statement)", f.name)
		}
	}
	if stmtRaw == nil {
		if bucketKind {
			return nil, errors.New("Missing required field Statement")
		}
		return nil, errors.New("the policy has no Statement")
	}
	var raws []json.RawMessage
	if t := bytes.TrimSpace(stmtRaw); len(t) > 0 && t[0] == '[' {
		if err := json.Unmarshal(t, &raws); err != nil {
			return nil, fmt.Errorf("Statement: %v", jsonErr(err))
		}
		if len(raws) == 0 {
			return nil, errors.New("Statement must not be an empty list")
		}
	} else {
		raws = []json.RawMessage{stmtRaw}
	}
	o.vars = p.version == version2012
	sids := map[string]bool{}
	for i, raw := range raws {
		st, err := parseStatement(o, raw, i)
		if err != nil {
			return nil, err
		}
		if st.label[0] != '#' {
			if sids[st.label] {
				return nil, fmt.Errorf("Statement[%d]: Sid %q is not unique in the policy", i, st.label)
			}
			sids[st.label] = true
		}
		p.hasDeny = p.hasDeny || st.deny
		p.stmts = append(p.stmts, st)
	}
	p.keys = policyKeys(p.stmts)
	if bucketKind {
		p.public = policyIsPublic(p)
	}
	return p, nil
}

func parseStatement(o parseOpts, raw json.RawMessage, i int) (statement, error) {
	kind, vars, strict := o.kind, o.vars, o.strict
	bucketKind := kind == PolicyBucket
	st := statement{label: fmt.Sprintf("#%d", i)}
	where := fmt.Sprintf("Statement[%d]", i)
	fields, err := objectFields(raw, where)
	if err != nil {
		return st, err
	}
	var effect string
	var acts, res []string
	var haveAction, haveResource, havePrincipal bool
	var principalRaw, condRaw json.RawMessage
	for _, f := range fields {
		switch f.name {
		case "Sid":
			sid, err := scalar(f.raw, where+".Sid", false)
			if err != nil {
				return st, err
			}
			if sid != "" {
				// Bucket policies allow any Sid text (Qumulo's examples
				// use sentences); IAM policies only letters and digits.
				if !bucketKind && !validSid(sid) {
					return st, fmt.Errorf("%s: Sid %q must contain only letters and digits", where, sid)
				}
				st.label = sid
				where = fmt.Sprintf("Statement[%d] (Sid %s)", i, sid)
			}
		case "Effect":
			if effect, err = scalar(f.raw, where+".Effect", false); err != nil {
				return st, err
			}
		case "Action", "NotAction":
			if haveAction {
				return st, fmt.Errorf("%s has both Action and NotAction", where)
			}
			haveAction, st.notAction = true, f.name == "NotAction"
			if acts, err = scalarList(f.raw, where+"."+f.name, false); err != nil {
				return st, err
			}
		case "Resource", "NotResource":
			if haveResource {
				return st, fmt.Errorf("%s has both Resource and NotResource", where)
			}
			haveResource, st.notResource = true, f.name == "NotResource"
			if res, err = scalarList(f.raw, where+"."+f.name, false); err != nil {
				return st, err
			}
		case "Principal", "NotPrincipal":
			if havePrincipal {
				return st, fmt.Errorf("%s has both Principal and NotPrincipal", where)
			}
			havePrincipal, st.notPrincipal, principalRaw = true, f.name == "NotPrincipal", f.raw
		case "Condition":
			condRaw = f.raw
		case "Index":
			// Qumulo numbers its bucket-policy statements; the order
			// carries no meaning, so the field is checked and ignored.
			if !bucketKind {
				return st, fmt.Errorf("%s: unknown field %q (allowed: Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition)", where, f.name)
			}
			if _, err := scalar(f.raw, where+".Index", true); err != nil {
				return st, err
			}
		default:
			return st, fmt.Errorf("%s: unknown field %q (allowed: Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition)", where, f.name)
		}
	}
	switch effect {
	case "Allow":
	case "Deny":
		st.deny = true
	case "":
		return st, fmt.Errorf("%s has no Effect", where)
	default:
		return st, fmt.Errorf("%s: Effect %q must be \"Allow\" or \"Deny\"", where, effect)
	}
	if !haveAction {
		return st, fmt.Errorf("%s must contain actions (Action or NotAction)", where)
	}
	if bucketKind {
		if err := checkBucketActions(acts); err != nil {
			return st, fmt.Errorf("Policy has invalid action: %s: %w", where, err)
		}
	}
	if st.actions, st.actionPats, err = compileActions(acts, strict); err != nil {
		if bucketKind {
			return st, fmt.Errorf("Policy has invalid action: %s: %w", where, err)
		}
		return st, fmt.Errorf("%s: %w", where, err)
	}
	if bucketKind {
		if err := parseBucketStatement(&st, o, where, principalRaw, havePrincipal, res, haveResource); err != nil {
			return st, err
		}
	} else if kind == PolicyTrust {
		if !havePrincipal {
			return st, fmt.Errorf("%s: a trust policy statement must name a Principal", where)
		}
		if haveResource {
			return st, fmt.Errorf("%s: a trust policy statement must not contain a Resource", where)
		}
		st.anyResource = true
		if st.principal, err = parsePrincipal(principalRaw, where, false); err != nil {
			return st, err
		}
	} else {
		if havePrincipal {
			return st, fmt.Errorf("%s: an identity policy must not specify a principal", where)
		}
		if !haveResource {
			return st, fmt.Errorf("%s must contain resources (Resource or NotResource)", where)
		}
		for _, r := range res {
			if err := checkResourceARN(r, vars); err != nil {
				return st, fmt.Errorf("%s: %w", where, err)
			}
			if r == "*" {
				st.anyResource = true
			}
			pat, err := compilePattern(r, true, vars)
			if err != nil {
				return st, fmt.Errorf("%s: resource: %w", where, err)
			}
			st.resources = append(st.resources, pat)
		}
	}
	if condRaw != nil {
		if st.conds, err = parseConditions(condRaw, where, vars); err != nil {
			if bucketKind {
				return st, fmt.Errorf("Policy has an invalid condition: %w", err)
			}
			return st, err
		}
	}
	return st, nil
}

func validSid(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func parseConditions(raw json.RawMessage, where string, vars bool) ([]condition, error) {
	ops, err := objectFields(raw, where+".Condition")
	if err != nil {
		return nil, err
	}
	var out []condition
	for _, op := range ops {
		keys, err := objectFields(op.raw, where+".Condition."+op.name)
		if err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("%s: condition operator %q has no keys", where, op.name)
		}
		for _, k := range keys {
			vals, err := scalarList(k.raw, fmt.Sprintf("%s.Condition.%s[%q]", where, op.name, k.name), true)
			if err != nil {
				return nil, err
			}
			c, err := compileCondition(op.name, k.name, vals, vars)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			out = append(out, c)
		}
	}
	return out, nil
}
