package adminclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

// staticCreds is a one-credential CredentialLookup for the verifier.
type staticCreds struct{ c iam.Credential }

func (s staticCreds) LookupCredential(ak, token string) (iam.Credential, error) {
	if ak != s.c.AccessKey {
		return iam.Credential{}, iam.ErrNoSuchAccessKey
	}
	return s.c, nil
}

// seen is what the test server observed of one request.
type seen struct {
	auth   *sigv4.Auth
	err    error
	form   url.Values
	header http.Header
	method string
	path   string
}

// verifyingServer answers every request with reply after verifying its
// signature with Cairn's own SigV4 verifier, so these tests prove the
// client signs the way the server checks.
func verifyingServer(t *testing.T, cred iam.Credential, reply func(w http.ResponseWriter, form url.Values)) (*httptest.Server, *[]seen) {
	t.Helper()
	v := &sigv4.Verifier{Creds: staticCreds{cred}}
	var mu sync.Mutex
	var log []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := &sigv4.Request{
			Method:   r.Method,
			RawPath:  r.URL.EscapedPath(),
			RawQuery: r.URL.RawQuery,
			Header: func(name string) string {
				if name == "host" {
					return r.Host
				}
				return r.Header.Get(name)
			},
			EachHeader: func(fn func(name, value string)) {
				fn("Host", r.Host)
				for k, vs := range r.Header {
					for _, v := range vs {
						fn(k, v)
					}
				}
			},
			Body: body,
		}
		auth, err := v.Verify(req)
		form, _ := url.ParseQuery(string(body))
		mu.Lock()
		log = append(log, seen{auth: auth, err: err, form: form, header: r.Header.Clone(), method: r.Method, path: r.URL.Path})
		mu.Unlock()
		if err != nil {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>%s</Message></Error><RequestId>r</RequestId></ErrorResponse>`, err)
			return
		}
		reply(w, form)
	}))
	t.Cleanup(srv.Close)
	return srv, &log
}

func okXML(action, inner string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<%[1]sResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><%[1]sResult>%[2]s</%[1]sResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></%[1]sResponse>`, action, inner)
}

func TestDoSignsAndDecodes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		svc     Service
		region  string
		token   string
		version string
	}{
		{"iam default region", IAM, "", "", "2010-05-08"},
		{"iam other region", IAM, "eu-west-3", "", "2010-05-08"},
		{"sts with session token", STS, "", "FQoGZXIvYXdzE-token+/=", "2011-06-15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred := iam.Credential{AccessKey: "AKIAEXAMPLE", SecretKey: "secret/with+chars=", SessionToken: tc.token}
			srv, log := verifyingServer(t, cred, func(w http.ResponseWriter, form url.Values) {
				io.WriteString(w, okXML(form.Get("Action"), `<User><UserName>alice &amp; co</UserName><PosixUid>1000</PosixUid><AllowCreateBucket>true</AllowCreateBucket></User>`))
			})
			c, err := New(Config{Endpoint: srv.URL, AccessKey: cred.AccessKey, SecretKey: cred.SecretKey, SessionToken: tc.token, Region: tc.region})
			if err != nil {
				t.Fatal(err)
			}
			var r UserResult
			params := url.Values{"UserName": {"alice & co"}, "Odd": {"a b+c/ü"}}
			if err := c.Do(context.Background(), tc.svc, "GetUser", params, &r); err != nil {
				t.Fatalf("Do: %v", err)
			}
			if r.User.UserName != "alice & co" || r.User.PosixUid == nil || *r.User.PosixUid != 1000 ||
				r.User.AllowCreateBucket == nil || !*r.User.AllowCreateBucket || r.User.PosixGid != nil {
				t.Errorf("decoded %+v", r.User)
			}
			got := (*log)[0]
			if got.err != nil {
				t.Fatalf("server could not verify the signature: %v", got.err)
			}
			wantRegion := tc.region
			if wantRegion == "" {
				wantRegion = DefaultRegion
			}
			if got.auth.Service != string(tc.svc) || got.auth.Region != wantRegion || got.auth.Credential.AccessKey != cred.AccessKey {
				t.Errorf("scope: service %q region %q key %q", got.auth.Service, got.auth.Region, got.auth.Credential.AccessKey)
			}
			if got.method != http.MethodPost || got.path != "/" {
				t.Errorf("request %s %s, want POST /", got.method, got.path)
			}
			if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
				t.Errorf("Content-Type %q", ct)
			}
			if tok := got.header.Get("X-Amz-Security-Token"); tok != tc.token {
				t.Errorf("X-Amz-Security-Token %q, want %q", tok, tc.token)
			}
			want := url.Values{"Action": {"GetUser"}, "Version": {tc.version}, "UserName": {"alice & co"}, "Odd": {"a b+c/ü"}}
			if got.form.Encode() != want.Encode() {
				t.Errorf("form %v, want %v", got.form, want)
			}
			if params.Get("Action") != "" {
				t.Error("Do modified the caller's params")
			}
		})
	}
}

