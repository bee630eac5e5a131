package s3api

import (
	"errors"
	"strings"
	"testing"
)

func hdrs(kv ...string) headerFunc {
	return func(name string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if strings.EqualFold(kv[i], name) {
				return kv[i+1]
			}
		}
		return ""
	}
}

func TestParseRequest(t *testing.T) {
	signed := hdrs("authorization", "AWS4-HMAC-SHA256 Credential=x", "host", "localhost:9000")
	anon := hdrs("host", "localhost:9000")
	long := strings.Repeat("k", maxKeyLength)
	tests := []struct {
		name     string
		method   string
		path     string
		query    string
		h        headerFunc
		want     OpKind
		bucket   string
		key      string
		wantCode ErrorCode // checked when want == OpUnknown
		check    func(t *testing.T, op Operation)
	}{
		{name: "list buckets", method: "GET", path: "/", h: signed, want: OpListBuckets},
		{name: "list buckets x-id ignored", method: "GET", path: "/", query: "x-id=ListBuckets", h: signed, want: OpListBuckets},
		{name: "put on service", method: "PUT", path: "/", h: signed, wantCode: ErrMethodNotAllowed},
		{name: "post on service", method: "POST", path: "/", h: signed, wantCode: ErrNotImplemented},
		{name: "list buckets paginated", method: "GET", path: "/", query: "max-buckets=2&prefix=a&continuation-token=" + encodeToken("ab"), h: signed, want: OpListBuckets,
			check: func(t *testing.T, op Operation) {
				if op.List.MaxKeys != 2 || op.List.Prefix != "a" || op.List.After != "ab" {
					t.Errorf("list params %+v", op.List)
				}
			}},
		{name: "list buckets bad max", method: "GET", path: "/", query: "max-buckets=0", h: signed, wantCode: ErrInvalidArgument},
		{name: "create bucket", method: "PUT", path: "/bucket", h: signed, want: OpCreateBucket, bucket: "bucket"},
		{name: "create bucket trailing slash", method: "PUT", path: "/bucket/", h: signed, want: OpCreateBucket, bucket: "bucket"},
		{name: "head bucket", method: "HEAD", path: "/bucket", h: signed, want: OpHeadBucket, bucket: "bucket"},
		{name: "delete bucket", method: "DELETE", path: "/bucket", h: signed, want: OpDeleteBucket, bucket: "bucket"},
		{name: "location", method: "GET", path: "/bucket", query: "location", h: signed, want: OpGetBucketLocation, bucket: "bucket"},
		{name: "location with empty value", method: "GET", path: "/bucket", query: "location=", h: signed, want: OpGetBucketLocation, bucket: "bucket"},
		{name: "list v1", method: "GET", path: "/bucket", query: "prefix=a%2Fb&delimiter=%2F&marker=m&max-keys=10", h: signed, want: OpListObjects, bucket: "bucket",
			check: func(t *testing.T, op Operation) {
				l := op.List
				if l.Prefix != "a/b" || l.Delimiter != "/" || l.Marker != "m" || l.After != "m" || l.MaxKeys != 10 {
					t.Errorf("list params %+v", l)
				}
			}},
		{name: "list v1 default max keys", method: "GET", path: "/bucket", h: signed, want: OpListObjects, bucket: "bucket",
			check: func(t *testing.T, op Operation) {
				if op.List.MaxKeys != 1000 {
					t.Errorf("MaxKeys = %d", op.List.MaxKeys)
				}
			}},
		{name: "list v1 max keys clamped", method: "GET", path: "/bucket", query: "max-keys=5000", h: signed, want: OpListObjects, bucket: "bucket",
			check: func(t *testing.T, op Operation) {
				if op.List.MaxKeys != 1000 {
					t.Errorf("MaxKeys = %d", op.List.MaxKeys)
				}
			}},
		{name: "list max keys zero", method: "GET", path: "/bucket", query: "list-type=2&max-keys=0", h: signed, want: OpListObjectsV2, bucket: "bucket",
			check: func(t *testing.T, op Operation) {
				if op.List.MaxKeys != 0 {
					t.Errorf("MaxKeys = %d", op.List.MaxKeys)
				}
			}},
		{name: "list negative max keys", method: "GET", path: "/bucket", query: "list-type=2&max-keys=-1", h: signed, wantCode: ErrInvalidArgument},
		{name: "list non-numeric max keys", method: "GET", path: "/bucket", query: "max-keys=ten", h: signed, wantCode: ErrInvalidArgument},
		{name: "list bad encoding type", method: "GET", path: "/bucket", query: "encoding-type=base64", h: signed, wantCode: ErrInvalidArgument},
		{name: "list bad list-type", method: "GET", path: "/bucket", query: "list-type=3", h: signed, wantCode: ErrInvalidArgument},
		{name: "list v2 params", method: "GET", path: "/bucket", query: "list-type=2&start-after=s&fetch-owner=true&encoding-type=url&prefix=a+b", h: signed, want: OpListObjectsV2, bucket: "bucket",
			check: func(t *testing.T, op Operation) {
				l := op.List
				if l.StartAfter != "s" || l.After != "s" || !l.FetchOwner || !l.URLEncode || l.Prefix != "a b" {
					t.Errorf("list params %+v", l)
				}
			}},
		{name: "list v2 token wins over start-after", method: "GET", path: "/bucket", query: "list-type=2&start-after=s&continuation-token=" + encodeToken("z/k"), h: signed, want: OpListObjectsV2, bucket: "bucket",
			check: func(t *testing.T, op Operation) {
				if op.List.After != "z/k" || op.List.StartAfter != "s" {
					t.Errorf("list params %+v", op.List)
				}
			}},
		{name: "list v2 bad token", method: "GET", path: "/bucket", query: "list-type=2&continuation-token=%21%21", h: signed, wantCode: ErrInvalidArgument},
		{name: "list v2 empty token", method: "GET", path: "/bucket", query: "list-type=2&continuation-token=", h: signed, wantCode: ErrInvalidArgument},
		{name: "list v2 token wrong version", method: "GET", path: "/bucket", query: "list-type=2&continuation-token=AmFiYw", h: signed, wantCode: ErrInvalidArgument},
		{name: "delete objects", method: "POST", path: "/bucket", query: "delete", h: signed, want: OpDeleteObjects, bucket: "bucket"},
		{name: "post without form", method: "POST", path: "/bucket", h: signed, wantCode: ErrPreconditionFailed},

		{name: "put object", method: "PUT", path: "/bucket/key", h: signed, want: OpPutObject, bucket: "bucket", key: "key"},
		{name: "key with slashes dots and spaces", method: "PUT", path: "/bucket/a//b/../c%20d+e", h: signed, want: OpPutObject, bucket: "bucket", key: "a//b/../c d+e"},
		{name: "key with percent", method: "GET", path: "/bucket/100%25", h: signed, want: OpGetObject, bucket: "bucket", key: "100%"},
		{name: "key utf8", method: "GET", path: "/bucket/%E6%97%A5%E6%9C%AC", h: signed, want: OpGetObject, bucket: "bucket", key: "日本"},
		{name: "key encoded slash", method: "GET", path: "/bucket/a%2Fb", h: signed, want: OpGetObject, bucket: "bucket", key: "a/b"},
		{name: "key only slash", method: "GET", path: "/bucket//", h: signed, want: OpGetObject, bucket: "bucket", key: "/"},
		{name: "key max length", method: "GET", path: "/bucket/" + long, h: signed, want: OpGetObject, bucket: "bucket", key: long},
		{name: "key too long", method: "GET", path: "/bucket/" + long + "x", h: signed, wantCode: ErrKeyTooLong},
		{name: "key invalid utf8", method: "GET", path: "/bucket/%FF", h: signed, wantCode: ErrInvalidArgument},
		{name: "key with NUL", method: "GET", path: "/bucket/a%00b", h: signed, wantCode: ErrInvalidArgument},
		{name: "bad escape", method: "GET", path: "/bucket/a%zz", h: signed, wantCode: ErrInvalidURI},
		{name: "truncated escape", method: "GET", path: "/bucket/a%2", h: signed, wantCode: ErrInvalidURI},
		{name: "no leading slash", method: "GET", path: "bucket/key", h: signed, wantCode: ErrInvalidURI},
		{name: "invalid bucket", method: "GET", path: "/Bucket/key", h: signed, wantCode: ErrInvalidBucketName},
		{name: "head object", method: "HEAD", path: "/bucket/key", h: signed, want: OpHeadObject, bucket: "bucket", key: "key"},
		{name: "delete object", method: "DELETE", path: "/bucket/key", query: "versionId=v1", h: signed, want: OpDeleteObject, bucket: "bucket", key: "key",
			check: func(t *testing.T, op Operation) {
				if op.VersionID != "v1" {
					t.Errorf("VersionID = %q", op.VersionID)
				}
			}},
		{name: "get object overrides", method: "GET", path: "/bucket/key", query: "response-content-type=text%2Fplain&response-expires=x", h: signed, want: OpGetObject, bucket: "bucket", key: "key",
			check: func(t *testing.T, op Operation) {
				if !op.HasOverrides || op.Overrides[0] != "text/plain" || op.Overrides[2] != "x" {
					t.Errorf("overrides %v %q", op.HasOverrides, op.Overrides)
				}
			}},
		{name: "copy object", method: "PUT", path: "/bucket/key", h: hdrs("authorization", "x", "x-amz-copy-source", "/a/b"), want: OpCopyObject, bucket: "bucket", key: "key"},
		{name: "post object", method: "POST", path: "/bucket/key", h: signed, wantCode: ErrNotImplemented},
		{name: "delete on object", method: "POST", path: "/bucket/key", query: "delete", h: signed, wantCode: ErrMethodNotAllowed},

		// Sub-resources Cairn does not implement are never silently served.
		{name: "logging", method: "GET", path: "/bucket", query: "logging", h: signed, wantCode: ErrNotImplemented},
		{name: "website", method: "PUT", path: "/bucket", query: "website", h: signed, wantCode: ErrNotImplemented},
		{name: "acl", method: "GET", path: "/bucket/key", query: "acl", h: signed, want: OpGetObjectAcl, bucket: "bucket", key: "key"},
		{name: "put object acl", method: "PUT", path: "/bucket/key", query: "acl&versionId=v1", h: signed, want: OpPutObjectAcl, bucket: "bucket", key: "key",
			check: func(t *testing.T, op Operation) {
				if op.VersionID != "v1" {
					t.Errorf("version %q", op.VersionID)
				}
			}},
		{name: "delete object acl", method: "DELETE", path: "/bucket/key", query: "acl", h: signed, wantCode: ErrMethodNotAllowed},
		{name: "bucket acl", method: "PUT", path: "/bucket", query: "acl", h: signed, want: OpPutBucketAcl, bucket: "bucket"},
		{name: "get bucket acl", method: "GET", path: "/bucket", query: "acl", h: signed, want: OpGetBucketAcl, bucket: "bucket"},
		{name: "delete bucket acl", method: "DELETE", path: "/bucket", query: "acl", h: signed, wantCode: ErrMethodNotAllowed},
		{name: "get policy", method: "GET", path: "/bucket", query: "policy", h: signed, want: OpGetBucketPolicy, bucket: "bucket"},
		{name: "delete policy", method: "DELETE", path: "/bucket", query: "policy", h: signed, want: OpDeleteBucketPolicy, bucket: "bucket"},
		{name: "policy status", method: "GET", path: "/bucket", query: "policyStatus", h: signed, want: OpGetBucketPolicyStatus, bucket: "bucket"},
		{name: "put policy status", method: "PUT", path: "/bucket", query: "policyStatus", h: signed, wantCode: ErrMethodNotAllowed},
		{name: "public access block", method: "PUT", path: "/bucket", query: "publicAccessBlock", h: signed, want: OpPutPublicAccessBlock, bucket: "bucket"},
		{name: "get public access block", method: "GET", path: "/bucket", query: "publicAccessBlock", h: signed, want: OpGetPublicAccessBlock, bucket: "bucket"},
		{name: "delete public access block", method: "DELETE", path: "/bucket", query: "publicAccessBlock", h: signed, want: OpDeletePublicAccessBlock, bucket: "bucket"},
		{name: "ownership controls", method: "PUT", path: "/bucket", query: "ownershipControls", h: signed, want: OpPutBucketOwnershipControls, bucket: "bucket"},
		{name: "get ownership controls", method: "GET", path: "/bucket", query: "ownershipControls", h: signed, want: OpGetBucketOwnershipControls, bucket: "bucket"},
		{name: "delete ownership controls", method: "DELETE", path: "/bucket", query: "ownershipControls", h: signed, want: OpDeleteBucketOwnershipControls, bucket: "bucket"},
		{name: "policy on object", method: "GET", path: "/bucket/key", query: "policy", h: signed, wantCode: ErrMethodNotAllowed},
		{name: "ownership on object", method: "PUT", path: "/bucket/key", query: "ownershipControls", h: signed, wantCode: ErrMethodNotAllowed},
		{name: "versioning", method: "GET", path: "/bucket", query: "versioning", h: signed, want: OpGetBucketVersioning, bucket: "bucket"},
		{name: "uploads", method: "POST", path: "/bucket/key", query: "uploads", h: signed, want: OpCreateMultipartUpload, bucket: "bucket", key: "key"},
		{name: "upload part", method: "PUT", path: "/bucket/key", query: "partNumber=1&uploadId=x", h: signed, want: OpUploadPart, bucket: "bucket", key: "key"},
		{name: "tagging", method: "PUT", path: "/bucket/key", query: "tagging", h: signed, want: OpPutObjectTagging, bucket: "bucket", key: "key"},
		{name: "cors", method: "GET", path: "/bucket", query: "cors", h: signed, want: OpGetBucketCors, bucket: "bucket"},
		{name: "policy", method: "PUT", path: "/bucket", query: "policy", h: signed, want: OpPutBucketPolicy, bucket: "bucket"},
		{name: "lifecycle", method: "GET", path: "/bucket", query: "lifecycle", h: signed, want: OpGetBucketLifecycle, bucket: "bucket"},
		{name: "list versions", method: "GET", path: "/bucket", query: "versions", h: signed, want: OpListObjectVersions, bucket: "bucket"},
		{name: "list uploads", method: "GET", path: "/bucket", query: "uploads", h: signed, want: OpListMultipartUploads, bucket: "bucket"},
		{name: "iam action", method: "POST", path: "/", query: "Action=ListUsers", h: signed, wantCode: ErrNotImplemented},
		{name: "unknown method", method: "PATCH", path: "/bucket/key", h: signed, wantCode: ErrNotImplemented},
		{name: "options", method: "OPTIONS", path: "/bucket", h: signed, want: OpPreflight, bucket: "bucket"},

		// Health checks: exact paths, unsigned GET only.
		{name: "health live", method: "GET", path: "/health/live", h: anon, want: OpHealthLive},
		{name: "health ready", method: "GET", path: "/health/ready", h: anon, want: OpHealthReady},
		{name: "health signed is s3", method: "GET", path: "/health/live", h: signed, want: OpGetObject, bucket: "health", key: "live"},
		{name: "health presigned is s3", method: "GET", path: "/health/ready", query: "X-Amz-Credential=a&X-Amz-Signature=b", h: anon, want: OpGetObject, bucket: "health", key: "ready"},
		{name: "health other path is s3", method: "GET", path: "/health/other", h: anon, want: OpGetObject, bucket: "health", key: "other"},
		{name: "health head is s3", method: "HEAD", path: "/health/live", h: anon, want: OpHeadObject, bucket: "health", key: "live"},
		{name: "health bucket", method: "GET", path: "/health", h: anon, want: OpListObjects, bucket: "health"},
	}
	rt := router{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			op, err := rt.parseRequest(tc.method, tc.path, tc.query, tc.h)
			if tc.want == OpUnknown {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("err = %v, want S3 error %s", err, tc.wantCode.spec().Code)
				}
				if e.Code != tc.wantCode {
					t.Fatalf("code = %s, want %s (%v)", e.Code.spec().Code, tc.wantCode.spec().Code, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if op.Kind != tc.want || op.Bucket != tc.bucket || op.Key != tc.key {
				t.Fatalf("got %s %q %q, want %s %q %q", op.Kind, op.Bucket, op.Key, tc.want, tc.bucket, tc.key)
			}
			if tc.check != nil {
				tc.check(t, op)
			}
		})
	}
}

