// Package iam holds Cairn's identity and access-control logic: principals,
// credentials, and the authorization decision.
//
// The package is pure logic. It performs no I/O and imports nothing of
// Cairn's; the state it reasons about (users, keys, policies) is handed to
// it by the control plane, which owns persistence and replication.
//
// Invariants:
//   - An identity with no policy can do nothing. Only the root principal
//     has an administrative override.
//   - Secrets never leave this package in a form meant for logging:
//     Credential.LogValue redacts them.
package iam
