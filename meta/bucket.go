package meta

import (
	"errors"
	"time"
)

// Bucket is a bucket and its configuration as the control plane replicates it.
type Bucket struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Owner is the canonical ID of the owner; OwnerName its display name.
	Owner     string `json:"owner"`
	OwnerName string `json:"ownerName"`
	// Region is the LocationConstraint given at creation ("" = us-east-1).
	Region string `json:"region,omitempty"`
	// Versioning is "", "Enabled" or "Suspended".
	Versioning string `json:"versioning,omitempty"`
	// ObjectLock is set at creation (x-amz-bucket-object-lock-enabled) and
	// never cleared; it implies versioning Enabled.
	ObjectLock bool `json:"objectLock,omitempty"`
	// Configs holds the bucket's sub-resource configurations by kind (see
	// the Config* constants), each an encoding owned and validated by the
	// API layer. A missing kind means "not configured".
	Configs map[string]string `json:"configs,omitempty"`
}

// Bucket configuration kinds stored in Bucket.Configs.
const (
	ConfigTagging    = "tagging"
	ConfigCORS       = "cors"
	ConfigLifecycle  = "lifecycle"
	ConfigObjectLock = "object-lock"
	// ConfigPolicy is the bucket policy document as the client sent it.
	ConfigPolicy = "policy"
	// ConfigACL is the bucket ACL; ConfigOwnership the object ownership
	// setting; ConfigPublicAccessBlock the public access block flags.
	ConfigACL               = "acl"
	ConfigOwnership         = "ownership"
	ConfigPublicAccessBlock = "public-access-block"
)

// MaxBucketConfigSize bounds one stored configuration.
const MaxBucketConfigSize = 128 << 10

// Errors of control-plane commands, mapped to S3 codes by the API layer.
var (
	ErrBucketExists = errors.New("meta: bucket already exists")
	ErrNoSuchBucket = errors.New("meta: bucket does not exist")
)
