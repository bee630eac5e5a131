package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"
)

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// newPostForm returns the fields of a browser POST upload signed by root:
// a policy limiting keys to prefix, 201 responses and 1 MiB, and its SigV4
// signature, as an application's backend would hand them to a page.
func newPostForm(t *testing.T, bucket, prefix string, expires time.Time) [][2]string {
	t.Helper()
	now := time.Now().UTC()
	date := now.Format("20060102")
	amzDate := now.Format("20060102T150405Z")
	cred := rootUser + "/" + date + "/us-east-1/s3/aws4_request"
	policy := map[string]any{
		"expiration": expires.UTC().Format("2006-01-02T15:04:05.000Z"),
		"conditions": []any{
			map[string]string{"bucket": bucket},
			[]any{"starts-with", "$key", prefix},
			map[string]string{"success_action_status": "201"},
			[]any{"content-length-range", 0, 1 << 20},
			map[string]string{"x-amz-algorithm": "AWS4-HMAC-SHA256"},
			map[string]string{"x-amz-credential": cred},
			map[string]string{"x-amz-date": amzDate},
		},
	}
	raw, err := json.Marshal(policy)
	mustOK(t, err)
	b64 := base64.StdEncoding.EncodeToString(raw)
	key := hmacSHA256([]byte("AWS4"+rootPassword), date)
	key = hmacSHA256(key, "us-east-1")
	key = hmacSHA256(key, "s3")
	key = hmacSHA256(key, "aws4_request")
	sig := hex.EncodeToString(hmacSHA256(key, b64))
	return [][2]string{
		{"policy", b64},
		{"x-amz-algorithm", "AWS4-HMAC-SHA256"},
		{"x-amz-credential", cred},
		{"x-amz-date", amzDate},
		{"x-amz-signature", sig},
	}
}
