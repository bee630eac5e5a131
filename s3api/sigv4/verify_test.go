package sigv4

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func userSigner() naiveSigner {
	return naiveSigner{ak: "USERKEY", secret: "user-secret-0123456789", region: "us-east-1", service: "s3", t: testNow}
}

func newGet(target string) *http.Request {
	r, err := http.NewRequest("GET", target, nil)
	if err != nil {
		panic(err)
	}
	return r
}

func TestVerifyHeaderAuth(t *testing.T) {
	type tc struct {
		name   string
		signer func() naiveSigner
		build  func() *http.Request
		// after signing, before verifying
		mutate  func(r *http.Request)
		each    bool
		wantErr error
		check   func(t *testing.T, a *Auth)
	}
	get := func() *http.Request { return newGet("http://cairn.local:9000/bucket/key.txt?versionId=3") }
	cases := []tc{
		{name: "valid", check: func(t *testing.T, a *Auth) {
			if a.Anonymous || a.Presigned || a.Payload != PayloadSigned || a.Credential.Identity.Name != "alice" || a.Region != "us-east-1" || a.Service != "s3" {
				t.Fatalf("auth %+v", a)
			}
		}},
		{name: "valid with EachHeader", each: true},
		{name: "empty region", signer: func() naiveSigner { s := userSigner(); s.region = ""; return s }, check: func(t *testing.T, a *Auth) {
			if a.Region != "" {
				t.Fatalf("region %q", a.Region)
			}
		}},
		{name: "iam service", signer: func() naiveSigner { s := userSigner(); s.service = "iam"; return s }, check: func(t *testing.T, a *Auth) {
			if a.Service != "iam" {
				t.Fatalf("service %q", a.Service)
			}
		}},
		{name: "Date header instead of x-amz-date", mutate: func(r *http.Request) {
			// Re-sign with Date only: drop x-amz-date and sign again.
			r.Header.Del("Authorization")
			r.Header.Del("X-Amz-Date")
			r.Header.Set("Date", testNow.Format(http.TimeFormat))
			s := userSigner()
			canon, signed := s.canonical(r, emptySHA256, "")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=USERKEY/"+s.scope()+",SignedHeaders="+signed+",Signature="+s.signString(canon))
		}},
		{name: "unsigned payload", build: func() *http.Request {
			r := get()
			r.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
			return r
		}, check: func(t *testing.T, a *Auth) {
			if a.Payload != PayloadUnsigned {
				t.Fatalf("payload %v", a.Payload)
			}
		}},
		{name: "repeated header joined", each: true, build: func() *http.Request {
			r := get()
			r.Header.Add("X-Amz-Meta-Tag", "one  two ")
			r.Header.Add("X-Amz-Meta-Tag", " three")
			return r
		}},
		{name: "SigV2 header", mutate: func(r *http.Request) { r.Header.Set("Authorization", "AWS USERKEY:c2lnbmF0dXJl") }, wantErr: ErrUnsupportedSignature},
		{name: "SigV4a header", mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1))
		}, wantErr: ErrUnsupportedSignature},
		{name: "header and query auth", mutate: func(r *http.Request) { r.URL.RawQuery += "&X-Amz-Algorithm=AWS4-HMAC-SHA256" }, wantErr: ErrAuthorizationQueryMalformed},
		{name: "missing signature component", mutate: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
		}, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "unknown component", mutate: func(r *http.Request) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")+", Extra=1")
		}, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "repeated component", mutate: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a+", Signature="+a[len(a)-64:])
		}, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "short credential", mutate: func(r *http.Request) { replaceAuth(r, "/us-east-1/s3/aws4_request", "/s3/aws4_request") }, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "bad terminal", mutate: func(r *http.Request) { replaceAuth(r, "aws4_request", "aws5_request") }, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "bad scope date", mutate: func(r *http.Request) { replaceAuth(r, "USERKEY/20260314", "USERKEY/2026031x") }, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "scope date differs from x-amz-date", mutate: func(r *http.Request) { replaceAuth(r, "USERKEY/20260314", "USERKEY/20260313") }, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "signature not hex", mutate: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-1]+"g")
		}, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "SignedHeaders without host", mutate: func(r *http.Request) { replaceAuth(r, "SignedHeaders=host;", "SignedHeaders=") }, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "empty signed header name", mutate: func(r *http.Request) { replaceAuth(r, "SignedHeaders=host;", "SignedHeaders=host;;") }, wantErr: ErrAuthorizationHeaderMalformed},
		{name: "no date", mutate: func(r *http.Request) { r.Header.Del("X-Amz-Date") }, wantErr: ErrMissingDate},
		{name: "bad x-amz-date", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Date", "2026-03-14T15:09:26Z") }, wantErr: ErrMissingDate},
		{name: "16 minutes slow", signer: func() naiveSigner { s := userSigner(); s.t = testNow.Add(-16 * time.Minute); return s }, wantErr: ErrRequestTimeTooSkewed},
		{name: "16 minutes fast", signer: func() naiveSigner { s := userSigner(); s.t = testNow.Add(16 * time.Minute); return s }, wantErr: ErrRequestTimeTooSkewed},
		{name: "14 minutes slow", signer: func() naiveSigner { s := userSigner(); s.t = testNow.Add(-14 * time.Minute); return s }},
		{name: "unknown key", signer: func() naiveSigner { s := userSigner(); s.ak = "NOSUCHKEY"; return s }, wantErr: ErrInvalidAccessKeyID},
		{name: "disabled key", signer: func() naiveSigner { s := userSigner(); s.ak = "OFFKEY"; s.secret = "off-secret"; return s }, wantErr: ErrInvalidAccessKeyID},
		{name: "wrong secret", signer: func() naiveSigner { s := userSigner(); s.secret = "guess"; return s }, wantErr: ErrSignatureDoesNotMatch},
		{name: "tampered header", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Meta-A", "2") }, build: func() *http.Request {
			r := get()
			r.Header.Set("X-Amz-Meta-A", "1")
			return r
		}, wantErr: ErrSignatureDoesNotMatch},
		{name: "tampered path", mutate: func(r *http.Request) { r.URL.Path = "/bucket/key.txu" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "tampered query", mutate: func(r *http.Request) { r.URL.RawQuery = "versionId=4" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "added query", mutate: func(r *http.Request) { r.URL.RawQuery += "&acl" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "tampered method", mutate: func(r *http.Request) { r.Method = "DELETE" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "tampered host", mutate: func(r *http.Request) { r.Host = "evil.local:9000" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "tampered date", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Date", testNow.Add(time.Second).Format(iso8601Basic)) }, wantErr: ErrSignatureDoesNotMatch},
		{name: "tampered payload hash", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", unsignedPayload) }, wantErr: ErrSignatureDoesNotMatch},
		{name: "malformed payload hash", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "abc") }, wantErr: ErrInvalidContentSHA256},
		{name: "unsupported streaming mode", mutate: func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")
		}, wantErr: ErrUnsupportedSignature},
		{name: "unsigned x-amz header", each: true, mutate: func(r *http.Request) { r.Header.Set("X-Amz-Acl", "public-read") }, wantErr: ErrHeadersNotSigned},
		{name: "unsigned envelope header allowed", each: true, mutate: func(r *http.Request) { r.Header.Set("X-Amz-Decoded-Content-Length", "0") }},
		{name: "unsigned other header allowed", each: true, mutate: func(r *http.Request) { r.Header.Set("User-Agent", "x"); r.Header.Set("X-Amzn-Trace-Id", "t") }},
		{name: "session token", signer: stsSigner, check: func(t *testing.T, a *Auth) {
			if a.Credential.SessionToken == "" {
				t.Fatal("no session credential")
			}
		}},
		{name: "session token missing", signer: func() naiveSigner { s := stsSigner(); s.token = ""; return s }, wantErr: ErrInvalidSessionToken},
		{name: "session token wrong", signer: func() naiveSigner { s := stsSigner(); s.token = "token-xyz"; return s }, wantErr: ErrInvalidSessionToken},
		{name: "token with long-term key", signer: func() naiveSigner { s := userSigner(); s.token = "token-abc/def+ghi=="; return s }, wantErr: ErrInvalidSessionToken},
	}
	v := newTestVerifier(testNow)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := userSigner()
			if c.signer != nil {
				s = c.signer()
			}
			r := get()
			if c.build != nil {
				r = c.build()
			}
			hash := r.Header.Get("X-Amz-Content-Sha256")
			if hash == "" {
				hash = emptySHA256
			}
			s.sign(r, hash)
			if c.mutate != nil {
				c.mutate(r)
			}
			a, err := v.Verify(toRequest(r, c.each))
			if c.wantErr == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.check != nil {
					c.check(t, a)
				}
				return
			}
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, c.wantErr)
			}
			if a != nil {
				t.Fatalf("Auth returned with error")
			}
			assertSafeError(t, err, s.secret)
		})
	}
}

