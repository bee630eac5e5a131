// Package iam holds Cairn's identity and access-control logic: principals,
// credentials, policies, and the authorization decision.
//
// The package is pure logic. It performs no I/O and imports nothing of
// Cairn's; the state it reasons about (the records in model.go) is handed
// to it by the control plane, which owns persistence and replication. The
// control plane calls NewDirectory after every IAM change and publishes the
// result; every credential lookup and authorization is then answered from
// that immutable, compiled Directory.
//
// # Policies
//
// The policy language is AWS IAM JSON (policy.go, condition.go,
// pattern.go): Version, Statement (object or list), Sid, Effect,
// Principal/NotPrincipal (trust and bucket policies only), Action/NotAction,
// Resource/NotResource, and Condition with the String, Numeric, Date, Bool,
// IpAddress, Arn and Null operators, their …IfExists forms and the
// ForAnyValue:/ForAllValues: qualifiers. Wildcards '*' and '?' work in
// actions (case-insensitively), resources and Like operators. Policy
// variables (2012-10-17 only) — ${aws:username}, ${aws:userid},
// ${aws:PrincipalType}, ${aws:SourceIp}, ${aws:CurrentTime},
// ${aws:EpochTime}, ${s3:prefix}, ${s3:delimiter}, ${s3:max-keys}, any
// other context key, the escapes ${*} ${?} ${$} and defaults
// ${key, 'default'} — are resolved while matching: their values match
// literally (a '*' in a prefix is no wildcard), and a variable with no
// value and no default matches nothing, as in AWS.
//
// ValidatePolicy checks a document when it is written and says precisely
// what is wrong (ErrMalformedPolicy, ErrPolicyTooLarge): JSON shape and
// exact field names, Effect, actions against the catalogue in actions.go (a
// wildcard must match at least one known action; only s3, iam and sts are
// served), ARN syntax, condition operators, keys and value types, and the
// size limits (characters excluding whitespace, Limits). Compilation turns
// each Action list into a bit set over the catalogue, so an action test is
// one bit; the Directory compiles stored documents leniently (no size
// limit, unknown actions kept as patterns) so a change of limits or
// catalogue never breaks a running deployment or drops a Deny.
//
// # Decision
//
// Directory.Authorize is the decision of DESIGN §5, in this order
// (decide.go):
//
//  1. An explicit Deny in any applicable policy — the user's attached and
//     inline policies, those of its enabled groups (or a role's), and the
//     session or service-account policy — denies.
//  2. Root is allowed (administrative override; it has no policies).
//  3. Otherwise an identity policy must allow (the first allowing
//     statement, in policy and statement order, is reported), or the
//     user's allow-create-bucket flag (s3:CreateBucket) or
//     allow-delete-bucket flag (s3:DeleteBucket of a bucket whose owner is
//     the user) must cover the action. For service accounts and sessions
//     with a policy of their own, that policy must allow as well: effective
//     permissions are the intersection.
//  4. Otherwise the request is denied: no policy, no access.
//
// Without a Request.ResourceContext that is the whole decision and
// anonymous requests are denied. With one (S3 requests on an existing
// bucket; resource_decide.go), the bucket's side joins the same steps:
//
//  1. The bucket policy's Deny statements whose Principal (or
//     NotPrincipal) covers the caller deny too — an identity allow, an ACL
//     grant and root included — except that the bucket's owner and root
//     can always Get/Put/DeleteBucketPolicy, so no policy locks its bucket
//     away.
//  3. Besides identity policies, a bucket-policy Allow covering the caller
//     allows (for anonymous callers not when RestrictPublicBuckets is set
//     and the policy is public); the bucket owner may always
//     Get/Put/DeleteBucketPolicy and Get/PutBucketAcl; and an ACL grant
//     allows: the bucket ACL for bucket permissions (listing, creating,
//     overwriting and deleting objects, the bucket's ACL), the object
//     version's ACL for object permissions (acl_actions.go, VAST's table).
//     A nil bucket ACL is the default, owner FULL_CONTROL; an object's
//     owner may always read and write its ACL. ACLs grant nothing when
//     ACLsDisabled (BucketOwnerEnforced, where the bucket owner has full
//     control of the bucket and every object), and AllUsers and
//     AuthenticatedUsers grants nothing with IgnorePublicACLs. Session and
//     service-account policies still intersect with whatever allowed.
//  4. An implicit deny sets Decision.NeedsObjectACL when the object ACL,
//     not loaded, could have allowed: the caller loads it and asks again,
//     so object ACLs are read only for requests that need them.
//
// Anonymous callers are covered only by "*", {"AWS": "*"}, Everyone and
// Guest principals and AllUsers grants; "Authenticated Users", account
// principals and AuthenticatedUsers grants cover every signed caller.
// Decision names the deciding policy ("user:alice/readwrite",
// "group:devs/inline:x", "session", "service-account",
// "builtin-flag:allow-create-bucket", "root", "bucket-policy",
// "bucket-acl", "object-acl", "bucket-owner"), the statement (Sid, or
// "#<index>"; for an ACL grant the granted permission) and the Source —
// "identity", "bucket-policy", "bucket-acl", "object-acl", "session",
// "service-account", "root", "bucket-owner" or "none" — for simulation
// and deny logs.
//
// # Bucket policies and ACLs
//
// ValidateBucketPolicy (bucketpolicy.go) checks a bucket policy when it is
// written: every statement names a Principal or NotPrincipal, S3 actions
// only, resources within the bucket (arn:aws:s3:::bucket or
// arn:aws:s3:::bucket/…, the bucket part literal), conditions and
// variables as in identity policies, at most 20 KB without whitespace;
// errors start with AWS's wording ("Policy has invalid resource", "Invalid
// principal in policy", …) and ErrorDetail strips the sentinel for
// protocol messages. Principals are "*" and {"AWS": "*"}; user, group,
// role, assumed-role and account-root ARNs and account IDs;
// {"CanonicalUser": id}; and Qumulo's {"Qumulo": [...]} — Everyone and
// world:Everyone (everyone, anonymous included), Guest and local:guest
// (anonymous only), Authenticated Users, uid:N and gid:N (the user's POSIX
// IDs), and user or group names (local:name too; enabled groups only).
// Qumulo's "Statements" and per-statement "Index" are accepted. A service
// account or GetSessionToken session is covered as its parent user, a role
// session by its role ARN and its assumed-role ARN. Policy.IsPublic is
// AWS's "public" test (bucketpolicy_public.go). CompileBucketPolicy
// compiles stored policies leniently, once per configuration change.
//
// ACLs (acl.go) are plain values: canned ACLs with AWS's meanings,
// Validate, IsPublic, and a canonical, versioned JSON encoding (Encode,
// DecodeACL) stored with the bucket and each object version.
//
// Resources: object actions are matched against "arn:aws:s3:::bucket/key",
// bucket actions against "arn:aws:s3:::bucket", and bucket-less S3 actions
// (ListAllMyBuckets) against "arn:aws:s3:::", which "arn:aws:s3:::*" and
// "*" match. IAM and STS actions carry Request.Resource; in those ARNs an
// empty account field means Cairn's own account, in policies and requests
// alike.
//
// The ListBucket prefix-resource extension (MinIO-compatible): for
// s3:ListBucket, s3:ListBucketVersions and s3:ListBucketMultipartUploads on
// a bucket, a statement also applies when one of its resource patterns
// matches "arn:aws:s3:::bucket/" + s3:prefix (the empty prefix when the key
// is absent). So "arn:aws:s3:::${aws:username}/*" lets a user list its own
// bucket, and "arn:aws:s3:::shared/*" lets it list anything in shared. The
// Relayer home-folder policy (seeds/004) therefore behaves as its page
// says: each user reads, writes and lists its own bucket; lists the root of
// shared (delimiter "/", prefix "") and its own folder; reads (and lists)
// everything in shared; writes only shared/<username>/; and cannot touch
// another user's bucket. testdata/eval_relayer.json holds those cases.
//
// Condition keys a caller must work to supply — s3:ExistingObjectTag/<k>
// needs the object version's tags read before authorization — are asked
// about first (keyusage.go): IdentityUsesConditionKeyPrefix says whether
// a policy applying to an identity (its identity policies, or its session
// or service-account policy) refers to a key family, in a condition or as
// a policy variable. Each Policy lists its keys when compiled, so the
// question costs a few comparisons and no allocation. A bucket policy is
// asked the same question (Policy.UsesConditionKeyPrefix, or
// ResourceContext.UsesConditionKeyPrefix): the S3 layer reads the tags
// when either the caller's policies or the bucket's policy use the key.
//
// # Principals and credentials
//
// Directory.LookupCredential resolves an access key: root; a user's key
// (Active, user enabled); a service account (Active, not expired — which is
// ErrAccessKeyDisabled — parent existing and enabled); or an STS session,
// whose token is opened with any STS key and must be sealed for this access
// key, unexpired (else ErrExpiredToken), and issued under the current
// SessionGeneration of an existing, enabled parent user or role (else
// ErrInvalidToken). The returned Identity carries its compiled principal,
// so Authorize does no map lookups; an Identity from an older Directory is
// resolved again by name, so a disabled group, user or revoked session
// stops working at once, even for a request in flight.
//
// A service account acts as its parent user (Name, CanonicalID, POSIX ids
// are the parent's; ParentUser is set), with the parent's policies and
// flags narrowed by its own policy. A user session (GetSessionToken, or
// AssumeRole of one's own user) acts as the user narrowed by the session
// policy. A role session (Kind session, RoleName set) has the role's
// policies narrowed by the session policy and no user flags; its
// aws:userid is "<role ID>:<session name>" (Identity.UserID is the role
// ID). CanAssumeRole checks the caller's policies for an explicit Deny of
// sts:AssumeRole and the role's trust policy: a statement naming the
// caller (user, role or assumed-role ARN, or "*") suffices; one naming
// only the account also needs the caller's own policies to allow
// sts:AssumeRole on the role, as in AWS.
//
// # Session token format
//
//	"CST1." + base64url(key ID) + "." + base64url(nonce ‖ AES-256-GCM(claims JSON))
//
// CST1 is the format version, the key ID (clear, so the verifier picks the
// key directly) and the whole clear prefix are authenticated as GCM
// additional data, the nonce is random, and base64url without padding keeps
// tokens safe in headers and URLs. Any failure to open is ErrInvalidToken.
//
// # Built-in policies
//
// readonly (s3:Get*, s3:List*, incl. ListAllMyBuckets and
// GetBucketLocation), readwrite (s3:*), writeonly (s3:PutObject, which
// covers multipart uploads and copies, plus s3:AbortMultipartUpload; no
// reading or listing — MinIO's meaning, with abort added so writers can
// clean up), admin (s3:*, iam:*, sts:* on "*"). They are part of every
// Directory; a stored policy with a builtin's name is ignored.
//
// # Invariants
//
//   - An identity with no policy can do nothing — unless a bucket policy
//     or an ACL grants it something (the bucket owner's default FULL_CONTROL
//     included). Only root has an administrative override.
//   - An explicit Deny anywhere wins over any Allow, flags included.
//   - A disabled group grants and denies nothing; a disabled or deleted
//     user's keys, service accounts and sessions stop working.
//   - A Directory and every Policy are immutable after construction and
//     safe for concurrent use; the only mutable part is a bounded cache of
//     opened session tokens, guarded by a mutex and private to one
//     Directory (so it is emptied by every IAM change).
//   - Secrets never leave this package in a form meant for logging:
//     Credential.LogValue redacts them, and no error message quotes a
//     secret.
//   - Authorize allocates at most a few objects (the resource ARN, the
//     listing subject) and takes about a microsecond or less for realistic
//     policy sets, bucket policy and ACLs included (BenchmarkAuthorize,
//     BenchmarkAuthorizeWithBucketPolicy): the caller compiles bucket
//     policies and decodes ACLs once per bucket configuration.
//   - A bucket policy can only name resources of its own bucket, and never
//     locks out the bucket owner or root from managing it.
package iam
