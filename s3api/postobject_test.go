package s3api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
)

// postSigner builds SigV4 POST forms the way browser SDK helpers do. The
// signing code here is independent of package sigv4.
type postSigner struct {
	accessKey, secret, region string
	now                       time.Time
}

func (p postSigner) credential() string {
	return p.accessKey + "/" + p.now.UTC().Format("20060102") + "/" + p.region + "/s3/aws4_request"
}

func (p postSigner) date() string { return p.now.UTC().Format("20060102T150405Z") }

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// sign returns the base64 policy and its signature.
func (p postSigner) sign(policy string) (string, string) {
	b64 := base64.StdEncoding.EncodeToString([]byte(policy))
	k := hmacSHA256([]byte("AWS4"+p.secret), p.now.UTC().Format("20060102"))
	k = hmacSHA256(k, p.region)
	k = hmacSHA256(k, "s3")
	k = hmacSHA256(k, "aws4_request")
	return b64, hex.EncodeToString(hmacSHA256(k, b64))
}

// policy renders a policy expiring at exp with the signature conditions
// and extra ones.
func (p postSigner) policy(exp time.Time, conds ...any) string {
	all := append([]any{
		map[string]string{"x-amz-algorithm": "AWS4-HMAC-SHA256"},
		map[string]string{"x-amz-credential": p.credential()},
		map[string]string{"x-amz-date": p.date()},
	}, conds...)
	b, _ := json.Marshal(map[string]any{"expiration": exp.UTC().Format("2006-01-02T15:04:05.000Z"), "conditions": all})
	return string(b)
}

// form returns the signed form fields for a policy, before the caller's.
func (p postSigner) form(policy string, fields ...string) []string {
	b64, sig := p.sign(policy)
	return append([]string{
		"x-amz-algorithm", "AWS4-HMAC-SHA256",
		"x-amz-credential", p.credential(),
		"x-amz-date", p.date(),
		"policy", b64,
		"x-amz-signature", sig,
	}, fields...)
}

// multipartForm writes fields, then the file, then trailing fields.
func multipartForm(fields []string, fileName string, file []byte, after ...string) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = w.WriteField(fields[i], fields[i+1])
	}
	if file != nil {
		fw, _ := w.CreateFormFile("file", fileName)
		_, _ = fw.Write(file)
	}
	for i := 0; i+1 < len(after); i += 2 {
		_ = w.WriteField(after[i], after[i+1])
	}
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

func sendPostForm(t *testing.T, url string, body []byte, contentType string, hdr ...string) httpResult {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return httpResult{resp.StatusCode, resp.Header, string(b)}
}

func seededBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

