package s3api

// OpKind is an S3 API operation Cairn recognises.
type OpKind int

// Operations. OpUnknown is never routed: parseRequest returns an error
// instead.
const (
	OpUnknown OpKind = iota
	OpHealthLive
	OpHealthReady
	OpListBuckets
	OpCreateBucket
	OpHeadBucket
	OpDeleteBucket
	OpGetBucketLocation
	OpListObjects
	OpListObjectsV2
	OpDeleteObjects
	OpPutObject
	OpGetObject
	OpHeadObject
	OpDeleteObject
	// OpIAM and OpSTS are the IAM and STS query APIs (POST / with
	// Action=…); their actions are routed and authorized in iam_route.go.
	OpIAM
	OpSTS

	// Versioning, tagging, object lock and lifecycle (issue 4).
	OpGetBucketVersioning
	OpPutBucketVersioning
	OpListObjectVersions
	OpGetBucketTagging
	OpPutBucketTagging
	OpDeleteBucketTagging
	OpGetObjectLockConfiguration
	OpPutObjectLockConfiguration
	OpGetBucketLifecycle
	OpPutBucketLifecycle
	OpDeleteBucketLifecycle
	OpGetObjectTagging
	OpPutObjectTagging
	OpDeleteObjectTagging
	OpGetObjectRetention
	OpPutObjectRetention
	OpGetObjectLegalHold
	OpPutObjectLegalHold

	// Multipart uploads, copies and object attributes (issue 4).
	OpCreateMultipartUpload
	OpUploadPart
	OpUploadPartCopy
	OpCompleteMultipartUpload
	OpAbortMultipartUpload
	OpListParts
	OpListMultipartUploads
	OpCopyObject
	OpGetObjectAttributes

	// CORS and browser POST uploads (issue 4).
	OpGetBucketCors
	OpPutBucketCors
	OpDeleteBucketCors
	OpPreflight
	OpPostObject

	// Bucket policies, public access block, ownership controls and ACLs
	// (issue 5).
	OpGetBucketPolicy
	OpPutBucketPolicy
	OpDeleteBucketPolicy
	OpGetBucketPolicyStatus
	OpGetPublicAccessBlock
	OpPutPublicAccessBlock
	OpDeletePublicAccessBlock
	OpGetBucketOwnershipControls
	OpPutBucketOwnershipControls
	OpDeleteBucketOwnershipControls
	OpGetBucketAcl
	OpPutBucketAcl
	OpGetObjectAcl
	OpPutObjectAcl
	opKindCount // keep last
)

// resourceKind says what an operation's IAM resource is.
type resourceKind int

const (
	// resNone: no authorization (health checks).
	resNone resourceKind = iota
	// resService: the whole service (ListBuckets), resource "*".
	resService
	// resBucket: arn:aws:s3:::bucket.
	resBucket
	// resObject: arn:aws:s3:::bucket/key.
	resObject
	// resEachObject: the handler authorizes every object it touches
	// (DeleteObjects checks s3:DeleteObject per key, as AWS does).
	resEachObject
	// resQuery: an IAM/STS query request, authorized per Action by its
	// handler (iam:<Action> on the target's ARN).
	resQuery
	// resPreflight: a CORS preflight (OPTIONS), answered without
	// authentication from the bucket's CORS configuration.
	resPreflight
	// resPostForm: a browser POST upload, authenticated by the form's
	// policy signature and authorized by its handler (Action on the
	// object named by the form's key field).
	resPostForm
)

// opSpec is one row of the operation table.
type opSpec struct {
	// Name is the AWS API name, used in logs and metrics.
	Name string
	// Action is the IAM action checked before the handler runs (or, for
	// resEachObject, by the handler for each object).
	Action   string
	Resource resourceKind
	// ReadsBody marks operations whose handler consumes the request body
	// through the verified payload.
	ReadsBody bool
	// VersionAction, when set, is the action checked instead of Action
	// when the request addresses a version (?versionId=...), as AWS does
	// (s3:GetObjectVersion, s3:DeleteObjectVersion, ...).
	VersionAction string
}

