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
	OpGetObject:         {Name: "GetObject", Action: "s3:GetObject", Resource: resObject},
	OpHeadObject:        {Name: "HeadObject", Action: "s3:GetObject", Resource: resObject},
	OpDeleteObject:      {Name: "DeleteObject", Action: "s3:DeleteObject", Resource: resObject},
	OpIAM:               {Name: "IAM", Resource: resQuery},
	OpSTS:               {Name: "STS", Resource: resQuery},
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
}

// ListParams are the parsed parameters of a listing.
type ListParams struct {
	Prefix    string
	Delimiter string
	// MaxKeys is max-keys (or max-buckets) clamped to 1000; default 1000.
	MaxKeys int
	// Marker is the v1 marker or v2 start-after as given.
	Marker string
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