func TestParseRequestVirtualHost(t *testing.T) {
	rt := router{domain: "s3.example.com"}
	tests := []struct {
		host, path  string
		bucket, key string
		kind        OpKind
	}{
		{"s3.example.com", "/bk1/k", "bk1", "k", OpGetObject},
		{"bk1.s3.example.com", "/k/x", "bk1", "k/x", OpGetObject},
		{"bk1.s3.example.com:9000", "/", "bk1", "", OpListObjects},
		{"my.dotted.bucket.S3.EXAMPLE.com", "/a%20b", "my.dotted.bucket", "a b", OpGetObject},
		{"127.0.0.1:9000", "/bk1/k", "bk1", "k", OpGetObject},
		{"other.example.com", "/bk1", "bk1", "", OpListObjects},
	}
	// An unsigned GET /health/live is a health check only path style.
	if op, err := rt.parseRequest("GET", "/health/live", "", hdrs("host", "s3.example.com")); err != nil || op.Kind != OpHealthLive {
		t.Errorf("path-style health: %v %v", op.Kind, err)
	}
	if op, err := rt.parseRequest("GET", "/health/live", "", hdrs("host", "bk1.s3.example.com")); err != nil || op.Kind != OpGetObject || op.Key != "health/live" {
		t.Errorf("virtual-host health path: %v %q %v", op.Kind, op.Key, err)
	}
	for _, tc := range tests {
		op, err := rt.parseRequest("GET", tc.path, "", hdrs("host", tc.host, "authorization", "x"))
		if err != nil {
			t.Fatalf("%s%s: %v", tc.host, tc.path, err)
		}
		if op.Bucket != tc.bucket || op.Key != tc.key || op.Kind != tc.kind {
			t.Errorf("%s%s: got %s %q %q, want %s %q %q", tc.host, tc.path, op.Kind, op.Bucket, op.Key, tc.kind, tc.bucket, tc.key)
		}
	}
}

