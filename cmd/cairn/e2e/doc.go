// Package e2e holds Cairn's end-to-end tests: each test starts real `cairn
// server` processes (the binary named by CAIRN_BIN, built by `make e2e`, or
// built on the fly) on temporary drives and drives them over HTTP with real
// S3 clients, aws-sdk-go-v2 and minio-go. Nothing here talks to Cairn's
// packages directly: the process boundary is the point.
package e2e