func stsSigner() naiveSigner {
	return naiveSigner{ak: "STSKEY", secret: "sts-secret-0123456789", token: "token-abc/def+ghi==", region: "us-east-1", service: "s3", t: testNow}
}

func replaceAuth(r *http.Request, old, new string) {
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
}

// assertSafeError checks an error shows no secret. Every secret the tests
// use is checked, not just the signer's.
func assertSafeError(t *testing.T, err error, secrets ...string) {
	t.Helper()
	msg := err.Error()
	var se *SignatureError
	if errors.As(err, &se) {
		msg += se.CanonicalRequest + se.StringToSign
	}
	for _, c := range testCreds() {
		secrets = append(secrets, c.SecretKey)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			t.Fatalf("error shows a secret: %s", msg)
		}
	}
}

// A mismatch reports what the server signed but never the signature it
// expected.
func TestSignatureErrorDetail(t *testing.T) {
	r := newGet("http://cairn.local/bucket/k")
	good := userSigner()
	want := good.sign(r.Clone(r.Context()), emptySHA256)
	bad := good
	bad.secret = "wrong-secret"
	bad.sign(r, emptySHA256)
	_, err := newTestVerifier(testNow).Verify(toRequest(r, true))
	var se *SignatureError
	if !errors.As(err, &se) || !errors.Is(err, ErrSignatureDoesNotMatch) {
		t.Fatalf("error %T %v", err, err)
	}
	if !strings.HasPrefix(se.CanonicalRequest, "GET\n/bucket/k\n\nhost:cairn.local\n") || !strings.HasPrefix(se.StringToSign, "AWS4-HMAC-SHA256\n") {
		t.Fatalf("detail:\n%s\n--\n%s", se.CanonicalRequest, se.StringToSign)
	}
	for _, s := range []string{err.Error(), se.CanonicalRequest, se.StringToSign} {
		if strings.Contains(s, want) {
			t.Fatal("error shows the expected signature")
		}
	}
	assertSafeError(t, err)
}

