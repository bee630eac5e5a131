package s3api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// rawQuery is a hand-built IAM/STS query request.
type rawQuery struct {
	method  string // default POST
	service string // "" = unsigned
	ak, sk  string
	token   string
	form    url.Values
	// sentBody, when set, replaces the body after signing (tampering).
	sentBody *string
	header   map[string]string
	// mayReset accepts a connection reset in place of the response.
	mayReset bool
}

type rawResult struct {
	status int
	body   []byte
	code   string // Error/Code of an error document
	ns     string // namespace of the root element
	root   string // root element name
	reset  bool   // the connection was reset (allowed by mayReset)
}

func (q rawQuery) do(t *testing.T, baseURL string) rawResult {
	t.Helper()
	method := q.method
	if method == "" {
		method = http.MethodPost
	}
	enc := q.form.Encode()
	target, body := baseURL+"/", enc
	if method == http.MethodGet {
		target, body = baseURL+"/?"+enc, ""
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	for k, v := range q.header {
		req.Header.Set(k, v)
	}
	if q.service != "" {
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: q.ak, SecretAccessKey: q.sk, SessionToken: q.token}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), q.service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if q.sentBody != nil {
		req.Body = io.NopCloser(strings.NewReader(*q.sentBody))
		req.ContentLength = int64(len(*q.sentBody))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil && q.mayReset && errors.Is(err, syscall.ECONNRESET) {
		// The server answered and closed before the client finished
		// sending a body it refused to read; the client may see only the
		// reset.
		return rawResult{reset: true}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := rawResult{status: resp.StatusCode, body: b}
	var doc struct {
		XMLName xml.Name
		Error   struct{ Code string }
		Code    string // S3 errors
	}
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&doc); err == nil {
		r.ns, r.root = doc.XMLName.Space, doc.XMLName.Local
		r.code = doc.Error.Code
		if r.code == "" {
			r.code = doc.Code
		}
	}
	return r
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// TestQueryRouting checks how POST / is routed: by the verified credential
// scope's service, then by Action and Version, with errors in the format
// of the API the request speaks.
func TestQueryRouting(t *testing.T) {
	ts := startIAMServer(t, true)
	big := strings.Repeat("x", maxFormBody+1)
	tampered := "Action=CreateUser&Version=2010-05-08&UserName=mallory"
	tests := []struct {
		name   string
		q      rawQuery
		status int
		code   string
		root   string
		ns     string
	}{
		{name: "sts GetCallerIdentity",
			q:      rawQuery{service: "sts", form: form("Action", "GetCallerIdentity", "Version", stsVersion)},
			status: 200, root: "GetCallerIdentityResponse", ns: stsNS},
		{name: "sts GET with query",
			q:      rawQuery{method: "GET", service: "sts", form: form("Action", "GetCallerIdentity", "Version", stsVersion)},
			status: 200, root: "GetCallerIdentityResponse", ns: stsNS},
		{name: "iam ListUsers",
			q:      rawQuery{service: "iam", form: form("Action", "ListUsers", "Version", iamVersion)},
			status: 200, root: "ListUsersResponse", ns: iamNS},
		{name: "STS action on the iam scope",
			q:      rawQuery{service: "iam", form: form("Action", "GetCallerIdentity", "Version", iamVersion)},
			status: 400, code: "InvalidAction", ns: iamNS},
		{name: "IAM action on the sts scope",
			q:      rawQuery{service: "sts", form: form("Action", "ListUsers", "Version", stsVersion)},
			status: 400, code: "InvalidAction", ns: stsNS},
		{name: "unknown action",
			q:      rawQuery{service: "iam", form: form("Action", "FrobnicateUser", "Version", iamVersion)},
			status: 400, code: "InvalidAction", ns: iamNS},
		{name: "missing action",
			q:      rawQuery{service: "iam", form: form("Version", iamVersion)},
			status: 400, code: "MissingAction", ns: iamNS},
		{name: "wrong version",
			q:      rawQuery{service: "iam", form: form("Action", "ListUsers", "Version", "2099-01-01")},
			status: 400, code: "InvalidAction", ns: iamNS},
		{name: "no version is accepted",
			q:      rawQuery{service: "iam", form: form("Action", "ListUsers")},
			status: 200, root: "ListUsersResponse", ns: iamNS},
		{name: "anonymous",
			q:      rawQuery{form: form("Action", "ListUsers", "Version", iamVersion)},
			status: 403, code: "MissingAuthenticationToken", ns: iamNS},
		{name: "signed for s3",
			q:      rawQuery{service: "s3", form: form("Action", "ListUsers")},
			status: 501, code: "NotImplemented", root: "Error"},
		{name: "signed for another service",
			q:      rawQuery{service: "ec2", form: form("Action", "ListUsers")},
			status: 403, code: "SignatureDoesNotMatch", ns: iamNS},
		{name: "unknown access key",
			q:      rawQuery{service: "iam", ak: "AKIANOBODY", sk: "whatever-secret", form: form("Action", "ListUsers")},
			status: 403, code: "InvalidClientTokenId", ns: iamNS},
		{name: "wrong secret",
			q:      rawQuery{service: "iam", sk: "wrong-secret-0000", form: form("Action", "ListUsers")},
			status: 403, code: "SignatureDoesNotMatch", ns: iamNS},
		{name: "body changed after signing",
			q:      rawQuery{service: "iam", form: form("Action", "ListUsers", "Version", iamVersion), sentBody: &tampered},
			status: 403, code: "SignatureDoesNotMatch", ns: iamNS},
		{name: "unsigned payload refused",
			q: rawQuery{service: "iam", form: form("Action", "ListUsers"),
				header: map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}},
			status: 403, code: "SignatureDoesNotMatch", ns: iamNS},
		{name: "body too large",
			q:      rawQuery{service: "iam", form: form("Action", "ListUsers", "Pad", big), mayReset: true},
			status: 400, code: "ValidationError", ns: iamNS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			if q.service != "" && q.ak == "" {
				q.ak = testAccessKey
			}
			if q.service != "" && q.sk == "" {
				q.sk = testSecretKey
			}
			r := q.do(t, ts.url)
			if r.reset {
				return
			}
			if r.status != tc.status || r.code != tc.code || (tc.root != "" && r.root != tc.root) || (tc.ns != "" && r.ns != tc.ns) {
				t.Errorf("got %d %q <%s xmlns=%q>, want %d %q <%s xmlns=%q>\n%s",
					r.status, r.code, r.root, r.ns, tc.status, tc.code, tc.root, tc.ns, r.body)
			}
		})
	}
	if calls := ts.fake.called(); len(calls) != 0 {
		t.Errorf("refused requests reached the service: %q", calls)
	}
}

