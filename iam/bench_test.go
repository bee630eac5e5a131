package iam

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

// benchDirectory is a realistic set: a user with three policies (the
// Relayer home-folder policy with variables and conditions, an inline
// network guard with a Deny, a managed policy with IfExists conditions)
// in two enabled groups with their own policies, one with a Deny.
func benchDirectory(tb testing.TB) (*Directory, Identity) {
	raw, err := os.ReadFile("testdata/eval_relayer.json")
	if err != nil {
		tb.Fatal(err)
	}
	var ef evalFile
	if err := json.Unmarshal(raw, &ef); err != nil {
		tb.Fatal(err)
	}
	s := Snapshot{
		Account: "123456789012",
		Policies: []ManagedPolicy{
			{Name: "relayer", Document: string(ef.Policies["relayer"])},
			{Name: "uploads", Document: wrapStmt(
				`{"Sid":"PrivateUploads","Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"arn:aws:s3:::uploads/${aws:username}/*",` +
					`"Condition":{"StringEqualsIfExists":{"s3:x-amz-acl":["private","bucket-owner-full-control"]},"NumericLessThanIfExists":{"s3:max-keys":"1000"}}}`)},
			{Name: "team", Document: wrapStmt(
				`{"Sid":"TeamRead","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::team","arn:aws:s3:::team/*"],` +
					`"Condition":{"Bool":{"aws:SecureTransport":"true"}}},` +
					`{"Sid":"NoSecrets","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::team/secrets/*"}`)},
			{Name: "audit", Document: wrapStmt(
				`{"Sid":"AuditLogs","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::audit/*",` +
					`"Condition":{"DateLessThan":{"aws:CurrentTime":"2031-01-01T00:00:00Z"},"StringLike":{"aws:UserAgent":"*aws-cli*"}}}`)},
		},
		Users: []User{{Name: "alice", ID: "AIDAALICE", AttachedPolicies: []string{"relayer", "uploads"},
			InlinePolicies: map[string]string{"netguard": wrapStmt(
				`{"Sid":"DenyOutsideNetworks","Effect":"Deny","Action":"s3:*","Resource":"*",` +
					`"Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16","2001:db8::/32"]}}}`)}}},
		AccessKeys: []AccessKey{{ID: "AKALICE", Secret: "alice-secret", UserName: "alice", Status: StatusActive}},
		Groups: []Group{
			{Name: "team", Members: []string{"alice"}, AttachedPolicies: []string{"team"}},
			{Name: "auditors", Members: []string{"alice"}, AttachedPolicies: []string{"audit"}},
		},
	}
	d, err := NewDirectoryWithClock(s, func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) })
	if err != nil {
		tb.Fatal(err)
	}
	cred, err := d.LookupCredential("AKALICE", "")
	if err != nil {
		tb.Fatal(err)
	}
	return d, cred.Identity
}

func benchConditions() map[string][]string {
	return map[string][]string{
		"aws:SourceIp":        {"10.20.30.40"},
		"aws:SecureTransport": {"true"},
		"aws:CurrentTime":     {"2030-01-01T00:00:00Z"},
		"aws:UserAgent":       {"aws-cli/2.15.0 Python/3.11"},
		"s3:signatureversion": {"AWS4-HMAC-SHA256"},
		"s3:authType":         {"REST-HEADER"},
	}
}

func BenchmarkAuthorize(b *testing.B) {
	d, id := benchDirectory(b)
	cond := benchConditions()
	listCond := benchConditions()
	listCond["s3:prefix"] = []string{"bob/"}
	listCond["s3:delimiter"] = []string{"/"}
	cases := []struct {
		name  string
		req   Request
		allow bool
	}{
		// The Relayer's last statements, after every Deny is checked.
		{"GetObjectShared", Request{Identity: id, Action: "s3:GetObject", Bucket: "shared", Key: "bob/report.pdf", Conditions: cond}, true},
		{"PutObjectOwnFolder", Request{Identity: id, Action: "s3:PutObject", Bucket: "shared", Key: "alice/notes.txt", Conditions: cond}, true},
		{"ListBucketPrefix", Request{Identity: id, Action: "s3:ListBucket", Bucket: "shared", Conditions: listCond}, true},
		// Walks every policy of the user and both groups.
		{"GetObjectAuditGroup", Request{Identity: id, Action: "s3:GetObject", Bucket: "audit", Key: "2030/01/log.gz", Conditions: cond}, true},
		{"ImplicitDeny", Request{Identity: id, Action: "s3:DeleteBucket", Bucket: "bob", Conditions: cond}, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if dec := d.Authorize(c.req); dec.Allowed != c.allow {
				b.Fatalf("decision %+v, want allowed=%v", dec, c.allow)
			}
			b.ReportAllocs()
			for b.Loop() {
				d.Authorize(c.req)
			}
		})
	}
}

// BenchmarkLookupSession measures a session credential lookup once the
// token is cached (the per-request path for STS clients).
func BenchmarkLookupSession(b *testing.B) {
	d, err := NewDirectory(sessionSnapshot())
	if err != nil {
		b.Fatal(err)
	}
	tok, _ := SealSession(testSTSKey, SessionClaims{AccessKey: "ASIAB", Secret: "x", ParentUser: "alice",
		Expiration: time.Now().Add(time.Hour), Generation: 3, Policy: wrapStmt(okStmt)})
	if _, err := d.LookupCredential("ASIAB", tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.LookupCredential("ASIAB", tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenSession(b *testing.B) {
	tok, _ := SealSession(testSTSKey, SessionClaims{AccessKey: "ASIAB", Secret: "x", ParentUser: "alice",
		Expiration: time.Now().Add(time.Hour), Generation: 3, Policy: wrapStmt(okStmt)})
	keys := []STSKey{testSTSKey}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenSession(keys, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAuthorizeAllocations(t *testing.T) {
	d, id := benchDirectory(t)
	req := Request{Identity: id, Action: "s3:GetObject", Bucket: "shared", Key: "bob/report.pdf", Conditions: benchConditions()}
	if n := testing.AllocsPerRun(200, func() { d.Authorize(req) }); n > 3 {
		t.Fatalf("Authorize allocates %.0f objects per call, want at most 3", n)
	}
}
