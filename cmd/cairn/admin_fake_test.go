package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// A test double of the IAM/STS query protocol for the CLI's unit tests: it
// records each request's signing scope and form, and answers with canned
// AWS-format XML. (The adminclient tests verify signatures with Cairn's
// own verifier; end-to-end tests against a real server live in e2e/.)

// call is one request as the fake server saw it.
type call struct {
	Service, Action string
	// Params is the form without Action and Version.
	Params map[string]string
	// AccessKey, Region and Token are the credential scope's key and region
	// and the X-Amz-Security-Token header.
	AccessKey, Region, Token string
}

// reply is a canned answer: Result is the inner XML of <ActionResult>
// (empty: no Result element), or Code/Status make it an error.
type reply struct {
	Result  string
	Code    string
	Status  int
	Message string
}

type fakeServer struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	calls   []call
	replies map[string]reply
}

var scopeRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/\d{8}/([^/]*)/([a-z0-9]+)/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$`)

func newFake(t *testing.T, replies map[string]reply) *fakeServer {
	f := &fakeServer{t: t, replies: replies}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if err != nil || r.Method != http.MethodPost || r.URL.Path != "/" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		f.t.Errorf("malformed request %s %s %q: %v", r.Method, r.URL.Path, r.Header.Get("Content-Type"), err)
	}
	m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		f.t.Errorf("request not signed as expected: Authorization %q", r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if r.Header.Get("X-Amz-Date") == "" || !strings.Contains(m[4], "host") || !strings.Contains(m[4], "x-amz-date") {
		f.t.Errorf("signature does not cover host and x-amz-date: %q", m[4])
	}
	token := r.Header.Get("X-Amz-Security-Token")
	if (token != "") != strings.Contains(m[4], "x-amz-security-token") {
		f.t.Errorf("security token %q not signed: %q", token, m[4])
	}
	c := call{Service: m[3], Action: form.Get("Action"), Params: map[string]string{}, AccessKey: m[1], Region: m[2], Token: token}
	wantVersion := map[string]string{"iam": "2010-05-08", "sts": "2011-06-15"}[c.Service]
	if v := form.Get("Version"); v != wantVersion {
		f.t.Errorf("%s: Version %q for service %q", c.Action, v, c.Service)
	}
	for k, vs := range form {
		if len(vs) != 1 {
			f.t.Errorf("%s: parameter %s given %d times", c.Action, k, len(vs))
		}
		if k != "Action" && k != "Version" {
			c.Params[k] = vs[0]
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()

	rep, ok := f.replies[c.Action]
	if !ok {
		rep = reply{Code: "InvalidAction", Status: 400, Message: "no canned reply for " + c.Action}
	}
	ns := "https://iam.amazonaws.com/doc/2010-05-08/"
	if c.Service == "sts" {
		ns = "https://sts.amazonaws.com/doc/2011-06-15/"
	}
	w.Header().Set("Content-Type", "text/xml")
	if rep.Code != "" {
		w.WriteHeader(rep.Status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-err</RequestId></ErrorResponse>`, ns, rep.Code, rep.Message)
		return
	}
	result := ""
	if rep.Result != "" {
		result = fmt.Sprintf("<%[1]sResult>%[2]s</%[1]sResult>", c.Action, rep.Result)
	}
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<%[1]sResponse xmlns="%[2]s">%[3]s<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></%[1]sResponse>`, c.Action, ns, result)
}

func (f *fakeServer) recorded() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// run runs `cairn admin args…` against the fake with env (CAIRN_ENDPOINT,
// CAIRN_ACCESS_KEY and CAIRN_SECRET_KEY default to the fake and root keys;
// a "" value unsets a variable) and stdin.
func (f *fakeServer) run(env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	vars := map[string]string{
		"CAIRN_ENDPOINT":   f.srv.URL,
		"CAIRN_ACCESS_KEY": "rootkey",
		"CAIRN_SECRET_KEY": "rootsecret",
	}
	for k, v := range env {
		vars[k] = v
	}
	var out, errb bytes.Buffer
	code = runAdmin(context.Background(), args, adminEnv{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errb,
		lookupEnv: func(k string) (string, bool) {
			v, ok := vars[k]
			return v, ok && v != ""
		},
		httpClient: f.srv.Client(),
	})
	return code, out.String(), errb.String()
}

// Canned results shared by the tests.
const (
	xmlAlice = `<User><UserName>alice</UserName><UserId>AIDAALICE000000000001</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn><Path>/</Path><CreateDate>2025-01-02T03:04:05Z</CreateDate></User>`
	// xmlAliceExt carries Cairn's user extensions.
	xmlAliceExt = `<User><UserName>alice</UserName><UserId>AIDAALICE000000000001</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn><Path>/</Path><CreateDate>2025-01-02T03:04:05Z</CreateDate><Status>Inactive</Status><DisplayName>Alice A.</DisplayName><PosixUid>1001</PosixUid><PosixGid>100</PosixGid><AllowCreateBucket>true</AllowCreateBucket><AllowDeleteBucket>false</AllowDeleteBucket></User>`
	xmlDevs     = `<Group><GroupName>devs</GroupName><GroupId>AGPADEVS0000000000001</GroupId><Arn>arn:aws:iam::123456789012:group/devs</Arn><Path>/</Path><CreateDate>2025-01-02T03:04:05Z</CreateDate><Status>Active</Status></Group>`
	xmlPolicy   = `<Policy><PolicyName>home</PolicyName><PolicyId>ANPAHOME0000000000001</PolicyId><Arn>arn:aws:iam::123456789012:policy/home</Arn><Path>/</Path><DefaultVersionId>v1</DefaultVersionId><AttachmentCount>2</AttachmentCount><IsAttachable>true</IsAttachable><Description>home folders</Description><CreateDate>2025-01-02T03:04:05Z</CreateDate><UpdateDate>2025-01-03T03:04:05Z</UpdateDate><IsBuiltin>false</IsBuiltin></Policy>`
	xmlCreds    = `<Credentials><AccessKeyId>ASIATEMP</AccessKeyId><SecretAccessKey>tempsecret</SecretAccessKey><SessionToken>tok'en</SessionToken><Expiration>2025-01-02T04:04:05Z</Expiration></Credentials>`
	policyDoc   = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
)
