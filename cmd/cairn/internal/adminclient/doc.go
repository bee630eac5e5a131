// Package adminclient is a small client for the AWS IAM and STS query
// protocols as Cairn serves them: the standard actions plus Cairn's
// extensions (service accounts, RevokeSessions, user flags). It exists so
// `cairn admin` can reach the extensions, which no AWS SDK can call.
//
// Wire shape. Every call is a POST of an application/x-www-form-urlencoded
// body `Action=…&Version=…&<params>` to the endpoint, signed with SigV4 for
// service "iam" (Version 2010-05-08) or "sts" (Version 2011-06-15). A
// success is `<ActionResponse><ActionResult>…</ActionResult>
// <ResponseMetadata/></ActionResponse>`; Do decodes the Result element into
// the caller's struct (encoding/xml, namespace-agnostic). A failure is the
// IAM error document `<ErrorResponse><Error><Type/><Code/><Message/></Error>
// <RequestId/></ErrorResponse>` (an S3-style `<Error>` root is accepted too,
// so a server that does not route IAM still gives a readable error), and
// becomes an *Error.
//
// Invariants:
//   - Secrets (the secret key, session tokens, secrets in responses) are never
//     written to any log or error message by this package. Error texts carry
//     the server's code and message and the request ID only.
//   - Result types keep timestamps as the strings the server sent, so an
//     unexpected format never makes a successful call look failed.
//   - The client holds no mutable state after New; it is safe for concurrent
//     use.
package adminclient
