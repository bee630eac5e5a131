// Package lifecycle is the bucket lifecycle model and its background worker.
//
// # Model
//
// Configuration, Rule, Filter and the action types mirror
// PutBucketLifecycleConfiguration independently of its XML: the S3 layer
// parses the XML into them, checks them with Configuration.Validate (which
// names the AWS error code of the first violation in an *Error) and stores
// Encode's canonical JSON as the bucket's meta.ConfigLifecycle
// configuration. The stored document is versioned:
//
//	{"v":1,"rules":[{"id":..,"status":"Enabled","filter":{..},"expiration":{..},..}]}
//
// Decode refuses unknown versions. Equal configurations encode to equal
// strings (filter tags are sorted, dates are UTC).
//
// # Evaluation
//
// Evaluate and AbortUpload are pure functions of a configuration, a
// version (or upload) and the time, with a day length so tests run a "day"
// in milliseconds. As in S3, an age of N days is due at the first day
// boundary (midnight UTC for 24h days; a multiple of the day length since
// the Unix epoch otherwise) at or after creation + N days.
//
// # Worker
//
// Worker periodically lists every bucket's versions and uploads through the
// small Buckets and Objects interfaces (data.Store and the node's bucket
// view satisfy them) and applies the due actions: current versions expire
// (unversioned: removed; versioning enabled: a delete marker is added;
// suspended: a null delete marker replaces the null version), noncurrent
// versions are deleted NoncurrentDays after their successor was written,
// delete markers that are a key's only version are removed, and incomplete
// multipart uploads are aborted.
//
// INVARIANT: the worker never removes a version protected by object lock
// (retention in the future or legal hold), and removes a version only if it
// is still the one it evaluated (DeleteOptions.Guard compares identity);
// actions are idempotent, so a crash mid-scan is repaired by the next scan.
package lifecycle
