package iam

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestCannedACL(t *testing.T) {
	own := CanonicalGrant("o", "Owner", PermFullControl)
	bo := func(p Permission) Grant { return CanonicalGrant("b", "Bucket", p) }
	cases := []struct {
		name   string
		bucket bool
		owner  string // object owner ID, "o" unless set
		want   []Grant
	}{
		{"private", true, "", []Grant{own}},
		{"private", false, "", []Grant{own}},
		{"public-read", true, "", []Grant{own, GroupGrant(AllUsersURI, PermRead)}},
		{"public-read", false, "", []Grant{own, GroupGrant(AllUsersURI, PermRead)}},
		{"public-read-write", true, "", []Grant{own, GroupGrant(AllUsersURI, PermRead), GroupGrant(AllUsersURI, PermWrite)}},
		{"authenticated-read", false, "", []Grant{own, GroupGrant(AuthenticatedUsersURI, PermRead)}},
		{"aws-exec-read", false, "", []Grant{own}},
		{"bucket-owner-read", false, "", []Grant{own, bo(PermRead)}},
		{"bucket-owner-read", true, "", []Grant{own}},
		{"bucket-owner-full-control", false, "", []Grant{own, bo(PermFullControl)}},
		{"bucket-owner-full-control", true, "", []Grant{own}},
		// The bucket owner writing its own object: one grant.
		{"bucket-owner-full-control", false, "b", []Grant{CanonicalGrant("b", "Owner", PermFullControl)}},
		{"log-delivery-write", true, "", []Grant{own, GroupGrant(LogDeliveryURI, PermWrite), GroupGrant(LogDeliveryURI, PermReadACP)}},
		{"log-delivery-write", false, "", []Grant{own}},
	}
	for _, c := range cases {
		owner := c.owner
		if owner == "" {
			owner = "o"
		}
		a, err := CannedACL(c.name, owner, "Owner", "b", "Bucket", c.bucket)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if a.OwnerID != owner || a.OwnerName != "Owner" || !reflect.DeepEqual(a.Grants, c.want) {
			t.Errorf("CannedACL(%s, bucket=%v, owner %s) = %+v, want grants %+v", c.name, c.bucket, owner, a, c.want)
		}
		if err := a.Validate(); err != nil {
			t.Errorf("%s: canned ACL does not validate: %v", c.name, err)
		}
		wantPublic := strings.HasPrefix(c.name, "public-") || c.name == "authenticated-read"
		if a.IsPublic() != wantPublic {
			t.Errorf("%s: IsPublic = %v", c.name, a.IsPublic())
		}
	}
	if _, err := CannedACL("public", "o", "", "b", "", true); !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), `"public"`) {
		t.Fatalf("unknown canned ACL: %v", err)
	}
	if d := DefaultACL("o", "n"); !reflect.DeepEqual(d, ACL{OwnerID: "o", OwnerName: "n", Grants: []Grant{CanonicalGrant("o", "n", PermFullControl)}}) {
		t.Fatalf("DefaultACL = %+v", d)
	}
}

func TestACLValidate(t *testing.T) {
	ok := func(gs ...Grant) ACL { return ACL{OwnerID: "o", Grants: gs} }
	many := make([]Grant, MaxGrants+1)
	for i := range many {
		many[i] = CanonicalGrant("x", "", PermRead)
	}
	cases := []struct {
		name string
		acl  ACL
		msg  string // "" = valid
	}{
		{"empty grants", ok(), ""},
		{"every form", ok(CanonicalGrant("u", "U", PermRead), GroupGrant(AllUsersURI, PermWrite), GroupGrant(AuthenticatedUsersURI, PermReadACP),
			GroupGrant(LogDeliveryURI, PermWriteACP), Grant{Grantee: Grantee{Type: GranteeEmail, Email: "a@b"}, Permission: PermFullControl}), ""},
		{"no owner", ACL{}, "no owner"},
		{"bad permission", ok(CanonicalGrant("u", "", "read")), `permission "read"`},
		{"empty permission", ok(CanonicalGrant("u", "", "")), "permission"},
		{"canonical without ID", ok(CanonicalGrant("", "", PermRead)), "needs an ID"},
		{"canonical with URI", ok(Grant{Grantee: Grantee{Type: GranteeCanonicalUser, ID: "u", URI: AllUsersURI}, Permission: PermRead}), "only an ID"},
		{"group without URI", ok(GroupGrant("", PermRead)), "needs a URI"},
		{"unknown group", ok(GroupGrant("http://acs.amazonaws.com/groups/global/Everyone", PermRead)), "is not one of"},
		{"group with ID", ok(Grant{Grantee: Grantee{Type: GranteeGroup, URI: AllUsersURI, ID: "u"}, Permission: PermRead}), "only a URI"},
		{"email without address", ok(Grant{Grantee: Grantee{Type: GranteeEmail}, Permission: PermRead}), "needs an EmailAddress"},
		{"email with ID", ok(Grant{Grantee: Grantee{Type: GranteeEmail, Email: "a@b", ID: "u"}, Permission: PermRead}), "only an EmailAddress"},
		{"no type", ok(Grant{Grantee: Grantee{ID: "u"}, Permission: PermRead}), "no type"},
		{"unknown type", ok(Grant{Grantee: Grantee{Type: "User", ID: "u"}, Permission: PermRead}), `"User"`},
		{"too many grants", ok(many...), "limit is 100"},
	}
	for _, c := range cases {
		err := c.acl.Validate()
		switch {
		case c.msg == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.msg != "" && (!errors.Is(err, ErrMalformedACL) || !strings.Contains(err.Error(), c.msg)):
			t.Errorf("%s: error %v, want ErrMalformedACL with %q", c.name, err, c.msg)
		}
	}
}

