// Package s3api is Cairn's S3 API: a fasthttp server that parses each
// request into an Operation, authenticates it (SigV4, package sigv4),
// authorizes it (iam.Authorizer), runs a handler against the Buckets and
// Objects seams, and writes the handler's response value.
//
// Shape (after versitygw's controllers and Garage's router):
//   - router.go: parseRequest, a pure function from (method, raw path, raw
//     query, headers) to an Operation. No I/O happens before it.
//   - operation.go: THE table from each operation to its IAM action and
//     resource kind. Authorization of every route derives from it.
//   - errors.go: THE S3 error table (code, status, message) and toS3Error,
//     the one function mapping errors of the layers below (data.Err*,
//     meta.Err*, sigv4.Err*, authorization denial) to S3 errors.
//   - handle.go: the one wrapper. Handlers return (*response, error); the
//     wrapper serializes, logs (slog) and counts (metrics.go).
//   - one file per resource family: bucket.go, object_get.go,
//     object_put.go, object_delete.go, list.go; xmlwriter.go writes hot
//     XML without reflection; xmlbody.go parses request bodies.
//
// Invariants:
//   - Paths are decoded from the raw request URI, never from fasthttp's
//     normalised path: keys keep "//", "..", "+", spaces and any UTF-8.
//     Keys are at most 1024 bytes, valid UTF-8, without NUL.
//   - Every sub-resource query Cairn does not implement (?logging,
//     ?website, ...) and every unknown method is NotImplemented, never
//     served as the plain operation. Headers that would silently change
//     what is stored (SSE, If-None-Match other than "*") are
//     NotImplemented on PutObject too.
//   - Request bodies are read only through sigv4.Payload, so a body that
//     fails signature, SHA-256, Content-MD5 or checksum verification ends
//     in a read error, never in EOF. PutObject's Seal re-checks EOF, so
//     nothing is committed unverified whatever the object layer read.
//   - A handler that does not read the whole body leaves the connection
//     usable: the wrapper drains up to 256 KiB, else closes the connection.
//   - Every response carries x-amz-request-id and x-amz-id-2. Logs carry
//     the access key, never a secret, session token or signature.
//   - No whole-request timeouts (multi-GB bodies); conn.go enforces a
//     header deadline and per-read/write progress deadlines instead. Serve
//     takes a plain or tls.NewListener listener (TLS stays visible to
//     fasthttp); fasthttp's per-IP limit is not used (it rewraps conns).
//   - Only a signature scoped to the "s3" service is accepted for S3, only
//     "iam" or "sts" for the query APIs, and their bodies must be signed.
//
// Health endpoints share the S3 port: an UNSIGNED GET of exactly
// /health/live or /health/ready is a health check (200 "OK" or 503 with a
// short reason). "health" is a valid bucket name: a signed request, or any
// other method or path, is an ordinary S3 request for that bucket; only
// anonymous GetObject of the keys "live" and "ready" in a bucket named
// "health" is shadowed.
//
// Listing continuation tokens are opaque: URL-safe base64 of a version
// byte (1) and the key or common prefix the page ended on. A position that
// is a common prefix resumes after its whole sub-tree (position + 0xFF).
//
// IAM and STS query APIs share the port (iam_route.go). A request for
// path "/" (path style) that is a POST with an x-www-form-urlencoded body,
// or a GET whose query has Action, is a query-API call: its body (at most
// 1 MiB) is read first and handed to sigv4 (IAM/STS clients sign its hash
// without sending x-amz-content-sha256), the verified credential scope's
// service picks IAM or STS, and Action (iam_actions.go: THE action table)
// picks the handler. Errors use the query XML format (<ErrorResponse>)
// from the same error table (ErrIAM* rows; queryCode maps the S3 rows
// whose IAM spelling differs). Every handler authorizes its call as
// iam:<Action> on the target's ARN before reading or changing anything;
// GetCallerIdentity needs no permission; service accounts are managed by
// their parent user only; AssumeRole is decided by Directory.CanAssumeRole
// (or is the self form). The identity service itself is the IAM
// interface (iam_backend.go, implemented by meta.IAMService); reads are
// answered from its Directory. Response formats and Cairn's extension
// elements are listed in iam_xml.go.
//
// Authorization context (authz.go): every S3 request is asked about as
// iam.Request{Identity, Action, Bucket, Key, BucketOwner, Conditions,
// ResourceContext}, Conditions holding the request's context keys, built
// once per request. s3:ExistingObjectTag/<k> alone needs I/O: the
// addressed version's tags are read before authorizing, and only when a
// policy of the caller uses the key (authz_tags.go).
//
// Bucket policies, ACLs, ownership controls and public access block
// (bucketpolicy.go, acl*.go, ownership.go, publicaccess.go,
// authz_resource.go): one decision for every request, signed or not
// (DESIGN §5; package iam decides). ResourceContext carries the bucket's
// compiled policy, decoded ACL, ownership rule and public access flags,
// built once per bucket configuration and cached on the Server (bounded,
// keyed by the exact stored texts), so no request re-parses them. An
// object version's ACL is read only when the decision says it could allow
// (Decision.NeedsObjectACL) — or comes free with the tags read above —
// and the question is asked again. Unsigned requests are the anonymous
// principal and succeed when a bucket-policy statement naming "*",
// Everyone or Guest, or an AllUsers grant allows; presigned URLs act as
// their signer; response-* overrides stay refused for anonymous GETs.
// Stored encodings: the policy as sent (meta.ConfigPolicy), the bucket ACL
// in iam's canonical JSON (meta.ConfigACL; absent = the owner's
// FULL_CONTROL), {"v":1,"rule":…} (meta.ConfigOwnership; absent =
// ObjectWriter) and {"v":1,"blockPublicAcls":…,…}
// (meta.ConfigPublicAccessBlock); object ACLs in data.VersionMeta.ACL
// (absent = the version owner's FULL_CONTROL, the default, which is
// stored as absent). A stored configuration that does not parse fails
// the bucket's requests with InternalError, except root's: deciding
// without it could skip a Deny. ACL headers (x-amz-acl, x-amz-grant-*)
// are honoured on CreateBucket, PutObject, CopyObject (a copy never
// inherits its source's ACL), CreateMultipartUpload (applied at
// completion) and POST forms ("acl"). Under BucketOwnerEnforced new
// versions belong to the bucket owner, ACLs grant nothing, and ACL
// writes other than the owner's full control are
// AccessControlListNotSupported; stored ACLs are kept and apply again if
// the controls are deleted. BlockPublicAcls refuses (AccessDenied) any
// write of an ACL granting AllUsers or AuthenticatedUsers;
// BlockPublicPolicy refuses a public policy (iam.Policy.IsPublic). The
// policy simulator (iam_simulate.go) decides S3 resource ARNs with the
// same context, and every denial is logged at debug level with the
// deciding source, policy and statement.
//
// Versioning, tagging, object lock and lifecycle (versioning*.go,
// tagging.go, objectlock.go, lifecycle.go): a bucket's versioning status
// picks what writes and deletes do (Enabled: new versions and delete
// markers; Suspended: the null version is replaced, deletes leave a null
// marker; never enabled: the null version only). x-amz-version-id is sent
// for every version of a bucket that has versioning, "null" included.
// Version metadata (tags, retention, legal hold) changes in place through
// Objects.UpdateVersionMeta. Bucket sub-resource configurations are stored
// in meta.Bucket.Configs as canonical JSON owned here (tags: the tag map;
// object lock: the default retention; lifecycle: package data/lifecycle's
// encoding). A version under legal hold or unexpired retention is never
// removed: every delete of an object-lock bucket passes a Guard, and
// GOVERNANCE gives way only to x-amz-bypass-governance-retention: true
// from a caller allowed s3:BypassGovernanceRetention. Operations that
// address a version are authorized as their version action
// (opSpec.VersionAction: s3:GetObjectVersion, s3:DeleteObjectVersion, ...).
//
// Multipart uploads, copies and attributes (multipart*.go, copy*.go,
// attributes.go): parts are numbered 1–10,000 and at most 5 GiB; the
// object layer stores them erasure-coded and commits the listed ones at
// CompleteMultipartUpload without copying. CopyObject and UploadPartCopy
// stream the source version through data.Object.Range into the new write
// (never buffered whole), computing the new MD5 ETag and checksums as the
// bytes pass; they are authorized for s3:PutObject on the destination
// (the table) and s3:GetObject, or s3:GetObjectVersion for a named
// version, on the source (the handler). Conditional writes (If-None-Match:
// *, If-Match on PutObject, CopyObject and CompleteMultipartUpload) are
// data.Preconditions, checked by the object layer atomically with the
// commit: 412 PreconditionFailed, or 409 ConditionalRequestConflict when a
// racing write committed first. GET/HEAD ?partNumber=N answer 206 with the
// part's bytes (a single PUT is part 1 of 1).
//
// CORS, browser uploads and virtual hosts (cors*.go, postobject*.go):
// OPTIONS /bucket[/key] is a CORS preflight, answered without
// authentication from the bucket's CORS configuration (stored as canonical
// JSON), and every S3 response to a request with a matching Origin carries
// the Access-Control-* headers. POST /bucket with multipart/form-data is a
// browser upload (OpPostObject): the form's SigV4 signature over its
// policy authenticates it (sigv4.Verifier.VerifyPostPolicy), the policy's
// conditions constrain it, and it is authorized as s3:PutObject on the
// form's key; fields before the file are bounded, the file is streamed.
// With Config.Domain, Host "<bucket>.<domain>[:port]" names the bucket
// and the path is the key; Host "<domain>" and any other host are path
// style.
//
// ACL deviations from AWS, on purpose: Cairn has no e-mail addresses, so
// an emailAddress grantee names the IAM user whose name (else display
// name) equals it, case-insensitively; a canonical-ID grantee must name a
// principal of the IAM Directory (or the bucket owner or caller);
// aws-exec-read grants nothing beyond private (no EC2 account); the
// ownership controls and public access block exist at bucket level only.
//
// Deviations from AWS, on purpose: CreateBucket of a bucket you own is
// always 409 BucketAlreadyOwnedByYou (no us-east-1 legacy 200); a
// LocationConstraint of "us-east-1" is accepted; DeleteObjects accepts a
// signed body SHA-256 in place of Content-MD5 / x-amz-checksum. Object
// lock cannot be enabled on an existing bucket (InvalidBucketState), MFA
// delete is NotImplemented, GetObjectLegalHold of a version never held
// answers OFF, and lifecycle transitions are NotImplemented (one storage
// class). A POST upload larger than 1 MiB must end with its file field
// (the object layer needs the size first; later fields are refused rather
// than ignored), and POST forms allow 64 KiB of fields before the file.
package s3api
