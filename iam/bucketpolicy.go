package iam

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Bucket policies are resource policies: the same language as identity
// policies (policy.go), plus a Principal or NotPrincipal in every
// statement, S3 actions only, and resources within the bucket. Qumulo's
// dialect is accepted too: "Statements" for "Statement", a per-statement
// "Index" (ignored: statement order has no meaning), and principals
// {"Qumulo": ["Everyone", "Guest", "Authenticated Users", "uid:1000",
// "gid:100", "alice", "local:devs"]}.

// BucketPolicyMaxSize is the size limit of a bucket policy: 20 KB, counted
// as AWS does, in bytes of the document without its insignificant
// whitespace (whitespace outside JSON strings).
const BucketPolicyMaxSize = 20 * 1024

// ValidateBucketPolicy checks a bucket policy document for bucket at write
// time and compiles it. Errors wrap ErrPolicyTooLarge ("Policy exceeds the
// maximum allowed document size …") or ErrMalformedPolicy with a precise
// message that starts with AWS's wording where AWS has one: "Missing
// required field Principal", "Invalid principal in policy", "Policy has
// invalid action", "Policy has invalid resource", "Policy has an invalid
// condition", followed by the statement and what is wrong.
// ErrorDetail(err) returns the message without the sentinel's text.
func ValidateBucketPolicy(bucket, doc string) (*Policy, error) {
	if bucket == "" {
		return nil, fmt.Errorf("%w: a bucket policy needs its bucket name", ErrInvalidInput)
	}
	if n := BucketPolicySize(doc); n > BucketPolicyMaxSize {
		return nil, fmt.Errorf("%w: Policy exceeds the maximum allowed document size: the document is %d bytes (without whitespace); the limit is %d (20 KB)",
			ErrPolicyTooLarge, n, BucketPolicyMaxSize)
	}
	return compileDoc(parseOpts{kind: PolicyBucket, strict: true, bucket: bucket}, doc)
}

// CompileBucketPolicy compiles a stored bucket policy leniently — no size
// limit, actions outside today's catalogue kept as patterns — so a
// change of limits or catalogue never drops a stored policy (or its
// Deny statements). The S3 layer compiles each bucket's policy once per
// configuration change and caches the result.
func CompileBucketPolicy(bucket, doc string) (*Policy, error) {
	if bucket == "" {
		return nil, fmt.Errorf("%w: a bucket policy needs its bucket name", ErrInvalidInput)
	}
	return compileDoc(parseOpts{kind: PolicyBucket, bucket: bucket}, doc)
}

// Bucket returns the bucket a bucket policy was compiled for ("" for
// other policies).
func (p *Policy) Bucket() string { return p.bucket }

// BucketPolicySize returns the size the bucket-policy limit applies to:
// the document's bytes without whitespace outside JSON strings.
func BucketPolicySize(doc string) int {
	n, inStr, esc := 0, false, false
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case inStr:
			n++
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			n++
			inStr = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			n++
		}
	}
	return n
}

// ErrorDetail returns an error's message without the text of the iam
// sentinel it wraps ("iam: malformed policy document: "), for protocol
// error messages: ErrorDetail(ValidateBucketPolicy(…)) is e.g. "Policy has
// invalid resource: Statement[0]: …".
func ErrorDetail(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	for _, s := range []error{ErrMalformedPolicy, ErrPolicyTooLarge, ErrMalformedACL, ErrInvalidInput} {
		if errors.Is(err, s) {
			if rest, ok := strings.CutPrefix(msg, s.Error()+": "); ok {
				return rest
			}
		}
	}
	return msg
}

// checkBucketActions: a bucket policy grants S3 actions only.
func checkBucketActions(acts []string) error {
	for _, a := range acts {
		if a == "*" {
			continue
		}
		svc, _, ok := strings.Cut(a, ":")
		if !ok || !strings.EqualFold(svc, "s3") {
			return fmt.Errorf("action %q is not an S3 action: a bucket policy may only name s3:… actions (or \"*\")", a)
		}
	}
	return nil
}