// action is the IAM action op is authorized as.
func (sp opSpec) action(op *Operation) string {
	if sp.VersionAction != "" && op.VersionID != "" {
		return sp.VersionAction
	}
	return sp.Action
}

// opTable is THE table mapping each operation to its IAM action and
// resource. It is read-only.
var opTable = [opKindCount]opSpec{
	OpUnknown:           {Name: "Unknown"},
	OpHealthLive:        {Name: "HealthLive", Resource: resNone},
	OpHealthReady:       {Name: "HealthReady", Resource: resNone},
	OpListBuckets:       {Name: "ListBuckets", Action: "s3:ListAllMyBuckets", Resource: resService},
	OpCreateBucket:      {Name: "CreateBucket", Action: "s3:CreateBucket", Resource: resBucket, ReadsBody: true},
	OpHeadBucket:        {Name: "HeadBucket", Action: "s3:ListBucket", Resource: resBucket},
	OpDeleteBucket:      {Name: "DeleteBucket", Action: "s3:DeleteBucket", Resource: resBucket},
	OpGetBucketLocation: {Name: "GetBucketLocation", Action: "s3:GetBucketLocation", Resource: resBucket},
	OpListObjects:       {Name: "ListObjects", Action: "s3:ListBucket", Resource: resBucket},
	OpListObjectsV2:     {Name: "ListObjectsV2", Action: "s3:ListBucket", Resource: resBucket},
	OpDeleteObjects:     {Name: "DeleteObjects", Action: "s3:DeleteObject", Resource: resEachObject, ReadsBody: true},
	OpPutObject:         {Name: "PutObject", Action: "s3:PutObject", Resource: resObject, ReadsBody: true},
	OpGetObject:         {Name: "GetObject", Action: "s3:GetObject", VersionAction: "s3:GetObjectVersion", Resource: resObject},
	OpHeadObject:        {Name: "HeadObject", Action: "s3:GetObject", VersionAction: "s3:GetObjectVersion", Resource: resObject},
	OpDeleteObject:      {Name: "DeleteObject", Action: "s3:DeleteObject", VersionAction: "s3:DeleteObjectVersion", Resource: resObject},
	OpIAM:               {Name: "IAM", Resource: resQuery},
	OpSTS:               {Name: "STS", Resource: resQuery},

	OpGetBucketVersioning:        {Name: "GetBucketVersioning", Action: "s3:GetBucketVersioning", Resource: resBucket},
	OpPutBucketVersioning:        {Name: "PutBucketVersioning", Action: "s3:PutBucketVersioning", Resource: resBucket, ReadsBody: true},
	OpListObjectVersions:         {Name: "ListObjectVersions", Action: "s3:ListBucketVersions", Resource: resBucket},
	OpGetBucketTagging:           {Name: "GetBucketTagging", Action: "s3:GetBucketTagging", Resource: resBucket},
	OpPutBucketTagging:           {Name: "PutBucketTagging", Action: "s3:PutBucketTagging", Resource: resBucket, ReadsBody: true},
	OpDeleteBucketTagging:        {Name: "DeleteBucketTagging", Action: "s3:PutBucketTagging", Resource: resBucket},
	OpGetObjectLockConfiguration: {Name: "GetObjectLockConfiguration", Action: "s3:GetBucketObjectLockConfiguration", Resource: resBucket},
	OpPutObjectLockConfiguration: {Name: "PutObjectLockConfiguration", Action: "s3:PutBucketObjectLockConfiguration", Resource: resBucket, ReadsBody: true},
	OpGetBucketLifecycle:         {Name: "GetBucketLifecycleConfiguration", Action: "s3:GetLifecycleConfiguration", Resource: resBucket},
	OpPutBucketLifecycle:         {Name: "PutBucketLifecycleConfiguration", Action: "s3:PutLifecycleConfiguration", Resource: resBucket, ReadsBody: true},
	OpDeleteBucketLifecycle:      {Name: "DeleteBucketLifecycle", Action: "s3:PutLifecycleConfiguration", Resource: resBucket},
	OpGetObjectTagging:           {Name: "GetObjectTagging", Action: "s3:GetObjectTagging", VersionAction: "s3:GetObjectVersionTagging", Resource: resObject},
	OpPutObjectTagging:           {Name: "PutObjectTagging", Action: "s3:PutObjectTagging", VersionAction: "s3:PutObjectVersionTagging", Resource: resObject, ReadsBody: true},
	OpDeleteObjectTagging:        {Name: "DeleteObjectTagging", Action: "s3:DeleteObjectTagging", VersionAction: "s3:DeleteObjectVersionTagging", Resource: resObject},
	OpGetObjectRetention:         {Name: "GetObjectRetention", Action: "s3:GetObjectRetention", Resource: resObject},
	OpPutObjectRetention:         {Name: "PutObjectRetention", Action: "s3:PutObjectRetention", Resource: resObject, ReadsBody: true},
	OpGetObjectLegalHold:         {Name: "GetObjectLegalHold", Action: "s3:GetObjectLegalHold", Resource: resObject},
	OpPutObjectLegalHold:         {Name: "PutObjectLegalHold", Action: "s3:PutObjectLegalHold", Resource: resObject, ReadsBody: true},

	// Copies are authorized here on the destination; the handler also
	// authorizes s3:GetObject (s3:GetObjectVersion) on the source.
	OpCreateMultipartUpload:   {Name: "CreateMultipartUpload", Action: "s3:PutObject", Resource: resObject},
	OpUploadPart:              {Name: "UploadPart", Action: "s3:PutObject", Resource: resObject, ReadsBody: true},
	OpUploadPartCopy:          {Name: "UploadPartCopy", Action: "s3:PutObject", Resource: resObject},
	OpCompleteMultipartUpload: {Name: "CompleteMultipartUpload", Action: "s3:PutObject", Resource: resObject, ReadsBody: true},
	OpAbortMultipartUpload:    {Name: "AbortMultipartUpload", Action: "s3:AbortMultipartUpload", Resource: resObject},
	OpListParts:               {Name: "ListParts", Action: "s3:ListMultipartUploadParts", Resource: resObject},
	OpListMultipartUploads:    {Name: "ListMultipartUploads", Action: "s3:ListBucketMultipartUploads", Resource: resBucket},
	OpCopyObject:              {Name: "CopyObject", Action: "s3:PutObject", Resource: resObject},
	OpGetObjectAttributes:     {Name: "GetObjectAttributes", Action: "s3:GetObjectAttributes", VersionAction: "s3:GetObjectVersionAttributes", Resource: resObject},

	OpGetBucketCors:    {Name: "GetBucketCors", Action: "s3:GetBucketCORS", Resource: resBucket},
	OpPutBucketCors:    {Name: "PutBucketCors", Action: "s3:PutBucketCORS", Resource: resBucket, ReadsBody: true},
	OpDeleteBucketCors: {Name: "DeleteBucketCors", Action: "s3:PutBucketCORS", Resource: resBucket},
	OpPreflight:        {Name: "PreflightRequest", Resource: resPreflight},
	OpPostObject:       {Name: "PostObject", Action: "s3:PutObject", Resource: resPostForm, ReadsBody: true},

	// AWS authorizes the deletes of the public access block and of the
	// ownership controls as their Put actions.
	OpGetBucketPolicy:               {Name: "GetBucketPolicy", Action: "s3:GetBucketPolicy", Resource: resBucket},
	OpPutBucketPolicy:               {Name: "PutBucketPolicy", Action: "s3:PutBucketPolicy", Resource: resBucket, ReadsBody: true},
	OpDeleteBucketPolicy:            {Name: "DeleteBucketPolicy", Action: "s3:DeleteBucketPolicy", Resource: resBucket},
	OpGetBucketPolicyStatus:         {Name: "GetBucketPolicyStatus", Action: "s3:GetBucketPolicyStatus", Resource: resBucket},
	OpGetPublicAccessBlock:          {Name: "GetPublicAccessBlock", Action: "s3:GetBucketPublicAccessBlock", Resource: resBucket},
	OpPutPublicAccessBlock:          {Name: "PutPublicAccessBlock", Action: "s3:PutBucketPublicAccessBlock", Resource: resBucket, ReadsBody: true},
	OpDeletePublicAccessBlock:       {Name: "DeletePublicAccessBlock", Action: "s3:PutBucketPublicAccessBlock", Resource: resBucket},
	OpGetBucketOwnershipControls:    {Name: "GetBucketOwnershipControls", Action: "s3:GetBucketOwnershipControls", Resource: resBucket},
	OpPutBucketOwnershipControls:    {Name: "PutBucketOwnershipControls", Action: "s3:PutBucketOwnershipControls", Resource: resBucket, ReadsBody: true},
	OpDeleteBucketOwnershipControls: {Name: "DeleteBucketOwnershipControls", Action: "s3:PutBucketOwnershipControls", Resource: resBucket},
	OpGetBucketAcl:                  {Name: "GetBucketAcl", Action: "s3:GetBucketAcl", Resource: resBucket},
	OpPutBucketAcl:                  {Name: "PutBucketAcl", Action: "s3:PutBucketAcl", Resource: resBucket, ReadsBody: true},
	OpGetObjectAcl:                  {Name: "GetObjectAcl", Action: "s3:GetObjectAcl", VersionAction: "s3:GetObjectVersionAcl", Resource: resObject},
	OpPutObjectAcl:                  {Name: "PutObjectAcl", Action: "s3:PutObjectAcl", VersionAction: "s3:PutObjectVersionAcl", Resource: resObject, ReadsBody: true},
}

