package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

func TestCanonicalPath(t *testing.T) {
	cases := []struct {
		raw, want string
		ok        bool
	}{
		{"", "/", true},
		{"/", "/", true},
		{"/bucket/key", "/bucket/key", true},
		{"/bucket/a%20b", "/bucket/a%20b", true},
		{"/bucket/a%2fb", "/bucket/a%2Fb", true}, // lower-case hex normalised, encoded slash kept
		{"/bucket/a$b", "/bucket/a%24b", true},   // what the SDKs sign for '$'
		{"/bucket/a+b", "/bucket/a%2Bb", true},   // '+' is literal in a path
		{"/bucket/%41", "/bucket/A", true},       // needless escape decoded
		{"/bucket/~x", "/bucket/~x", true},
		{"/bucket//a/../b/./c", "/bucket//a/../b/./c", true}, // no normalisation
		{"/bucket/%C3%A9", "/bucket/%C3%A9", true},
		{"/bucket/%zz", "", false},
		{"/bucket/%4", "", false},
	}
	for _, c := range cases {
		got, ok := appendCanonicalPath(nil, c.raw)
		if ok != c.ok || ok && string(got) != c.want {
			t.Errorf("%q: got %q %v, want %q %v", c.raw, got, ok, c.want, c.ok)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct {
		raw       string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"acl", false, "acl="},
		{"prefix=J&max-keys=2", false, "max-keys=2&prefix=J"},
		{"a=2&a=1&b", false, "a=1&a=2&b="},
		{"k=a+b", false, "k=a%20b"},
		{"k=a%20b", false, "k=a%20b"},
		{"k=a%2fb", false, "k=a%2Fb"},
		{"k=a/b", false, "k=a%2Fb"},
		{"k=%7E~", false, "k=~~"},
		{"k=%zz", false, "k=%25zz"},
		{"&&k=1&", false, "k=1"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", false, "X-Amz-Date=1&X-Amz-Signature=abc"},
		{"B=1&a=1&_=1", false, "B=1&_=1&a=1"}, // byte order: upper < '_' < lower
	}
	for _, c := range cases {
		got, _ := appendCanonicalQuery(nil, c.raw, c.presigned, nil)
		if string(got) != c.want {
			t.Errorf("%q: got %q, want %q", c.raw, got, c.want)
		}
	}
}

func TestTrimmedValue(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"  a  ":         "a",
		"a   b    c":    "a b c",
		"\ta b\t":       "a b",
		"\"a   b\"":     "\"a b\"",
		"bytes=0-9":     "bytes=0-9",
		"  x  y  z   ,": "x y z ,",
	} {
		if got := string(appendTrimmedValue(nil, in)); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// A client that signs the wire path as-is (not AWS-encoded) is accepted,
// and one that AWS-encodes a path it sends less encoded is too.
func TestPathFallback(t *testing.T) {
	v := newTestVerifier(testNow)
	for _, c := range []struct{ wire, signed string }{
		{"/bucket/a$b(c)", "/bucket/a$b(c)"},       // signed as sent
		{"/bucket/a$b(c)", "/bucket/a%24b%28c%29"}, // signed AWS-encoded, sent raw
		{"/bucket/a%24b", "/bucket/a%24b"},
		{"/bucket/a%2Bb", "/bucket/a%2Bb"},
	} {
		r, _ := http.NewRequest("GET", "http://h"+c.signed, nil)
		r.URL.RawPath = c.signed
		userSigner().sign(r, emptySHA256)
		req := toRequest(r, true)
		req.RawPath = c.wire
		if _, err := v.Verify(req); err != nil {
			t.Errorf("wire %s signed %s: %v", c.wire, c.signed, err)
		}
		// A different key is still refused.
		req.RawPath = c.wire + "x"
		if _, err := v.Verify(req); !errors.Is(err, ErrSignatureDoesNotMatch) {
			t.Errorf("wire %s: %v", req.RawPath, err)
		}
	}
}

func TestHMACSign(t *testing.T) {
	var key [32]byte
	for i := range key {
		key[i] = byte(i * 7)
	}
	for _, msg := range []string{"", "a", string(make([]byte, 64)), string(make([]byte, 1000))} {
		buf := append(make([]byte, hmacScratch), msg...)
		got := hmacSign(&key, buf)
		m := hmac.New(sha256.New, key[:])
		m.Write([]byte(msg))
		if want := m.Sum(nil); string(got[:]) != string(want) {
			t.Fatalf("len %d: hmac mismatch", len(msg))
		}
	}
}

func TestKeyCache(t *testing.T) {
	var c keyCache
	s := naiveSigner{secret: "s3cr3t", region: "eu-1", service: "s3", t: testNow}
	k, cached := c.signingKey("s3cr3t", "20260314", "eu-1", "s3")
	if cached || string(k[:]) != string(s.key()) {
		t.Fatal("derived key differs from the textbook derivation")
	}
	c.remember("s3cr3t", "20260314", "eu-1", "s3", k)
	if k2, cached := c.signingKey("s3cr3t", "20260314", "eu-1", "s3"); !cached || k2 != k {
		t.Fatal("remembered key not found")
	}
	// A rotated secret must not find the old key.
	if k2, cached := c.signingKey("other", "20260314", "eu-1", "s3"); cached || k2 == k {
		t.Fatal("cache ignores the secret")
	}
	// Bounded under many distinct scopes, and safe concurrently.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 3*keyCacheGeneration; i++ {
				region := fmt.Sprintf("r%d", i%(keyCacheGeneration+100))
				got, cached := c.signingKey("s3cr3t", "20260314", region, "s3")
				if got != deriveSigningKey("s3cr3t", "20260314", region, "s3") {
					t.Error("wrong cached key")
					return
				}
				if !cached {
					c.remember("s3cr3t", "20260314", region, "s3", got)
				}
			}
		}()
	}
	wg.Wait()
	if n := c.len(); n > 2*keyCacheGeneration {
		t.Fatalf("cache holds %d keys", n)
	}
}

// Only keys that verified a signature are cached.
func TestKeyCacheOnlyAfterSuccess(t *testing.T) {
	v := newTestVerifier(testNow)
	for i := 0; i < 20; i++ {
		r := newGet("http://h/b/k")
		s := userSigner()
		s.secret = "wrong-secret-0123"
		s.region = fmt.Sprintf("region-%d", i)
		s.sign(r, emptySHA256)
		if _, err := v.Verify(toRequest(r, false)); !errors.Is(err, ErrSignatureDoesNotMatch) {
			t.Fatal(err)
		}
	}
	if n := v.vs.keys.len(); n != 0 {
		t.Fatalf("failed requests cached %d keys", n)
	}
	r := newGet("http://h/b/k")
	userSigner().sign(r, emptySHA256)
	mustVerify(t, v, toRequest(r, false))
	mustVerify(t, v, toRequest(r, false))
	if n := v.vs.keys.len(); n != 1 {
		t.Fatalf("cache holds %d keys, want 1", n)
	}
}

func TestParseAmzDate(t *testing.T) {
	for s, ok := range map[string]bool{
		"20130524T000000Z":  true,
		"20240229T235959Z":  true,
		"20240229T235960Z":  false,
		"20230229T000000Z":  false,
		"20130524T240000Z":  false,
		"20130524 000000Z":  false,
		"20130524T000000":   false,
		"2013052AT000000Z":  false,
		"20131324T000000Z":  false,
		"20130524T000000Z1": false,
	} {
		if _, got := parseAmzDate(s); got != ok {
			t.Errorf("%q: %v", s, got)
		}
	}
}
