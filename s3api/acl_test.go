package s3api

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// testPrincipals is a principal index over a real Directory with users
// alice (display name "Alice A.") and bob.
func testPrincipals(t testing.TB) (*principalIndex, map[string]string) {
	t.Helper()
	d, err := iam.NewDirectory(iam.Snapshot{
		Account: testAccount,
		Root:    iam.Credential{AccessKey: testAccessKey, SecretKey: testSecretKey},
		Users: []iam.User{
			{Name: "alice", ID: "AIDAALICE", DisplayName: "Alice A.", Created: time.Unix(1, 0)},
			{Name: "bob", ID: "AIDABOB", Created: time.Unix(1, 0)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, n := range []string{"alice", "bob"} {
		id, err := d.IdentityFor(iam.KindUser, n)
		if err != nil {
			t.Fatal(err)
		}
		ids[n] = id.CanonicalID
	}
	root, _ := d.IdentityFor(iam.KindRoot, "")
	ids["root"] = root.CanonicalID
	return buildPrincipalIndex(d), ids
}

func hdrList(kv ...string) *headers {
	h := &headers{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.kv = append(h.kv, headerKV{name: kv[i], lower: strings.ToLower(kv[i]), value: kv[i+1]})
	}
	return h
}

func errCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code.spec().Code
	}
	return "not an S3 error: " + err.Error()
}

func TestParseGrantHeader(t *testing.T) {
	tests := []struct {
		in   string
		want []iam.Grantee
		bad  bool
	}{
		{in: `id="abc"`, want: []iam.Grantee{{Type: iam.GranteeCanonicalUser, ID: "abc"}}},
		{in: `id="a", uri="http://x/y" ,emailAddress="u@example.com"`, want: []iam.Grantee{
			{Type: iam.GranteeCanonicalUser, ID: "a"}, {Type: iam.GranteeGroup, URI: "http://x/y"}, {Type: iam.GranteeEmail, Email: "u@example.com"}}},
		{in: `ID = "a"`, want: []iam.Grantee{{Type: iam.GranteeCanonicalUser, ID: "a"}}},
		{in: `id=bare, uri=http://acs/x`, want: []iam.Grantee{{Type: iam.GranteeCanonicalUser, ID: "bare"}, {Type: iam.GranteeGroup, URI: "http://acs/x"}}},
		{in: `id="with,comma"`, want: []iam.Grantee{{Type: iam.GranteeCanonicalUser, ID: "with,comma"}}},
		{in: ``, bad: true},
		{in: `id`, bad: true},
		{in: `id=""`, bad: true},
		{in: `id="unterminated`, bad: true},
		{in: `name="x"`, bad: true},
		{in: `id="a" uri="b"`, bad: true},
		{in: `id="a",`, bad: true},
		{in: `id="a",,id="b"`, bad: true},
	}
	for _, tc := range tests {
		got, err := parseGrantHeader("x-amz-grant-read", tc.in)
		if tc.bad {
			if errCode(err) != "InvalidArgument" {
				t.Errorf("%q: err %v, want InvalidArgument", tc.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %+v %v, want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseACLHeaders(t *testing.T) {
	ix, ids := testPrincipals(t)
	tests := []struct {
		name string
		h    *headers
		want aclSpec
		code string
	}{
		{name: "none", h: hdrList()},
		{name: "canned", h: hdrList("x-amz-acl", "public-read"), want: aclSpec{Given: true, Canned: "public-read"}},
		{name: "every canned name", h: hdrList("x-amz-acl", "log-delivery-write"), want: aclSpec{Given: true, Canned: "log-delivery-write"}},
		{name: "unknown canned", h: hdrList("x-amz-acl", "public"), code: "InvalidArgument"},
		{name: "canned and grants", h: hdrList("x-amz-acl", "private", "x-amz-grant-read", `uri="`+iam.AllUsersURI+`"`), code: "InvalidRequest"},
		{name: "grants in header order", h: hdrList(
			"x-amz-grant-full-control", `id="`+ids["alice"]+`"`,
			"x-amz-grant-read", `uri="`+iam.AllUsersURI+`", emailAddress="bob"`,
			"x-amz-grant-write-acp", `emailAddress="ALICE A."`),
			want: aclSpec{Given: true, Grants: []iam.Grant{
				{Grantee: iam.Grantee{Type: iam.GranteeGroup, URI: iam.AllUsersURI}, Permission: iam.PermRead},
				{Grantee: iam.Grantee{Type: iam.GranteeCanonicalUser, ID: ids["bob"], DisplayName: "bob"}, Permission: iam.PermRead},
				{Grantee: iam.Grantee{Type: iam.GranteeCanonicalUser, ID: ids["alice"], DisplayName: "Alice A."}, Permission: iam.PermWriteACP},
				{Grantee: iam.Grantee{Type: iam.GranteeCanonicalUser, ID: ids["alice"], DisplayName: "Alice A."}, Permission: iam.PermFullControl},
			}}},
		{name: "root by id", h: hdrList("x-amz-grant-read-acp", "id="+ids["root"]),
			want: aclSpec{Given: true, Grants: []iam.Grant{{Grantee: iam.Grantee{Type: iam.GranteeCanonicalUser, ID: ids["root"], DisplayName: testAccessKey}, Permission: iam.PermReadACP}}}},
		{name: "extra id", h: hdrList("x-amz-grant-write", `id="owner-not-in-directory"`),
			want: aclSpec{Given: true, Grants: []iam.Grant{{Grantee: iam.Grantee{Type: iam.GranteeCanonicalUser, ID: "owner-not-in-directory"}, Permission: iam.PermWrite}}}},
		{name: "unknown id", h: hdrList("x-amz-grant-read", `id="0000"`), code: "InvalidArgument"},
		{name: "unknown group", h: hdrList("x-amz-grant-read", `uri="http://acs.amazonaws.com/groups/global/Nobody"`), code: "InvalidArgument"},
		{name: "unknown email", h: hdrList("x-amz-grant-read", `emailAddress="carol@example.com"`), code: "UnresolvableGrantByEmailAddress"},
		{name: "malformed grant", h: hdrList("x-amz-grant-read", `user="x"`), code: "InvalidArgument"},
	}
	for _, tc := range tests {
		got, err := parseACLHeaders(tc.h, ix, "owner-not-in-directory")
		if errCode(err) != tc.code {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.code)
			continue
		}
		if tc.code == "" && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

// TestParseACLHeadersWithoutDirectory: a server without an IAM view
// accepts any canonical ID and resolves no e-mail address.
func TestParseACLHeadersWithoutDirectory(t *testing.T) {
	sp, err := parseACLHeaders(hdrList("x-amz-grant-read", `id="anything"`), nil)
	if err != nil || len(sp.Grants) != 1 || sp.Grants[0].Grantee.ID != "anything" {
		t.Errorf("%+v %v", sp, err)
	}
	if _, err := parseACLHeaders(hdrList("x-amz-grant-read", `emailAddress="a@b"`), nil); errCode(err) != "UnresolvableGrantByEmailAddress" {
		t.Errorf("email without directory: %v", err)
	}
}

func aclDoc(owner, grants string) string {
	o := ""
	if owner != "" {
		o = "<Owner><ID>" + owner + "</ID><DisplayName>whoever</DisplayName></Owner>"
	}
	return `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + o +
		`<AccessControlList>` + grants + `</AccessControlList></AccessControlPolicy>`
}

func xsiGrant(typ, inner, perm string) string {
	return `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="` + typ + `">` + inner +
		`</Grantee><Permission>` + perm + `</Permission></Grant>`
}

func TestParseACLXML(t *testing.T) {
	ix, ids := testPrincipals(t)
	alice := iam.Grantee{Type: iam.GranteeCanonicalUser, ID: ids["alice"], DisplayName: "Alice A."}
	tests := []struct {
		name string
		doc  string
		want aclSpec
		code string
	}{
		{name: "canonical user and groups", doc: aclDoc(ids["root"],
			xsiGrant("CanonicalUser", "<ID>"+ids["alice"]+"</ID><DisplayName>stale</DisplayName>", "READ")+
				xsiGrant("Group", "<URI>"+iam.AuthenticatedUsersURI+"</URI>", "WRITE")+
				xsiGrant("AmazonCustomerByEmail", "<EmailAddress>bob</EmailAddress>", "FULL_CONTROL")),
			want: aclSpec{Given: true, OwnerID: ids["root"], Grants: []iam.Grant{
				{Grantee: alice, Permission: iam.PermRead},
				{Grantee: iam.Grantee{Type: iam.GranteeGroup, URI: iam.AuthenticatedUsersURI}, Permission: iam.PermWrite},
				{Grantee: iam.Grantee{Type: iam.GranteeCanonicalUser, ID: ids["bob"], DisplayName: "bob"}, Permission: iam.PermFullControl},
			}}},
		{name: "no xsi:type: inferred", doc: aclDoc("", `<Grant><Grantee><ID>`+ids["alice"]+`</ID></Grantee><Permission>READ_ACP</Permission></Grant>`),
			want: aclSpec{Given: true, Grants: []iam.Grant{{Grantee: alice, Permission: iam.PermReadACP}}}},
		{name: "undeclared xsi prefix", doc: `<AccessControlPolicy><AccessControlList><Grant><Grantee xsi:type="Group"><URI>` + iam.AllUsersURI +
			`</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
			want: aclSpec{Given: true, Grants: []iam.Grant{{Grantee: iam.Grantee{Type: iam.GranteeGroup, URI: iam.AllUsersURI}, Permission: iam.PermRead}}}},
		{name: "empty list", doc: aclDoc(ids["root"], ""), want: aclSpec{Given: true, OwnerID: ids["root"], Grants: []iam.Grant{}}},
		{name: "not XML", doc: "{}", code: "MalformedACLError"},
		{name: "wrong root", doc: "<Policy/>", code: "MalformedACLError"},
		{name: "no list", doc: `<AccessControlPolicy><Owner><ID>x</ID></Owner></AccessControlPolicy>`, code: "MalformedACLError"},
		{name: "bad permission", doc: aclDoc("", xsiGrant("Group", "<URI>"+iam.AllUsersURI+"</URI>", "EVERYTHING")), code: "MalformedACLError"},
		{name: "no permission", doc: aclDoc("", `<Grant><Grantee xsi:type="Group"><URI>`+iam.AllUsersURI+`</URI></Grantee></Grant>`), code: "MalformedACLError"},
		{name: "no grantee", doc: aclDoc("", `<Grant><Permission>READ</Permission></Grant>`), code: "MalformedACLError"},
		{name: "unknown type", doc: aclDoc("", xsiGrant("Robot", "<ID>x</ID>", "READ")), code: "MalformedACLError"},
		{name: "empty grantee", doc: aclDoc("", `<Grant><Grantee></Grantee><Permission>READ</Permission></Grant>`), code: "MalformedACLError"},
		{name: "empty owner id", doc: aclDoc(" ", ""), code: "MalformedACLError"},
		{name: "unknown id", doc: aclDoc("", xsiGrant("CanonicalUser", "<ID>feed</ID>", "READ")), code: "InvalidArgument"},
		{name: "bad group", doc: aclDoc("", xsiGrant("Group", "<URI>http://example.com/all</URI>", "READ")), code: "InvalidArgument"},
		{name: "unknown email", doc: aclDoc("", xsiGrant("AmazonCustomerByEmail", "<EmailAddress>nobody@x</EmailAddress>", "READ")), code: "UnresolvableGrantByEmailAddress"},
		{name: "too many grants", doc: aclDoc("", strings.Repeat(xsiGrant("Group", "<URI>"+iam.AllUsersURI+"</URI>", "READ"), iam.MaxGrants+1)), code: "MalformedACLError"},
		{name: "trailing element", doc: aclDoc("", "") + "<x/>", code: "MalformedACLError"},
	}
	for _, tc := range tests {
		got, err := parseACLXML([]byte(tc.doc), ix)
		if errCode(err) != tc.code {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.code)
			continue
		}
		if tc.code == "" && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

// TestACLBodyRoundTrip: what GetBucketAcl writes, PutBucketAcl reads back
// to the same grants, with display names from the Directory.
func TestACLBodyRoundTrip(t *testing.T) {
	ix, ids := testPrincipals(t)
	a := iam.ACL{OwnerID: ids["root"], Grants: []iam.Grant{
		iam.CanonicalGrant(ids["root"], "", iam.PermFullControl),
		iam.CanonicalGrant(ids["alice"], "old name", iam.PermRead),
		iam.GroupGrant(iam.AllUsersURI, iam.PermRead),
		iam.GroupGrant(iam.LogDeliveryURI, iam.PermWrite),
	}}
	body := string(aclBody(a, ix))
	for _, want := range []string{
		`<Owner><ID>` + ids["root"] + `</ID><DisplayName>` + testAccessKey + `</DisplayName></Owner>`,
		`<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>` + ids["alice"] + `</ID><DisplayName>Alice A.</DisplayName></Grantee><Permission>READ</Permission>`,
		`xsi:type="Group"><URI>` + iam.AllUsersURI + `</URI></Grantee><Permission>READ</Permission>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
	sp, err := parseACLXML([]byte(body), ix)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sp.build(ids["root"], "", ids["root"], "", true)
	if err != nil {
		t.Fatal(err)
	}
	if sp.OwnerID != ids["root"] || len(got.Grants) != len(a.Grants) {
		t.Fatalf("round trip: %+v", got)
	}
	for i := range a.Grants {
		g, w := got.Grants[i], a.Grants[i]
		if g.Permission != w.Permission || g.Grantee.Type != w.Grantee.Type || g.Grantee.ID != w.Grantee.ID || g.Grantee.URI != w.Grantee.URI {
			t.Errorf("grant %d: %+v, want %+v", i, g, w)
		}
	}
	// Without a Directory the stored display names are shown.
	if body := string(aclBody(a, nil)); !strings.Contains(body, "<DisplayName>old name</DisplayName>") {
		t.Errorf("stored display name not shown:\n%s", body)
	}
}

func TestACLSpecBuild(t *testing.T) {
	owner, bucketOwner := "writer-id", "bucket-owner-id"
	tests := []struct {
		name   string
		sp     aclSpec
		bucket bool
		grants int
		public bool
		code   string
	}{
		{name: "default", sp: aclSpec{}, grants: 1},
		{name: "public-read", sp: aclSpec{Given: true, Canned: "public-read"}, grants: 2, public: true},
		{name: "bucket-owner-full-control on an object", sp: aclSpec{Given: true, Canned: "bucket-owner-full-control"}, grants: 2},
		{name: "bucket-owner-full-control on a bucket", sp: aclSpec{Given: true, Canned: "bucket-owner-full-control"}, bucket: true, grants: 1},
		{name: "authenticated-read", sp: aclSpec{Given: true, Canned: "authenticated-read"}, grants: 2, public: true},
		{name: "grants", sp: aclSpec{Given: true, Grants: []iam.Grant{iam.GroupGrant(iam.AllUsersURI, iam.PermWrite)}}, grants: 1, public: true},
		{name: "bad canned", sp: aclSpec{Given: true, Canned: "nope"}, code: "InvalidArgument"},
	}
	for _, tc := range tests {
		a, err := tc.sp.build(owner, "w", bucketOwner, "b", tc.bucket)
		if errCode(err) != tc.code {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if tc.code != "" {
			continue
		}
		if a.OwnerID != owner || len(a.Grants) != tc.grants || a.IsPublic() != tc.public {
			t.Errorf("%s: %+v (public %v)", tc.name, a, a.IsPublic())
		}
		if err := validateACL(a); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestOwnerFullControlOnly(t *testing.T) {
	o := "owner"
	tests := []struct {
		a    iam.ACL
		want bool
	}{
		{iam.DefaultACL(o, ""), true},
		{iam.ACL{OwnerID: o, Grants: []iam.Grant{iam.CanonicalGrant(o, "", iam.PermFullControl), iam.CanonicalGrant(o, "", iam.PermFullControl)}}, true},
		{iam.ACL{OwnerID: o}, false},
		{iam.ACL{OwnerID: o, Grants: []iam.Grant{iam.CanonicalGrant(o, "", iam.PermRead)}}, false},
		{iam.ACL{OwnerID: o, Grants: []iam.Grant{iam.CanonicalGrant(o, "", iam.PermFullControl), iam.GroupGrant(iam.AllUsersURI, iam.PermRead)}}, false},
		{iam.DefaultACL("other", ""), false},
	}
	for i, tc := range tests {
		if got := ownerFullControlOnly(tc.a, o); got != tc.want {
			t.Errorf("%d: %v, want %v", i, got, tc.want)
		}
	}
	if !isDefaultACL(iam.DefaultACL(o, ""), o) || isDefaultACL(iam.DefaultACL("other", ""), o) {
		t.Error("isDefaultACL")
	}
}
