package iam

// The built-in managed policies. They are part of every Directory, cannot
// be changed or deleted, and have fixed IDs so every node agrees.
//
//   - readonly: read every bucket and object (s3:Get*, s3:List*), which
//     includes s3:ListAllMyBuckets and s3:GetBucketLocation.
//   - readwrite: every S3 action on every bucket and object (s3:*).
//   - writeonly: upload only: s3:PutObject (which covers multipart
//     create/upload-part/complete and copy targets) and
//     s3:AbortMultipartUpload; no listing and no reading, as MinIO's
//     writeonly (we add abort so a failed multipart upload can be cleaned
//     up by the writer).
//   - admin: every S3, IAM and STS action on every resource.
var builtins = []ManagedPolicy{
	{
		Name: "readonly", ID: "ANPACAIRNBUILTIN00001", Builtin: true,
		Description: "Read every bucket and object.",
		Document: `{"Version":"2012-10-17","Statement":[{"Sid":"ReadOnly","Effect":"Allow",` +
			`"Action":["s3:Get*","s3:List*","s3:ListAllMyBuckets","s3:GetBucketLocation"],"Resource":["arn:aws:s3:::*"]}]}`,
	},
	{
		Name: "readwrite", ID: "ANPACAIRNBUILTIN00002", Builtin: true,
		Description: "Every S3 action on every bucket and object.",
		Document: `{"Version":"2012-10-17","Statement":[{"Sid":"ReadWrite","Effect":"Allow",` +
			`"Action":["s3:*"],"Resource":["arn:aws:s3:::*"]}]}`,
	},
	{
		Name: "writeonly", ID: "ANPACAIRNBUILTIN00003", Builtin: true,
		Description: "Upload objects (including multipart uploads); no reading or listing.",
		Document: `{"Version":"2012-10-17","Statement":[{"Sid":"WriteOnly","Effect":"Allow",` +
			`"Action":["s3:PutObject","s3:AbortMultipartUpload"],"Resource":["arn:aws:s3:::*"]}]}`,
	},
	{
		Name: "admin", ID: "ANPACAIRNBUILTIN00004", Builtin: true,
		Description: "Every S3, IAM and STS action on every resource.",
		Document: `{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow",` +
			`"Action":["s3:*","iam:*","sts:*"],"Resource":["*"]}]}`,
	},
}

// BuiltinPolicies returns the built-in managed policies (Builtin=true).
func BuiltinPolicies() []ManagedPolicy { return append([]ManagedPolicy(nil), builtins...) }

func isBuiltinName(name string) bool {
	for _, b := range builtins {
		if b.Name == name {
			return true
		}
	}
	return false
}
