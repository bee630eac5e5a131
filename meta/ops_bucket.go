package meta

import (
	"fmt"
	"strings"
)

// Versioning statuses of a bucket.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

func checkCreateBucket(b *Bucket) error {
	if err := ValidateBucketName(b.Name); err != nil {
		return err
	}
	if b.Created.IsZero() {
		return fmt.Errorf("%w: bucket %q has no creation time", ErrInvalidArgument, b.Name)
	}
	// A bucket is born unversioned, or versioned when created with object
	// lock; suspension only makes sense after enabling.
	if b.Versioning != "" && b.Versioning != VersioningEnabled {
		return fmt.Errorf("%w: bucket %q created with versioning %q", ErrInvalidArgument, b.Name, b.Versioning)
	}
	if b.ObjectLock && b.Versioning != VersioningEnabled {
		return fmt.Errorf("%w: bucket %q has object lock but not versioning", ErrInvalidArgument, b.Name)
	}
	return nil
}

var bucketConfigKinds = map[string]bool{
	ConfigTagging: true, ConfigCORS: true, ConfigLifecycle: true, ConfigObjectLock: true,
	ConfigPolicy: true, ConfigACL: true, ConfigOwnership: true, ConfigPublicAccessBlock: true,
}

func checkSetBucketConfig(a *SetBucketConfigArgs) error {
	if err := ValidateBucketName(a.Bucket); err != nil {
		return err
	}
	if !bucketConfigKinds[a.Kind] {
		return fmt.Errorf("%w: unknown bucket configuration %q", ErrInvalidArgument, a.Kind)
	}
	if a.Delete && a.Value != "" || !a.Delete && a.Value == "" {
		return fmt.Errorf("%w: a configuration is either set to a value or deleted", ErrInvalidArgument)
	}
	if len(a.Value) > MaxBucketConfigSize {
		return fmt.Errorf("%w: %s configuration of %d bytes exceeds %d", ErrInvalidArgument, a.Kind, len(a.Value), MaxBucketConfigSize)
	}
	return nil
}

func applySetBucketConfig(t *tx, a *SetBucketConfigArgs) error {
	b, ok := t.bucket(a.Bucket)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoSuchBucket, a.Bucket)
	}
	if a.Kind == ConfigObjectLock && !b.ObjectLock {
		return fmt.Errorf("%w: bucket %s was not created with object lock", ErrInvalidArgument, a.Bucket)
	}
	configs := make(map[string]string, len(b.Configs)+1)
	for k, v := range b.Configs {
		configs[k] = v
	}
	if a.Delete {
		delete(configs, a.Kind)
	} else {
		configs[a.Kind] = a.Value
	}
	if len(configs) == 0 {
		configs = nil
	}
	b.Configs = configs
	return t.putBucket(b)
}

func applyCreateBucket(t *tx, b *Bucket) error {
	if _, ok := t.bucket(b.Name); ok {
		return fmt.Errorf("%w: %s", ErrBucketExists, b.Name)
	}
	return t.putBucket(*b)
}

func checkDeleteBucket(a *DeleteBucketArgs) error {
	return ValidateBucketName(a.Name)
}

func applyDeleteBucket(t *tx, a *DeleteBucketArgs) error {
	if _, ok := t.bucket(a.Name); !ok {
		return fmt.Errorf("%w: %s", ErrNoSuchBucket, a.Name)
	}
	return t.deleteBucket(a.Name)
}

func checkPutBucketVersioning(a *PutBucketVersioningArgs) error {
	if err := ValidateBucketName(a.Bucket); err != nil {
		return err
	}
	if a.Status != VersioningEnabled && a.Status != VersioningSuspended {
		return fmt.Errorf("%w: versioning status %q (want %q or %q)", ErrInvalidArgument, a.Status, VersioningEnabled, VersioningSuspended)
	}
	return nil
}

func applyPutBucketVersioning(t *tx, a *PutBucketVersioningArgs) error {
	b, ok := t.bucket(a.Bucket)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoSuchBucket, a.Bucket)
	}
	if b.ObjectLock && a.Status != VersioningEnabled {
		return fmt.Errorf("%w: versioning cannot be suspended on bucket %s: object lock is enabled", ErrInvalidArgument, a.Bucket)
	}
	if b.Versioning == a.Status {
		return nil // idempotent for the client; nothing to write
	}
	b.Versioning = a.Status
	return t.putBucket(b)
}

// ValidateBucketName checks name against the S3 rules for general-purpose
// buckets (see BucketNameProblem). The error wraps ErrInvalidBucketName and
// says which rule failed.
func ValidateBucketName(name string) error {
	if why := BucketNameProblem(name); why != "" {
		return fmt.Errorf("%w: %q %s", ErrInvalidBucketName, name, why)
	}
	return nil
}

// BucketNameProblem returns which S3 naming rule name breaks, or "": 3–63
// characters of lowercase letters, digits, dots and hyphens; starting and
// ending with a letter or digit; no ".."; not an IPv4 address; none of the
// prefixes and suffixes AWS reserves. The text completes "the name …".
func BucketNameProblem(name string) string {
	if len(name) < 3 || len(name) > 63 {
		return "must be between 3 and 63 characters long"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return "may contain only lowercase letters, digits, '.' and '-'"
		}
	}
	if !alnum(name[0]) || !alnum(name[len(name)-1]) {
		return "must begin and end with a letter or digit"
	}
	if strings.Contains(name, "..") {
		return "must not contain two adjacent periods"
	}
	if looksLikeIPv4(name) {
		return "must not be formatted as an IP address"
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return "must not begin with the reserved prefix " + p
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return "must not end with the reserved suffix " + s
		}
	}
	return ""
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// looksLikeIPv4 reports whether name is four dot-separated runs of one to
// three digits ("192.168.5.4", also "10.0.0.01", which resolvers accept).
func looksLikeIPv4(name string) bool {
	parts := strings.Split(name, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}