// parseBucketStatement compiles the principal and resources of a bucket
// policy statement.
func parseBucketStatement(st *statement, o parseOpts, where string, principalRaw []byte, havePrincipal bool, res []string, haveResource bool) error {
	if !havePrincipal {
		return fmt.Errorf("Missing required field Principal: %s must name a Principal or NotPrincipal", where)
	}
	var err error
	if st.principal, err = parsePrincipal(principalRaw, where, true); err != nil {
		return err
	}
	if !haveResource {
		return fmt.Errorf("Missing required field Resource: %s must name resources in bucket %q (arn:aws:s3:::%s or arn:aws:s3:::%s/…)", where, o.bucket, o.bucket, o.bucket)
	}
	for _, r := range res {
		if err := checkBucketResource(r, o.bucket); err != nil {
			return fmt.Errorf("Policy has invalid resource: %s: %w", where, err)
		}
		pat, err := compilePattern(r, true, o.vars)
		if err != nil {
			return fmt.Errorf("Policy has invalid resource: %s: %w", where, err)
		}
		st.resources = append(st.resources, pat)
	}
	return nil
}

// checkBucketResource: a resource of a bucket policy is the bucket
// ("arn:aws:s3:::bucket") or objects in it ("arn:aws:s3:::bucket/…", with
// wildcards and variables after the slash). The bucket part is literal, so
// no pattern can reach another bucket.
func checkBucketResource(r, bucket string) error {
	const s3 = "arn:aws:s3:::"
	rest, ok := strings.CutPrefix(r, s3)
	if !ok {
		return fmt.Errorf("resource %q is not an S3 ARN: it must be arn:aws:s3:::%s or arn:aws:s3:::%s/<key pattern>", r, bucket, bucket)
	}
	if rest == bucket {
		return nil
	}
	if key, ok := strings.CutPrefix(rest, bucket+"/"); ok {
		_ = key // any key pattern, wildcards and variables included
		return nil
	}
	name, _, _ := strings.Cut(rest, "/")
	return fmt.Errorf("resource %q is outside bucket %q (bucket part %q): a bucket policy may only name arn:aws:s3:::%s and arn:aws:s3:::%s/<key pattern>",
		r, bucket, name, bucket, bucket)
}

// addQumulo adds one Qumulo principal: Everyone / world:Everyone (every
// request, anonymous included), Guest / local:guest (anonymous requests
// only), Authenticated Users (every signed request), uid:N and gid:N (a
// user's POSIX IDs), and a user or group name, optionally as local:name.
// Active Directory, SID and auth_id forms have no Cairn counterpart.
func (ps *principalSpec) addQumulo(v string) error {
	s := strings.TrimSpace(v)
	switch strings.ToLower(s) {
	case "":
		return errors.New("Principal.Qumulo has an empty value")
	case "everyone", "world:everyone":
		ps.any = true
		return nil
	case "guest", "local:guest":
		ps.anonymous = true
		return nil
	case "authenticated users":
		ps.authenticated = true
		return nil
	}
	if domain, rest, ok := strings.Cut(s, ":"); ok {
		switch strings.ToLower(domain) {
		case "uid", "gid":
			n, err := strconv.ParseUint(rest, 10, 32)
			if err != nil {
				return fmt.Errorf("Qumulo principal %q: %s must be followed by a POSIX ID (0–4294967295)", v, domain)
			}
			if strings.EqualFold(domain, "uid") {
				ps.uids = append(ps.uids, uint32(n))
			} else {
				ps.gids = append(ps.gids, uint32(n))
			}
			return nil
		case "local":
			return ps.addQumuloName(v, rest)
		case "ad", "sid", "auth_id":
			return fmt.Errorf("Qumulo principal %q: %s identities do not exist in Cairn (use a user or group name, uid:N, gid:N, Everyone, Guest or Authenticated Users)", v, domain)
		}
		return fmt.Errorf("Qumulo principal %q: unknown identity domain %q (supported: local:, world:Everyone, uid:, gid:)", v, domain)
	}
	if strings.ContainsRune(s, '\\') || strings.HasPrefix(strings.ToUpper(s), "S-1-") {
		return fmt.Errorf("Qumulo principal %q: Active Directory and SID identities do not exist in Cairn (use a user or group name, uid:N, gid:N, Everyone, Guest or Authenticated Users)", v)
	}
	return ps.addQumuloName(v, s)
}

