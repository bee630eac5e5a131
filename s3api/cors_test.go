package s3api

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
)

func corsDoc(rules ...string) string {
	return `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + strings.Join(rules, "") + `</CORSConfiguration>`
}

func TestParseCORSXML(t *testing.T) {
	rule := func(inner string) string { return "<CORSRule>" + inner + "</CORSRule>" }
	basic := rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>`)
	many := strings.Repeat(basic, maxCORSRules+1)
	tests := []struct {
		name string
		body string
		code ErrorCode // -1: valid
		msg  string
	}{
		{"basic", corsDoc(basic), -1, ""},
		{"full", corsDoc(rule(`<ID>r1</ID><AllowedOrigin>http://*.example.com</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>`)), -1, ""},
		{"100 rules", corsDoc(strings.Repeat(basic, maxCORSRules)), -1, ""},
		{"empty origin allowed", corsDoc(rule(`<AllowedOrigin></AllowedOrigin><AllowedMethod>GET</AllowedMethod>`)), -1, ""},
		{"empty body", "", ErrMalformedXML, ""},
		{"no rules", corsDoc(), ErrMalformedXML, ""},
		{"not xml", "<CORSConfiguration>", ErrMalformedXML, ""},
		{"wrong root", `<LifecycleConfiguration>` + basic + `</LifecycleConfiguration>`, ErrMalformedXML, ""},
		{"101 rules", corsDoc(many), ErrMalformedXML, "100"},
		{"no origin", corsDoc(rule(`<AllowedMethod>GET</AllowedMethod>`)), ErrMalformedXML, ""},
		{"no method", corsDoc(rule(`<AllowedOrigin>*</AllowedOrigin>`)), ErrMalformedXML, ""},
		{"bad method", corsDoc(rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>MYMETHOD</AllowedMethod>`)), ErrInvalidRequest, "Found unsupported HTTP method in CORS config. Unsupported method is MYMETHOD"},
		{"lower-case method", corsDoc(rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>get</AllowedMethod>`)), ErrInvalidRequest, "Unsupported method is get"},
		{"options method", corsDoc(rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>OPTIONS</AllowedMethod>`)), ErrInvalidRequest, "OPTIONS"},
		{"two wildcards origin", corsDoc(rule(`<AllowedOrigin>http://*.*.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>`)), ErrInvalidRequest, `AllowedOrigin "http://*.*.com" can not have more than one wildcard.`},
		{"two wildcards header", corsDoc(rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>x-*-*</AllowedHeader>`)), ErrInvalidRequest, "AllowedHeader"},
		{"wildcard expose", corsDoc(rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><ExposeHeader>x-*</ExposeHeader>`)), ErrInvalidRequest, "ExposeHeader"},
		{"bad max age", corsDoc(rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>soon</MaxAgeSeconds>`)), ErrMalformedXML, ""},
		{"negative max age", corsDoc(rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds>`)), ErrMalformedXML, ""},
		{"long ID", corsDoc(rule(`<ID>` + strings.Repeat("i", 256) + `</ID><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>`)), ErrInvalidArgument, "255"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseCORSXML([]byte(tc.body))
			if tc.code < 0 {
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				// The stored form and the GetBucketCors rendering round-trip.
				enc, err := encodeCORS(c)
				if err != nil {
					t.Fatal(err)
				}
				dec, err := decodeCORS(enc)
				if err != nil || !reflect.DeepEqual(dec, c) {
					t.Fatalf("JSON round trip: %v\n%+v\n%+v", err, dec, c)
				}
				again, err := parseCORSXML(corsBody(c))
				if err != nil || !reflect.DeepEqual(again, c) {
					t.Fatalf("XML round trip: %v\n%+v\n%+v", err, again, c)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code.spec().Code)
			}
			if !strings.Contains(e.message(), tc.msg) {
				t.Fatalf("message %q lacks %q", e.message(), tc.msg)
			}
		})
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "http://a", true},
		{"http://a.com", "http://a.com", true},
		{"http://a.com", "http://a.com:80", false},
		{"http://*.a.com", "http://x.a.com", true},
		{"http://*.a.com", "http://.a.com", true},
		{"http://*.a.com", "http://a.com", false},
		{"http://*.a.com", "https://x.a.com", false},
		{"ab*ba", "aba", false}, // prefix and suffix must not overlap
		{"ab*ba", "abba", true},
		{"x-amz-*", "x-amz-date", true},
	}
	for _, tc := range tests {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// TestCORSMatch is the rule-matching table: which rule (index) decides a
// request, or none (-1).
func TestCORSMatch(t *testing.T) {
	c, err := parseCORSXML([]byte(corsDoc(
		`<CORSRule><AllowedOrigin>https://app.example.com</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>DELETE</AllowedMethod><AllowedHeader>Content-Type</AllowedHeader><AllowedHeader>X-Amz-*</AllowedHeader></CORSRule>`,
		`<CORSRule><AllowedOrigin>http://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod></CORSRule>`,
		`<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader></CORSRule>`,
	)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		origin, method, headers string
		want                    int
		allowOrigin             string
	}{
		{"https://app.example.com", "PUT", "", 0, "https://app.example.com"},
		{"https://app.example.com", "PUT", "content-type, x-amz-date", 0, "https://app.example.com"},
		{"https://app.example.com", "PUT", "CONTENT-TYPE", 0, "https://app.example.com"},
		{"https://app.example.com", "PUT", "authorization", -1, ""},
		{"https://app.example.com", "POST", "", -1, ""},
		{"https://APP.example.com", "PUT", "", -1, ""},
		{"http://x.example.com", "HEAD", "", 1, "http://x.example.com"},
		// The second rule has no AllowedHeader: any requested header fails
		// it, and the catch-all third rule decides.
		{"http://x.example.com", "GET", "x-custom", 2, "*"},
		{"https://other.org", "GET", "", 2, "*"},
		{"https://other.org", "DELETE", "", -1, ""},
	}
	for _, tc := range tests {
		m, ok := c.match(tc.origin, tc.method, splitRequestHeaders(tc.headers))
		got := -1
		for i := range c.Rules {
			if ok && m.rule == &c.Rules[i] {
				got = i
			}
		}
		if got != tc.want {
			t.Errorf("%s %s [%s]: rule %d, want %d", tc.origin, tc.method, tc.headers, got, tc.want)
			continue
		}
		if ok {
			hs := m.headers(tc.origin, nil)
			if hs[0].name != "Access-Control-Allow-Origin" || hs[0].value != tc.allowOrigin {
				t.Errorf("%s %s: first header %+v, want Allow-Origin %s", tc.origin, tc.method, hs[0], tc.allowOrigin)
			}
		}
	}
}

// corsServer starts a server whose bucket "bkt" holds object "k", with the
// given CORS configuration ("" = none); anonymous requests are allowed.
func corsServer(t *testing.T, cfg string) *testServer {
	t.Helper()
	ts := startServerWith(t, allowAll{})
	seedBucket(ts, "bkt")
	if cfg != "" {
		c, err := parseCORSXML([]byte(cfg))
		if err != nil {
			t.Fatal(err)
		}
		v, _ := encodeCORS(c)
		if err := ts.buckets.SetBucketConfig(context.Background(), "bkt", meta.ConfigCORS, v, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.objects.PutObject(context.Background(), "bkt", "k", strings.NewReader("hello"), 5, data.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	return ts
}

type httpResult struct {
	status int
	header http.Header
	body   string
}

func doHTTP(t *testing.T, method, url string, hdr ...string) httpResult {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return httpResult{resp.StatusCode, resp.Header, string(b)}
}

type xmlError struct {
	Code, Message, Method, ResourceType string
}

func parseXMLError(t *testing.T, body string) xmlError {
	t.Helper()
	var e xmlError
	if err := xml.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e
}

const testCORSConfig = `<CORSConfiguration>
 <CORSRule><AllowedOrigin>https://localhost:4200</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
  <AllowedHeader>x-amz-expected-bucket-owner</AllowedHeader><AllowedHeader>x-AMZ-server-SIDE-*</AllowedHeader>
  <ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-amz-request-id</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>
 <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>
</CORSConfiguration>`

// TestCORSPreflight runs OPTIONS requests (no authentication) through the
// server, as a browser sends them.
func TestCORSPreflight(t *testing.T) {
	ts := corsServer(t, testCORSConfig)
	bare := corsServer(t, "")
	const origin = "https://localhost:4200"
	tests := []struct {
		name   string
		ts     *testServer
		path   string
		hdr    []string
		status int
		// code and msg for errors; headers for successes.
		code, msg, method, resType string
		headers                    map[string]string
	}{
		{name: "no origin", ts: ts, path: "/bkt/k", hdr: []string{"Access-Control-Request-Method", "GET"},
			status: 400, code: "BadRequest", msg: "Insufficient information. Origin request header needed."},
		{name: "no origin, no bucket", ts: ts, path: "/nope/k", status: 400, code: "BadRequest"},
		{name: "no bucket", ts: ts, path: "/nope", hdr: []string{"Origin", origin},
			status: 403, code: "AccessForbidden", msg: "CORSResponse: Bucket not found", method: "OPTIONS", resType: "BUCKET"},
		{name: "not enabled", ts: bare, path: "/bkt/k", hdr: []string{"Origin", origin, "Access-Control-Request-Method", "PUT"},
			status: 403, code: "AccessForbidden", msg: "CORSResponse: CORS is not enabled for this bucket.", method: "PUT", resType: "OBJECT"},
		{name: "no method", ts: ts, path: "/bkt/k", hdr: []string{"Origin", origin},
			status: 400, code: "BadRequest", msg: "Invalid Access-Control-Request-Method: null"},
		{name: "bad method", ts: ts, path: "/bkt/k", hdr: []string{"Origin", origin, "Access-Control-Request-Method", "PATCH"},
			status: 400, code: "BadRequest", msg: "Invalid Access-Control-Request-Method: PATCH"},
		{name: "match", ts: ts, path: "/bkt/k", hdr: []string{"Origin", origin, "Access-Control-Request-Method", "PUT"},
			status: 200, headers: map[string]string{
				"Access-Control-Allow-Origin":      origin,
				"Access-Control-Allow-Credentials": "true",
				"Access-Control-Allow-Methods":     "GET, PUT",
				"Access-Control-Allow-Headers":     "",
				"Access-Control-Expose-Headers":    "ETag, x-amz-request-id",
				"Access-Control-Max-Age":           "3000",
				"Vary":                             corsVary,
			}},
		{name: "match headers", ts: ts, path: "/bkt", hdr: []string{"Origin", origin, "Access-Control-Request-Method", "GET",
			"Access-Control-Request-Headers", "X-Amz-Expected-Bucket-Owner,x-amz-server-side-encryption"},
			status: 200, headers: map[string]string{
				"Access-Control-Allow-Headers": "x-amz-expected-bucket-owner, x-amz-server-side-encryption",
			}},
		{name: "header not allowed", ts: ts, path: "/bkt/k", hdr: []string{"Origin", origin, "Access-Control-Request-Method", "GET",
			"Access-Control-Request-Headers", "x-amz-request-payer"},
			status: 403, code: "AccessForbidden", msg: "CORSResponse: This CORS request is not allowed.", method: "GET", resType: "OBJECT"},
		{name: "wrong origin", ts: ts, path: "/bkt/k", hdr: []string{"Origin", "https://evil.example", "Access-Control-Request-Method", "PUT"},
			status: 403, code: "AccessForbidden", msg: "whitelisted by the resource's CORS spec.", method: "PUT", resType: "OBJECT"},
		{name: "wildcard origin", ts: ts, path: "/bkt/k", hdr: []string{"Origin", "https://any.example", "Access-Control-Request-Method", "HEAD"},
			status: 200, headers: map[string]string{
				"Access-Control-Allow-Origin":      "*",
				"Access-Control-Allow-Credentials": "",
				"Access-Control-Allow-Methods":     "HEAD",
				"Access-Control-Max-Age":           "",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := doHTTP(t, "OPTIONS", tc.ts.url+tc.path, tc.hdr...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.code != "" {
				e := parseXMLError(t, r.body)
				if e.Code != tc.code || !strings.Contains(e.Message, tc.msg) || e.Method != tc.method || e.ResourceType != tc.resType {
					t.Fatalf("error %+v, want %s %q method %q type %q", e, tc.code, tc.msg, tc.method, tc.resType)
				}
				if r.header.Get("Access-Control-Allow-Origin") != "" {
					t.Fatal("an error carries Access-Control-Allow-Origin")
				}
				return
			}
			for k, v := range tc.headers {
				if got := r.header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestCORSActualRequests checks the headers S3 adds to ordinary responses
// (errors included) for a matching Origin, and their absence otherwise.
func TestCORSActualRequests(t *testing.T) {
	ts := corsServer(t, testCORSConfig)
	const origin = "https://localhost:4200"
	tests := []struct {
		name, method, path, origin string
		status                     int
		allowOrigin, methods       string
	}{
		{"get matching", "GET", "/bkt/k", origin, 200, origin, "GET, PUT"},
		{"error matching", "GET", "/bkt/missing", origin, 404, origin, "GET, PUT"},
		{"wrong origin", "GET", "/bkt/k", "https://evil.example", 200, "", ""},
		{"method not allowed by rule", "DELETE", "/bkt/other", origin, 204, "", ""},
		{"head by wildcard rule", "HEAD", "/bkt/k", "https://any.example", 200, "*", "HEAD"},
		{"no origin", "GET", "/bkt/k", "", 200, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.origin != "" {
				hdr = []string{"Origin", tc.origin}
			}
			r := doHTTP(t, tc.method, ts.url+tc.path, hdr...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if got := r.header.Get("Access-Control-Allow-Origin"); got != tc.allowOrigin {
				t.Errorf("Allow-Origin %q, want %q", got, tc.allowOrigin)
			}
			if got := r.header.Get("Access-Control-Allow-Methods"); got != tc.methods {
				t.Errorf("Allow-Methods %q, want %q", got, tc.methods)
			}
			wantVary := ""
			if tc.allowOrigin != "" {
				wantVary = corsVary
			}
			if got := r.header.Get("Vary"); got != wantVary {
				t.Errorf("Vary %q, want %q", got, wantVary)
			}
		})
	}
}

// TestBucketCorsSDK runs Put/Get/DeleteBucketCors through aws-sdk-go-v2.
func TestBucketCorsSDK(t *testing.T) {
	ts := startServerWith(t, iam.RootOnly{})
	c := ts.awsClient(t, testSecretKey)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("cors")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("cors")})
	if apiCode(err) != "NoSuchCORSConfiguration" {
		t.Fatalf("GetBucketCors before Put: %v", err)
	}
	rules := []s3types.CORSRule{{
		ID:             aws.String("web"),
		AllowedOrigins: []string{"https://app.example.com", "http://*.example.com"},
		AllowedMethods: []string{"GET", "PUT", "HEAD"},
		AllowedHeaders: []string{"*"},
		ExposeHeaders:  []string{"ETag"},
		MaxAgeSeconds:  aws.Int32(600),
	}, {
		AllowedOrigins: []string{"*"},
		AllowedMethods: []string{"GET"},
	}}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("cors"),
		CORSConfiguration: &s3types.CORSConfiguration{CORSRules: rules}}); err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}
	out, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("cors")})
	if err != nil {
		t.Fatalf("GetBucketCors: %v", err)
	}
	if got, want := fmt.Sprintf("%+v", corsRulesText(out.CORSRules)), fmt.Sprintf("%+v", corsRulesText(rules)); got != want {
		t.Fatalf("GetBucketCors:\n got %s\nwant %s", got, want)
	}
	_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("cors"),
		CORSConfiguration: &s3types.CORSConfiguration{CORSRules: []s3types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PATCH"}}}}})
	if apiCode(err) != "InvalidRequest" {
		t.Fatalf("PutBucketCors with PATCH: %v", err)
	}
	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("cors")}); err != nil {
		t.Fatalf("DeleteBucketCors: %v", err)
	}
	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("cors")}); err != nil {
		t.Fatalf("DeleteBucketCors again: %v", err)
	}
	if _, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("cors")}); apiCode(err) != "NoSuchCORSConfiguration" {
		t.Fatalf("GetBucketCors after delete: %v", err)
	}
	if _, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("nope")}); apiCode(err) != "NoSuchBucket" {
		t.Fatalf("GetBucketCors of a missing bucket: %v", err)
	}
}

