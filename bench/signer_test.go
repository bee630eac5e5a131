package bench

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestSignerMatchesAWSSDK signs the same requests with this package and
// with aws-sdk-go-v2's signer (configured as the S3 client configures it)
// and expects identical Authorization headers.
func TestSignerMatchesAWSSDK(t *testing.T) {
	const access, secret = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	c, err := NewClient(ClientConfig{Endpoint: "http://127.0.0.1:9000", AccessKey: access, SecretKey: secret, Region: "eu-west-3"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, bucket, key, query string
		length                           int64
		headers                          map[string]string
	}{
		{name: "get", method: "GET", bucket: "b", key: "cairn-bench/0001"},
		{name: "put with body", method: "PUT", bucket: "b", key: "k", length: 4096},
		{name: "head odd key", method: "HEAD", bucket: "bkt", key: "a b/ü+%x~y=z"},
		{name: "list query", method: "GET", bucket: "bkt",
			query: encodeQuery(map[string][]string{"list-type": {"2"}, "prefix": {"p q/"}, "delimiter": {"/"}, "max-keys": {"1000"}, "continuation-token": {"a+b/c=="}})},
		{name: "part", method: "PUT", bucket: "b", key: "mp", query: "partNumber=3&uploadId=xyz", length: 5 << 20},
		{name: "extra headers", method: "PUT", bucket: "b", key: "k", length: 10,
			headers: map[string]string{"Content-Type": "application/octet-stream", "X-Amz-Meta-Color": "  blue   green "}},
		{name: "delete", method: "DELETE", bucket: "b", key: "x/y/z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			build := func() *http.Request {
				u := c.objectURL(tc.bucket, tc.key, tc.query)
				req, err := http.NewRequest(tc.method, u.String(), nil)
				if err != nil {
					t.Fatal(err)
				}
				req.URL = u
				req.ContentLength = tc.length
				for k, v := range tc.headers {
					req.Header.Set(k, v)
				}
				req.Header.Set("User-Agent", "cairn-bench")
				return req
			}
			mine := build()
			NewSigner(access, secret, "eu-west-3").Sign(mine, UnsignedPayload, now)

			theirs := build()
			theirs.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
			sdk := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
			creds := aws.Credentials{AccessKeyID: access, SecretAccessKey: secret}
			if err := sdk.SignHTTP(context.Background(), creds, theirs, UnsignedPayload, "s3", "eu-west-3", now); err != nil {
				t.Fatal(err)
			}
			got, want := mine.Header.Get("Authorization"), theirs.Header.Get("Authorization")
			if got != want {
				t.Errorf("Authorization\n got %s\nwant %s", got, want)
			}
			if !strings.Contains(got, "Credential=AKIDEXAMPLE/20260314/eu-west-3/s3/aws4_request") {
				t.Errorf("scope missing in %s", got)
			}
		})
	}
}

func TestSignerKeyCacheFollowsTheDay(t *testing.T) {
	s := NewSigner("AK", "SK", "us-east-1")
	sign := func(at time.Time) string {
		req, _ := http.NewRequest("GET", "http://h/b/k", nil)
		s.Sign(req, "", at)
		return req.Header.Get("Authorization")
	}
	day1 := time.Date(2026, 1, 1, 23, 59, 59, 0, time.UTC)
	a := sign(day1)
	b := sign(day1.Add(2 * time.Second)) // next day: a new key must be derived
	fresh := NewSigner("AK", "SK", "us-east-1")
	req, _ := http.NewRequest("GET", "http://h/b/k", nil)
	fresh.Sign(req, "", day1.Add(2*time.Second))
	if b != req.Header.Get("Authorization") || a == b {
		t.Errorf("cached key not renewed at midnight:\n%s\n%s", b, req.Header.Get("Authorization"))
	}
}

func BenchmarkSign(b *testing.B) {
	s := NewSigner("AK", "SK", "us-east-1")
	req, _ := http.NewRequest("PUT", "http://127.0.0.1:9000/bucket/cairn-bench/abcdef0123456789", nil)
	req.ContentLength = 4096
	now := time.Now()
	b.ReportAllocs()
	for range b.N {
		s.Sign(req, UnsignedPayload, now)
	}
}
