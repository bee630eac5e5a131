// Package bench will hold Cairn's load generator and its reports (`cairn
// bench`): an S3 client of its own, operation mixes, latency histograms and
// comparisons between runs. It is empty until that milestone; Go
// micro-benchmarks of the hot paths live next to the code they measure
// (data, meta/objindex, s3api, s3api/sigv4).
package bench