func TestWrongSecretIsRefused(t *testing.T) {
	cred := iam.Credential{AccessKey: "AKIAEXAMPLE", SecretKey: "right-secret"}
	srv, _ := verifyingServer(t, cred, func(w http.ResponseWriter, form url.Values) {
		io.WriteString(w, okXML("GetUser", ""))
	})
	c, err := New(Config{Endpoint: srv.URL, AccessKey: cred.AccessKey, SecretKey: "wrong-secret"})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Do(context.Background(), IAM, "GetUser", nil, nil)
	if !IsCode(err, "SignatureDoesNotMatch") {
		t.Fatalf("err = %v, want SignatureDoesNotMatch", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Error("error text contains the secret")
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   Error
		text   string
	}{
		{"iam error document", 404,
			`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error><RequestId>abc-123</RequestId></ErrorResponse>`,
			Error{StatusCode: 404, Type: "Sender", Code: "NoSuchEntity", Message: "The user with name bob cannot be found.", RequestID: "abc-123"},
			"NoSuchEntity: The user with name bob cannot be found. (HTTP 404, request abc-123)"},
		{"s3 error document", 403,
			`<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>r9</RequestId></Error>`,
			Error{StatusCode: 403, Code: "AccessDenied", Message: "Access Denied", RequestID: "r9"},
			"AccessDenied: Access Denied (HTTP 403, request r9)"},
		{"html page", 502, "<html>\n<body>Bad   gateway</body></html>",
			Error{StatusCode: 502, Code: "BadGateway", Message: "<html> <body>Bad gateway</body></html>"},
			"BadGateway: <html> <body>Bad gateway</body></html> (HTTP 502)"},
		{"empty body", 500, "",
			Error{StatusCode: 500, Code: "InternalServerError"},
			"InternalServerError (HTTP 500)"},
		{"unknown status", 599, strings.Repeat("x", 300),
			Error{StatusCode: 599, Code: "HTTP599", Message: strings.Repeat("x", 200) + "…"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c, err := New(Config{Endpoint: srv.URL, AccessKey: "ak", SecretKey: "sk-secret"})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Do(context.Background(), IAM, "GetUser", nil, &UserResult{})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if *e != tc.want {
				t.Errorf("got %+v\nwant %+v", *e, tc.want)
			}
			if tc.text != "" && e.Error() != tc.text {
				t.Errorf("text %q\nwant %q", e.Error(), tc.text)
			}
		})
	}
}

func TestDecodeResult(t *testing.T) {
	var r UserResult
	if err := decodeResult([]byte(okXML("GetUser", "<User><UserName>a</UserName></User>")), "GetUserResult", &r); err != nil || r.User.UserName != "a" {
		t.Errorf("decode: %v %+v", err, r)
	}
	if err := decodeResult([]byte(okXML("GetUser", "")), "ListUsersResult", &r); err == nil || !strings.Contains(err.Error(), "no <ListUsersResult>") {
		t.Errorf("missing result: %v", err)
	}
	if err := decodeResult([]byte("<GetUserResponse><GetUserResult><User>"), "GetUserResult", &r); err == nil {
		t.Error("truncated XML decoded")
	}
	if err := decodeResult([]byte("not xml at all"), "GetUserResult", &r); err == nil {
		t.Error("non-XML decoded")
	}
}

func TestNewConfig(t *testing.T) {
	for _, tc := range []struct {
		endpoint, ak, sk string
		wantURL          string
		wantErr          bool
	}{
		{"http://127.0.0.1:9000", "a", "b", "http://127.0.0.1:9000/", false},
		{"127.0.0.1:9000", "a", "b", "http://127.0.0.1:9000/", false},
		{"https://s3.example.com/", "a", "b", "https://s3.example.com/", false},
		{"https://s3.example.com/cairn", "a", "b", "https://s3.example.com/cairn", false},
		{"", "a", "b", "", true},
		{"ftp://host", "a", "b", "", true},
		{"http://", "a", "b", "", true},
		{"http://h/?x=1", "a", "b", "", true},
		{"http://h", "", "b", "", true},
		{"http://h", "a", "", "", true},
	} {
		c, err := New(Config{Endpoint: tc.endpoint, AccessKey: tc.ak, SecretKey: tc.sk})
		if tc.wantErr {
			if !errors.Is(err, ErrConfig) {
				t.Errorf("%q/%q/%q: err = %v, want ErrConfig", tc.endpoint, tc.ak, tc.sk, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.endpoint, err)
			continue
		}
		if c.url != tc.wantURL {
			t.Errorf("%q: url %q, want %q", tc.endpoint, c.url, tc.wantURL)
		}
	}
}

func TestListAll(t *testing.T) {
	pages := map[string]string{
		"":   `<Users><member><UserName>a</UserName></member><member><UserName>b</UserName></member></Users><IsTruncated>true</IsTruncated><Marker>m1</Marker>`,
		"m1": `<Users><member><UserName>c</UserName></member></Users><IsTruncated>true</IsTruncated><Marker>m2</Marker>`,
		"m2": `<Users><member><UserName>d</UserName></member></Users><IsTruncated>false</IsTruncated>`,
		// A server stuck on one marker.
		"loop": `<Users><member><UserName>x</UserName></member></Users><IsTruncated>true</IsTruncated><Marker>loop</Marker>`,
	}
	var markers []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		markers = append(markers, r.PostForm.Get("Marker")+"|"+r.PostForm.Get("PathPrefix"))
		io.WriteString(w, okXML("ListUsers", pages[r.PostForm.Get("Marker")]))
	}))
	defer srv.Close()
	c, err := New(Config{Endpoint: srv.URL, AccessKey: "ak", SecretKey: "sk"})
	if err != nil {
		t.Fatal(err)
	}
	pick := func(r *ListUsersResult) ([]User, Pagination) { return r.Users, r.Pagination }
	params := url.Values{"PathPrefix": {"/x/"}}
	users, err := ListAll(context.Background(), c, IAM, "ListUsers", params, pick)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.UserName)
	}
	if strings.Join(names, ",") != "a,b,c,d" {
		t.Errorf("users %v", names)
	}
	if strings.Join(markers, " ") != "|/x/ m1|/x/ m2|/x/" {
		t.Errorf("markers sent %v", markers)
	}
	if params.Get("Marker") != "" {
		t.Error("ListAll modified the caller's params")
	}
	_, err = ListAll(context.Background(), c, IAM, "ListUsers", url.Values{"Marker": {"loop"}}, pick)
	if err == nil || !strings.Contains(err.Error(), "without a new Marker") {
		t.Errorf("looping server: %v", err)
	}
}

func TestDecodeDocument(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a+b/*"}]}`
	for _, tc := range []struct{ in, want string }{
		{doc, doc},
		{"  " + doc, "  " + doc},
		{url.QueryEscape(doc), doc},
		{strings.ReplaceAll(url.QueryEscape(doc), "+", "%20"), doc},
		{"", ""},
		{"%zz", "%zz"},
	} {
		if got := DecodeDocument(tc.in); got != tc.want {
			t.Errorf("DecodeDocument(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