func TestOpTableComplete(t *testing.T) {
	for k := OpKind(1); k < opKindCount; k++ {
		sp := k.spec()
		if sp.Name == "" || sp.Name == "Unknown" {
			t.Errorf("op %d has no name", k)
		}
		if sp.Resource != resNone && sp.Resource != resQuery && sp.Resource != resPreflight && !strings.HasPrefix(sp.Action, "s3:") {
			t.Errorf("%s: action %q", sp.Name, sp.Action)
		}
	}
	want := map[OpKind]string{
		OpGetObject: "s3:GetObject", OpHeadObject: "s3:GetObject", OpPutObject: "s3:PutObject",
		OpListObjects: "s3:ListBucket", OpListObjectsV2: "s3:ListBucket", OpHeadBucket: "s3:ListBucket",
		OpListBuckets: "s3:ListAllMyBuckets", OpDeleteObjects: "s3:DeleteObject",
	}
	for k, a := range want {
		if got := k.spec().Action; got != a {
			t.Errorf("%s: action %q, want %q", k, got, a)
		}
	}
}

func TestSplitRequestURI(t *testing.T) {
	tests := []struct{ uri, path, query string }{
		{"/b/k?x=1", "/b/k", "x=1"},
		{"/b/k", "/b/k", ""},
		{"/b/k?", "/b/k", ""},
		{"/b/a?b?c", "/b/a", "b?c"},
		{"http://host:9000/b/k?acl", "/b/k", "acl"},
		{"http://host:9000", "/", ""},
		{"http://host:9000?x", "/", "x"},
		{"/b/http://x", "/b/http://x", ""},
	}
	for _, tc := range tests {
		p, q := splitRequestURI(tc.uri)
		if p != tc.path || q != tc.query {
			t.Errorf("%q: got %q %q, want %q %q", tc.uri, p, q, tc.path, tc.query)
		}
	}
}

