package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
)

// naivePostSignature signs a policy the way the AWS documentation
// describes, without the package's helpers.
func naivePostSignature(secret, date, region, service, policy string) string {
	mac := func(key []byte, msg string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(msg))
		return m.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), date)
	k = mac(k, region)
	k = mac(k, service)
	k = mac(k, "aws4_request")
	return hex.EncodeToString(mac(k, policy))
}

func TestVerifyPostPolicy(t *testing.T) {
	v := newTestVerifier(exampleTime)
	const policy = "eyJleHBpcmF0aW9uIjoiMjAzMC0wMS0wMVQwMDowMDowMFoiLCJjb25kaXRpb25zIjpbXX0="
	good := PostForm{
		Algorithm:  "AWS4-HMAC-SHA256",
		Credential: exampleAK + "/20151229/us-east-1/s3/aws4_request",
		Date:       "20151229T000000Z",
		Policy:     policy,
		Signature:  naivePostSignature(exampleSecret, "20151229", "us-east-1", "s3", policy),
	}
	sts := good
	sts.Credential = "STSKEY/20151229/us-east-1/s3/aws4_request"
	sts.Signature = naivePostSignature("sts-secret-0123456789", "20151229", "us-east-1", "s3", policy)
	sts.SecurityToken = "token-abc/def+ghi=="
	tests := []struct {
		name   string
		mutate func(f *PostForm)
		want   error
	}{
		{"valid", func(*PostForm) {}, nil},
		{"valid upper-case hex", func(f *PostForm) { f.Signature = upper(f.Signature) }, nil},
		{"other policy", func(f *PostForm) { f.Policy += "x" }, ErrSignatureDoesNotMatch},
		{"other region", func(f *PostForm) { f.Credential = exampleAK + "/20151229/eu-west-1/s3/aws4_request" }, ErrSignatureDoesNotMatch},
		{"no algorithm", func(f *PostForm) { f.Algorithm = "" }, ErrPostFormMalformed},
		{"v2 algorithm", func(f *PostForm) { f.Algorithm = "AWS4-HMAC-SHA1" }, ErrUnsupportedSignature},
		{"no credential", func(f *PostForm) { f.Credential = "" }, ErrPostFormMalformed},
		{"bad credential", func(f *PostForm) { f.Credential = exampleAK + "/20151229/us-east-1/s3" }, ErrPostFormMalformed},
		{"bad date", func(f *PostForm) { f.Date = "2015-12-29" }, ErrPostFormMalformed},
		{"date mismatch", func(f *PostForm) { f.Date = "20151230T000000Z" }, ErrPostFormMalformed},
		{"bad signature", func(f *PostForm) { f.Signature = "zz" }, ErrPostFormMalformed},
		{"unknown key", func(f *PostForm) { f.Credential = "NOPE/20151229/us-east-1/s3/aws4_request" }, ErrInvalidAccessKeyID},
		{"token with long-term key", func(f *PostForm) { f.SecurityToken = "t" }, ErrInvalidSessionToken},
	}
	for _, tc := range tests {
		f := good
		tc.mutate(&f)
		a, err := v.VerifyPostPolicy(f)
		if tc.want == nil {
			if err != nil || a.Credential.AccessKey != exampleAK || a.Service != "s3" || a.Region != "us-east-1" || a.Anonymous {
				t.Errorf("%s: %+v %v", tc.name, a, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	a, err := v.VerifyPostPolicy(sts)
	if err != nil || a.Credential.AccessKey != "STSKEY" {
		t.Fatalf("STS form: %v", err)
	}
	sts.SecurityToken = ""
	if _, err := v.VerifyPostPolicy(sts); !errors.Is(err, ErrInvalidSessionToken) {
		t.Fatalf("STS form without token: %v", err)
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