func TestACLEncoding(t *testing.T) {
	a := ACL{OwnerID: "o", OwnerName: "Owner", Grants: []Grant{
		GroupGrant(AllUsersURI, PermRead), CanonicalGrant("u", "U", PermWriteACP), CanonicalGrant("o", "Owner", PermFullControl),
	}}
	enc := a.Encode()
	want := `{"v":1,"ownerId":"o","ownerName":"Owner","grants":[` +
		`{"grantee":{"type":"Group","uri":"http://acs.amazonaws.com/groups/global/AllUsers"},"permission":"READ"},` +
		`{"grantee":{"type":"CanonicalUser","id":"u","displayName":"U"},"permission":"WRITE_ACP"},` +
		`{"grantee":{"type":"CanonicalUser","id":"o","displayName":"Owner"},"permission":"FULL_CONTROL"}]}`
	if string(enc) != want {
		t.Fatalf("Encode = %s\nwant     %s", enc, want)
	}
	b, err := DecodeACL(enc)
	if err != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip: %+v, %v", b, err)
	}
	empty := ACL{OwnerID: "o"}
	if b, err := DecodeACL(empty.Encode()); err != nil || b.OwnerID != "o" || len(b.Grants) != 0 {
		t.Fatalf("empty ACL round trip: %+v, %v", b, err)
	}
	for _, bad := range []struct{ in, msg string }{
		{``, "empty"},
		{`{"v":2,"ownerId":"o","grants":[]}`, "format version 2"},
		{`{"ownerId":"o","grants":[]}`, "format version 0"},
		{`{"v":1,"ownerId":"o","grants":[],"extra":1}`, "unknown field"},
		{`{"v":1,"ownerId":"o","grants":[{"grantee":{"type":"Group","uri":"x"},"permission":"READ"}]}`, "is not one of"},
		{`{"v":1,"grants":[]}`, "no owner"},
		{`[1]`, "stored ACL"},
	} {
		if _, err := DecodeACL([]byte(bad.in)); !errors.Is(err, ErrMalformedACL) || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("DecodeACL(%s): %v, want %q", bad.in, err, bad.msg)
		}
	}
}