func TestContinuationToken(t *testing.T) {
	for _, k := range []string{"", "a", "dir/", "日本/ü", strings.Repeat("z", maxKeyLength)} {
		got, err := decodeToken(encodeToken(k))
		if err != nil || got != k {
			t.Errorf("round trip %q: %q %v", k, got, err)
		}
	}
	for _, bad := range []string{"", "!!", "AA", encodeToken(strings.Repeat("z", maxKeyLength+1))} {
		if _, err := decodeToken(bad); err == nil {
			t.Errorf("decodeToken(%q) accepted", bad)
		}
	}
}

func TestResumeAfter(t *testing.T) {
	tests := []struct{ after, prefix, delim, want string }{
		{"", "", "/", ""},
		{"a/b", "", "", "a/b"},
		{"a/", "", "/", "a/\xff"},
		{"a/b", "", "/", "a/b"},
		{"p/a/", "p/", "/", "p/a/\xff"},
		{"p/", "p/", "/", "p/"}, // the prefix itself is an object, not a common prefix
		{"x/a/", "p/", "/", "x/a/"},
		{"a--", "", "--", "a--\xff"},
	}
	for _, tc := range tests {
		if got := resumeAfter(tc.after, tc.prefix, tc.delim); got != tc.want {
			t.Errorf("resumeAfter(%q,%q,%q) = %q, want %q", tc.after, tc.prefix, tc.delim, got, tc.want)
		}
	}
}