func TestAnonymous(t *testing.T) {
	v := newTestVerifier(testNow)
	for _, c := range []struct {
		name, query, sha string
		want             PayloadMode
		err              error
	}{
		{name: "plain", want: PayloadUnsigned},
		{name: "query without auth", query: "list-type=2&prefix=a", want: PayloadUnsigned},
		{name: "unsigned trailer body", sha: streamingUnsignedTrailer, want: PayloadStreamingUnsignedTrailer},
		{name: "SigV2 presigned", query: "AWSAccessKeyId=AK&Expires=1&Signature=x", err: ErrUnsupportedSignature},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{"host": "h", "x-amz-content-sha256": c.sha}
			a, err := v.Verify(&Request{Method: "GET", RawPath: "/b/k", RawQuery: c.query, Header: exampleHeaders(h)})
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil || !a.Anonymous || a.Payload != c.want {
				t.Fatalf("auth %+v err %v", a, err)
			}
		})
	}
}

func TestVerifyPresigned(t *testing.T) {
	type tc struct {
		name    string
		signer  func() naiveSigner
		expires time.Duration
		build   func() *http.Request
		mutate  func(r *http.Request)
		now     time.Time
		each    bool
		wantErr error
	}
	get := func() *http.Request {
		return newGet("http://cairn.local:9000/bucket/a%20b/c.txt?response-content-type=text%2Fplain")
	}
	setQ := func(key, val string) func(r *http.Request) {
		return func(r *http.Request) {
			q := r.URL.Query()
			q.Set(key, val)
			r.URL.RawQuery = q.Encode()
		}
	}
	cases := []tc{
		{name: "valid"},
		{name: "valid near expiry", now: testNow.Add(time.Hour - time.Second)},
		{name: "valid with EachHeader", each: true},
		{name: "session token", signer: stsSigner},
		{name: "empty region", signer: func() naiveSigner { s := userSigner(); s.region = ""; return s }},
		{name: "expired", now: testNow.Add(time.Hour + time.Second), wantErr: ErrPresignExpired},
		{name: "dated in the future", now: testNow.Add(-20 * time.Minute), wantErr: ErrRequestNotYetValid},
		{name: "dated in the future is skew", now: testNow.Add(-20 * time.Minute), wantErr: ErrRequestTimeTooSkewed},
		{name: "slightly in the future", now: testNow.Add(-10 * time.Minute)},
		{name: "seven days", expires: 7 * 24 * time.Hour, now: testNow.Add(7*24*time.Hour - time.Minute)},
		{name: "more than seven days", expires: 7*24*time.Hour + time.Second, wantErr: ErrAuthorizationQueryMalformed},
		{name: "negative expires", mutate: setQ("X-Amz-Expires", "-1"), wantErr: ErrAuthorizationQueryMalformed},
		{name: "non-numeric expires", mutate: setQ("X-Amz-Expires", "1h"), wantErr: ErrAuthorizationQueryMalformed},
		{name: "bad algorithm", mutate: setQ("X-Amz-Algorithm", "AWS4-HMAC-SHA1"), wantErr: ErrUnsupportedSignature},
		{name: "bad credential", mutate: setQ("X-Amz-Credential", "USERKEY/20260314/s3/aws4_request"), wantErr: ErrAuthorizationQueryMalformed},
		{name: "bad date", mutate: setQ("X-Amz-Date", "20260314"), wantErr: ErrAuthorizationQueryMalformed},
		{name: "date differs from scope", mutate: setQ("X-Amz-Date", "20260315T000000Z"), wantErr: ErrAuthorizationQueryMalformed},
		{name: "bad signature", mutate: setQ("X-Amz-Signature", "zz"), wantErr: ErrAuthorizationQueryMalformed},
		{name: "missing signed headers", mutate: func(r *http.Request) {
			q := r.URL.Query()
			q.Del("X-Amz-SignedHeaders")
			r.URL.RawQuery = q.Encode()
		}, wantErr: ErrAuthorizationQueryMalformed},
		{name: "repeated parameter", mutate: func(r *http.Request) { r.URL.RawQuery += "&X-Amz-Date=20260314T150926Z" }, wantErr: ErrAuthorizationQueryMalformed},
		{name: "unknown key", signer: func() naiveSigner { s := userSigner(); s.ak = "NOPE"; return s }, wantErr: ErrInvalidAccessKeyID},
		{name: "wrong secret", signer: func() naiveSigner { s := userSigner(); s.secret = "wrong-secret-x"; return s }, wantErr: ErrSignatureDoesNotMatch},
		{name: "tampered path", mutate: func(r *http.Request) { r.URL.RawPath = ""; r.URL.Path = "/bucket/a b/d.txt" }, wantErr: ErrSignatureDoesNotMatch},
		{name: "tampered query", mutate: setQ("response-content-type", "text/html"), wantErr: ErrSignatureDoesNotMatch},
		{name: "extended expiry", mutate: setQ("X-Amz-Expires", "7200"), wantErr: ErrSignatureDoesNotMatch},
		{name: "session token dropped", signer: stsSigner, mutate: func(r *http.Request) {
			q := r.URL.Query()
			q.Del("X-Amz-Security-Token")
			r.URL.RawQuery = q.Encode()
		}, wantErr: ErrSignatureDoesNotMatch},
		{name: "unsigned x-amz header", each: true, mutate: func(r *http.Request) { r.Header.Set("X-Amz-Acl", "public-read") }, wantErr: ErrHeadersNotSigned},
		{name: "signed x-amz header", each: true, build: func() *http.Request {
			r := get()
			r.Header.Set("X-Amz-Acl", "private")
			return r
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := userSigner()
			if c.signer != nil {
				s = c.signer()
			}
			r := get()
			if c.build != nil {
				r = c.build()
			}
			exp := c.expires
			if exp == 0 {
				exp = time.Hour
			}
			s.presign(r, exp)
			if c.mutate != nil {
				c.mutate(r)
			}
			now := c.now
			if now.IsZero() {
				now = testNow
			}
			a, err := newTestVerifier(now).Verify(toRequest(r, c.each))
			if c.wantErr == nil {
				if err != nil {
					t.Fatalf("Verify: %v (query %s)", err, r.URL.RawQuery)
				}
				if !a.Presigned || a.Payload != PayloadUnsigned || a.Anonymous {
					t.Fatalf("auth %+v", a)
				}
				return
			}
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("error %v, want %v", err, c.wantErr)
			}
			assertSafeError(t, err, s.secret)
		})
	}
}
