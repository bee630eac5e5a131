// Package bench is Cairn's load generator (`cairn bench`): an S3 client of
// its own, operation mixes, object size distributions, latency histograms,
// versioned JSON reports and comparisons between runs. It speaks plain
// path-style S3 with SigV4, so it runs against Cairn, MinIO or AWS alike.
//
// Why a client of its own: a load generator must cost less than the server
// it measures. The client keeps one pooled net/http Transport
// (MaxIdleConnsPerHost = concurrency, so every worker keeps its connection),
// signs headers only with x-amz-content-sha256: UNSIGNED-PAYLOAD (no body
// hashing), caches the day's signing key, reuses per-worker hashers and
// buffers, and times every signature so the report states what signing cost.
//
// Measurement: each worker owns its histograms (log-linear buckets, about
// 0.8 % relative error) and counters; the run merges them at the end, so the
// hot path takes no locks. Live progress reads per-worker atomic counters.
// Operations that start during the warm-up are executed but not recorded.
//
// Files: size.go and mix.go parse the --size and --mix flags; hist.go is the
// histogram; signer.go is SigV4; client.go the S3 operations; run.go the
// workers; report.go the report, its text form and `compare`.
//
// INVARIANT: a run deletes only keys it created (unless --keep); objects it
// finds under a prefix it did not write are never touched.
//
// Go micro-benchmarks of the server's hot paths live next to the code they
// measure (data, meta/objindex, s3api, s3api/sigv4).
package bench
