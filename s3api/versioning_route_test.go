package s3api

import (
	"errors"
	"testing"
)

// TestVersioningRoutes checks routing and the IAM action of every
// versioning, tagging, object-lock and lifecycle operation.
func TestVersioningRoutes(t *testing.T) {
	signed := hdrs("authorization", "AWS4-HMAC-SHA256 Credential=x", "host", "localhost:9000")
	tests := []struct {
		method, path, query string
		want                OpKind
		action              string
		code                ErrorCode // when want == OpUnknown
	}{
		{"GET", "/bkt", "versioning", OpGetBucketVersioning, "s3:GetBucketVersioning", 0},
		{"PUT", "/bkt", "versioning", OpPutBucketVersioning, "s3:PutBucketVersioning", 0},
		{"DELETE", "/bkt", "versioning", OpUnknown, "", ErrMethodNotAllowed},
		{"GET", "/bkt", "versions", OpListObjectVersions, "s3:ListBucketVersions", 0},
		{"GET", "/bkt", "versions&prefix=a&key-marker=k&version-id-marker=v", OpListObjectVersions, "s3:ListBucketVersions", 0},
		{"GET", "/bkt", "versions&version-id-marker=v", OpUnknown, "", ErrInvalidArgument},
		{"GET", "/bkt", "versions&max-keys=x", OpUnknown, "", ErrInvalidArgument},
		{"PUT", "/bkt", "versions", OpUnknown, "", ErrMethodNotAllowed},
		{"GET", "/bkt", "tagging", OpGetBucketTagging, "s3:GetBucketTagging", 0},
		{"PUT", "/bkt", "tagging", OpPutBucketTagging, "s3:PutBucketTagging", 0},
		{"DELETE", "/bkt", "tagging", OpDeleteBucketTagging, "s3:PutBucketTagging", 0},
		{"GET", "/bkt", "object-lock", OpGetObjectLockConfiguration, "s3:GetBucketObjectLockConfiguration", 0},
		{"PUT", "/bkt", "object-lock", OpPutObjectLockConfiguration, "s3:PutBucketObjectLockConfiguration", 0},
		{"GET", "/bkt", "lifecycle", OpGetBucketLifecycle, "s3:GetLifecycleConfiguration", 0},
		{"PUT", "/bkt", "lifecycle", OpPutBucketLifecycle, "s3:PutLifecycleConfiguration", 0},
		{"DELETE", "/bkt", "lifecycle", OpDeleteBucketLifecycle, "s3:PutLifecycleConfiguration", 0},
		{"GET", "/bkt", "retention", OpUnknown, "", ErrMethodNotAllowed},
		{"GET", "/bkt/k", "tagging", OpGetObjectTagging, "s3:GetObjectTagging", 0},
		{"GET", "/bkt/k", "tagging&versionId=v1", OpGetObjectTagging, "s3:GetObjectVersionTagging", 0},
		{"PUT", "/bkt/k", "tagging", OpPutObjectTagging, "s3:PutObjectTagging", 0},
		{"PUT", "/bkt/k", "tagging&versionId=v1", OpPutObjectTagging, "s3:PutObjectVersionTagging", 0},
		{"DELETE", "/bkt/k", "tagging", OpDeleteObjectTagging, "s3:DeleteObjectTagging", 0},
		{"DELETE", "/bkt/k", "tagging&versionId=v1", OpDeleteObjectTagging, "s3:DeleteObjectVersionTagging", 0},
		{"GET", "/bkt/k", "retention", OpGetObjectRetention, "s3:GetObjectRetention", 0},
		{"PUT", "/bkt/k", "retention&versionId=v1", OpPutObjectRetention, "s3:PutObjectRetention", 0},
		{"DELETE", "/bkt/k", "retention", OpUnknown, "", ErrMethodNotAllowed},
		{"GET", "/bkt/k", "legal-hold", OpGetObjectLegalHold, "s3:GetObjectLegalHold", 0},
		{"PUT", "/bkt/k", "legal-hold", OpPutObjectLegalHold, "s3:PutObjectLegalHold", 0},
		{"GET", "/bkt/k", "versioning", OpUnknown, "", ErrMethodNotAllowed},
		{"GET", "/bkt/k", "versions", OpUnknown, "", ErrMethodNotAllowed},
		{"GET", "/bkt/k", "", OpGetObject, "s3:GetObject", 0},
		{"GET", "/bkt/k", "versionId=v1", OpGetObject, "s3:GetObjectVersion", 0},
		{"HEAD", "/bkt/k", "versionId=v1", OpHeadObject, "s3:GetObjectVersion", 0},
		{"DELETE", "/bkt/k", "", OpDeleteObject, "s3:DeleteObject", 0},
		{"DELETE", "/bkt/k", "versionId=v1", OpDeleteObject, "s3:DeleteObjectVersion", 0},
	}
	rt := router{}
	for _, tc := range tests {
		op, err := rt.parseRequest(tc.method, tc.path, tc.query, signed)
		name := tc.method + " " + tc.path + "?" + tc.query
		if tc.want == OpUnknown {
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Errorf("%s: err %v, want %s", name, err, tc.code.spec().Code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if op.Kind != tc.want {
			t.Errorf("%s: kind %s, want %s", name, op.Kind, tc.want)
		}
		if got := op.Kind.spec().action(&op); got != tc.action {
			t.Errorf("%s: action %q, want %q", name, got, tc.action)
		}
	}
}

func TestVersionListParams(t *testing.T) {
	op, err := router{}.parseRequest("GET", "/bkt", "versions&prefix=p%2F&delimiter=%2F&key-marker=p%2Fk&version-id-marker=v9&max-keys=5000&encoding-type=url",
		hdrs("authorization", "x"))
	if err != nil {
		t.Fatal(err)
	}
	lp := op.List
	if lp.Prefix != "p/" || lp.Delimiter != "/" || lp.Marker != "p/k" || lp.VersionIDMarker != "v9" || lp.MaxKeys != maxListKeys || !lp.URLEncode {
		t.Errorf("params %+v", lp)
	}
}

// TestEveryOperationHasAction guards the one table: every routable S3
// operation of this family names its IAM action.
func TestEveryOperationHasAction(t *testing.T) {
	for k := OpGetBucketVersioning; k <= OpPutObjectLegalHold; k++ {
		sp := k.spec()
		if sp.Name == "" || sp.Action == "" || sp.Resource == resNone {
			t.Errorf("%d: incomplete row %+v", k, sp)
		}
	}
}
