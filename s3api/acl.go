package s3api

import (
	"encoding/xml"
	"strings"

	"github.com/cairn-s3/cairn/iam"
)

// S3 ACLs as requests carry them: the x-amz-acl canned ACL, the
// x-amz-grant-read|write|read-acp|write-acp|full-control headers
// (`id="…"`, `uri="…"`, `emailAddress="…"`, comma-separated), or an
// AccessControlPolicy XML body. They are parsed into an aclSpec before the
// owner of the resource is known, then built into an iam.ACL (package
// iam owns the type, its canned ACLs, its stored encoding and its meaning
// in decisions). E-mail grantees are resolved to the IAM user whose name
// (else display name) equals the address and stored as canonical users,
// as AWS stores them; unknown addresses are UnresolvableGrantByEmailAddress.

// maxACLBody bounds an AccessControlPolicy body.
const maxACLBody = 64 << 10

const xsiNS = "http://www.w3.org/2001/XMLSchema-instance"

// grantHeaders are the x-amz-grant-* headers with the permission each grants.
var grantHeaders = [...]struct {
	name string
	perm iam.Permission
}{
	{"x-amz-grant-read", iam.PermRead},
	{"x-amz-grant-write", iam.PermWrite},
	{"x-amz-grant-read-acp", iam.PermReadACP},
	{"x-amz-grant-write-acp", iam.PermWriteACP},
	{"x-amz-grant-full-control", iam.PermFullControl},
}

// cannedACLs are the canned ACL names S3 defines.
var cannedACLs = [...]string{
	"private", "public-read", "public-read-write", "authenticated-read",
	"aws-exec-read", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write",
}

// aclSpec is the ACL a request asks for.
type aclSpec struct {
	// Given is false when the request names no ACL (the default applies).
	Given bool
	// Canned is the x-amz-acl value ("" when grants are given).
	Canned string
	// Grants are the header or body grants, e-mail grantees resolved.
	Grants []iam.Grant
	// OwnerID is the body's Owner/ID ("" when absent or from headers).
	OwnerID string
}

// build turns the spec into the ACL of a resource owned by ownerID (the
// bucket's owner given too, for the bucket-owner-* canned ACLs).
func (sp aclSpec) build(ownerID, ownerName, bucketOwnerID, bucketOwnerName string, bucket bool) (iam.ACL, error) {
	switch {
	case !sp.Given:
		return iam.DefaultACL(ownerID, ownerName), nil
	case sp.Canned != "":
		a, err := iam.CannedACL(sp.Canned, ownerID, ownerName, bucketOwnerID, bucketOwnerName, bucket)
		if err != nil {
			return iam.ACL{}, cannedACLError(sp.Canned)
		}
		return a, nil
	}
	return iam.ACL{OwnerID: ownerID, OwnerName: ownerName, Grants: sp.Grants}, nil
}

func cannedACLError(v string) *Error {
	return s3errf(ErrInvalidArgument, "The canned ACL %q is not valid.", clipValue(v)).
		with("ArgumentName", "x-amz-acl").with("ArgumentValue", clipValue(v))
}

func validCanned(name string) bool {
	for _, c := range cannedACLs {
		if c == name {
			return true
		}
	}
	return false
}

// hasACLHeaders reports whether a request carries x-amz-acl or any
// x-amz-grant-* header.
func hasACLHeaders(h *headers) bool {
	if h.has("x-amz-acl") {
		return true
	}
	for _, g := range grantHeaders {
		if h.has(g.name) {
			return true
		}
	}
	return false
}

// parseACLHeaders reads x-amz-acl and x-amz-grant-*: at most one of the
// two forms. Grantees are checked against ix (canonical IDs must be known
// principals, or one of extraIDs; e-mail addresses must resolve).
func parseACLHeaders(h *headers, ix *principalIndex, extraIDs ...string) (aclSpec, error) {
	var sp aclSpec
	canned := h.get("x-amz-acl")
	hasGrants := false
	for _, g := range grantHeaders {
		if h.has(g.name) {
			hasGrants = true
		}
	}
	if canned != "" && hasGrants {
		return sp, s3errf(ErrInvalidRequest, "Specifying both Canned ACLs and Header Grants is not allowed")
	}
	if canned != "" {
		if !validCanned(canned) {
			return sp, cannedACLError(canned)
		}
		return aclSpec{Given: true, Canned: canned}, nil
	}
	if !hasGrants {
		return sp, nil
	}
	sp.Given = true
	for _, g := range grantHeaders {
		v := h.get(g.name)
		if v == "" {
			continue
		}
		grantees, err := parseGrantHeader(g.name, v)
		if err != nil {
			return aclSpec{}, err
		}
		for _, ge := range grantees {
			ge, err := resolveGrantee(ge, ix, extraIDs)
			if err != nil {
				return aclSpec{}, err
			}
			sp.Grants = append(sp.Grants, iam.Grant{Grantee: ge, Permission: g.perm})
		}
	}
	if len(sp.Grants) > iam.MaxGrants {
		return aclSpec{}, s3errf(ErrInvalidArgument, "An ACL may hold at most %d grants.", iam.MaxGrants)
	}
	return sp, nil
}