// vastTable is VAST's permission table (seeds/003) with AWS's action
// names, written out independently of acl_actions.go.
var vastTable = map[bool]map[Permission][]string{
	false: { // bucket ACL
		PermRead:     {"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"},
		PermWrite:    {"s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
		PermReadACP:  {"s3:GetBucketAcl"},
		PermWriteACP: {"s3:PutBucketAcl"},
	},
	true: { // object ACL
		PermRead:     {"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes", "s3:GetObjectTorrent", "s3:GetObjectVersionTorrent"},
		PermReadACP:  {"s3:GetObjectAcl", "s3:GetObjectVersionAcl"},
		PermWriteACP: {"s3:PutObjectAcl", "s3:PutObjectVersionAcl"},
	},
}

// notACL are actions no ACL grants.
var notACL = []string{"s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteBucket", "s3:GetBucketPolicy",
	"s3:PutBucketPolicy", "s3:CreateBucket", "s3:ListAllMyBuckets", "s3:PutObjectRetention", "s3:GetBucketVersioning"}

func TestACLPermissionFor(t *testing.T) {
	for object, perms := range vastTable {
		for perm, acts := range perms {
			for _, a := range acts {
				if got, ok := ACLPermissionFor(a, object); !ok || got != perm {
					t.Errorf("ACLPermissionFor(%s, object=%v) = %q, %v; want %s", a, object, got, ok, perm)
				}
				if got, ok := ACLPermissionFor(strings.ToLower(a), object); !ok || got != perm {
					t.Errorf("ACLPermissionFor is case-sensitive for %s", a)
				}
				if got, ok := ACLPermissionFor(a, !object); ok {
					t.Errorf("ACLPermissionFor(%s, object=%v) = %q: both ACLs grant it", a, !object, got)
				}
			}
		}
	}
	for _, a := range append(notACL, "s3:NoSuchAction", "iam:GetUser") {
		for _, object := range []bool{false, true} {
			if got, ok := ACLPermissionFor(a, object); ok {
				t.Errorf("ACLPermissionFor(%s, %v) = %q", a, object, got)
			}
		}
	}
}

// TestACLMatrix checks every permission granted on a bucket and on an
// object, to each grantee type, against every caller type and every
// ACL-controlled action: exactly the VAST table, nothing more.
func TestACLMatrix(t *testing.T) {
	d, err := NewDirectory(Snapshot{Account: "123456789012", Users: []User{
		{Name: "owner", ID: "AIDAOWNER"}, {Name: "bob", ID: "AIDABOB"}, {Name: "zed", ID: "AIDAZED"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]Identity{"anonymous": {}}
	for _, n := range []string{"owner", "bob", "zed"} {
		ids[n], _ = d.IdentityFor(KindUser, n)
	}
	owner, bob := ids["owner"].CanonicalID, ids["bob"].CanonicalID
	grantees := map[string]Grantee{
		"canonical(bob)":     {Type: GranteeCanonicalUser, ID: bob},
		"AllUsers":           {Type: GranteeGroup, URI: AllUsersURI},
		"AuthenticatedUsers": {Type: GranteeGroup, URI: AuthenticatedUsersURI},
		"LogDelivery":        {Type: GranteeGroup, URI: LogDeliveryURI},
		"email":              {Type: GranteeEmail, Email: "bob@example.com"},
	}
	covers := func(grantee, caller string) bool {
		switch grantee {
		case "canonical(bob)":
			return caller == "bob"
		case "AllUsers":
			return true
		case "AuthenticatedUsers":
			return caller != "anonymous"
		}
		return false
	}
	var all []string
	for _, perms := range vastTable {
		for _, acts := range perms {
			all = append(all, acts...)
		}
	}
	all = append(all, notACL...)
	perms := []Permission{PermRead, PermWrite, PermReadACP, PermWriteACP, PermFullControl}
	checked := map[bool]int{}
	defer func() {
		if checked[true] < 100 || checked[false] < 1000 {
			t.Errorf("matrix checked %d allows and %d denies", checked[true], checked[false])
		}
		t.Logf("matrix: %d allows, %d denies", checked[true], checked[false])
	}()
	for _, object := range []bool{false, true} {
		for _, perm := range perms {
			for gname, grantee := range grantees {
				// The owner's ACLs hold no owner grant, so only the
				// tested grant can allow anything to bob, zed and
				// anonymous callers.
				acl := &ACL{OwnerID: owner, Grants: []Grant{{Grantee: grantee, Permission: perm}}}
				for _, ignore := range []bool{false, true} {
					for caller, id := range ids {
						if caller == "owner" {
							continue
						}
						for _, action := range all {
							rc := &ResourceContext{BucketOwner: owner, IgnorePublicACLs: ignore}
							if object {
								rc.ObjectACL, rc.ObjectOwner = acl, owner
							} else {
								rc.BucketACL = acl
							}
							dec := d.Authorize(Request{Identity: id, Action: action, Bucket: "b", Key: "k", ResourceContext: rc})
							granted := false
							if p := vastTable[object][perm]; slices.Contains(p, action) {
								granted = true
							}
							if perm == PermFullControl {
								for _, acts := range vastTable[object] {
									granted = granted || slices.Contains(acts, action)
								}
							}
							want := granted && covers(gname, caller) && !(ignore && grantee.Type == GranteeGroup)
							checked[want]++
							if dec.Allowed != want {
								t.Errorf("%s ACL, %s to %s (ignorePublic=%v): %s by %s: allowed=%v, want %v (%+v)",
									map[bool]string{false: "bucket", true: "object"}[object], perm, gname, ignore, action, caller, dec.Allowed, want, dec)
							}
							// Without the object ACL loaded, a deny of an
							// object-ACL action asks for it; with it, never.
							_, objAction := ACLPermissionFor(action, true)
							if wantNeeds := !object && !want && objAction; dec.NeedsObjectACL != wantNeeds {
								t.Errorf("%s by %s: NeedsObjectACL = %v, want %v (%+v)", action, caller, dec.NeedsObjectACL, wantNeeds, dec)
							}
						}
					}
				}
			}
		}
	}
}