func (ps *principalSpec) addQumuloName(v, name string) error {
	if err := validateName("user or group", name, 128); err != nil {
		return fmt.Errorf("Qumulo principal %q is not a Cairn user or group name: %s", v, ErrorDetail(err))
	}
	ps.names = append(ps.names, name)
	return nil
}

// addCanonical adds a CanonicalUser principal: a canonical user ID as S3
// shows it in owners and ACL grants.
func (ps *principalSpec) addCanonical(v string) error {
	if v == "" || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' }) {
		return fmt.Errorf("CanonicalUser principal %q must be a canonical user ID (64 hexadecimal digits, no spaces)", v)
	}
	ps.canonical = append(ps.canonical, v)
	return nil
}

// coversBucket reports whether a bucket-policy principal element names
// the caller; p is nil for anonymous requests. "*", {"AWS": "*"} and
// Everyone cover everyone; Guest only anonymous requests; Authenticated
// Users, the account (ID or root ARN) every signed request; user, role and
// assumed-role ARNs the principal with that name (a service account or a
// GetSessionToken session acts as its parent user, a role session as its
// role and its assumed-role ARN); group ARNs and Qumulo names the members
// of an enabled group (a Qumulo name also the user of that name);
// CanonicalUser the principal with that canonical ID; uid:N and gid:N the
// user's POSIX IDs.
func (ps *principalSpec) coversBucket(p *principal) bool {
	if ps.any {
		return true
	}
	if p == nil {
		return ps.anonymous
	}
	if ps.authenticated {
		return true
	}
	account := ""
	if p.dir != nil {
		account = p.dir.account
	}
	sameAcct := func(a string) bool { return a == "" || a == account }
	for _, a := range ps.accounts {
		if sameAcct(a) {
			return true
		}
	}
	for i, a := range ps.arns {
		if !sameAcct(ps.acctOf[i]) {
			continue
		}
		for _, id := range p.trustNames {
			if a == id {
				return true
			}
		}
	}
	for i, g := range ps.groups {
		if sameAcct(ps.groupAcct[i]) && p.inGroup(g) {
			return true
		}
	}
	for _, n := range ps.names {
		if n == p.userName && p.userName != "" || p.inGroup(n) {
			return true
		}
	}
	for _, c := range ps.canonical {
		if c == p.canonicalID && c != "" {
			return true
		}
	}
	if p.hasUID {
		for _, u := range ps.uids {
			if u == p.uid {
				return true
			}
		}
	}
	if p.hasGID {
		for _, g := range ps.gids {
			if g == p.gid {
				return true
			}
		}
	}
	return false
}

// inGroup reports whether the principal is a member of the enabled group
// name.
func (p *principal) inGroup(name string) bool {
	for _, g := range p.groups {
		if g == name {
			return true
		}
	}
	return false
}

// findFor returns the first bucket-policy statement of the given effect
// that applies to the caller p (nil: anonymous) and t, or nil.
func (p *Policy) findFor(deny bool, t *target, caller *principal) *statement {
	if deny && !p.hasDeny {
		return nil
	}
	for i := range p.stmts {
		st := &p.stmts[i]
		if st.deny != deny || !st.matchAction(t) {
			continue
		}
		if st.principal == nil || st.principal.coversBucket(caller) == st.notPrincipal {
			continue
		}
		if st.matchResource(t) && st.matchConditions(t) {
			return st
		}
	}
	return nil
}

// IsPublic reports whether the bucket policy is public by AWS's rule
// (bucketpolicy_public.go). It is false for policies of other kinds.
func (p *Policy) IsPublic() bool { return p != nil && p.public }
