package s3api

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
)

// The resource side of every S3 authorization (DESIGN §5): the bucket's
// owner, compiled policy, ACL, ownership rule and public access block go
// into iam.Request as an iam.ResourceContext, so identity policies, the
// bucket policy and ACLs form one decision for every request, signed or
// anonymous.
//
// Building it must not cost a parse per request: bucketAccess is built
// once per bucket configuration and cached on the Server, keyed by bucket
// name and validated against the exact configuration texts it was built
// from (meta.Bucket values are replaced, never mutated, on change, so a
// changed configuration is a different text and rebuilds the entry). The
// cache is bounded; when full it is emptied, which costs a few rebuilds.
//
// Object ACLs live with each version. They are read (StatObject) only when
// the decision says an object ACL could turn a deny into an allow
// (Decision.NeedsObjectACL); the question is then asked again with the
// version's ACL and owner. A version stored without an ACL has the
// default: its owner has FULL_CONTROL.
//
// A stored configuration that no longer parses fails every request to the
// bucket but root's (InternalError, logged): deciding without it could
// skip a Deny. Root is decided without it and can repair the bucket.

// maxAccessEntries bounds the per-bucket cache.
const maxAccessEntries = 4096

// bucketAccess is everything authorization and the ACL handlers need to
// know about one bucket configuration. It is immutable once built.
type bucketAccess struct {
	// key holds the texts the entry was built from.
	key accessKey
	// rc is shared by every request to the bucket: iam.Authorize never
	// modifies it, and requests that need an object ACL copy it.
	rc iam.ResourceContext
	// ownership is the bucket's ownership rule; pab its public access block.
	ownership string
	pab       publicAccessBlock
	// acl is the bucket's effective ACL (the default when none is stored);
	// storedACL reports whether one is stored.
	acl       iam.ACL
	storedACL bool
	// err is set when a stored configuration does not parse.
	err error
}

type accessKey struct {
	owner, ownerName, policy, acl, ownership, pab string
}

func accessKeyOf(b meta.Bucket) accessKey {
	return accessKey{
		owner:     b.Owner,
		ownerName: b.OwnerName,
		policy:    b.Configs[meta.ConfigPolicy],
		acl:       b.Configs[meta.ConfigACL],
		ownership: b.Configs[meta.ConfigOwnership],
		pab:       b.Configs[meta.ConfigPublicAccessBlock],
	}
}

// accessCache maps a bucket name to its current bucketAccess.
type accessCache struct {
	mu sync.RWMutex
	m  map[string]*bucketAccess // guarded by mu
}

// bucketAccess returns the bucket's access configuration, from the cache
// when its configuration is unchanged. The error is the entry's: a stored
// configuration that does not parse.
func (s *Server) bucketAccess(b meta.Bucket) (*bucketAccess, error) {
	k := accessKeyOf(b)
	c := &s.access
	c.mu.RLock()
	ba, ok := c.m[b.Name]
	c.mu.RUnlock()
	if !ok || ba.key != k {
		ba = buildBucketAccess(b, k)
		c.mu.Lock()
		if c.m == nil || len(c.m) >= maxAccessEntries {
			c.m = make(map[string]*bucketAccess)
		}
		c.m[b.Name] = ba
		c.mu.Unlock()
	}
	return ba, ba.err
}

func buildBucketAccess(b meta.Bucket, k accessKey) *bucketAccess {
	ba := &bucketAccess{key: k, rc: iam.ResourceContext{BucketOwner: b.Owner}}
	var errs []error
	if doc, ok := b.Configs[meta.ConfigPolicy]; ok {
		p, err := iam.CompileBucketPolicy(b.Name, doc)
		if err != nil {
			errs = append(errs, fmt.Errorf("bucket %s: stored policy: %w", b.Name, err))
		}
		ba.rc.Policy = p
	}
	ba.acl = iam.DefaultACL(b.Owner, b.OwnerName)
	if v, ok := b.Configs[meta.ConfigACL]; ok {
		a, err := iam.DecodeACL([]byte(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("bucket %s: stored ACL: %w", b.Name, err))
		} else {
			ba.acl, ba.storedACL = a, true
		}
	}
	rule, _, err := bucketOwnership(b)
	if err != nil {
		errs = append(errs, fmt.Errorf("bucket %s: %w", b.Name, err))
	}
	ba.ownership = rule
	pab, _, err := bucketPublicAccess(b)
	if err != nil {
		errs = append(errs, fmt.Errorf("bucket %s: %w", b.Name, err))
	}
	ba.pab = pab
	if ba.storedACL {
		ba.rc.BucketACL = &ba.acl
	}
	ba.rc.ACLsDisabled = rule == OwnershipBucketOwnerEnforced
	ba.rc.IgnorePublicACLs = pab.IgnorePublicAcls
	ba.rc.RestrictPublicBuckets = pab.RestrictPublicBuckets
	ba.err = errors.Join(errs...)
	return ba
}

