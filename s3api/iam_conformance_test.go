package s3api

import "github.com/cairn-s3/cairn/meta"

// meta.IAMService is the production IAM; it must keep implementing it.
var _ IAM = (*meta.IAMService)(nil)