// parseGrantHeader parses one x-amz-grant-* value: a comma-separated list
// of type=value with type id, uri or emailAddress and value quoted (or,
// leniently, bare up to the next comma).
func parseGrantHeader(name, v string) ([]iam.Grantee, error) {
	bad := func() error {
		return s3errf(ErrInvalidArgument, "Invalid grant header value; expected id=\"…\", uri=\"…\" or emailAddress=\"…\", comma-separated.").
			with("ArgumentName", name).with("ArgumentValue", clipValue(v))
	}
	var out []iam.Grantee
	rest := v
	for {
		rest = strings.TrimLeft(rest, " \t")
		typ, after, ok := strings.Cut(rest, "=")
		if !ok {
			return nil, bad()
		}
		typ = strings.TrimSpace(typ)
		after = strings.TrimLeft(after, " \t")
		var val string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				return nil, bad()
			}
			val, rest = after[1:1+end], after[2+end:]
		} else if i := strings.IndexByte(after, ','); i >= 0 {
			val, rest = strings.TrimSpace(after[:i]), after[i:]
		} else {
			val, rest = strings.TrimSpace(after), ""
		}
		if val == "" {
			return nil, bad()
		}
		switch strings.ToLower(typ) {
		case "id":
			out = append(out, iam.Grantee{Type: iam.GranteeCanonicalUser, ID: val})
		case "uri":
			out = append(out, iam.Grantee{Type: iam.GranteeGroup, URI: val})
		case "emailaddress":
			out = append(out, iam.Grantee{Type: iam.GranteeEmail, Email: val})
		default:
			return nil, bad()
		}
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return out, nil
		}
		if rest[0] != ',' {
			return nil, bad()
		}
		rest = rest[1:]
	}
}

// resolveGrantee checks a grantee and resolves an e-mail grantee to the
// canonical user it names; display names come from the Directory.
func resolveGrantee(g iam.Grantee, ix *principalIndex, extraIDs []string) (iam.Grantee, error) {
	switch g.Type {
	case iam.GranteeCanonicalUser:
		if g.ID == "" {
			return g, s3errf(ErrInvalidArgument, "Invalid id").with("ArgumentName", "CanonicalUser/ID").with("ArgumentValue", "")
		}
		known := ix.known(g.ID)
		for _, id := range extraIDs {
			known = known || id == g.ID
		}
		if !known {
			return g, s3errf(ErrInvalidArgument, "Invalid id").with("ArgumentName", "CanonicalUser/ID").with("ArgumentValue", clipValue(g.ID))
		}
		if n := ix.displayName(g.ID); n != "" {
			g.DisplayName = n
		}
		return iam.Grantee{Type: g.Type, ID: g.ID, DisplayName: g.DisplayName}, nil
	case iam.GranteeGroup:
		switch g.URI {
		case iam.AllUsersURI, iam.AuthenticatedUsersURI, iam.LogDeliveryURI:
			return iam.Grantee{Type: g.Type, URI: g.URI}, nil
		}
		return g, s3errf(ErrInvalidArgument, "Invalid group uri").with("ArgumentName", "Group/URI").with("ArgumentValue", clipValue(g.URI))
	case iam.GranteeEmail:
		ref, ok := ix.byEmail(g.Email)
		if !ok {
			return g, (&Error{Code: ErrUnresolvableGrantByEmailAddress}).with("EmailAddress", clipValue(g.Email))
		}
		return iam.Grantee{Type: iam.GranteeCanonicalUser, ID: ref.id, DisplayName: ref.name}, nil
	}
	return g, s3errf(ErrMalformedACLError, "Unknown grantee type %q.", clipValue(g.Type))
}

// aclXML is the AccessControlPolicy document.
type aclXML struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Owner   *struct {
		ID          *string `xml:"ID"`
		DisplayName string  `xml:"DisplayName"`
	} `xml:"Owner"`
	List *struct {
		Grants []struct {
			Grantee *struct {
				Attrs        []xml.Attr `xml:",any,attr"`
				ID           *string    `xml:"ID"`
				DisplayName  string     `xml:"DisplayName"`
				URI          *string    `xml:"URI"`
				EmailAddress *string    `xml:"EmailAddress"`
			} `xml:"Grantee"`
			Permission *string `xml:"Permission"`
		} `xml:"Grant"`
	} `xml:"AccessControlList"`
}

