package s3api

// Routing of the versioning, tagging, object-lock and lifecycle
// sub-resources. parseRequest's bucketOp and objectOp call these first; a
// request carrying none of them falls through to the plain operations.

// bucketConfigSubresources are the bucket-only sub-resources routed here;
// on an object path they are MethodNotAllowed (as ?location is).
var bucketConfigSubresources = [...]string{"versioning", "versions", "object-lock", "lifecycle"}

// bucketSubresourceOp routes a bucket request carrying one of the
// sub-resources above or ?tagging. handled is false when it carries none.
func (rt router) bucketSubresourceOp(op *Operation, method string, q query) (handled bool, err error) {
	if q.has("retention") || q.has("legal-hold") {
		return true, s3err(ErrMethodNotAllowed)
	}
	handled, err = routeSub(op, method, q, []subRoute{
		{"versioning", OpGetBucketVersioning, OpPutBucketVersioning, OpUnknown},
		{"versions", OpListObjectVersions, OpUnknown, OpUnknown},
		{"tagging", OpGetBucketTagging, OpPutBucketTagging, OpDeleteBucketTagging},
		{"object-lock", OpGetObjectLockConfiguration, OpPutObjectLockConfiguration, OpUnknown},
		{"lifecycle", OpGetBucketLifecycle, OpPutBucketLifecycle, OpDeleteBucketLifecycle},
	})
	if err == nil && handled && op.Kind == OpListObjectVersions {
		err = parseVersionListParams(&op.List, q)
	}
	return handled, err
}

// objectSubresourceOp routes an object request carrying ?tagging,
// ?retention or ?legal-hold (op.VersionID is already set).
func (rt router) objectSubresourceOp(op *Operation, method string, q query) (handled bool, err error) {
	for _, sub := range bucketConfigSubresources {
		if q.has(sub) {
			return true, s3err(ErrMethodNotAllowed)
		}
	}
	return routeSub(op, method, q, []subRoute{
		{"tagging", OpGetObjectTagging, OpPutObjectTagging, OpDeleteObjectTagging},
		{"retention", OpGetObjectRetention, OpPutObjectRetention, OpUnknown},
		{"legal-hold", OpGetObjectLegalHold, OpPutObjectLegalHold, OpUnknown},
	})
}

// parseVersionListParams reads ListObjectVersions parameters: prefix,
// delimiter, max-keys, encoding-type, key-marker and version-id-marker.
func parseVersionListParams(lp *ListParams, q query) error {
	if err := parseListParams(lp, q, false); err != nil {
		return err
	}
	lp.Marker, _ = q.get("key-marker")
	lp.After = lp.Marker
	lp.VersionIDMarker, _ = q.get("version-id-marker")
	if lp.VersionIDMarker != "" && lp.Marker == "" {
		return s3errf(ErrInvalidArgument, "A version-id marker cannot be specified without a key marker.").
			with("ArgumentName", "version-id-marker").with("ArgumentValue", lp.VersionIDMarker)
	}
	return nil
}