// TestPostObject uploads browser-style forms to a server over a real
// data.Store and checks what is stored and answered.
func TestPostObject(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "uploads", "")
	ps := postSigner{accessKey: testAccessKey, secret: testSecretKey, region: "us-east-1", now: time.Now()}
	exp := time.Now().Add(time.Hour)
	url := ss.url + "/uploads"
	std := ps.policy(exp,
		map[string]string{"bucket": "uploads"},
		[]any{"starts-with", "$key", "user/"},
		[]any{"starts-with", "$Content-Type", "image/"},
		[]any{"starts-with", "$x-amz-meta-tag", ""},
		[]any{"starts-with", "$success_action_status", ""},
		[]any{"starts-with", "$success_action_redirect", ""},
		[]any{"eq", "$tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"},
		[]any{"content-length-range", 1, 8 << 20},
	)
	small := []byte("a small image")
	big := seededBytes(3<<20+12345, 7) // streamed (> postMemoryLimit)

	type want struct {
		status int
		code   string
		msg    string
		key    string // stored object to check ("" = none)
		body   []byte
	}
	tests := []struct {
		name   string
		fields []string
		file   []byte
		after  []string
		want   want
	}{
		{"204 default", ps.form(std, "key", "user/a.png", "Content-Type", "image/png", "x-amz-meta-tag", "red",
			"tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
			small, nil, want{status: 204, key: "user/a.png", body: small}},
		{"201 document", ps.form(std, "key", "user/b.png", "Content-Type", "image/png", "success_action_status", "201",
			"tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
			small, nil, want{status: 201, key: "user/b.png", body: small}},
		{"200 empty", ps.form(std, "key", "user/c.png", "Content-Type", "image/png", "success_action_status", "200",
			"tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
			small, nil, want{status: 200, key: "user/c.png", body: small}},
		{"filename substitution and redirect", ps.form(std, "key", "user/${filename}", "Content-Type", "image/jpeg",
			"success_action_redirect", "https://app.example.com/done?x=1",
			"tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
			small, nil, want{status: 303, key: "user/photo.jpg", body: small}},
		{"large file streamed", ps.form(std, "key", "user/big.bin", "Content-Type", "image/raw",
			"tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
			big, nil, want{status: 204, key: "user/big.bin", body: big}},
		{"small file, field after it", ps.form(std, "key", "user/d.png", "Content-Type", "image/png",
			"tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
			small, []string{"submit", "Upload"}, want{status: 204, key: "user/d.png", body: small}},
		{"large file, field after it", ps.form(std, "key", "user/e.bin", "Content-Type", "image/raw",
			"tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
			big, []string{"submit", "Upload"}, want{status: 400, code: "MalformedPOSTRequest", msg: "must be the last field"}},
		{"key condition fails", ps.form(std, "key", "other/a.png", "Content-Type", "image/png"),
			small, nil, want{status: 403, code: "AccessDenied", msg: `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"]`}},
		{"eq condition on absent field", ps.form(std, "key", "user/f.png", "Content-Type", "image/png"),
			small, nil, want{status: 403, code: "AccessDenied", msg: `Policy Condition failed: ["eq", "$tagging",`}},
		{"extra field", ps.form(std, "key", "user/g.png", "Content-Type", "image/png", "x-amz-meta-other", "1",
			"tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
			small, nil, want{status: 403, code: "AccessDenied", msg: "Invalid according to Policy: Extra input fields: x-amz-meta-other"}},
		{"ignored extra field", ps.form(std, "key", "user/h.png", "Content-Type", "image/png", "x-ignore-me", "1",
			"tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
			small, nil, want{status: 204, key: "user/h.png", body: small}},
		{"too large", ps.form(ps.policy(exp, map[string]string{"key": "user/i"}, []any{"content-length-range", 0, 5}), "key", "user/i"),
			small, nil, want{status: 400, code: "EntityTooLarge", msg: "exceeds the maximum allowed size"}},
		{"too small", ps.form(ps.policy(exp, map[string]string{"key": "user/j"}, []any{"content-length-range", 100, 200}), "key", "user/j"),
			small, nil, want{status: 400, code: "EntityTooSmall", msg: "smaller than the minimum allowed size"}},
		{"expired", ps.form(ps.policy(time.Now().Add(-time.Minute), map[string]string{"key": "user/k"}), "key", "user/k"),
			small, nil, want{status: 403, code: "AccessDenied", msg: "Invalid according to Policy: Policy expired."}},
		{"wrong bucket", ps.form(ps.policy(exp, map[string]string{"bucket": "elsewhere"}, map[string]string{"key": "user/l"}), "key", "user/l"),
			small, nil, want{status: 403, code: "AccessDenied", msg: `["eq", "$bucket", "elsewhere"]`}},
		{"bad signature", append(ps.form(ps.policy(exp, map[string]string{"key": "user/m"}), "key", "user/m")[:9], "0000000000000000000000000000000000000000000000000000000000000000", "key", "user/m"),
			small, nil, want{status: 403, code: "SignatureDoesNotMatch"}},
		{"no key", ps.form(std), small, nil, want{status: 400, code: "InvalidArgument", msg: "Bucket POST must contain a field named 'key'."}},
		{"no file", ps.form(std, "key", "user/n"), nil, nil, want{status: 400, code: "IncorrectNumberOfFilesInPostRequest"}},
		{"anonymous", []string{"key", "user/o"}, small, nil, want{status: 403, code: "AccessDenied"}},
		{"bad policy", []string{"key", "user/p", "policy", "not base64!", "x-amz-algorithm", "AWS4-HMAC-SHA256",
			"x-amz-credential", ps.credential(), "x-amz-date", ps.date(), "x-amz-signature", strings.Repeat("0", 64)},
			small, nil, want{status: 403, code: "SignatureDoesNotMatch"}},
		{"missing credential", []string{"key", "user/q", "policy", "e30=", "x-amz-algorithm", "AWS4-HMAC-SHA256",
			"x-amz-date", ps.date(), "x-amz-signature", strings.Repeat("0", 64)},
			small, nil, want{status: 400, code: "InvalidArgument", msg: "x-amz-credential"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, ct := multipartForm(tc.fields, "photo.jpg", tc.file, tc.after...)
			r := sendPostForm(t, url, body, ct)
			if r.status != tc.want.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.want.status, r.body)
			}
			if tc.want.code != "" {
				e := parseXMLError(t, r.body)
				if e.Code != tc.want.code || !strings.Contains(e.Message, tc.want.msg) {
					t.Fatalf("error %s %q, want %s containing %q", e.Code, e.Message, tc.want.code, tc.want.msg)
				}
				return
			}
			etag := `"` + md5hex(tc.want.body) + `"`
			if got := r.header.Get("ETag"); got != etag {
				t.Errorf("ETag %q, want %q", got, etag)
			}
			checkPostResponse(t, r, ss.url, "uploads", tc.want.key, etag)
			info, got := readStored(t, ss.store, "uploads", tc.want.key)
			if !bytes.Equal(got, tc.want.body) {
				t.Fatalf("stored %d bytes (md5 %s), want %d (md5 %s)", len(got), md5hex(got), len(tc.want.body), md5hex(tc.want.body))
			}
			if info.ETag != md5hex(tc.want.body) {
				t.Errorf("stored ETag %q", info.ETag)
			}
			if ct, _ := lookupFold(info.Headers, "content-type"); !strings.HasPrefix(ct, "image/") {
				t.Errorf("stored Content-Type %q", ct)
			}
			if info.Meta.Tags["k"] != "v" {
				t.Errorf("stored tags %v", info.Meta.Tags)
			}
		})
	}
	// The first upload carried x-amz-meta-tag.
	info, _ := readStored(t, ss.store, "uploads", "user/a.png")
	if v, _ := lookupFold(info.Headers, "x-amz-meta-tag"); v != "red" {
		t.Errorf("x-amz-meta-tag = %q (headers %v)", v, info.Headers)
	}
	// Nothing was stored by the refused uploads.
	for _, k := range []string{"user/e.bin", "other/a.png", "user/f.png", "user/g.png", "user/i", "user/j"} {
		if _, err := ss.store.StatObject(context.Background(), "uploads", k, data.GetOptions{}); !errors.Is(err, data.ErrObjectNotFound) {
			t.Errorf("%s: StatObject = %v, want not found", k, err)
		}
	}
}

func checkPostResponse(t *testing.T, r httpResult, base, bucket, key, etag string) {
	t.Helper()
	objURL := base + "/" + bucket + "/" + key
	switch r.status {
	case 201:
		var pr struct {
			Location, Bucket, Key, ETag string
		}
		if err := xml.Unmarshal([]byte(r.body), &pr); err != nil {
			t.Fatalf("PostResponse %q: %v", r.body, err)
		}
		if pr.Location != objURL || pr.Bucket != bucket || pr.Key != key || pr.ETag != etag {
			t.Errorf("PostResponse %+v", pr)
		}
	case 303:
		loc, err := url.Parse(r.header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		q := loc.Query()
		if loc.Host != "app.example.com" || loc.Path != "/done" || q.Get("x") != "1" ||
			q.Get("bucket") != bucket || q.Get("key") != key || q.Get("etag") != etag {
			t.Errorf("redirect to %s", loc)
		}
	default:
		if r.body != "" {
			t.Errorf("status %d with body %q", r.status, r.body)
		}
		if got := r.header.Get("Location"); got != objURL {
			t.Errorf("Location %q, want %q", got, objURL)
		}
	}
}

func readStored(t *testing.T, st *data.Store, bucket, key string) (data.ObjectInfo, []byte) {
	t.Helper()
	ctx := context.Background()
	o, err := st.OpenObject(ctx, bucket, key, data.GetOptions{})
	if err != nil {
		t.Fatalf("OpenObject %s: %v", key, err)
	}
	rc, err := o.Range(ctx, 0, o.Info().Size)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return o.Info(), b
}

// TestPostObjectCurl uploads with curl -F, as a shell user would.
func TestPostObjectCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "curled", "")
	ps := postSigner{accessKey: testAccessKey, secret: testSecretKey, region: "us-east-1", now: time.Now()}
	policy := ps.policy(time.Now().Add(time.Hour), map[string]string{"bucket": "curled"},
		[]any{"starts-with", "$key", "in/"}, map[string]string{"success_action_status": "201"},
		[]any{"content-length-range", 0, 10 << 20})
	for _, size := range []int{1000, 2<<20 + 3} {
		file := seededBytes(size, uint64(size))
		path := filepath.Join(t.TempDir(), "upload.bin")
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"-sS", "-o", "-", "-w", "\n%{http_code}"}
		fields := ps.form(policy, "key", "in/${filename}", "success_action_status", "201")
		for i := 0; i+1 < len(fields); i += 2 {
			args = append(args, "--form-string", fields[i]+"="+fields[i+1])
		}
		args = append(args, "-F", "file=@"+path, ss.url+"/curled")
		out, err := exec.Command(curl, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("curl: %v: %s", err, out)
		}
		i := strings.LastIndexByte(string(out), '\n')
		body, code := string(out[:i]), string(out[i+1:])
		if code != "201" || !strings.Contains(body, "<Key>in/upload.bin</Key>") {
			t.Fatalf("curl -F (%d bytes): %s %s", size, code, body)
		}
		_, got := readStored(t, ss.store, "curled", "in/upload.bin")
		if !bytes.Equal(got, file) {
			t.Fatalf("curl upload of %d bytes stored %d bytes", size, len(got))
		}
	}
}

func TestPostPolicyParse(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name   string
		policy string
		msg    string // "" = valid
		conds  string
	}{
		{"valid", `{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"bucket":"b"},["starts-with","$key","u/"],["EQ","$Content-Type","x"],["content-length-range",1,"10"],{"success_action_status":201}]}`, "",
			`[["eq", "$bucket", "b"] ["starts-with", "$key", "u/"] ["eq", "$Content-Type", "x"] ["content-length-range", 1, 10] ["eq", "$success_action_status", "201"]]`},
		{"no fraction", `{"expiration":"2030-01-01T00:00:00Z","conditions":[]}`, "", "[]"},
		{"not json", `{"expiration":`, "Invalid JSON.", ""},
		{"trailing garbage", `{"expiration":"2030-01-01T00:00:00Z","conditions":[]} x`, "Invalid JSON.", ""},
		{"no expiration", `{"conditions":[]}`, "Policy missing expiration.", ""},
		{"bad expiration", `{"expiration":"tomorrow","conditions":[]}`, "Invalid 'expiration' value: 'tomorrow'", ""},
		{"no conditions", `{"expiration":"2030-01-01T00:00:00Z"}`, "Policy missing conditions.", ""},
		{"two-key object", `{"expiration":"2030-01-01T00:00:00Z","conditions":[{"a":"1","b":"2"}]}`, "exactly one property", ""},
		{"object value not string", `{"expiration":"2030-01-01T00:00:00Z","conditions":[{"a":["x"]}]}`, "value must be a string", ""},
		{"short array", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$key"]]}`, "wrong number of arguments", ""},
		{"no dollar", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","key","x"]]}`, "must start with '$'", ""},
		{"unknown op", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["ends-with","$key","x"]]}`, "unknown operation", ""},
		{"bad range", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",10,1]]}`, "content-length-range", ""},
		{"negative range", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",-1,1]]}`, "content-length-range", ""},
		{"scalar condition", `{"expiration":"2030-01-01T00:00:00Z","conditions":["x"]}`, "Invalid Condition", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsePostPolicy(enc(tc.policy))
			if tc.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := fmt.Sprint(p.Conditions); got != tc.conds {
					t.Fatalf("conditions\n got %s\nwant %s", got, tc.conds)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != ErrInvalidPolicyDocument || !strings.Contains(e.message(), tc.msg) {
				t.Fatalf("err = %v, want InvalidPolicyDocument %q", err, tc.msg)
			}
		})
	}
	if _, err := parsePostPolicy("!!!"); err == nil || !strings.Contains(err.Error(), "Base64") {
		t.Fatalf("bad base64: %v", err)
	}
}

// TestPostPolicyConditions is the condition table: fields against a policy.
func TestPostPolicyConditions(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	p, err := parsePostPolicy(base64.StdEncoding.EncodeToString([]byte(`{"expiration":"2030-01-01T00:00:01Z","conditions":[
		{"bucket":"photos"}, ["starts-with","$key","user/"], ["starts-with","$Content-Type",""],
		{"acl":"private"}, ["eq","$x-amz-meta-id","42"], ["content-length-range", 10, 20]]}`)))
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"key", "user/a", "acl", "private", "X-Amz-Meta-Id", "42"}
	tests := []struct {
		name   string
		fields []string
		bucket string
		now    time.Time
		want   string // "" = accepted
	}{
		{"all hold", base, "photos", now, ""},
		{"field names are case-insensitive", []string{"KEY", "user/a", "ACL", "private", "x-amz-meta-id", "42"}, "photos", now, ""},
		{"starts-with empty accepts anything", append(base, "Content-Type", "text/x"), "photos", now, ""},
		{"exempt fields", append(base, "policy", "p", "x-amz-signature", "s", "x-ignore-x", "1"), "photos", now, ""},
		{"expired", base, "photos", now.Add(time.Second), "Policy expired."},
		{"bucket", base, "other", now, `["eq", "$bucket", "photos"]`},
		{"prefix", []string{"key", "usr/a", "acl", "private", "x-amz-meta-id", "42"}, "photos", now, `["starts-with", "$key", "user/"]`},
		{"values are case-sensitive", []string{"key", "user/a", "acl", "Private", "x-amz-meta-id", "42"}, "photos", now, `["eq", "$acl", "private"]`},
		{"missing field", []string{"key", "user/a", "acl", "private"}, "photos", now, `["eq", "$x-amz-meta-id", "42"]`},
		{"extra field", append(base, "x-amz-meta-other", "1"), "photos", now, "Extra input fields: x-amz-meta-other"},
	}
	for _, tc := range tests {
		f := &postForm{}
		for i := 0; i+1 < len(tc.fields); i += 2 {
			f.fields = append(f.fields, formField{tc.fields[i], tc.fields[i+1]})
		}
		err := p.checkFields(postFormFields{f: f, bucket: tc.bucket}, tc.now)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != ErrAccessDenied || !strings.Contains(e.message(), tc.want) {
			t.Errorf("%s: %v, want AccessDenied %q", tc.name, err, tc.want)
		}
	}
	for _, c := range []struct {
		size int64
		code ErrorCode
	}{{9, ErrEntityTooSmall}, {10, -1}, {20, -1}, {21, ErrEntityTooLarge}} {
		err := p.checkSize(c.size)
		var e *Error
		if (c.code < 0) != (err == nil) || (err != nil && (!errors.As(err, &e) || e.Code != c.code)) {
			t.Errorf("size %d: %v, want %v", c.size, err, c.code)
		}
	}
}

// TestFormReader parses hand-written bodies.
func TestFormReader(t *testing.T) {
	const b = "XyZ"
	tests := []struct {
		name, body string
		fields     string // fmt of the fields
		file       string
		err        error
	}{
		{"plain", "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n",
			"[{key k1}]", "hello", nil},
		{"preamble and padding", "ignored preamble\r\n--XyZ  \r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n--XyZ\r\ncontent-disposition: form-data; name=\"File\"\r\n\r\nx--XyZ\r\n--XyZ\r\nyz\r\n--XyZ--",
			"[{a }]", "x--XyZ", nil},
		{"multi-line value", "--XyZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nline1\r\n--XyZx\r\nline3\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\r\n--XyZ--\r\n",
			"[{t line1\r\n--XyZx\r\nline3}]", "", nil},
		{"no file", "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk1\r\n--XyZ--\r\n", "", "", errNoFileField},
		{"empty form", "--XyZ--\r\n", "", "", errNoFileField},
		{"no disposition", "--XyZ\r\nContent-Type: text/plain\r\n\r\nk1\r\n--XyZ--\r\n", "", "", errFormMalformed},
		{"truncated", "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk1", "", "", errFormMalformed},
		{"truncated file", "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc", "", "", errFormMalformed},
		{"fields too large", "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n" + strings.Repeat("v", maxPostPreData) + "\r\n--XyZ--\r\n", "", "", errPreDataTooBig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fr := newFormReader(strings.NewReader(tc.body), b)
			f, err := fr.readFields()
			var file []byte
			if err == nil {
				file, err = io.ReadAll(&filePart{fr: fr})
			}
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(f.fields); got != tc.fields {
				t.Errorf("fields %q, want %q", got, tc.fields)
			}
			if string(file) != tc.file {
				t.Errorf("file %q, want %q", file, tc.file)
			}
		})
	}
}

// FuzzPostPolicy: policy parsing and checking never panic, and a parsed
// policy's conditions render and re-check consistently.
func FuzzPostPolicy(f *testing.F) {
	f.Add(`{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"bucket":"b"},["starts-with","$key",""],["content-length-range",0,10]]}`, "key", "v")
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$x","1"],{"y":2}]}`, "x", "1")
	f.Add(`[]`, "", "")
	f.Fuzz(func(t *testing.T, doc, field, value string) {
		p, err := parsePostPolicy(base64.StdEncoding.EncodeToString([]byte(doc)))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != ErrInvalidPolicyDocument {
				t.Fatalf("not InvalidPolicyDocument: %v", err)
			}
			return
		}
		for _, c := range p.Conditions {
			_ = c.String()
			if c.Op == condContentLength && (c.Min < 0 || c.Max < c.Min) {
				t.Fatalf("invalid range accepted: %+v", c)
			}
		}
		form := &postForm{fields: []formField{{field, value}}}
		now := p.Expiration.Add(-time.Second)
		err = p.checkFields(postFormFields{f: form, bucket: "b"}, now)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != ErrAccessDenied {
				t.Fatalf("checkFields: %v", err)
			}
		}
		_ = p.checkSize(int64(len(value)))
	})
}