// TestIAMExtensions covers the Cairn parameters the SDKs cannot send:
// UpdateUser's Status/POSIX/flags, CreateAccessKey with given keys,
// RevokeSessions, service accounts, DeleteUser Force.
func TestIAMExtensions(t *testing.T) {
	ts := startIAMServer(t, true)
	root := func(kv ...string) rawResult {
		return rawQuery{service: "iam", ak: testAccessKey, sk: testSecretKey, form: form(kv...)}.do(t, ts.url)
	}
	as := func(service, ak, sk, token string, kv ...string) rawResult {
		return rawQuery{service: service, ak: ak, sk: sk, token: token, form: form(kv...)}.do(t, ts.url)
	}
	mustOK := func(r rawResult) rawResult {
		t.Helper()
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		return r
	}
	mustOK(root("Action", "CreateUser", "UserName", "carol", "PosixUid", "2001", "PosixGid", "200"))
	mustOK(root("Action", "UpdateUser", "UserName", "carol", "PosixUid", "2002", "AllowCreateBucket", "true", "DisplayName", "Carol C"))
	r := mustOK(root("Action", "GetUser", "UserName", "carol"))
	for _, want := range []string{"<PosixUid>2002</PosixUid>", "<PosixGid>200</PosixGid>", "<AllowCreateBucket>true</AllowCreateBucket>", "<DisplayName>Carol C</DisplayName>", "<Status>Active</Status>"} {
		if !bytes.Contains(r.body, []byte(want)) {
			t.Errorf("GetUser lacks %s: %s", want, r.body)
		}
	}
	if r := root("Action", "UpdateUser", "UserName", "carol", "PosixUid", "-5"); r.code != "ValidationError" {
		t.Errorf("bad PosixUid: %d %s", r.status, r.body)
	}
	if r := root("Action", "UpdateUser", "UserName", "carol", "Status", "Sleeping"); r.code != "ValidationError" {
		t.Errorf("bad Status: %d %s", r.status, r.body)
	}
	if r := root("Action", "CreateAccessKey", "UserName", "carol", "AccessKeyId", "carol"); r.code != "InvalidInput" {
		t.Errorf("key without secret: %d %s", r.status, r.body)
	}
	r = mustOK(root("Action", "CreateAccessKey", "UserName", "carol", "AccessKeyId", "carol", "SecretAccessKey", "carol-password"))
	if !bytes.Contains(r.body, []byte("<AccessKeyId>carol</AccessKeyId>")) || !bytes.Contains(r.body, []byte("<SecretAccessKey>carol-password</SecretAccessKey>")) {
		t.Errorf("CreateAccessKey WEKA form: %s", r.body)
	}
	mustOK(root("Action", "PutUserPolicy", "UserName", "carol", "PolicyName", "read", "PolicyDocument", policyIAMRead))

	// Service accounts: only carol manages hers; root may not.
	if r := root("Action", "CreateServiceAccount", "Name", "x"); r.code != "AccessDenied" {
		t.Errorf("root CreateServiceAccount: %d %s", r.status, r.body)
	}
	r = mustOK(as("iam", "carol", "carol-password", "", "Action", "CreateServiceAccount", "Name", "backup",
		"Description", "nightly", "Expiration", "2099-01-01T00:00:00Z", "Policy", policyS3Get))
	var sa struct {
		Result struct {
			SA struct {
				AccessKeyID                                     string `xml:"AccessKeyId"`
				SecretAccessKey, ParentUser, Policy, Expiration string
			} `xml:"ServiceAccount"`
		} `xml:"CreateServiceAccountResult"`
	}
	if err := xml.Unmarshal(r.body, &sa); err != nil {
		t.Fatal(err)
	}
	s := sa.Result.SA
	if s.AccessKeyID == "" || s.SecretAccessKey == "" || s.ParentUser != "carol" || s.Expiration != "2099-01-01T00:00:00Z" {
		t.Errorf("CreateServiceAccount: %s", r.body)
	}
	if doc, _ := url.QueryUnescape(s.Policy); doc != policyS3Get {
		t.Errorf("service account policy %q", doc)
	}
	r = mustOK(as("iam", "carol", "carol-password", "", "Action", "ListServiceAccounts"))
	if !bytes.Contains(r.body, []byte("<AccessKeyId>"+s.AccessKeyID+"</AccessKeyId>")) || bytes.Contains(r.body, []byte("SecretAccessKey")) {
		t.Errorf("ListServiceAccounts: %s", r.body)
	}
	// The service account itself cannot manage service accounts.
	if r := as("iam", s.AccessKeyID, s.SecretAccessKey, "", "Action", "ListServiceAccounts"); r.code != "AccessDenied" {
		t.Errorf("service account ListServiceAccounts: %d %s", r.status, r.body)
	}
	mustOK(as("iam", "carol", "carol-password", "", "Action", "UpdateServiceAccount", "AccessKeyId", s.AccessKeyID, "Status", "inactive", "Policy", ""))
	r = mustOK(as("iam", "carol", "carol-password", "", "Action", "GetServiceAccount", "AccessKeyId", s.AccessKeyID))
	if !bytes.Contains(r.body, []byte("<Status>Inactive</Status>")) || bytes.Contains(r.body, []byte("<Policy>")) {
		t.Errorf("GetServiceAccount after update: %s", r.body)
	}
	mustOK(as("iam", "carol", "carol-password", "", "Action", "DeleteServiceAccount", "AccessKeyId", s.AccessKeyID))
	if r := as("iam", "carol", "carol-password", "", "Action", "GetServiceAccount", "AccessKeyId", s.AccessKeyID); r.code != "NoSuchEntity" {
		t.Errorf("deleted service account: %d %s", r.status, r.body)
	}

	// RevokeSessions: the old token is refused at once.
	r = mustOK(as("sts", "carol", "carol-password", "", "Action", "GetSessionToken", "Version", stsVersion))
	var tok struct {
		Result struct {
			Creds struct {
				AccessKeyID                   string `xml:"AccessKeyId"`
				SecretAccessKey, SessionToken string
			} `xml:"Credentials"`
		} `xml:"GetSessionTokenResult"`
	}
	if err := xml.Unmarshal(r.body, &tok); err != nil {
		t.Fatal(err)
	}
	c := tok.Result.Creds
	mustOK(as("sts", c.AccessKeyID, c.SecretAccessKey, c.SessionToken, "Action", "GetCallerIdentity"))
	if r := root("Action", "RevokeSessions"); r.code != "ValidationError" {
		t.Errorf("RevokeSessions without a name: %d %s", r.status, r.body)
	}
	mustOK(root("Action", "RevokeSessions", "UserName", "carol"))
	if r := as("sts", c.AccessKeyID, c.SecretAccessKey, c.SessionToken, "Action", "GetCallerIdentity"); r.code != "InvalidClientTokenId" {
		t.Errorf("revoked session: %d %s", r.status, r.body)
	}

	// Group enable/disable and Force deletes.
	mustOK(root("Action", "CreateGroup", "GroupName", "ops"))
	mustOK(root("Action", "AddUserToGroup", "GroupName", "ops", "UserName", "carol"))
	mustOK(root("Action", "UpdateGroup", "GroupName", "ops", "Status", "Inactive"))
	if r := mustOK(root("Action", "GetGroup", "GroupName", "ops")); !bytes.Contains(r.body, []byte("<Status>Inactive</Status>")) {
		t.Errorf("disabled group: %s", r.body)
	}
	if r := root("Action", "DeleteGroup", "GroupName", "ops"); r.code != "DeleteConflict" {
		t.Errorf("DeleteGroup: %d %s", r.status, r.body)
	}
	mustOK(root("Action", "DeleteGroup", "GroupName", "ops", "Force", "true"))
	if r := root("Action", "DeleteUser", "UserName", "carol"); r.code != "DeleteConflict" {
		t.Errorf("DeleteUser: %d %s", r.status, r.body)
	}
	mustOK(root("Action", "DeleteUser", "UserName", "carol", "Force", "true"))
}