// loadAccess sets rq.access for the request's bucket. A bucket whose
// stored configuration does not parse fails the request, except root's.
func (s *Server) loadAccess(rq *request) error {
	if !rq.bucketOK {
		return nil
	}
	ba, err := s.bucketAccess(rq.bucket)
	if err != nil {
		if rq.ident.Kind == iam.KindRoot {
			s.log.Warn("s3 bucket configuration unreadable; root proceeds without it", "request_id", rq.id, "bucket", rq.bucket.Name, "err", err.Error())
			return nil
		}
		return &Error{Code: ErrInternalError, Err: err}
	}
	rq.access = ba
	return nil
}

// resource is the resource context of the request's bucket (nil when the
// bucket does not exist).
func (rq *request) resource() *iam.ResourceContext {
	if rq.access == nil {
		return nil
	}
	return &rq.access.rc
}

// objectACL is the ACL and owner of an object version: the stored ACL,
// else the default for its owner. found is false when the version does not
// exist or is a delete marker (no object ACL can grant anything then).
func (s *Server) objectACL(ctx context.Context, bucket, key, versionID string) (acl iam.ACL, owner string, found bool, err error) {
	info, found, err := s.existingVersion(ctx, bucket, key, versionID)
	if err != nil || !found {
		return iam.ACL{}, "", false, err
	}
	a, err := versionACL(info)
	if err != nil {
		return iam.ACL{}, "", false, err
	}
	return a, info.Owner, true, nil
}

// versionACL decodes a version's ACL; none stored is the default (the
// version's owner has FULL_CONTROL).
func versionACL(info data.ObjectInfo) (iam.ACL, error) {
	if len(info.Meta.ACL) == 0 {
		return iam.DefaultACL(info.Owner, ""), nil
	}
	a, err := iam.DecodeACL(info.Meta.ACL)
	if err != nil {
		return iam.ACL{}, fmt.Errorf("%s/%s version %s: stored ACL: %w", info.Bucket, info.Key, info.VersionID, err)
	}
	return a, nil
}

// objectTarget names the object version an authorization is about, when
// its ACL may have to be read.
type objectTarget struct {
	bucket, key, versionID string
}

// decide asks the authorizer about req and, when the answer says the
// object's ACL could allow it, reads that ACL (once per request for the
// request's own object, cached on rq) and asks again.
func (s *Server) decide(rq *request, req iam.Request, obj objectTarget) (iam.Decision, error) {
	d := s.deps.Authorizer.Authorize(req)
	rc := requestResource(req)
	if d.Allowed || !d.NeedsObjectACL || rc == nil || obj.key == "" {
		return d, nil
	}
	own := obj.bucket == rq.op.Bucket && obj.key == rq.op.Key && obj.versionID == rq.op.VersionID
	var (
		acl   iam.ACL
		owner string
		found bool
		err   error
	)
	if own && rq.objACLDone {
		acl, owner, found = rq.objACL, rq.objOwner, rq.objACLFound
	} else {
		acl, owner, found, err = s.objectACL(rq.ctx, obj.bucket, obj.key, obj.versionID)
		if err != nil {
			return d, err
		}
		if own {
			// Only the request's own goroutine asks about its own object
			// (DeleteObjects' concurrent deletes address other keys).
			rq.objACL, rq.objOwner, rq.objACLFound, rq.objACLDone = acl, owner, found, true
		}
	}
	if !found {
		return d, nil
	}
	withObject := *rc
	withObject.ObjectACL, withObject.ObjectOwner = &acl, owner
	setRequestResource(&req, &withObject)
	return s.deps.Authorizer.Authorize(req), nil
}

// requestResource and setRequestResource read and set the resource
// context of an authorization question.
func requestResource(r iam.Request) *iam.ResourceContext { return r.ResourceContext }

func setRequestResource(r *iam.Request, rc *iam.ResourceContext) { r.ResourceContext = rc }