func corsRulesText(rs []s3types.CORSRule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s|%v|%v|%v|%v|%d", aws.ToString(r.ID), r.AllowedOrigins, r.AllowedMethods,
			r.AllowedHeaders, r.ExposeHeaders, aws.ToInt32(r.MaxAgeSeconds)))
	}
	return out
}

// FuzzCORSXML: parsing never panics, and whatever parses round-trips
// through the stored JSON and the GetBucketCors rendering unchanged.
func FuzzCORSXML(f *testing.F) {
	f.Add([]byte(testCORSConfig))
	f.Add([]byte(corsDoc(`<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>`)))
	f.Add([]byte(`<CORSConfiguration><CORSRule><ID>&amp;</ID><AllowedOrigin> a* </AllowedOrigin><AllowedMethod>PUT</AllowedMethod><MaxAgeSeconds>0</MaxAgeSeconds></CORSRule></CORSConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseCORSXML(body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("not an S3 error: %v", err)
			}
			return
		}
		if err := c.validate(); err != nil {
			t.Fatalf("parsed configuration does not validate: %v", err)
		}
		enc, err := encodeCORS(c)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := decodeCORS(enc)
		if err != nil || !reflect.DeepEqual(dec, c) {
			t.Fatalf("JSON round trip: %v", err)
		}
		again, err := parseCORSXML(corsBody(c))
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("XML round trip: %v\n%+v\n%+v", err, again, c)
		}
		// Matching never panics on the parsed rules.
		c.match("https://x", "GET", []string{"a"})
	})
}
