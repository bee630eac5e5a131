package s3api

import "strings"

// checkBucketName applies the AWS general-purpose bucket naming rules:
// 3–63 characters of lower-case letters, digits, '.' and '-'; starting and
// ending with a letter or digit; no "..", no IPv4-address form, and none of
// the prefixes and suffixes AWS reserves.
func checkBucketName(name string) error {
	if reason := bucketNameProblem(name); reason != "" {
		return s3errf(ErrInvalidBucketName, "The specified bucket is not valid: %s.", reason).with("BucketName", name)
	}
	return nil
}

var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// bucketNameProblem returns why name is not a valid bucket name, or "".
func bucketNameProblem(name string) string {
	if len(name) < 3 || len(name) > 63 {
		return "it must be between 3 and 63 characters long"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return "it may contain only lower-case letters, digits, '.' and '-'"
		}
	}
	if !alnum(name[0]) || !alnum(name[len(name)-1]) {
		return "it must start and end with a letter or digit"
	}
	if strings.Contains(name, "..") {
		return "it must not contain two adjacent periods"
	}
	if looksLikeIPv4(name) {
		return "it must not be formatted as an IP address"
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return "the prefix " + p + " is reserved"
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(name, s) {
			return "the suffix " + s + " is reserved"
		}
	}
	return ""
}

func alnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// looksLikeIPv4 reports whether name is four dot-separated runs of digits
// ("192.168.5.4", also with leading zeros, which resolvers accept).
func looksLikeIPv4(name string) bool {
	parts := strings.Split(name, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}
