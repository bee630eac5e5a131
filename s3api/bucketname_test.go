package s3api

import (
	"strings"
	"testing"
)

func TestBucketNames(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"abc", true},
		{"my-bucket", true},
		{"my.bucket.name", true},
		{"0bucket9", true},
		{"health", true},
		{strings.Repeat("a", 63), true},
		{"a-.b", true},
		{"ab", false},
		{strings.Repeat("a", 64), false},
		{"", false},
		{"MyBucket", false},
		{"my_bucket", false},
		{"my bucket", false},
		{"-bucket", false},
		{"bucket-", false},
		{".bucket", false},
		{"bucket.", false},
		{"my..bucket", false},
		{"192.168.5.4", false},
		{"10.0.0.01", false},
		{"1.2.3", true},
		{"1.2.3.4.5", true},
		{"xn--bucket", false},
		{"sthree-bucket", false},
		{"amzn-s3-demo-bucket", false},
		{"bucket-s3alias", false},
		{"bucket--ol-s3", false},
		{"bucket.mrap", false},
		{"bucket--x-s3", false},
		{"bucket--table-s3", false},
		{"bücket", false},
		{"a/b", false},
	}
	for _, tc := range tests {
		err := checkBucketName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("checkBucketName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && toS3Error(err).Code != ErrInvalidBucketName {
			t.Errorf("checkBucketName(%q): code %v", tc.name, toS3Error(err).Code)
		}
	}
}
