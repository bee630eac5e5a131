package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// S3 access control lists (bucket and object), in the model of the S3 API
// and of VAST's ACL page (seeds/003): grants of READ, WRITE, READ_ACP,
// WRITE_ACP or FULL_CONTROL to a canonical user or to a predefined group.
// The S3 layer parses the XML body and x-amz-grant-* headers into ACL
// values, resolves email grantees to canonical users, validates with
// Validate, stores Encode's bytes (bucket configuration "acl", object
// version records) and hands decoded ACLs to Authorize in the
// ResourceContext. What each permission allows is ACLPermissionFor
// (acl_actions.go).

// ErrMalformedACL is an ACL that is not valid: unknown permission, bad
// grantee, too many grants (S3 MalformedACLError / InvalidArgument).
var ErrMalformedACL = errors.New("iam: malformed access control list")

// Permission is an ACL permission.
type Permission string

// ACL permissions.
const (
	PermRead        Permission = "READ"
	PermWrite       Permission = "WRITE"
	PermReadACP     Permission = "READ_ACP"
	PermWriteACP    Permission = "WRITE_ACP"
	PermFullControl Permission = "FULL_CONTROL"
)

// Valid reports whether p is one of the five permissions.
func (p Permission) Valid() bool {
	switch p {
	case PermRead, PermWrite, PermReadACP, PermWriteACP, PermFullControl:
		return true
	}
	return false
}

// Grantee types, as the S3 XML xsi:type spells them.
const (
	GranteeCanonicalUser = "CanonicalUser"
	GranteeGroup         = "Group"
	GranteeEmail         = "AmazonCustomerByEmail"
)

