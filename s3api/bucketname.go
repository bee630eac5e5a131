package s3api

import "github.com/cairn-s3/cairn/meta"

// checkBucketName applies the AWS general-purpose bucket naming rules, which
// the control plane owns (meta.BucketNameProblem), and words a failure as S3
// does.
func checkBucketName(name string) error {
	if why := meta.BucketNameProblem(name); why != "" {
		return s3errf(ErrInvalidBucketName, "The specified bucket is not valid: the name %s.", why).with("BucketName", name)
	}
	return nil
}