// parseACLXML parses an AccessControlPolicy body. Structure problems are
// MalformedACLError; bad grantees are InvalidArgument or
// UnresolvableGrantByEmailAddress, as for the headers.
func parseACLXML(body []byte, ix *principalIndex, extraIDs ...string) (aclSpec, error) {
	var x aclXML
	if err := decodeXMLStrict(body, &x); err != nil {
		return aclSpec{}, &Error{Code: ErrMalformedACLError, Err: err}
	}
	if x.List == nil {
		return aclSpec{}, s3errf(ErrMalformedACLError, "The AccessControlPolicy has no AccessControlList.")
	}
	if len(x.List.Grants) > iam.MaxGrants {
		return aclSpec{}, s3errf(ErrMalformedACLError, "An ACL may hold at most %d grants.", iam.MaxGrants)
	}
	sp := aclSpec{Given: true, Grants: make([]iam.Grant, 0, len(x.List.Grants))}
	if x.Owner != nil && x.Owner.ID != nil {
		sp.OwnerID = strings.TrimSpace(*x.Owner.ID)
		if sp.OwnerID == "" {
			return aclSpec{}, s3errf(ErrMalformedACLError, "The Owner has an empty ID.")
		}
	}
	for _, xg := range x.List.Grants {
		if xg.Grantee == nil || xg.Permission == nil {
			return aclSpec{}, s3errf(ErrMalformedACLError, "Every Grant needs a Grantee and a Permission.")
		}
		perm := iam.Permission(strings.TrimSpace(*xg.Permission))
		if !validPermission(perm) {
			return aclSpec{}, s3errf(ErrMalformedACLError, "Unknown permission %q.", clipValue(string(perm)))
		}
		xe := xg.Grantee
		g := iam.Grantee{Type: granteeType(xe.Attrs), DisplayName: strings.TrimSpace(xe.DisplayName)}
		if g.Type == "" {
			// No xsi:type: the element present says which form it is.
			switch {
			case xe.ID != nil:
				g.Type = iam.GranteeCanonicalUser
			case xe.URI != nil:
				g.Type = iam.GranteeGroup
			case xe.EmailAddress != nil:
				g.Type = iam.GranteeEmail
			default:
				return aclSpec{}, s3errf(ErrMalformedACLError, "A Grantee needs an xsi:type and an ID, URI or EmailAddress.")
			}
		}
		switch g.Type {
		case iam.GranteeCanonicalUser:
			g.ID = trimmed(xe.ID)
		case iam.GranteeGroup:
			g.URI = trimmed(xe.URI)
		case iam.GranteeEmail:
			g.Email = trimmed(xe.EmailAddress)
		}
		g, err := resolveGrantee(g, ix, extraIDs)
		if err != nil {
			return aclSpec{}, err
		}
		sp.Grants = append(sp.Grants, iam.Grant{Grantee: g, Permission: perm})
	}
	return sp, nil
}

func trimmed(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

// granteeType returns the Grantee's xsi:type (the namespace resolved, or
// a literal "xsi" prefix when the document forgot to declare it).
func granteeType(attrs []xml.Attr) string {
	for _, a := range attrs {
		if a.Name.Local == "type" && (a.Name.Space == xsiNS || a.Name.Space == "xsi") {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

func validPermission(p iam.Permission) bool {
	switch p {
	case iam.PermRead, iam.PermWrite, iam.PermReadACP, iam.PermWriteACP, iam.PermFullControl:
		return true
	}
	return false
}

// aclBody writes an AccessControlPolicy document of a, with display names
// from ix (else those stored with the ACL).
func aclBody(a iam.ACL, ix *principalIndex) []byte {
	w := newXMLWriter(256 + 256*len(a.Grants))
	w.openNS("AccessControlPolicy", s3NS)
	w.open("Owner")
	w.elem("ID", a.OwnerID)
	w.elem("DisplayName", pickName(ix.displayName(a.OwnerID), a.OwnerName))
	w.close("Owner")
	w.open("AccessControlList")
	for _, g := range a.Grants {
		w.open("Grant")
		w.b = append(w.b, `<Grantee xmlns:xsi="`+xsiNS+`" xsi:type="`...)
		w.b = appendEscaped(w.b, g.Grantee.Type)
		w.b = append(w.b, `">`...)
		switch g.Grantee.Type {
		case iam.GranteeGroup:
			w.elem("URI", g.Grantee.URI)
		case iam.GranteeEmail:
			w.elem("EmailAddress", g.Grantee.Email)
		default:
			w.elem("ID", g.Grantee.ID)
			if n := pickName(ix.displayName(g.Grantee.ID), g.Grantee.DisplayName); n != "" {
				w.elem("DisplayName", n)
			}
		}
		w.close("Grantee")
		w.elem("Permission", string(g.Permission))
		w.close("Grant")
	}
	w.close("AccessControlList")
	w.close("AccessControlPolicy")
	return w.bytes()
}

func pickName(names ...string) string {
	for _, n := range names {
		if n != "" {
			return n
		}
	}
	return ""
}

// ownerFullControlOnly reports whether a grants exactly FULL_CONTROL to
// owner and nothing else: the only ACL a BucketOwnerEnforced bucket
// accepts (bucket-owner-full-control, or private when the bucket owner
// owns the object).
func ownerFullControlOnly(a iam.ACL, owner string) bool {
	if len(a.Grants) == 0 {
		return false
	}
	for _, g := range a.Grants {
		if g.Grantee.Type != iam.GranteeCanonicalUser || g.Grantee.ID != owner || g.Permission != iam.PermFullControl {
			return false
		}
	}
	return true
}