// Group URIs.
const (
	AllUsersURI           = "http://acs.amazonaws.com/groups/global/AllUsers"
	AuthenticatedUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	LogDeliveryURI        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// MaxGrants is the most grants an ACL may hold (AWS: 100).
const MaxGrants = 100

// Grantee is who a grant is for: a canonical user (ID, with DisplayName
// for responses), a predefined group (URI), or — in requests only, before
// the S3 layer resolves it to a canonical user — an email address.
type Grantee struct {
	Type        string `json:"type"`
	ID          string `json:"id,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	URI         string `json:"uri,omitempty"`
	Email       string `json:"email,omitempty"`
}

// Grant is one ACL entry.
type Grant struct {
	Grantee    Grantee    `json:"grantee"`
	Permission Permission `json:"permission"`
}

// ACL is a bucket or object access control list.
type ACL struct {
	OwnerID   string  `json:"ownerId"`
	OwnerName string  `json:"ownerName,omitempty"`
	Grants    []Grant `json:"grants"`
}

// CanonicalGrant is a grant to the canonical user id.
func CanonicalGrant(id, name string, perm Permission) Grant {
	return Grant{Grantee: Grantee{Type: GranteeCanonicalUser, ID: id, DisplayName: name}, Permission: perm}
}

// GroupGrant is a grant to the predefined group uri.
func GroupGrant(uri string, perm Permission) Grant {
	return Grant{Grantee: Grantee{Type: GranteeGroup, URI: uri}, Permission: perm}
}

// DefaultACL is the ACL of a bucket or object written without one: its
// owner has FULL_CONTROL.
func DefaultACL(ownerID, ownerName string) ACL {
	return ACL{OwnerID: ownerID, OwnerName: ownerName, Grants: []Grant{CanonicalGrant(ownerID, ownerName, PermFullControl)}}
}

// Canned ACL names (x-amz-acl).
const (
	CannedPrivate                = "private"
	CannedPublicRead             = "public-read"
	CannedPublicReadWrite        = "public-read-write"
	CannedAuthenticatedRead      = "authenticated-read"
	CannedAWSExecRead            = "aws-exec-read"
	CannedBucketOwnerRead        = "bucket-owner-read"
	CannedBucketOwnerFullControl = "bucket-owner-full-control"
	CannedLogDeliveryWrite       = "log-delivery-write"
)

// CannedACL returns the ACL a canned ACL stands for, as AWS defines them;
// ownerID/ownerName own the resource, bucketOwnerID/bucketOwnerName own
// its bucket, and bucket says whether the resource is a bucket. In every
// case the owner has FULL_CONTROL, and:
//
//	private                    nothing more
//	public-read                AllUsers READ
//	public-read-write          AllUsers READ and WRITE
//	authenticated-read         AuthenticatedUsers READ
//	aws-exec-read              nothing more (AWS grants READ to its EC2
//	                           service account, which Cairn does not have)
//	bucket-owner-read          objects: the bucket owner READ
//	bucket-owner-full-control  objects: the bucket owner FULL_CONTROL
//	log-delivery-write         buckets: LogDelivery WRITE and READ_ACP
//
// The bucket-owner ACLs add nothing on buckets or when the bucket owner
// owns the object, and log-delivery-write adds nothing on objects: AWS
// ignores a canned ACL that does not apply to the resource. An unknown
// name wraps ErrInvalidInput.
func CannedACL(name, ownerID, ownerName, bucketOwnerID, bucketOwnerName string, bucket bool) (ACL, error) {
	a := DefaultACL(ownerID, ownerName)
	switch name {
	case CannedPrivate, CannedAWSExecRead:
	case CannedPublicRead:
		a.Grants = append(a.Grants, GroupGrant(AllUsersURI, PermRead))
	case CannedPublicReadWrite:
		a.Grants = append(a.Grants, GroupGrant(AllUsersURI, PermRead), GroupGrant(AllUsersURI, PermWrite))
	case CannedAuthenticatedRead:
		a.Grants = append(a.Grants, GroupGrant(AuthenticatedUsersURI, PermRead))
	case CannedBucketOwnerRead, CannedBucketOwnerFullControl:
		if !bucket && bucketOwnerID != "" && bucketOwnerID != ownerID {
			perm := PermRead
			if name == CannedBucketOwnerFullControl {
				perm = PermFullControl
			}
			a.Grants = append(a.Grants, CanonicalGrant(bucketOwnerID, bucketOwnerName, perm))
		}
	case CannedLogDeliveryWrite:
		if bucket {
			a.Grants = append(a.Grants, GroupGrant(LogDeliveryURI, PermWrite), GroupGrant(LogDeliveryURI, PermReadACP))
		}
	default:
		return ACL{}, fmt.Errorf("%w: unknown canned ACL %q (allowed: private, public-read, public-read-write, authenticated-read, aws-exec-read, bucket-owner-read, bucket-owner-full-control, log-delivery-write)", ErrInvalidInput, name)
	}
	return a, nil
}

// Validate checks an ACL: an owner, at most MaxGrants grants, each with a
// valid permission and a well-formed grantee (a canonical user with an
// ID; a group with the AllUsers, AuthenticatedUsers or LogDelivery URI; an
// email grantee with an address). Errors wrap ErrMalformedACL.
func (a ACL) Validate() error {
	if a.OwnerID == "" {
		return fmt.Errorf("%w: the ACL has no owner", ErrMalformedACL)
	}
	if len(a.Grants) > MaxGrants {
		return fmt.Errorf("%w: the ACL has %d grants; the limit is %d", ErrMalformedACL, len(a.Grants), MaxGrants)
	}
	for i, g := range a.Grants {
		if !g.Permission.Valid() {
			return fmt.Errorf("%w: grant %d: permission %q is not READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL", ErrMalformedACL, i, g.Permission)
		}
		if err := g.Grantee.validate(); err != nil {
			return fmt.Errorf("%w: grant %d: %s", ErrMalformedACL, i, err.Error())
		}
	}
	return nil
}

func (g Grantee) validate() error {
	switch g.Type {
	case GranteeCanonicalUser:
		if g.ID == "" {
			return errors.New("a CanonicalUser grantee needs an ID")
		}
		if g.URI != "" || g.Email != "" {
			return errors.New("a CanonicalUser grantee has only an ID (and a DisplayName)")
		}
	case GranteeGroup:
		switch g.URI {
		case AllUsersURI, AuthenticatedUsersURI, LogDeliveryURI:
		case "":
			return errors.New("a Group grantee needs a URI")
		default:
			return fmt.Errorf("group URI %q is not one of %s, %s, %s", g.URI, AllUsersURI, AuthenticatedUsersURI, LogDeliveryURI)
		}
		if g.ID != "" || g.Email != "" {
			return errors.New("a Group grantee has only a URI")
		}
	case GranteeEmail:
		if g.Email == "" {
			return errors.New("an AmazonCustomerByEmail grantee needs an EmailAddress")
		}
		if g.ID != "" || g.URI != "" {
			return errors.New("an AmazonCustomerByEmail grantee has only an EmailAddress")
		}
	case "":
		return errors.New("the grantee has no type")
	default:
		return fmt.Errorf("grantee type %q is not CanonicalUser, Group or AmazonCustomerByEmail", g.Type)
	}
	return nil
}

// IsPublic reports whether the ACL grants anything to AllUsers or
// AuthenticatedUsers (AWS's "public" ACL, which BlockPublicAcls refuses
// and IgnorePublicAcls ignores).
func (a ACL) IsPublic() bool {
	for _, g := range a.Grants {
		if g.Grantee.isPublic() {
			return true
		}
	}
	return false
}

func (g *Grantee) isPublic() bool {
	return g.Type == GranteeGroup && (g.URI == AllUsersURI || g.URI == AuthenticatedUsersURI)
}

// The stored form is canonical JSON: {"v":1,"ownerId":…,"ownerName":…,
// "grants":[{"grantee":{…},"permission":…}]}, fields in this order, empty
// fields omitted, grants in their order (which responses keep). "v" is
// the format version; DecodeACL refuses versions it does not know.
const aclVersion = 1

type aclWire struct {
	V int `json:"v"`
	ACL
}

// Encode returns the stored form of the ACL.
func (a ACL) Encode() []byte {
	if a.Grants == nil {
		a.Grants = []Grant{}
	}
	b, err := json.Marshal(aclWire{V: aclVersion, ACL: a})
	if err != nil {
		// Only strings and a slice of structs: Marshal cannot fail.
		panic("iam: encoding an ACL: " + err.Error())
	}
	return b
}

// DecodeACL parses the stored form of an ACL and validates it; errors
// wrap ErrMalformedACL.
func DecodeACL(b []byte) (ACL, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return ACL{}, fmt.Errorf("%w: empty stored ACL", ErrMalformedACL)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w aclWire
	if err := dec.Decode(&w); err != nil {
		return ACL{}, fmt.Errorf("%w: stored ACL: %v", ErrMalformedACL, err)
	}
	if w.V != aclVersion {
		return ACL{}, fmt.Errorf("%w: stored ACL has format version %d; this build reads version %d", ErrMalformedACL, w.V, aclVersion)
	}
	if err := w.ACL.Validate(); err != nil {
		return ACL{}, err
	}
	return w.ACL, nil
}
