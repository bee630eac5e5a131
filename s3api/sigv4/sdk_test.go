package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Requests signed by aws-sdk-go-v2's own SigV4 signer verify, and any
// change to what they sign is caught.

var sdkCreds = aws.Credentials{AccessKeyID: "USERKEY", SecretAccessKey: "user-secret-0123456789"}

// sdkKeys are object keys that exercise path encoding.
var sdkKeys = []string{
	"plain.txt",
	"dir/sub/file.bin",
	"a b+c",
	"ümlaut/ßtraße",
	"weird !'()*$&=;:@,~%.txt",
	"trailing/",
	"..//dots/./x",
}

func hashHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sdkRequest builds a path-style S3 request with the key encoded as the
// S3 client encodes it.
func sdkRequest(t *testing.T, method, key, query string, body []byte) *http.Request {
	t.Helper()
	u := "http://127.0.0.1:9000/bucket/" + naiveEscape(key, true)
	if query != "" {
		u += "?" + query
	}
	r, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sdkSign(t *testing.T, r *http.Request, payloadHash, service, region string, at time.Time) {
	t.Helper()
	r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	err := v4.NewSigner().SignHTTP(context.Background(), sdkCreds, r, payloadHash, service, region, at,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	if err != nil {
		t.Fatal(err)
	}
}

func TestSDKSignerHeader(t *testing.T) {
	v := newTestVerifier(testNow)
	type mutation struct {
		name string
		fn   func(r *http.Request)
		want error
	}
	mutations := []mutation{
		{"changed header", func(r *http.Request) { r.Header.Set("X-Amz-Meta-Color", "blue") }, ErrSignatureDoesNotMatch},
		{"changed content-type", func(r *http.Request) { r.Header.Set("Content-Type", "text/html") }, ErrSignatureDoesNotMatch},
		{"changed path", func(r *http.Request) { r.URL.RawPath = ""; r.URL.Path += "x" }, ErrSignatureDoesNotMatch},
		{"changed query", func(r *http.Request) { r.URL.RawQuery += "x" }, ErrSignatureDoesNotMatch},
		{"dropped query", func(r *http.Request) { r.URL.RawQuery = "" }, ErrSignatureDoesNotMatch},
		{"changed date", func(r *http.Request) { r.Header.Set("X-Amz-Date", testNow.Add(time.Minute).Format(iso8601Basic)) }, ErrSignatureDoesNotMatch},
		{"changed method", func(r *http.Request) { r.Method = "POST" }, ErrSignatureDoesNotMatch},
		{"unsigned acl", func(r *http.Request) { r.Header.Set("X-Amz-Acl", "public-read-write") }, ErrHeadersNotSigned},
	}
	for _, key := range sdkKeys {
		for _, method := range []string{"GET", "PUT"} {
			body := []byte(nil)
			query := "list-type=2&prefix=a%2Fb%20c&max-keys=2&continuation-token=AbC%2B%2F%3D%3D"
			if method == "PUT" {
				body = []byte("hello, " + key)
				query = "tagging"
			}
			build := func() *http.Request {
				r := sdkRequest(t, method, key, query, body)
				r.Header.Set("Content-Type", "text/plain")
				r.Header.Set("X-Amz-Meta-Color", "red")
				r.Header.Set("X-Amz-Meta-Spaces", "  a   b  ")
				sdkSign(t, r, hashHex(body), "s3", "us-east-1", testNow)
				return r
			}
			t.Run(method+" "+key, func(t *testing.T) {
				r := build()
				a, err := v.Verify(toRequest(r, true))
				if err != nil {
					t.Fatalf("Verify: %v\nAuthorization: %s\nURI: %s", err, r.Header.Get("Authorization"), r.URL.RequestURI())
				}
				p, err := a.NewPayload(r.Body, bodyHeader(r))
				if err != nil {
					t.Fatal(err)
				}
				if got, err := readPayload(p, 5); err != nil || !bytes.Equal(got, body) {
					t.Fatalf("body %q %v", got, err)
				}
				for _, m := range mutations {
					r := build()
					m.fn(r)
					if _, err := v.Verify(toRequest(r, true)); !errors.Is(err, m.want) {
						t.Errorf("%s: %v, want %v", m.name, err, m.want)
					}
				}
				if method == "PUT" {
					// A different body under the same signature.
					r := build()
					a := mustVerify(t, v, toRequest(r, true))
					p, _ := a.NewPayload(strings.NewReader("HELLO, "+key), bodyHeader(r))
					if _, err := readPayload(p, 5); !errors.Is(err, ErrContentSHA256Mismatch) {
						t.Errorf("changed body: %v", err)
					}
				}
			})
		}
	}
}

// The SDK signer for other services (IAM, STS) and without a region.
func TestSDKSignerServices(t *testing.T) {
	v := newTestVerifier(testNow)
	for _, c := range []struct{ service, region string }{{"iam", "us-east-1"}, {"sts", ""}, {"s3", ""}} {
		body := []byte("Action=ListUsers&Version=2010-05-08")
		r, _ := http.NewRequest("POST", "http://127.0.0.1:9000/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		err := v4.NewSigner().SignHTTP(context.Background(), sdkCreds, r, hashHex(body), c.service, c.region, testNow)
		if err != nil {
			t.Fatal(err)
		}
		req := toRequest(r, true)
		req.Body = body
		a, err := v.Verify(req)
		if err != nil || a.Service != c.service || a.Region != c.region {
			t.Fatalf("%s/%q: %+v %v", c.service, c.region, a, err)
		}
	}
}

func TestSDKPresign(t *testing.T) {
	for _, key := range sdkKeys {
		t.Run(key, func(t *testing.T) {
			build := func(creds aws.Credentials) *http.Request {
				r := sdkRequest(t, "GET", key, "X-Amz-Expires=900&response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22", nil)
				u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, unsignedPayload, "s3", "us-east-1", testNow,
					func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
				if err != nil {
					t.Fatal(err)
				}
				pr, err := http.NewRequest("GET", u, nil)
				if err != nil {
					t.Fatal(err)
				}
				for k, vs := range hdr {
					if !strings.EqualFold(k, "host") {
						pr.Header[k] = vs
					}
				}
				return pr
			}
			r := build(sdkCreds)
			a, err := newTestVerifier(testNow.Add(14 * time.Minute)).Verify(toRequest(r, true))
			if err != nil || !a.Presigned {
				t.Fatalf("Verify: %v\nURL: %s", err, r.URL)
			}
			if _, err := newTestVerifier(testNow.Add(16 * time.Minute)).Verify(toRequest(r, true)); !errors.Is(err, ErrPresignExpired) {
				t.Fatalf("expired: %v", err)
			}
			// Session credentials put the token in the signed query.
			sts := aws.Credentials{AccessKeyID: "STSKEY", SecretAccessKey: "sts-secret-0123456789", SessionToken: "token-abc/def+ghi=="}
			if _, err := newTestVerifier(testNow).Verify(toRequest(build(sts), true)); err != nil {
				t.Fatalf("session presign: %v", err)
			}
			for name, mutate := range map[string]func(q url.Values){
				"expiry extended": func(q url.Values) { q.Set("X-Amz-Expires", "604800") },
				"disposition":     func(q url.Values) { q.Set("response-content-disposition", "inline") },
				"signed headers":  func(q url.Values) { q.Set("X-Amz-SignedHeaders", "host;x-amz-acl") },
			} {
				r := build(sdkCreds)
				q := r.URL.Query()
				mutate(q)
				r.URL.RawQuery = q.Encode()
				if _, err := newTestVerifier(testNow).Verify(toRequest(r, true)); !errors.Is(err, ErrSignatureDoesNotMatch) {
					t.Errorf("%s: %v", name, err)
				}
			}
		})
	}
}