func (k OpKind) spec() opSpec {
	if k < 0 || k >= opKindCount {
		return opTable[OpUnknown]
	}
	return opTable[k]
}

// String is the AWS API name of the operation.
func (k OpKind) String() string { return k.spec().Name }

// Operation is a parsed request: what to do, to what, with which
// parameters. It is produced by parseRequest before any I/O happens.
type Operation struct {
	Kind   OpKind
	Bucket string
	Key    string
	// VersionID is the versionId query parameter ("" = latest).
	VersionID string
	// List holds ListObjects / ListObjectsV2 / ListBuckets parameters.
	List ListParams
	// Overrides holds GetObject/HeadObject response-* parameters, in the
	// order of responseOverrides; "" means not given.
	Overrides [len(responseOverrides)]string
	// HasOverrides is true when any response-* parameter was given.
	HasOverrides bool
	// UploadID is the uploadId of a multipart operation.
	UploadID string
	// PartNumber is partNumber: the part of UploadPart(Copy), or the part
	// GetObject/HeadObject reads; 0 when not given.
	PartNumber int
	// UploadIDMarker is ListMultipartUploads' upload-id-marker; List holds
	// its other parameters (key-marker as Marker, max-uploads as MaxKeys).
	UploadIDMarker string
	// Parts holds ListParts paging.
	Parts PartsParams
}

// PartsParams page through the parts of an upload (ListParts).
type PartsParams struct {
	// Max is max-parts clamped to 1000; default 1000.
	Max int
	// Marker is part-number-marker: list parts after this number.
	Marker int
}

// ListParams are the parsed parameters of a listing.
type ListParams struct {
	Prefix    string
	Delimiter string
	// MaxKeys is max-keys (or max-buckets) clamped to 1000; default 1000.
	MaxKeys int
	// Marker is the v1 marker or v2 start-after as given (ListObjectVersions:
	// key-marker).
	Marker string
	// VersionIDMarker is ListObjectVersions' version-id-marker.
	VersionIDMarker string
	// StartAfter is the v2 start-after as given (echoed in the response).
	StartAfter string
	// Token is the v2 continuation-token as given (echoed); After is its
	// decoded position.
	Token string
	// After is where the listing resumes: the decoded token, else the
	// marker / start-after.
	After      string
	FetchOwner bool
	// URLEncode is encoding-type=url.
	URLEncode bool
}

// responseOverrides are the GetObject query parameters that replace a
// response header, with the header each one sets.
var responseOverrides = [...]struct{ Param, Header string }{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}
